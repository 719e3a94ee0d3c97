"""A small labelled data set made offline: the digits 0–9 drawn with matplotlib's bundled fonts.

Each digit is typeset once per font, size and slant with matplotlib's Agg renderer (no window, no
download) into a small grayscale grid; every example is one of those templates shifted by a few
pixels, dimmed a little and covered in noise, from a fixed seed. That is enough for a tiny CNN
(:mod:`convlab.core.network`) to learn first-layer filters of its own in well under a minute.

The trained network that ships with the package (``trained_cnn.npz``, next to this file) was made by
:func:`train_and_cache`; ``tests/test_network.py`` retrains from the same seed to show it is honest.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

import numpy as np

from ..core import _validate as v
from ..core import limits
from ..core._files import check_write_path
from ..core.network import TinyCNN, TrainingRun, load_network, save_network, train

__all__ = ["DIGIT_FONTS", "digit_templates", "make_digits", "data_digest", "training_data", "TRAINED_CNN_PATH",
           "TRAINING_SETTINGS", "trained_cnn", "train_and_cache"]

DIGIT_FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
               "DejaVuSansMono.ttf", "STIXGeneral.ttf")
"""The font files (all bundled with matplotlib) the digits are drawn in."""

_SLANTS = (-12.0, 0.0, 12.0)  # degrees of rotation
_SCALES = (0.8, 1.0)          # relative glyph size
_OVERSAMPLE = 2               # draw at twice the size, then average 2x2 blocks: smooth edges

TRAINED_CNN_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trained_cnn.npz")
"""Where the package keeps the trained network (see :func:`trained_cnn`)."""

TRAINING_SETTINGS = dict(per_class_train=300, per_class_test=100, size=16, data_seed=0, test_seed=1,
                         filters=8, epochs=12, batch_size=32, learning_rate=0.05, momentum=0.9, weight_decay=0.0, seed=0,
                         checkpoint_step=40)
"""How the shipped network was trained: data, architecture and optimiser settings."""


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


def _settings(settings) -> dict:
    """``TRAINING_SETTINGS`` with some of them changed; an unknown name is refused (a typo would be ignored)."""
    if settings is None:
        return dict(TRAINING_SETTINGS)
    if not isinstance(settings, dict):
        raise TypeError(f"settings must be a dict of training settings or None; got {v.short(settings)}")
    unknown = sorted(str(k) for k in settings if k not in TRAINING_SETTINGS)
    if unknown:
        raise ValueError(f"settings has unknown names {', '.join(unknown)}; known: {', '.join(TRAINING_SETTINGS)}")
    return dict(TRAINING_SETTINGS, **settings)


def training_data(settings: dict | None = None):
    """The training and held-out sets the shipped network used: ``(x_train, y_train, x_test, y_test)``."""
    s = _settings(settings)
    x_train, y_train = make_digits(s["per_class_train"], size=s["size"], seed=s["data_seed"])
    x_test, y_test = make_digits(s["per_class_test"], size=s["size"], seed=s["test_seed"])
    return x_train, y_train, x_test, y_test


def trained_cnn(path: str | None = None) -> tuple[TinyCNN, dict]:
    """The network that ships with convlab, and what its file records about it.

    Returns
    -------
    network : TinyCNN
    info : dict
        ``losses`` (per step), ``test_accuracy``, ``train_accuracy``, ``settings``, ``checkpoint``
        (a TinyCNN after ``settings['checkpoint_step']`` steps), ``data_digest``.
    """
    return load_network(TRAINED_CNN_PATH if path is None else path)  # a bad path is refused there, in words


def train_and_cache(path: str | None = None, settings: dict | None = None) -> TrainingRun:
    """Train the tiny CNN on the digits from its fixed seeds and store it (atomically) at ``path``.

    This is how ``trained_cnn.npz`` was made: ``python -m convlab.data.digits`` (about half a minute).
    """
    target = check_write_path(TRAINED_CNN_PATH if path is None else path, ".npz")  # before half a minute of work
    s = _settings(settings)
    x_train, y_train, x_test, y_test = training_data(s)
    run = train(x_train, y_train, filters=s["filters"], epochs=s["epochs"], batch_size=s["batch_size"],
                learning_rate=s["learning_rate"], momentum=s["momentum"], weight_decay=s["weight_decay"], seed=s["seed"],
                checkpoint_step=s["checkpoint_step"], x_test=x_test, y_test=y_test)
    save_network(target, run, settings=s, data_digest=data_digest(x_train))
    return run


if __name__ == "__main__":  # pragma: no cover - the command that made the shipped file
    result = train_and_cache()
    print(f"test accuracy {result.test_accuracy:.3f}, train accuracy {result.train_accuracy:.3f}; "
          f"saved to {TRAINED_CNN_PATH}")
