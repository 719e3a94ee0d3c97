"""The lesson's model of one setting (numpy only): the walk, the five phases and their captions.

:func:`compute_walk` walks the filter once and keeps everything a view needs; :func:`step_caption` is
the text equivalent of one frame. The figures and the live Explorer both draw from this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._shared import validate as v
from . import palette
from ..core._engine import _plan
from ..core.sizes import does_not_fit, output_size_formula, span_of, unvisited
from ..core.steps import WindowStep, _steps_from_plan, format_number

__all__ = ["PHASES", "PHASE_HELP", "PHASE_TABLE", "CHANNEL_NAMES", "Walk", "compute_walk", "explain_settings",
           "step_caption", "view_model", "message_view", "VIEW_MAX_TERMS"]

PHASES = ("place", "multiply", "sum", "slide", "collect")
"""The lesson's five steps, in order."""

PHASE_HELP = {
    "place": "Step 1, place: put the filter on a patch of the input (the outlined window).",
    "multiply": "Step 2, multiply: multiply each window value by the filter value on top of it.",
    "sum": "Step 3, sum: add all the products into one number.",
    "slide": "Step 4, slide: move the filter by the stride and repeat.",
    "collect": "Step 5, collect: the number lands in its cell of the feature map.",
}
"""One sentence per phase: what that step does."""

CHANNEL_NAMES = ("R", "G", "B")

# --------------------------------------------------------------------------------------- the walk


@dataclass(frozen=True, eq=False)
class Walk:
    """Everything one setting needs, computed once: the padded input, the steps and the feature map.

    Attributes
    ----------
    image : numpy.ndarray
        The input, float64, (H, W) or (H, W, C).
    kernel : numpy.ndarray
        The filter as laid on the windows (rotated when ``flip``); (kh, kw) or (kh, kw, C).
    padded : numpy.ndarray
        The input with its zero padding.
    pads : ((int, int), (int, int))
        Padding (top, bottom), (left, right).
    steps : list of WindowStep
        One per window, in the order the filter visits them.
    feature_map : numpy.ndarray
        The collected values, shape (H', W').
    stride, dilation : (int, int)
    flip : bool
    formula : str
        The output-size formula with these numbers (rows, and columns when they differ).
    unvisited_rows, unvisited_cols : list of int
        Input rows/columns (0-based, without padding) that no window covers.
    """

    image: np.ndarray
    kernel: np.ndarray
    padded: np.ndarray
    pads: tuple
    steps: list
    feature_map: np.ndarray
    stride: tuple
    dilation: tuple
    flip: bool
    formula: str
    unvisited_rows: list
    unvisited_cols: list

    @property
    def channels(self) -> int:
        return 1 if self.image.ndim == 2 else self.image.shape[2]

    @property
    def span(self) -> tuple[int, int]:
        kh, kw = self.kernel.shape[:2]
        return self.dilation[0] * (kh - 1) + 1, self.dilation[1] * (kw - 1) + 1

    def note(self) -> str:
        """A sentence about rows/columns that no window visits ('' when every pixel is covered)."""
        parts = []
        if self.unvisited_rows:
            parts.append(f"{_plural(len(self.unvisited_rows), 'row')} {_list(self.unvisited_rows)}")
        if self.unvisited_cols:
            parts.append(f"{_plural(len(self.unvisited_cols), 'column')} {_list(self.unvisited_cols)}")
        if not parts:
            return ""
        return (f"Note: with stride {_pair_text(self.stride)} the filter never reaches input "
                f"{', and '.join(parts)} (0-based): the floor in the formula drops them.")


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _list(items) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _pair_text(pair) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"


def _as_channels(image: np.ndarray, kernel) -> np.ndarray:
    """A 2-D kernel applied to every channel of a multi-channel image (as the Explorer's families are)."""
    k = v.as_array(kernel, "kernel", ndims=(2, 3), shape_hint="(kh, kw) or (kh, kw, C)")
    if image.ndim == 3 and k.ndim == 2:
        k = np.repeat(k[:, :, None], image.shape[2], axis=2)
    return k


