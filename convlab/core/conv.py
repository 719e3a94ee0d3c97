"""Vectorised convolution (numpy only): ``conv2d``, ``feature_maps`` and the output-size formula.

Every public function here is a thin layer over one private engine:

* ``_plan`` checks every argument (see ``_validate``), pads the image and works out the output shape —
  before any arithmetic is done;
* ``_compute`` runs the path the plan chose: ``_correlate`` (direct: one compiled 1-D correlation per
  kernel row, exact products summed) or ``_fft.fft_correlate`` (products of spectra, for big kernels).

``iter_steps`` (in ``steps.py``) reads its values from the same engine, so the step-by-step walk and the
vectorised result can never disagree.
"""

from __future__ import annotations

import numpy as np

from ._engine import _compute, _compute_stack, _plan

__all__ = ["conv2d", "feature_maps"]


def conv2d(image, kernel, *, stride=1, padding=0, dilation=1, flip=False, padding_mode="zeros",
           method="auto") -> np.ndarray:
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
    method : {"auto", "direct", "fft"}, default "auto"
        How the sums are computed, as in ``scipy.signal.convolve``. ``"direct"`` adds the products of
        every window (exact for whole-number images and kernels); ``"fft"`` multiplies in the frequency
        domain, much faster for big kernels on big images; ``"auto"`` takes whichever a measured cost
        model predicts to be faster, which is ``"direct"`` for every size the lessons use. Whole-number
        images and kernels give exact whole-number results on both paths; otherwise the two agree within
        ``1e-12 * max|image| * sum|kernel|``. The work limit counts the cost of the path that runs.

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
    p = _plan(image, kernel, stride=stride, padding=padding, dilation=dilation, flip=flip, padding_mode=padding_mode,
              own=False, method=method)
    return _compute(p)


def feature_maps(image, kernels, *, stride=1, padding=0, dilation=1, flip=False, padding_mode="zeros",
                 method="auto") -> np.ndarray:
    """Apply several filters to one image: a stack of feature maps, as one CNN layer does.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
    kernels : array_like, shape (N, kh, kw) or (N, kh, kw, C)
        N filters of the same size. Each gives one feature map.
    stride, padding, dilation, flip, padding_mode, method
        As for :func:`conv2d`. The FFT path transforms the image once for all the filters.

    Returns
    -------
    numpy.ndarray of float64, shape (H', W', N)
        ``result[:, :, n]`` equals ``conv2d(image, kernels[n], ...)`` exactly on the direct path (and
        within the tolerance of ``method`` otherwise).

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
              padding_mode=padding_mode, stack=True, own=False, method=method)
    return _compute_stack(p)

