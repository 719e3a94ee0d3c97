"""Every argument check of the compute layer, in one place.

Each checker either returns a clean value (a float64 array, an ``(rows, cols)`` pair, ...) or raises a
``TypeError``/``ValueError`` whose message names the parameter, shows the value received and, where it
helps, says what would fit. They run *before* any work is done, so a learner never sees an
``IndexError`` or a numpy broadcasting error from deep inside the engine.
"""

from __future__ import annotations

import math
import numbers
import re

import numpy as np

from ..core import limits

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
    """repr() of ``value``, cut to ``limit`` characters so messages stay readable; a huge integer by its size.

    >>> _short(10**400)
    'a 401-digit integer'
    """
    if _is_int(value) and abs(int(value)) >= 10**15:
        return f"a {_digits(int(value))}-digit integer"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a repr that fails must not hide the real message
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _digits(n: int) -> int:
    """Decimal digits of ``abs(n)`` without str(), which refuses integers of more than 4300 digits."""
    n = abs(n)
    guess = max(1, int(n.bit_length() * 0.30102999566398120))
    return guess + 1 if n >= 10**guess else guess


def _is_int(value) -> bool:
    kind = type(value)
    if kind is int:  # the common case first: the ABC check below costs about a microsecond a call
        return True
    return kind is not bool and isinstance(value, numbers.Integral) and not isinstance(value, np.bool_)


def as_array(value, name: str, *, ndims: tuple[int, ...], shape_hint: str,
             max_values: int | None = limits.MAX_IMAGE_PIXELS, allow_empty: bool = False) -> np.ndarray:
    """Convert ``value`` to a finite float64 array with one of ``ndims`` dimensions.

    Raises TypeError for strings, objects, complex numbers and other non-numbers; ValueError for
    ragged nesting, empty arrays, the wrong number of dimensions, NaN/infinity and more than
    ``max_values`` values (checked on the shape, before the float64 copy is made).
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers {shape_hint}; got a string {_short(value)}")
    if value is None:
        raise TypeError(f"{name} must be an array of numbers {shape_hint}; got None")
    value = _unmasked(value, name)
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
    value_kind = arr.dtype.kind
    if value_kind not in "biuf":
        raise TypeError(f"{name} must contain real numbers; got dtype {arr.dtype} in {_short(value)}")
    if arr.ndim not in ndims:
        raise ValueError(f"{name} must be {shape_hint}; got a {arr.ndim}-D array of shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty: it must have at least one value in each axis; got shape {arr.shape}")
    if max_values is not None and arr.size > max_values:
        check_image_values(arr.shape, name)
    with np.errstate(over="ignore"):  # a longdouble 1e400 becomes inf here: refused just below, in words
        arr = arr.astype(np.float64, copy=False)
    if value_kind not in "biu":  # whole numbers are always finite
        check_finite_numbers(arr, name)
    return arr


class MissingFileError(FileNotFoundError, ValueError):
    """A file argument that names no file: a ``FileNotFoundError``, and a ``ValueError`` like every bad argument."""


def _unmasked(value, name: str):
    """A masked array's data when nothing is masked; a masked value is refused (numpy would drop the mask)."""
    if isinstance(value, np.ma.MaskedArray):
        if np.ma.count_masked(value):
            raise TypeError(f"{name} is a masked array with {np.ma.count_masked(value):,} masked values; convlab "
                            f"computes on every value: fill them first, e.g. {name}.filled(0)")
        return np.ma.getdata(value)
    return value


def own_copy(arr: np.ndarray) -> np.ndarray:
    """A read-only copy of ``arr``: what a walk or a widget keeps, so the caller's later edits cannot leak in."""
    out = np.array(arr, dtype=np.float64, copy=True)
    out.flags.writeable = False
    return out


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


