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
>>> vm["phases"], [s["value_label"] for s in vm["steps"]]
(['place', 'max', 'slide', 'collect'], ['4', '2', '2', '5'])
>>> print(vm["steps"][0]["captions"]["max"])
Window 1 of 4 · max: the largest value in the window is 4; it is kept, the other 3 are dropped.
max(1, 3, 4, 2) = 4
"""

from __future__ import annotations

from itertools import islice

import numpy as np

from .._shared import validate as v
from ..core import limits
from . import palette
from .._shared.format import format_number
from ..core.op_steps import iter_pool_steps, iter_transpose_steps
from ..core.sizes import pool_output_size_formula, transpose_output_size_formula
from .walk import COLOURS, NUMBERS_MAX_CELLS, _cells, _index_range, _planes, compute_walk, view_model

__all__ = ["OPERATIONS", "operation_view", "pool_view_model", "transpose_view_model"]

OPERATIONS = ("convolution", "transposed convolution", "max pooling", "average pooling")
"""The operations the Explorer offers, in its menu's order."""

_POOL_TABLE = {
    "place": dict(active="input", show_products=False, show_sum=False, filled_extra=0, ghost=False, link=False),
    "reduce": dict(active="products", show_products=True, show_sum=True, filled_extra=0, ghost=False, link=False),
    "slide": dict(active="input", show_products=True, show_sum=True, filled_extra=1, ghost=True, link=False),
    "collect": dict(active="map", show_products=True, show_sum=True, filled_extra=1, ghost=False, link=True),
}
_TRANSPOSE_TABLE = {
    "place": dict(active="input", show_products=False, show_sum=False, filled_extra=0, ghost=False, link=False),
    "multiply": dict(active="products", show_products=True, show_sum=False, filled_extra=0, ghost=False, link=False),
    "add": dict(active="map", show_products=True, show_sum=False, filled_extra=1, ghost=False, link=True),
    "slide": dict(active="input", show_products=True, show_sum=False, filled_extra=1, ghost=True, link=False),
}
_HELP = {
    "place": "Step 1, place: the window (or, for transposed convolution, one input pixel) is chosen.",
    "max": "Step 2, max: keep the largest value in the window.",
    "mean": "Step 2, mean: add the window's values and divide by how many there are.",
    "multiply": "Step 2, multiply: the pixel's value times every filter value gives a block.",
    "add": "Step 3, add: the block is added into the output; where blocks overlap, the values add up.",
    "slide": "Next, slide: move on by the stride and repeat.",
    "collect": "Last, collect: the value lands in its cell of the output.",
}


def _base(operation: str, phases: list[str], table: dict) -> dict:
    return {"kind": "convlab.walk", "version": 1, "operation": operation, "message": "", "phases": phases,
            "phase_help": {p: _HELP[p] for p in phases}, "phase_table": table, "colours": COLOURS}


def _bounded(walk) -> list:
    """Every step of a walk, refusing (in words) walks too long to show step by step."""
    steps = list(islice(walk, limits.MAX_WINDOWS + 1))
    v.check_walk_size(len(steps), 1)
    return steps


def _sizes_text(rows: str, cols: str) -> str:
    """The footer's output-size line: one formula when both axes agree, else one per axis."""
    return f"output size: {rows}" if rows == cols else f"output size: rows {rows}, columns {cols}"


