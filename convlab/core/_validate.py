"""Every argument check of the compute layer, in one place.

Each checker either returns a clean value (a float64 array, an ``(rows, cols)`` pair, ...) or raises a
``TypeError``/``ValueError`` whose message names the parameter, shows the value received and, where it
helps, says what would fit. They run *before* any work is done, so a learner never sees an
``IndexError`` or a numpy broadcasting error from deep inside the engine.
"""

from __future__ import annotations

import numbers
import re

import numpy as np

PADDING_NAMES = ("valid", "same", "full")
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_NUMPY_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def read_number(token: str) -> float | None:
    """The number a learner typed in ``token`` (no spaces), or None if it is not one. Never calls ``eval``.

    Whole numbers, decimals (``0.5``, ``.5``, ``1e-3``) and fractions (``1/9``) are read; the caller
    replaces Unicode minus signs first. The result may be infinite (``1e999``): callers say what they
    accept. One reader for both the kernels typed in lesson 05 and the quiz answers.

    >>> read_number("1/9") == 1 / 9, read_number("-2.5"), read_number("x") is None, read_number("1/0") is None
    (True, -2.5, True, True)
    """
    if _NUMBER.match(token):
        return float(token)
    if token.count("/") == 1:
        a, b = token.split("/")
        if _NUMBER.match(a) and _NUMBER.match(b) and float(b) != 0:
            return float(a) / float(b)
    return None


def _short(value, limit: int = 60) -> str:
    """repr() of ``value``, cut to ``limit`` characters so messages stay readable."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def as_array(value, name: str, *, ndims: tuple[int, ...], shape_hint: str) -> np.ndarray:
    """Convert ``value`` to a finite float64 array with one of ``ndims`` dimensions.

    Raises TypeError for strings, objects, complex numbers and other non-numbers; ValueError for
    ragged nesting, empty arrays, the wrong number of dimensions and NaN/infinity.
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers {shape_hint}; got a string {_short(value)}")
    if value is None:
        raise TypeError(f"{name} must be an array of numbers {shape_hint}; got None")
    try:
        arr = np.asarray(value)
    except ValueError:  # numpy >= 1.24 refuses ragged nesting
        raise ValueError(
            f"{name} must be a rectangular grid of numbers {shape_hint}; got rows of different "
            f"lengths: {_short(value)}"
        ) from None
    if arr.dtype == object:
        raise TypeError(
            f"{name} must contain only numbers {shape_hint}; got {_short(value)} (rows of different "
            "lengths or values that are not numbers)"
        )
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must contain real numbers; got dtype {arr.dtype} in {_short(value)}")
    if arr.ndim not in ndims:
        raise ValueError(f"{name} must be {shape_hint}; got a {arr.ndim}-D array of shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: it must have at least one value in each axis; got shape {arr.shape}")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(
            f"{name} must contain only finite numbers; got {arr[where]} at index {where}"
        )
    return arr


def as_image(image) -> np.ndarray:
    return as_array(image, "image", ndims=(2, 3), shape_hint="(H, W) grayscale or (H, W, C) channels-last")


def as_kernel(kernel, image: np.ndarray) -> np.ndarray:
    """Kernel as float64, with its channels checked against the image's."""
    if image.ndim == 2:
        k = as_array(kernel, "kernel", ndims=(2,), shape_hint="(kh, kw) for a grayscale (H, W) image")
    else:
        c = image.shape[2]
        k = as_array(kernel, "kernel", ndims=(2, 3), shape_hint=f"(kh, kw, {c}) for an (H, W, {c}) image")
        if k.ndim == 2:
            raise ValueError(
                f"kernel must have one slice per image channel: shape (kh, kw, {c}) for an image of shape "
                f"{image.shape}; got a 2-D kernel of shape {k.shape} (use np.dstack([kernel] * {c}) to apply "
                "it to every channel)"
            )
        if k.shape[2] != c:
            raise ValueError(
                f"kernel has {k.shape[2]} channels but the image has {c}: kernel shape must be "
                f"(kh, kw, {c}); got {k.shape}"
            )
    return k


def as_kernel_stack(kernels, image: np.ndarray) -> np.ndarray:
    """A stack of kernels ``(N, kh, kw[, C])`` as float64, channels checked against the image's."""
    want = 3 if image.ndim == 2 else 4
    hint = "(N, kh, kw)" if image.ndim == 2 else f"(N, kh, kw, {image.shape[2]})"
    ks = as_array(kernels, "kernels", ndims=(2, 3, 4), shape_hint=f"a stack {hint}")
    if ks.ndim == 3 and want == 4 and ks.shape[2] != image.shape[2]:
        raise ValueError(
            f"kernels must be a stack of shape {hint} for an image of shape {image.shape}; got a stack of "
            f"2-D kernels of shape {ks.shape} (give each kernel one slice per channel)"
        )
    if ks.ndim == want - 1:
        raise ValueError(
            f"kernels must be a stack of shape {hint}; got a single kernel of shape {ks.shape} "
            "(wrap it in a list, [kernel], or use conv2d)"
        )
    if ks.ndim != want:
        raise ValueError(f"kernels must be a stack of shape {hint} for an image of shape {image.shape}; got shape {ks.shape}")
    if image.ndim == 3 and ks.shape[3] != image.shape[2]:
        raise ValueError(
            f"kernels have {ks.shape[3]} channels but the image has {image.shape[2]}: shape must be "
            f"{hint}; got {ks.shape}"
        )
    return ks


