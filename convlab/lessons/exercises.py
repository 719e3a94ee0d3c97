"""Predict-then-check helpers for the lessons (compute layer: numpy only).

Each ``check_*`` function takes the learner's prediction and the settings of the question, and returns
a :class:`Feedback`: right or wrong, **and why**. When an answer is wrong, the checker recognises the
common slips — forgetting the padding, the ``+ 1`` or the stride in the output-size formula, summing the
window without multiplying, flipping the kernel, leaving out the biases — and names the one that fits.

Answers may be numbers or the text a learner typed (``"4"``, ``"−4"``, ``"3x3"``, ``"(3, 3)"``), so the
same checkers serve a notebook cell and the text box of :mod:`convlab.widgets.quiz`. ``None`` means "not answered
yet" and gets a prompt, not a verdict.

>>> check_output_size(3, 7, 3, stride=2, padding=1)
✗ Not quite: ⌊(7 + 2·1 − 3)/2⌋ + 1 = 4. Your 3 is what you get if you forget the padding: ⌊(7 + 2·0 − 3)/2⌋ + 1 = 3.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any, Callable, Mapping

import numpy as np

from ._answers import Feedback, _ask, _n, _read_number, _read_numbers, _same, \
    _unanswered, _unreadable, _wrong
from .._shared import validate as _v
from .._shared.validate import padding_amounts, positive_pair
from ..core.conv import conv2d
from ..core.sizes import keras_same_padding, output_shape, output_size, output_size_formula, unvisited
from .tasks import check_keras_same_padding, check_kernel_design, check_landing, check_matching
from ..nets.layer import count_parameters
from ..pulse.client import record_check as _send_to_class_pulse
from ..core.steps import iter_steps

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

def _size_slips(n, k, stride, padding, dilation) -> list[tuple[int, str, str]]:
    """(wrong value, what the learner did, slip category) for the usual slips in the output-size formula."""
    slips: list[tuple[int, str, str]] = []
    pad = padding if isinstance(padding, int) else None
    span = dilation * (k - 1) + 1

    def add(value_fn, why, category):
        try:
            slips.append((int(value_fn()), why, category))
        except (ValueError, TypeError, ZeroDivisionError):
            pass

    if padding != 0 and padding != "valid":
        add(lambda: output_size(n, k, stride=stride, padding=0, dilation=dilation),
            "forget the padding: " + output_size_formula(n, k, stride=stride, padding=0, dilation=dilation),
            "forgot-padding")
    if pad:
        add(lambda: (n + pad - span) // stride + 1, "add the padding on one side only", "forgot-padding")
    if pad is not None:
        add(lambda: (n + 2 * pad - span) // stride, "forget the + 1 at the end (it counts the first window)",
            "off-by-one")
        add(lambda: math.ceil((n + 2 * pad - span) / stride) + 1,
            "round up: the formula rounds down, because a window that would stick out past the edge is not used",
            "wrong-rounding")
        if stride > 1:
            add(lambda: (n + 2 * pad - span) + 1, "forget to divide by the stride", "forgot-stride")
        if dilation > 1:
            add(lambda: (n + 2 * pad - k) // stride + 1,
                "forget the dilation: a dilated kernel spans more pixels than it has taps", "forgot-dilation")
    add(lambda: n, "assume the output keeps the input's size — only 'same' padding with stride 1 does that",
        "kept-input-size")
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
    for value, why, category in _size_slips(n, k, stride, padding, dilation):
        if value == x and value != expected:
            return _wrong(f"{formula}.", f"Your {_n(x)} is what you get if you {why}.", category)
    if x != int(x):
        return _wrong(f"{formula}.", "An output size is a whole number: the ⌊ ⌋ rounds down.", "not-whole-number")
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
    wrong = [fb for fb in (rows, cols) if not fb.correct]
    slips = [f"({axis}) {fb.slip}" for axis, fb in (("rows", rows), ("columns", cols)) if fb.slip]
    category = next((fb.category for fb in wrong if fb.category != "other"), "other")
    return Feedback(False, text, slip=" ".join(slips) or "Use the formula once for the rows and once for the columns.",
                    category=category)


def check_same_padding(answer, k, *, dilation=1) -> Feedback:
    """Check the padding (per side) that keeps the output the size of the input at stride 1.

    Examples
    --------
    >>> check_same_padding(1, 3)
    ✓ Right: a 3-wide kernel loses 3 − 1 = 2 positions, so pad (3 − 1)/2 = 1 on each side.
    >>> check_same_padding(2, 3)
    ✗ Not quite: a 3-wide kernel loses 3 − 1 = 2 positions, so pad (3 − 1)/2 = 1 on each side. Your 2 counts both sides together; the question asks for one side.
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
        return _wrong(explain, f"Your {_n(x)} counts both sides together; the question asks for one side.",
                      "padding-total")
    if x == span:
        return _wrong(explain, f"Your {_n(x)} is the kernel's width, not the positions it loses.", "kernel-width")
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
        return _wrong(explain, "Count positions from 0, as Python does.", "off-by-one")
    if not expected and values:
        return _wrong(explain, "Follow the last window to its right-hand edge: where does it end?", "other")
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
    >>> check_window_value(4, SEED_IMAGE, SEED_KERNEL).category
    'wrong-sign'
    """
    for name, value in (("row", row), ("col", col)):
        if not _v.is_int(value):
            raise TypeError(f"{name} must be a whole number (a position in the feature map); got {_v.short(value)}")
    settings = dict(stride=stride, padding=padding, dilation=dilation, flip=flip)
    walk = iter_steps(image, kernel, **settings)  # every argument checked; steps made one at a time
    fmap = conv2d(image, kernel, **settings)
    oh, ow = fmap.shape
    if not (0 <= row < oh and 0 <= col < ow):
        raise ValueError(f"(row, col) must be inside the {oh}x{ow} feature map; got ({_v.short(row)}, {_v.short(col)})")
    _v.check_walk_size(row * ow + col + 1, int(np.prod(np.shape(kernel))))  # the walk goes this far, no further
    step = next(itertools.islice(walk, row * ow + col, None))
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
    why, category = _window_slip(x, step, fmap, image, kernel, settings, row, col, tol, multi) or ("", "other")
    return _wrong(f"{arithmetic}.", why, category)


def _window_slip(x, step, fmap, image, kernel, settings, row, col, tol, multi) -> tuple[str, str] | None:
    """(what went wrong, slip category) for a recognised wrong multiply-sum, else None."""
    expected = step.value
    other = dict(settings, flip=not settings["flip"])
    flipped = float(conv2d(image, kernel, **other)[row, col])
    if settings["flip"] and not _same(flipped, expected, tol) and _same(x, flipped, tol):
        return (f"Your {_n(x)} is what cross-correlation (kernel not rotated) gives here; convolution rotates "
                "the kernel by 180° before laying it on the window.", "flip-confusion")
    if expected != 0 and _same(x, -expected, tol):
        return (f"Your {_n(x)}: check the sign of every product with a negative filter value — which products "
                "are negative, and which pixels do they multiply?", "wrong-sign")
    if _same(x, float(step.window.sum()), tol):
        return (f"Your {_n(x)} is the sum of the window's pixels: multiply each pixel by the filter value on top "
                "of it first.", "sum-without-multiply")
    if multi:
        for name, s in zip(["R", "G", "B"] if step.window.shape[2] == 3 else range(step.window.shape[2]), step.channel_sums):
            if _same(x, float(s), tol):
                return (f"Your {_n(x)} is one channel alone: add the multiply-sums of all the channels.",
                        "one-channel-only")
    if not settings["flip"] and not _same(flipped, expected, tol) and _same(x, flipped, tol):
        return (f"Your {_n(x)} is what convolution (kernel rotated by 180°) gives here; this question lays the "
                "kernel on the window as it is written.", "flip-confusion")
    products = np.asarray(step.products).ravel()
    for p in products:
        if p != 0 and _same(x, expected - p, tol):
            return (f"Your {_n(x)} leaves out one of the products: count them — a "
                    f"{'×'.join(map(str, step.window.shape))} window has {products.size}.", "missed-product")
    for (r, c), value in np.ndenumerate(fmap):  # another window of the feature map with that value
        if (r, c) != (row, col) and _same(x, float(value), tol):
            return (f"Your {_n(x)} is the value of another window of the feature map; this one is at row {row}, "
                    f"column {col} (counting from 0).", "wrong-window")
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
    ✗ Not quite: 3·3·3·16 weights + 16 biases = 432 + 16 = 448. Your 432 leaves out the biases (how many has a layer?).
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
        (weights, "leaves out the biases (how many has a layer?)", "forgot-bias") if bias else
        (weights + n, "adds biases, but this layer has bias=False", "extra-bias"),
        (kh * kw * n + b, "forgets the input channels: each filter has a kernel slice for each channel",
         "forgot-channels"),
        (kh * kw * c + (1 if bias else 0), "counts one filter only (how many has the layer?)", "one-filter-only"),
        (weights + c * n, "counts a bias per channel; each filter has one bias, added after the channel sums",
         "extra-bias"),
        (kh * kw + (1 if bias else 0), "counts one kernel slice of one filter", "one-filter-only"),
    ]
    for value, why, category in slips:
        if x == value and value != expected:
            return _wrong(explain, f"Your {_n(x)} {why}.", category)
    if x != int(x):
        return _wrong(explain, "A number of parameters is a whole number.", "not-whole-number")
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
    if not options or not all(isinstance(o, str) and isinstance(w, str) for o, w in explanations.items()):
        raise TypeError(f"explanations must map each option (a string) to why (a string); got {_v.short(explanations)}")
    if not isinstance(correct, str) or correct not in explanations:
        raise ValueError(f"correct must be one of the options {options}; got {_v.short(correct)}")
    if _unanswered(answer):
        return _ask("Choose one of: " + ", ".join(f'"{o}"' for o in options) + ".")
    text = None  # a typed option, or its number counting from 1; anything else is no choice
    if isinstance(answer, str) and len(answer) <= 1000:
        text = answer.strip().lower()
        if text.isdigit() and len(text) < 4 and 1 <= int(text) <= len(options):
            text = options[int(text) - 1].lower()
    elif _v.is_int(answer) and 1 <= answer <= len(options):
        text = options[int(answer) - 1].lower()
    match = next((o for o in options if o.lower() == text), None)
    if match is None:
        return Feedback(False, f"{_v.short(answer)} is not one of the options: " + ", ".join(f'"{o}"' for o in options)
                        + ".", readable=False, category="unreadable")
    if match == correct:
        return Feedback(True, f"{explanations[correct]}.")
    return Feedback(False, f'"{match}": {explanations[match]}. The answer is "{correct}": {explanations[correct]}.',
                    slip=f'"{match}": {explanations[match]}.', category="wrong-option")


def check_number(answer, expected, *, why: str, slips: Mapping[Any, Any] | None = None, tol: float = 1e-6) -> Feedback:
    """Check a number against ``expected``; ``why`` is the worked answer, ``slips`` maps wrong values to causes.

    A cause is ``(category, text)`` — the category a key of :data:`~convlab.lessons._answers.SLIP_CATEGORIES` —
    or just the text (category "other").

    Examples
    --------
    >>> check_number(9, 9, why="a 3×3 window holds 3·3 = 9 pixels")
    ✓ Right: a 3×3 window holds 3·3 = 9 pixels.
    >>> fb = check_number(6, 9, why="3·3 = 9", slips={6: ("sum-without-multiply", "you added instead of multiplying")})
    >>> print(fb)
    ✗ Not quite: 3·3 = 9. Your 6: you added instead of multiplying.
    >>> fb.category
    'sum-without-multiply'
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
        category, text = cause if isinstance(cause, tuple) else ("other", cause)
        if _same(x, float(value), tol):
            return _wrong(f"{why}.", f"Your {_n(x)}: {text}.", category)
    return _wrong(f"{why}.")


