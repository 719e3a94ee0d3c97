"""convlab: the convolution behind CNNs, one multiply-sum at a time.

Compute layer (numpy only): :func:`conv2d`, :func:`feature_maps`, :func:`iter_steps` and
:class:`WindowStep`, :func:`output_size`, :func:`output_shape`. Data: :mod:`convlab.kernels`,
:mod:`convlab.images`.
"""

from .conv import conv2d, feature_maps, output_shape, output_size, output_size_formula, unvisited
from .steps import WindowStep, format_number, iter_steps

__all__ = [
    "conv2d",
    "feature_maps",
    "output_size",
    "output_shape",
    "output_size_formula",
    "unvisited",
    "iter_steps",
    "WindowStep",
    "format_number",
]

__version__ = "0.1.0"