def _scalar(value):
    """A 0-d numpy array (e.g. ``np.array(2)``) stands for the number it holds."""
    return value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value


def positive_pair(value, name: str) -> tuple[int, int]:
    """``stride`` / ``dilation``: a positive int or a ``(rows, cols)`` pair of them."""
    hint = f"{name} must be a positive integer or a (rows, cols) pair of positive integers"
    return _int_pair(_scalar(value), hint, minimum=1)


def _int_pair(value, hint: str, *, minimum: int) -> tuple[int, int]:
    """One integer (used for both axes) or a ``(rows, cols)`` pair of them, each at least ``minimum``."""
    if isinstance(value, (tuple, list, np.ndarray)):
        items = list(np.asarray(value, dtype=object).ravel()) if isinstance(value, np.ndarray) else list(value)
        if len(items) != 2:
            raise ValueError(f"{hint}; got {_short(value)} with {len(items)} entries")
    else:
        items = [value, value]
    for item in items:
        if not _is_int(item):
            raise TypeError(f"{hint}; got {_short(value)}")
        if item < minimum:
            raise ValueError(f"{hint}; got {_short(value)}")
    return int(items[0]), int(items[1])


def check_flip(flip) -> bool:
    if not isinstance(flip, (bool, np.bool_)):
        raise TypeError(f"flip must be True (convolution) or False (cross-correlation); got {_short(flip)}")
    return bool(flip)


def check_padding_mode(padding_mode) -> str:
    if not isinstance(padding_mode, str) or padding_mode not in PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {', '.join(map(repr, PADDING_MODES))}; got {_short(padding_mode)}")
    return padding_mode


