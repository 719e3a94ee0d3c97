"""Figures of the lessons' widgets (matplotlib only), built once and updated in place.

:class:`GridPanel` is one grid of numbers; :class:`KernelResultFigure` and :class:`LearningFigure` are
the figures of lesson 05's "bring your own kernel" and lesson 06's learning viewer.
"""

from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.colors import Normalize

from .._shared import validate as v
from ..views.palette import SIGNED_CMAP, ink
from ..core.steps import format_number
from ._cells import (NUMBERS_UP_TO, _agg_png, _cell_ticks, _check_axes, _check_title, _fontsize, _grid_options,
                     _grid_values, _new_figure, _norm, _redraw_later, _shared_text_clip, _signed, _tight_layout)
from .lesson import draw_grid

__all__ = ["GridPanel", "KernelResultFigure", "LearningFigure"]


class GridPanel:
    """One axes showing a 2-D array as coloured cells, like :func:`draw_grid`, but built once.

    :meth:`update` changes the values in place — ``set_data``, ``set_cmap``, ``set_clim``,
    ``set_extent`` on the one image, ``set_text`` on the cell labels — also when the grid's shape changes
    (labels are only added when a grid needs more of them than ever before; unused ones are hidden).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    title : str
    signed, numbers, digits, percentile, limit
        As for :func:`draw_grid` (``signed``/``numbers`` None: decided from each update's values).
    label : callable, optional
        Turns a cell's value into its text (default ``format_number(x, digits)``).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(); panel = GridPanel(fig.add_subplot(), "filter")
    >>> panel.update([[1, -1], [0, 2]]); [t.get_text() for t in panel.ax.texts]
    ['1', '−1', '0', '2']
    >>> image = panel.image
    >>> panel.update(np.ones((3, 3)), title="blur"); panel.image is image, panel.ax.get_title()
    (True, 'blur')
    >>> sum(t.get_visible() for t in panel.ax.texts)
    9
    """

    def __init__(self, ax, title: str = "", *, signed: bool | None = None, numbers: bool | None = None,
                 digits: int = 2, percentile: float = 100, limit: float | None = None, label=None):
        _check_axes(ax)
        _check_title(title)
        _grid_options(signed, numbers, digits, percentile, limit)
        if label is not None and not callable(label):
            raise TypeError(f"label must be a function of one number; got {v.short(label)}")
        self.ax = ax
        self.signed, self.numbers, self.digits = signed, numbers, digits
        self.percentile, self.limit = percentile, limit
        self._label = label or (lambda x: format_number(x, self.digits))
        self.image = ax.imshow(np.zeros((1, 1)), cmap="gray", interpolation="nearest")
        self.texts: list = []
        self._layout = None  # (shape, numbers) the ticks and labels were last laid out for
        ax.set_title(title)
        _cell_ticks(ax, (1, 1), False)

    def update(self, values, title: str | None = None) -> None:
        """Show ``values`` (a 2-D array); optionally a new title."""
        values = _grid_values(values)
        _check_title(title)
        signed = _signed(values) if self.signed is None else self.signed
        numbers = max(values.shape) <= NUMBERS_UP_TO if self.numbers is None else self.numbers
        cmap = plt.get_cmap(SIGNED_CMAP if signed else "gray")
        norm = _norm(values, signed, self.percentile)
        if self.limit is not None:  # a fixed colour scale, e.g. a kernel followed through its training
            norm = Normalize(-self.limit, self.limit) if signed else Normalize(0, self.limit)
        self.image.set_data(values)
        self.image.set_cmap(cmap)
        self.image.set_clim(norm.vmin, norm.vmax)
        h, w = values.shape
        if self._layout != (values.shape, numbers):
            self._layout = (values.shape, numbers)
            self.image.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
            self.ax.set_xlim(-0.5, w - 0.5)
            self.ax.set_ylim(h - 0.5, -0.5)
            _cell_ticks(self.ax, values.shape, numbers)
        n = values.size if numbers else 0
        clip = _shared_text_clip(self.ax) if len(self.texts) < n else None
        while len(self.texts) < n:
            self.texts.append(self.ax.text(0, 0, "", ha="center", va="center", clip_path=clip))
        if n:
            size = _fontsize(values.shape)
            for t, (r, c), x, colour in zip(self.texts, np.ndindex(values.shape), values.ravel(),
                                            ink(cmap(norm(values.ravel())))):
                t.set_position((c, r))
                t.set_text(self._label(x))
                t.set_color(colour)
                t.set_fontsize(size)
                t.set_visible(True)
        for t in self.texts[n:]:
            t.set_visible(False)
        if title is not None:
            self.ax.set_title(title)


