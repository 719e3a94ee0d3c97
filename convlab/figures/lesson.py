"""Figures for the lessons (drawing layer: matplotlib only).

Small, labelled figures that make a lesson read on GitHub or nbviewer without a kernel: grids of
numbers (an image, a filter, a feature map), the channels of an RGB image, a gallery of feature maps,
the progress of a learned kernel. Each function returns a pyplot ``Figure``; a notebook cell ends with
``plt.show()``.

The lessons' small widgets (:mod:`convlab.widgets.lesson_widgets`) draw into figures that are built once and
updated in place: :class:`GridPanel` (one grid whose values, shape and colours change),
:class:`KernelResultFigure` (image, kernel, feature map) and :class:`LearningFigure` (a learned kernel
step by step). These are plain ``Figure`` objects, not registered with pyplot; ``png()`` renders them.

Signed values (filters, feature maps of edge filters) use a diverging, colour-blind-safe colormap
centred on zero (the Explorer's); pixel values use grays. A grid whose cells are all equal is drawn
mid-grey with its value written, whatever that value is. Numbers on cells are black or white, whichever
has the higher WCAG contrast ratio with the cell (always at least 4.5:1). Text is at least 9 pt; a
notebook shows a figure with :func:`show`, at 96 CSS pixels per inch (so 9 pt is 12 px), with its
description as the image's alternative text.
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize

from .._shared import validate as v
from .._shared.memory import freeze_long_lived, release_garbage
from ..core.steps import format_number
from ..views.palette import SIGNED_CMAP, ink  # one colour scheme for signed values and one ink chooser, the Explorer's
from ._cells import (MIN_FONT, NUMBERS_UP_TO,  # noqa: F401 (contrast_ratio, relative_luminance: re-exported)
                     _cell_ticks, _check_axes, _check_figure, _check_title, _constant,
                     _fontsize, _grid_options, _grid_values, _norm, _optional_bool, _release_pixels,
                     _shared_text_clip, _signed, _tight_layout, contrast_ratio, relative_luminance)

__all__ = ["setup", "show", "figure_html", "SIGNED_CMAP", "draw_grid", "grids", "picture", "rgb_channels", "gallery",
           "learning_progress", "png_bytes", "NUMBERS_UP_TO", "MIN_FONT"]


DPI = 120
"""Pixels per inch of the stored PNGs: sharper than the 96 px per inch they are shown at, still small."""


def setup(dpi: int = DPI) -> None:
    """Crisp figures for the lessons: a dpi above the screen's 96 (sharp when projected), fonts of 9 pt or more.

    The first call in a process also freezes what is alive then (the imports, in a lesson's first cell) out of
    the garbage collector's full passes (``convlab._shared.memory.freeze_long_lived``): each figure
    :func:`show` lets go of then costs a pass over what the lesson made, not over the whole kernel. So call it
    first, as the lessons do: a figure or widget made before it is kept for as long as the kernel runs.

    >>> setup(); import matplotlib; matplotlib.rcParams["figure.dpi"]
    120.0
    """
    dpi = v.dpi_arg(dpi)
    plt.rcParams.update({
        "figure.dpi": dpi,
        "savefig.dpi": dpi,
        "font.size": 11,
        "axes.titlesize": 12,
        "xtick.labelsize": 10,
        "ytick.labelsize": 10,
        "figure.max_open_warning": 0,
    })
    # Resolve the notebook's backend now (pyplot does it lazily, at the first figure), so that displaying a
    # plain Figure — e.g. convlab.draw_step_figure(...) — renders as an image from the first cell on.
    plt.close(plt.figure())
    freeze_long_lived()


def figure_html(fig, alt: str, *, dpi: int | None = None, format: str = "png") -> str:
    """The figure as an HTML ``<img>`` with alternative text, the PNG inline, shown at 96 px per inch.

    The PNG carries no software version or date, so the same figure gives the same bytes every time
    (stored notebooks stay comparable). ``format="jpeg"`` (quality 85) keeps figures of photos small.

    >>> fig, ax = plt.subplots(figsize=(2, 1)); html = figure_html(fig, 'A "blank" plot.')
    >>> html.startswith('<img src="data:image/png;base64,') and 'alt="A &quot;blank&quot; plot."' in html
    True
    >>> 'width="192"' in html
    True
    >>> plt.close(fig)
    """
    import base64
    import html as _html

    if not isinstance(alt, str):
        raise TypeError(f"alt must be a sentence describing the figure; got {v.short(alt)}")
    if not alt.strip():
        raise ValueError(f"alt must be a sentence describing the figure; got {alt!r}")
    _check_figure(fig)
    if dpi is not None:
        v.dpi_arg(dpi)
    buf = io.BytesIO()
    format = v.one_of(format, "format", ("png", "jpeg"))
    default = plt.rcParams["savefig.dpi"]
    dpi = dpi or (default if isinstance(default, (int, float)) else DPI)
    if format == "png":
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    else:
        fig.savefig(buf, format="jpeg", dpi=dpi, pil_kwargs={"quality": 85, "optimize": True})
    _release_pixels(fig)
    width = round(fig.get_figwidth() * 96)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<img src="data:image/{format};base64,{data}" alt="{_html.escape(alt.strip(), quote=True)}" '
            f'width="{width}" style="max-width:100%; height:auto">')


def show(fig, alt: str, *, dpi: int | None = None, format: str = "png") -> None:
    """Display a Figure in a notebook as an image WITH its description, and close it if pyplot knows it.

    Then the garbage of figures shown before is collected (one full pass of :func:`gc.collect`) and the
    memory it held is handed back to the system where the C library allows it (glibc's ``malloc_trim``).

    The output is an HTML ``<img>`` whose ``alt`` is ``alt`` (read by screen readers in JupyterLab, Voilà,
    nbviewer) and, as plain text, the same description (what a text-only reader and ``nbval`` see).
    Works for plain ``Figure`` objects that pyplot does not manage.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str
        One sentence saying what the figure shows (its alternative text). Required.
    dpi : int, optional
        Pixels per inch of the image (default: ``savefig.dpi``, see :func:`setup`).
    format : {"png", "jpeg"}
        PNG (sharp text, exact colours) or JPEG (a fraction of the size for figures of photos).
    """
    from IPython.display import display

    html = figure_html(fig, alt, dpi=dpi, format=format)
    if plt.fignum_exists(getattr(fig, "number", -1)):
        plt.close(fig)
    display({"text/html": html, "text/plain": "Figure: " + alt.strip()}, raw=True)
    # The figure a lesson rebound ``fig`` away from is cyclic garbage now: one full collection frees it (after
    # setup() froze the imports, 15-20 ms; 50-100 ms over the whole kernel), and the heap's free pages go back
    # to the system (convlab._shared.memory). Lesson 07 ends 7 MiB lower for the collection and 5 MiB more for
    # the hand-back (benchmarks/bench_memory.py, stops 30 and 32).
    release_garbage()


def draw_grid(ax, values, title: str = "", *, signed: bool | None = None, numbers: bool | None = None,
              digits: int = 2, cmap=None, percentile: float = 100, limit: float | None = None) -> None:
    """Draw a 2-D array on ``ax`` as coloured cells, with its numbers when the grid is small.

    >>> fig, ax = plt.subplots(); draw_grid(ax, [[1, -1], [0, 2]], "filter"); ax.get_title()
    'filter'
    >>> len(ax.texts)
    4
    >>> plt.close(fig)
    """
    _check_axes(ax)
    values = _grid_values(values)
    _check_title(title)
    _grid_options(signed, numbers, digits, percentile, limit)
    signed = _signed(values) if signed is None else signed
    numbers = max(values.shape) <= NUMBERS_UP_TO if numbers is None else numbers
    cmap = plt.get_cmap(_cmap_arg(cmap) or (SIGNED_CMAP if signed else "gray"))
    norm = _norm(values, signed, percentile)  # signed colours: symmetric limits (clipped at a percentile)
    if isinstance(limit, Normalize):  # a shared scale given in full (see grids(share=True))
        norm = limit
    elif limit is not None:  # a shared colour scale, e.g. for kernels compared side by side
        norm = Normalize(-limit, limit) if signed else Normalize(0, limit)
    ax.imshow(values, cmap=cmap, norm=norm, interpolation="nearest")
    if _constant(values) and not numbers:  # one number says it all
        ax.text((values.shape[1] - 1) / 2, (values.shape[0] - 1) / 2, f"all {format_number(values.flat[0], digits)}",
                ha="center", va="center", fontsize=12, color=ink(cmap(norm(values.flat[:1])))[0],
                bbox=None)
    if numbers:
        clip = _shared_text_clip(ax)
        for (r, c), x, colour in zip(np.ndindex(values.shape), values.ravel(), ink(cmap(norm(values.ravel())))):
            ax.text(c, r, format_number(x, digits), ha="center", va="center", fontsize=_fontsize(values.shape),
                    color=colour, clip_path=clip)
    _cell_ticks(ax, values.shape, numbers)
    ax.set_title(title)


def _shared_norms(arrays, flags) -> list:
    """One colour scale for every panel: symmetric around 0 if any panel is signed, else min..max of all."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    signed = [(_signed(a) if f is None else f) for a, f in zip(arrays, flags)]
    lo = min(float(np.min(a)) for a in arrays)
    hi = max(float(np.max(a)) for a in arrays)
    if any(signed):
        m = max(abs(lo), abs(hi)) or 1.0
        norm = Normalize(-m, m)
    else:
        norm = Normalize(lo, hi if hi > lo else lo + 1)
    return [norm] * len(arrays), [any(signed)] * len(arrays)


def grids(*panels, signed=None, width: float = 3.0, suptitle: str | None = None, symbols=None,
          share: bool = False, colorbar: bool = False):
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
    share : bool, default False
        One colour scale for all panels, so equal values get equal colours (use it whenever the panels'
        values are compared).
    colorbar : bool, default False
        Add one colour bar for the shared scale (with ``share``).

    >>> fig = grids(("a", np.eye(2)), ("b", -np.eye(2)), symbols=["→"])
    >>> [ax.get_title() for ax in fig.axes]
    ['a', 'b']
    >>> plt.close(fig)
    >>> fig = grids(("a", np.eye(2)), ("b", 2 * np.eye(2)), share=True)
    >>> [ax.images[0].get_clim() for ax in fig.axes]
    [(0.0, 2.0), (0.0, 2.0)]
    >>> plt.close(fig)
    """
    if not panels:
        raise ValueError("panels: give at least one (title, array) pair")
    for i, panel in enumerate(panels):
        if not isinstance(panel, (tuple, list)) or len(panel) != 2:
            raise TypeError(f"panels[{i}] must be a (title, array) pair; got {v.short(panel)}")
        _check_title(panel[0], f"panels[{i}]'s title")
        _grid_values(panel[1], f"panels[{i}]'s array")
    share = v.check_bool(share, "share", "one colour scale for every panel")
    colorbar = v.check_bool(colorbar, "colorbar", "a colour bar, with share=True")
    width = v.inches_arg(width, "width")
    if isinstance(signed, (list, tuple)):
        if len(signed) != len(panels):
            raise ValueError(f"signed must have one entry per panel ({len(panels)}); got {v.short(signed)}")
        for flag in signed:
            _optional_bool(flag, "signed", "diverging colours centred on zero")
    else:
        _optional_bool(signed, "signed", "diverging colours centred on zero")
    _check_title(suptitle, "suptitle")
    if symbols is not None and (not isinstance(symbols, (list, tuple)) or not all(isinstance(x, str) for x in symbols)):
        raise TypeError(f"symbols must be a list of strings; got {v.short(symbols)}")
    fig, axes = plt.subplots(1, len(panels), figsize=(width * len(panels), width * 0.95), squeeze=False)
    flags = signed if isinstance(signed, (list, tuple)) else [signed] * len(panels)
    norms = [None] * len(panels)
    if share:
        norms, flags = _shared_norms([v for _, v in panels], flags)
    for ax, (title, values), flag, norm in zip(axes[0], panels, flags, norms):
        draw_grid(ax, values, title, signed=flag, limit=norm)
    if share and colorbar:  # both checked above
        fig.colorbar(axes[0, -1].images[0], ax=list(axes[0]), shrink=0.8, pad=0.02)
    for i, sym in enumerate(symbols or []):
        x = (i + 1) / len(panels)
        fig.text(x, 0.48, sym, ha="center", va="center", fontsize=20)
    if suptitle:
        fig.suptitle(suptitle)
    if not (share and colorbar):
        _tight_layout(fig)
    return fig


def _cmap_arg(cmap):
    """None, a colormap's name or a Colormap (matplotlib's own message for a typo names no argument)."""
    from matplotlib import colormaps
    from matplotlib.colors import Colormap

    if cmap is None or isinstance(cmap, Colormap) or (isinstance(cmap, str) and cmap in colormaps):
        return cmap
    raise ValueError(f"cmap must be a matplotlib colormap or its name, e.g. 'gray' or 'RdBu_r'; got {v.short(cmap)}")


def picture(image, title: str = "", *, cmap: str = "gray", box=None, zoom=None, width: float = 3.4,
            colorbar: bool = False, label: str = ""):
    """A photo-sized image without numbers; optionally a box marked on it and that box zoomed in, with numbers.

    Parameters
    ----------
    image : (H, W) array
    box : (row, col, size), optional
        Outline this square on the image.
    zoom : bool, optional
        Also draw the boxed patch as a grid of numbers (default: when ``box`` is given).
    colorbar : bool, default False
        Add a colour bar (``label`` names its quantity), so the shades can be read as numbers.

    >>> fig = picture(np.zeros((20, 20)), "photo", box=(2, 3, 4))
    >>> [ax.get_title() for ax in fig.axes]
    ['photo', '4×4 patch at row 2, column 3']
    >>> plt.close(fig)
    """
    image = v.as_array(image, "image", ndims=(2,), shape_hint="(H, W) grayscale")
    _check_title(title)
    zoom = _optional_bool(zoom, "zoom", "also draw the boxed patch as numbers")
    cmap = _cmap_arg(cmap)
    colorbar = v.check_bool(colorbar, "colorbar", "a colour bar beside the picture")
    _check_title(label, "label")
    width = v.inches_arg(width, "width")
    if box is not None:
        if not isinstance(box, (tuple, list)) or len(box) != 3 or not all(v.is_int(x) for x in box):
            raise TypeError(f"box must be a (row, col, size) triple of integers; got {v.short(box)}")
        r, c, n = box
        if r < 0 or c < 0 or n < 1 or r + n > image.shape[0] or c + n > image.shape[1]:
            raise ValueError(f"box must lie inside the {image.shape[0]}x{image.shape[1]} image, with size at least 1; "
                             f"got {v.short(box)}")
    zoom = box is not None if zoom is None else zoom
    fig, axes = plt.subplots(1, 2 if zoom else 1, figsize=(width * (2.2 if zoom else 1), width * 1.05), squeeze=False,
                             layout="none")  # laid out by _tight_layout, whatever rcParams set: its colour bar too
    ax = axes[0, 0]
    im = ax.imshow(image, cmap=cmap, interpolation="nearest")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    if colorbar:
        fig.colorbar(im, ax=ax, shrink=0.85, label=label)
    if box is not None:
        r, c, n = box
        ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), n, n, fill=False, color="#e69f00", linewidth=2))
        if zoom:
            draw_grid(axes[0, 1], image[r:r + n, c:c + n], f"{n}×{n} patch at row {r}, column {c}", digits=3)
    _tight_layout(fig)
    return fig


def rgb_channels(image, *, title: str = "RGB image", numbers: bool | None = None, width: float = 2.6):
    """An (H, W, 3) image and its red, green and blue channels, each a grid of numbers from 0 to 255.

    >>> fig = rgb_channels(np.zeros((2, 2, 3)))
    >>> [ax.get_title() for ax in fig.axes]
    ['RGB image', 'red channel', 'green channel', 'blue channel']
    >>> plt.close(fig)
    """
    image = v.as_array(image, "image", ndims=(3,), shape_hint="(H, W, 3) RGB")
    if image.shape[2] != 3:
        raise ValueError(f"image must be (H, W, 3) RGB; got shape {image.shape}")
    _check_title(title)
    _optional_bool(numbers, "numbers", "write the numbers in the cells")
    width = v.inches_arg(width, "width")
    fig, axes = plt.subplots(1, 4, figsize=(width * 4, width))
    axes[0].imshow(np.clip(image / 255.0, 0, 1), interpolation="nearest")
    axes[0].set_title(title)
    axes[0].set_xticks([])
    axes[0].set_yticks([])
    for ax, name, colour in zip(axes[1:], ("red", "green", "blue"), ("Reds", "Greens", "Blues")):
        plane = image[..., "rgb".index(name[0])]
        draw_grid(ax, plane, f"{name} channel", signed=False, numbers=numbers, digits=3, cmap=colour)
        ax.images[0].set_norm(Normalize(0, 255))
    _tight_layout(fig)
    return fig


def gallery(image, kernels: dict, maps: dict, *, columns: int = 4, width: float = 2.4):
    """The input, then each named kernel's feature map.

    Maps of kernels whose weights sum to 0 (edge detectors) use signed colours centred on zero (white = no
    change); the others (blur, sharpen, emboss keep the brightness) use gray levels. Every map has a
    colour bar, so its shades can be read as numbers.

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
    _grid_values(image, "image")
    for name, value in (("kernels", kernels), ("maps", maps)):
        if not isinstance(value, dict):
            raise TypeError(f"{name} must be a dict of name -> array; got {v.short(value)}")
    for key, fmap in maps.items():
        _grid_values(fmap, f"maps[{key!r}]")
    columns = v.bounded_size(columns, "columns", 50)
    width = v.inches_arg(width, "width")
    n = len(maps) + 1
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, width * rows * 1.05), squeeze=False,
                             layout="constrained")
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
        fig.colorbar(ax.images[0], ax=ax, shrink=0.8, pad=0.03).ax.tick_params(labelsize=MIN_FONT)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    return fig


