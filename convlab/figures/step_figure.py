"""The step figure (matplotlib only): paints a view model, built once per setting, updated in place.

:func:`convlab.views.walk.view_model` says what every frame shows — cells with their labels and colours,
the window, the cells it samples, the feature-map cell it fills, and per phase what is visible (the phase
table). :class:`StepFigure` only paints that, the same data the browser view of the Explorer paints, so a
static figure, a GIF frame and the live view cannot disagree.

=================  =============================================================================
input              the (padded) input; padding tan and hatched; the window outlined, sampled cells marked
filter             the kernel's numbers (rotated by 180 degrees for convolution)
products           window × filter, element by element (blank until the multiply phase)
feature map        filling in as the filter slides; the current cell outlined, linked to the window
=================  =============================================================================

Under the panels, the caption: what this phase does, the arithmetic and the output-size formula.

Examples
--------
>>> fig = draw_step_figure(step=1, phase="sum")
>>> print(fig.convlab_caption.splitlines()[1])
1×1 + 2×0 + 3×(−1) + 0×1 + 1×0 + 2×(−1) + 1×1 + 2×0 + 1×(−1) = −4
"""

from __future__ import annotations

import io
import textwrap

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from matplotlib.patches import ConnectionPatch, Rectangle

from .._shared import validate as v
from ..views.walk import SCHEMA_VERSION, _check_phase, compute_walk, frame, message_view, view_model  # one phase check
from ..data.images import SEED_IMAGE, SEED_KERNEL
from ._cells import _shared_text_clip

__all__ = ["StepFigure", "draw_step_figure", "frame_png", "DEFAULT_DPI"]

DEFAULT_DPI = 100
"""Figures are 10 inches wide: 1000 pixels, numbers of 9 pt or more at the size a notebook shows them."""

_PANEL_ORDER = ("input", "filter", "products", "map")
_GRID_GREY = "#9a9a9a"
_FRAME = "#444444"


class CellGrid:
    """One panel: a grid of coloured cells with a number written in each, painted from view-model cells.

    Built once (an RGBA image and one text per cell); :meth:`paint` changes their data in place.
    """

    def __init__(self, ax, rows: int, cols: int, *, numbers: bool, title: str):
        self.ax, self.rows, self.cols = ax, rows, cols
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_navigate(False)
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)
        ax.set_aspect("equal")
        ax.set_title(title, fontsize=11, pad=5)
        # RGBA in float32: matplotlib resamples an image in its own dtype, and adds an alpha plane to RGB in
        # float64; so drawing a 16x16 panel 238 px wide takes 2 MB less at its peak, with the same PNG bytes
        self.rgb = np.ones((rows, cols, 4), dtype=np.float32)
        self.image = ax.imshow(self.rgb, interpolation="nearest", zorder=1)
        box = ax.get_position()
        w_in, h_in = ax.figure.get_size_inches()
        cell_pt = min(box.width * w_in / cols, box.height * h_in / rows) * 72
        self.fontsize = float(np.clip(cell_pt * 0.36, 7.0, 14.0))
        clip = _shared_text_clip(ax)
        self.texts = [ax.text(j, i, "", ha="center", va="center", fontsize=self.fontsize, zorder=4, clip_path=clip)
                      for i in range(rows) for j in range(cols)] if numbers else []
        if numbers:
            segs = [[(x - 0.5, -0.5), (x - 0.5, rows - 0.5)] for x in range(1, cols)]
            segs += [[(-0.5, y - 0.5), (cols - 0.5, y - 0.5)] for y in range(1, rows)]
            ax.add_collection(LineCollection(segs, colors=_GRID_GREY, linewidths=0.6, zorder=2))

    def paint(self, cells: dict | None, blank: str = "#ffffff", shown=None) -> None:
        """Paint ``cells`` (labels, fill, ink); cells where ``shown`` is False (or all, for None cells) are blank."""
        n = self.rows * self.cols
        if cells is None:
            fill, labels, inks = [blank] * n, [""] * n, ["#000000"] * n
        else:
            fill, labels, inks = cells["fill"], cells["labels"], cells["ink"]
            if shown is not None:
                fill = [f if s else blank for f, s in zip(fill, shown)]
                labels = [t if s else "" for t, s in zip(labels, shown)]
        self.rgb[..., :3] = to_rgba_array(fill)[:, :3].reshape(self.rows, self.cols, 3)
        self.image.set_data(self.rgb)
        for t, label, colour in zip(self.texts, labels, inks):
            t.set_text(label)
            t.set_color(colour)

    def set_active(self, active: bool, colour: str) -> None:
        for spine in self.ax.spines.values():
            spine.set_edgecolor(colour if active else _FRAME)
            spine.set_linewidth(3 if active else 0.8)


