"""Step figures (matplotlib only): the filter's walk drawn panel by panel, built once, updated in place.

One :class:`StepFigure` holds a matplotlib ``Figure`` with four labelled panels —

=================  =============================================================================
input (padded)     the padded input (padding tinted, hatched and labelled 0), the window outlined,
                   the sampled cells marked (they spread out with dilation)
filter             the kernel's numbers (rotated by 180 degrees for convolution)
products           window × filter, element by element
feature map        filling in as the filter slides: computed cells shown, future cells blank, the
                   current cell outlined in the window's colour and linked to the window
=================  =============================================================================

— and, under them, the current step written out in words: what this phase does, the arithmetic
("1×1 + 2×0 + 3×(−1) + … = −4") and the output-size formula with the current numbers. An RGB input gets
one row of input/filter/products per channel; the channel sums are added into one feature-map value.

Building the artists (:meth:`StepFigure.configure`) happens once per setting (stride, padding, filter…):
it walks the filter once (the engine and ``WindowStep`` records behind :func:`~convlab.steps.iter_steps`)
and keeps the list. Moving to another
window or phase (:meth:`StepFigure.show`) only calls ``set_data``/``set_text``/``set_xy`` on artists
that already exist.

The five phases of one step (the seed lesson's five steps):

=========  ======================================================================
place      the window outlined on the input; products not computed yet
multiply   the products panel highlighted: window × filter, cell by cell
sum        the products added up: the sum written out
slide      an arrow and a dashed ghost to the next window
collect    the value landing in its feature-map cell, linked to the window
=========  ======================================================================

Examples
--------
>>> fig = draw_step_figure(step=0, phase="sum")
>>> print(fig.convlab_caption.splitlines()[1])
1×1 + 2×0 + 3×(−1) + 0×1 + 1×0 + 2×(−1) + 1×1 + 2×0 + 1×(−1) = −4
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import ConnectionPatch, FancyArrowPatch, Rectangle

from ..core.steps import format_number
from ..core.walk import (CHANNEL_NAMES, PHASES, Walk, _check_phase, _phase_arithmetic, _phase_line, compute_walk,
                         step_caption)
from ..data.images import SEED_IMAGE, SEED_KERNEL

__all__ = ["StepFigure", "draw_step_figure"]

WINDOW_COLOUR = "#E69F00"
NEXT_COLOUR = "#009E73"
UNVISITED_COLOUR = "#CC79A7"
PAD_TINT = "#F3E3C3"
PAD_EDGE = "#B08D57"
SIGNED_CMAP = "RdBu"  # diverging, colour-blind safe; limits kept symmetric about zero
_NUMBERS_MAX_CELLS = 16  # per side; larger grids (photos) get no numbers
_DEFAULT_DPI = 72

# --------------------------------------------------------------------------------------- the figure


def _symmetric_norm(values) -> Normalize:
    m = float(np.max(np.abs(values))) if np.size(values) else 0.0
    m = m if m > 0 else 1.0
    return Normalize(-m, m)


def _cell_labels(values, digits=2) -> list[str]:
    return [format_number(x, digits) for x in np.ravel(values)]


def _text_colours(values, norm: Normalize, cmap) -> list[str]:
    """Black or white text, whichever reads better on each cell's colour."""
    rgba = cmap(norm(np.ravel(values)))
    lum = 0.299 * rgba[:, 0] + 0.587 * rgba[:, 1] + 0.114 * rgba[:, 2]
    return ["white" if x < 0.5 else "black" for x in lum]