def explain_settings(image_shape, kernel_shape, *, stride=1, padding=0, dilation=1) -> str:
    """Why a filter does not fit, with what would fit ('' when it fits): the message ``conv2d`` raises.

    Examples
    --------
    >>> print(explain_settings((5, 5), (7, 7)))
    kernel (7x7) is larger than the padded input (5x5); add padding of at least 1 or use a smaller kernel (a filter size of 5 or less): it does not fit with padding 0
    >>> explain_settings((5, 5), (3, 3))
    ''
    """
    image_shape = v.shape_arg(image_shape, "image_shape", (2, 3))
    kernel_shape = v.shape_arg(kernel_shape, "kernel_shape", (2, 3))
    stride = v.positive_pair(stride, "stride")
    dilation = v.positive_pair(dilation, "dilation")
    pads = v.padding_amounts(padding, span_of(kernel_shape[:2], dilation), stride)
    return does_not_fit(image_shape[:2], kernel_shape[:2], dilation, pads)


def compute_walk(image, kernel, *, stride=1, padding=0, dilation=1, flip=False) -> Walk:
    """Walk the filter once and keep everything a figure needs.

    Raises
    ------
    ValueError
        When the settings do not fit, with the message of :func:`convlab.core.sizes.does_not_fit`.

    Examples
    --------
    >>> image = [[1, 2, 3, 0, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [2, 1, 0, 1, 2], [0, 1, 2, 3, 1]]   # the lesson's 5x5 image
    >>> kernel = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]   # its vertical-edge filter
    >>> walk = compute_walk(image, kernel)
    >>> len(walk.steps), walk.feature_map.shape, walk.formula
    (9, (3, 3), '⌊(5 + 2·0 − 3)/1⌋ + 1 = 3')
    >>> compute_walk(image, kernel, stride=4).unvisited_rows     # one window, rows 0-2: rows 3 and 4 are never seen
    [3, 4]
    """
    img = v.as_image(image)
    ker = _as_channels(img, kernel)
    plan = _plan(img, ker, stride=stride, padding=padding, dilation=dilation, flip=flip, padding_mode="zeros")
    v.check_walk_size(plan.out_shape[0] * plan.out_shape[1], plan.kernel.size)  # every step is kept
    fm, walk = _steps_from_plan(plan)  # the same engine and records as iter_steps, planned once
    steps = list(walk)
    (pt, pb), (pl, pr) = plan.pads
    kh, kw = plan.kernel.shape[:2]
    rows_text = output_size_formula(img.shape[0], kh, stride=plan.stride[0], padding=pt, dilation=plan.dilation[0]) \
        if pt == pb else ""
    cols_text = output_size_formula(img.shape[1], kw, stride=plan.stride[1], padding=pl, dilation=plan.dilation[1]) \
        if pl == pr else ""
    if rows_text and rows_text == cols_text:
        formula = rows_text
    else:
        formula = f"rows {rows_text or plan.out_shape[0]}, columns {cols_text or plan.out_shape[1]}"
    u_rows = unvisited(img.shape[0], kh, stride=plan.stride[0], padding=pt, dilation=plan.dilation[0]) if pt == pb else []
    u_cols = unvisited(img.shape[1], kw, stride=plan.stride[1], padding=pl, dilation=plan.dilation[1]) if pl == pr else []
    return Walk(img, plan.kernel, plan.padded, plan.pads, steps, fm, plan.stride, plan.dilation, bool(flip),
                formula, u_rows, u_cols)


# --------------------------------------------------------------------------------------- captions


def _index_range(indices) -> str:
    indices = [int(i) for i in indices]
    if len(indices) == 1:
        return str(indices[0])
    step = indices[1] - indices[0]
    if step == 1:
        return f"{indices[0]}–{indices[-1]}"
    return ", ".join(map(str, indices))


