"""Higher-order exercises (numpy only): where a window lands, design a filter, match maps to filters, Keras's 'same'.

Each checker returns a :class:`~convlab.lessons.exercises.Feedback` and never shows the answer on a first
wrong try (see :class:`~convlab.lessons.exercises.Question`). :mod:`convlab.lessons.exercises` re-exports them.
"""

from __future__ import annotations

import itertools
from typing import Mapping

import numpy as np

from .._shared import validate as _v
from ._answers import Feedback, _ask, _n, _read_grid, _read_matching, _read_numbers, _same, \
    _unanswered, _unreadable, _wrong
from ..core.conv import conv2d
from ..core.sizes import keras_same_padding, output_shape
from ..core.steps import iter_steps

__all__ = ["check_landing", "check_kernel_design", "check_matching", "check_keras_same_padding"]


def check_landing(answer, image, kernel, window: int, *, stride=1, padding=0, dilation=1, flip=False) -> Feedback:
    """Check where window number ``window`` (counting from 1, in the order the filter visits) lands in the
    feature map, **and** the value written there: answers like ``"row 1, column 2: 5"`` or ``(1, 2, 5)``.

    Rows and columns of the feature map count from 0, as in Python; windows count from 1, as people do.

    Examples
    --------
    >>> from convlab.images import SEED_IMAGE, SEED_KERNEL
    >>> check_landing("row 0, column 1: 2", SEED_IMAGE, SEED_KERNEL, 2)
    ✓ Right: window 2 is the 2nd of row 0 (windows are visited row by row, 3 per row), so it lands at row 0, column 1; its value is 2×1 + 3×0 + 0×(−1) + 1×1 + 2×0 + 3×(−1) + 2×1 + 1×0 + 0×(−1) = 2.
    >>> check_landing((1, 0, 2), SEED_IMAGE, SEED_KERNEL, 2).category
    'swapped-row-column'
    """
    settings = dict(stride=stride, padding=padding, dilation=dilation, flip=flip)
    walk = iter_steps(image, kernel, **settings)  # every argument checked; the steps are made one at a time
    rows, per_row = output_shape(np.shape(image)[:2], np.shape(kernel)[:2], stride=stride, padding=padding,
                                 dilation=dilation)
    if not _v.is_int(window) or not 1 <= window <= rows * per_row:
        raise ValueError(f"window must be a window number from 1 to {rows * per_row}; got {_v.short(window)}")
    _v.check_walk_size(int(window), int(np.prod(np.shape(kernel))))  # the walk goes this far, no further
    step = next(itertools.islice(walk, int(window) - 1, None))
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
        return _wrong(explain, "The value is right but the place is not: which of your two numbers counts down, "
                               "which counts across?", "swapped-row-column")
    if value_ok and (ar, ac) == (r + 1, c + 1):
        return _wrong(explain, "The value is right; count the feature map's rows and columns from 0.", "off-by-one")
    if value_ok:
        return _wrong(explain, "The value is right but the place is not: count the windows row by row.", "wrong-place")
    if place_ok:
        return _wrong(explain, "The place is right; check the multiply-sum.", "wrong-value")
    return _wrong(explain, "Neither the place nor the value is right: find the window's corner first.")


# --------------------------------------------------------------------------- higher-order tasks


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
        return _ask("Type the kernel's rows separated by ';', e.g. 1 2 3; 4 5 6; 7 8 9 for a 3×3 kernel.")
    kernel = _read_grid(answer)
    if kernel is None:
        return _unreadable(answer, "a kernel: rows of numbers separated by ';'")
    try:
        got = conv2d(image, kernel, stride=stride, padding=padding, dilation=dilation, flip=flip)
    except ValueError as err:
        return Feedback(False, f"this kernel cannot slide over the image: {err}.",
                        slip=f"This kernel cannot slide over the image: {err}.", category="wrong-size")
    if got.shape != target.shape:
        why = (f"your {kernel.shape[0]}×{kernel.shape[1]} kernel gives a {got.shape[0]}×{got.shape[1]} feature map; "
               f"the target is {target.shape[0]}×{target.shape[1]}: change the kernel's size.")
        return Feedback(False, why[0].upper() + why[1:], slip=why[0].upper() + why[1:], category="wrong-size")
    diff = ~np.isclose(got, target, atol=1e-6)
    if not diff.any():
        return Feedback(True, f"your kernel turns the image into the target feature map, all {target.size} values.")
    (r, c) = np.argwhere(diff)[0]
    slip = (f"{int(diff.sum())} of the {target.size} values differ; e.g. row {r}, column {c}: your kernel gives "
            f"{_n(got[r, c])}, the target is {_n(target[r, c])}.")
    return Feedback(False, slip, slip=slip, category="wrong-kernel")


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
    if not all(isinstance(k, str) for k in correct):
        raise TypeError(f"correct must map letters (strings) to option numbers; got {_v.short(correct)}")
    letters = sorted(correct)
    if not isinstance(explanations, Mapping) or not all(isinstance(explanations.get(k), str) for k in letters):
        raise ValueError(f"explanations must say, for each letter of correct ({', '.join(letters)}), how to tell "
                         f"(a string); got {_v.short(explanations)}")
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
    return _wrong(explain, f"{len(letters) - len(wrong)} of {len(letters)} right; look again at {', '.join(wrong)}.",
                  "wrong-matching")


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
        return _wrong(explain, "The total is right; on which side does Keras put the extra pixel?", "padding-side")
    if values[0] == values[1]:
        return _wrong(explain, "Equal padding on both sides is what PyTorch's integer padding does; count how many "
                               "pixels ⌈n/s⌉ windows need.", "padding-side")
    return _wrong(explain)


# --------------------------------------------------------------------------- a question with tries