def padding_amounts(padding, span: tuple[int, int], stride: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """Resolve ``padding`` to ``((top, bottom), (left, right))``.

    ``span`` is the extent of the (dilated) kernel per axis, ``d * (k - 1) + 1``.
    """
    hint = 'padding must be a non-negative integer, a (rows, cols) pair of them, or "valid", "same" or "full"'
    padding = _scalar(padding)
    if isinstance(padding, str):
        if padding not in PADDING_NAMES:
            raise ValueError(f"{hint}; got {_short(padding)}")
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "full":
            return (span[0] - 1, span[0] - 1), (span[1] - 1, span[1] - 1)
        if stride != (1, 1):
            raise ValueError(
                f'padding="same" keeps the output the size of the input, which needs stride 1; got stride={stride}. '
                "Give the padding as a number instead"
            )
        amounts = []
        for s in span:  # total padding s - 1; an odd total puts the extra row/column at the bottom/right
            total = s - 1
            amounts.append((total // 2, total - total // 2))
        return amounts[0], amounts[1]
    rows, cols = _int_pair(padding, hint, minimum=0)
    return (rows, rows), (cols, cols)


def check_mode_fits(mode: str, pads, image_hw: tuple[int, int]) -> None:
    """reflect/circular padding can only borrow as many rows/columns as the image has."""
    for (before, after), n, axis in zip(pads, image_hw, ("rows", "columns")):
        largest = max(before, after)
        if mode == "reflect" and largest >= n:
            raise ValueError(
                f'padding_mode="reflect" needs padding smaller than the image: {largest} {axis} of padding '
                f"on an image with {n} {axis}; use at most {n - 1} or another padding_mode"
            )
        if mode == "circular" and largest > n:
            raise ValueError(
                f'padding_mode="circular" needs padding no larger than the image: {largest} {axis} of padding '
                f"on an image with {n} {axis}; use at most {n} or another padding_mode"
            )


def size_arg(value, name: str) -> int:
    if not _is_int(value):
        raise TypeError(f"{name} must be a positive integer; got {_short(value)}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer; got {_short(value)}")
    return int(value)


def index_arg(value, name: str) -> int:
    """A 0-based position (a window index): a non-negative integer."""
    value = _scalar(value)
    if not _is_int(value):
        raise TypeError(f"{name} must be a non-negative integer (0 is the first window); got {_short(value)}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer (0 is the first window); got {_short(value)}")
    return int(value)


def positive_number(value, name: str) -> float:
    """A finite number greater than 0 (a width, a frame rate)."""
    value = _scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number; got {_short(value)}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number; got {_short(value)}")
    return float(value)


DPI_RANGE = (20, 400)


def dpi_arg(value, name: str = "dpi") -> int:
    """Figure resolution in dots per inch: a whole number from 20 to 400 (beyond that a figure is blank or huge)."""
    value = _scalar(value)
    lo, hi = DPI_RANGE
    if not _is_int(value):
        raise TypeError(f"{name} must be a whole number from {lo} to {hi}; got {_short(value)}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be a whole number from {lo} to {hi}; got {_short(value)}")
    return int(value)


def shape_arg(value, name: str, ndims: tuple[int, ...]) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)) or len(value) not in ndims:
        want = " or ".join(f"{n} entries" for n in ndims)
        raise ValueError(f"{name} must be a tuple with {want}; got {_short(value)}")
    return tuple(size_arg(v, name) for v in value)


def check_bool(value, name: str, meaning: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False ({meaning}); got {_short(value)}")
    return bool(value)


def seed_arg(value, name: str = "seed") -> int:
    if not _is_int(value):
        raise TypeError(f"{name} must be a non-negative integer; got {_short(value)}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer; got {_short(value)}")
    return int(value)


# --------------------------------------------------------------------------------------------------
# transposed convolution, pooling and ReLU (convlab.core.ops)
# --------------------------------------------------------------------------------------------------

def as_numbers(value, name: str) -> np.ndarray:
    """Any-dimensional array of finite real numbers as float64 (ReLU takes a number, a map or a stack)."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a number or an array of numbers; got {_short(value)}")
    try:
        arr = np.asarray(value)
    except ValueError:  # numpy >= 1.24 refuses ragged nesting
        raise ValueError(f"{name} must be a rectangular array of numbers; got rows of different lengths: "
                         f"{_short(value)}") from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must contain only real numbers; got dtype {arr.dtype} in {_short(value)}")
    arr = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must contain only finite numbers; got {arr[where]} at index {where}")
    return arr


def non_negative_pair(value, name: str) -> tuple[int, int]:
    """A non-negative int or a ``(rows, cols)`` pair of them (no names such as "same")."""
    hint = f"{name} must be a non-negative integer or a (rows, cols) pair of non-negative integers"
    return _int_pair(_scalar(value), hint, minimum=0)


def output_padding_pair(value, stride: tuple[int, int], dilation: tuple[int, int]) -> tuple[int, int]:
    """``output_padding`` of a transposed convolution: each axis smaller than its stride or its dilation.

    PyTorch's rule: the extra rows only choose among the input sizes that a strided convolution maps to
    the same output size, so there are at most ``max(stride, dilation) - 1`` of them.
    """
    op = non_negative_pair(value, "output_padding")
    for extra, s, d, axis in zip(op, stride, dilation, ("rows", "columns")):
        if extra >= max(s, d):
            raise ValueError(
                f"output_padding must be smaller than the stride or the dilation: {extra} extra {axis} with "
                f"stride {s} and dilation {d}; use at most {max(s, d) - 1}; got output_padding={_short(value)}"
            )
    return op


def check_transpose_output(out_hw, image_hw, kernel_hw, stride, padding, output_padding, dilation) -> None:
    """A transposed convolution whose cropping (``padding``) eats the whole output is refused."""
    for out, n, k, s, p, op, d, axis in zip(out_hw, image_hw, kernel_hw, stride, padding, output_padding,
                                             dilation, ("rows", "columns")):
        if out < 1:
            full = (n - 1) * s + d * (k - 1) + 1
            raise ValueError(
                f"padding={p} crops {2 * p} {axis} from a transposed-convolution output of {full + op} {axis}, "
                f"leaving {out}: the output size (n−1)·s − 2p + d·(k−1) + output_padding + 1 must be at least 1; "
                f"use padding at most {(full + op - 1) // 2}"
            )


def pool_padding_pair(value, size: tuple[int, int]) -> tuple[int, int]:
    """Pooling padding: at most half the window per axis (PyTorch's rule), so every window holds a real pixel."""
    pads = non_negative_pair(value, "padding")
    for p, k, axis in zip(pads, size, ("rows", "columns")):
        if p > k // 2:
            raise ValueError(
                f"padding must be at most half the pooling size: {p} {axis} of padding with size {k} "
                f"(at most {k // 2}); got padding={_short(value)}"
            )
    return pads


def check_pool_fits(size: tuple[int, int], padded_hw: tuple[int, int], pads) -> None:
    """The pooling window must fit inside the padded input."""
    if size[0] <= padded_hw[0] and size[1] <= padded_hw[1]:
        return
    raise ValueError(
        f"size ({size[0]}x{size[1]}) is larger than the padded input ({padded_hw[0]}x{padded_hw[1]}, "
        f"padding {pads[0]}x{pads[1]}); use a smaller pooling size"
    )
