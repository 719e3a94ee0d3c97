"""The digits' glyphs, typeset with matplotlib's bundled fonts: how ``convlab/data/digit_glyphs.npz`` is made.

The data layer draws nothing: :mod:`convlab.data.digits` reads the glyphs this module rendered once and
builds its noisy, shifted examples from them. Each glyph is drawn white on black with matplotlib's Agg
renderer (no window, no download) at twice the final size, one per font, scale and slant of
:data:`~convlab.data.digits.GLYPH_STYLES`; the file keeps these 8-bit planes, and the data layer averages
each 2x2 block. ``tests/test_digits.py`` re-renders them and compares pixel for pixel. Remake the file
(for instance to ship another size) with ``python -m convlab.figures.glyphs 16 28``.
"""

from __future__ import annotations

import os
import sys

import numpy as np
from matplotlib import get_data_path
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from .._shared import validate as v
from .._shared.files import check_write_path, write_atomically
from ..core import limits
from ..data.digits import DIGIT_FONTS, GLYPH_OVERSAMPLE, GLYPH_STYLES, GLYPHS_PATH, glyph_key

__all__ = ["draw_glyph_planes", "write_glyph_file"]

_EM = 1.05 * 72  # font size in points: one em is 1.05 times the canvas height (digits fill about 3/4 of it)


def draw_glyph_planes(font: str, size: int = 16) -> np.ndarray:
    """The digits 0–9 in one font, every scale and slant: uint8 planes ``(styles * 10, 2 size, 2 size)``.

    Planes come in the order of :data:`~convlab.data.digits.GLYPH_STYLES` (scale, then slant), digits
    0–9 within each; 255 is full ink.

    >>> planes = draw_glyph_planes("DejaVuSans.ttf", 8)
    >>> planes.shape, planes.dtype.name, int(planes.max())
    ((60, 16, 16), 'uint8', 255)
    """
    plain = isinstance(font, str) and os.path.basename(font) == font  # a file name, not a path
    path = os.path.join(get_data_path(), "fonts", "ttf", font) if plain else ""
    if not os.path.isfile(path):
        raise ValueError(f"font must be a font file bundled with matplotlib (e.g. {DIGIT_FONTS[0]!r}); "
                         f"got {v.short(font)}")
    big = v.bounded_size(size, "size", limits.MAX_DIGIT_SIZE) * GLYPH_OVERSAMPLE  # 2000 drew for minutes
    fig = Figure(figsize=(1, 1), dpi=big, facecolor="black")
    canvas = FigureCanvasAgg(fig)
    props = FontProperties(fname=path)
    planes = []
    for scale, slant in GLYPH_STYLES:
        for digit in range(10):
            fig.clear()
            fig.text(0.5, 0.5, str(digit), color="white", fontproperties=props, fontsize=_EM * scale,
                     ha="center", va="center", rotation=slant)
            canvas.draw()
            planes.append(np.asarray(canvas.buffer_rgba())[:big, :big, 0].copy())
    return np.array(planes)


def write_glyph_file(sizes=(16,), path=None, *, fonts=DIGIT_FONTS) -> None:
    """Render ``fonts`` (default :data:`~convlab.data.digits.DIGIT_FONTS`) at ``sizes`` into one ``.npz``, atomically."""
    if not isinstance(sizes, (list, tuple)) or not sizes:
        raise TypeError(f"sizes must be a non-empty list of glyph sizes in pixels; got {v.short(sizes)}")
    if not isinstance(fonts, (list, tuple)) or not fonts or not all(isinstance(f, str) for f in fonts):
        raise TypeError(f"fonts must be a non-empty list of font file names; got {v.short(fonts)}")
    target = GLYPHS_PATH if path is None else check_write_path(path, ".npz")
    sizes = [v.bounded_size(s, "sizes", limits.MAX_DIGIT_SIZE) for s in sizes]
    arrays = {glyph_key(font, size): draw_glyph_planes(font, size) for font in fonts for size in sizes}
    write_atomically(target, lambda fh: np.savez_compressed(fh, **arrays),
                     suffix=".npz")


if __name__ == "__main__":  # pragma: no cover - the command that made the shipped file
    write_glyph_file([int(a) for a in sys.argv[1:]] or (16,))
    print(f"wrote {GLYPHS_PATH}")
