"""A GIF of the filter's walk for slides: frames drawn by matplotlib, streamed to the file by Pillow.

Every argument is checked before the first frame is drawn; frames are written one at a time (only the
current one is in memory); and the GIF is written to a temporary file in the same folder and moved into
place at the end (``os.replace``), so an export that fails or is interrupted never replaces an existing
file with a broken one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._shared import validate as v
from .._shared.files import check_write_path, write_atomically
from ..views.op_views import operation_view
from ..data.images import SEED_IMAGE, SEED_KERNEL
from .step_figure import StepFigure

__all__ = ["save_animation", "DEFAULT_GIF_WIDTH"]

DEFAULT_GIF_WIDTH = 1280
"""Pixels across a GIF by default: a slide's full width on a 1280-pixel projector (cell numbers ~20 px)."""
_FRAME_INCHES = 10.0  # the step figure's width; the width in pixels sets its dpi

_SETTINGS = ("stride", "padding", "dilation", "flip", "operation", "size", "output_padding")
_FIX = {False: "use a larger stride or a smaller image",
        True: "use phases=False (one frame per window), a larger stride or a smaller image"}


def _check_path(path) -> Path:
    return check_write_path(path, ".gif")


def _check_size_first(image, kernel, settings, per_window: int) -> None:
    """Count the windows from the shapes alone and refuse too many frames before any walk is computed.

    Shapes that do not fit are left to ``compute_walk``, which explains them in words.
    """
    from ..core.sizes import output_shape

    try:
        image_shape, kernel_shape = np.shape(image), np.shape(kernel)
        geometry = {k: settings[k] for k in ("stride", "padding", "dilation") if k in settings}
        rows, cols = output_shape(tuple(image_shape[:2]), tuple(kernel_shape[:2]), **geometry)
    except (TypeError, ValueError):
        return
    v.frames_arg(rows * cols * per_window, _FIX[per_window > 1])
    broadcast = image_shape[2] if len(image_shape) == 3 and len(kernel_shape) == 2 else 1  # one slice per channel
    v.check_walk_size(rows * cols, int(np.prod(kernel_shape)) * broadcast)


def _check_progress(progress):
    if progress is None or isinstance(progress, (bool, np.bool_)) or callable(progress):
        return progress
    raise TypeError(f"progress must be a function progress(done, total), True, False or None; got {v.short(progress)}")


