"""From one filter to a network (numpy only): :mod:`.learn` (a kernel learned by gradient descent),
:mod:`.layer` (the same layer written for PyTorch and Keras, as text), :mod:`.stages` (a layer's geometry),
:mod:`.network` (a tiny CNN trained in numpy; :func:`~convlab.nets.network.run_stack` runs a stack of
stages), :mod:`.trained` (the network that ships with convlab). Imports :mod:`convlab.core` and
:mod:`convlab.data`.
"""