def _int_pair(value, hint: str, *, minimum: int, maximum: int | None = limits.MAX_INTEGER) -> tuple[int, int]:
    """One integer (used for both axes) or a ``(rows, cols)`` pair of them, each at least ``minimum``."""
    if type(value) is tuple and len(value) == 2 and type(value[0]) is int and type(value[1]) is int:
        a, b = value  # the engine passes back pairs it already checked: decided without the general path
        if minimum <= a and minimum <= b and (maximum is None or (a <= maximum and b <= maximum)):
            return value
    if isinstance(value, (tuple, list, np.ndarray)):
        if np.size(value) != 2 if isinstance(value, np.ndarray) else len(value) != 2:  # before any copy
            raise ValueError(f"{hint}; got {_short(value)} with {np.size(value) if isinstance(value, np.ndarray) else len(value)} entries")
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
        if maximum is not None and item > maximum:
            raise ValueError(f"{hint}, each at most {maximum:,}; got {_short(value)}")
    return int(items[0]), int(items[1])


def check_flip(flip) -> bool:
    if not isinstance(flip, (bool, np.bool_)):
        raise TypeError(f"flip must be True (convolution) or False (cross-correlation); got {_short(flip)}")
    return bool(flip)


def one_of(value, name: str, options, what: str = "") -> str:
    """A name chosen from ``options`` (strings): a TypeError for anything but a string (an array is never
    compared element by element), a ValueError for a string that is not offered.

    >>> one_of("sum", "phase", ("place", "sum"))
    'sum'
    >>> one_of(["sum"], "phase", ("place", "sum"))
    Traceback (most recent call last):
    ...
    TypeError: phase must be one of 'place', 'sum'; got ['sum']
    """
    listing = ", ".join(map(repr, options))
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {listing}{what}; got {_short(value)}")
    if value not in options:
        raise ValueError(f"{name} must be one of {listing}{what}; got {_short(value)}")
    return value


