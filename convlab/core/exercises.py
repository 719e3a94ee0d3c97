"""Predict-then-check helpers for the lessons (compute layer: numpy only).

Each ``check_*`` function takes the learner's prediction and the settings of the question, and returns
a :class:`Feedback`: right or wrong, **and why**. When an answer is wrong, the checker recognises the
common slips — forgetting the padding, the ``+ 1`` or the stride in the output-size formula, summing the
window without multiplying, flipping the kernel, leaving out the biases — and names the one that fits.

Answers may be numbers or the text a learner typed (``"4"``, ``"−4"``, ``"3x3"``, ``"(3, 3)"``), so the
same checkers serve a notebook cell and the text box of :mod:`convlab.quiz`. ``None`` means "not answered
yet" and gets a prompt, not a verdict.

>>> check_output_size(3, 7, 3, stride=2, padding=1)
✗ Not quite: ⌊(7 + 2·1 − 3)/2⌋ + 1 = 4. Your 3 is what you get if you forget the padding: ⌊(7 + 2·0 − 3)/2⌋ + 1 = 3.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from ._format import plain_minus
from . import _validate as _v
from ._validate import padding_amounts, positive_pair, read_number
from .conv import conv2d
from .sizes import output_shape, output_size, output_size_formula, unvisited
from .layer import count_parameters
from .steps import format_number, iter_steps

__all__ = [
    "Feedback",
    "Question",
    "keras_same_padding",
    "check_landing",
    "check_kernel_design",
    "check_matching",
    "check_keras_same_padding",
    "check_output_size",
    "check_output_shape",
    "check_window_value",
    "check_same_padding",
    "check_parameter_count",
    "check_unvisited",
    "check_choice",
    "check_number",
]

RIGHT = "\u2713 Right"
WRONG = "\u2717 Not quite"
PROMPT = "\u270e Your turn"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one prediction.

    Attributes
    ----------
    correct : bool
        True when the prediction is right. ``bool(feedback)`` is the same.
    message : str
        Why: the worked arithmetic, and for a wrong answer the slip that explains it.
    answered : bool
        False when no prediction was given yet (the answer was ``None`` or blank).
    hint : str
        For an unanswered question: how to start.
    slip : str
        For a wrong answer: what went wrong, *without* giving the answer away (what a first wrong try
        is shown; see :class:`Question`).

    Examples
    --------
    >>> fb = check_number(12, 12, why="3 × 4 = 12")
    >>> bool(fb), fb.message
    (True, '3 × 4 = 12.')
    >>> print(fb)
    ✓ Right: 3 × 4 = 12.
    """

    correct: bool
    message: str
    answered: bool = True
    hint: str = ""
    slip: str = ""
    readable: bool = True

    def __bool__(self) -> bool:
        return self.correct

    @property
    def headline(self) -> str:
        """"✓ Right", "✗ Not quite" or "✎ Your turn"."""
        if not self.answered:
            return PROMPT
        return RIGHT if self.correct else WRONG

    def __str__(self) -> str:
        return f"{self.headline}: {self.message}"

    __repr__ = __str__


# --------------------------------------------------------------------------- reading answers

def _read_number(answer) -> float | None:
    """A finite number from a number or typed text; None if it cannot be read. Fractions like 1/9 are fine."""
    if isinstance(answer, (bool, np.bool_)):
        return None
    if isinstance(answer, (int, float, np.integer, np.floating)):
        x = float(answer)
    elif isinstance(answer, str):
        x = read_number(plain_minus(answer.strip()).replace(" ", ""))
    else:
        return None
    return x if x is not None and math.isfinite(x) else None  # "1e999" is no prediction of a size


def _read_numbers(answer) -> list[float] | None:
    """Several numbers: a sequence, or text like "3x3", "(3, 3)", "[5]", "3 4"; [] for "none"/"[]"."""
    if isinstance(answer, str):
        text = answer.strip().lower()
        if text in {"", "none", "nothing", "[]", "()", "-", "no"}:
            return []
        parts = [p for p in re.split(r"[\s,;x×*()\[\]]+", plain_minus(text)) if p]
        values = [_read_number(p) for p in parts]
        return None if any(v is None for v in values) else values
    if isinstance(answer, (list, tuple, np.ndarray)):
        values = [_read_number(v) for v in np.asarray(answer, dtype=object).ravel()]
        return None if any(v is None for v in values) else values
    x = _read_number(answer)
    return None if x is None else [x]


def _unanswered(answer) -> bool:
    return answer is None or (isinstance(answer, str) and not answer.strip())


def _wrong(explain: str, slip: str = "") -> Feedback:
    """A wrong answer: the worked answer (``explain``) and, if recognised, the slip (which gives nothing away)."""
    explain = explain.rstrip()
    return Feedback(False, f"{explain} {slip}" if slip else explain, slip=slip)


def _ask(hint: str) -> Feedback:
    return Feedback(False, f"replace None with your prediction and run the cell again. {hint}".rstrip(),
                    answered=False, hint=hint)