def save_animation(path, image=None, kernel=None, *, phases: bool = False, fps: float = 2.0,
                   width: int | None = None, dpi: float | None = None, progress=None, **settings):
    """Write the filter's walk as an animated GIF, for slides.

    Parameters
    ----------
    path : str or os.PathLike
        Where to write; must end in ``.gif`` and its folder must exist. An existing file is replaced
        only once the new one is complete.
    image, kernel : array_like, optional
        Default: the seed lesson's example.
    phases : bool, default False
        False: one frame per window (its last phase, "collect" for convolution). True: one frame per
        window and phase.
    fps : float, default 2
        Frames per second, from ``MIN_FPS`` (0.1) to ``MAX_FPS`` (50).
    width : int, optional
        Width of the GIF in pixels, from ``MIN_GIF_WIDTH`` (200) to ``MAX_GIF_WIDTH`` (3840); default
        :data:`DEFAULT_GIF_WIDTH` (1280, a slide's width). The height follows from the layout.
    dpi : float, optional
        Instead of ``width``: dots per inch of the 10-inch-wide frames, from ``MIN_DPI`` (10) to
        ``MAX_DPI`` (600). Give one of ``width`` and ``dpi``, not both.
    progress : callable, bool or None
        ``progress(done, total)`` is called after each frame. True prints "frame i/n"; None prints
        only for long exports (more than 40 frames).
    **settings
        ``stride``, ``padding``, ``dilation``, ``flip``; ``operation`` (one of
        :data:`convlab.views.op_views.OPERATIONS`, default "convolution") with ``size`` for pooling and
        ``output_padding`` for transposed convolution.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    TypeError, ValueError
        Before any frame is drawn: a bad path, fps, dpi or setting, settings that do not fit, or more
        than ``MAX_FRAMES`` (1000) frames. An error while drawing a frame is raised as it is, and the
        file at ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from PIL import Image
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> gif = save_animation(folder / "walk.gif", width=400)
    >>> Image.open(gif).n_frames          # one frame per window of the lesson's 5x5 example
    9
    >>> Image.open(gif).width
    400
    >>> save_animation(folder / "walk.gif", fps=0)
    Traceback (most recent call last):
    ...
    ValueError: fps must be at least 0.1; got 0
    """
    path = _check_path(path)
    unknown = set(settings) - set(_SETTINGS)
    if unknown:
        raise TypeError(f"unknown setting(s) {', '.join(sorted(unknown))}; use {', '.join(_SETTINGS)}")
    phases = v.check_bool(phases, "phases", "five frames per window, or one")
    fps = v.fps_arg(fps)
    if width is not None and dpi is not None:
        raise ValueError(f"give width (pixels) or dpi, not both; got width={v.short(width)}, dpi={v.short(dpi)}")
    if dpi is None:
        # a hair over width/inches, so that the frame is exactly `width` pixels after Agg rounds down
        dpi = (v.gif_width_arg(DEFAULT_GIF_WIDTH if width is None else width) + 0.25) / _FRAME_INCHES
    dpi = v.dpi_arg(dpi)
    progress = _check_progress(progress)
    image = SEED_IMAGE if image is None else image
    kernel = SEED_KERNEL if kernel is None else kernel
    operation = settings.pop("operation", "convolution")
    if operation == "convolution":
        _check_size_first(image, kernel, settings, 5 if phases else 1)
    vm = operation_view(operation, image, kernel, **settings)  # checks the image, kernel and settings
    frames = [(i, p) for i in range(vm["windows"]["count"]) for p in (vm["phases"] if phases else vm["phases"][-1:])]
    v.frames_arg(len(frames), _FIX[phases])
    sf = StepFigure(dpi=dpi, width=_FRAME_INCHES)
    sf.configure(vm)
    width, height = sf.figure.get_size_inches()
    v.check_figure_pixels(width, height, dpi)

    if progress is None:
        progress = len(frames) > 40
    if progress is True:
        def progress(done, total):
            if done == total or done % 10 == 0:
                print(f"frame {done}/{total}", flush=True)
    elif progress is False:
        progress = None

    _write_gif_atomically(path, _render(sf, frames), len(frames), duration_ms=1000.0 / fps, progress=progress)
    return path


def _render(sf: StepFigure, frames):
    """Draw one frame at a time and yield it as a 256-colour Pillow image (nothing is kept).

    The same figure is reused for every frame (:meth:`StepFigure.show` changes its artists in place).
    Colours are reduced by Pillow's fast octree: ~7x faster than median cut at 1280 px and the GIF is
    smaller; no pixel moves by more than a few levels (white stays white to within 1).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = sf.figure.canvas if isinstance(sf.figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(sf.figure)
    for index, phase in frames:
        sf.show(index, phase)
        canvas.draw()
        rgba = np.asarray(canvas.buffer_rgba())
        rgb = Image.fromarray(np.ascontiguousarray(rgba[..., :3]), "RGB")
        yield rgb.quantize(colors=256, method=Image.Quantize.FASTOCTREE)


def _write_gif_atomically(path: Path, frames, total: int, *, duration_ms: float, progress=None) -> None:
    """Stream ``frames`` (RGB images of one size) into a looping GIF at ``path``, atomically.

    Each frame gets its own 256-colour palette and is written as soon as it is drawn. The file is
    built as a temporary file next to ``path`` and moved over it with ``os.replace`` only when the
    last frame is written; on any error (or Ctrl-C) the temporary file is removed and ``path`` is
    untouched. A replaced GIF keeps its permissions, and the temporary files of an export that was killed
    are removed by the next export to the same path (see ``convlab._shared.files``).
    """
    from PIL import GifImagePlugin

    def write(fp):
        size = None
        for done, frame in enumerate(frames, start=1):
            pal = frame if frame.mode == "P" else frame.quantize(colors=256)  # _render quantizes already
            if size is None:
                size = pal.size
                header, _ = GifImagePlugin.getheader(pal.copy(), None, {"loop": 0, "duration": duration_ms})
                fp.write(b"".join(header))
            elif pal.size != size:
                raise ValueError(f"frame {done} is {pal.size[0]}x{pal.size[1]} pixels, not {size[0]}x{size[1]}")
            for chunk in GifImagePlugin.getdata(pal, (0, 0), duration=duration_ms, include_color_table=True):
                fp.write(chunk)
            if progress:
                progress(done, total)
        if size is None:
            raise ValueError("the animation has no frames")
        fp.write(b";")  # GIF trailer

    write_atomically(path, write)
