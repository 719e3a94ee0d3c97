"""View models of the other operations (numpy only): pooling and transposed convolution, step by step.

The same plain-data layout as :func:`convlab.views.walk.view_model` (see ``docs/view_model.md``), so the
Explorer's browser view and the matplotlib figure draw them with no code of their own:

* **max / average pooling** — phases *place → max (or mean) → slide → collect*: the window on the input,
  its cells (the chosen maximum emphasised), the value landing in the pooled map;
* **transposed convolution** — the *scatter* view, phases *place → multiply → add → slide*: one input pixel,
  its block ``value × filter``, the block added into the output (overlaps sum up: where checkerboard
  artefacts come from).

:func:`operation_view` chooses by name: ``OPERATIONS`` lists the names the Explorer offers.

Examples
--------
>>> vm = operation_view("max pooling", [[1, 3, 0, 2], [4, 2, 1, 1], [0, 1, 5, 0], [2, 2, 0, 3]], size=2, stride=2)
>>> vm["phases"], vm["windows"]["value"]
(['place', 'max', 'slide', 'collect'], ['4', '2', '2', '5'])
>>> print(frame(vm, 0, "max")["caption"])
Window 1 of 4 · max: the largest value in the window is 4; it is kept, the other 3 are dropped.
max(1, 3, 4, 2) = 4
output size: ⌊(4 + 2·0 − 2)/2⌋ + 1 = 2
"""

from __future__ import annotations

import numpy as np

from .._shared import validate as v
from .._shared.format import format_number
from ..core._ops_engine import _block_rows, _block_width, _pool, _pool_plan, _transpose_plan
from ..core.sizes import pool_output_size_formula, transpose_output_size_formula
from . import palette
from .walk import (NUMBERS_MAX_CELLS, _append, _channel_names, _count, _flat, _index_range, _planes, _rule, _values,
                   base_view, compute_walk, frame, message_view, view_model)  # noqa: F401 (frame: the doctests use it)

__all__ = ["OPERATIONS", "operation_view", "operation_message_view", "pool_view_model", "transpose_view_model"]

OPERATIONS = ("convolution", "transposed convolution", "max pooling", "average pooling")
"""The operations the Explorer offers, in its menu's order."""

_POOL_RULES = {
    "place": _rule("input", False, "none", False, "current", 0, False),
    "reduce": _rule("products", True, "shown", True, "current", 0, False, pick=True),
    "slide": _rule("input", True, "shown", True, "next", 0, False, pick=True),
    "collect": _rule("map", True, "shown", True, "next", 1, True, pick=True),
}
_TRANSPOSE_RULES = {
    "place": _rule("input", False, "none", True, "current", 0, False),
    "multiply": _rule("products", True, "none", True, "current", 0, False),
    "add": _rule("map", True, "none", True, "current", 1, True),
    "slide": _rule("input", True, "none", True, "next", 1, False),
}
_HELP = {
    "place": "Step 1, place: the pooling window is put on a patch of the input.",
    "max": "Step 2, max: keep the largest value in the window.",
    "mean": "Step 2, mean: add the window's values and divide by how many there are.",
    "slide": "Step 3, slide: the window moves on by the stride.",
    "collect": "Step 4, collect: the value lands in its cell of the pooled map.",
}
_TRANSPOSE_HELP = {
    "place": "Step 1, place: one input pixel is chosen.",
    "multiply": "Step 2, multiply: the pixel's value times every filter value gives a block.",
    "add": "Step 3, add: the block is added into the output; where blocks overlap, the values add up.",
    "slide": "Step 4, slide: on to the next input pixel, one stride further in the output.",
}
POOL_WORDS = {"unit": "Window", "units": "windows", "size": "pool size", "filter": "pooling window"}
TRANSPOSE_WORDS = {"unit": "Pixel", "units": "pixels", "size": "filter size", "filter": "filter"}


