"""Sizes in one place (numpy only): the window's span, the output size, shape and formula, the rows a
stride never reaches, and the one "does not fit" message used by ``conv2d``, the Explorer and the exercises.
"""

from __future__ import annotations

import math

import numpy as np

from . import _validate as v
from . import limits

__all__ = ["span_of", "output_size", "output_shape", "output_size_formula", "unvisited"]


def span_of(kernel_hw, dilation) -> tuple[int, int]:
    """How many input rows and columns one (dilated) window covers: ``d·(k−1) + 1`` per axis.

    >>> span_of((3, 3), (1, 1)), span_of((3, 2), (2, 3))
    ((3, 3), (5, 4))
    """
    kernel_hw = v.positive_pair(kernel_hw, "kernel_hw")
    dilation = v.positive_pair(dilation, "dilation")
    return tuple(int(d) * (int(k) - 1) + 1 for k, d in zip(kernel_hw, dilation))

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
    if len(image_shape) == 3 and len(kernel_shape) == 2:  # what conv2d refuses, refused here too
        c = image_shape[2]
        raise ValueError(f"kernel_shape must have one slice per image channel: (kh, kw, {c}) for an image of "
                         f"shape {image_shape}; got {kernel_shape}")
    if len(image_shape) == 2 and len(kernel_shape) == 3:
        raise ValueError(f"kernel_shape must be (kh, kw) for a grayscale image_shape {image_shape}; "
                         f"got {kernel_shape}")
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
    v.check_at_most(n, limits.MAX_AXIS_LENGTH, "n")
    out = output_size(n, k, stride=stride, padding=padding, dilation=dilation)
    # Position x (in the padded input) is read when x = stride·w + dilation·t for a window w < out and a
    # tap t < k. Arithmetic for every x at once, no loop over windows: t must satisfy
    # dilation·t ≡ x (mod stride), which needs g = gcd(dilation, stride) to divide x, and then
    # t ≡ t0 (mod m = stride/g); x is read when the first such t at or above the lowest allowed tap
    # is not above the highest allowed tap.
    g = math.gcd(dilation, stride)
    m = stride // g
    inverse = pow(dilation // g, -1, m) if m > 1 else 0
    x = np.arange(before, before + n, dtype=np.int64)
    lo = np.maximum(0, -((stride * (out - 1) - x) // dilation))  # ceil((x - stride·(out−1)) / dilation)
    hi = np.minimum(k - 1, x // dilation)
    t0 = ((x // g) * inverse) % m
    seen = (x % g == 0) & (lo + (t0 - lo) % m <= hi)
    return (np.flatnonzero(~seen)).tolist()
