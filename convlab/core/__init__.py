"""The engine (numpy only): limits, sizes, convolution and the other operations, and their step walks.

Everything a lesson or a figure computes a number with starts here: :mod:`.limits` (every size a user can
choose, and its check), :mod:`.sizes` (output sizes and formulas, the one "does not fit" message),
:mod:`.conv` (:func:`~convlab.core.conv.conv2d`), :mod:`.steps` (:class:`~convlab.core.steps.WindowStep`,
:func:`~convlab.core.steps.iter_steps`), :mod:`.ops` and :mod:`.op_steps` (transposed convolution,
pooling, ReLU and their walks). Nothing here imports another convlab layer, matplotlib or widgets.
"""