def _phase_line(walk: Walk, s: WindowStep, phase: str) -> str:
    n = len(walk.steps)
    head = f"Window {s.index + 1} of {n} · {phase}: "
    padded = any(any(pair) for pair in walk.pads)
    where = (f"rows {_index_range(s.rows)}, columns {_index_range(s.cols)} of the "
             + ("padded input" if padded else "input"))
    if phase == "place":
        return head + f"the filter covers {where}."
    if phase == "multiply":
        return head + "each window value times the filter value on top of it (the products panel); the sum comes next."
    if phase == "sum":
        return head + f"the products add up to {format_number(s.value)}."
    if phase == "slide":
        if s.index + 1 < n:
            nxt = walk.steps[s.index + 1]
            how = (f"{walk.stride[1]} to the right" if nxt.out_row == s.out_row
                   else f"back to the left and {walk.stride[0]} down")
            return head + f"the filter moves {how}, to rows {_index_range(nxt.rows)}, columns {_index_range(nxt.cols)}."
        return head + "this was the last window: the walk is complete."
    return head + (f"{format_number(s.value)} goes to row {s.out_row}, column {s.out_col} of the feature map "
                   f"({s.index + 1} of {n} cells filled).")


def _arithmetic_pair(walk: Walk, s: WindowStep, max_terms: int | None) -> tuple[str, str]:
    """The window's multiply-sum as text: before the sum phase (result "?") and from it on (the value)."""
    names = CHANNEL_NAMES if walk.channels == 3 else None
    done = s.arithmetic(max_terms=max_terms, channel_names=names)
    if walk.channels == 1:
        return done.rsplit(" = ", 1)[0] + " = ?", done
    lines = done.splitlines()
    return "\n".join(line.rsplit(" = ", 1)[0] + " = ?" for line in lines[:-1]) + "\ntotal: ?", done


def _frame_lines(walk: Walk, s: WindowStep, max_terms: int | None) -> dict:
    """Per phase, the caption's changing part: what this phase does and the arithmetic."""
    open_, done = _arithmetic_pair(walk, s, max_terms)
    return {ph: _phase_line(walk, s, ph) + "\n" + (open_ if ph in ("place", "multiply") else done) for ph in PHASES}


def _footer(walk: Walk) -> str:
    """The caption's part that is the same for every window: the formula and the unvisited-rows note."""
    note = walk.note()
    return f"output size: {walk.formula}" + (f"\n{note}" if note else "")


def step_caption(walk: Walk, index: int, phase: str = "collect", *, max_terms: int | None = None) -> str:
    """The text equivalent of one frame: what this phase does, the arithmetic and the output-size formula.

    Examples
    --------
    >>> image = [[1, 2, 3, 0, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [2, 1, 0, 1, 2], [0, 1, 2, 3, 1]]   # the lesson's 5x5 image
    >>> kernel = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]   # its vertical-edge filter
    >>> walk = compute_walk(image, kernel)
    >>> print(step_caption(walk, 0, "place"))
    Window 1 of 9 · place: the filter covers rows 0–2, columns 0–2 of the input.
    1×1 + 2×0 + 3×(−1) + 0×1 + 1×0 + 2×(−1) + 1×1 + 2×0 + 1×(−1) = ?
    output size: ⌊(5 + 2·0 − 3)/1⌋ + 1 = 3
    >>> print(step_caption(walk, 0, "sum").splitlines()[1])
    1×1 + 2×0 + 3×(−1) + 0×1 + 1×0 + 2×(−1) + 1×1 + 2×0 + 1×(−1) = −4
    """
    if not isinstance(walk, Walk):
        raise TypeError(f"walk must be a Walk from compute_walk(...); got {v.short(walk)}")
    phase = _check_phase(phase)
    index = v.index_arg(index, "index")
    if index >= len(walk.steps):
        raise ValueError(f"index must be below the number of windows, {len(walk.steps)} (0 is the first window); "
                         f"got {index}")
    return _frame_lines(walk, walk.steps[index], max_terms)[phase] + "\n" + _footer(walk)


def _check_phase(phase) -> str:
    if not isinstance(phase, str) or phase not in PHASES:
        raise ValueError(f"phase must be one of {', '.join(map(repr, PHASES))}; got {phase!r}")
    return phase



