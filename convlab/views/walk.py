"""The lesson's model of one setting (numpy only): the walk, the five phases and their captions.

:func:`compute_walk` walks the filter once and keeps everything a view needs; :func:`step_caption` is
the text equivalent of one frame. The figures and the live Explorer both draw from this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from .._shared import validate as v
from ..core._engine import _correlate, _plan
from ..core.sizes import does_not_fit, output_size_formula, span_of, unvisited
from ..core.steps import WindowStep, _walk, format_number
from . import palette

__all__ = ["PHASES", "PHASE_HELP", "PHASE_TABLE", "RULES", "CHANNEL_NAMES", "Walk", "compute_walk", "explain_settings",
           "step_caption", "view_model", "message_view", "frame", "Values", "PhaseRule", "VIEW_MAX_TERMS",
           "SCHEMA_VERSION"]

PHASES = ("place", "multiply", "sum", "slide", "collect")
"""The lesson's five steps, in order."""


CHANNEL_NAMES = ("R", "G", "B")

# --------------------------------------------------------------------------------------- the walk


class WalkSteps(Sequence):
    """Every window's :class:`WindowStep`, made when read (``steps[i]``, ``len``, iteration): the same
    records as :func:`convlab.iter_steps`, without keeping 15,876 of them for a 128×128 image."""

    def __init__(self, padded, kernel, stride, dilation, result):
        self._args = (padded, kernel, stride, dilation, result)
        self._n = result.size

    def __len__(self) -> int:
        return self._n

    def __iter__(self):
        return _walk(*self._args)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._n))]
        i = range(self._n)[index]  # negative indices and IndexError as a list gives them
        padded, kernel, stride, dilation, result = self._args
        ow = result.shape[1]
        one = result[i // ow:i // ow + 1, i % ow:i % ow + 1]
        sr, sc = stride
        top, left = (i // ow) * sr, (i % ow) * sc
        step = next(_walk(padded[top:, left:], kernel, stride, dilation, one))
        return WindowStep(i, i // ow, i % ow, top, left, step.window, step.products, step.value, step.kernel, dilation)


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
    steps : WalkSteps
        One :class:`WindowStep` per window, in the order the filter visits them (a sequence whose
        records are made when read).
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
    fm = _correlate(plan.padded, plan.kernel, plan.stride, plan.dilation, plan.out_shape)
    steps = WalkSteps(plan.padded, plan.kernel, plan.stride, plan.dilation, fm)  # records made when read
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


# --------------------------------------------------------------------------------------- the view model
#
# One compact description per setting (schema version 2, ``docs/view_model.md``): every grid's cells as
# codes into a small table of distinct values (label, fill, ink, the number as the caption writes it),
# each window's place given by the walk's grid (no per-window cells), per window only what indexing
# cannot give (its value as text, the maximum's cell), and the rules of each phase as data.
# :func:`frame` resolves one frame from it; the browser view (``frame.js``) resolves it the same way.

SCHEMA_VERSION = 2

NUMBERS_MAX_CELLS = 16
"""Grids with more rows or columns than this get no numbers written in their cells (photos)."""

VIEW_MAX_TERMS = 9
"""The live caption writes at most this many products, eliding the middle with "…" (a 7×7 filter has 49)."""

COLOURS = {"window": palette.WINDOW, "next": palette.NEXT, "unvisited": palette.UNVISITED, "pad_fill": palette.PAD_FILL,
           "pad_edge": palette.PAD_EDGE, "pad_ink": palette.PAD_INK, "blank": palette.BLANK}

BLANK_INK = "#000000"


class Values(TypedDict):
    """A table of the distinct values one panel shows; cells hold codes (indices) into it."""

    labels: list[str]  # written in the cell ("" where the grid has no numbers)
    fill: list[str]  # "#rrggbb"
    ink: list[str]  # black or white, whichever contrasts more with the fill
    text: list[str]  # the number as the caption's arithmetic writes it


class PhaseRule(TypedDict):
    """What one phase shows: decided here, read by every renderer."""

    active: str  # the panel this phase acts on: "input", "products" or "map"
    products: bool  # the products panel is filled (else blank cells)
    sum: str  # under the products: "none", "open" ("sum = ?") or "shown" ("sum = −4")
    answer: bool  # the caption's arithmetic ends with the value (else "= ?")
    window: str  # the solid outline: on the "current" window or already on the "next" one
    ghost: bool  # a dashed outline where the current window was (when the solid one moved on)
    map_after: int  # the map shows what windows before ``index + map_after`` wrote
    link: bool  # a dashed link from the current window to its map cell
    pick: bool  # outline the chosen cell of the products (max pooling)


def _rule(active, products, sum_, answer, window, map_after, link, pick=False) -> PhaseRule:
    return PhaseRule(active=active, products=products, sum=sum_, answer=answer, window=window,
                     ghost=window == "next", map_after=map_after, link=link, pick=pick)


# The walk's phases. "slide" moves the outline to the next window (the value is not written yet);
# "collect" writes the value of the window just finished (linked from its dashed outline).
RULES = {
    "place": _rule("input", False, "none", False, "current", 0, False),
    "multiply": _rule("products", True, "open", False, "current", 0, False),
    "sum": _rule("products", True, "shown", True, "current", 0, False),
    "slide": _rule("input", True, "shown", True, "next", 0, False),
    "collect": _rule("map", True, "shown", True, "next", 1, True),
}
"""The phase rules of convolution (:class:`PhaseRule` per phase)."""

PHASE_TABLE = RULES  # the name of the earlier schema

PHASE_HELP = {
    "place": "Step 1, place: put the filter on a patch of the input (the outlined window).",
    "multiply": "Step 2, multiply: multiply each window value by the filter value on top of it.",
    "sum": "Step 3, sum: add all the products into one number.",
    "slide": "Step 4, slide: move the filter by the stride and repeat.",
    "collect": "Step 5, collect: the number lands in its cell of the feature map.",
}
"""One sentence per phase: what that step does."""


def _values(values, fill_of, numbers: bool, *, key_digits: int = 3, text_of=None) -> tuple[Values, np.ndarray]:
    """The distinct values of ``values`` as a table, and each value's code (same shape as ``values``).

    Values that read the same (``key_digits``) share one entry, so a float photo's table stays small; with
    ``numbers``, also the same on a cell's label (two digits), so 0.8149 and 0.8151 (both 0.815) are labelled
    0.81 and 0.82, each as ``format_number(x, 2)`` writes it.
    ``fill_of(array)`` gives the fills of representative values; ``text_of(x)`` the caption's text.
    """
    flat = np.asarray(values, dtype=float).ravel()
    quantised = _quantise(flat, key_digits)
    labelled = numbers and key_digits != 2  # values that read alike may still round apart on a cell's label
    if labelled:
        quantised = np.stack([quantised, _quantise(flat, 2)], axis=1)
    uniq, inverse = np.unique(quantised, axis=0 if labelled else None, return_inverse=True)
    inverse = inverse.reshape(-1)
    first = np.zeros(len(uniq), dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(flat))[::-1]  # each group's first exact value
    reps = flat[first] if len(flat) else flat
    keys = [format_number(x, key_digits) + (f"|{format_number(x, 2)}" if labelled else "") for x in reps]
    code_of: dict[str, int] = {}
    code_of_uniq = np.array([code_of.setdefault(key, len(code_of)) for key in keys], dtype=np.int64)
    _, first_code = np.unique(code_of_uniq, return_index=True)
    reps = reps[first_code] if len(reps) else reps
    fills = fill_of(reps)
    table = Values(labels=[format_number(x, 2) if numbers else "" for x in reps], fill=list(fills),
                   ink=palette.ink(fills) if len(fills) else [],
                   text=[(text_of or format_number)(x) for x in reps])
    return table, code_of_uniq[inverse].reshape(np.shape(values))


def _quantise(x: np.ndarray, digits: int) -> np.ndarray:
    """Values rounded as :func:`format_number` writes them (decimals from 1 up, significant figures below).

    Vectorised: ``round(x * scale)``. Where ``x * scale`` lies within rounding error of a half (1.15 * 0.1
    is 0.11499999999999999, written 0.11, while its product with 100 rounds to 11.5), the value is rounded
    as :func:`format_number` writes it, one by one (a few values in a million).
    """
    a = np.abs(x)
    small = (a > 0) & (a < 1) & np.isfinite(x)
    scale = np.ones_like(x)
    scale[small] = 10.0 ** (digits - 1 - np.floor(np.log10(a[small])))
    scale[~small] = 10.0 ** digits
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = x * scale
        q = np.round(scaled) / scale
        near = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    q = np.where(np.isfinite(q), q, x)
    for i in np.flatnonzero(near & np.isfinite(q)):
        q.flat[i] = float(format_number(float(x.flat[i]), digits).replace("\u2212", "-"))
    return q


def _append(table: Values, label: str, fill: str, ink: str, text: str) -> int:
    """One more entry (the padding's), returning its code."""
    for key, value in (("labels", label), ("fill", fill), ("ink", ink), ("text", text)):
        table[key].append(value)
    return len(table["fill"]) - 1


def _flat(codes: np.ndarray) -> list[int]:
    return [int(x) for x in np.ravel(codes)]


def _planes(a: np.ndarray, channels: int) -> list[np.ndarray]:
    return [a] if channels == 1 else [a[..., c] for c in range(channels)]


def _channel_names(c: int) -> list[str]:
    return list(CHANNEL_NAMES) if c == 3 else ([""] if c == 1 else [str(i) for i in range(c)])


def _count(n: int) -> str:
    return f"{n:,}"


def _index_range(indices) -> str:
    indices = [int(i) for i in indices]
    if len(indices) == 1:
        return str(indices[0])
    if indices[1] - indices[0] == 1:
        return f"{indices[0]}–{indices[-1]}"
    return ", ".join(map(str, indices))


def base_view(operation: str, phases, rules: dict, help_: dict, words: dict) -> dict:
    """The parts every view model shares (also the message view's)."""
    return {"kind": "convlab.walk", "version": SCHEMA_VERSION, "operation": operation, "message": "",
            "phases": list(phases), "phase_help": {p: help_[p] for p in phases},
            "rules": {p: dict(rules[p]) for p in phases}, "words": dict(words), "colours": dict(COLOURS)}


CONVOLUTION_WORDS = {"unit": "Window", "units": "windows", "size": "filter size", "filter": "filter"}


def view_model(walk: Walk, *, max_terms: int | None = VIEW_MAX_TERMS) -> dict:
    """The compact description of this walk (JSON-ready): what every frame shows, decided once.

    The browser view and the matplotlib figure both paint :func:`frame` of this data, so they cannot
    disagree. Its size grows with the image, the filter and the feature map, not with windows × cells:
    cells are codes into small tables of distinct values, a window's place follows from its number.
    The layout is described in ``docs/view_model.md``.

    Examples
    --------
    >>> image = [[1, 2, 3, 0, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [2, 1, 0, 1, 2], [0, 1, 2, 3, 1]]   # the lesson's 5x5 image
    >>> kernel = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]   # its vertical-edge filter
    >>> vm = view_model(compute_walk(image, kernel))
    >>> vm["windows"]["count"], vm["panels"]["map"]["rows"], vm["windows"]["value"][0]
    (9, 3, '−4')
    >>> frame(vm, 0, "multiply")["grids"]["products"][0]["labels"][:3]
    ['1', '0', '−3']
    >>> print(frame(vm, 0, "multiply")["caption"].splitlines()[1])
    1×1 + 2×0 + 3×(−1) + 0×1 + 1×0 + 2×(−1) + 1×1 + 2×0 + 1×(−1) = ?
    """
    if not isinstance(walk, Walk):
        raise TypeError(f"walk must be a Walk from compute_walk(...); got {v.short(walk)}")
    if max_terms is not None:
        max_terms = v.size_arg(max_terms, "max_terms")
    c = walk.channels
    hp, wp = walk.padded.shape[:2]
    kh, kw = walk.kernel.shape[:2]
    oh, ow = walk.feature_map.shape
    (pt, pb), (pl, pr) = walk.pads
    sr, sc = walk.stride
    dr, dc = walk.dilation
    padded = bool(pt or pb or pl or pr)

    # input: one table for every channel (one gray scale), the padding its own entry
    in_numbers = max(hp, wp) <= NUMBERS_MAX_CELLS
    lo, hi = float(np.min(walk.image)), float(np.max(walk.image))
    inner = walk.padded[pt:hp - pb, pl:wp - pr]
    in_table, inner_codes = _values(inner, lambda x: palette.gray_fill(x, lo, hi), in_numbers)
    pad_code = _append(in_table, "0" if in_numbers else "", palette.PAD_FILL, palette.PAD_INK, "0")
    in_codes = np.full(walk.padded.shape, pad_code, dtype=np.int64)
    in_codes[pt:hp - pb, pl:wp - pr] = inner_codes
    n_in = len(in_table["fill"])
    exact = np.zeros(n_in)  # each entry's exact value, for the products
    exact[inner_codes.ravel()] = inner.ravel()

    k_numbers = max(kh, kw) <= NUMBERS_MAX_CELLS
    k_limit = palette.symmetric_limit(walk.kernel)
    k_table, k_codes = _values(walk.kernel, lambda x: palette.signed_fill(x, k_limit), k_numbers)

    # products: the product of filter cell k and input entry j, per channel (filter x distinct inputs)
    kern = walk.kernel.reshape(kh * kw, c)
    prod = kern.T[:, :, None] * exact[None, None, :]  # (C, kh*kw, n_in)
    p_limit = palette.symmetric_limit(prod)
    p_table, p_codes = _values(prod, lambda x: palette.signed_fill(x, p_limit), True, key_digits=2)

    m_numbers = max(oh, ow) <= NUMBERS_MAX_CELLS
    m_limit = palette.symmetric_limit(walk.feature_map)
    m_table, m_codes = _values(walk.feature_map, lambda x: palette.signed_fill(x, m_limit), m_numbers)

    names = _channel_names(c)
    values = [m_table["text"][k] for k in m_codes.ravel()]  # the map's own texts: no second formatting
    parts = None
    if c > 1:
        sums = _channel_sums(walk)  # (oh*ow, C)
        parts = [[format_number(x) for x in sums[:, ch]] for ch in range(c)]

    vm = base_view("convolution", PHASES, RULES, PHASE_HELP, CONVOLUTION_WORDS)
    where = "padded input" if padded else "input"
    vm.update({
        "channels": names, "footer": _footer(walk),
        "panels": {
            "input": {"title": "input (padded)" if padded else "input (no padding)", "rows": hp, "cols": wp,
                      "numbers": in_numbers, "values": in_table, "codes": [_flat(p) for p in _planes(in_codes, c)],
                      "pad": [pt, pb, pl, pr], "unvisited_rows": [r + pt for r in walk.unvisited_rows],
                      "unvisited_cols": [x + pl for x in walk.unvisited_cols]},
            "filter": {"title": "filter (flipped: convolution)" if walk.flip else "filter", "rows": kh, "cols": kw,
                       "numbers": k_numbers, "values": k_table, "codes": [_flat(p) for p in _planes(k_codes, c)]},
            "products": {"title": "products", "rows": kh, "cols": kw, "numbers": True, "values": p_table,
                         "sum_label": "sum", "lookup": "input", "codes": [_flat(p_codes[ch]) for ch in range(c)]},
            "map": {"title": "feature map" + ((" (R+G+B)" if c == 3 else f" (Σ {c} channels)") if c > 1 else ""),
                    "rows": oh, "cols": ow,   # short: the title must fit over a 3-column map (lesson 4's picture)
                    "numbers": m_numbers, "values": m_table, "codes": _flat(m_codes)},
        },
        "windows": {"count": oh * ow, "count_text": _count(oh * ow), "grid": [oh, ow], "origin": [0, 0],
                    "step": [sr, sc], "sample": [dr, dc], "span": list(walk.span), "value": values,
                    "parts": parts, "pick": None, "boxes": None, "fields": {}},
        "captions": {
            "place": {"default": f"the filter covers rows {{rows}}, columns {{cols}} of the {where}."},
            "multiply": {"default": "each window value times the filter value on top of it (the products panel); "
                                    "the sum comes next."},
            "sum": {"default": "the products add up to {value}."},
            "slide": {"default": f"the filter moves {sc} to the right, to rows {{next_rows}}, columns {{next_cols}}.",
                      "new_row": f"the filter moves back to the left and {sr} down, to rows {{next_rows}}, "
                                 "columns {next_cols}.",
                      "last": "this was the last window: the walk is complete."},
            "collect": {"default": "{value} goes to row {out_row}, column {out_col} of the feature map "
                                   "({i} of {n} cells filled)."},
        },
        "arithmetic": {"kind": "products", "max_terms": max_terms, "channels": names if c > 1 else None},
    })
    return vm


def _channel_sums(walk: Walk) -> np.ndarray:
    """Each window's sum per channel, (windows, C): the windows' products summed, as ``WindowStep`` does."""
    (sr, sc), (dr, dc) = walk.stride, walk.dilation
    oh, ow = walk.feature_map.shape
    view = np.lib.stride_tricks.sliding_window_view(walk.padded, walk.span, axis=(0, 1))
    windows = view[::sr, ::sc][:oh, :ow, :, ::dr, ::dc]  # (oh, ow, C, kh, kw)
    products = windows * np.moveaxis(walk.kernel, -1, 0)[None, None]
    return products.sum(axis=(-2, -1)).reshape(oh * ow, -1)


def _footer(walk: Walk) -> str:
    """The caption's part that is the same for every window: the formula and the unvisited-rows note."""
    note = walk.note()
    return f"output size: {walk.formula}" + (f"\n{note}" if note else "")


def _operation_parts(parts) -> bool:
    """True for (phases, rules, help, words) as the view models use them: names, a rule and a sentence each."""
    if not isinstance(parts, (tuple, list)) or len(parts) != 4:
        return False
    phases, rules, help_, words = parts
    return (isinstance(phases, (tuple, list)) and len(phases) > 0 and all(isinstance(p, str) for p in phases)
            and isinstance(rules, dict) and isinstance(help_, dict) and isinstance(words, dict)
            and all(isinstance(rules.get(p), dict) and isinstance(help_.get(p), str) for p in phases)
            and all(isinstance(words.get(k), str) for k in CONVOLUTION_WORDS))


def message_view(message: str, operation: str = "convolution", parts=None) -> dict:
    """The view model of a setting that does not fit: the reason in plain words, no windows.

    It keeps the operation's phases, rules and words (``parts``: phases, rules, help, words; default
    convolution's; :func:`convlab.views.op_views.operation_message_view` gives each operation's), so a view
    keeps that operation's phase buttons; ``windows["label"]`` is what the window counter says instead of
    "Window 4 of 9". A live view keeps the last figure that fitted, dimmed (``docs/view_model.md``).

    >>> vm = message_view("The 7×7 filter does not fit.")
    >>> vm["message"], vm["windows"]["label"]
    ('The 7×7 filter does not fit.', 'no windows: this setting does not fit')
    """
    if not isinstance(message, str) or not message.strip():
        raise ValueError(f"message must be a sentence saying why the setting does not fit; got {v.short(message)}")
    if parts is not None and not _operation_parts(parts):
        raise TypeError("parts must be an operation's (phases, rules, help, words), as "
                        f"convlab.views.op_views.operation_message_view gives them; got {v.short(parts)}")
    phases, rules, help_, words = parts or (PHASES, RULES, PHASE_HELP, CONVOLUTION_WORDS)
    vm = base_view(operation if isinstance(operation, str) else "convolution", phases, rules, help_, words)
    vm.update({"message": message, "panels": {}, "captions": {}, "footer": "", "channels": [""],
               "windows": {"count": 0, "count_text": "0",
                           "label": f"no {words['units']}: this setting does not fit"}})
    return vm


# --------------------------------------------------------------------------------------- one frame


def _check_phase(phase, phases=PHASES) -> str:
    return v.one_of(phase, "phase", phases)


def _factor(text: str) -> str:
    return f"({text})" if text.startswith("\u2212") else text


def _sum_text(terms: list[str], max_terms) -> str:
    if max_terms is not None and len(terms) > max_terms:
        head = max(1, max_terms - 1)
        terms = terms[:head] + ["\u2026"] + terms[-1:]
    return " + ".join(terms)


def _blank(n: int, blank: str) -> dict:
    return {"labels": [""] * n, "fill": [blank] * n, "ink": [BLANK_INK] * n}


def _grid(table: Values, codes) -> dict:
    return {"labels": [table["labels"][k] for k in codes], "fill": [table["fill"][k] for k in codes],
            "ink": [table["ink"][k] for k in codes]}


def frame(vm: dict, index: int, phase: str) -> dict:
    """One frame of a view model, resolved: every grid's cells, the outlines and the caption.

    This is all a renderer draws. ``frame.js`` (the browser view) computes the same dict from the same
    data; a browser test holds the two equal.

    Returns
    -------
    dict
        ``grids`` (panel → list of ``{"labels", "fill", "ink"}``, row-major), ``titles`` (panel → list),
        ``active`` (panel name), ``window`` and ``ghost`` (``[top, left, rows, cols]`` on the input, or
        None), ``sampled`` (``[row, col]`` cells the window reads when dilation spreads them), ``cell``
        (``[top, left, rows, cols]`` on the map), ``link`` (bool), ``marked`` (per products grid, a cell
        index or None), ``sums`` (per products grid, the text under it), ``caption``.

    Examples
    --------
    >>> image = [[1, 2, 3, 0, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [2, 1, 0, 1, 2], [0, 1, 2, 3, 1]]   # the lesson's 5x5 image
    >>> kernel = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]   # its vertical-edge filter
    >>> vm = view_model(compute_walk(image, kernel))
    >>> f = frame(vm, 0, "slide")
    >>> f["window"], f["ghost"], f["grids"]["map"][0]["labels"][:2]   # moved on; nothing written yet
    ([0, 1, 3, 3], [0, 0, 3, 3], ['', ''])
    >>> frame(vm, 0, "collect")["grids"]["map"][0]["labels"][:2]
    ['−4', '']
    """
    if not (isinstance(vm, dict) and vm.get("kind") == "convlab.walk" and vm.get("version") == SCHEMA_VERSION):
        raise TypeError(f"vm must be a view model from convlab.views.walk.view_model(...); got {v.short(vm)}")
    phase = _check_phase(phase, vm["phases"])
    if vm["message"]:
        return {"grids": {}, "titles": {}, "active": "", "window": None, "ghost": None, "sampled": [],
                "cell": None, "link": False, "marked": [], "sums": [], "caption": vm["message"]}
    W = vm["windows"]
    n = W["count"]
    index = v.index_arg(index, "index")
    if index >= n:
        raise ValueError(f"index must be below the number of {vm['words']['units']}, {n} (0 is the first); "
                         f"got {index}")
    rule, panels, blank = vm["rules"][phase], vm["panels"], vm["colours"]["blank"]
    names = vm["channels"]
    gr, gc = divmod(index, W["grid"][1])
    place = _place(W, index)
    nxt = _place(W, index + 1) if index + 1 < n else None
    span_r, span_c = W["span"]

    grids, titles = {}, {}
    for key in ("input", "filter"):
        if key in panels:
            p = panels[key]
            grids[key] = [_grid(p["values"], codes) for codes in p["codes"]]
    pr = panels["products"]
    kcells = pr["rows"] * pr["cols"]
    if pr["lookup"] == "window":
        prod_codes = [codes[index * kcells:(index + 1) * kcells] for codes in pr["codes"]]
    else:
        inp = panels["input"]
        n_in = len(inp["values"]["fill"])
        sr_, sc_ = W["sample"]
        prod_codes = []
        for g, table in enumerate(pr["codes"]):
            in_codes = inp["codes"][min(g, len(inp["codes"]) - 1)]
            cells = [in_codes[(place[0] + (k // pr["cols"]) * sr_) * inp["cols"] + place[1] + (k % pr["cols"]) * sc_]
                     for k in range(kcells)]
            prod_codes.append([table[k * n_in + j] for k, j in enumerate(cells)] if pr["lookup"] == "input"
                              else [table[j] for j in cells])
    grids["products"] = [_grid(pr["values"], codes) if rule["products"] else _blank(kcells, blank)
                         for codes in prod_codes]
    mp = panels["map"]
    after = index + rule["map_after"]
    m_codes = []
    hist = mp.get("history")
    for k in range(mp["rows"] * mp["cols"]):
        if hist is None:
            m_codes.append(mp["codes"][k] if k < after else -1)
        else:
            code = hist["base"]
            for j in range(hist["start"][k], hist["start"][k + 1]):
                if hist["step"][j] < after:
                    code = hist["code"][j]
            m_codes.append(code)
    mt = mp["values"]
    grids["map"] = [{"labels": [mt["labels"][k] if k >= 0 else "" for k in m_codes],
                     "fill": [mt["fill"][k] if k >= 0 else blank for k in m_codes],
                     "ink": [mt["ink"][k] if k >= 0 else BLANK_INK for k in m_codes]}]
    for key, gl in grids.items():
        title = panels[key]["title"]
        titles[key] = [title + (f" · {names[g]}" if len(gl) > 1 and g < len(names) and names[g] else "")
                       for g in range(len(gl))]

    moved = rule["window"] == "next" and nxt is not None
    shown = nxt if moved else place
    window = [shown[0], shown[1], span_r, span_c]
    ghost = [place[0], place[1], span_r, span_c] if rule["ghost"] and moved else None
    sampled = []
    if tuple(W["sample"]) not in ((1, 1), (0, 0)) and "input" in panels:
        sampled = [[shown[0] + i * W["sample"][0], shown[1] + j * W["sample"][1]]
                   for i in range(pr["rows"]) for j in range(pr["cols"])]
    boxes = W.get("boxes")
    cell = [boxes[0][index], boxes[1][index], boxes[2][index], boxes[3][index]] if boxes else [gr, gc, 1, 1]
    picks = W.get("pick")
    marked = [(picks[g][index] if picks and rule["pick"] else None) for g in range(len(prod_codes))]
    label = pr.get("sum_label", "sum")
    parts = W.get("parts")
    sums = []
    for g in range(len(prod_codes)):
        val = parts[g][index] if parts and len(prod_codes) > 1 else W["value"][index]
        sums.append({"none": "", "open": f"{label} = ?", "shown": f"{label} = {val}"}[rule["sum"]])
    return {"grids": grids, "titles": titles, "active": rule["active"], "window": window, "ghost": ghost,
            "sampled": sampled, "cell": cell, "link": bool(rule["link"]), "marked": marked, "sums": sums,
            "caption": _caption(vm, index, phase, place, nxt)}


def _place(W: dict, index: int) -> list[int]:
    gr, gc = divmod(index, W["grid"][1])
    return [W["origin"][0] + gr * W["step"][0], W["origin"][1] + gc * W["step"][1]]


def _caption(vm: dict, index: int, phase: str, place, nxt) -> str:
    W, words, rule = vm["windows"], vm["words"], vm["rules"][phase]
    variants = vm["captions"][phase]
    if nxt is None and "last" in variants:
        body = variants["last"]
    elif (index + 1) % W["grid"][1] == 0 and "new_row" in variants:
        body = variants["new_row"]
    else:
        body = variants["default"]
    span_r, span_c = W["span"]
    samp = [max(1, s) for s in W["sample"]]
    rng = lambda start, count, step: _index_range(range(start, start + (count - 1) * step + 1, step))  # noqa: E731
    kr = (span_r - 1) // samp[0] + 1
    kc = (span_c - 1) // samp[1] + 1
    gr, gc = divmod(index, W["grid"][1])
    fields = {"i": _count(index + 1), "n": W["count_text"], "value": W["value"][index], "out_row": str(gr),
              "out_col": str(gc), "rows": rng(place[0], kr, samp[0]), "cols": rng(place[1], kc, samp[1])}
    if nxt is not None:
        fields.update(next_rows=rng(nxt[0], kr, samp[0]), next_cols=rng(nxt[1], kc, samp[1]))
    for name, texts in (W.get("fields") or {}).items():
        fields[name] = texts[index]
    head = f"{words['unit']} {_count(index + 1)} of {W['count_text']} \u00b7 {phase}: "
    text = head + _fill(body, fields)
    arith = _arithmetic(vm, index, place, rule["answer"])
    return text + ("\n" + arith if arith else "") + "\n" + vm["footer"]


def _fill(template: str, fields: dict) -> str:
    """Replace each ``{name}`` by its field (the browser view does the same, no format language)."""
    out, i = [], 0
    while True:
        j = template.find("{", i)
        if j < 0:
            return "".join(out) + template[i:]
        k = template.index("}", j)
        out.append(template[i:j] + fields[template[j + 1:k]])
        i = k + 1


def _arithmetic(vm: dict, index: int, place, answer: bool) -> str:
    a, W, panels = vm["arithmetic"], vm["windows"], vm["panels"]
    if a["kind"] == "field":
        return W["fields"][a["name"]][index]
    inp, pr = panels["input"], panels["products"]
    samp = W["sample"]
    texts = inp["values"]["text"]
    names = a.get("channels")
    lines = []
    channels = len(inp["codes"])
    for ch in range(channels):
        codes = inp["codes"][ch]
        cells = [codes[(place[0] + (k // pr["cols"]) * samp[0]) * inp["cols"] + place[1] + (k % pr["cols"]) * samp[1]]
                 for k in range(pr["rows"] * pr["cols"])]
        value = (W["parts"][ch][index] if channels > 1 else W["value"][index]) if answer else "?"
        if a["kind"] == "products":
            kt = panels["filter"]["values"]["text"]
            kcodes = panels["filter"]["codes"][ch]
            terms = [f"{texts[j]}\u00d7{_factor(kt[kcodes[k]])}" for k, j in enumerate(cells)]
            line = f"{_sum_text(terms, a.get('max_terms'))} = {value}"
        else:  # "reduce": max(...) or mean(...)
            line = f"{a['name']}({', '.join(texts[j] for j in cells)}) = {value}"
        lines.append(f"{names[ch]}: {line}" if names else line)
    if names and a["kind"] == "products":
        total = " + ".join(_factor(W["parts"][ch][index]) for ch in range(channels))
        lines.append(f"total: {total} = {W['value'][index]}" if answer else "total: ?")
    return "\n".join(lines)


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
    return frame(view_model(walk, max_terms=max_terms), index, phase)["caption"]