def pool_view_model(image, size, *, stride=None, padding=0, kind="max") -> dict:
    """The view model of max (``kind="max"``) or average (``"mean"``) pooling, one window per step.

    Arguments are those of :func:`convlab.core.ops.max_pool2d`; they are checked before any work.

    Examples
    --------
    >>> vm = pool_view_model([[1, 3], [4, 2]], 2, kind="mean")
    >>> vm["steps"][0]["value_label"], vm["panels"]["products"]["sum_label"]
    ('2.5', 'mean')
    """
    steps = _bounded(iter_pool_steps(image, size, stride=stride, padding=padding, kind=kind))
    img = v.as_image(image)
    c = 1 if img.ndim == 2 else img.shape[2]
    first = steps[0]
    kh, kw = first.window.shape[:2]
    pr, pc = first.padding
    oh, ow = steps[-1].out_row + 1, steps[-1].out_col + 1
    fmap = np.zeros((oh, ow) + (() if c == 1 else (c,)))
    for s in steps:  # the engine's values, collected: no second computation
        fmap[s.out_row, s.out_col] = s.value
    display = np.pad(img, [(pr, pr), (pc, pc)] + [(0, 0)] * (img.ndim - 2))
    hp, wp = display.shape[:2]
    pad = np.ones((hp, wp), dtype=bool)
    pad[pr:hp - pr, pc:wp - pc] = False
    lo, hi = float(img.min()), float(img.max())
    numbers = max(hp, wp) <= NUMBERS_MAX_CELLS
    pad_label = "\u2212\u221e" if kind == "max" else "0"
    inputs = []
    for plane in _planes(display, c):
        cells = _cells(plane, palette.gray_fill(plane, lo, hi), numbers)
        cells["fill"] = [palette.PAD_FILL if m else f for m, f in zip(pad.ravel(), cells["fill"])]
        cells["ink"] = [palette.PAD_INK if m else f for m, f in zip(pad.ravel(), cells["ink"])]
        cells["labels"] = [(pad_label if numbers else "") if m else t for m, t in zip(pad.ravel(), cells["labels"])]
        inputs.append(cells)
    op = "max" if kind == "max" else "mean"
    phases = ["place", op, "slide", "collect"]
    table = {p: _POOL_TABLE["reduce" if p == op else p] for p in phases}
    n = len(steps)
    names = ["R", "G", "B"] if c == 3 else ([""] if c == 1 else [str(i) for i in range(c)])
    out = []
    for s in steps:
        rows, cols = list(range(s.top, s.top + kh)), list(range(s.left, s.left + kw))
        where = f"rows {_index_range(rows)}, columns {_index_range(cols)} of the " + ("padded input" if pr or pc else "input")
        arith = s.arithmetic(channel_names=names if c > 1 else None)
        open_ = "\n".join(line.rsplit(" = ", 1)[0] + " = ?" for line in arith.splitlines())
        values = np.atleast_1d(s.value)
        if kind == "max":
            reduce_line = (f"the largest value in the window is {format_number(values[0])}; it is kept, the other "
                           f"{kh * kw - 1} are dropped." if c == 1 else "the largest value of each channel is kept.")
        else:
            reduce_line = (f"the values add up to {format_number(values[0] * kh * kw)}; divided by {kh * kw} cells "
                           f"that is {format_number(values[0])}." if c == 1 else "each channel's values are averaged.")
        nxt = steps[s.index + 1] if s.index + 1 < n else None
        slide = ("this was the last window: the walk is complete." if nxt is None else
                 f"the window moves on by the stride, to rows {_index_range(range(nxt.top, nxt.top + kh))}, "
                 f"columns {_index_range(range(nxt.left, nxt.left + kw))}.")
        lines = {"place": f"the pooling window covers {where}.", op: reduce_line, "slide": slide,
                 "collect": f"{format_number(values[0]) if c == 1 else 'the values'} go{'es' if c == 1 else ''} to "
                            f"row {s.out_row}, column {s.out_col} of the pooled map ({s.index + 1} of {n} cells filled)."}
        captions = {p: f"Window {s.index + 1} of {n} · {p}: {lines[p]}\n" + (open_ if p == "place" else arith)
                    for p in phases}
        windows = _planes(np.where(np.isfinite(s.window), s.window, 0.0), c)
        products = []
        for ch, w in enumerate(windows):
            cells = _cells(w, palette.gray_fill(w, lo, hi), True)
            if kind == "max":  # padded cells of the window read −∞, in the padding's colours
                finite = np.isfinite(_planes(s.window, c)[ch].ravel())
                for key, pad_value in (("labels", "\u2212\u221e"), ("fill", palette.PAD_FILL), ("ink", palette.PAD_INK)):
                    cells[key] = [x if ok else pad_value for x, ok in zip(cells[key], finite)]
            products.append(cells)
        chosen = [s.chosen] if c == 1 else list(s.chosen or [])
        out.append({"window": s.index + 1, "top": s.top, "left": s.left, "rows": rows, "cols": cols,
                    "out_row": s.out_row, "out_col": s.out_col, "value": float(values[0]),
                    "value_label": format_number(values[0], 2), "products": products,
                    "channel_sums": [format_number(x, 2) for x in values],
                    "pick": [r * kw + q for r, q in chosen] if kind == "max" else None, "captions": captions})
    m_lo, m_hi = float(fmap.min()), float(fmap.max())
    m_numbers = max(oh, ow) <= NUMBERS_MAX_CELLS
    stride_pair = (kh, kw) if stride is None else v.positive_pair(stride, "stride")
    footer = _sizes_text(pool_output_size_formula(img.shape[0], kh, stride=stride_pair[0], padding=pr),
                         pool_output_size_formula(img.shape[1], kw, stride=stride_pair[1], padding=pc))
    if kind == "max" and (pr or pc):
        footer += "\nThe padding holds −∞, so the maximum is never a padded cell."
    vm = _base("max pooling" if kind == "max" else "average pooling", phases, table)
    vm.update({
        "channels": names, "span": [kh, kw], "stride": list(stride_pair), "dilation": [1, 1], "footer": footer,
        "panels": {
            "input": {"title": "input (padded)" if pr or pc else "input", "rows": hp, "cols": wp, "numbers": numbers,
                      "cells": inputs, "pad": [pr, pr, pc, pc], "unvisited_rows": [], "unvisited_cols": []},
            "products": {"title": "window", "rows": kh, "cols": kw, "numbers": True, "sum_label": op},
            "map": {"title": f"pooled map ({op})" + (f" · {names[0]}" if c > 1 else ""), "rows": oh, "cols": ow, "numbers": m_numbers,
                    "cells": [_cells(p, palette.gray_fill(p, m_lo, m_hi), m_numbers) for p in _planes(fmap, c)][:1]},
        },
        "steps": out,
    })
    return vm


