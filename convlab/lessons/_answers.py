"""How the exercises read a learner's answer and say what they think (shared by exercises and tasks).

:class:`Feedback` is the verdict every checker returns; the readers turn typed text (a number, several,
a grid, a matching) into values without ``eval``.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .._shared.format import format_number, plain_minus
from .._shared.validate import read_number, short

__all__ = ["Feedback", "RIGHT", "WRONG", "PROMPT", "SLIP_CATEGORIES"]

RIGHT = "\u2713 Right"
WRONG = "\u2717 Not quite"
PROMPT = "\u270e Your turn"

SLIP_CATEGORIES: dict[str, str] = {
    # output sizes and padding
    "forgot-padding": "left the padding out of the output-size formula, or padded one side only",
    "forgot-stride": "did not divide by the stride (or by a pool's stride)",
    "off-by-one": "one too many or too few: the formula's + 1, or counting from 1 where positions count from 0",
    "wrong-rounding": "rounded up where the output-size formula rounds down",
    "forgot-dilation": "used the kernel's width where a dilated kernel spans d(k − 1) + 1 pixels",
    "kept-input-size": "assumed the output keeps the input's size",
    "padding-total": "gave the padding of both sides together instead of one side's",
    "kernel-width": "gave the kernel's width where a number of positions was asked",
    "padding-side": "put the padding on the wrong side, or the same on both sides where it differs",
    # a window's multiply-sum
    "wrong-sign": "a sign slip in the products with negative filter values",
    "sum-without-multiply": "added the pixels (or the weights) without multiplying them",
    "missed-product": "left out some of the products of the window",
    "one-channel-only": "used one channel where all channels add up",
    "flip-confusion": "mixed up convolution (kernel rotated by 180°) and cross-correlation",
    "wrong-window": "computed another window than the one asked for",
    # places in the feature map
    "swapped-row-column": "swapped the row and the column",
    "wrong-place": "the value is right but the place in the feature map is not",
    "wrong-value": "the place is right but the value is not",
    # parameters
    "forgot-bias": "left out the biases (one per filter)",
    "extra-bias": "counted biases that are not there (one per channel, or on a layer without biases)",
    "forgot-channels": "forgot that each filter has one kernel slice per input channel",
    "one-filter-only": "counted one filter, or one kernel slice, instead of the whole layer",
    "weight-sharing": "mixed up shared weights (convolution), own weights per position (local) and dense layers",
    # what a filter does
    "weights-sum": "mixed up what a filter's weights add up to (1 keeps flat areas, 0 erases them)",
    "counted-one-axis": "counted along one axis only, where rows and columns both count",
    "other-example": "used the numbers of another example than the one asked about",
    # receptive fields and shifts
    "forgot-jump": "forgot that after a stride or pool each kernel step covers the jump, not 1 pixel",
    "added-kernel-sizes": "added whole kernel sizes, counting the overlap of neighbouring windows twice",
    "field-too-small": "a designed stack whose receptive field falls short of the target",
    "over-budget": "a design that breaks a limit of the task (a parameter budget)",
    "broke-a-rule": "a design that breaks one of the task's stated rules",
    # choices, matchings and designs
    "wrong-option": "chose another option of a multiple-choice question",
    "wrong-matching": "matched some of the pictures to the wrong filters",
    "wrong-kernel": "a designed kernel that does not produce the target",
    "wrong-size": "a designed kernel or stack whose output has the wrong size (or is too small)",
    "not-whole-number": "gave a fraction where a count is asked",
    # the rest
    "unreadable": "the answer could not be read (it does not count as a try)",
    "other": "a wrong answer that matches no known slip",
}
"""The one set of slip categories a wrong :class:`Feedback` is filed under, each with its meaning.

