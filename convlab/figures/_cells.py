"""What the lessons' figures share (matplotlib only): argument checks, colour scales, cell text and ticks."""

from __future__ import annotations

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.transforms import TransformedPatchPath

from .._shared import validate as v
from ..views.palette import contrast_ratio, relative_luminance  # re-exported: the lessons' figures' names for them

__all__ = ["NUMBERS_UP_TO", "MIN_FONT", "relative_luminance", "contrast_ratio"]

NUMBERS_UP_TO = 12
"""Grids with at most this many rows and columns get their numbers written in the cells."""


def _release_pixels(fig: Figure) -> None:
    """Let go of the pixels Agg drew ``fig`` into, once its PNG is made.

    An Agg canvas keeps its renderer, a width x height x 4 byte buffer (1.2 MB for a 10-inch figure at
    96 dpi), until the figure is drawn again or collected. A new canvas of the same class leaves it to be
    freed; the next draw makes a new one (a fresh buffer: about a millisecond). Figures that pyplot still
    manages (an open window, ``canvas.manager`` set) keep theirs.
    """
    canvas = fig.canvas
    if isinstance(canvas, FigureCanvasAgg) and getattr(canvas, "manager", None) is None:
        type(canvas)(fig)


def _tight_layout(fig: Figure, **kwargs) -> None:
    """``fig.tight_layout(**kwargs)``, done once: the figure is left with no layout engine.

    ``tight_layout`` leaves a placeholder engine on the figure, and ``savefig`` first lays out and draws
    (rendering nothing) every figure that has an engine, then draws it for real. For a figure laid out once,
    that first pass is wasted: about a third of the time to save one (lesson 07's network maps: 137 -> 90 ms,
    its grids 130 -> 88 ms), for the same PNG bytes.

    Whatever ``rcParams`` ask for new figures (``figure.autolayout``, ``figure.constrained_layout.use``),
    the figure is laid out here, once: an engine it was made with is dropped first (a constrained engine
    and ``tight_layout`` refuse each other once the figure has a colour bar).
    """
    with rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)  # None, not "none": "none" leaves a placeholder
        fig.tight_layout(**kwargs)
        fig.set_layout_engine(None)


def _shared_text_clip(ax) -> TransformedPatchPath:
    """One clip path for many numbers written on ``ax``: pass it as ``clip_path=`` to each ``ax.text``.

    ``Axes.text`` otherwise gives every new text a clip box of its own, built from the Axes' patch: a few
    transform objects per text, about 3 kB, although a text is drawn unclipped (``clip_on=False``, its
    default) and the box is never used. The drawing is the same (the PNG bytes too); the Explorer's
    picture of a 16x16 image (470 numbers) needs 2.8 MB less memory while it is drawn.
    """
    return TransformedPatchPath(ax.patch)


# ------------------------------------------------------------------ argument checks (before any drawing)


def _check_axes(ax) -> None:
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes (e.g. from plt.subplots()); got {v.short(ax)}")


def _check_figure(fig) -> None:
    from matplotlib.figure import Figure as _Figure

    if not isinstance(fig, _Figure):
        raise TypeError(f"fig must be a matplotlib Figure; got {v.short(fig)}")


def _grid_values(values, name: str = "values") -> np.ndarray:
    return v.as_array(values, name, ndims=(2,), shape_hint="a 2-D grid (rows, cols)")


def _optional_bool(value, name: str, meaning: str):
    return None if value is None else v.check_bool(value, name, meaning)


def _check_title(title, name: str = "title"):
    if title is not None and not isinstance(title, str):
        raise TypeError(f"{name} must be a string; got {v.short(title)}")
    return title


def _grid_options(signed, numbers, digits, percentile, limit):
    _optional_bool(signed, "signed", "diverging colours centred on zero")
    _optional_bool(numbers, "numbers", "write the numbers in the cells")
    v.check_at_most(v.seed_arg(digits, "digits"), 15, "digits")
    v.real_number(percentile, "percentile", minimum=0, maximum=100, inclusive_min=False)
    if limit is not None and not isinstance(limit, Normalize):  # a Normalize: a shared scale from grids()
        v.real_number(limit, "limit", minimum=0, inclusive_min=False)


MIN_FONT = 9
"""Smallest text in a lesson figure, in points (12 CSS pixels when shown by :func:`show`)."""


def _signed(values) -> bool:
    return bool(np.min(values) < 0)


def _constant(values) -> bool:
    return values.size > 0 and float(np.max(values)) == float(np.min(values))


def _norm(values, signed: bool, percentile: float = 100) -> Normalize:
    values = np.asarray(values, dtype=np.float64)
    if _constant(values):  # all cells equal: the middle of the scale (mid-grey), with the value written
        x = float(values.flat[0])
        return Normalize(x - 1, x + 1)
    if signed:
        m = float(np.percentile(np.abs(values), percentile)) or float(np.max(np.abs(values))) or 1.0
        return Normalize(-m, m)
    lo, hi = float(np.min(values)), float(np.max(values))
    return Normalize(lo, hi if hi > lo else lo + 1)


def _fontsize(shape) -> int:
    return 11 if max(shape) <= 7 else MIN_FONT


def _cell_ticks(ax, shape, numbers: bool) -> None:
    """Row/column numbers and thin lines between the cells of a grid with numbers; no ticks otherwise."""
    if numbers:
        ax.set_xticks(range(shape[1]))
        ax.set_yticks(range(shape[0]))
        ax.tick_params(length=0, labelsize=MIN_FONT)
        ax.set_xticks(np.arange(shape[1] + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(shape[0] + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="#888", linewidth=0.5)
        ax.tick_params(which="minor", length=0)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xticks([], minor=True)
        ax.set_yticks([], minor=True)
        ax.grid(False, which="minor")


def _new_figure(width: float, height: float, dpi: int) -> Figure:
    """A plain Figure with an Agg canvas: not registered with pyplot, so a widget's figure never leaks."""
    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _redraw_later(fig: Figure) -> None:
    """``draw_idle`` for a canvas that shows itself; nothing for the plain Agg canvas of :func:`_new_figure`.

    Agg's ``draw_idle`` draws at once, and a widget's figure is drawn again when it is rendered to PNG:
    skipping it halves the work of every update.
    """
    if type(fig.canvas) is not FigureCanvasAgg:
        fig.canvas.draw_idle()


def _agg_png(fig: Figure) -> bytes:
    """The figure as PNG bytes at its own dpi: one Agg draw, no alpha plane, encoded by Pillow at a fast
    zlib level (the file is a little larger: flat colours compress well), for the lessons' live figures,
    whose PNG is re-rendered at every slider step.

    It took about half the time of ``savefig`` while ``tight_layout``'s placeholder engine made ``savefig``
    lay out and draw every figure twice; since :func:`_tight_layout` drops that engine the two are within
    5% (a LearningFigure: 84 ms against 87 ms). It stays for what it leaves out: no alpha plane and no
    metadata, and a zlib level that favours time over bytes, on a PNG made again at every slider step.
    """
    import io

    from PIL import Image

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    rgb = np.ascontiguousarray(np.asarray(canvas.buffer_rgba())[..., :3])
    _release_pixels(fig)
    buf = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buf, format="png", compress_level=1)
    return buf.getvalue()
