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

from dataclasses import dataclass

import numpy as np

from . import _validate as v

__all__ = ["conv2d", "feature_maps", "output_size", "output_shape", "output_size_formula", "unvisited"]


@dataclass(frozen=True)
class _Plan:
    padded: np.ndarray  # (Hp, Wp) or (Hp, Wp, C), float64
    kernel: np.ndarray  # (kh, kw[, C]) or a stack (N, kh, kw[, C]); already flipped when flip=True
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]
    out_shape: tuple[int, int]


def _flip(kernel: np.ndarray, stack: bool) -> np.ndarray:
    """Rotate by 180 degrees in the two spatial axes (channels and the stack axis are left alone)."""
    return kernel[:, ::-1, ::-1] if stack else kernel[::-1, ::-1]


def _plan(image, kernel, *, stride, padding, dilation, flip, padding_mode, stack=False) -> _Plan:
    """Validate every argument, then pad. Raises before any arithmetic is done."""
    img = v.as_image(image)
    ker = v.as_kernel_stack(kernel, img) if stack else v.as_kernel(kernel, img)
    stride = v.positive_pair(stride, "stride")
    dilation = v.positive_pair(dilation, "dilation")
    flip = v.check_flip(flip)
    mode = v.check_padding_mode(padding_mode)
    khw = ker.shape[1:3] if stack else ker.shape[:2]
    span = tuple(d * (k - 1) + 1 for k, d in zip(khw, dilation))
    pads = v.padding_amounts(padding, span, stride)
    if mode != "zeros":
        v.check_mode_fits(mode, pads, img.shape[:2])
    padded_hw = (img.shape[0] + sum(pads[0]), img.shape[1] + sum(pads[1]))
    v.check_fits(khw, dilation, padded_hw, pads)
    if any(sum(p) for p in pads):
        width = list(pads) + [(0, 0)] * (img.ndim - 2)
        img = np.pad(img, width, mode=v._NUMPY_PAD_MODE[mode])
    if flip:
        ker = _flip(ker, stack)
    out_shape = tuple((n - s) // st + 1 for n, s, st in zip(padded_hw, span, stride))
    return _Plan(img, ker, stride, dilation, pads, out_shape)


_BLOCK_BYTES = 1 << 18  # rows of output handled together, so `out` and `tmp` stay in the CPU cache


def _correlate(padded: np.ndarray, kernel: np.ndarray, stride, dilation, out_shape) -> np.ndarray:
    """Cross-correlate one (already flipped, validated) kernel with a padded image: the engine.

    Shift-and-add, one block of output rows at a time: for every kernel cell, multiply the strided slice
    of the input that this cell sees into ``tmp`` and add it to the block. Blocking keeps the working set
    in cache, which makes this several times faster than a whole-array pass per kernel cell.
    """
    (sr, sc), (dr, dc), (oh, ow) = stride, dilation, out_shape
    kh, kw = kernel.shape[:2]
    # channels first and contiguous, so every slice below is a plain 2-D strided view
    planes = padded[None] if padded.ndim == 2 else np.ascontiguousarray(np.moveaxis(padded, -1, 0))
    weights = kernel[..., None] if kernel.ndim == 2 else kernel
    cells = [(c, i, j, weights[i, j, c]) for c in range(planes.shape[0]) for i in range(kh) for j in range(kw)
             if weights[i, j, c] != 0.0]  # zero weights (common in teaching kernels) add nothing
    out = np.zeros((oh, ow))
    block = max(1, _BLOCK_BYTES // (8 * ow))
    tmp = np.empty((min(block, oh), ow))
    for r0 in range(0, oh, block):
        r1 = min(oh, r0 + block)
        acc, t = out[r0:r1], tmp[: r1 - r0]
        for c, i, j, w in cells:
            rows = slice(i * dr + r0 * sr, i * dr + (r1 - 1) * sr + 1, sr)
            cols = slice(j * dc, j * dc + (ow - 1) * sc + 1, sc)
            np.multiply(planes[c, rows, cols], w, out=t)
            acc += t
    return out


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

    >>> from convlab.images import SEED_IMAGE, SEED_KERNEL
    >>> conv2d(SEED_IMAGE, SEED_KERNEL)
    array([[-4.,  2.,  4.],
           [ 0.,  0.,  0.],
           [ 0.,  0.,  0.]])

    The first value is the multiply-sum of the top-left 3x3 window with the filter:
    1*1 + 2*0 + 3*(-1) + 0*1 + 1*0 + 2*(-1) + 1*1 + 2*0 + 1*(-1) = -4.

    Stride 2 keeps every other window; padding 1 keeps the 5x5 size:

    >>> conv2d(SEED_IMAGE, SEED_KERNEL, stride=2)
    array([[-4.,  4.],
           [ 0.,  0.]])
    >>> conv2d(SEED_IMAGE, SEED_KERNEL, padding=1).shape
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
    >>> from convlab.images import SEED_IMAGE
    >>> from convlab.kernels import VERTICAL_EDGE, HORIZONTAL_EDGE
    >>> maps = feature_maps(SEED_IMAGE, [VERTICAL_EDGE, HORIZONTAL_EDGE])
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


def _padding_pair(padding, k: int, stride: int, dilation: int) -> tuple[int, int]:
    span = dilation * (k - 1) + 1
    pads = v.padding_amounts(padding, (span, span), (stride, stride))
    return pads[0]


def _size_args(n, k, stride, padding, dilation):
    n = v.size_arg(n, "n")
    k = v.size_arg(k, "k")
    if isinstance(stride, (tuple, list)) or isinstance(dilation, (tuple, list)):
        raise TypeError("output_size works on one axis: stride and dilation must be single integers "
                        f"(use output_shape for pairs); got stride={stride!r}, dilation={dilation!r}")
    stride = v.positive_pair(stride, "stride")[0]
    dilation = v.positive_pair(dilation, "dilation")[0]
    if isinstance(padding, (tuple, list)):
        raise TypeError(f"output_size works on one axis: padding must be a single integer or a name; got {padding!r}")
    before, after = _padding_pair(padding, k, stride, dilation)
    return n, k, stride, (before, after), dilation


def output_size(n, k, *, stride=1, padding=0, dilation=1) -> int:
    """Length of the output along one axis: ``floor((n + 2p - d(k-1) - 1) / s) + 1``.

    Parameters
    ----------
    n : int
        Input length (rows or columns).
    k : int
        Kernel length along the same axis.
    stride, dilation : int
    padding : int or "valid", "same", "full"

    Examples
    --------
    The lesson's 5x5 image with a 3x3 filter: (5 + 0 - 3) / 1 + 1 = 3.

    >>> output_size(5, 3)
    3
    >>> output_size(5, 3, stride=2)
    2
    >>> output_size(5, 3, padding=1)
    5
    >>> output_size(7, 3, padding="same")
    7
    """
    n, k, stride, (before, after), dilation = _size_args(n, k, stride, padding, dilation)
    span = dilation * (k - 1) + 1
    if n + before + after < span:
        v.check_fits((k, k), (dilation, dilation), (n + before + after, n + before + after),
                     ((before, after), (before, after)))
    return (n + before + after - span) // stride + 1


def output_shape(image_shape, kernel_shape, *, stride=1, padding=0, dilation=1) -> tuple[int, int]:
    """Shape ``(H', W')`` of the feature map for an image and kernel of the given shapes.

    Examples
    --------
    >>> output_shape((5, 5), (3, 3))
    (3, 3)
    >>> output_shape((32, 32, 3), (5, 5, 3), stride=2, padding=2)
    (16, 16)
    """
    image_shape = v.shape_arg(image_shape, "image_shape", (2, 3))
    kernel_shape = v.shape_arg(kernel_shape, "kernel_shape", (2, 3))
    if len(image_shape) == 3 and len(kernel_shape) == 3 and image_shape[2] != kernel_shape[2]:
        raise ValueError(f"kernel_shape has {kernel_shape[2]} channels but image_shape has {image_shape[2]}; "
                         f"got {kernel_shape} and {image_shape}")
    stride = v.positive_pair(stride, "stride")
    dilation = v.positive_pair(dilation, "dilation")
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel_shape[:2], dilation))
    pads = v.padding_amounts(padding, span, stride)
    padded_hw = tuple(n + sum(p) for n, p in zip(image_shape[:2], pads))
    v.check_fits(kernel_shape[:2], dilation, padded_hw, pads)
    return tuple((n - s) // st + 1 for n, s, st in zip(padded_hw, span, stride))


def _fmt(x: int) -> str:
    return str(x).replace("-", "\u2212")


def output_size_formula(n, k, *, stride=1, padding=0, dilation=1) -> str:
    """The output-size formula written out with these numbers, for captions and the lessons.

    Examples
    --------
    >>> print(output_size_formula(5, 3))
    ⌊(5 + 2·0 − 3)/1⌋ + 1 = 3
    >>> print(output_size_formula(7, 3, stride=2, padding=1, dilation=2))
    ⌊(7 + 2·1 − 2·(3−1) − 1)/2⌋ + 1 = 3
    """
    n, k, stride, (before, after), dilation = _size_args(n, k, stride, padding, dilation)
    result = output_size(n, k, stride=stride, padding=padding, dilation=dilation)
    pad = f"2·{before}" if before == after else f"{before} + {after}"
    kern = f"{k}" if dilation == 1 else f"{dilation}·({k}\u2212{1}) \u2212 1"
    return f"\u230a({n} + {pad} \u2212 {kern})/{stride}\u230b + 1 = {_fmt(result)}"


def unvisited(n, k, *, stride=1, padding=0, dilation=1) -> list[int]:
    """Input positions (0-based, along one axis) that no kernel cell ever reads.

    A stride that does not divide ``n + 2p - span`` leaves the last rows or columns out: this is the floor
    in the output-size formula, made visible. With dilation, the rows a window skips between its taps
    are not read either, unless another window's taps land on them. Changing a pixel in an unvisited
    row or column never changes the feature map.

    Examples
    --------
    >>> unvisited(6, 3, stride=2)   # windows start at 0 and 2: row 5 is never seen
    [5]
    >>> unvisited(5, 3, stride=2)
    []
    >>> unvisited(5, 2, dilation=3)  # taps at rows 0, 3 and 1, 4: row 2 falls between them
    [2]
    """
    n, k, stride, (before, after), dilation = _size_args(n, k, stride, padding, dilation)
    out = output_size(n, k, stride=stride, padding=padding, dilation=dilation)
    taps = dilation * np.arange(k)
    seen = np.zeros(n + before + after, dtype=bool)
    for start in range(0, stride * out, stride):
        seen[start + taps] = True
    return [int(i) - before for i in np.flatnonzero(~seen) if before <= i < before + n]
