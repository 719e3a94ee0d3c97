"""Static figures for the lessons (drawing layer: matplotlib only).

Small, labelled figures that make a lesson read on GitHub or nbviewer without a kernel: grids of
numbers (an image, a filter, a feature map), the channels of an RGB image, a gallery of feature maps,
the progress of a learned kernel. Each function returns a pyplot ``Figure``; a notebook cell ends with
``plt.show()``.

Signed values (filters, feature maps of edge filters) use a diverging, colour-blind-safe colormap
centred on zero (the Explorer's); pixel values use grays.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize

from .drawing import SIGNED_CMAP  # one colour scheme for signed values, the Explorer's
from .steps import format_number

__all__ = ["setup", "show", "SIGNED_CMAP", "draw_grid", "grids", "picture", "rgb_channels", "gallery", "learning_progress"]


NUMBERS_UP_TO = 12
"""Grids with at most this many rows and columns get their numbers written in the cells."""


def setup(dpi: int = 72) -> None:
    """Small, crisp figures for the lessons: modest DPI (small stored notebooks) and readable fonts.

    >>> setup(); import matplotlib; matplotlib.rcParams["figure.dpi"]
    72.0
    """
    plt.rcParams.update({
        "figure.dpi": dpi,
        "savefig.dpi": dpi,
        "font.size": 10,
        "axes.titlesize": 11,
        "figure.max_open_warning": 0,
    })
    # Resolve the notebook's backend now (pyplot does it lazily, at the first figure), so that displaying a
    # plain Figure — e.g. convlab.drawing.draw_step_figure(...) — renders as an image from the first cell on.
    plt.close(plt.figure())


def show(fig, *, dpi: int | None = None) -> None:
    """Display any matplotlib Figure as a PNG image in a notebook, and close it if pyplot knows it.

    Works for plain ``Figure`` objects that pyplot does not manage (e.g. from
    :func:`convlab.drawing.draw_step_figure`). The cell's text output is always
    ``<IPython.core.display.Image object>``, whatever the figure's size — so stored notebooks do not
    change when a figure's layout does.
    """
    import io

    from IPython.display import Image, display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or plt.rcParams["figure.dpi"])
    if plt.fignum_exists(getattr(fig, "number", -1)):
        plt.close(fig)
    display(Image(data=buf.getvalue(), format="png"))


def _signed(values) -> bool:
    return bool(np.min(values) < 0)


def _norm(values, signed: bool, percentile: float = 100) -> Normalize:
    if signed:
        m = float(np.percentile(np.abs(values), percentile)) or float(np.max(np.abs(values))) or 1.0
        return Normalize(-m, m)
    lo, hi = float(np.min(values)), float(np.max(values))
    return Normalize(lo, hi if hi > lo else lo + 1)


def draw_grid(ax, values, title: str = "", *, signed: bool | None = None, numbers: bool | None = None,
              digits: int = 2, cmap=None, percentile: float = 100, limit: float | None = None) -> None:
    """Draw a 2-D array on ``ax`` as coloured cells, with its numbers when the grid is small.

    >>> fig, ax = plt.subplots(); draw_grid(ax, [[1, -1], [0, 2]], "filter"); ax.get_title()
    'filter'
    >>> len(ax.texts)
    4
    >>> plt.close(fig)
    """
    values = np.asarray(values, dtype=np.float64)
    signed = _signed(values) if signed is None else signed
    numbers = max(values.shape) <= NUMBERS_UP_TO if numbers is None else numbers
    cmap = plt.get_cmap(cmap or (SIGNED_CMAP if signed else "gray"))
    norm = _norm(values, signed, percentile)  # signed colours: symmetric limits (clipped at a percentile)
    if limit is not None:  # a shared colour scale, e.g. for kernels compared side by side
        norm = Normalize(-limit, limit) if signed else Normalize(0, limit)
    ax.imshow(values, cmap=cmap, norm=norm, interpolation="nearest")
    if numbers:
        rgba = cmap(norm(values))
        for (r, c), x in np.ndenumerate(values):
            lum = 0.299 * rgba[r, c, 0] + 0.587 * rgba[r, c, 1] + 0.114 * rgba[r, c, 2]
            ax.text(c, r, format_number(x, digits), ha="center", va="center", fontsize=10 if max(values.shape) <= 7 else 8,
                    color="white" if lum < 0.5 else "black")
        ax.set_xticks(range(values.shape[1]))
        ax.set_yticks(range(values.shape[0]))
        ax.tick_params(length=0, labelsize=8)
        ax.set_xticks(np.arange(values.shape[1] + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(values.shape[0] + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="#888", linewidth=0.5)
        ax.tick_params(which="minor", length=0)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_title(title)


def grids(*panels, signed=None, width: float = 3.0, suptitle: str | None = None, symbols=None):
    """Several labelled grids side by side, e.g. ``grids(("input", img), ("filter", k), ("feature map", out))``.

    Parameters
    ----------
    panels : (title, array) pairs
    signed : bool or list of bool, optional
        Diverging colours centred on zero; by default for grids with negative values.
    width : float
        Width of one panel in inches.
    symbols : list of str, optional
        Text drawn between panels (e.g. ``["⋆", "="]`` for image ⋆ filter = feature map).

    >>> fig = grids(("a", np.eye(2)), ("b", -np.eye(2)), symbols=["→"])
    >>> [ax.get_title() for ax in fig.axes]
    ['a', 'b']
    >>> plt.close(fig)
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(width * len(panels), width * 0.95), squeeze=False)
    flags = signed if isinstance(signed, (list, tuple)) else [signed] * len(panels)
    for ax, (title, values), flag in zip(axes[0], panels, flags):
        draw_grid(ax, values, title, signed=flag)
    for i, sym in enumerate(symbols or []):
        x = (i + 1) / len(panels)
        fig.text(x, 0.48, sym, ha="center", va="center", fontsize=20)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def picture(image, title: str = "", *, cmap: str = "gray", box=None, zoom=None, width: float = 3.4):
    """A photo-sized image without numbers; optionally a box marked on it and that box zoomed in, with numbers.

    Parameters
    ----------
    image : (H, W) array
    box : (row, col, size), optional
        Outline this square on the image.
    zoom : bool, optional
        Also draw the boxed patch as a grid of numbers (default: when ``box`` is given).

    >>> fig = picture(np.zeros((20, 20)), "photo", box=(2, 3, 4))
    >>> [ax.get_title() for ax in fig.axes]
    ['photo', '4×4 patch at row 2, column 3']
    >>> plt.close(fig)
    """
    image = np.asarray(image, dtype=np.float64)
    zoom = box is not None if zoom is None else zoom
    fig, axes = plt.subplots(1, 2 if zoom else 1, figsize=(width * (2.2 if zoom else 1), width * 1.05), squeeze=False)
    ax = axes[0, 0]
    ax.imshow(image, cmap=cmap, interpolation="nearest")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    if box is not None:
        r, c, n = box
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), n, n, fill=False, color="#e69f00", linewidth=2))
        if zoom:
            draw_grid(axes[0, 1], image[r:r + n, c:c + n], f"{n}×{n} patch at row {r}, column {c}", digits=3)
    fig.tight_layout()
    return fig