class _StaticLayer(Artist):
    """Artists that do not change from window to window, rendered once and then pasted as one image.

    Moving the filter changes only a few artists (the window, the products, the feature map, the words);
    the input and filter panels with all their numbers stay the same. Drawing dozens of texts is most of
    a frame's cost in Agg, so they are drawn into an off-screen buffer once per canvas size and setting,
    and every later frame pastes that buffer. Vector outputs (PDF, SVG) draw the artists themselves.
    """

    def __init__(self, axes):
        super().__init__()
        self._axes_list = list(axes)
        self._members = []
        self._key = None
        self._rgba = None
        self.set_zorder(-1)  # before the axes, whose backgrounds are made transparent

    def add(self, artist):
        artist._visible = False  # drawn by the layer, not by its axes (no stale/draw callbacks)
        self._members.append(artist)
        self._key = None
        return artist

    def invalidate(self) -> None:
        self._key = None

    def _draw_members(self, renderer) -> None:
        for a in sorted(self._members, key=lambda a: a.get_zorder()):
            a._visible = True
            try:
                a.draw(renderer)
            finally:
                a._visible = False

    def draw(self, renderer):
        if not self.get_visible():
            return
        for ax in self._axes_list:
            ax.apply_aspect()
        if not isinstance(renderer, RendererAgg):
            self._draw_members(renderer)
            return
        key = (renderer.width, renderer.height, renderer.dpi,
               tuple(tuple(ax.get_position().bounds) for ax in self._axes_list))
        if key != self._key:
            off = RendererAgg(renderer.width, renderer.height, renderer.dpi)
            self._draw_members(off)
            self._rgba = np.asarray(off.buffer_rgba())[::-1].copy()  # draw_image wants bottom row first
            self._key = key
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, self._rgba)
        gc.restore()
        self.stale = False