# --------------------------------------------------------------------------- value AND position

_ID = re.compile(r"\d{2}\.\d+")


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
    id : str, optional
        The exercise's stable name, ``"LL.N"``: the two-digit lesson number, a dot, and the exercise's number as
        the lesson shows it (``"03.2"`` is exercise 2 of lesson 3). Every lesson exercise has one; a question
        built on the fly (a test, a quiz made from a bare checker) may leave it ``""``.

    Attributes
    ----------
    id : str
        As given.
    wrong_tries : list of str
        The distinct wrong predictions so far.
    solved : bool

    Examples
    --------
    >>> q = Question(check_output_size, 7, 3, stride=2, padding=1, id="03.1")
    >>> q.id
    '03.1'
    >>> print(q.check(3))
    ✗ Not quite: Your 3 is what you get if you forget the padding: ⌊(7 + 2·0 − 3)/2⌋ + 1 = 3. Try again (the answer is shown after a second try).
    >>> print(q.check(5))
    ✗ Not quite: ⌊(7 + 2·1 − 3)/2⌋ + 1 = 4.
    >>> q.check(4).correct
    True
    >>> Question(check_output_size, 7, 3, stride=2, padding=1).reveal()
    '⌊(7 + 2·1 − 3)/2⌋ + 1 = 4.'
    """

    def __init__(self, check: Callable[..., Feedback], *args, solution=None, id: str = "", **kwargs):
        if not callable(check):
            raise TypeError(f"check must be a checker function from convlab.lessons.exercises; got {check!r}")
        if not isinstance(id, str) or (id and not _ID.fullmatch(id)):
            raise ValueError(f"id must be 'LL.N' (two-digit lesson, a dot, the exercise's number), e.g. '03.2'; "
                             f"got {id!r}")
        self.id = id
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
        _send_to_class_pulse(self, answer, fb)  # the teacher's class pulse, on a hub that runs it (never raises)
        if fb.correct:
            self.solved = True
            return fb
        key = str(answer).strip()
        if key not in self.wrong_tries:
            self.wrong_tries.append(key)
        if len(self.wrong_tries) >= 2:
            if self.solution is not None:
                return Feedback(False, f"{fb.message} {self.reveal()}", slip=fb.slip, category=fb.category)
            return fb
        first = (fb.slip + " " if fb.slip else "Check each step. ") + "Try again (the answer is shown after a second try)."
        return Feedback(False, first, slip=fb.slip, category=fb.category)

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
