"""View models (numpy only): what every frame of a walk shows, decided once as plain data.

:mod:`.palette` (colours as data), :mod:`.walk` (the convolution walk's model: ``compute_walk``,
captions, ``view_model``), :mod:`.op_views` (the same schema for pooling and transposed convolution).
The browser view and :mod:`convlab.figures` only index and draw what these decide. Imports only
:mod:`convlab.core`.
"""