# --------------------------------------------------------------------------------------- the view model

PHASE_TABLE = {
    #            panel it acts on    products shown     their sum shown  cells filled   next window  value's path
    "place":    dict(active="input", show_products=False, show_sum=False, filled_extra=0, ghost=False, link=False),
    "multiply": dict(active="products", show_products=True, show_sum=False, filled_extra=0, ghost=False, link=False),
    "sum":      dict(active="products", show_products=True, show_sum=True, filled_extra=0, ghost=False, link=False),
    "slide":    dict(active="input", show_products=True, show_sum=True, filled_extra=1, ghost=True, link=False),
    "collect":  dict(active="map", show_products=True, show_sum=True, filled_extra=1, ghost=False, link=True),
}
"""What each phase shows. ``filled_extra``: cells of the feature map filled besides those of earlier windows."""

NUMBERS_MAX_CELLS = 16
"""Grids with more rows or columns than this get no numbers written in their cells (photos)."""

VIEW_MAX_TERMS = 9
"""The live caption writes at most this many products, eliding the middle with "…" (a 7×7 filter has 49)."""

COLOURS = {"window": palette.WINDOW, "next": palette.NEXT, "unvisited": palette.UNVISITED, "pad_fill": palette.PAD_FILL,
           "pad_edge": palette.PAD_EDGE, "pad_ink": palette.PAD_INK, "blank": palette.BLANK}


def _labels(values) -> list[str]:
    return [format_number(x, 2) for x in np.ravel(values)]


def _cells(values, fill: list[str], numbers: bool) -> dict:
    return {"labels": _labels(values) if numbers else [""] * len(fill), "fill": fill, "ink": palette.ink(fill)}


def _planes(a: np.ndarray, channels: int) -> list[np.ndarray]:
    return [a] if channels == 1 else [a[..., c] for c in range(channels)]