class KernelResultFigure:
    """An image, a kernel and the kernel's feature map, side by side: built once, updated in place.

    Parameters
    ----------
    dpi : int, default 96
        96 pixels per inch: shown at its natural size, 9-pt numbers are 12 px.
    width, height : float
        Size in inches.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        A plain Figure (not registered with pyplot).
    input, kernel, feature_map : GridPanel
        The three panels: the image in grays without numbers, the kernel with its numbers, the feature
        map (signed colours centred on zero when it has negative values, the extreme 1% clipped).

    Examples
    --------
    >>> from convlab import conv2d
    >>> f = KernelResultFigure()
    >>> image, kernel = np.arange(36.0).reshape(6, 6), np.array([[1.0, -1.0]])
    >>> f.update(image, kernel, conv2d(image, kernel), input_title="input: a ramp")
    >>> [ax.get_title() for ax in f.figure.axes]
    ['input: a ramp', 'your kernel', 'feature map']
    >>> f.feature_map.image.get_array().shape
    (6, 5)
    """

    def __init__(self, *, dpi: int = 96, width: float = 8.4, height: float = 2.9):
        dpi, width, height = v.dpi_arg(dpi), v.inches_arg(width, "width"), v.inches_arg(height, "height")
        v.check_figure_pixels(width, height, dpi)
        self.figure = _new_figure(width, height, dpi)
        a0, a1, a2 = self.figure.subplots(1, 3)
        self.input = GridPanel(a0, "input", signed=False, numbers=False)
        self.kernel = GridPanel(a1, "your kernel", digits=2)
        self.feature_map = GridPanel(a2, "feature map", numbers=False, percentile=99)

    def update(self, image, kernel, feature_map, *, input_title: str | None = None) -> None:
        """Show a new image, kernel and feature map (any sizes) in the same artists."""
        self.input.update(image, input_title)
        self.kernel.update(kernel)
        self.feature_map.update(feature_map)
        _redraw_later(self.figure)

    def png(self) -> bytes:
        return _agg_png(self.figure)


class LearningFigure:
    """A kernel being learned: the kernel at one step, its feature map, the target and the loss curve.

    Built once from the run's losses; :meth:`update` shows another step in the same artists.

    Parameters
    ----------
    losses : sequence of float
        The loss at each step (drawn once, on a log scale).
    kernel_limit : float
        The kernel's colour scale, -limit..limit, the same at every step.
    target : (H, W) array, optional
        The feature map the kernel should produce, drawn once for comparison.
    dpi : int, default 96

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    kernel, feature_map : GridPanel
    marker : matplotlib.lines.Line2D
        The current step on the loss curve.

    Examples
    --------
    >>> f = LearningFigure([1.0, 0.5, 0.1], kernel_limit=1.0)
    >>> f.update(2, np.eye(2) * 0.5, np.ones((3, 3)))
    >>> f.kernel.ax.get_title(), f.marker.get_xdata()[0]
    ('kernel at step 2', 2)
    """

    def __init__(self, losses, *, kernel_limit: float, target=None, dpi: int = 96):
        losses = v.as_array(losses, "losses", ndims=(1,), shape_hint="a 1-D sequence of numbers")
        v.real_number(kernel_limit, "kernel_limit", minimum=0)
        if target is not None:
            _grid_values(target, "target")
        dpi = v.dpi_arg(dpi)
        self.losses = np.asarray(losses, dtype=np.float64)
        panels = 4 if target is not None else 3
        self.figure = _new_figure(2.6 * panels, 2.7, dpi)
        axes = self.figure.subplots(1, panels)
        self.kernel = GridPanel(axes[0], "kernel", signed=True, numbers=True, limit=kernel_limit or 1.0,
                                label=lambda x: format_number(round(x, 2), 2))
        self.feature_map = GridPanel(axes[1], "its feature map", signed=True, numbers=False)
        if target is not None:
            draw_grid(axes[2], target, "target feature map", signed=True, numbers=False)
        loss_ax = axes[-1]
        loss_ax.semilogy(np.arange(len(self.losses)), self.losses, color="#444")
        (self.marker,) = loss_ax.plot([0], [self.losses[0]], "o", color="#b2182b")
        loss_ax.set_title("loss")
        loss_ax.set_xlabel("step")
        self._laid_out = False

    def update(self, step: int, kernel, feature_map) -> None:
        """Show the kernel of ``step`` and its feature map; mark the step on the loss curve."""
        if not v.is_int(step):
            raise TypeError(f"step must be an integer; got {v.short(step)}")
        if not 0 <= step < len(self.losses):
            raise ValueError(f"step must be between 0 and {len(self.losses) - 1}; got {step}")
        self.kernel.update(kernel, f"kernel at step {step}")
        self.feature_map.update(feature_map)
        self.marker.set_data([step], [self.losses[step]])
        if not self._laid_out:  # once, when the panels have their tick labels and titles
            _tight_layout(self.figure)
            self._laid_out = True
        _redraw_later(self.figure)

    def png(self) -> bytes:
        return _agg_png(self.figure)