def rgb_channels(image, *, title: str = "RGB image", numbers: bool | None = None, width: float = 2.6):
    """An (H, W, 3) image and its red, green and blue channels, each a grid of numbers from 0 to 255.

    >>> fig = rgb_channels(np.zeros((2, 2, 3)))
    >>> [ax.get_title() for ax in fig.axes]
    ['RGB image', 'red channel', 'green channel', 'blue channel']
    >>> plt.close(fig)
    """
    image = np.asarray(image, dtype=np.float64)
    fig, axes = plt.subplots(1, 4, figsize=(width * 4, width))
    axes[0].imshow(np.clip(image / 255.0, 0, 1), interpolation="nearest")
    axes[0].set_title(title)
    axes[0].set_xticks([])
    axes[0].set_yticks([])
    for ax, name, colour in zip(axes[1:], ("red", "green", "blue"), ("Reds", "Greens", "Blues")):
        plane = image[..., "rgb".index(name[0])]
        draw_grid(ax, plane, f"{name} channel", signed=False, numbers=numbers, digits=3, cmap=colour)
        ax.images[0].set_norm(Normalize(0, 255))
    fig.tight_layout()
    return fig


def gallery(image, kernels: dict, maps: dict, *, columns: int = 4, width: float = 2.4):
    """The input, then each named kernel's feature map.

    Maps of kernels whose weights sum to 0 (edge detectors) use signed colours centred on zero (white = no
    change); the others (blur, sharpen, emboss keep the brightness) use gray levels.

    Parameters
    ----------
    image : (H, W) array
    kernels : dict of name -> kernel (shown as the small inset numbers in the title)
    maps : dict of name -> feature map (same keys)

    >>> from convlab.kernels import SOBEL_X
    >>> fig = gallery(np.eye(6), {"sobel x": SOBEL_X}, {"sobel x": np.eye(4)})
    >>> [ax.get_title() for ax in fig.axes][:2]
    ['input', 'sobel x']
    >>> plt.close(fig)
    """
    n = len(maps) + 1
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, width * rows * 1.05), squeeze=False)
    draw_grid(axes[0, 0], image, "input", signed=False, numbers=False)
    for ax, name in zip(axes.ravel()[1:], maps):
        fmap = np.asarray(maps[name], dtype=np.float64)
        kernel = kernels.get(name)
        zero_sum = kernel is not None and abs(float(np.sum(kernel))) < 1e-9
        if zero_sum or (kernel is None and _signed(fmap)):
            # responds to change only (edges): signed colours, white = 0
            draw_grid(ax, fmap, name, signed=True, numbers=False, percentile=98)
        else:
            # keeps brightness (blur, sharpen, emboss): gray levels, the extreme 1% clipped
            draw_grid(ax, fmap, name, signed=False, numbers=False)
            lo, hi = np.percentile(fmap, [1, 99])
            ax.images[0].set_norm(Normalize(lo, hi if hi > lo else lo + 1))
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def learning_progress(run, image, *, teacher=None, steps=None, width: float = 2.3):
    """How a learned kernel changes: the kernel and its feature map at a few steps, and the loss curve.

    Parameters
    ----------
    run : convlab.learn.LearningRun
    image : (H, W) array shown through each kernel
    teacher : array, optional
        The kernel that made the targets, drawn last for comparison.
    steps : list of int, optional
        Which steps to show (default: 0, two in between, and the last).

    >>> from convlab.learn import learn_kernel, make_targets
    >>> from convlab.kernels import SOBEL_X
    >>> imgs = [np.random.default_rng(0).random((8, 8))]
    >>> run = learn_kernel(imgs, make_targets(imgs, SOBEL_X), steps=3)
    >>> fig = learning_progress(run, imgs[0], teacher=SOBEL_X)
    >>> len(fig.axes)      # steps 0, 1, 3 and the teacher, over their feature maps; the loss curve
    10
    >>> plt.close(fig)
    """
    from .conv import conv2d

    last = run.steps
    steps = steps or sorted({0, max(1, last // 10), max(1, last // 3), last})
    cols = len(steps) + (1 if teacher is not None else 0) + 1
    fig, axes = plt.subplots(2, cols, figsize=(width * cols, width * 2))
    shown = [(f"step {s}", run.kernels[s]) for s in steps]
    if teacher is not None:
        shown.append(("teacher's kernel", np.asarray(teacher, dtype=np.float64)))
    m = max(float(np.max(np.abs(k))) for _, k in shown) or 1.0
    for j, (title, k) in enumerate(shown):
        draw_grid(axes[0, j], np.round(k, 2) + 0.0, title, signed=True, digits=2, limit=m)
        fmap = conv2d(image, k)
        draw_grid(axes[1, j], fmap, "its feature map", signed=True, numbers=False)
    loss_ax = axes[0, -1]
    loss_ax.semilogy(np.arange(len(run.losses)), run.losses, color="#444")
    for s in steps:
        loss_ax.plot([s], [run.losses[s]], "o", color="#b2182b", markersize=4)
    loss_ax.set_title("loss (mean squared error)")
    loss_ax.set_xlabel("step")
    axes[1, -1].axis("off")
    fig.tight_layout()
    return fig
