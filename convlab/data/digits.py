"""A small labelled data set made offline: the digits 0–9 drawn with matplotlib's bundled fonts.

Each digit is typeset once per font, size and slant with matplotlib's Agg renderer (no window, no
download) into a small grayscale grid; every example is one of those templates shifted by a few
pixels, dimmed a little and covered in noise, from a fixed seed. That is enough for a tiny CNN
(:mod:`convlab.nets.network`) to learn first-layer filters of its own in well under a minute.

The network trained on them ships with the package: :mod:`convlab.nets.trained`.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

import numpy as np

from .._shared import validate as v
from ..core import limits

__all__ = ["DIGIT_FONTS", "digit_templates", "make_digits", "data_digest"]

DIGIT_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
               "DejaVuSansMono.ttf", "STIXGeneral.ttf")
"""The font files (all bundled with matplotlib) the digits are drawn in."""

_SLANTS = (-12.0, 0.0, 12.0)  # degrees of rotation
_SCALES = (0.8, 1.0)          # relative glyph size
_OVERSAMPLE = 2               # draw at twice the size, then average 2x2 blocks: smooth edges

@lru_cache(maxsize=4)
def _templates(size: int) -> tuple[np.ndarray, np.ndarray]:
    from matplotlib import get_data_path
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    big = size * _OVERSAMPLE
    fig = Figure(figsize=(1, 1), dpi=big, facecolor="black")
    canvas = FigureCanvasAgg(fig)
    em = 1.05 * 72  # font size in points: one em is 1.05 times the canvas height (digits fill ~3/4 of it)
    glyphs, labels = [], []
    for font in DIGIT_FONTS:
        props = FontProperties(fname=os.path.join(get_data_path(), "fonts", "ttf", font))
        for scale in _SCALES:
            for slant in _SLANTS:
                for digit in range(10):
                    fig.clear()
                    fig.text(0.5, 0.5, str(digit), color="white", fontproperties=props, fontsize=em * scale,
                             ha="center", va="center", rotation=slant)
                    canvas.draw()
                    plane = np.asarray(canvas.buffer_rgba())[:big, :big, 0].astype(np.float64) / 255.0
                    small = plane.reshape(size, _OVERSAMPLE, size, _OVERSAMPLE).mean(axis=(1, 3))
                    glyphs.append(small)
                    labels.append(digit)
    images = np.array(glyphs)
    images.flags.writeable = False
    labels = np.array(labels)
    labels.flags.writeable = False
    return images, labels


def digit_templates(size: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Every clean digit drawing: (images (T, size, size) in [0, 1], labels (T,)).

    >>> images, labels = digit_templates(16)
    >>> images.shape, sorted(set(labels.tolist())) == list(range(10))
    ((360, 16, 16), True)
    """
    return _templates(_digit_size(size))


def _digit_size(size) -> int:
    """A digit's side: at least 8 pixels (readable), at most ``MAX_DIGIT_SIZE``."""
    size = v.size_arg(v.scalar(size), "size")
    if size < 8:
        raise ValueError(f"size must be at least 8 pixels for a digit to be readable; got {size}")
    v.check_at_most(size, limits.MAX_DIGIT_SIZE, "size", " pixels")
    return size


def _shift(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Move the picture ``dy`` rows down and ``dx`` columns right; what comes in is black (0)."""
    h, w = image.shape
    out = np.zeros_like(image)
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        image[max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def make_digits(per_class: int = 100, *, size: int = 16, seed: int = 0, noise: float = 0.15,
                max_shift: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """A labelled set of noisy, shifted digits: the same numbers for the same arguments, offline.

    Parameters
    ----------
    per_class : int, default 100
        Examples of each digit (the set has ``10 * per_class``, in shuffled order).
    size : int, default 16
        Side of each square image in pixels.
    seed : int, default 0
        Different seeds give different examples (use one seed to train, another to test).
    noise : float, default 0.15
        Standard deviation of the Gaussian noise added to every pixel (the result is clipped to [0, 1]).
    max_shift : int, default 2
        Each drawing is moved by up to this many pixels in each direction.

    Returns
    -------
    images : numpy.ndarray, shape (10 * per_class, size, size), values in [0, 1] (1 = ink)
    labels : numpy.ndarray of int, shape (10 * per_class,)

    Examples
    --------
    >>> images, labels = make_digits(5, seed=3)
    >>> images.shape, labels.shape, np.bincount(labels).tolist()
    ((50, 16, 16), (50,), [5, 5, 5, 5, 5, 5, 5, 5, 5, 5])
    >>> bool(np.array_equal(images, make_digits(5, seed=3)[0]))   # reproducible
    True
    """
    per_class = v.size_arg(v.scalar(per_class), "per_class")
    size = _digit_size(size)
    seed = v.seed_arg(v.scalar(seed))
    noise = v.real_number(noise, "noise", minimum=0, maximum=1)
    if v.seed_arg(v.scalar(max_shift), "max_shift") >= size // 2:
        raise ValueError(f"max_shift must be a whole number from 0 to {size // 2 - 1}; got {max_shift!r}")
    # the set, 10·per_class images of size², before any is drawn
    v.check_output_values((10 * per_class, size, size), "the digits", "use a smaller per_class or size")
    templates, template_labels = digit_templates(size)
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(np.arange(10), per_class))
    by_digit = [np.flatnonzero(template_labels == d) for d in range(10)]
    images = np.empty((len(labels), size, size))
    for n, label in enumerate(labels):
        template = templates[rng.choice(by_digit[label])]
        dy, dx = rng.integers(-max_shift, max_shift + 1, size=2)
        contrast = rng.uniform(0.6, 1.0)
        images[n] = _shift(template, int(dy), int(dx)) * contrast + rng.normal(0.0, noise, size=(size, size))
    return np.clip(images, 0.0, 1.0), labels


def data_digest(images) -> str:
    """A short fingerprint of a data set (SHA-256 of its pixels rounded to 6 decimals).

    The trained network's file stores the digest of the data it was trained on; a test compares it
    with freshly drawn data, so a different font renderer is noticed rather than silently trained on.
    """
    pixels = np.round(v.as_numbers(images, "images"), 6) + 0.0  # + 0.0 turns -0.0 into 0.0
    return hashlib.sha256(pixels.tobytes()).hexdigest()[:16]