def _pool_parts(kind: str):
    """Pooling's phases (its second one named for ``kind``: "max" or "mean"), rules, help and words."""
    phases = ["place", kind, "slide", "collect"]
    return phases, {ph: _POOL_RULES["reduce" if ph == kind else ph] for ph in phases}, _HELP, POOL_WORDS


def operation_message_view(operation: str, message: str) -> dict:
    """The message view (a setting that does not fit) of ``operation``: its own phases and words.

    Examples
    --------
    >>> vm = operation_message_view("max pooling", "padding must be at most half the pooling size")
    >>> vm["phases"], vm["words"]["size"], vm["windows"]["label"]
    (['place', 'max', 'slide', 'collect'], 'pool size', 'no windows: this setting does not fit')
    """
    operation = v.one_of(operation, "operation", OPERATIONS)
    if operation == "transposed convolution":
        parts = (list(_TRANSPOSE_RULES), _TRANSPOSE_RULES, _TRANSPOSE_HELP, TRANSPOSE_WORDS)
    elif operation in ("max pooling", "average pooling"):
        parts = _pool_parts("max" if operation == "max pooling" else "mean")
    else:
        parts = None
    return message_view(message, operation, parts)


def _sizes_text(rows: str, cols: str) -> str:
    """The footer's output-size line: one formula when both axes agree, else one per axis."""
    return f"output size: {rows}" if rows == cols else f"output size: rows {rows}, columns {cols}"