class StepFigure:
    """A figure of the filter's walk: built once per setting, updated in place per window and phase.

    Parameters
    ----------
    figure : matplotlib.figure.Figure, optional
        Draw into this figure (it is cleared on every :meth:`configure`). By default a new one with
        an Agg canvas, which is not registered with pyplot.
    dpi : int, default 72
        Resolution of a new figure (kept modest so notebooks stay small).
    width : float, default 10
        Width in inches of a new figure; the height follows from the layout.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    walk : Walk or None
        The current setting's walk (None while a message is shown).
    caption : str
        The text equivalent of what the figure shows now.

    Examples
    --------
    >>> sf = StepFigure()
    >>> sf.configure(compute_walk(SEED_IMAGE, SEED_KERNEL))
    >>> sf.show(4, "collect")
    >>> sf.window.get_xy()         # the window's corner, in cell units (cells are centred on integers)
    (0.5, 0.5)
    >>> print(sf.caption.splitlines()[0])
    Window 5 of 9 · collect: 0 goes to row 1, column 1 of the feature map (5 of 9 cells filled).
    """

    def __init__(self, figure: Figure | None = None, *, dpi: int = _DEFAULT_DPI, width: float = 10.0):
        if figure is None:
            figure = Figure(figsize=(width, 4.5), dpi=dpi)
            FigureCanvasAgg(figure)
        self.figure = figure
        self.width = width
        self.walk: Walk | None = None
        self.caption = ""
        self.index = 0
        self.phase = "collect"
        self._message_text = None
        self._geometry = None

    # ------------------------------------------------------------------ building (once per setting)

    def configure(self, walk: Walk) -> None:
        """Build the artists for this walk, then show its first window in the current phase.

        Three costs, cheapest first: when only the filter's values change (another family, the flip
        toggle) the artists are refilled in place; when the grids change but the number of channels does
        not, the panels are kept and only their contents rebuilt; otherwise the figure is laid out anew.
        """
        geometry = (id(walk.image), walk.padded.shape, walk.pads, walk.kernel.shape, walk.stride, walk.dilation,
                    walk.feature_map.shape)
        if self.walk is not None and geometry == self._geometry:
            self.walk = walk
            self._fill_values(walk)
            self.show(0, self.phase)
            return
        self._geometry = geometry
        self.walk = walk
        fig = self.figure
        c = walk.channels
        hp, wp = walk.padded.shape[:2]
        kh, kw = walk.kernel.shape[:2]
        oh, ow = walk.feature_map.shape
        text_lines = 3 + (c if c > 1 else 0) + (1 if walk.note() else 0)
        row_h = 3.0 if c == 1 else 2.45
        text_h = 0.28 * text_lines + 0.25
        height = row_h * c + text_h + 0.55
        fig.set_size_inches(self.width, height, forward=True)
        big = 9 if c == 1 else 7
        ratios = [float(np.clip(wp, 3, big)), float(np.clip(kw, 2.4, 6)), float(np.clip(kw, 2.4, 6)),
                  float(np.clip(ow, 3, big))]
        gs = fig.add_gridspec(c, 4, width_ratios=ratios, left=0.02, right=0.98, top=1 - 0.42 / height,
                              bottom=(text_h + 0.1) / height, wspace=0.28, hspace=0.35)
        specs = [[gs[i, j] for i in range(c)] for j in range(3)] + [[gs[:, 3]]]
        if self._message_text is None and getattr(self, "_channels", None) == c:
            # same panels: empty them and move them to the new layout (much cheaper than new axes)
            for ax, spec in zip(self._all_axes, [s for col in specs for s in col]):
                for artist in [*ax.images, *ax.texts, *ax.patches, *ax.collections, *ax.lines]:
                    artist.remove()
                ax.set_subplotspec(spec)
                ax.set_position(spec.get_position(fig))
            for artist in [*fig.texts, *fig.artists, *fig.patches]:
                artist.remove()
        else:
            fig.clear()
            self._message_text = None
            axes = [[fig.add_subplot(s) for s in col] for col in specs]
            self.ax_input, self.ax_filter, self.ax_products, (self.ax_map,) = axes
            self._all_axes = [ax for col in axes for ax in col]
            for ax in self._all_axes:
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_navigate(False)
                ax.set_autoscale_on(False)
                ax.patch.set_visible(False)  # the static layer is drawn behind the axes
                ax.xaxis.set_visible(False)
                ax.yaxis.set_visible(False)
            self._channels = c
        for ax, (n_r, n_c) in zip(self._all_axes, [(hp, wp)] * c + [(kh, kw)] * (2 * c) + [(oh, ow)]):
            ax.set_xlim(-0.5, n_c - 0.5)
            ax.set_ylim(n_r - 0.5, -0.5)
            ax.set_aspect("equal")
        self._suffix = [""] if c == 1 else [f" · {n}" for n in (CHANNEL_NAMES if c == 3 else range(c))]
        self._signed = signed = colormaps[SIGNED_CMAP]
        blank = signed.with_extremes(bad="white")

        # input: built once per geometry (it does not depend on the filter's values)
        gray = colormaps["gray"].with_extremes(bad=PAD_TINT)
        img = walk.image
        lo, hi = float(np.min(img)), float(np.max(img))
        in_norm = Normalize(lo, hi if hi > lo else lo + 1)
        (pt, pb), (pl, pr) = walk.pads
        pad_mask = np.ones((hp, wp), dtype=bool)
        pad_mask[pt:hp - pb, pl:wp - pr] = False
        self._fs_input = self._font_size(self.ax_input[0], hp, wp, _cell_labels(img, 2))
        self._filter_images, self._filter_texts, self._product_images, self._product_texts = [], [], [], []
        small = max(kh, kw) <= _NUMBERS_MAX_CELLS
        for ch in range(c):
            plane = walk.padded if c == 1 else walk.padded[..., ch]
            ax = self.ax_input[ch]
            ax.imshow(np.ma.masked_array(plane, pad_mask), cmap=gray, norm=in_norm, interpolation="nearest")
            self._draw_padding(ax, hp, wp, walk.pads)
            if self._fs_input:
                colours = ["#7a5c2e" if m else col
                           for m, col in zip(pad_mask.ravel(), _text_colours(plane, in_norm, colormaps["gray"]))]
                self._grid_texts(ax, hp, wp, _cell_labels(plane), colours, self._fs_input)
            title = "input (padded)" if any(sum(p) for p in walk.pads) else "input (no padding)"
            ax.set_title(title + self._suffix[ch], fontsize=11, y=1.0, pad=5)

            ax = self.ax_filter[ch]
            self._filter_images.append(ax.imshow(np.zeros((kh, kw)), cmap=signed, interpolation="nearest"))
            self._cell_grid(ax, kh, kw)
            self._filter_texts.append(self._grid_texts(ax, kh, kw, [""] * (kh * kw), ["black"] * (kh * kw), 10)
                                      if small else [])
            ax = self.ax_products[ch]
            self._product_images.append(ax.imshow(np.ma.masked_all((kh, kw)), cmap=blank, interpolation="nearest"))
            self._cell_grid(ax, kh, kw)
            self._product_texts.append(self._grid_texts(ax, kh, kw, [""] * (kh * kw), ["black"] * (kh * kw), 10)
                                       if small else [])

        # the input and filter panels do not change from window to window: one cached layer
        self._static = _StaticLayer(self.ax_input + self.ax_filter + [self.ax_map])
        fig.add_artist(self._static)
        for ax in self.ax_input:
            self._draw_unvisited(ax, walk, hp, wp)
        for ax in self.ax_input + self.ax_filter:
            for artist in [*ax.images, *ax.patches, *ax.collections, *ax.texts]:
                self._static.add(artist)

        # window, sampled cells, next-window ghost and arrow: on every input channel
        self.windows, self._sampled, self._ghosts = [], [], []
        for ax in self.ax_input:
            # with dilation the window has holes: mark the cells the filter actually reads
            self._sampled.append(ax.add_collection(PolyCollection(
                [], facecolors=(0.9, 0.62, 0.0, 0.22), edgecolors=WINDOW_COLOUR, linewidths=1.5, zorder=3,
                visible=walk.dilation != (1, 1)), autolim=False))
            w = Rectangle((-0.5, -0.5), walk.span[1], walk.span[0], fill=False, edgecolor=WINDOW_COLOUR,
                          linewidth=3, zorder=5)
            ax.add_patch(w)
            self.windows.append(w)
            g = Rectangle((-0.5, -0.5), walk.span[1], walk.span[0], fill=False, edgecolor=NEXT_COLOUR,
                          linewidth=2.5, linestyle=(0, (4, 2)), zorder=5, visible=False)
            ax.add_patch(g)
            self._ghosts.append(g)
        self.window = self.windows[0]
        self.arrow = FancyArrowPatch((0, 0), (1, 0), arrowstyle="-|>", mutation_scale=22, color=NEXT_COLOUR,
                                     linewidth=2.5, zorder=6, visible=False)
        self.ax_input[0].add_patch(self.arrow)

        # feature map: the whole map is drawn once (in the static layer) and a white cover hides the
        # cells not computed yet; the current cell is outlined in the window's colour
        ax = self.ax_map
        self.map_image = self._static.add(ax.imshow(np.zeros((oh, ow)), cmap=signed, interpolation="nearest"))
        self._map_texts = [self._static.add(t) for t in self._grid_texts(
            ax, oh, ow, [""] * (oh * ow), ["black"] * (oh * ow), 10)] if max(oh, ow) <= _NUMBERS_MAX_CELLS else []
        self._cover_rgba = np.ones((oh, ow, 4))
        self.map_cover = ax.imshow(self._cover_rgba, interpolation="nearest", zorder=4.5)
        self._cell_grid(ax, oh, ow, zorder=4.6)
        for spine in ax.spines.values():
            spine.set_zorder(4.7)  # the frame stays visible over the cover
        ax.set_title("feature map" + ("\n(channels summed)" if c > 1 else ""), fontsize=11, y=1.0, pad=5)
        self.current_cell = Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=WINDOW_COLOUR, linewidth=3,
                                      zorder=5)
        ax.add_patch(self.current_cell)
        # drawn behind the panels (zorder < 0): a dashed line from the window that passes under them
        self.link = ConnectionPatch((0, 0), (0, 0), coordsA=self.ax_input[0].transData, coordsB=ax.transData,
                                    color=WINDOW_COLOUR, linewidth=2, linestyle=(0, (5, 3)), zorder=-2,
                                    arrowstyle="-|>", mutation_scale=16, visible=False)
        fig.add_artist(self.link)

        # words: what this phase does, the arithmetic and the formula
        text_top = (text_h + 0.02) / height
        self.phase_text = fig.text(0.02, text_top, "", fontsize=12, fontweight="bold", va="top")
        self.arithmetic_text = fig.text(0.02, text_top - 0.3 / height, "", fontsize=11.5, va="top",
                                        linespacing=1.45)
        self.formula_text = fig.text(0.02, 0.08 / height, "", fontsize=11, va="bottom", color="#333333",
                                     linespacing=1.4)
        self._panels = {"input": self.ax_input, "products": self.ax_products, "map": [self.ax_map]}
        self._fill_values(walk)
        lines = [f"output size: {walk.formula}"]
        if walk.note():
            lines.insert(0, walk.note())
        self.formula_text.set_text("\n".join(lines))
        self.formula_text.set_fontsize(self._fitting_font_size("\n".join(lines), 11.0, bold=False))
        self._static.add(self.formula_text)  # the same for every window of this setting
        for ax in self.ax_input + self.ax_filter + [self.ax_map]:
            self._static.add(ax.title)  # these titles do not change from window to window
        self.show(0, self.phase)

    def _fill_values(self, walk: Walk) -> None:
        """Everything that depends on the filter's values: colours, numbers, their sizes."""
        c = walk.channels
        kh, kw = walk.kernel.shape[:2]
        oh, ow = walk.feature_map.shape
        signed = self._signed
        k_norm = _symmetric_norm(walk.kernel)
        all_products = np.stack([s.products for s in walk.steps])
        self._p_norm = _symmetric_norm(all_products)
        self._m_norm = _symmetric_norm(walk.feature_map)
        fs_filter = self._font_size(self.ax_filter[0], kh, kw, _cell_labels(walk.kernel, 2))
        self._fs_small = self._font_size(self.ax_products[0], kh, kw, _cell_labels(all_products, 2))
        fs_map = self._font_size(self.ax_map, oh, ow, _cell_labels(walk.feature_map, 2))
        for ch in range(c):
            kplane = walk.kernel if c == 1 else walk.kernel[..., ch]
            self._filter_images[ch].set_data(kplane)
            self._filter_images[ch].set_clim(k_norm.vmin, k_norm.vmax)
            self._product_images[ch].set_clim(self._p_norm.vmin, self._p_norm.vmax)
            labels = _cell_labels(kplane, 2) if fs_filter else [""] * kplane.size
            for t, lab, col in zip(self._filter_texts[ch], labels, _text_colours(kplane, k_norm, signed)):
                t.set_text(lab)
                t.set_color(col)
                t.set_fontsize(fs_filter or 1)
            for t in self._product_texts[ch]:
                t.set_fontsize(self._fs_small or 1)
            ftitle = "filter (flipped: convolution)" if walk.flip else "filter"
            self.ax_filter[ch].set_title(ftitle + self._suffix[ch], fontsize=11, y=1.0, pad=5)
        self.map_image.set_data(walk.feature_map)
        self.map_image.set_clim(self._m_norm.vmin, self._m_norm.vmax)
        labels = _cell_labels(walk.feature_map, 2) if fs_map else [""] * (oh * ow)
        colours = _text_colours(walk.feature_map, self._m_norm, signed)
        for t, lab, col in zip(self._map_texts, labels, colours):
            t.set_text(lab)
            t.set_color(col)
            t.set_fontsize(fs_map or 1)
        self._max_terms = self._terms_that_fit(walk)
        self._static.invalidate()

    def _fitting_font_size(self, text: str, size: float, *, bold: bool) -> float:
        """``size``, or smaller so that the longest line of ``text`` fits the figure's width (never below 8).

        Estimated from the number of characters (no renderer needed, so moving the slider stays fast).
        """
        longest = max((len(line) for line in text.splitlines()), default=0)
        if not longest:
            return size
        fits = self.width * 72 * 0.95 / (size * (0.6 if bold else 0.55))  # characters at ``size``
        return size if longest <= fits else max(8.0, round(size * fits / longest, 1))

    def _terms_that_fit(self, walk: Walk) -> int | None:
        width_chars = self.width * 72 * 0.94 / (11.5 * 0.56)
        terms = [len(f"{format_number(a)}×{format_number(b)} + ") + 1
                 for a, b in zip(walk.padded.ravel()[:50], walk.kernel.ravel()[:50])]
        per = max(7.0, float(np.mean(terms)) + 1.5)
        n = int((width_chars - 14) // per)
        return None if walk.kernel.shape[0] * walk.kernel.shape[1] <= n else max(3, n)

    def _font_size(self, ax, nrows, ncols, labels) -> float:
        """Font size for numbers in the cells, or 0 when the cells are too small to read them."""
        if max(nrows, ncols) > _NUMBERS_MAX_CELLS:
            return 0.0
        box = ax.get_position()
        w_in, h_in = self.figure.get_size_inches()
        cell = min(box.width * w_in / ncols, box.height * h_in / nrows) * 72  # points
        longest = max((len(t) for t in labels), default=1)
        size = min(cell * 0.42, cell * 0.85 / (0.7 * max(longest, 1)), 14.0)
        return round(size, 1) if size >= 6.0 else 0.0

    def _grid_texts(self, ax, nrows, ncols, labels, colours, fontsize):
        texts = []
        for i in range(nrows):
            for j in range(ncols):
                k = i * ncols + j
                texts.append(ax.text(j, i, labels[k], ha="center", va="center", fontsize=fontsize,
                                     color=colours[k], zorder=4))
        return texts

    def _cell_grid(self, ax, nrows, ncols, zorder=2) -> None:
        if max(nrows, ncols) > _NUMBERS_MAX_CELLS:
            return
        segs = [[(x - 0.5, -0.5), (x - 0.5, nrows - 0.5)] for x in range(1, ncols)]
        segs += [[(-0.5, y - 0.5), (ncols - 0.5, y - 0.5)] for y in range(1, nrows)]
        ax.add_collection(LineCollection(segs, colors="#bbbbbb", linewidths=0.6, zorder=zorder))

    def _draw_padding(self, ax, hp, wp, pads) -> None:
        (pt, pb), (pl, pr) = pads
        bands = [(-0.5, -0.5, wp, pt), (-0.5, hp - pb - 0.5, wp, pb),
                 (-0.5, pt - 0.5, pl, hp - pt - pb), (wp - pr - 0.5, pt - 0.5, pr, hp - pt - pb)]
        for x, y, w, h in bands:
            if w > 0 and h > 0:
                ax.add_patch(Rectangle((x, y), w, h, fill=False, hatch="///", edgecolor=PAD_EDGE, linewidth=0,
                                       alpha=0.55, zorder=2))
        if pt or pl:
            ax.add_patch(Rectangle((pl - 0.5, pt - 0.5), wp - pl - pr, hp - pt - pb, fill=False,
                                   edgecolor=PAD_EDGE, linewidth=1.2, zorder=2))
        self._cell_grid(ax, hp, wp)

    def _draw_unvisited(self, ax, walk: Walk, hp, wp) -> None:
        (pt, _), (pl, _) = walk.pads
        for r in walk.unvisited_rows:
            ax.add_patch(Rectangle((-0.5, r + pt - 0.5), wp, 1, fill=False, hatch="xx", edgecolor=UNVISITED_COLOUR,
                                   linewidth=0, zorder=3))
        for col in walk.unvisited_cols:
            ax.add_patch(Rectangle((col + pl - 0.5, -0.5), 1, hp, fill=False, hatch="xx",
                                   edgecolor=UNVISITED_COLOUR, linewidth=0, zorder=3))

    # ------------------------------------------------------------------ updating (per window/phase)

    def show(self, index: int, phase: str = "collect") -> None:
        """Show window ``index`` in ``phase``, changing artists in place (nothing is created)."""
        walk = self.walk
        if walk is None:
            raise RuntimeError("configure() the figure with a walk before showing a step")
        phase = _check_phase(phase)
        index = int(np.clip(index, 0, len(walk.steps) - 1))
        self.index, self.phase = index, phase
        s = walk.steps[index]
        c = walk.channels
        sh, sw = walk.span
        for w in self.windows:
            w.set_xy((s.left - 0.5, s.top - 0.5))
        cells = [[(x - 0.5, y - 0.5), (x + 0.5, y - 0.5), (x + 0.5, y + 0.5), (x - 0.5, y + 0.5)]
                 for y in s.rows for x in s.cols]
        for coll in self._sampled:
            coll.set_verts(cells)

        # products: hidden while placing, shown from multiply on
        show_products = phase != "place"
        for ch in range(c):
            prod = s.products if c == 1 else s.products[..., ch]
            self._product_images[ch].set_data(prod if show_products else np.ma.masked_all(prod.shape))
            if self._product_texts[ch]:
                labels = _cell_labels(prod, 2) if show_products and self._fs_small else [""] * prod.size
                colours = _text_colours(prod, self._p_norm, self._signed)
                for t, lab, col in zip(self._product_texts[ch], labels, colours):
                    t.set_text(lab)
                    t.set_color(col)
            title = "products" + self._suffix[ch]
            if phase in ("sum", "slide", "collect"):
                title += f"  (sum {format_number(s.channel_sums[ch])})"
            self.ax_products[ch].set_title(title, fontsize=11, y=1.0, pad=5)

        # feature map: cells before this one are computed; this one lands at slide/collect
        filled = index + (1 if phase in ("slide", "collect") else 0)
        oh, ow = walk.feature_map.shape
        self._cover_rgba[..., 3] = (np.arange(oh * ow) >= filled).reshape(oh, ow)
        self.map_cover.set_data(self._cover_rgba)
        self.current_cell.set_xy((s.out_col - 0.5, s.out_row - 0.5))

        # slide: ghost of the next window and an arrow to it
        has_next = index + 1 < len(walk.steps)
        sliding = phase == "slide" and has_next
        if has_next:
            n = walk.steps[index + 1]
            for g in self._ghosts:
                g.set_xy((n.left - 0.5, n.top - 0.5))
            self.arrow.set_positions((s.left + (sw - 1) / 2, s.top + (sh - 1) / 2),
                                     (n.left + (sw - 1) / 2, n.top + (sh - 1) / 2))
        for g in self._ghosts:
            g.set_visible(sliding)
        self.arrow.set_visible(sliding and (n.left, n.top) != (s.left, s.top))

        # collect: the value travels from the window to its cell
        self.link.xy1 = (s.left + sw - 0.5, s.top + (sh - 1) / 2)
        self.link.xy2 = (s.out_col - 0.5, s.out_row)
        self.link.set_visible(phase == "collect")

        # highlight the panel this phase acts on
        active = {"place": "input", "multiply": "products", "sum": "products", "slide": "input",
                  "collect": "map"}[phase]
        for name, axes in self._panels.items():
            for ax in axes:
                for sp in ax.spines.values():
                    sp.set_edgecolor(WINDOW_COLOUR if name == active else "#444444")
                    sp.set_linewidth(3 if name == active else 0.8)

        line = _phase_line(walk, s, phase)
        self.phase_text.set_text(line)
        self.phase_text.set_fontsize(self._fitting_font_size(line, 12.0, bold=True))
        self.arithmetic_text.set_text(_phase_arithmetic(walk, s, phase, self._max_terms))
        self.arithmetic_text.set_fontweight("bold" if phase == "sum" else "normal")
        self.arithmetic_text.set_color("#000000" if phase in ("multiply", "sum") else "#333333")
        self.caption = step_caption(walk, index, phase)

    def show_message(self, message: str) -> None:
        """Replace the panels by a message in plain words (settings that do not fit)."""
        self.walk = None
        self._geometry = None
        fig = self.figure
        fig.clear()
        fig.set_size_inches(self.width, 2.2, forward=True)
        import textwrap

        wrapped = "\n".join(textwrap.wrap(message, width=int(self.width * 9.5)))
        self._message_text = fig.text(0.5, 0.5, wrapped, ha="center", va="center", fontsize=12,
                                      color="#222222", wrap=False,
                                      bbox=dict(boxstyle="round,pad=0.8", facecolor="#FFF4DD",
                                                edgecolor=WINDOW_COLOUR))
        self.caption = message

    def visible_map(self) -> np.ma.MaskedArray:
        """The feature map as the learner sees it now: cells not computed yet are masked."""
        return np.ma.masked_array(self.walk.feature_map, self._cover_rgba[..., 3] > 0)

    def draw_idle(self) -> None:
        self.figure.canvas.draw_idle()


def draw_step_figure(image=None, kernel=None, *, step: int = 0, phase: str = "collect", stride=1, padding=0,
                     dilation=1, flip=False, dpi: int = _DEFAULT_DPI, width: float = 10.0) -> Figure:
    """A static figure of one window in one phase: for notebooks, next to a live Explorer.

    Settings that do not fit give a figure with the reason in words (never an exception from deep
    inside). The text equivalent of the figure is attached as ``fig.convlab_caption``.

    Parameters
    ----------
    image, kernel : array_like, optional
        Default: the seed lesson's 5x5 image and vertical-edge filter. A 2-D kernel is applied to every
        channel of an RGB image.
    step : int, default 0
        Which window (0-based, row-major); clipped to the last window.
    phase : {"place", "multiply", "sum", "slide", "collect"}
    stride, padding, dilation, flip
        As for :func:`convlab.conv2d`.

    Returns
    -------
    matplotlib.figure.Figure
        Not registered with pyplot: display it by making it a cell's last value or with ``display(fig)``.

    Examples
    --------
    >>> fig = draw_step_figure(step=1, phase="collect", padding=1)
    >>> [ax.get_title() for ax in fig.axes]
    ['input (padded)', 'filter', 'products  (sum −4)', 'feature map']
    >>> print(draw_step_figure(kernel=np.ones((7, 7))).convlab_caption)
    The 7×7 filter does not fit inside the 5×5 input with padding 0. Use padding 1 or more, or a filter size of 5 or less.
    """
    sf = StepFigure(dpi=dpi, width=width)
    _check_phase(phase)
    try:
        image = SEED_IMAGE if image is None else image
        kernel = SEED_KERNEL if kernel is None else kernel
        walk = compute_walk(image, kernel, stride=stride, padding=padding, dilation=dilation, flip=flip)
    except (TypeError, ValueError) as exc:
        sf.show_message(str(exc))
    else:
        sf.phase = phase
        sf.configure(walk)
        sf.show(step, phase)
    sf.figure.convlab_caption = sf.caption
    return sf.figure


