"""A GIF of the filter's walk for slides (matplotlib's animation with Pillow)."""

from __future__ import annotations

from ..core.walk import PHASES, compute_walk, view_model
from ..data.images import SEED_IMAGE, SEED_KERNEL
from .step_figure import StepFigure

__all__ = ["save_animation"]

def save_animation(path, image=None, kernel=None, *, phases: bool = False, fps: float = 2.0, dpi: int = 60,
                   progress=None, **settings):
    """Write the filter's walk as an animated GIF (matplotlib's animation with Pillow), for slides.

    Parameters
    ----------
    path : str or os.PathLike
        Where to write; must end in ``.gif`` and its folder must exist.
    image, kernel : array_like, optional
        Default: the seed lesson's example.
    phases : bool, default False
        False: one frame per window (phase "collect"). True: five frames per window, one per phase.
    fps : float, default 2
        Frames per second.
    dpi : int, default 60
    progress : callable, bool or None
        ``progress(done, total)`` is called after each frame. True prints "frame i/n"; None prints
        only for long exports (more than 40 frames).
    **settings
        ``stride``, ``padding``, ``dilation``, ``flip``.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        Bad path or settings that do not fit (in words).
    """
    import os
    from pathlib import Path

    from matplotlib.animation import FuncAnimation, PillowWriter

    path = Path(os.fspath(path))
    if path.suffix.lower() != ".gif":
        raise ValueError(f"path must end in .gif; got {str(path)!r}")
    if not path.parent.is_dir():
        raise ValueError(f"the folder {str(path.parent)!r} does not exist; create it first or choose another path")
    unknown = set(settings) - {"stride", "padding", "dilation", "flip"}
    if unknown:
        raise TypeError(f"unknown setting(s) {', '.join(sorted(unknown))}; use stride, padding, dilation, flip")
    if not (isinstance(fps, (int, float)) and fps > 0):
        raise ValueError(f"fps must be a positive number; got {fps!r}")
    image = SEED_IMAGE if image is None else image
    kernel = SEED_KERNEL if kernel is None else kernel
    walk = compute_walk(image, kernel, **settings)
    frames = [(i, p) for i in range(len(walk.steps)) for p in (PHASES if phases else ("collect",))]
    sf = StepFigure(dpi=dpi)
    sf.configure(view_model(walk))
    if progress is None:
        progress = len(frames) > 40
    if progress is True:
        def progress(done, total):
            if done == total or done % 10 == 0:
                print(f"frame {done}/{total}", flush=True)
    elif progress is False:
        progress = None

    def update(k):
        sf.show(*frames[k])
        return []

    anim = FuncAnimation(sf.figure, update, frames=len(frames), blit=False, repeat=False)
    callback = (lambda i, n: progress(i + 1, n)) if progress else None
    anim.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi, progress_callback=callback)
    return path
