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
from matplotlib.patches import ConnectionPatch, FancyArrowPatch, Rectangle

from .._shared import validate as v
from ..views.walk import PHASES, compute_walk, message_view, view_model
from ..data.images import SEED_IMAGE, SEED_KERNEL

__all__ = ["StepFigure", "draw_step_figure", "frame_png", "DEFAULT_DPI"]

DEFAULT_DPI = 100
"""Figures are 10 inches wide: 1000 pixels, numbers of 9 pt or more at the size a notebook shows them."""

_PANEL_ORDER = ("input", "filter", "products", "map")
_GRID_GREY = "#9a9a9a"
_FRAME = "#444444"


def _check_phase(phase, phases=PHASES) -> str:
    if not isinstance(phase, str) or phase not in phases:
        raise ValueError(f"phase must be one of {', '.join(map(repr, phases))}; got {v.short(phase)}")
    return phase


class CellGrid:
    """One panel: a grid of coloured cells with a number written in each, painted from view-model cells.

    Built once (an RGB image and one text per cell); :meth:`paint` changes their data in place.
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
        self.rgb = np.ones((rows, cols, 3))
        self.image = ax.imshow(self.rgb, interpolation="nearest", zorder=1)
        box = ax.get_position()
        w_in, h_in = ax.figure.get_size_inches()
        cell_pt = min(box.width * w_in / cols, box.height * h_in / rows) * 72
        self.fontsize = float(np.clip(cell_pt * 0.36, 7.0, 14.0))
        self.texts = [ax.text(j, i, "", ha="center", va="center", fontsize=self.fontsize, zorder=4)
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
        self.rgb[...] = to_rgba_array(fill)[:, :3].reshape(self.rows, self.cols, 3)
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
        self.panels: dict[str, list[CellGrid]] = {}

    # ------------------------------------------------------------------ once per setting

    def configure(self, vm: dict) -> None:
        """Build the panels for this view model (or its message), then show its first window."""
        if not (isinstance(vm, dict) and vm.get("kind") == "convlab.walk"):
            raise TypeError("vm must be a view model from convlab.views.walk.view_model(...) or "
                            f"op_views.operation_view(...); got {v.short(vm)}")
        fig = self.figure
        fig.clear()
        self.view, self.panels = vm, {}
        if vm["message"]:
            self._configure_message(vm["message"])
            return
        c = len(vm["channels"])
        present = [name for name in _PANEL_ORDER if name in vm["panels"]]
        footer_lines = vm["footer"].count("\n") + 1
        caption_lines = max(s["captions"][p].count("\n") + 1 for s in vm["steps"][:1] for p in vm["phases"])
        text_h = 0.27 * (footer_lines + caption_lines) + 0.3
        row_h = 3.0 if c == 1 else 2.4
        height = row_h * c + text_h + 0.5
        fig.set_size_inches(self.width, height, forward=True)
        ratios = [float(np.clip(vm["panels"][n]["cols"], 2.4, 9 if c == 1 else 7)) for n in present]
        gs = fig.add_gridspec(c, len(present), width_ratios=ratios, left=0.02, right=0.98, top=1 - 0.42 / height,
                              bottom=(text_h + 0.1) / height, wspace=0.28, hspace=0.35)
        names = vm["channels"]
        layers = {"products": len(vm["steps"][0]["products"]), "map": 1}
        for j, name in enumerate(present):
            spec = vm["panels"][name]
            count = layers.get(name) or len(spec["cells"])  # one grid per channel, or one for a summed result
            grids = []
            for ch in range(count):
                ax = fig.add_subplot(gs[:, j] if count == 1 else gs[ch, j])
                title = spec["title"] + (f" · {names[ch]}" if count > 1 and names[ch] else "")
                grids.append(CellGrid(ax, spec["rows"], spec["cols"], numbers=spec["numbers"], title=title))
            self.panels[name] = grids
        colours = vm["colours"]
        for ch, grid in enumerate(self.panels["input"]):
            grid.paint(vm["panels"]["input"]["cells"][ch])
            self._hatch_padding(grid, vm)
        for ch, grid in enumerate(self.panels.get("filter", [])):
            grid.paint(vm["panels"]["filter"]["cells"][ch])

        # what moves: window, sampled cells, next-window ghost and arrow, map cell, link
        sh, sw = vm["span"]
        self._windows, self._sampled, self._ghosts = [], [], []
        for grid in self.panels["input"]:
            ax = grid.ax
            self._sampled.append(ax.add_collection(PolyCollection(
                [], facecolors=(0.9, 0.62, 0.0, 0.25), edgecolors=colours["window"], linewidths=1.5, zorder=3),
                autolim=False))
            self._windows.append(ax.add_patch(Rectangle((-0.5, -0.5), sw, sh, fill=False,
                                                        edgecolor=colours["window"], linewidth=3, zorder=5)))
            self._ghosts.append(ax.add_patch(Rectangle((-0.5, -0.5), sw, sh, fill=False, edgecolor=colours["next"],
                                                       linewidth=2.5, linestyle=(0, (4, 2)), zorder=5)))
        self._arrow = self.panels["input"][0].ax.add_patch(FancyArrowPatch(
            (0, 0), (1, 0), arrowstyle="-|>", mutation_scale=22, color=colours["next"], linewidth=2.5, zorder=6))
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
        """Paint window ``index`` (0-based) in ``phase``, changing the artists in place (nothing is created)."""
        vm = self.view
        if vm is None:
            raise RuntimeError("configure() the figure with a view model before showing a step")
        phase = _check_phase(phase, vm["phases"])
        if vm["message"]:
            self.phase = phase
            return
        steps = vm["steps"]
        index = int(np.clip(v.index_arg(index, "index"), 0, len(steps) - 1))
        self.index, self.phase = index, phase
        s, rules, colours = steps[index], vm["phase_table"][phase], vm["colours"]

        for w in self._windows:
            w.set_xy((s["left"] - 0.5, s["top"] - 0.5))
        cells = [[(x - 0.5, y - 0.5), (x + 0.5, y - 0.5), (x + 0.5, y + 0.5), (x - 0.5, y + 0.5)]
                 for y in s["rows"] for x in s["cols"]]
        for coll in self._sampled:
            coll.set_verts(cells if tuple(vm["dilation"]) != (1, 1) else [])

        products = self.panels.get("products", [])
        spec = vm["panels"].get("products", {})
        for ch, grid in enumerate(products):
            grid.paint(s["products"][ch] if rules["show_products"] else None, colours["blank"])
            title = spec["title"] + (f" · {vm['channels'][ch]}" if len(products) > 1 and vm["channels"][ch] else "")
            if rules["show_sum"]:
                title += f"  ({spec.get('sum_label', 'sum')} {s['channel_sums'][ch]})"
            grid.ax.set_title(title, fontsize=11, pad=5)
            picked = (s.get("pick") or [None] * len(products))[ch]
            for k, t in enumerate(grid.texts):
                t.set_fontweight("bold" if rules["show_sum"] and k == picked else "normal")

        # the map: cells of windows visited so far, or (when steps carry their own output) the output so far
        after = index + rules["filled_extra"]
        spec = vm["panels"]["map"]
        if "map" in s:
            cells, shown = (steps[after - 1]["map"] if after > 0 else spec["cells"][0]), None
        else:
            cells, shown = spec["cells"][0], [k < after for k in range(spec["rows"] * spec["cols"])]
        self.panels["map"][0].paint(cells, colours["blank"], shown)
        box = s.get("map_box", [s["out_row"], s["out_col"], 1, 1])
        self._cell.set_bounds(box[1] - 0.5, box[0] - 0.5, box[3], box[2])

        nxt = steps[index + 1] if index + 1 < len(steps) else None
        ghost = rules["ghost"] and nxt is not None
        for g in self._ghosts:
            if nxt is not None:
                g.set_xy((nxt["left"] - 0.5, nxt["top"] - 0.5))
            g.set_visible(ghost)
        sh, sw = vm["span"]
        if nxt is not None:
            self._arrow.set_positions((s["left"] + (sw - 1) / 2, s["top"] + (sh - 1) / 2),
                                      (nxt["left"] + (sw - 1) / 2, nxt["top"] + (sh - 1) / 2))
        self._arrow.set_visible(ghost and (nxt["left"], nxt["top"]) != (s["left"], s["top"]))
        self._link.xy1 = (s["left"] + sw - 0.5, s["top"] + (sh - 1) / 2)
        self._link.xy2 = (box[1] - 0.5, box[0] + (box[2] - 1) / 2)
        self._link.set_visible(rules["link"])

        for name, grids in self.panels.items():
            for grid in grids:
                grid.set_active(name == rules["active"], colours["window"])
        self._caption_text.set_text(s["captions"][phase])
        self.caption = s["captions"][phase] + "\n" + vm["footer"]

    def window_corner(self) -> tuple[int, int]:
        """The (row, column) of the shown window's upper-left cell in the padded input."""
        s = self.view["steps"][self.index]
        return s["top"], s["left"]

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
    if not (isinstance(vm, dict) and vm.get("kind") == "convlab.walk"):
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
    ['input (padded)', 'filter', 'products  (sum −4)', 'feature map']
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
    sf.show(step - 1, phase)  # StepFigure.show takes the 0-based position in vm["steps"]
    v.check_figure_pixels(*sf.figure.get_size_inches(), sf.figure.dpi)
    sf.figure.convlab_caption = sf.caption
    return sf.figure