def pool_view_model(image, size, *, stride=None, padding=0, kind="max") -> dict:
    """The view model of max (``kind="max"``) or average (``"mean"``) pooling, one window per step.

    Arguments are those of :func:`convlab.core.ops.max_pool2d`; they are checked before any work.

    Examples
    --------
    >>> vm = pool_view_model([[1, 3], [4, 2]], 2, kind="mean")
    >>> vm["windows"]["value"][0], vm["panels"]["products"]["sum_label"]
    ('2.5', 'mean')
    """
    kind = v.one_of(kind, "kind", ("max", "mean"))
    p = _pool_plan(image, size, stride, padding, kind)  # every argument checked before any work
    (kh, kw), (sr, sc), (oh, ow), (pr, pc) = p.size, p.stride, p.out_shape, p.pads
    v.check_walk_size(oh * ow, 1)
    fmap = _pool(p)
    padded = p.padded
    c = 1 if padded.ndim == 2 else padded.shape[2]
    hp, wp = padded.shape[:2]
    pad = np.ones((hp, wp), dtype=bool)
    pad[pr:hp - pr, pc:wp - pc] = False
    inner = padded[pr:hp - pr, pc:wp - pc]
    lo, hi = float(inner.min()), float(inner.max())
    numbers = max(hp, wp) <= NUMBERS_MAX_CELLS
    table, inner_codes = _values(inner, lambda x: palette.gray_fill(x, lo, hi), True)
    pad_text = "\u2212\u221e" if kind == "max" else "0"
    pad_code = _append(table, pad_text, palette.PAD_FILL, palette.PAD_INK, pad_text)
    codes = np.full(padded.shape, pad_code, dtype=np.int64)
    codes[pr:hp - pr, pc:wp - pc] = inner_codes
    in_table = dict(table, labels=list(table["labels"]) if numbers else [""] * len(table["labels"]))

    op = kind  # the second phase's name: "max" or "mean"
    phases, rules, _, _ = _pool_parts(op)
    names = _channel_names(c)
    planes_map = _planes(fmap, c)
    values = [[format_number(x) for x in plane.ravel()] for plane in planes_map]
    pick = None
    if kind == "max":  # the cell holding the engine's maximum, first in reading order
        win = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(0, 1))[::sr, ::sc][:oh, :ow]
        # win: (oh, ow[, C], kh, kw)
        flat = win.reshape(win.shape[:-2] + (kh * kw,))
        target = fmap[..., None]
        first = np.argmax(flat == target, axis=-1)  # (oh, ow[, C])
        pick = [[int(x) for x in plane.ravel()] for plane in _planes(first, c)]
    m_numbers = max(oh, ow) <= NUMBERS_MAX_CELLS
    m0 = planes_map[0]
    m_table, m_codes = _values(m0, lambda x: palette.gray_fill(x, float(m0.min()), float(m0.max())), m_numbers)
    footer = _sizes_text(pool_output_size_formula(inner.shape[0], kh, stride=sr, padding=pr),
                         pool_output_size_formula(inner.shape[1], kw, stride=sc, padding=pc))
    if kind == "max" and (pr or pc):
        footer += "\nThe padding holds \u2212\u221e, so the maximum is never a padded cell."
    where = "padded input" if pr or pc else "input"
    if kind == "max":
        reduce_line = ("the largest value in the window is {value}; it is kept, the other "
                       f"{kh * kw - 1} are dropped." if c == 1 else "the largest value of each channel is kept.")
    else:
        reduce_line = (f"the {kh * kw} values are added and divided by {kh * kw}: {{value}}." if c == 1
                       else "each channel's values are averaged.")
    vm = base_view("max pooling" if kind == "max" else "average pooling", phases, rules, _HELP, POOL_WORDS)
    vm.update({
        "channels": names, "footer": footer,
        "panels": {
            "input": {"title": "input (padded)" if pr or pc else "input", "rows": hp, "cols": wp, "numbers": numbers,
                      "values": in_table, "codes": [_flat(x) for x in _planes(codes, c)], "pad": [pr, pr, pc, pc],
                      "unvisited_rows": [], "unvisited_cols": []},
            "products": {"title": "window", "rows": kh, "cols": kw, "numbers": True, "values": table,
                         "sum_label": op, "lookup": "same", "codes": [list(range(len(table["fill"])))] * c},
            "map": {"title": f"pooled map ({op})" + (f" · {names[0]}" if c > 1 else ""), "rows": oh, "cols": ow,
                    "numbers": m_numbers, "values": m_table, "codes": _flat(m_codes)},
        },
        "windows": {"count": oh * ow, "count_text": _count(oh * ow), "grid": [oh, ow], "origin": [0, 0],
                    "step": [sr, sc], "sample": [1, 1], "span": [kh, kw], "value": values[0],
                    "parts": values if c > 1 else None, "pick": pick, "boxes": None, "fields": {}},
        "captions": {
            "place": {"default": f"the pooling window covers rows {{rows}}, columns {{cols}} of the {where}."},
            op: {"default": reduce_line},
            "slide": {"default": "the window moves on by the stride, to rows {next_rows}, columns {next_cols}.",
                      "last": "this was the last window: the walk is complete."},
            "collect": {"default": ("{value} goes" if c == 1 else "the values go") + " to row {out_row}, column "
                                   "{out_col} of the pooled map ({i} of {n} cells filled)."},
        },
        "arithmetic": {"kind": "reduce", "name": op, "channels": names if c > 1 else None},
    })
    return vm