def check_padding_mode(padding_mode) -> str:
    return one_of(padding_mode, "padding_mode", PADDING_MODES)


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
            pads = (span[0] - 1, span[0] - 1), (span[1] - 1, span[1] - 1)
            check_padding_limit(pads)
            return pads
        if stride != (1, 1):
            raise ValueError(
                f'padding="same" keeps the output the size of the input, which needs stride 1; got stride={stride}. '
                "Give the padding as a number instead"
            )
        amounts = []
        for s in span:  # total padding s - 1; an odd total puts the extra row/column at the bottom/right
            total = s - 1
            amounts.append((total // 2, total - total // 2))
        check_padding_limit(amounts)
        return amounts[0], amounts[1]
    rows, cols = _int_pair(padding, hint, minimum=0, maximum=None)  # MAX_PADDING below says it better
    check_padding_limit(((rows, rows), (cols, cols)))
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


# ------------------------------------------------------------------ limits (see convlab.core.limits)


def short(value, limit: int = 60) -> str:
    """repr() of ``value`` cut to ``limit`` characters: for messages in every layer."""
    return _short(value, limit)


def scalar(value):
    """A 0-d numpy array stands for the number it holds; anything else is returned as it is."""
    return _scalar(value)


def is_int(value) -> bool:
    """True for an integer (Python or numpy), False for bools and everything else."""
    return _is_int(value)


def _fmt_count(n) -> str:
    if isinstance(n, int):
        return f"{n:,}" if abs(n) < 10**15 else _short(n)
    return f"{n:g}"


def check_at_most(value, limit, name: str, what: str = "") -> None:
    """Raise ``ValueError`` when ``value`` exceeds ``limit``, naming ``name``, the value and the limit.

    >>> check_at_most(5, 10, "padding")
    >>> check_at_most(10**4, 1000, "padding", " pixels per side")
    Traceback (most recent call last):
    ...
    ValueError: padding must be at most 1,000 pixels per side; got 10,000
    """
    if value > limit:
        raise ValueError(f"{name} must be at most {_fmt_count(limit)}{what}; got {_fmt_count(value)}")


def real_number(value, name: str, *, minimum=None, maximum=None, inclusive_min: bool = True) -> float:
    """A finite real number (not a bool) in ``[minimum, maximum]``; TypeError/ValueError naming ``name``.

    >>> real_number(0.5, "learning_rate", minimum=0, inclusive_min=False)
    0.5
    >>> real_number(0, "fps", minimum=0.1)
    Traceback (most recent call last):
    ...
    ValueError: fps must be at least 0.1; got 0
    """
    value = _scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {_short(value)}")
    try:
        finite = np.isfinite(float(value))
    except OverflowError:  # an integer beyond float64
        finite = False
    if not finite:
        raise ValueError(f"{name} must be a finite number; got {_short(value)}")
    if minimum is not None:
        if inclusive_min and value < minimum:
            raise ValueError(f"{name} must be at least {minimum:g}; got {_short(value)}")
        if not inclusive_min and value <= minimum:
            what = "a positive number" if minimum == 0 else f"greater than {minimum:g}"
            raise ValueError(f"{name} must be {what}; got {_short(value)}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:g}; got {_short(value)}")
    return float(value)


def check_padding_limit(pads) -> None:
    """Each side's padding at most :data:`~convlab.core.limits.MAX_PADDING` (checked before ``np.pad``)."""
    largest = max(max(p) for p in pads)
    if largest > limits.MAX_PADDING:
        raise ValueError(f"padding must be at most {limits.MAX_PADDING:,} pixels per side; got {_fmt_count(largest)} "
                         "(padding this large would only add empty space around the image)")


def check_image_values(shape, name: str = "image", pads=((0, 0), (0, 0))) -> None:
    """Values of the input after padding (rows x columns x channels) at most ``MAX_IMAGE_PIXELS``.

    Call it on the *shape* before any copy or conversion is made.

    >>> check_image_values((20000, 20000))
    Traceback (most recent call last):
    ...
    ValueError: image is too large: 20000x20000 = 400,000,000 values; the limit is 16,777,216 (e.g. 4096x4096): downscale it first
    """
    rows = int(shape[0]) + sum(pads[0])
    cols = int(shape[1]) + sum(pads[1]) if len(shape) > 1 else 1
    channels = int(np.prod(shape[2:], dtype=object)) if len(shape) > 2 else 1
    total = rows * cols * channels
    if total > limits.MAX_IMAGE_PIXELS:
        dims = "x".join(str(d) for d in (rows, cols) + tuple(shape[2:]))
        after = " after padding" if any(sum(p) for p in pads) else ""
        raise ValueError(f"{name} is too large{after}: {dims} = {total:,} values; the limit is "
                         f"{limits.MAX_IMAGE_PIXELS:,} (e.g. 4096x4096): "
                         + ("use less padding or a smaller image" if after else "downscale it first"))


METHODS = ("auto", "direct", "fft")


def check_method(method) -> str:
    """``method`` of ``conv2d``/``feature_maps``: "auto", "direct" or "fft"."""
    return one_of(method, "method", METHODS)


def check_work(windows: int, kernel_values: int, kernels: int = 1, *, fft_work: int | None = None) -> None:
    """Multiply-adds of one call (windows x kernel values x kernels) at most ``MAX_MULTIPLY_ADDS``.

    ``fft_work``: the FFT path's work for the same call; when it fits, the message suggests it.
    """
    work = int(windows) * int(kernel_values) * int(kernels)
    if work > limits.MAX_MULTIPLY_ADDS:
        fix = "use a smaller kernel, a smaller image or a larger stride"
        if fft_work is not None and fft_work <= limits.MAX_MULTIPLY_ADDS:
            fix = f'use method="fft" (about {int(fft_work):,} operations) or method="auto", or {fix[4:]}'
        raise ValueError(f"kernel and image are too large together: {int(windows):,} windows x "
                         f"{int(kernel_values) * int(kernels):,} kernel values = {work:,} multiply-adds; the limit "
                         f"is {limits.MAX_MULTIPLY_ADDS:,}: {fix}")


def check_fft_work(work: int, direct_work: int) -> None:
    """The FFT path's work (transforms x points x log2(points)) at most ``MAX_MULTIPLY_ADDS``."""
    if work > limits.MAX_MULTIPLY_ADDS:
        raise ValueError(f"kernel and image are too large together: the FFT path needs about {int(work):,} "
                         f"operations (the direct path {int(direct_work):,} multiply-adds); the limit is "
                         f"{limits.MAX_MULTIPLY_ADDS:,}: use fewer kernels, a smaller image or a larger stride")


def check_output_values(shape, what: str, fix: str) -> None:
    """An array a call would allocate (``shape``: rows, columns, ...) at most ``MAX_IMAGE_PIXELS`` values.

    >>> check_output_values((40001, 40001), "the output", "use a smaller stride")
    Traceback (most recent call last):
    ...
    ValueError: the output would be 40001x40001 = 1,600,080,001 values; the limit is 16,777,216 (e.g. 4096x4096): use a smaller stride
    """
    total = int(np.prod([int(n) for n in shape], dtype=object))
    if total > limits.MAX_IMAGE_PIXELS:
        dims = "x".join(str(int(n)) for n in shape)
        raise ValueError(f"{what} would be {dims} = {total:,} values; the limit is {limits.MAX_IMAGE_PIXELS:,} "
                         f"(e.g. 4096x4096): {fix}")


def channel_names_arg(names, channels: int, name: str = "channel_names", what: str = "channels",
                      at_least: bool = False) -> list[str] | None:
    """``channel_names`` of an ``arithmetic()`` text (or the names of a figure's panels): None, or one string
    per channel (``at_least``: one for each of the first ``channels``, more are ignored)."""
    if names is None:
        return None
    if isinstance(names, str) or not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"{name} must be a list of strings; got {_short(names)}")
    if len(names) < channels or (len(names) > channels and not at_least):
        raise ValueError(f"{name} must name all {channels} {what}; got {_short(names)}")
    return list(names)


def check_walk_size(windows: int, kernel_values: int) -> None:
    """A walk that keeps every step: at most ``MAX_WINDOWS`` windows and ``MAX_WALK_VALUES`` products.

    For ``compute_walk`` and everything that materialises all steps (the lazy ``iter_steps`` does not
    need it).

    >>> check_walk_size(9, 9)
    >>> check_walk_size(300 * 300, 9)
    Traceback (most recent call last):
    ...
    ValueError: the walk has 90,000 windows; at most 65,536 can be shown step by step: use a smaller image, a larger stride or conv2d
    """
    if windows > limits.MAX_WINDOWS:
        raise ValueError(f"the walk has {int(windows):,} windows; at most {limits.MAX_WINDOWS:,} can be shown step "
                         "by step: use a smaller image, a larger stride or conv2d")
    if windows * kernel_values > limits.MAX_WALK_VALUES:
        raise ValueError(f"the walk has {int(windows):,} windows of {int(kernel_values):,} values each; at most "
                         f"{limits.MAX_WALK_VALUES:,} products can be kept: use a smaller image or kernel")


def check_finite_result(result: np.ndarray, what: str, image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Raise a clear ``ValueError`` when a result overflowed float64 (finite inputs, infinite sums)."""
    if all_finite(result):
        return result
    big_i, big_k = float(np.max(np.abs(image))), float(np.max(np.abs(kernel)))
    raise ValueError(
        f"{what} overflowed: the image's values (up to {big_i:.3g}) times the kernel's (up to {big_k:.3g}) "
        "summed over a window exceed the largest float64 (about 1.8e308); scale image or kernel down"
    )


def all_finite(arr: np.ndarray) -> bool:
    """True when every value of the float array ``arr`` is finite.

    One sum, ``np.einsum("i->", flat)`` (one read of the array, no boolean array): a NaN or an infinity
    makes it non-finite. So does a sum past the largest float64, and only then are the values checked one
    by one. einsum's plain sum, not ``np.add.reduce``'s pairwise one: the sum's rounding does not matter
    here, and on arrays in the cache it is 1.6-1.7x faster (65,536 values: 7.5 us against 12.4 us).
    Not BLAS's ``flat @ flat``: OpenBLAS spreads a long dot product over threads, and on a busy machine
    (a class on one hub) every such call waits for a core; a 40-step training replay took 10.3 s
    instead of 1.0 s with two other processes busy (``benchmarks/README.md``).
    """
    if not arr.flags.c_contiguous:  # a copy for the sum would be 8 bytes a value; the check's mask is 1
        return bool(np.isfinite(arr).all())
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.einsum("i->", arr.reshape(-1))
    return math.isfinite(total) or bool(np.isfinite(arr).all())  # math's: 0.2 us, numpy's on a scalar 0.8


def check_finite_output(result, what: str, inputs, fix: str) -> np.ndarray:
    """Refuse a result that overflowed float64 (finite inputs, infinite sums) in words, as conv2d does.

    ``what`` names the call, ``inputs`` says which values grew too large (a string, or a function that
    makes it, called only for the message: finding the largest input is a pass over it), ``fix`` what would
    help. The check is :func:`all_finite`.

    >>> check_finite_output(np.array([np.inf]), "avg_pool2d", "the image's values (up to 1e+308)", "scale it down")
    Traceback (most recent call last):
    ...
    ValueError: avg_pool2d overflowed: the image's values (up to 1e+308) exceed the largest float64 (about 1.8e308) when added up; scale it down
    """
    if all_finite(result):
        return result
    inputs = inputs() if callable(inputs) else inputs
    raise ValueError(f"{what} overflowed: {inputs} exceed the largest float64 (about 1.8e308) when added up; {fix}")


def largest(arr: np.ndarray) -> str:
    """The largest magnitude in ``arr``, compactly (for overflow messages)."""
    return f"{float(np.max(np.abs(arr))):.3g}"


def dpi_arg(value, name: str = "dpi") -> float:
    """Dots per inch, between ``MIN_DPI`` and ``MAX_DPI``.

    >>> dpi_arg(72)
    72.0
    >>> dpi_arg(0)
    Traceback (most recent call last):
    ...
    ValueError: dpi must be at least 10; got 0
    """
    return real_number(value, name, minimum=limits.MIN_DPI, maximum=limits.MAX_DPI)


def fps_arg(value, name: str = "fps") -> float:
    """Frames per second of a GIF, between ``MIN_FPS`` and ``MAX_FPS``."""
    return real_number(value, name, minimum=limits.MIN_FPS, maximum=limits.MAX_FPS)


def gif_width_arg(value, name: str = "width") -> int:
    """A GIF's width in pixels, a whole number from ``MIN_GIF_WIDTH`` to ``MAX_GIF_WIDTH``.

    >>> gif_width_arg(1280)
    1280
    >>> gif_width_arg(100)
    Traceback (most recent call last):
    ...
    ValueError: width must be at least 200 pixels; got 100
    """
    value = size_arg(_scalar(value), name)
    if value < limits.MIN_GIF_WIDTH:
        raise ValueError(f"{name} must be at least {limits.MIN_GIF_WIDTH} pixels; got {value}")
    if value > limits.MAX_GIF_WIDTH:
        raise ValueError(f"{name} must be at most {limits.MAX_GIF_WIDTH} pixels (a 4K screen); got {value}")
    return value


def inches_arg(value, name: str) -> float:
    """A figure width or height in inches, between ``MIN_FIGURE_INCHES`` and ``MAX_FIGURE_INCHES``."""
    return real_number(value, name, minimum=limits.MIN_FIGURE_INCHES, maximum=limits.MAX_FIGURE_INCHES)


def check_figure_pixels(width: float, height: float, dpi: float) -> None:
    """The rendered figure (inches x dpi) at most ``MAX_FIGURE_PIXELS``."""
    pixels = int(width * dpi) * int(height * dpi)
    if pixels > limits.MAX_FIGURE_PIXELS:
        raise ValueError(f"the figure would be {int(width * dpi)}x{int(height * dpi)} = {pixels:,} pixels "
                         f"(width x dpi); the limit is {limits.MAX_FIGURE_PIXELS:,}: lower dpi or width")


def frames_arg(count: int, fix: str = "use a larger stride or a smaller image") -> int:
    """Frames of one GIF at most ``MAX_FRAMES``; ``fix`` says what would help."""
    if count > limits.MAX_FRAMES:
        raise ValueError(f"the animation would have {int(count):,} frames; the limit is {limits.MAX_FRAMES:,}: {fix}")
    return int(count)


def bounded_size(value, name: str, limit: int) -> int:
    """A positive integer at most ``limit`` (``make_kernel``'s size, a generated image's side...)."""
    value = size_arg(_scalar(value), name)
    check_at_most(value, limit, name)
    return value


def size_arg(value, name: str) -> int:
    """A positive integer (a size or a count), at most ``MAX_INTEGER``."""
    value = _scalar(value)
    if not _is_int(value):
        raise TypeError(f"{name} must be a positive integer; got {_short(value)}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer; got {_short(value)}")
    check_at_most(int(value), limits.MAX_INTEGER, name)
    return int(value)


def index_arg(value, name: str) -> int:
    """A 0-based position (a window index): a non-negative integer."""
    value = _scalar(value)
    if not _is_int(value):
        raise TypeError(f"{name} must be a non-negative integer (0 is the first window); got {_short(value)}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer (0 is the first window); got {_short(value)}")
    check_at_most(int(value), limits.MAX_INTEGER, name)
    return int(value)


def window_number(value, name: str) -> int:
    """A window counted from 1, as people count and the captions say ("Window 1 of 9"), like the Explorer's
    ``window``. 0 is refused in words that give the rule (0-based positions are called ``index``)."""
    value = _scalar(value)
    rule = "windows are numbered from 1 (the first window is 1, as in the caption 'Window 1 of 9')"
    if not _is_int(value):
        raise TypeError(f"{name} must be a whole window number; {rule}; got {_short(value)}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1: {rule}; got {_short(value)}")
    check_at_most(int(value), limits.MAX_INTEGER, name)
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
    check_at_most(int(value), limits.MAX_SEED, name)
    return int(value)


# --------------------------------------------------------------------------------------------------
# transposed convolution, pooling and ReLU (convlab.core.ops)
# --------------------------------------------------------------------------------------------------

def as_numbers(value, name: str, *, finite: bool = True) -> np.ndarray:
    """Any-dimensional array of real numbers as float64 (ReLU takes a number, a map or a stack).

    ``finite=False`` leaves the finiteness check to the caller: ReLU calls :func:`check_finite_numbers` on its
    contiguous copy; the view helpers colour −∞ padding.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a number or an array of numbers; got {_short(value)}")
    value = _unmasked(value, name)
    try:
        arr = np.asarray(value)
    except ValueError:  # numpy >= 1.24 refuses ragged nesting
        raise ValueError(f"{name} must be a rectangular array of numbers; got rows of different lengths: "
                         f"{_short(value)}") from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must contain only real numbers; got dtype {arr.dtype} in {_short(value)}")
    if arr.size > limits.MAX_IMAGE_PIXELS:  # on the shape: a broadcast view holds no memory until copied
        raise ValueError(f"{name} is too large: shape {arr.shape} = {arr.size:,} values; the limit is "
                         f"{limits.MAX_IMAGE_PIXELS:,} (e.g. 4096x4096)")
    with np.errstate(over="ignore"):  # a longdouble 1e400 becomes inf here, refused as one (as in as_array)
        arr = arr.astype(np.float64, copy=False)
    if finite:
        check_finite_numbers(arr, name)
    return arr


def check_finite_numbers(arr: np.ndarray, name: str) -> None:
    """Raise a ``ValueError`` naming the first NaN or infinity of ``arr`` and its index (:func:`all_finite`
    first: the index is looked for only when there is one)."""
    if not all_finite(arr):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name} must contain only finite numbers; got {arr[where]} at index {where}")


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
