"""Figures for lesson 07, "From one filter to a network" (drawing layer: matplotlib only).

* :func:`filter_bank` — a stack of small filters side by side on one shared, signed colour scale;
* :func:`digit_examples` — a few images of the digit set with their labels (and predictions);
* :func:`network_maps` — one image through the trained network: its feature maps after ReLU, the pooled
  maps and the predicted probabilities;
* :func:`training_summary` — the loss per step and the held-out accuracy per epoch;
* :func:`stack_maps` — the maps of a stack of layers (conv → ReLU → pool → conv …), one row per layer;
* :class:`ReceptiveFieldFigure` — the input and each layer's map with the receptive field of one chosen
  cell outlined in every layer; built once, :meth:`~ReceptiveFieldFigure.update` moves the outlines.

Functions return pyplot figures (a lesson cell shows them); :class:`ReceptiveFieldFigure` is a plain
``Figure`` for a widget, rendered with :meth:`~ReceptiveFieldFigure.png`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .._shared import validate as v
from ..core import limits
from ._cells import MIN_FONT, _agg_png, _tight_layout
from .lesson import SIGNED_CMAP, draw_grid

__all__ = ["filter_bank", "digit_examples", "network_maps", "training_summary", "stack_maps",
           "ReceptiveFieldFigure", "FIELD_COLOUR", "CELL_COLOUR"]

FIELD_COLOUR = "#e69f00"  # orange (Okabe–Ito): the receptive field
CELL_COLOUR = "#0072b2"   # blue: the chosen cell
TITLE_FONT = 10           # points: 13 px at lesson 07's 96 dpi, readable when projected


def _figure_inches(width: float, across: float, down: float, what: str = "panels") -> None:
    """A figure of ``across`` × ``down`` panels of ``width`` inches stays within ``MAX_FIGURE_INCHES`` each way;
    ``what`` names the argument that sets the number of panels."""
    for panels in (across, down):
        if width * panels > limits.MAX_FIGURE_INCHES:
            raise ValueError(f"width {width:g} inches × {panels:g} panels ({what}) make a figure {width * panels:g} "
                             f"inches across; the limit is {limits.MAX_FIGURE_INCHES:g}: use fewer {what} or a smaller "
                             "width")


def _labels(values, count: int, name: str) -> np.ndarray:
    """One whole number per image (a digit label or a prediction)."""
    y = v.as_numbers(values, name)
    if y.shape != (count,) or np.any(y != np.round(y)):
        raise ValueError(f"{name} must be one whole number per image ({count}); got {v.short(values)}")
    return y.astype(np.int64)


def _named_maps(maps, name: str, ndims: int) -> list[tuple[str, np.ndarray]]:
    """A list of (name, array) pairs, each array of ``ndims`` dimensions."""
    if not isinstance(maps, (list, tuple)) or not maps or not all(
            isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], str) for p in maps):
        raise TypeError(f"{name} must be a non-empty list of (name, array) pairs; got {v.short(maps)}")
    shape = "(h, w)" if ndims == 2 else "(h, w, channels)"
    return [(n, v.as_array(m, f"{name}[{i}]", ndims=(ndims,), shape_hint=shape)) for i, (n, m) in enumerate(maps)]


def _bare(ax) -> None:
    ax.set_xticks([])
    ax.set_yticks([])


def filter_bank(kernels, *, title: str | None = None, numbers: bool = True, width: float = 1.6, names=None):
    """Filters (N, kh, kw) side by side, on one signed colour scale (white = 0, red/blue = positive/negative).

    >>> fig = filter_bank(np.ones((3, 3, 3)))
    >>> [ax.get_title() for ax in fig.axes]
    ['filter 1', 'filter 2', 'filter 3']
    >>> plt.close(fig)
    """
    k = v.as_array(kernels, "kernels", ndims=(3,), shape_hint="(N, kh, kw), one filter per panel")
    n = len(k)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None; got {v.short(title)}")
    numbers = v.check_bool(numbers, "numbers", "write the weights in the cells")
    width = v.inches_arg(width, "width")
    _figure_inches(width, n, 1.15, "kernels")
    names = v.channel_names_arg(names, n, "names", "filters", at_least=True)
    limit = float(np.max(np.abs(k))) or 1.0
    fig, axes = plt.subplots(1, n, figsize=(width * n, width * 1.15), squeeze=False)
    for i, (ax, kernel) in enumerate(zip(axes[0], k)):
        name = names[i] if names is not None else f"filter {i + 1}"
        # one decimal is enough to read a filter, and keeps the numbers inside their cells
        draw_grid(ax, np.round(kernel, 1) + 0.0, name, signed=True, numbers=numbers and max(kernel.shape) <= 5,
                  digits=1, limit=limit)
        if numbers:
            for t in ax.texts:
                t.set_fontsize(MIN_FONT)   # "−1.3" fits a 1.6/3-inch cell at 9 pt (tests/test_lessons.py checks)
            ax.set_xticks([])
            ax.set_yticks([])
    if title:
        fig.suptitle(title)
    _tight_layout(fig)
    return fig


def digit_examples(images, labels, *, predictions=None, columns: int = 10, width: float = 0.95):
    """Small grayscale images with their labels as titles ("7", or "7 → 1" when the prediction differs).

    >>> fig = digit_examples(np.zeros((3, 8, 8)), [1, 2, 3], predictions=[1, 2, 4])
    >>> [ax.get_title() for ax in fig.axes][:3]
    ['1', '2', 'label 3 → 4']
    >>> plt.close(fig)
    """
    x = v.as_array(images, "images", ndims=(3,), shape_hint="(N, H, W), a batch of grayscale images")
    labels = _labels(labels, len(x), "labels")
    predictions = None if predictions is None else _labels(predictions, len(x), "predictions")
    columns = v.size_arg(columns, "columns")
    width = v.inches_arg(width, "width")
    rows = -(-len(x) // columns)
    _figure_inches(width, columns, 1.2 * rows, "columns and images")
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, width * 1.2 * rows), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        if i >= len(x):
            ax.axis("off")
            continue
        ax.imshow(x[i], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        label = int(labels[i])
        wrong = predictions is not None and int(predictions[i]) != label
        ax.set_title(f"label {label} → {int(predictions[i])}" if wrong else str(label), fontsize=TITLE_FONT,
                     color="#b2182b" if wrong else "black")
        _bare(ax)
    _tight_layout(fig)
    return fig


def network_maps(activations, index: int = 0, *, width: float = 1.25):
    """One image through the network: input; each filter's map after ReLU; the pooled maps; probabilities.

    Parameters
    ----------
    activations : convlab.nets.network.Activations
    index : int
        Which image of the batch.

    Examples
    --------
    >>> from convlab.nets.network import init_network
    >>> fig = network_maps(init_network(filters=2).forward(np.zeros((1, 16, 16))))
    >>> [ax.get_title() for ax in fig.axes]
    ['input', 'map 1', 'pooled 1', 'map 2', 'pooled 2', 'probability']
    >>> plt.close(fig)
    """
    from ..nets.network import Activations

    if not isinstance(activations, Activations):
        raise TypeError(f"activations must be what TinyCNN.forward returns; got {v.short(activations)}")
    a = activations
    index = v.index_arg(index, "index")
    if index >= len(a.images):
        raise ValueError(f"index must be an image of the batch, 0 to {len(a.images) - 1}; got {index}")
    width = v.inches_arg(width, "width")
    f = a.maps.shape[-1]
    _figure_inches(width, f + 1, 2.3, "filters of the activations")
    fig = plt.figure(figsize=(width * (f + 1), width * 2.3))
    grid = fig.add_gridspec(2, f + 1)
    ax = fig.add_subplot(grid[0, 0])
    ax.imshow(a.images[index], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_title("input")
    _bare(ax)
    top = float(np.max(a.rectified[index])) or 1.0
    for j in range(f):
        ax = fig.add_subplot(grid[0, j + 1])
        ax.imshow(a.rectified[index, :, :, j], cmap="gray", vmin=0, vmax=top, interpolation="nearest")
        ax.set_title(f"map {j + 1}", fontsize=TITLE_FONT)
        _bare(ax)
        ax = fig.add_subplot(grid[1, j + 1])
        ax.imshow(a.pooled[index, :, :, j], cmap="gray", vmin=0, vmax=top, interpolation="nearest")
        ax.set_title(f"pooled {j + 1}", fontsize=TITLE_FONT)
        _bare(ax)
    ax = fig.add_subplot(grid[1, 0])
    probs = a.probabilities[index]
    ax.bar(range(len(probs)), probs, color=["#0072b2" if i == probs.argmax() else "#999" for i in range(len(probs))])
    ax.set_xticks(range(len(probs)))
    ax.tick_params(labelsize=MIN_FONT)
    ax.set_ylim(0, 1)
    ax.set_title("probability", fontsize=TITLE_FONT)
    _tight_layout(fig)
    return fig


def training_summary(losses, epoch_accuracy, *, window: int = 20, width: float = 4.0):
    """Left: the training loss per step (and its running mean); right: held-out accuracy after each epoch.

    >>> fig = training_summary(np.linspace(2, 0.2, 100), [0.5, 0.8, 0.9])
    >>> [ax.get_title() for ax in fig.axes]
    ['training loss (cross-entropy)', 'accuracy on held-out digits']
    >>> plt.close(fig)
    """
    losses = v.as_array(losses, "losses", ndims=(1,), shape_hint="(steps,), one loss per step")
    acc = v.as_array(epoch_accuracy, "epoch_accuracy", ndims=(1,), shape_hint="(epochs,), one accuracy per epoch",
                     allow_empty=True)
    window = v.size_arg(window, "window")
    width = v.inches_arg(width, "width")
    _figure_inches(width, 2, 0.7)
    fig, (left, right) = plt.subplots(1, 2, figsize=(2 * width, width * 0.7))
    left.plot(np.arange(1, len(losses) + 1), losses, color="#bbb", linewidth=0.8, label="each step")
    if len(losses) >= window:
        mean = np.convolve(losses, np.ones(window) / window, mode="valid")
        left.plot(np.arange(window, len(losses) + 1), mean, color="#0072b2", label=f"mean of {window} steps")
    left.set_xlim(1, max(len(losses), 2))   # no tick label hangs past the panel into its neighbour
    left.set_xlabel("step")
    left.set_title("training loss (cross-entropy)")
    left.legend(fontsize=MIN_FONT)
    right.plot(np.arange(1, len(acc) + 1), acc, "o-", color="#d55e00")
    right.axhline(0.1, color="#888", linestyle=":", label="chance (1 in 10)")
    right.set_ylim(0, 1)
    right.set_xlabel("epoch")
    right.set_title("accuracy on held-out digits")
    right.legend(fontsize=MIN_FONT, loc="lower right")
    _tight_layout(fig, w_pad=2.0)
    return fig


def stack_maps(image, layers, *, channels: int = 4, labels=None, width: float = 1.6):
    """The maps of a stack of layers, one row per layer: ``layers`` is a list of (name, (H, W, C) maps).

    ``labels`` names the channels (default "channel 1", "channel 2", ...); at most ``channels`` are drawn.

    >>> fig = stack_maps(np.zeros((8, 8)), [("conv", np.ones((6, 6, 2)))])
    >>> [ax.get_title() for ax in fig.axes]
    ['input 8×8', 'conv 6×6: channel 1', 'channel 2']
    >>> plt.close(fig)
    """
    image = v.as_array(image, "image", ndims=(2,), shape_hint="(H, W), grayscale")
    layers = _named_maps(layers, "layers", 3)
    channels = v.size_arg(channels, "channels")
    width = v.inches_arg(width, "width")
    cols = 1 + min(channels, max(np.shape(m)[-1] for _, m in layers))
    _figure_inches(width, cols, len(layers), "channels and layers")
    labels = v.channel_names_arg(labels, cols - 1, "labels", "channels drawn", at_least=True)
    fig, axes = plt.subplots(len(layers), cols, figsize=(width * cols, width * len(layers)), squeeze=False)
    for ax in axes[1:, 0]:
        ax.axis("off")
    axes[0, 0].imshow(image, cmap="gray", interpolation="nearest")
    axes[0, 0].set_title(f"input {image.shape[0]}×{image.shape[1]}")
    _bare(axes[0, 0])
    for r, (name, maps) in enumerate(layers):
        maps = np.asarray(maps, dtype=np.float64)
        for c in range(cols - 1):
            ax = axes[r, c + 1]
            if c >= maps.shape[-1]:
                ax.axis("off")
                continue
            plane = maps[:, :, c]
            signed = bool(plane.min() < 0)
            m = float(np.percentile(np.abs(plane), 99)) or 1.0
            ax.imshow(plane, cmap=SIGNED_CMAP if signed else "gray", vmin=-m if signed else 0, vmax=m,
                      interpolation="nearest")
            label = labels[c] if labels is not None else f"channel {c + 1}"
            title = f"{name} {plane.shape[0]}×{plane.shape[1]}: {label}" if c == 0 else label
            ax.set_title(title, fontsize=TITLE_FONT)
            _bare(ax)
    _tight_layout(fig)
    return fig


class ReceptiveFieldFigure:
    """The input and the maps of each layer; one cell outlined in its layer and its field in every layer below.

    Built once (one image and two rectangles per panel); :meth:`update` only moves the rectangles.

    Parameters
    ----------
    image : (H, W) array
    maps : list of (name, (h, w) array)
        One map per layer to show (e.g. the first channel of each conv layer's output).
    dpi : int, default 96
        Pixels per inch of :meth:`png` (the figure's own, whatever ``savefig.dpi`` says).

    Examples
    --------
    >>> fig = ReceptiveFieldFigure(np.zeros((8, 8)), [("conv", np.ones((6, 6)))])
    >>> fig.update([(range(1, 4), range(2, 5)), (range(1, 2), range(2, 3))])
    >>> fig.field_boxes[0].get_xy(), fig.field_boxes[0].get_width()
    ((1.5, 0.5), 3)
    """

    def __init__(self, image, maps, *, dpi: int = 96, width: float = 2.6):
        image = v.as_array(image, "image", ndims=(2,), shape_hint="(H, W), grayscale")
        panels = [("input", image)] + _named_maps(maps, "maps", 2)
        dpi, width = v.dpi_arg(dpi), v.inches_arg(width, "width")
        _figure_inches(width, len(panels), 1.12, "maps")
        v.check_figure_pixels(width * len(panels), width * 1.12, dpi)
        self.figure = Figure(figsize=(width * len(panels), width * 1.12), dpi=dpi)  # not pyplot's: never leaks
        FigureCanvasAgg(self.figure)
        self.axes, self.field_boxes, self.cell_boxes = [], [], []
        for i, (name, values) in enumerate(panels):
            ax = self.figure.add_subplot(1, len(panels), i + 1)
            signed = bool(values.min() < 0)
            m = float(np.max(np.abs(values))) or 1.0
            ax.imshow(values, cmap=SIGNED_CMAP if signed else "gray", vmin=-m if signed else values.min(),
                      vmax=m, interpolation="nearest")
            ax.set_title(f"{name} {values.shape[0]}×{values.shape[1]}", fontsize=10)
            _bare(ax)
            field = Rectangle((0, 0), 1, 1, fill=True, facecolor=FIELD_COLOUR, alpha=0.35, edgecolor=FIELD_COLOUR,
                              linewidth=2)
            cell = Rectangle((0, 0), 1, 1, fill=False, edgecolor=CELL_COLOUR, linewidth=2.5, visible=False)
            ax.add_patch(field)
            ax.add_patch(cell)
            self.axes.append(ax)
            self.field_boxes.append(field)
            self.cell_boxes.append(cell)
        _tight_layout(self.figure)

    def update(self, fields) -> None:
        """Outline the given (rows, cols) ranges, one pair per panel, from the input up to the cell's layer.

        The last pair is the chosen cell (drawn in blue); panels after it are left clean.
        """
        last = len(fields) - 1
        for i, (field, cell) in enumerate(zip(self.field_boxes, self.cell_boxes)):
            if i > last:
                field.set_visible(False)
                cell.set_visible(False)
                continue
            rows, cols = fields[i]
            box = cell if i == last else field
            (field if i == last else cell).set_visible(False)
            box.set_xy((cols.start - 0.5, rows.start - 0.5))
            box.set_width(len(cols))
            box.set_height(len(rows))
            box.set_visible(True)

    def png(self) -> bytes:
        """The figure as PNG bytes at its own dpi (made again at every move of the viewer's sliders)."""
        return _agg_png(self.figure)