def view_model(walk: Walk, *, max_terms: int | None = VIEW_MAX_TERMS) -> dict:
    """Everything every frame of this walk shows, as plain data (JSON-ready): the live view's model.

    The browser view and the matplotlib figure both paint exactly this: grids of cells (label, fill colour,
    ink colour), the window and the cells it samples, the feature-map cell each window fills, and per phase
    what is visible (:data:`PHASE_TABLE`) and the caption. Nothing is computed by a renderer. The layout is
    described in ``docs/view_model.md``.

    Examples
    --------
    >>> image = [[1, 2, 3, 0, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [2, 1, 0, 1, 2], [0, 1, 2, 3, 1]]   # the lesson's 5x5 image
    >>> kernel = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]   # its vertical-edge filter
    >>> vm = view_model(compute_walk(image, kernel))
    >>> len(vm["steps"]), vm["panels"]["map"]["rows"], vm["steps"][0]["value_label"]
    (9, 3, '−4')
    >>> vm["steps"][0]["products"][0]["labels"][:3]
    ['1', '0', '−3']
    >>> print(vm["steps"][0]["captions"]["multiply"].splitlines()[1])   # caption = captions[phase] + "\\n" + footer
    1×1 + 2×0 + 3×(−1) + 0×1 + 1×0 + 2×(−1) + 1×1 + 2×0 + 1×(−1) = ?
    """
    if not isinstance(walk, Walk):
        raise TypeError(f"walk must be a Walk from compute_walk(...); got {v.short(walk)}")
    c = walk.channels
    hp, wp = walk.padded.shape[:2]
    kh, kw = walk.kernel.shape[:2]
    oh, ow = walk.feature_map.shape
    (pt, pb), (pl, pr) = walk.pads
    names = list(CHANNEL_NAMES) if c == 3 else ([""] if c == 1 else [str(i) for i in range(c)])

    in_numbers = max(hp, wp) <= NUMBERS_MAX_CELLS
    lo, hi = float(np.min(walk.image)), float(np.max(walk.image))
    pad_mask = np.ones((hp, wp), dtype=bool)
    pad_mask[pt:hp - pb, pl:wp - pr] = False
    pad_flat = pad_mask.ravel()
    inputs = []
    for plane in _planes(walk.padded, c):
        cells = _cells(plane, palette.gray_fill(plane, lo, hi), in_numbers)
        for key, value in (("fill", palette.PAD_FILL), ("ink", palette.PAD_INK)):
            cells[key] = [value if m else x for m, x in zip(pad_flat, cells[key])]
        inputs.append(cells)

    k_numbers = max(kh, kw) <= NUMBERS_MAX_CELLS
    k_limit = palette.symmetric_limit(walk.kernel)
    filters = [_cells(k, palette.signed_fill(k, k_limit), k_numbers) for k in _planes(walk.kernel, c)]
    all_products = np.stack([s.products for s in walk.steps])  # (windows, kh, kw[, C])
    p_limit = palette.symmetric_limit(all_products)
    products = [_cells(p, palette.signed_fill(p, p_limit), k_numbers)  # one call per channel, not per window
                for p in _planes(np.moveaxis(all_products, 0, -1) if c == 1 else np.moveaxis(all_products, 0, -2), c)]
    m_numbers = max(oh, ow) <= NUMBERS_MAX_CELLS
    m_limit = palette.symmetric_limit(walk.feature_map)

    padded = bool(pt or pb or pl or pr)
    steps = []
    for s in walk.steps:
        steps.append({
            "window": s.index + 1, "top": s.top, "left": s.left,
            "rows": [int(r) for r in s.rows], "cols": [int(x) for x in s.cols],
            "out_row": s.out_row, "out_col": s.out_col, "value": s.value, "value_label": format_number(s.value, 2),
            "products": [{key: cells[key][s.index::len(walk.steps)] for key in cells} for cells in products],
            "channel_sums": [format_number(x, 2) for x in s.channel_sums],
            "captions": _frame_lines(walk, s, max_terms),
        })
    return {
        "kind": "convlab.walk", "version": 1, "operation": "convolution", "message": "",
        "phases": list(PHASES), "phase_help": dict(PHASE_HELP), "phase_table": PHASE_TABLE, "colours": COLOURS,
        "channels": names, "span": list(walk.span), "stride": list(walk.stride), "dilation": list(walk.dilation),
        "footer": _footer(walk),
        "panels": {
            "input": {"title": "input (padded)" if padded else "input (no padding)", "rows": hp, "cols": wp,
                      "numbers": in_numbers, "cells": inputs, "pad": [pt, pb, pl, pr],
                      "unvisited_rows": [r + pt for r in walk.unvisited_rows],
                      "unvisited_cols": [x + pl for x in walk.unvisited_cols]},
            "filter": {"title": "filter (flipped: convolution)" if walk.flip else "filter", "rows": kh, "cols": kw,
                       "numbers": k_numbers, "cells": filters},
            "products": {"title": "products", "rows": kh, "cols": kw, "numbers": k_numbers},
            "map": {"title": "feature map" + ((" (R+G+B)" if c == 3 else f" (Σ {c} channels)") if c > 1 else ""),
                    "rows": oh, "cols": ow,   # short: the title must fit over a 3-column map (lesson 4's picture)
                    "numbers": m_numbers,
                    "cells": [_cells(walk.feature_map, palette.signed_fill(walk.feature_map, m_limit), m_numbers)]},
        },
        "steps": steps,
    }


def message_view(message: str) -> dict:
    """The view model of a setting that does not fit: only the reason, in plain words.

    >>> message_view("The 7×7 filter does not fit.")["message"]
    'The 7×7 filter does not fit.'
    """
    if not isinstance(message, str) or not message.strip():
        raise ValueError(f"message must be a sentence saying why the setting does not fit; got {v.short(message)}")
    return {"kind": "convlab.walk", "version": 1, "operation": "convolution", "message": message,
            "phases": list(PHASES), "phase_help": dict(PHASE_HELP), "phase_table": PHASE_TABLE,
            "colours": COLOURS, "steps": [], "panels": {}}
