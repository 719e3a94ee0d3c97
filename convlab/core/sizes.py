"""Sizes in one place (numpy only): the window's span, the output size, shape and formula, the rows a
stride never reaches, and the one "does not fit" message used by ``conv2d``, the Explorer and the exercises.
"""

from __future__ import annotations

import math

import numpy as np

from .._shared import validate as v
from .._shared.format import minus
from . import limits

__all__ = ["span_of", "does_not_fit", "check_fits", "output_size", "output_shape", "output_size_formula", "unvisited",
           "transpose_output_size", "transpose_output_size_formula", "pool_output_size", "pool_output_size_formula", "keras_same_padding"]


def span_of(kernel_hw, dilation) -> tuple[int, int]:
    """How many input rows and columns one (dilated) window covers: ``d·(k−1) + 1`` per axis.

    >>> span_of((3, 3), (1, 1)), span_of((3, 2), (2, 3))
    ((3, 3), (5, 4))
    """
    kernel_hw = v.positive_pair(kernel_hw, "kernel_hw")
    dilation = v.positive_pair(dilation, "dilation")
    return tuple(int(d) * (int(k) - 1) + 1 for k, d in zip(kernel_hw, dilation))

def _window_fits(span, padded_hw) -> bool:
    """The fit rule itself, on checked numbers: a window spanning ``span`` fits in ``padded_hw``."""
    return span[0] <= padded_hw[0] and span[1] <= padded_hw[1]