def transpose_view_model(image, kernel, *, stride=1, padding=0, output_padding=0, dilation=1) -> dict:
    """The scatter view of transposed convolution: one input pixel per step, its block added into the output.

    Arguments are those of :func:`convlab.core.ops.conv_transpose2d`; they are checked before any work.
    The output is sent once as each cell's history (the value after every block that touched it), so the
    figure shows the output before a pixel's block until its add phase.

    Examples
    --------
    >>> vm = transpose_view_model([[1, 2]], [[1, 1, 1]], stride=2)
    >>> vm["phases"], frame(vm, 1, "add")["grids"]["map"][0]["labels"]
    (['place', 'multiply', 'add', 'slide'], ['1', '1', '3', '2', '2'])
    """
    p = _transpose_plan(image, kernel, stride, padding, output_padding, dilation)  # checked before any work
    img, ker = p.image, p.kernel
    c = 1 if img.ndim == 2 else img.shape[2]
    h, w = img.shape[:2]
    kh, kw = ker.shape[:2]
    oh, ow = p.out_shape
    (sr, sc), (dr, dc) = p.stride, p.dilation
    ct, cl = p.crop
    v.check_walk_size(h * w, kh * kw)
    # the engine's blocks, added in the engine's order; each output cell's value after every block
    blocks = np.empty((kh, kw, h * w))  # (kh, kw, h*w): the blocks of pixels come in reading order
    for r0, r1, c0, c1, b in _block_rows(img, ker, _block_width(p)):
        start = r0 * w + c0
        blocks[:, :, start:start + (r1 - r0) * (c1 - c0)] = b[:, :, :, :c1 - c0].reshape(kh, kw, -1)
    canvas = np.zeros(p.canvas_shape)
    cell_ev, step_ev, value_ev = [], [], []
    ii, jj = np.meshgrid(np.arange(kh), np.arange(kw), indexing="ij")
    for idx in range(h * w):
        r, q = divmod(idx, w)
        rows, cols = r * sr + ii * dr, q * sc + jj * dc
        canvas[rows, cols] += blocks[:, :, idx]
        orow, ocol = rows - ct, cols - cl
        inside = (orow >= 0) & (orow < oh) & (ocol >= 0) & (ocol < ow)
        cell_ev.append((orow * ow + ocol)[inside])
        value_ev.append(canvas[rows, cols][inside])
        step_ev.append(np.full(int(inside.sum()), idx))
    cell_ev, step_ev, value_ev = (np.concatenate(x) for x in (cell_ev, step_ev, value_ev))
    order = np.argsort(cell_ev, kind="stable")  # per cell, in step order
    cell_ev, step_ev, value_ev = cell_ev[order], step_ev[order], value_ev[order]

    lo, hi = float(img.min()), float(img.max())
    in_numbers = max(h, w) <= NUMBERS_MAX_CELLS
    in_table, in_codes = _values(img, lambda x: palette.gray_fill(x, lo, hi), in_numbers)
    k_numbers = max(kh, kw) <= NUMBERS_MAX_CELLS
    k_limit = palette.symmetric_limit(ker)
    k_table, k_codes = _values(ker, lambda x: palette.signed_fill(x, k_limit), k_numbers)
    b_limit = palette.symmetric_limit(blocks)
    b_table, b_codes = _values(np.moveaxis(blocks, -1, 0), lambda x: palette.signed_fill(x, b_limit), True,
                               key_digits=2)
    m_numbers = max(oh, ow) <= NUMBERS_MAX_CELLS
    m_limit = palette.symmetric_limit(value_ev) if len(value_ev) else 1.0
    m_table, ev_codes = _values(np.append(value_ev, 0.0), lambda x: palette.signed_fill(x, m_limit), m_numbers)
    zero_code = int(ev_codes[-1])
    start = np.searchsorted(cell_ev, np.arange(oh * ow + 1))

    names = _channel_names(c)
    vals = img.reshape(h * w, c)
    who = [format_number(x[0]) if c == 1 else "(" + ", ".join(f"{n} {format_number(y)}" for n, y in zip(names, x)) + ")"
           for x in vals]
    tops = np.arange(h * w) // w * sr - ct
    lefts = np.arange(h * w) % w * sc - cl
    span_r, span_c = dr * (kh - 1) + 1, dc * (kw - 1) + 1
    b0 = np.clip(tops, 0, oh - 1)
    b1 = np.clip(lefts, 0, ow - 1)
    b2 = np.maximum(np.minimum(tops + span_r, oh) - b0, 1)
    b3 = np.maximum(np.minimum(lefts + span_c, ow) - b1, 1)
    add_text, arith = [], []
    for idx in range(h * w):
        r, q = divmod(idx, w)
        rows = range(r * sr, r * sr + span_r, dr)
        cols = range(q * sc, q * sc + span_c, dc)
        out_rows = [y - ct for y in rows]
        out_cols = [x - cl for x in cols]
        cropped = any(not 0 <= y < oh for y in out_rows) or any(not 0 <= x < ow for x in out_cols)
        add_text.append(f"rows {_index_range(out_rows)}, columns {_index_range(out_cols)}"
                        + (" (the part outside the output is cropped by the padding)" if cropped else ""))
        span = lambda idxs, noun: (f"{noun} {idxs[0]}" if len(idxs) == 1 else  # noqa: E731
                                   f"{noun}s {_index_range(idxs)}")
        arith.append(f"{who[idx]} \u00d7 filter added at {span(list(rows), 'row')}, {span(list(cols), 'column')}")
    strides, dilations = (sr, sc), (dr, dc)
    extras = v.output_padding_pair(output_padding, strides, dilations)
    formulas = [transpose_output_size_formula(n_, k_, stride=s_, padding=p_, output_padding=o_, dilation=d_)
                for n_, k_, s_, p_, o_, d_ in zip((h, w), (kh, kw), strides, p.crop, extras, dilations)]
    vm = base_view("transposed convolution", list(_TRANSPOSE_RULES), _TRANSPOSE_RULES, _TRANSPOSE_HELP,
                   TRANSPOSE_WORDS)
    vm.update({
        "channels": names, "footer": _sizes_text(*formulas),
        "panels": {
            "input": {"title": "input", "rows": h, "cols": w, "numbers": in_numbers, "values": in_table,
                      "codes": [_flat(x) for x in _planes(in_codes, c)], "pad": [0, 0, 0, 0],
                      "unvisited_rows": [], "unvisited_cols": []},
            "filter": {"title": "filter", "rows": kh, "cols": kw, "numbers": k_numbers, "values": k_table,
                       "codes": [_flat(x) for x in _planes(k_codes, c)]},
            "products": {"title": "value × filter", "rows": kh, "cols": kw, "numbers": True, "values": b_table,
                         "sum_label": "sum", "lookup": "window", "codes": [_flat(b_codes)]},
            "map": {"title": "output (overlaps add up)", "rows": oh, "cols": ow, "numbers": m_numbers,
                    "values": m_table, "codes": [zero_code] * (oh * ow),
                    "history": {"base": zero_code, "start": _flat(start), "step": _flat(step_ev),
                                "code": _flat(ev_codes[:-1])}},
        },
        "windows": {"count": h * w, "count_text": _count(h * w), "grid": [h, w], "origin": [0, 0], "step": [1, 1],
                    "sample": [0, 0], "span": [1, 1], "value": [format_number(float(np.sum(x))) for x in vals],
                    "parts": None, "pick": None,
                    "boxes": [_flat(b0), _flat(b1), _flat(b2), _flat(b3)],
                    "fields": {"who": who, "add": add_text, "arith": arith}},
        "captions": {
            "place": {"default": "input pixel row {out_row}, column {out_col} (value {who})."},
            "multiply": {"default": f"its value times every filter value gives a {kh}×{kw} block."},
            "add": {"default": "the block is added into output {add}; where blocks overlap, the values add up."},
            "slide": {"default": "on to the next input pixel: its block lands one stride further.",
                      "last": "this was the last pixel: the output is complete."},
        },
        "arithmetic": {"kind": "field", "name": "arith"},
    })
    return vm


def operation_view(operation: str, image, kernel=None, *, size=2, stride=1, padding=0, dilation=1, flip=False,
                   output_padding=0) -> dict:
    """The view model of ``operation`` (one of :data:`OPERATIONS`) with the Explorer's settings.

    Pooling uses ``size`` for its window (and ``stride``, ``padding``); transposed convolution and
    convolution use ``kernel``. Settings that do not fit raise ``ValueError`` in words, before any work.
    """
    operation = v.one_of(operation, "operation", OPERATIONS)
    if operation == "convolution":
        return view_model(compute_walk(image, kernel, stride=stride, padding=padding, dilation=dilation, flip=flip))
    if operation == "transposed convolution":
        return transpose_view_model(image, kernel, stride=stride, padding=padding, output_padding=output_padding,
                                    dilation=dilation)
    return pool_view_model(image, size, stride=stride, padding=padding,
                           kind="max" if operation == "max pooling" else "mean")