def learning_progress(run, image, *, teacher=None, steps=None, width: float = 2.3):
    """How a learned kernel changes: the kernel and its feature map at a few steps, and the loss curve.

    Parameters
    ----------
    run : convlab.nets.learn.LearningRun
    image : (H, W) array shown through each kernel
    teacher : array, optional
        The kernel that made the targets, drawn last for comparison.
    steps : list of int, optional
        Which steps to show (default: 0, two in between, and the last).

    >>> from convlab.nets.learn import learn_kernel, make_targets
    >>> from convlab.kernels import SOBEL_X
    >>> imgs = [np.random.default_rng(0).random((8, 8))]
    >>> run = learn_kernel(imgs, make_targets(imgs, SOBEL_X), steps=3)
    >>> fig = learning_progress(run, imgs[0], teacher=SOBEL_X)
    >>> len(fig.axes)      # steps 0, 1, 3 and the teacher, over their feature maps; the loss curve
    10
    >>> plt.close(fig)
    """
    from ..core.conv import conv2d

    from ..nets.learn import LearningRun

    if not isinstance(run, LearningRun):
        raise TypeError(f"run must be a LearningRun from learn_kernel; got {v.short(run)}")
    _grid_values(image, "image")
    if teacher is not None:
        _grid_values(teacher, "teacher")
    width = v.inches_arg(width, "width")
    last = run.steps
    if steps is not None:
        if not isinstance(steps, (list, tuple)) or not all(v.is_int(x) for x in steps):
            raise TypeError(f"steps must be a list of step numbers; got {v.short(steps)}")
        if any(not 0 <= x <= last for x in steps):
            raise ValueError(f"steps must be between 0 and {last} (the run's last step); got {v.short(steps)}")
    steps = steps or sorted({0, max(1, last // 10), max(1, last // 3), last})
    cols = len(steps) + (1 if teacher is not None else 0) + 1
    fig, axes = plt.subplots(2, cols, figsize=(width * cols, width * 2))
    shown = [(f"step {s}", run.kernels[s]) for s in steps]
    if teacher is not None:
        shown.append(("teacher", np.asarray(teacher, dtype=np.float64)))
    m = max(float(np.max(np.abs(k))) for _, k in shown) or 1.0
    fmap_limit = max(float(np.max(np.abs(conv2d(image, k)))) for _, k in shown) or 1.0  # one scale for all maps
    for j, (title, k) in enumerate(shown):
        draw_grid(axes[0, j], np.round(k, 1) + 0.0, title, signed=True, digits=1, limit=m)  # 1 decimal: fits a cell
        fmap = conv2d(image, k)
        draw_grid(axes[1, j], fmap, "its feature map", signed=True, numbers=False, limit=fmap_limit)
    loss_ax = axes[0, -1]
    loss_ax.semilogy(np.arange(len(run.losses)), run.losses, color="#444")
    for s in steps:
        loss_ax.plot([s], [run.losses[s]], "o", color="#b2182b", markersize=4)
    loss_ax.set_title("loss (MSE)")
    loss_ax.set_xlabel("step")
    axes[1, -1].axis("off")
    _tight_layout(fig)
    return fig


# ---------------------------------------------------------------------------------------------------------
# Figures built once and updated in place (for the lessons' small widgets)


def png_bytes(fig) -> bytes:
    """The figure rendered as PNG bytes (at the figure's own dpi, whatever ``savefig.dpi`` says).

    >>> from matplotlib.figure import Figure
    >>> with plt.rc_context({"savefig.dpi": 120}):
    ...     png = png_bytes(Figure(figsize=(2, 1), dpi=50))
    >>> int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")   # width and height in pixels
    (100, 50)
    """
    _check_figure(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi="figure")
    _release_pixels(fig)
    return buf.getvalue()