def _unreadable(answer, what: str) -> Feedback:
    return Feedback(False, f"I could not read {answer!r} as {what}.", readable=False)


def _same(a: float, b: float, tol: float = 1e-6) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(b))


def _n(x: float) -> str:
    return format_number(x)


# --------------------------------------------------------------------------- output size


def _size_slips(n, k, stride, padding, dilation) -> list[tuple[int, str]]:
    """(wrong value, what the learner did) for the usual slips in the output-size formula."""
    slips: list[tuple[int, str]] = []
    pad = padding if isinstance(padding, int) else None
    span = dilation * (k - 1) + 1

    def add(value_fn, why):
        try:
            slips.append((int(value_fn()), why))
        except (ValueError, TypeError, ZeroDivisionError):
            pass

    if padding != 0 and padding != "valid":
        add(lambda: output_size(n, k, stride=stride, padding=0, dilation=dilation),
            "forget the padding: " + output_size_formula(n, k, stride=stride, padding=0, dilation=dilation))
    if pad:
        add(lambda: (n + pad - span) // stride + 1, f"add the padding on one side only: ⌊({n} + {pad} − {span})/{stride}⌋ + 1")
    if pad is not None:
        add(lambda: (n + 2 * pad - span) // stride, "forget the + 1 at the end (it counts the first window)")
        add(lambda: math.ceil((n + 2 * pad - span) / stride) + 1,
            "round up: the formula rounds down, because a window that would stick out past the edge is not used")
        if stride > 1:
            add(lambda: (n + 2 * pad - span) + 1, "forget to divide by the stride")
        if dilation > 1:
            add(lambda: (n + 2 * pad - k) // stride + 1,
                f"forget the dilation: a dilated {k}-wide kernel spans {dilation}·({k}−1) + 1 = {span} pixels")
    add(lambda: n, "assume the output keeps the input's size — only 'same' padding with stride 1 does that")
    return slips


def check_output_size(answer, n, k, *, stride=1, padding=0, dilation=1) -> Feedback:
    """Check a predicted output length along one axis.

    Parameters
    ----------
    answer : int, str or None
        The learner's prediction (None: not answered yet).
    n, k : int
        Input length and kernel length along the axis.
    stride, padding, dilation
        As for :func:`convlab.output_size`; ``padding`` may be ``"valid"``, ``"same"`` or ``"full"``.

    Returns
    -------
    Feedback

    Examples
    --------
    >>> check_output_size(3, 5, 3)
    ✓ Right: ⌊(5 + 2·0 − 3)/1⌋ + 1 = 3.
    >>> check_output_size("3", 7, 3, padding=1, stride=2)
    ✗ Not quite: ⌊(7 + 2·1 − 3)/2⌋ + 1 = 4. Your 3 is what you get if you forget the padding: ⌊(7 + 2·0 − 3)/2⌋ + 1 = 3.
    >>> check_output_size(2, 5, 3)
    ✗ Not quite: ⌊(5 + 2·0 − 3)/1⌋ + 1 = 3. Your 2 is what you get if you forget the + 1 at the end (it counts the first window).
    """
    expected = output_size(n, k, stride=stride, padding=padding, dilation=dilation)
    formula = output_size_formula(n, k, stride=stride, padding=padding, dilation=dilation)
    if _unanswered(answer):
        if dilation != 1:
            return _ask("Use ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1: a dilated kernel spans d(k − 1) + 1 pixels.")
        return _ask("Use ⌊(n + 2p − k)/s⌋ + 1.")
    x = _read_number(answer)
    if x is None:
        return _unreadable(answer, "a whole number of positions")
    if x == expected:
        return Feedback(True, f"{formula}.")
    for value, why in _size_slips(n, k, stride, padding, dilation):
        if value == x and value != expected:
            return _wrong(f"{formula}.", f"Your {_n(x)} is what you get if you {why}.")
    if x != int(x):
        return _wrong(f"{formula}.", "An output size is a whole number: the ⌊ ⌋ rounds down.")
    return _wrong(f"{formula}.")


def check_output_shape(answer, image_shape, kernel_shape, *, stride=1, padding=0, dilation=1) -> Feedback:
    """Check a predicted feature-map shape ``(rows, cols)``; answers like ``"3x3"`` or ``(3, 3)``.

    Examples
    --------
    >>> check_output_shape("3x3", (5, 5), (3, 3))
    ✓ Right: rows ⌊(5 + 2·0 − 3)/1⌋ + 1 = 3, columns ⌊(5 + 2·0 − 3)/1⌋ + 1 = 3.
    >>> check_output_shape((5, 5), (5, 5), (3, 3)).correct
    False
    """
    output_shape(image_shape, kernel_shape, stride=stride, padding=padding, dilation=dilation)  # refuses what conv2d does
    if _unanswered(answer):
        return _ask("Give rows and columns, e.g. 3x3.")
    values = _read_numbers(answer)
    if values is None or len(values) != 2:
        return _unreadable(answer, "a shape (rows, columns) such as 3x3")
    s = stride if isinstance(stride, (tuple, list)) else (stride, stride)
    p = padding if isinstance(padding, (tuple, list)) else (padding, padding)
    d = dilation if isinstance(dilation, (tuple, list)) else (dilation, dilation)
    rows = check_output_size(values[0], image_shape[0], kernel_shape[0], stride=s[0], padding=p[0], dilation=d[0])
    cols = check_output_size(values[1], image_shape[1], kernel_shape[1], stride=s[1], padding=p[1], dilation=d[1])
    text = f"rows {rows.message.rstrip('.')}, columns {cols.message}"
    if rows.correct and cols.correct:
        return Feedback(True, text)
    slips = [f"({axis}) {fb.slip}" for axis, fb in (("rows", rows), ("columns", cols)) if fb.slip]
    return Feedback(False, text, slip=" ".join(slips) or "Use the formula once for the rows and once for the columns.")


def check_same_padding(answer, k, *, dilation=1) -> Feedback:
    """Check the padding (per side) that keeps the output the size of the input at stride 1.

    Examples
    --------
    >>> check_same_padding(1, 3)
    ✓ Right: a 3-wide kernel loses 3 − 1 = 2 positions, so pad (3 − 1)/2 = 1 on each side.
    >>> check_same_padding(2, 3)
    ✗ Not quite: a 3-wide kernel loses 3 − 1 = 2 positions, so pad (3 − 1)/2 = 1 on each side. Your 2 is the total: it is split between the two sides.
    """
    k, dilation = _v.size_arg(k, "k"), _v.size_arg(dilation, "dilation")
    span = dilation * (k - 1) + 1
    lost = span - 1
    what = f"a {k}-wide kernel" if dilation == 1 else f"a {k}-wide kernel with dilation {dilation} (spanning {span})"
    if lost % 2:
        explain = (f"{what} loses {span} − 1 = {lost} positions, an odd number: no equal padding on both sides "
                   f"keeps the size (PyTorch puts {lost // 2} before and {lost - lost // 2} after).")
        expected = None
    else:
        explain = f"{what} loses {span} − 1 = {lost} positions, so pad ({span} − 1)/2 = {lost // 2} on each side."
        expected = lost // 2
    if _unanswered(answer):
        return _ask("How many positions does the kernel lose, and how many sides are there?")
    x = _read_number(answer)
    if x is None:
        return _unreadable(answer, "a number of pixels")
    if expected is not None and x == expected:
        return Feedback(True, explain)
    if x == lost and lost:
        return _wrong(explain, f"Your {_n(x)} is the total: it is split between the two sides.")
    if x == span:
        return _wrong(explain, f"Your {_n(x)} is the kernel's width, not the positions it loses.")
    return _wrong(explain)


def check_unvisited(answer, n, k, *, stride=1, padding=0, dilation=1) -> Feedback:
    """Check which input positions (0-based) no window covers; ``"none"`` or ``[]`` for none.

    Examples
    --------
    >>> check_unvisited([5], 6, 3, stride=2)
    ✓ Right: windows start at 0, 2 and cover up to position 4, so position 5 is never seen.
    >>> check_unvisited("none", 6, 3, stride=2).correct
    False
    """
    expected = unvisited(n, k, stride=stride, padding=padding, dilation=dilation)
    count = output_size(n, k, stride=stride, padding=padding, dilation=dilation)
    span = dilation * (k - 1) + 1
    (pad, _), _ = padding_amounts(padding, (span, span), (stride, stride))  # any form: 1, "same", "full"
    starts = [i * stride - pad for i in range(count)]
    last = starts[-1] + span - 1
    start_text = ", ".join(str(s) for s in starts[:6]) + (", …" if len(starts) > 6 else "")
    if expected:
        seen = "positions " + ", ".join(map(str, expected)) + " are" if len(expected) > 1 else f"position {expected[0]} is"
        explain = f"windows start at {start_text} and cover up to position {last}, so {seen} never seen."
    else:
        explain = f"windows start at {start_text} and the last one reaches position {min(last, n - 1)}: every position is seen."
    if _unanswered(answer):
        return _ask("List the positions (counting from 0), or 'none'.")
    values = _read_numbers(answer)
    if values is None:
        return _unreadable(answer, "a list of positions such as [5] or 'none'")
    if sorted(int(v) for v in values) == expected and all(v == int(v) for v in values):
        return Feedback(True, explain)
    if expected and sorted(int(v) + 1 for v in expected) == sorted(values):
        return _wrong(explain, "(Count positions from 0: your numbers are one too high.)")
    return _wrong(explain)


# --------------------------------------------------------------------------- a window's value


def check_window_value(answer, image, kernel, row=0, col=0, *, stride=1, padding=0, dilation=1, flip=False) -> Feedback:
    """Check a predicted multiply-sum for the window that lands at ``(row, col)`` of the feature map.

    Parameters
    ----------
    answer : number, str or None
    image, kernel, stride, padding, dilation, flip
        As for :func:`convlab.conv2d`.
    row, col : int
        Position in the feature map (counting from 0).

    Examples
    --------
    >>> from convlab.images import SEED_IMAGE, SEED_KERNEL
    >>> check_window_value(-4, SEED_IMAGE, SEED_KERNEL)
    ✓ Right: 1×1 + 2×0 + 3×(−1) + 0×1 + 1×0 + 2×(−1) + 1×1 + 2×0 + 1×(−1) = −4.
    >>> check_window_value(13, SEED_IMAGE, SEED_KERNEL)
    ✗ Not quite: 1×1 + 2×0 + 3×(−1) + 0×1 + 1×0 + 2×(−1) + 1×1 + 2×0 + 1×(−1) = −4. Your 13 is the sum of the window's pixels: multiply each pixel by the filter value on top of it first.
    >>> check_window_value(4, SEED_IMAGE, SEED_KERNEL)
    ✗ Not quite: 1×1 + 2×0 + 3×(−1) + 0×1 + 1×0 + 2×(−1) + 1×1 + 2×0 + 1×(−1) = −4. Your 4 has the wrong sign: the filter's −1 column multiplies the right-hand pixels, which are brighter here.
    """
    for name, value in (("row", row), ("col", col)):
        if not _v.is_int(value):
            raise TypeError(f"{name} must be a whole number (a position in the feature map); got {_v.short(value)}")
    settings = dict(stride=stride, padding=padding, dilation=dilation, flip=flip)
    steps = list(iter_steps(image, kernel, **settings))
    ow = steps[-1].out_col + 1
    oh = steps[-1].out_row + 1
    if not (0 <= row < oh and 0 <= col < ow):
        raise ValueError(f"(row, col) must be inside the {oh}x{ow} feature map; got ({row}, {col})")
    step = steps[row * ow + col]
    expected = step.value
    multi = step.window.ndim == 3
    arithmetic = step.arithmetic(max_terms=12).replace("\n", "; ")
    if _unanswered(answer):
        return _ask("Multiply each pixel by the filter value on top of it, then add the products.")
    x = _read_number(answer)
    if x is None:
        return _unreadable(answer, "a number")
    tol = 1e-6 if np.all(step.products == np.round(step.products)) else 0.005
    if _same(x, expected, tol):
        return Feedback(True, f"{arithmetic}.")
    why = _window_slip(x, step, steps, image, kernel, settings, row, col, tol, multi)
    return _wrong(f"{arithmetic}.", why or "")


def _window_slip(x, step, steps, image, kernel, settings, row, col, tol, multi) -> str | None:
    expected = step.value
    other = dict(settings, flip=not settings["flip"])
    flipped = float(conv2d(image, kernel, **other)[row, col])
    if settings["flip"] and not _same(flipped, expected, tol) and _same(x, flipped, tol):
        return (f"Your {_n(x)} is what cross-correlation (kernel not rotated) gives here; convolution rotates "
                "the kernel by 180° before laying it on the window.")
    if expected != 0 and _same(x, -expected, tol):
        return (f"Your {_n(x)} has the wrong sign: the filter's −1 column multiplies the right-hand pixels, "
                "which are brighter here." if expected < 0 else
                f"Your {_n(x)} has the wrong sign: check the products with the negative filter values.")
    if _same(x, float(step.window.sum()), tol):
        return f"Your {_n(x)} is the sum of the window's pixels: multiply each pixel by the filter value on top of it first."
    if multi:
        for name, s in zip(["R", "G", "B"] if step.window.shape[2] == 3 else range(step.window.shape[2]), step.channel_sums):
            if _same(x, float(s), tol):
                return f"Your {_n(x)} is channel {name} alone: add the multiply-sums of all the channels."
    if not settings["flip"] and not _same(flipped, expected, tol) and _same(x, flipped, tol):
        return (f"Your {_n(x)} is what convolution (kernel rotated by 180°) gives here; this question lays the "
                "kernel on the window as it is written.")
    products = np.asarray(step.products).ravel()
    for i, p in enumerate(products):
        if p != 0 and _same(x, expected - p, tol):
            w, k = np.asarray(step.window).ravel()[i], np.asarray(step.kernel).ravel()[i]
            return f"Your {_n(x)} leaves out one product: {_n(w)}×{_n(k)} = {_n(p)}."
    for other_step in steps:
        if other_step is not step and _same(x, other_step.value, tol):
            return (f"Your {_n(x)} is the value of the window at row {other_step.out_row}, column {other_step.out_col} "
                    f"of the feature map; this one is at row {row}, column {col} (counting from 0).")
    return None


# --------------------------------------------------------------------------- parameters


def check_parameter_count(answer, kernel_size, in_channels, out_channels, *, bias=True) -> Feedback:
    """Check a predicted number of learnable parameters of a convolution layer.

    ``kh·kw·C·N`` weights (one ``kh × kw`` kernel per input channel, for each of the ``N`` filters),
    plus ``N`` biases (one per filter) when ``bias`` is True.

    Examples
    --------
    >>> check_parameter_count(448, 3, 3, 16)
    ✓ Right: 3·3·3·16 weights + 16 biases = 432 + 16 = 448.
    >>> check_parameter_count(432, 3, 3, 16)
    ✗ Not quite: 3·3·3·16 weights + 16 biases = 432 + 16 = 448. Your 432 leaves out the 16 biases (one per filter).
    """
    kh, kw = positive_pair(kernel_size, "kernel_size")
    _v.check_bool(bias, "bias", "one bias per filter, or none")
    c, n = in_channels, out_channels
    weights = count_parameters(kernel_size, c, n, bias=False)
    expected = count_parameters(kernel_size, c, n, bias=bias)
    if bias:
        explain = f"{kh}·{kw}·{c}·{n} weights + {n} biases = {weights} + {n} = {expected}."
    else:
        explain = f"{kh}·{kw}·{c}·{n} weights (no biases) = {expected}."
    if _unanswered(answer):
        return _ask("Count the weights of one filter, then multiply by the number of filters.")
    x = _read_number(answer)
    if x is None:
        return _unreadable(answer, "a whole number")
    if x == expected:
        return Feedback(True, explain)
    b = n if bias else 0
    slips = [
        (weights, f"leaves out the {n} biases (one per filter)") if bias else (weights + n, "adds biases, but this layer has bias=False"),
        (kh * kw * n + b, f"forgets the input channels: each filter has a {kh}×{kw} kernel for each of the {c} channels"),
        (kh * kw * c + (1 if bias else 0), f"counts one filter only; there are {n}"),
        (weights + c * n, "counts a bias per channel; each filter has one bias, added after the channel sums"),
        (kh * kw + (1 if bias else 0), "counts one kernel slice of one filter"),
    ]
    for value, why in slips:
        if x == value and value != expected:
            return _wrong(explain, f"Your {_n(x)} {why}.")
    return _wrong(explain)


# --------------------------------------------------------------------------- generic


def check_choice(answer, correct, explanations: Mapping[str, str]) -> Feedback:
    """Check a multiple-choice answer; ``explanations`` says why each option is right or wrong.

    Matching ignores case and surrounding spaces; an option may also be given by its number (1, 2, ...)
    in the order of ``explanations``.

    Examples
    --------
    >>> why = {"vertical edge": "its columns are +1, 0, −1: it compares left with right",
    ...        "horizontal edge": "its rows compare top with bottom"}
    >>> check_choice("Vertical edge", "vertical edge", why)
    ✓ Right: its columns are +1, 0, −1: it compares left with right.
    >>> check_choice("horizontal edge", "vertical edge", why)
    ✗ Not quite: "horizontal edge": its rows compare top with bottom. The answer is "vertical edge": its columns are +1, 0, −1: it compares left with right.
    """
    if not isinstance(explanations, Mapping):
        raise TypeError(f"explanations must be a dict of option -> why; got {_v.short(explanations)}")
    options = list(explanations)
    if correct not in explanations:
        raise ValueError(f"correct must be one of the options {options}; got {correct!r}")
    if _unanswered(answer):
        return _ask("Choose one of: " + ", ".join(f'"{o}"' for o in options) + ".")
    text = str(answer).strip().lower()
    if text.isdigit() and 1 <= int(text) <= len(options):
        text = options[int(text) - 1].lower()
    match = next((o for o in options if o.lower() == text), None)
    if match is None:
        return Feedback(False, f"{answer!r} is not one of the options: " + ", ".join(f'"{o}"' for o in options) + ".",
                        readable=False)
    if match == correct:
        return Feedback(True, f"{explanations[correct]}.")
    return Feedback(False, f'"{match}": {explanations[match]}. The answer is "{correct}": {explanations[correct]}.',
                    slip=f'"{match}": {explanations[match]}.')


def check_number(answer, expected, *, why: str, slips: Mapping[Any, str] | None = None, tol: float = 1e-6) -> Feedback:
    """Check a number against ``expected``; ``why`` is the worked answer, ``slips`` maps wrong values to causes.

    Examples
    --------
    >>> check_number(9, 9, why="a 3×3 window holds 3·3 = 9 pixels")
    ✓ Right: a 3×3 window holds 3·3 = 9 pixels.
    >>> check_number(6, 9, why="3·3 = 9", slips={6: "you added 3 + 3 instead of multiplying"})
    ✗ Not quite: 3·3 = 9. Your 6: you added 3 + 3 instead of multiplying.
    """
    expected = _v.real_number(expected, "expected")
    if not isinstance(why, str):
        raise TypeError(f"why must be the worked answer as text; got {_v.short(why)}")
    if slips is not None and not isinstance(slips, Mapping):
        raise TypeError(f"slips must be a dict of wrong value -> cause; got {_v.short(slips)}")
    tol = _v.real_number(tol, "tol", minimum=0)
    if _unanswered(answer):
        return _ask("Work it out on paper first.")
    x = _read_number(answer)
    if x is None:
        return _unreadable(answer, "a number")
    if _same(x, float(expected), tol):
        return Feedback(True, f"{why}.")
    for value, cause in (slips or {}).items():
        if _same(x, float(value), tol):
            return _wrong(f"{why}.", f"Your {_n(x)}: {cause}.")
    return _wrong(f"{why}.")


# --------------------------------------------------------------------------- value AND position


def check_landing(answer, image, kernel, window: int, *, stride=1, padding=0, dilation=1, flip=False) -> Feedback:
    """Check where window number ``window`` (counting from 1, in the order the filter visits) lands in the
    feature map, **and** the value written there: answers like ``"row 1, column 2: 5"`` or ``(1, 2, 5)``.

    Rows and columns of the feature map count from 0, as in Python; windows count from 1, as people do.

    Examples
    --------
    >>> from convlab.images import SEED_IMAGE, SEED_KERNEL
    >>> check_landing("row 0, column 1: 2", SEED_IMAGE, SEED_KERNEL, 2)
    ✓ Right: window 2 is the 2nd of row 0 (windows are visited row by row, 3 per row), so it lands at row 0, column 1; its value is 2×1 + 3×0 + 0×(−1) + 1×1 + 2×0 + 3×(−1) + 2×1 + 1×0 + 0×(−1) = 2.
    >>> check_landing((1, 0, 2), SEED_IMAGE, SEED_KERNEL, 2).slip
    'You swapped row and column: the value is right, but rows go down and columns go across.'
    """
    settings = dict(stride=stride, padding=padding, dilation=dilation, flip=flip)
    steps = list(iter_steps(image, kernel, **settings))
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or not 1 <= window <= len(steps):
        raise ValueError(f"window must be a window number from 1 to {len(steps)}; got {window!r}")
    step = steps[window - 1]
    per_row = steps[-1].out_col + 1
    r, c, value = step.out_row, step.out_col, step.value
    nth = step.out_col + 1
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(nth if nth < 20 else nth % 10, "th")
    explain = (f"window {window} is the {nth}{suffix} of row {r} (windows are visited row by row, {per_row} per row), "
               f"so it lands at row {r}, column {c}; its value is {step.arithmetic(max_terms=12).replace(chr(10), '; ')}.")
    if _unanswered(answer):
        return _ask("Give the feature-map row and column (from 0) and the value, e.g. row 1, column 2: 5.")
    values = _read_numbers(answer.replace(":", " ").replace("=", " ").replace("row", " ").replace("column", " ")
                           .replace("col", " ") if isinstance(answer, str) else answer)
    if values is None or len(values) != 3:
        return _unreadable(answer, "a row, a column and a value such as 'row 1, column 2: 5'")
    ar, ac, av = values
    tol = 1e-6 if np.all(step.products == np.round(step.products)) else 0.005
    place_ok, value_ok = (ar, ac) == (r, c), _same(av, value, tol)
    if place_ok and value_ok:
        return Feedback(True, explain)
    if value_ok and (ar, ac) == (c, r):
        return _wrong(explain, "You swapped row and column: the value is right, but rows go down and columns go across.")
    if value_ok and (ar, ac) == (r + 1, c + 1):
        return _wrong(explain, "The value is right; count the feature map's rows and columns from 0.")
    if value_ok:
        return _wrong(explain, "The value is right but the place is not: count the windows row by row.")
    if place_ok:
        return _wrong(explain, "The place is right; check the multiply-sum.")
    return _wrong(explain, "Neither the place nor the value is right: find the window's corner first.")


# --------------------------------------------------------------------------- higher-order tasks


def _read_grid(answer) -> np.ndarray | None:
    """A 2-D grid of numbers from an array or text: rows separated by ';' or new lines, entries by spaces or commas."""
    if isinstance(answer, str):
        rows = [r for r in re.split(r"[;\n]+", answer.strip().strip("[]")) if r.strip()]
        parsed = [_read_numbers(r.strip().strip("[]")) for r in rows]
        if not parsed or any(p is None or not p for p in parsed) or len({len(p) for p in parsed}) != 1:
            return None
        return np.array(parsed, dtype=np.float64)
    try:
        grid = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return grid if grid.ndim == 2 and grid.size and np.all(np.isfinite(grid)) else None


def check_kernel_design(answer, image, target, *, stride=1, padding=0, dilation=1, flip=False) -> Feedback:
    """Check a kernel the learner designed: does it turn ``image`` into the feature map ``target``?

    Any kernel that produces the target is right (there may be several). ``answer`` is an array or text
    such as ``"0 0 0; 0 1 0; 0 0 0"``.

    Examples
    --------
    >>> from convlab.images import SEED_IMAGE
    >>> centre = SEED_IMAGE[1:4, 1:4]
    >>> check_kernel_design("0 0 0; 0 1 0; 0 0 0", SEED_IMAGE, centre)
    ✓ Right: your kernel turns the image into the target feature map, all 9 values.
    >>> print(check_kernel_design("1 0 0; 0 0 0; 0 0 0", SEED_IMAGE, centre).slip)
    3 of the 9 values differ; e.g. row 1, column 0: your kernel gives 0, the target is 2.
    """
    target = _v.as_array(target, "target", ndims=(2,), shape_hint="(H', W'), the feature map to produce")
    if _unanswered(answer):
        return _ask("Type the kernel's rows separated by ';', e.g. 0 0 0; 0 1 0; 0 0 0.")
    kernel = _read_grid(answer)
    if kernel is None:
        return _unreadable(answer, "a kernel: rows of numbers separated by ';'")
    try:
        got = conv2d(image, kernel, stride=stride, padding=padding, dilation=dilation, flip=flip)
    except ValueError as err:
        return Feedback(False, f"this kernel cannot slide over the image: {err}.", slip=f"This kernel cannot slide over the image: {err}.")
    if got.shape != target.shape:
        why = (f"your {kernel.shape[0]}×{kernel.shape[1]} kernel gives a {got.shape[0]}×{got.shape[1]} feature map; "
               f"the target is {target.shape[0]}×{target.shape[1]}: change the kernel's size.")
        return Feedback(False, why[0].upper() + why[1:], slip=why[0].upper() + why[1:])
    diff = ~np.isclose(got, target, atol=1e-6)
    if not diff.any():
        return Feedback(True, f"your kernel turns the image into the target feature map, all {target.size} values.")
    (r, c) = np.argwhere(diff)[0]
    slip = (f"{int(diff.sum())} of the {target.size} values differ; e.g. row {r}, column {c}: your kernel gives "
            f"{_n(got[r, c])}, the target is {_n(target[r, c])}.")
    return Feedback(False, slip, slip=slip)


def _read_matching(answer) -> dict | None:
    if isinstance(answer, Mapping):
        pairs = {str(k).strip().upper(): v for k, v in answer.items()}
    elif isinstance(answer, str):
        found = re.findall(r"([A-Za-z])\s*[:=\-→>]*\s*(\d+)", answer)
        if not found:
            return None
        pairs = {k.upper(): v for k, v in found}
    else:
        return None
    out = {}
    for k, v in pairs.items():
        x = _read_number(v)
        if x is None or x != int(x):
            return None
        out[k] = int(x)
    return out


def check_matching(answer, correct: Mapping[str, int], options: list, explanations: Mapping[str, str]) -> Feedback:
    """Check a matching task: pictures labelled A, B, … to the numbered ``options`` (counting from 1).

    ``correct`` maps each letter to its option's number; ``explanations`` says, per letter, how to tell.
    Answers like ``"A2 B1 C3"``, ``"A:2, B:1, C:3"`` or a dict.

    Examples
    --------
    >>> opts = ["blur", "edges"]
    >>> why = {"A": "A is smooth: a blur", "B": "B is white on flat areas: edges"}
    >>> check_matching("A1 B2", {"A": 1, "B": 2}, opts, why)
    ✓ Right: A → 1 (blur): A is smooth: a blur; B → 2 (edges): B is white on flat areas: edges.
    >>> check_matching("A2 B1", {"A": 1, "B": 2}, opts, why).slip
    '0 of 2 right; look again at A, B.'
    """
    if not isinstance(options, (list, tuple)) or not options:
        raise ValueError(f"options must be a non-empty list of the choices' names; got {_v.short(options)}")
    if not isinstance(correct, Mapping) or any(not _v.is_int(n) or not 1 <= n <= len(options) for n in correct.values()):
        raise ValueError(f"correct must map each letter to an option's number, 1 to {len(options)}; got {_v.short(correct)}")
    letters = sorted(correct)
    explain = "; ".join(f"{k} → {correct[k]} ({options[correct[k] - 1]}): {explanations[k]}" for k in letters) + "."
    if _unanswered(answer):
        return _ask("Give a number for each letter, e.g. " + " ".join(f"{k}{i + 1}" for i, k in enumerate(letters)) + ".")
    given = _read_matching(answer)
    if given is None or sorted(given) != letters:
        return _unreadable(answer, "one number for each of " + ", ".join(letters) + " (e.g. "
                           + " ".join(f"{k}{i + 1}" for i, k in enumerate(letters)) + ")")
    wrong = [k for k in letters if given[k] != correct[k]]
    if not wrong:
        return Feedback(True, explain)
    return _wrong(explain, f"{len(letters) - len(wrong)} of {len(letters)} right; look again at {', '.join(wrong)}.")


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


def check_keras_same_padding(answer, n, k, *, stride=1) -> Feedback:
    """Check a prediction of Keras's 'same' padding along one axis, as ``"before, after"`` (e.g. ``"1, 1"``).

    Examples
    --------
    >>> check_keras_same_padding("0, 1", 6, 3, stride=2)
    ✓ Right: Keras wants ⌈6/2⌉ = 3 outputs; the windows then need (3 − 1)·2 + 3 = 7 pixels, 1 more than the 6 there are: 0 before, 1 after (the extra one goes after).
    """
    before, after = keras_same_padding(n, k, stride)
    out = -(-n // stride)
    need = (out - 1) * stride + k
    total = before + after
    explain = (f"Keras wants ⌈{n}/{stride}⌉ = {out} outputs; the windows then need ({out} − 1)·{stride} + {k} = {need} "
               f"pixels, {total} more than the {n} there are: {before} before, {after} after"
               + (" (the extra one goes after)." if before != after else "."))
    if _unanswered(answer):
        return _ask("Give the padding before and after, e.g. 1, 1.")
    values = _read_numbers(answer)
    if values is None or len(values) != 2:
        return _unreadable(answer, "two numbers: padding before, padding after")
    if tuple(values) == (before, after):
        return Feedback(True, explain)
    if tuple(values) == (after, before):
        return _wrong(explain, "The total is right, but Keras puts the extra pixel after (bottom/right), not before.")
    if values[0] == values[1]:
        return _wrong(explain, "Equal padding on both sides is what PyTorch's integer padding does; count how many "
                               "pixels ⌈n/s⌉ windows need.")
    return _wrong(explain)


# --------------------------------------------------------------------------- a question with tries


class Question:
    """One exercise that keeps its answer back until the learner has tried twice (or asks for it).

    ``Question(check, *args, **kwargs)`` wraps a checker; :meth:`check` grades a prediction. A right answer
    is confirmed with the worked answer. After the **first** wrong try only the slip is shown (what went
    wrong, never the answer) and the learner is asked to try again; the worked answer comes with the
    **second** wrong try, or from :meth:`reveal`. Predictions that cannot be read do not count as tries.

    Parameters
    ----------
    check : callable
        A checker of this module, called as ``check(answer, *args, **kwargs)``.
    solution : optional
        One right answer, shown by :meth:`reveal` (needed when the checker's verdict does not contain it,
        e.g. :func:`check_kernel_design`, where many kernels may be right).

    Examples
    --------
    >>> q = Question(check_output_size, 7, 3, stride=2, padding=1)
    >>> print(q.check(3))
    ✗ Not quite: Your 3 is what you get if you forget the padding: ⌊(7 + 2·0 − 3)/2⌋ + 1 = 3. Try again (the answer is shown after a second try).
    >>> print(q.check(5))
    ✗ Not quite: ⌊(7 + 2·1 − 3)/2⌋ + 1 = 4.
    >>> q.check(4).correct
    True
    >>> Question(check_output_size, 7, 3, stride=2, padding=1).reveal()
    '⌊(7 + 2·1 − 3)/2⌋ + 1 = 4.'
    """

    def __init__(self, check: Callable[..., Feedback], *args, solution=None, **kwargs):
        if not callable(check):
            raise TypeError(f"check must be a checker function from convlab.exercises; got {check!r}")
        check(None, *args, **kwargs)  # a question with impossible settings fails here, when it is built
        if solution is not None and not check(solution, *args, **kwargs).correct:
            raise ValueError(f"solution must be a right answer to the question; got {solution!r}")
        self._check, self._args, self._kwargs = check, args, kwargs
        self.check_function, self.args, self.kwargs = check, args, kwargs
        self.solution = solution
        self.wrong_tries: list = []
        self.solved = False

    @property
    def options(self) -> list | None:
        """The choices of a multiple-choice question (``check_choice``), else None."""
        return list(self._args[1]) if self._check is check_choice else None

    def grade(self, answer) -> Feedback:
        """The checker's full verdict, without counting a try."""
        return self._check(answer, *self._args, **self._kwargs)

    def check(self, answer) -> Feedback:
        """Grade ``answer``; the worked answer is held back until the second wrong try."""
        fb = self.grade(answer)
        if not fb.answered or not fb.readable:
            return fb
        if fb.correct:
            self.solved = True
            return fb
        key = str(answer).strip()
        if key not in self.wrong_tries:
            self.wrong_tries.append(key)
        if len(self.wrong_tries) >= 2:
            if self.solution is not None:
                return Feedback(False, f"{fb.message} {self.reveal()}", slip=fb.slip)
            return fb
        first = (fb.slip + " " if fb.slip else "Check each step. ") + "Try again (the answer is shown after a second try)."
        return Feedback(False, first, slip=fb.slip)

    def reveal(self) -> str:
        """The worked answer (what the "show answer" button shows)."""
        if self.solution is not None:
            return f"One answer: {self.solution} — {self.grade(self.solution).message}"
        if self._check is check_choice:
            correct, why = self._args[0], self._args[1]
            return f'The answer is "{correct}": {why[correct]}.'
        if self._check is check_matching:
            return self.grade(self._args[0]).message
        for copies in (1, 2, 3):  # a prediction nobody makes, to get the worked answer back
            fb = self.grade(" ".join(["-123456789"] * copies))
            if fb.readable:
                break
        text = fb.message
        if fb.slip and text.endswith(fb.slip):
            text = text[: -len(fb.slip)].rstrip()
        return text


CHECKERS: dict[str, Callable[..., Feedback]] = {
    name: globals()[name] for name in __all__ if name.startswith("check_")
}
"""Every checker by name (for the quiz widget and the tests)."""
