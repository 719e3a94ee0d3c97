"""Lesson 07's widget (wiring layer: ipywidgets only; the figure comes from convlab.figures.network).

:class:`ReceptiveFieldViewer`: choose a layer and one cell of its map; the cell is outlined in blue and
what it depends on in orange — in every layer below it, down to the input pixels (its receptive field).
The geometry comes from :mod:`convlab.lessons.receptive`; the maps from :func:`convlab.nets.network.run_stack`.
"""

from __future__ import annotations

import html

import ipywidgets as W
import numpy as np

from .._shared import validate as v
from ..nets.network import run_stack
from ..lessons.receptive import describe_field, field_in_every_layer, stage_sizes
from ..figures.network import ReceptiveFieldFigure
from ._base import ShowsWidget
from .controls import LiveText, Picture, Slider

__all__ = ["ReceptiveFieldViewer"]


class ReceptiveFieldViewer(ShowsWidget):
    """Pick a cell in a layer and see its receptive field in every layer below, down to the image.

    Parameters
    ----------
    image : (H, W) array
    layers : sequence of (Stage, kernels)
        As for :func:`convlab.nets.network.run_stack`. The panels show the input and the output of every
        conv and pooling layer (first channel); ReLU layers are computed but not drawn.
    layer, row, col : int, optional
        The starting choice: the index of a shown layer (default the last) and a cell (default its centre).
    dpi : int, default 96
        Pixels per inch of the picture (96: shown at its size, 10 pt titles 13 px tall).

    Attributes
    ----------
    layer : ipywidgets.Dropdown
        A labelled ``<select>``.
    row, col : convlab.widgets.controls.Slider
        Labelled range inputs (arrow keys, Home/End, Page Up/Down).
    figure : matplotlib.figure.Figure
    caption : str
    widget : ipywidgets.VBox

    Examples
    --------
    >>> from convlab.lessons.receptive import conv_stage, pointwise_stage, pool_stage
    >>> k = np.ones((1, 3, 3))
    >>> v = ReceptiveFieldViewer(np.zeros((16, 16)), [(conv_stage(3, padding=1), k), (pointwise_stage(), None),
    ...                                               (pool_stage(2), None), (conv_stage(3, padding=1), k)])
    >>> v.row.value, v.col.value = 0, 0
    >>> print(v.caption.splitlines()[0])
    cell (0, 0) of conv 3×3 sees input rows 0–4 and columns 0–4: 5×5 pixels.
    >>> v.layer.value = 1          # the first conv layer: 16×16, so the sliders now go to 15
    >>> v.row.max, v.fields[0]
    (15, (range(0, 2), range(0, 2)))
    """

    def __init__(self, image, layers, *, layer: int | None = None, row: int | None = None, col: int | None = None,
                 dpi: int = 96):
        self.image = v.as_array(image, "image", ndims=(2,), shape_hint="a grayscale (H, W) array")
        if isinstance(layers, (str, bytes)) or not isinstance(layers, (list, tuple)) or not layers:
            raise TypeError(f"layers must be a list of (stage, weights) pairs, as convlab.nets.network builds them; "
                            f"got {type(layers).__name__}")
        layers = list(layers)
        outputs = run_stack(self.image, layers)  # checks every (stage, kernels) pair first
        self.stages = [stage for stage, _ in layers]
        # panels: the input (stage index 0) and every conv/pool output (stage index i + 1)
        self._shown = [0] + [i + 1 for i, s in enumerate(self.stages) if s.kind != "pointwise"]
        maps = [(self.stages[i - 1].name, outputs[i - 1][:, :, 0]) for i in self._shown[1:]]
        self._drawer = ReceptiveFieldFigure(self.image, maps, dpi=dpi)
        self.figure = self._drawer.figure
        self._heights = stage_sizes(self.stages, self.image.shape[0])
        self._widths = stage_sizes(self.stages, self.image.shape[1])
        options = [(f"{n}. {self.stages[i - 1].name} ({self._heights[i]}×{self._widths[i]})", n)
                   for n, i in enumerate(self._shown) if n > 0]
        start = len(self._shown) - 1 if layer is None else layer
        if not v.is_int(start) or start not in [n for _, n in options]:
            raise ValueError(f"layer must be the number of a shown layer, 1 to {len(self._shown) - 1}; got {layer!r}")
        self.layer = W.Dropdown(options=options, value=start, description="layer")
        self.row = Slider(0, min=0, max=1, description="row")
        self.col = Slider(0, min=0, max=1, description="column")
        self._set_limits()
        for value, slider, name in ((row, self.row, "row"), (col, self.col, "col")):
            if value is not None and (not isinstance(value, (int, np.integer)) or not 0 <= value <= slider.max):
                raise ValueError(f"{name} must be a cell of the chosen layer's map, 0 to {slider.max}; got {value!r}")
        self.row.value = self.row.max // 2 if row is None else int(row)
        self.col.value = self.col.max // 2 if col is None else int(col)
        self.image_widget = Picture(alt="The figure is being drawn.")
        self.caption_widget = LiveText()
        self.fields: list = []
        self.caption = ""
        self.widget = W.VBox([W.HBox([self.layer, self.row, self.col]), self.caption_widget, self.image_widget])
        self.widget.add_class("convlab-lesson-widget")  # visible focus on its stock controls (controls.css)
        self._limiting = False
        self.layer.observe(lambda change: self._on_layer(), names="value")
        self.row.observe(lambda change: self._limiting or self._show(), names="value")
        self.col.observe(lambda change: self._limiting or self._show(), names="value")
        self._show()

    def _on_layer(self) -> None:
        # both ranges change first (moving the cell inside them), then one redraw
        self._limiting = True
        try:
            self._set_limits()
        finally:
            self._limiting = False
        self._show()

    def _set_limits(self) -> None:
        i = self._shown[self.layer.value]
        self.row.max = self._heights[i] - 1
        self.col.max = self._widths[i] - 1

    def _show(self) -> None:
        i = self._shown[self.layer.value]
        stages = self.stages[:i]
        every = field_in_every_layer(stages, self.row.value, self.col.value, self.image.shape)
        self.fields = [every[j] for j in self._shown if j <= i]
        self._drawer.update(self.fields)
        self.caption = describe_field(stages, self.row.value, self.col.value, self.image.shape)
        self.caption_widget.value = f'<pre style="white-space:pre-wrap; margin:4px 0">{html.escape(self.caption)}</pre>'
        with self.image_widget.hold_sync():
            self.image_widget.value = self._drawer.png()
            self.image_widget.alt = self.alt

    @property
    def alt(self) -> str:
        """The figure's alternative text: which panels it shows and what is outlined (the caption says where)."""
        names = ["the input"] + [f"{self.stages[i - 1].name} ({self._heights[i]}×{self._widths[i]})"
                                 for i in self._shown[1:]]
        first = self.caption.splitlines()[0] if self.caption else ""
        return (f"{len(names)} panels, the input and the maps of each layer: {', '.join(names)}. The chosen cell is "
                f"outlined in blue and what it depends on in orange in every layer below it. {first}").strip()

    def picture(self) -> bytes:
        """A PNG of the current figure (the static stand-in where widgets cannot run)."""
        return self._drawer.png()

    def description(self) -> str:
        return self.caption

    def alt_text(self) -> str:
        return self.alt