def does_not_fit(image_hw, kernel_hw, dilation, pads) -> str:
    """The one "does not fit" message ('' when the window fits): ``conv2d``, the Explorer and the exercises use it.

    It names the kernel and the padded input, then says what would fit: the smallest padding (per axis
    when the axes differ) and the largest filter size at the padding given.

    >>> print(does_not_fit((5, 5), (7, 7), (1, 1), ((0, 0), (0, 0))))
    kernel (7x7) is larger than the padded input (5x5); add padding of at least 1 or use a smaller kernel (a filter size of 5 or less): it does not fit with padding 0
    >>> does_not_fit((5, 5), (3, 3), (1, 1), ((0, 0), (0, 0)))
    ''
    """
    span = span_of(kernel_hw, dilation)
    kernel_hw, dilation = v.positive_pair(kernel_hw, "kernel_hw"), v.positive_pair(dilation, "dilation")
    image_hw = v.positive_pair(image_hw, "image_hw")
    pads = _pads_arg(pads)
    padded_hw = [n + sum(p) for n, p in zip(image_hw, pads)]
    if _window_fits(span, padded_hw):
        return ""
    kh, kw = kernel_hw
    what = f"kernel ({kh}x{kw})"
    if tuple(dilation) != (1, 1):
        what = f"kernel ({kh}x{kw}, dilation {dilation[0]}x{dilation[1]}, spanning {span[0]}x{span[1]})"
    # the smallest padding p (the same on every side) with image + 2p >= span, axis by axis
    need = [max(0, (s - n + 1) // 2) for s, n in zip(span, image_hw)]
    fix = f"{need[0]}" if need[0] == need[1] else f"{max(need)} (or the pair ({need[0]}, {need[1]}))"
    fits = min((p - 1) // d + 1 for p, d in zip(padded_hw, dilation))  # the largest filter at this padding
    smaller = f"a filter size of {fits} or less" + (", or less dilation" if tuple(dilation) != (1, 1) else "")
    now = max(max(pads[0]), max(pads[1]))
    return (f"{what} is larger than the padded input ({padded_hw[0]}x{padded_hw[1]}); add padding of at least "
            f"{fix} or use a smaller kernel ({smaller}): it does not fit with padding {now}")


def _pads_arg(pads) -> tuple[tuple[int, int], tuple[int, int]]:
    """``((top, bottom), (left, right))``: non-negative whole numbers."""
    hint = "pads must be ((top, bottom), (left, right)), non-negative integers"
    if not isinstance(pads, (tuple, list)) or len(pads) != 2 or not all(isinstance(p, (tuple, list)) for p in pads):
        raise ValueError(f"{hint}; got {v.short(pads)}")
    return tuple(v.non_negative_pair(tuple(p), "pads") for p in pads)


def check_fits(image_hw, kernel_hw, dilation, pads) -> None:
    """Raise the :func:`does_not_fit` message as a ValueError when the (dilated) kernel does not fit."""
    message = does_not_fit(image_hw, kernel_hw, dilation, pads)
    if message:
        raise ValueError(message)


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
    check_fits((n, n), (k, k), (dilation, dilation), ((before, after), (before, after)))
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
    check_fits(image_shape[:2], kernel_shape[:2], dilation, pads)
    return tuple((n - s) // st + 1 for n, s, st in zip(padded_hw, span, stride))


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
    return f"\u230a({n} + {pad} \u2212 {kern})/{stride}\u230b + 1 = {minus(str(result))}"


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



def keras_same_padding(n: int, k: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """The padding (before, after) that Keras/TensorFlow's ``padding='same'`` adds along one axis.

    The output has ⌈n/s⌉ positions; the total padding is what that needs,
    ``max((⌈n/s⌉ − 1)·s + span − n, 0)``, and an odd total puts the extra pixel **after** (bottom/right).
    With a stride this can be uneven even for an odd filter — a classic bug when porting a model between
    Keras and PyTorch (whose integer padding is the same on both sides).

    Examples
    --------
    >>> keras_same_padding(6, 3, stride=2)       # 0 on top, 1 at the bottom
    (0, 1)
    >>> keras_same_padding(5, 3, stride=2)
    (1, 1)
    >>> keras_same_padding(5, 3)
    (1, 1)
    """
    for value, name in ((n, "n"), (k, "k"), (stride, "stride"), (dilation, "dilation")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    span = dilation * (k - 1) + 1
    out = -(-n // stride)
    total = max((out - 1) * stride + span - n, 0)
    return total // 2, total - total // 2


# --------------------------------------------------------------------------------------------------
# transposed convolution and pooling (one axis at a time, like output_size)
# --------------------------------------------------------------------------------------------------

def _one_axis(value, name: str, minimum: int) -> int:
    if isinstance(value, (tuple, list)):
        raise TypeError(f"these helpers work on one axis: {name} must be a single integer; got {value!r}")
    pair = v.positive_pair(value, name) if minimum == 1 else v.non_negative_pair(value, name)
    return pair[0]


def _transpose_args(n, k, stride, padding, output_padding, dilation):
    n, k = v.size_arg(n, "n"), v.size_arg(k, "k")
    stride, dilation = _one_axis(stride, "stride", 1), _one_axis(dilation, "dilation", 1)
    padding = _one_axis(padding, "padding", 0)
    if isinstance(output_padding, (tuple, list)):
        raise TypeError(f"these helpers work on one axis: output_padding must be a single integer; got {output_padding!r}")
    op = v.output_padding_pair(output_padding, (stride, stride), (dilation, dilation))[0]
    out = (n - 1) * stride - 2 * padding + dilation * (k - 1) + op + 1
    v.check_transpose_output((out, out), (n, n), (k, k), (stride, stride), (padding, padding), (op, op),
                             (dilation, dilation))
    return n, k, stride, padding, op, dilation, out


def transpose_output_size(n, k, *, stride=1, padding=0, output_padding=0, dilation=1) -> int:
    """Length of a transposed convolution's output along one axis: ``(n−1)·s − 2p + d·(k−1) + output_padding + 1``.

    Every input pixel places a copy of the kernel ``s`` pixels after the previous one, so the copies cover
    ``(n−1)·s + d·(k−1) + 1`` pixels; ``padding`` crops ``p`` from each end and ``output_padding`` adds
    rows back at the bottom/right. It undoes :func:`output_size`: a convolution with the same settings maps
    this length back to ``n``.

    Parameters
    ----------
    n, k : int
        The input's length and the kernel's, along one axis.
    stride, dilation : int
    padding : int
        Rows cropped from each end (not added, as in a convolution).
    output_padding : int
        Rows added at the end; smaller than the stride or the dilation (PyTorch's rule).

    Raises
    ------
    TypeError, ValueError
        Naming the argument, e.g. when ``padding`` would crop the whole output.

    Examples
    --------
    A 2-pixel input, a 3-tap kernel, stride 2: copies start at 0 and 2 and cover 0..4.

    >>> transpose_output_size(2, 3, stride=2)
    5
    >>> transpose_output_size(2, 3, stride=2, padding=1, output_padding=1)
    4
    >>> output_size(4, 3, stride=2, padding=1)   # the convolution it undoes
    2
    """
    return _transpose_args(n, k, stride, padding, output_padding, dilation)[-1]


def transpose_output_size_formula(n, k, *, stride=1, padding=0, output_padding=0, dilation=1) -> str:
    """The transposed convolution's output-size formula written out with these numbers.

    Examples
    --------
    >>> print(transpose_output_size_formula(3, 3, stride=2))
    (3−1)·2 − 2·0 + (3−1) + 1 = 7
    >>> print(transpose_output_size_formula(3, 3, stride=2, padding=1, output_padding=1, dilation=2))
    (3−1)·2 − 2·1 + 2·(3−1) + 1 + 1 = 8
    """
    n, k, stride, padding, op, dilation, out = _transpose_args(n, k, stride, padding, output_padding, dilation)
    kern = f"({k}\u22121)" if dilation == 1 else f"{dilation}·({k}\u22121)"
    extra = f" + {op}" if op else ""
    return f"({n}\u22121)·{stride} \u2212 2·{padding} + {kern}{extra} + 1 = {minus(str(out))}"


def _pool_args(n, size, stride, padding):
    n, size = v.size_arg(n, "n"), _one_axis(size, "size", 1)
    stride = size if stride is None else _one_axis(stride, "stride", 1)
    padding = v.pool_padding_pair(_one_axis(padding, "padding", 0), (size, size))[0]
    v.check_pool_fits((size, size), (n + 2 * padding, n + 2 * padding), ((padding, padding), (padding, padding)))
    return n, size, stride, padding, (n + 2 * padding - size) // stride + 1


def pool_output_size(n, size, *, stride=None, padding=0) -> int:
    """Length of a pooling output along one axis: ``⌊(n + 2p − size)/s⌋ + 1``, with ``s = size`` by default.

    The convolution formula with a window of ``size`` pixels and no dilation. ``padding`` is at most
    ``size // 2`` (PyTorch's rule), so every window holds at least one real pixel.

    Parameters
    ----------
    n : int
        Input length (rows or columns).
    size : int
        Window length along the same axis.
    stride : int, optional
        By default ``size``: windows side by side.
    padding : int, default 0

    Raises
    ------
    TypeError, ValueError
        Naming the argument, e.g. for padding over ``size // 2`` or a window longer than the padded input.

    Examples
    --------
    >>> pool_output_size(4, 2)          # 2x2 pooling halves a 4-pixel side
    2
    >>> pool_output_size(5, 2)          # the floor: the last row is left out
    2
    >>> pool_output_size(5, 3, stride=1, padding=1)
    5
    """
    return _pool_args(n, size, stride, padding)[-1]


def pool_output_size_formula(n, size, *, stride=None, padding=0) -> str:
    """The pooling output-size formula written out with these numbers.

    Examples
    --------
    >>> print(pool_output_size_formula(5, 2))
    ⌊(5 + 2·0 − 2)/2⌋ + 1 = 2
    """
    n, size, stride, padding, out = _pool_args(n, size, stride, padding)
    return f"\u230a({n} + 2·{padding} \u2212 {size})/{stride}\u230b + 1 = {minus(str(out))}"