A right or unanswered verdict has the category ``""``; every wrong one has a key of this dict ("other" when the
slip is not recognised). The categories are stable names for counting slips across a class; the learner reads
:attr:`Feedback.slip`, which says the same in words.
"""


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
    readable : bool
        False when the answer could not be read (it does not count as a try).
    category : str
        ``""`` when right or unanswered; for a wrong answer one key of :data:`SLIP_CATEGORIES`
        ("other" when no known slip fits).

    Examples
    --------
    >>> from convlab.lessons.exercises import check_number
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
    category: str = ""

    def __post_init__(self):
        if self.correct or not self.answered:
            if self.category:
                raise ValueError(f"category must be '' for a right or unanswered verdict; got {self.category!r}")
        elif not self.category:
            object.__setattr__(self, "category", "other" if self.readable else "unreadable")
        if self.category and self.category not in SLIP_CATEGORIES:
            raise ValueError(f"category must be one of SLIP_CATEGORIES; got {self.category!r}")

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

_LONGEST_TEXT = 10_000  # characters of a typed answer that are read; a longer one is not an answer


def _read_number(answer) -> float | None:
    """A finite real number from a number or typed text; None if it cannot be read. Fractions like 1/9 are fine.

    Whatever a learner can type gives a number or None, never an error: a 400-digit integer (too large for a
    float), NaN, infinity, a complex number, bytes, a list or a dict are no prediction of a number.
    """
    answer = answer[()] if isinstance(answer, np.ndarray) and answer.ndim == 0 else answer
    if isinstance(answer, (bool, np.bool_)):
        return None
    if isinstance(answer, numbers.Real):  # int, float, numpy's, Fraction, Decimal; not complex
        try:
            x = float(answer)
        except (OverflowError, ValueError, TypeError):  # an integer beyond float64
            return None
    elif isinstance(answer, str) and len(answer) <= _LONGEST_TEXT:
        x = read_number(plain_minus(answer.strip()).replace(" ", ""))
    else:
        return None
    return x if x is not None and math.isfinite(x) else None  # "1e999" is no prediction of a size


def _read_numbers(answer) -> list[float] | None:
    """Several numbers: a sequence, or text like "3x3", "(3, 3)", "[5]", "3 4"; [] for "none"/"[]"."""
    if isinstance(answer, str):
        if len(answer) > _LONGEST_TEXT:
            return None
        text = answer.strip().lower()
        if text in {"", "none", "nothing", "[]", "()", "-", "no"}:
            return []
        parts = [p for p in re.split(r"[\s,;x×*()\[\]]+", plain_minus(text)) if p]
        values = [_read_number(p) for p in parts]
        return None if any(v is None for v in values) else values
    if isinstance(answer, (list, tuple, np.ndarray)):
        items = _entries(answer)
        if items is None:
            return None
        values = [_read_number(v) for v in items]
        return None if any(v is None for v in values) else values
    x = _read_number(answer)
    return None if x is None else [x]


def _entries(answer) -> list | None:
    """The entries of a list, tuple or array, flattened; None for one no learner typed (huge, masked, ragged)."""
    if isinstance(answer, np.ma.MaskedArray):
        return None  # masked values are no answer
    if isinstance(answer, np.ndarray):
        return None if answer.size > _LONGEST_TEXT else list(answer.ravel())
    flat, todo = [], [answer]
    while todo:  # depth-first, in reading order, without letting numpy guess a shape
        item = todo.pop()
        if isinstance(item, (list, tuple)):
            todo.extend(reversed(item))
        else:
            flat.append(item)
        if len(flat) + len(todo) > _LONGEST_TEXT:
            return None
    return flat


def _unanswered(answer) -> bool:
    return answer is None or (isinstance(answer, str) and not answer.strip())


def _wrong(explain: str, slip: str = "", category: str = "other") -> Feedback:
    """A wrong answer: the worked answer (``explain``) and, if recognised, the slip (which gives nothing away)
    filed under ``category`` (a key of :data:`SLIP_CATEGORIES`)."""
    explain = explain.rstrip()
    return Feedback(False, f"{explain} {slip}" if slip else explain, slip=slip, category=category)


def _ask(hint: str) -> Feedback:
    return Feedback(False, f"replace None with your prediction and run the cell again. {hint}".rstrip(),
                    answered=False, hint=hint)


def _unreadable(answer, what: str) -> Feedback:
    return Feedback(False, f"I could not read {short(answer)} as {what}.", readable=False, category="unreadable")


def _same(a: float, b: float, tol: float = 1e-6) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(b))


def _n(x: float) -> str:
    return format_number(x)


# --------------------------------------------------------------------------- output size


def _read_grid(answer) -> np.ndarray | None:
    """A 2-D grid of numbers from an array or text: rows separated by ';' or new lines, entries by spaces or commas."""
    if isinstance(answer, str):
        if len(answer) > _LONGEST_TEXT:
            return None
        rows = [r for r in re.split(r"[;\n]+", answer.strip().strip("[]")) if r.strip()]
        parsed = [_read_numbers(r.strip().strip("[]")) for r in rows]
        if not parsed or any(p is None or not p for p in parsed) or len({len(p) for p in parsed}) != 1:
            return None
        return np.array(parsed, dtype=np.float64)
    if not isinstance(answer, (list, tuple, np.ndarray)):
        return None
    values = _read_numbers(answer)  # each entry read as a number: a complex or huge one is no answer
    if values is None:
        return None
    try:
        shape = np.shape(answer)
    except ValueError:  # rows of different lengths
        return None
    if values is None or len(shape) != 2 or not values or len(values) != shape[0] * shape[1]:
        return None
    return np.array(values, dtype=np.float64).reshape(shape)


def _read_matching(answer) -> dict | None:
    if isinstance(answer, Mapping):
        if len(answer) > 26:
            return None
        pairs = {str(k).strip().upper(): v for k, v in answer.items()}
    elif isinstance(answer, str) and len(answer) <= _LONGEST_TEXT:
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
