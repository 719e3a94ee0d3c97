"""Vectorised convolution (numpy only): ``conv2d``, ``feature_maps`` and the output-size formula.

Every public function here is a thin layer over one private engine:

* ``_plan`` checks every argument (see ``_validate``), pads the image and works out the output shape —
  before any arithmetic is done;
* ``_correlate`` computes the feature map by *shift-and-add*: for each kernel cell ``(i, j)`` it adds
  ``kernel[i, j] * (the strided slice of the padded image that this cell sees in every window)``. That is
  ``kh * kw`` whole-array operations instead of one Python step per window, and with a stride it only
  touches the windows that are kept.

``iter_steps`` (in ``steps.py``) reads its values from the same engine, so the step-by-step walk and the
vectorised result can never disagree.
"""

from __future__ import annotations

import numpy as np

from ._engine import _correlate, _plan

__all__ = ["conv2d", "feature_maps"]


def conv2d(image, kernel, *, stride=1, padding=0, dilation=1, flip=False, padding_mode="zeros") -> np.ndarray:
    """Slide ``kernel`` over ``image`` and collect one multiply-sum per window: the feature map.

    With the default ``flip=False`` this is *cross-correlation*: the kernel is laid on the image as it is
    written. That is what CNN libraries (PyTorch, TensorFlow) compute under the name "convolution", and
    what the lesson's loop computes. ``flip=True`` gives the textbook convolution, where the kernel is
    first rotated by 180 degrees.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Grayscale grid of pixel values, or channels-last (e.g. RGB, as matplotlib shows it).
        Nested lists are fine.
    kernel : array_like, shape (kh, kw) or (kh, kw, C)
        The filter. For a C-channel image it has one slice per channel; the channel results are summed
        into one feature map.
    stride : int or (int, int), default 1
        How many pixels the filter moves between windows (rows, columns).
    padding : int, (int, int), "valid", "same" or "full", default 0
        Pixels added on each side before sliding. ``"valid"`` is 0, ``"full"`` is ``d*(k-1)`` (every
        overlap), ``"same"`` keeps the output the size of the input (stride 1 only; an odd total puts
        the extra row/column at the bottom/right, as PyTorch does).
    dilation : int or (int, int), default 1
        Spacing between the pixels the kernel samples (1 = neighbouring pixels).
    flip : bool, default False
        False: cross-correlation (CNNs). True: convolution (kernel rotated by 180 degrees).
    padding_mode : {"zeros", "reflect", "replicate", "circular"}, default "zeros"
        What the padding pixels hold (PyTorch's names). The lesson uses zeros.

    Returns
    -------
    numpy.ndarray of float64, shape (H', W')
        ``H' = floor((H + 2p - d(kh-1) - 1) / s) + 1`` and likewise for ``W'``.

    Raises
    ------
    TypeError, ValueError
        Before any work, naming the argument and the value received.

    Examples
    --------
    The lesson's 5x5 image and vertical-edge filter:

    >>> image = [[1, 2, 3, 0, 1],
    ...          [0, 1, 2, 3, 1],
    ...          [1, 2, 1, 0, 0],
    ...          [2, 1, 0, 1, 2],
    ...          [0, 1, 2, 3, 1]]
    >>> kernel = [[1, 0, -1],
    ...           [1, 0, -1],
    ...           [1, 0, -1]]
    >>> conv2d(image, kernel)
    array([[-4.,  2.,  4.],
           [ 0.,  0.,  0.],
           [ 0.,  0.,  0.]])

    The first value is the multiply-sum of the top-left 3x3 window with the filter:
    1*1 + 2*0 + 3*(-1) + 0*1 + 1*0 + 2*(-1) + 1*1 + 2*0 + 1*(-1) = -4.

    Stride 2 keeps every other window; padding 1 keeps the 5x5 size:

    >>> conv2d(image, kernel, stride=2)
    array([[-4.,  4.],
           [ 0.,  0.]])
    >>> conv2d(image, kernel, padding=1).shape
    (5, 5)
    """
    p = _plan(image, kernel, stride=stride, padding=padding, dilation=dilation, flip=flip, padding_mode=padding_mode)
    return _correlate(p.padded, p.kernel, p.stride, p.dilation, p.out_shape)


def feature_maps(image, kernels, *, stride=1, padding=0, dilation=1, flip=False, padding_mode="zeros") -> np.ndarray:
    """Apply several filters to one image: a stack of feature maps, as one CNN layer does.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
    kernels : array_like, shape (N, kh, kw) or (N, kh, kw, C)
        N filters of the same size. Each gives one feature map.
    stride, padding, dilation, flip, padding_mode
        As for :func:`conv2d`.

    Returns
    -------
    numpy.ndarray of float64, shape (H', W', N)
        ``result[:, :, n]`` equals ``conv2d(image, kernels[n], ...)`` exactly.

    Examples
    --------
    >>> image = [[1, 2, 3, 0, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [2, 1, 0, 1, 2], [0, 1, 2, 3, 1]]
    >>> vertical_edge = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]
    >>> horizontal_edge = [[1, 1, 1], [0, 0, 0], [-1, -1, -1]]
    >>> maps = feature_maps(image, [vertical_edge, horizontal_edge])
    >>> maps.shape
    (3, 3, 2)
    >>> maps[:, :, 0]
    array([[-4.,  2.,  4.],
           [ 0.,  0.,  0.],
           [ 0.,  0.,  0.]])
    """
    p = _plan(image, kernels, stride=stride, padding=padding, dilation=dilation, flip=flip,
              padding_mode=padding_mode, stack=True)
    maps = [_correlate(p.padded, k, p.stride, p.dilation, p.out_shape) for k in p.kernel]
    return np.stack(maps, axis=-1)

