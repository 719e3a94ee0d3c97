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

__all__ = ["Feedback", "RIGHT", "WRONG", "PROMPT"]

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


def _wrong(explain: str, slip: str = "") -> Feedback:
    """A wrong answer: the worked answer (``explain``) and, if recognised, the slip (which gives nothing away)."""
    explain = explain.rstrip()
    return Feedback(False, f"{explain} {slip}" if slip else explain, slip=slip)


def _ask(hint: str) -> Feedback:
    return Feedback(False, f"replace None with your prediction and run the cell again. {hint}".rstrip(),
                    answered=False, hint=hint)


def _unreadable(answer, what: str) -> Feedback:
    return Feedback(False, f"I could not read {short(answer)} as {what}.", readable=False)


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
