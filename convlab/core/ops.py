"""Beyond one convolution (numpy only): transposed convolution, max and average pooling, ReLU.

The same habits as :func:`conv2d`: every argument is checked first (``_validate``), the arithmetic is
vectorised over whole arrays, and the semantics are PyTorch's (``torch.nn.functional.conv_transpose2d``,
``max_pool2d``, ``avg_pool2d``, ``relu``), on channels-last numpy arrays. The engines live in
``_ops_engine``; :mod:`convlab.core.op_steps` walks them one window (or pixel) at a time.
"""

from __future__ import annotations

import numpy as np

from .._shared import validate as v
from ._ops_engine import _pool, _pool_plan, _relu, _transpose_plan, _transposed

__all__ = ["conv_transpose2d", "max_pool2d", "avg_pool2d", "relu"]


# --------------------------------------------------------------------------------------------------
# ReLU
# --------------------------------------------------------------------------------------------------

def relu(x) -> np.ndarray:
    """Rectified linear unit: ``max(x, 0)`` element by element, the non-linearity between CNN layers.

    Parameters
    ----------
    x : array_like
        A number, a feature map, a stack of maps: any shape.

    Returns
    -------
    numpy.ndarray of float64, the shape of ``x``
        A new array: negative values become 0, the others are kept.

    Raises
    ------
    TypeError, ValueError
        For values that are not finite real numbers, naming ``x``.

    Examples
    --------
    The lesson's feature map: the negative edge response is cut to 0.

    >>> relu([[-4, 2, 4], [0, 0, 0]])
    array([[0., 2., 4.],
           [0., 0., 0.]])
    >>> relu(-1.5), relu(3)
    (array(0.), array(3.))
    """
    return _relu(v.as_numbers(x, "x", finite=False), "x")  # the engine checks finiteness, in one sum


# --------------------------------------------------------------------------------------------------
# pooling
# --------------------------------------------------------------------------------------------------

def max_pool2d(image, size, *, stride=None, padding=0) -> np.ndarray:
    """Max pooling: the largest value of each window, channel by channel.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Grayscale, or channels-last: each channel is pooled on its own.
    size : int or (int, int)
        The window, ``(rows, cols)``.
    stride : int or (int, int), optional
        How far the window moves; by default ``size`` (windows side by side, not overlapping).
    padding : int or (int, int), default 0
        Pixels added on each side, at most ``size // 2`` (PyTorch's rule). Padded cells hold −∞, so the
        maximum is always a real pixel.

    Returns
    -------
    numpy.ndarray of float64, shape (H', W') or (H', W', C)
        ``H' = ⌊(H + 2p − size)/s⌋ + 1`` (see :func:`pool_output_size`), likewise ``W'``.

    Raises
    ------
    TypeError, ValueError
        For a bad size, stride, padding or image: the message names it and quotes what was given.

    Examples
    --------
    2x2 windows side by side on a 4x4 map: the largest of each quarter.

    >>> fmap = [[1, 3, 0, 2],
    ...         [4, 2, 1, 1],
    ...         [0, 1, 5, 0],
    ...         [2, 2, 0, 3]]
    >>> max_pool2d(fmap, 2)
    array([[4., 2.],
           [2., 5.]])
    >>> max_pool2d(fmap, 3, stride=1)
    array([[5., 5.],
           [5., 5.]])
    """
    p = _pool_plan(image, size, stride, padding, "max")
    return _pool(p)


def avg_pool2d(image, size, *, stride=None, padding=0) -> np.ndarray:
    """Average pooling: the mean of each window, channel by channel.

    Parameters
    ----------
    image, size, stride
        As for :func:`max_pool2d`.
    padding : int or (int, int), default 0
        Pixels added on each side, at most ``size // 2``. Padded cells are zeros *and are counted*: every
        window is divided by ``rows · cols`` (PyTorch's default, ``count_include_pad=True``).

    Returns
    -------
    numpy.ndarray of float64
        Of the shape :func:`max_pool2d` gives.

    Raises
    ------
    TypeError, ValueError
        As :func:`max_pool2d` does, before any arithmetic.

    Examples
    --------
    The map of :func:`max_pool2d`'s example, averaged instead:

    >>> fmap = [[1, 3, 0, 2], [4, 2, 1, 1], [0, 1, 5, 0], [2, 2, 0, 3]]
    >>> avg_pool2d(fmap, 2)
    array([[2.5 , 1.  ],
           [1.25, 2.  ]])

    (1 + 3 + 4 + 2) / 4 = 2.5. With padding 1, the corner window holds three zeros and the 1:

    >>> float(avg_pool2d(fmap, 2, padding=1)[0, 0])
    0.25
    """
    p = _pool_plan(image, size, stride, padding, "mean")
    return _pool(p)


def conv_transpose2d(image, kernel, *, stride=1, padding=0, output_padding=0, dilation=1) -> np.ndarray:
    """Transposed convolution: every input pixel stamps ``value × kernel`` into the output; overlaps add up.

    The upsampling layer of CNN decoders and GANs (PyTorch's ``conv_transpose2d``, "deconvolution"). Input
    pixel ``(r, c)`` adds its block at rows ``r·s, r·s + d, …`` and columns ``c·s, c·s + d, …``; where
    the blocks of neighbouring pixels overlap (kernel larger than the stride), the sums grow, which is
    where the checkerboard artefacts of learned upsampling come from. It is the gradient of
    :func:`conv2d` with respect to its input, and maps a convolution's output size back to its input size.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Grayscale, or channels-last.
    kernel : array_like, shape (kh, kw) or (kh, kw, C)
        For a C-channel image one slice per channel; the channels' contributions are summed into one map
        (PyTorch's weight of shape ``(C, 1, kh, kw)``).
    stride : int or (int, int), default 1
        How far apart neighbouring pixels' blocks are placed.
    padding : int or (int, int), default 0
        Rows/columns *cropped* from each side of the result (it undoes a convolution's padding).
    output_padding : int or (int, int), default 0
        Rows/columns added at the bottom/right, smaller than the stride or the dilation (PyTorch's rule):
        it picks among the input sizes that a strided convolution maps to the same size.
    dilation : int or (int, int), default 1
        Spacing between the kernel's taps inside a block.

    Returns
    -------
    numpy.ndarray of float64, shape (H', W')
        ``H' = (H − 1)·s − 2p + d·(kh − 1) + output_padding + 1`` (see :func:`transpose_output_size`).

    Raises
    ------
    TypeError, ValueError
        When an argument is wrong (its name and value are in the message), or when ``padding`` would crop
        the whole output; nothing is computed first.

    Examples
    --------
    Two pixels, stride 2, a 2x2 kernel of ones: two blocks side by side, no overlap.

    >>> conv_transpose2d([[1, 2]], [[1, 1], [1, 1]], stride=2)
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.]])

    A 3x3 kernel at stride 2 overlaps its neighbour in one column, which gets 1 + 2 = 3:

    >>> conv_transpose2d([[1, 2]], [[1, 1, 1]], stride=2)
    array([[1., 1., 3., 2., 2.]])
    >>> conv_transpose2d([[1, 2]], [[1, 1, 1]], stride=2, padding=(0, 1))
    array([[1., 3., 2.]])
    """
    p = _transpose_plan(image, kernel, stride, padding, output_padding, dilation)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused by _transposed, in words
        return _transposed(p)


# --------------------------------------------------------------------------------------------------
# step walks
# --------------------------------------------------------------------------------------------------