def transpose_view_model(image, kernel, *, stride=1, padding=0, output_padding=0, dilation=1) -> dict:
    """The scatter view of transposed convolution: one input pixel per step, its block added into the output.

    Arguments are those of :func:`convlab.core.ops.conv_transpose2d`; they are checked before any work.
    Each step carries the output *after* its block was added (``"map"``); the figure shows the output before
    the block until the add phase.

    Examples
    --------
    >>> vm = transpose_view_model([[1, 2]], [[1, 1, 1]], stride=2)
    >>> vm["phases"], vm["steps"][1]["map"]["labels"]
    (['place', 'multiply', 'add', 'slide'], ['1', '1', '3', '2', '2'])
    """
    steps = _bounded(iter_transpose_steps(image, kernel, stride=stride, padding=padding,
                                          output_padding=output_padding, dilation=dilation))
    img = v.as_image(image)
    ker = v.as_kernel(kernel, img)
    c = 1 if img.ndim == 2 else img.shape[2]
    h, w = img.shape[:2]
    kh, kw = ker.shape[:2]
    oh, ow = steps[0].out_shape
    final = steps[-1].running
    lo, hi = float(img.min()), float(img.max())
    in_numbers = max(h, w) <= NUMBERS_MAX_CELLS
    k_limit = palette.symmetric_limit(ker)
    k_numbers = max(kh, kw) <= NUMBERS_MAX_CELLS
    b_limit = palette.symmetric_limit(np.stack([s.block for s in steps]))
    m_limit = palette.symmetric_limit(final)
    m_numbers = max(oh, ow) <= NUMBERS_MAX_CELLS
    names = ["R", "G", "B"] if c == 3 else ([""] if c == 1 else [str(i) for i in range(c)])
    phases = list(_TRANSPOSE_TABLE)
    n = len(steps)
    out = []
    for s in steps:
        rows = [int(r) - s.crop_top for r in s.rows]
        cols = [int(q) - s.crop_left for q in s.cols]
        inside_r = [r for r in rows if 0 <= r < oh] or [min(max(rows[0], 0), oh - 1)]
        inside_c = [q for q in cols if 0 <= q < ow] or [min(max(cols[0], 0), ow - 1)]
        box = [inside_r[0], inside_c[0], inside_r[-1] - inside_r[0] + 1, inside_c[-1] - inside_c[0] + 1]
        value = format_number(s.value) if c == 1 else ", ".join(format_number(x) for x in s.value)
        cropped = "" if rows == inside_r and cols == inside_c else " (the part outside the output is cropped by the padding)"
        nxt = steps[s.index + 1] if s.index + 1 < n else None
        lines = {
            "place": f"input pixel row {s.in_row}, column {s.in_col} (value {value}).",
            "multiply": f"its value times every filter value gives a {kh}×{kw} block.",
            "add": f"the block is added into output rows {_index_range(rows)}, columns {_index_range(cols)}{cropped}; "
                   "where blocks overlap, the values add up.",
            "slide": ("this was the last pixel: the output is complete." if nxt is None else
                      f"on to input pixel row {nxt.in_row}, column {nxt.in_col}: its block lands one stride further."),
        }
        arith = s.arithmetic(channel_names=names if c > 1 else None)
        captions = {p: f"Pixel {s.index + 1} of {n} · {p}: {lines[p]}\n{arith}" for p in phases}
        out.append({"window": s.index + 1, "top": s.in_row, "left": s.in_col, "rows": [s.in_row], "cols": [s.in_col],
                    "out_row": box[0], "out_col": box[1], "map_box": box,
                    "value": float(np.sum(s.value)), "value_label": value,
                    "products": [_cells(s.block, palette.signed_fill(s.block, b_limit), k_numbers)],
                    "channel_sums": [value], "captions": captions,
                    "map": _cells(s.running, palette.signed_fill(s.running, m_limit), m_numbers)})
    zeros = np.zeros((oh, ow))
    strides, dilations = v.positive_pair(stride, "stride"), v.positive_pair(dilation, "dilation")
    extras = v.output_padding_pair(output_padding, strides, dilations)
    crops = (steps[0].crop_top, steps[0].crop_left)
    formulas = [transpose_output_size_formula(n_, k_, stride=s_, padding=p_, output_padding=o_, dilation=d_)
                for n_, k_, s_, p_, o_, d_ in zip((h, w), (kh, kw), strides, crops, extras, dilations)]
    footer = _sizes_text(*formulas)
    vm = _base("transposed convolution", phases, _TRANSPOSE_TABLE)
    vm.update({
        "channels": names, "span": [1, 1], "stride": list(strides),
        "dilation": [1, 1], "footer": footer,
        "panels": {
            "input": {"title": "input", "rows": h, "cols": w, "numbers": in_numbers,
                      "cells": [_cells(p, palette.gray_fill(p, lo, hi), in_numbers) for p in _planes(img, c)],
                      "pad": [0, 0, 0, 0], "unvisited_rows": [], "unvisited_cols": []},
            "filter": {"title": "filter", "rows": kh, "cols": kw, "numbers": k_numbers,
                       "cells": [_cells(p, palette.signed_fill(p, k_limit), k_numbers) for p in _planes(ker, c)]},
            "products": {"title": "value × filter", "rows": kh, "cols": kw, "numbers": k_numbers, "sum_label": "sum"},
            "map": {"title": "output (overlaps add up)", "rows": oh, "cols": ow, "numbers": m_numbers,
                    "cells": [_cells(zeros, palette.signed_fill(zeros, m_limit), m_numbers)]},
        },
        "steps": out,
    })
    return vm


def operation_view(operation: str, image, kernel=None, *, size=2, stride=1, padding=0, dilation=1, flip=False,
                   output_padding=0) -> dict:
    """The view model of ``operation`` (one of :data:`OPERATIONS`) with the Explorer's settings.

    Pooling uses ``size`` for its window (and ``stride``, ``padding``); transposed convolution and
    convolution use ``kernel``. Settings that do not fit raise ``ValueError`` in words, before any work.
    """
    if not isinstance(operation, str) or operation not in OPERATIONS:
        raise ValueError(f"operation must be one of {', '.join(map(repr, OPERATIONS))}; got {v.short(operation)}")
    if operation == "convolution":
        return view_model(compute_walk(image, kernel, stride=stride, padding=padding, dilation=dilation, flip=flip))
    if operation == "transposed convolution":
        return transpose_view_model(image, kernel, stride=stride, padding=padding, output_padding=output_padding,
                                    dilation=dilation)
    return pool_view_model(image, size, stride=stride, padding=padding,
                           kind="max" if operation == "max pooling" else "mean")