class StepFigure:
    """A figure of one setting's walk: :meth:`configure` once per view model, :meth:`show` per frame.

    Parameters
    ----------
    figure : matplotlib.figure.Figure, optional
        Draw into this figure (cleared on every :meth:`configure`). By default a new one with an Agg
        canvas, not registered with pyplot.
    dpi : int, default 100
    width : float, default 10
        Width in inches; the height follows from the layout.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    view : dict or None
        The view model painted now.
    caption : str
        The text equivalent of the frame shown now.
    panels : dict
        ``{"input": [CellGrid per channel], "filter": [...], "products": [...], "map": [CellGrid]}``.

    Examples
    --------
    >>> from convlab.views.walk import compute_walk, view_model
    >>> sf = StepFigure()
    >>> sf.configure(view_model(compute_walk(SEED_IMAGE, SEED_KERNEL)))
    >>> sf.show(4, "collect")
    >>> sf.window_corner()          # the window's upper-left cell (row, column) in the padded input
    (1, 1)
    >>> print(sf.caption.splitlines()[0])
    Window 5 of 9 · collect: 0 goes to row 1, column 1 of the feature map (5 of 9 cells filled).
    """

    def __init__(self, figure: Figure | None = None, *, dpi: int = DEFAULT_DPI, width: float = 10.0):
        dpi = v.dpi_arg(dpi)
        width = v.inches_arg(width, "width")
        if figure is not None and not isinstance(figure, Figure):
            raise TypeError(f"figure must be a matplotlib Figure or None; got {v.short(figure)}")
        if figure is None:
            figure = Figure(figsize=(width, 4.5), dpi=dpi)
            FigureCanvasAgg(figure)
        self.figure = figure
        self.width = float(width)
        self.view: dict | None = None
        self.caption = ""
        self.index, self.phase = 0, "collect"
        self.frame: dict | None = None
        self.panels: dict[str, list[CellGrid]] = {}

    # ------------------------------------------------------------------ once per setting

    def configure(self, vm: dict) -> None:
        """Build the panels for this view model (or its message), then show its first window."""
        if not (isinstance(vm, dict) and vm.get("kind") == "convlab.walk" and vm.get("version") == SCHEMA_VERSION):
            raise TypeError("vm must be a view model from convlab.views.walk.view_model(...) or "
                            f"op_views.operation_view(...); got {v.short(vm)}")
        fig = self.figure
        fig.clear()
        self.view, self.panels = vm, {}
        if vm["message"]:
            self._configure_message(vm["message"])
            return
        first = frame(vm, 0, vm["phases"][0])
        present = [name for name in _PANEL_ORDER if name in vm["panels"]]
        stack = max(len(first["grids"][name]) for name in present)
        footer_lines = vm["footer"].count("\n") + 1
        caption_lines = first["caption"].count("\n") + 1 - footer_lines
        text_h = 0.27 * (footer_lines + caption_lines) + 0.3
        row_h = 3.0 if stack == 1 else 2.4
        height = row_h * stack + text_h + 0.5
        fig.set_size_inches(self.width, height, forward=True)
        ratios = [float(np.clip(vm["panels"][n]["cols"], 2.4, 9 if stack == 1 else 7)) for n in present]
        gs = fig.add_gridspec(stack, len(present), width_ratios=ratios, left=0.02, right=0.98, top=1 - 0.42 / height,
                              bottom=(text_h + 0.1) / height, wspace=0.28, hspace=0.45)
        for j, name in enumerate(present):
            spec = vm["panels"][name]
            titles = first["titles"][name]
            self.panels[name] = [
                CellGrid(fig.add_subplot(gs[:, j] if len(titles) == 1 else gs[ch, j]), spec["rows"], spec["cols"],
                         numbers=spec["numbers"], title=title) for ch, title in enumerate(titles)]
        for grid in self.panels["input"]:
            self._hatch_padding(grid, vm)

        colours = vm["colours"]
        span = first["window"][2:]
        self._windows, self._sampled, self._ghosts = [], [], []
        for grid in self.panels["input"]:
            ax = grid.ax
            self._sampled.append(ax.add_collection(PolyCollection(
                [], facecolors="none", edgecolors=colours["window"], linewidths=1.5, zorder=3), autolim=False))
            self._windows.append(ax.add_patch(Rectangle((-0.5, -0.5), span[1], span[0], fill=False,
                                                        edgecolor=colours["window"], linewidth=3, zorder=5)))
            self._ghosts.append(ax.add_patch(Rectangle((-0.5, -0.5), span[1], span[0], fill=False,
                                                       edgecolor=colours["window"], linewidth=2,
                                                       linestyle=(0, (4, 2)), zorder=5)))
        self._marks = [grid.ax.add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=colours["window"],
                                                   linewidth=3, zorder=5)) for grid in self.panels["products"]]
        map_ax = self.panels["map"][0].ax
        self._cell = map_ax.add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=colours["window"],
                                                linewidth=3, zorder=5))
        self._link = fig.add_artist(ConnectionPatch(
            (0, 0), (0, 0), coordsA=self.panels["input"][0].ax.transData, coordsB=map_ax.transData,
            color=colours["window"], linewidth=2, linestyle=(0, (5, 3)), zorder=-2, arrowstyle="-|>",
            mutation_scale=16))
        text_top = (text_h + 0.02) / height
        self._caption_text = fig.text(0.02, text_top, "", fontsize=11.5, va="top", linespacing=1.45)
        self._footer_text = fig.text(0.02, 0.08 / height, vm["footer"], fontsize=11, va="bottom",
                                     color="#333333", linespacing=1.4)
        self.show(0, self.phase if self.phase in vm["phases"] else vm["phases"][-1])

    def _hatch_padding(self, grid: CellGrid, vm: dict) -> None:
        spec = vm["panels"]["input"]
        pt, pb, pl, pr = spec["pad"]
        hp, wp = spec["rows"], spec["cols"]
        edge = vm["colours"]["pad_edge"]
        bands = [(-0.5, -0.5, wp, pt), (-0.5, hp - pb - 0.5, wp, pb),
                 (-0.5, pt - 0.5, pl, hp - pt - pb), (wp - pr - 0.5, pt - 0.5, pr, hp - pt - pb)]
        for x, y, w, h in bands:
            if w > 0 and h > 0:
                grid.ax.add_patch(Rectangle((x, y), w, h, fill=False, hatch="///", edgecolor=edge, linewidth=0,
                                            alpha=0.55, zorder=2))
        if pt or pb or pl or pr:
            grid.ax.add_patch(Rectangle((pl - 0.5, pt - 0.5), wp - pl - pr, hp - pt - pb, fill=False,
                                        edgecolor=edge, linewidth=1.2, zorder=2))
        colour = vm["colours"]["unvisited"]
        for r in spec["unvisited_rows"]:
            grid.ax.add_patch(Rectangle((-0.5, r - 0.5), wp, 1, fill=False, hatch="xx", edgecolor=colour,
                                        linewidth=0, zorder=3))
        for col in spec["unvisited_cols"]:
            grid.ax.add_patch(Rectangle((col - 0.5, -0.5), 1, hp, fill=False, hatch="xx", edgecolor=colour,
                                        linewidth=0, zorder=3))

    def _configure_message(self, message: str) -> None:
        self.figure.set_size_inches(self.width, 2.2, forward=True)
        wrapped = "\n".join(textwrap.wrap(message, width=int(self.width * 9.5)))
        self.figure.text(0.5, 0.5, wrapped, ha="center", va="center", fontsize=12, color="#222222",
                         bbox=dict(boxstyle="round,pad=0.8", facecolor="#FFF4DD", edgecolor="#E69F00"))
        self.caption = message

    # ------------------------------------------------------------------ once per frame

    def show(self, index: int, phase: str = "collect") -> None:
        """Paint window ``index`` (0-based) in ``phase``, changing the artists in place (nothing is created).

        What is painted is :func:`convlab.views.walk.frame` of the view model: this method decides nothing.
        """
        vm = self.view
        if vm is None:
            raise RuntimeError("configure() the figure with a view model before showing a step")
        phase = _check_phase(phase, vm["phases"])
        if vm["message"]:
            self.phase = phase
            return
        n = vm["windows"]["count"]
        index = int(np.clip(v.index_arg(index, "index"), 0, n - 1))
        self.index, self.phase = index, phase
        f = frame(vm, index, phase)
        self.frame = f
        colours = vm["colours"]
        for name, grids in self.panels.items():
            for grid, cells, title in zip(grids, f["grids"][name], f["titles"][name]):
                grid.paint(cells)
                grid.ax.set_title(title, fontsize=11, pad=5)
                grid.set_active(name == f["active"], colours["window"])
        for grid, text in zip(self.panels["products"], f["sums"]):
            grid.ax.set_xlabel(text, fontsize=11)
        for mark, k, grid in zip(self._marks, f["marked"], self.panels["products"]):
            mark.set_visible(k is not None)
            if k is not None:
                mark.set_xy((k % grid.cols - 0.5, k // grid.cols - 0.5))

        top, left, rows, cols = f["window"]
        for w in self._windows:
            w.set_bounds(left - 0.5, top - 0.5, cols, rows)
        for g in self._ghosts:
            g.set_visible(f["ghost"] is not None)
            if f["ghost"] is not None:
                g.set_bounds(f["ghost"][1] - 0.5, f["ghost"][0] - 0.5, f["ghost"][3], f["ghost"][2])
        cells = [[(x - 0.5, y - 0.5), (x + 0.5, y - 0.5), (x + 0.5, y + 0.5), (x - 0.5, y + 0.5)]
                 for y, x in f["sampled"]]
        for coll in self._sampled:
            coll.set_verts(cells)
        box = f["cell"]
        self._cell.set_bounds(box[1] - 0.5, box[0] - 0.5, box[3], box[2])
        src = f["ghost"] or f["window"]
        self._link.xy1 = (src[1] + src[3] - 0.5, src[0] + (src[2] - 1) / 2)
        self._link.xy2 = (box[1] - 0.5, box[0] + (box[2] - 1) / 2)
        self._link.set_visible(f["link"])
        self.caption = f["caption"]
        footer = vm["footer"]
        self._caption_text.set_text(self.caption[:-len(footer) - 1] if footer else self.caption)

    def window_corner(self) -> tuple[int, int]:
        """The (row, column) of the shown window's upper-left cell in the padded input."""
        top, left = self.frame["ghost"][:2] if self.frame["ghost"] else self.frame["window"][:2]
        return top, left

    def png(self, dpi: int | None = None) -> bytes:
        """The figure as PNG bytes (for the Explorer's static picture and the lessons)."""
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=dpi or self.figure.dpi)
        return buf.getvalue()


def frame_png(vm: dict, index: int = 0, phase: str = "collect", *, dpi: int = 80, width: float = 10.0) -> bytes:
    """One frame of a view model as PNG bytes: the static picture the Explorer stores for GitHub.

    >>> from convlab.views.walk import compute_walk, view_model
    >>> frame_png(view_model(compute_walk(SEED_IMAGE, SEED_KERNEL)), 0, "sum")[:4]
    b'\\x89PNG'
    """
    sf = StepFigure(dpi=dpi, width=width)
    if not (isinstance(vm, dict) and vm.get("kind") == "convlab.walk" and vm.get("version") == SCHEMA_VERSION):
        raise TypeError(f"vm must be a view model from convlab.views.walk.view_model(...); got {v.short(vm)}")
    sf.phase = _check_phase(phase, vm["phases"])
    sf.configure(vm)
    sf.show(index, phase)
    return sf.png()


def draw_step_figure(image=None, kernel=None, *, step: int = 1, phase: str = "collect", stride=1, padding=0,
                     dilation=1, flip=False, dpi: int = DEFAULT_DPI, width: float = 10.0) -> Figure:
    """A static figure of one window in one phase.

    Settings that do not fit give a figure with the reason in words; an argument of the wrong type
    raises a ``TypeError`` naming it. The text equivalent of the figure is attached as ``fig.convlab_caption``.

    Parameters
    ----------
    image, kernel : array_like, optional
        Default: the seed lesson's 5x5 image and vertical-edge filter. A 2-D kernel is applied to every
        channel of an RGB image.
    step : int, default 1
        Which window, numbered from 1 in the order the filter visits them, as the Explorer's ``window`` and
        the caption ("Window 1 of 9" for step 1); 0 is refused; a number past the last window shows the last.
    phase : {"place", "multiply", "sum", "slide", "collect"}
    stride, padding, dilation, flip
        As for :func:`convlab.conv2d`.
    dpi : int, default 100
    width : float, default 10
        Width in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Not registered with pyplot: display it by making it a cell's last value or with ``display(fig)``.

    Examples
    --------
    >>> fig = draw_step_figure(step=2, phase="collect", padding=1)
    >>> [ax.get_title() for ax in fig.axes]
    ['input (padded)', 'filter', 'products', 'feature map']
    >>> fig.axes[2].get_xlabel()
    'sum = −4'
    >>> print(draw_step_figure(kernel=np.ones((7, 7))).convlab_caption)
    kernel (7x7) is larger than the padded input (5x5); add padding of at least 1 or use a smaller kernel (a filter size of 5 or less): it does not fit with padding 0
    """
    _check_phase(phase)
    step = v.window_number(step, "step")
    sf = StepFigure(dpi=dpi, width=width)
    sf.phase = phase
    image = SEED_IMAGE if image is None else image
    kernel = SEED_KERNEL if kernel is None else kernel
    try:
        vm = view_model(compute_walk(image, kernel, stride=stride, padding=padding, dilation=dilation, flip=flip))
    except ValueError as exc:  # settings that do not fit: drawn as the reason (a wrong type is raised)
        vm = message_view(str(exc))
    sf.configure(vm)
    sf.show(step - 1, phase)  # StepFigure.show takes the 0-based position of the window
    v.check_figure_pixels(*sf.figure.get_size_inches(), sf.figure.dpi)
    sf.figure.convlab_caption = sf.caption
    return sf.figure
