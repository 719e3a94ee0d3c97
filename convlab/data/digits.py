"""A small labelled data set made offline: the digits 0–9 in matplotlib's bundled fonts.

Each digit's clean glyph, one per font, size and slant, ships in ``digit_glyphs.npz`` next to this file;
:mod:`convlab.figures.glyphs` typeset them once with matplotlib (this layer draws nothing, it only reads
the file). Every example is one of those templates shifted by a few pixels, dimmed a little and covered
in noise, from a fixed seed. That is enough for a tiny CNN (:mod:`convlab.nets.network`) to learn
first-layer filters of its own in well under a minute.

The network trained on them ships with the package: :mod:`convlab.nets.trained`.
"""

from __future__ import annotations

import hashlib
import mmap
import os
from functools import lru_cache

import numpy as np

from .._shared import validate as v

__all__ = ["DIGIT_FONTS", "digit_templates", "make_digits", "data_digest", "glyph_sizes"]

DIGIT_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
               "DejaVuSansMono.ttf", "STIXGeneral.ttf")
"""The font files (all bundled with matplotlib) the digits are drawn in."""

GLYPH_STYLES = tuple((scale, slant) for scale in (0.8, 1.0) for slant in (-12.0, 0.0, 12.0))
"""Each font's glyphs, in the file's order: (relative size, degrees of rotation)."""

GLYPH_OVERSAMPLE = 2
"""Glyphs are drawn at twice the size; averaging each 2x2 block gives smooth edges."""

GLYPHS_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digit_glyphs.npz")
"""The pre-rendered glyphs (8-bit planes), made by :func:`convlab.figures.glyphs.write_glyph_file`."""


def glyph_key(font: str, size: int) -> str:
    """The name of one font's planes at one size inside the glyph file."""
    return f"{os.path.splitext(font)[0]}_{size}"


def glyph_sizes() -> list[int]:
    """The image sizes whose glyphs ship with convlab (every font is stored at each).

    >>> 16 in glyph_sizes()
    True
    """
    with np.load(GLYPHS_PATH, allow_pickle=False) as stored:
        names = set(stored.files)
    return sorted(int(n.rsplit("_", 1)[1]) for n in names if n.startswith(glyph_key(DIGIT_FONTS[0], "")))


@lru_cache(maxsize=4)
def _templates(size: int, fonts: tuple[str, ...] = DIGIT_FONTS) -> tuple[np.ndarray, np.ndarray]:
    """Every glyph of ``fonts`` at ``size``, averaged down from the file's planes, and its digit."""
    with np.load(GLYPHS_PATH, allow_pickle=False) as stored:
        planes = np.concatenate([stored[glyph_key(font, size)] for font in fonts])
    k = GLYPH_OVERSAMPLE
    images = (planes.astype(np.float64) / 255.0).reshape(-1, size, k, size, k).mean(axis=(2, 4))
    images.flags.writeable = False
    labels = np.tile(np.arange(10), len(fonts) * len(GLYPH_STYLES))
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
    """A digit's side: at least 8 pixels (readable), one of the shipped glyph sizes."""
    size = v.size_arg(v.scalar(size), "size")
    if size < 8:
        raise ValueError(f"size must be at least 8 pixels for a digit to be readable; got {size}")
    sizes = glyph_sizes()
    if size not in sizes:  # the glyphs are drawn ahead and shipped: only those sizes exist
        raise ValueError(f"size must be one whose glyphs ship with convlab ({', '.join(map(str, sizes))} pixels); "
                         f"got {size}: add it with `python -m convlab.figures.glyphs {' '.join(map(str, sizes))} {size}`")
    return size


def _shift(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Move the picture ``dy`` rows down and ``dx`` columns right; what comes in is black (0)."""
    h, w = image.shape
    out = np.zeros_like(image)
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        image[max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def make_digits(per_class: int = 100, *, size: int = 16, seed: int = 0, noise: float = 0.15,
                max_shift: int = 2, fonts=None) -> tuple[np.ndarray, np.ndarray]:
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
    fonts : sequence of str, optional
        Draw only in these fonts (names from :data:`DIGIT_FONTS`); all of them by default. With one font
        left out of the training set and only that font in a test set, a test measures how well a network
        reads a font it has never seen.

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
    allowed = np.ones(len(template_labels), dtype=bool)
    if fonts is not None:
        if not isinstance(fonts, (list, tuple)) or not fonts or not all(isinstance(f, str) for f in fonts):
            raise TypeError(f"fonts must be a non-empty list of names from DIGIT_FONTS; got {v.short(fonts)}")
        unknown = [f for f in fonts if f not in DIGIT_FONTS]
        if unknown:
            raise ValueError(f"fonts must be a non-empty list of names from DIGIT_FONTS; got {v.short(fonts)}")
        per_font = len(template_labels) // len(DIGIT_FONTS)   # templates are drawn font by font
        allowed = np.isin(np.arange(len(template_labels)) // per_font, [DIGIT_FONTS.index(f) for f in fonts])
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(np.arange(10), per_class))
    by_digit = [np.flatnonzero((template_labels == d) & allowed) for d in range(10)]
    images = _returnable((len(labels), size, size))
    for n, label in enumerate(labels):
        template = templates[rng.choice(by_digit[label])]
        dy, dx = rng.integers(-max_shift, max_shift + 1, size=2)
        contrast = rng.uniform(0.6, 1.0)
        images[n] = _shift(template, int(dy), int(dx)) * contrast + rng.normal(0.0, noise, size=(size, size))
    return np.clip(images, 0.0, 1.0, out=images), labels   # in place: the set is never held twice


def _returnable(shape: tuple[int, ...]) -> np.ndarray:
    """An uninitialised float64 array whose memory goes back to the system as soon as it is deleted.

    A set of 1 MB or more gets its own anonymous memory map. numpy's memory comes from ``malloc``, and
    glibc raises its threshold for mapping a block to the size of the largest block freed so far; a
    lesson that has freed a bigger array (a photo, a figure's pixels) would get the set inside the heap,
    where deleting it leaves a hole the process keeps.
    """
    nbytes = 8 * int(np.prod(shape))
    if nbytes < 1 << 20:
        return np.empty(shape)
    return np.frombuffer(mmap.mmap(-1, nbytes), dtype=np.float64).reshape(shape)


def data_digest(images) -> str:
    """A short fingerprint of a data set (SHA-256 of its pixels rounded to 6 decimals).

    The trained network's file stores the digest of the data it was trained on; a test compares it
    with freshly drawn data, so a different font renderer is noticed rather than silently trained on.
    """
    pixels = np.round(v.as_numbers(images, "images"), 6) + 0.0  # + 0.0 turns -0.0 into 0.0
    return hashlib.sha256(pixels.tobytes()).hexdigest()[:16]
