"""Images for the lessons: the seed's 5x5 example, small test patterns and an offline photo.

Everything here is made from numbers or read from files that are already installed (matplotlib's
bundled sample data): nothing is downloaded at run time.
"""

from __future__ import annotations

import numpy as np

from .._shared import validate as v
from ..core import limits
from .kernels import VERTICAL_EDGE

__all__ = [
    "SEED_IMAGE", "SEED_KERNEL", "stripes", "checkerboard", "cross", "digit", "sample_photo",
    "to_grayscale", "downscale",
]


def _frozen(arr) -> np.ndarray:
    arr = np.array(arr, dtype=np.float64)
    arr.flags.writeable = False
    return arr


SEED_IMAGE = _frozen([
    [1, 2, 3, 0, 1],
    [0, 1, 2, 3, 1],
    [1, 2, 1, 0, 0],
    [2, 1, 0, 1, 2],
    [0, 1, 2, 3, 1],
])
"""The lesson's 5x5 input image."""

SEED_KERNEL = VERTICAL_EDGE
"""The lesson's 3x3 filter (a vertical-edge detector): columns of 1, 0 and -1."""


def stripes(size: int = 8, width: int = 2, *, vertical: bool = True) -> np.ndarray:
    """Alternating bands of 1 and 0, ``width`` pixels wide.

    >>> stripes(4, 1)
    array([[1., 0., 1., 0.],
           [1., 0., 1., 0.],
           [1., 0., 1., 0.],
           [1., 0., 1., 0.]])
    """
    size, width = v.bounded_size(size, "size", limits.MAX_GENERATED_SIZE), v.size_arg(width, "width")
    vertical = v.check_bool(vertical, "vertical", "vertical or horizontal bands")
    band = ((np.arange(size) // width) % 2 == 0).astype(np.float64)
    img = np.tile(band, (size, 1))
    return img if vertical else img.T.copy()


def checkerboard(size: int = 8, square: int = 2) -> np.ndarray:
    """Squares of 1 and 0, ``square`` pixels on a side.

    >>> checkerboard(4, 2)
    array([[1., 1., 0., 0.],
           [1., 1., 0., 0.],
           [0., 0., 1., 1.],
           [0., 0., 1., 1.]])
    """
    size, square = v.bounded_size(size, "size", limits.MAX_GENERATED_SIZE), v.size_arg(square, "square")
    idx = np.arange(size) // square
    return ((idx[:, None] + idx[None, :]) % 2 == 0).astype(np.float64)


def cross(size: int = 7, thickness: int = 1) -> np.ndarray:
    """A bright plus sign on a dark background.

    >>> cross(5)
    array([[0., 0., 1., 0., 0.],
           [0., 0., 1., 0., 0.],
           [1., 1., 1., 1., 1.],
           [0., 0., 1., 0., 0.],
           [0., 0., 1., 0., 0.]])
    """
    size, thickness = v.bounded_size(size, "size", limits.MAX_GENERATED_SIZE), v.size_arg(thickness, "thickness")
    if thickness > size:
        raise ValueError(f"thickness must be at most the image size ({size}); got {thickness}")
    img = np.zeros((size, size))
    lo = (size - thickness) // 2
    img[lo:lo + thickness, :] = 1.0
    img[:, lo:lo + thickness] = 1.0
    return img


_DIGITS = {
    0: ["01110", "10001", "10011", "10101", "11001", "10001", "01110"],
    1: ["00100", "01100", "00100", "00100", "00100", "00100", "01110"],
    2: ["01110", "10001", "00001", "00010", "00100", "01000", "11111"],
    3: ["11110", "00001", "00001", "01110", "00001", "00001", "11110"],
    4: ["00010", "00110", "01010", "10010", "11111", "00010", "00010"],
    5: ["11111", "10000", "11110", "00001", "00001", "10001", "01110"],
    6: ["00110", "01000", "10000", "11110", "10001", "10001", "01110"],
    7: ["11111", "00001", "00010", "00100", "01000", "01000", "01000"],
    8: ["01110", "10001", "10001", "01110", "10001", "10001", "01110"],
    9: ["01110", "10001", "10001", "01111", "00001", "00010", "01100"],
}


def digit(n: int = 7, *, border: int = 1) -> np.ndarray:
    """A handwritten-style digit as a 7x5 grid of 0 and 1, with ``border`` empty pixels around it.

    >>> digit(1, border=0)[:3]
    array([[0., 0., 1., 0., 0.],
           [0., 1., 1., 0., 0.],
           [0., 0., 1., 0., 0.]])
    >>> digit(7).shape
    (9, 7)
    """
    if not v.is_int(n):
        raise TypeError(f"n must be a digit from 0 to 9; got {v.short(n)}")
    if n not in _DIGITS:
        raise ValueError(f"n must be a digit from 0 to 9; got {n!r}")
    border = v.seed_arg(border, "border")  # a non-negative integer
    v.check_at_most(border, limits.MAX_PADDING, "border")
    grid = np.array([[float(ch) for ch in row] for row in _DIGITS[int(n)]])
    return np.pad(grid, border)


def to_grayscale(image) -> np.ndarray:
    """Luminance of an (H, W, 3) RGB image: 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601).

    >>> to_grayscale([[[255, 255, 255], [255, 0, 0]]])
    array([[255.   ,  76.245]])
    """
    img = v.as_image(image)
    if img.ndim != 3 or img.shape[2] not in (3, 4):
        raise ValueError(f"image must be an (H, W, 3) RGB image; got shape {img.shape}")
    return img[..., :3] @ np.array([0.299, 0.587, 0.114])


def downscale(image, size) -> np.ndarray:
    """Shrink an image to ``size`` (an int for the longer side, or ``(rows, cols)``) by area averaging.

    Each output pixel is the mean of the block of input pixels it covers; the aspect ratio is kept
    when ``size`` is one number. Images are never enlarged.

    >>> downscale(np.arange(16.0).reshape(4, 4), 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    img = v.as_image(image)
    h, w = img.shape[:2]
    if isinstance(size, (tuple, list)):
        rows, cols = v.shape_arg(size, "size", (2,))
    else:
        longest = v.size_arg(size, "size")
        scale = longest / max(h, w)
        rows, cols = max(1, round(h * scale)), max(1, round(w * scale))
    rows, cols = min(rows, h), min(cols, w)
    starts_r = (np.arange(rows) * h) // rows
    starts_c = (np.arange(cols) * w) // cols
    sums = np.add.reduceat(np.add.reduceat(img, starts_r, axis=0), starts_c, axis=1)
    counts = np.diff(np.append(starts_r, h))[:, None] * np.diff(np.append(starts_c, w))[None, :]
    if img.ndim == 3:
        counts = counts[..., None]
    return v.check_finite_output(sums / counts, "downscale", lambda: f"the image's values (up to {v.largest(img)})",
                                 "scale the image's values down")


def sample_photo(size=64, *, rgb: bool = False) -> np.ndarray:
    """A real photograph, read offline from matplotlib's bundled sample data (Grace Hopper, 600x512).

    Parameters
    ----------
    size : int or (int, int), default 64
        The longer side in pixels, or ``(rows, cols)``.
    rgb : bool, default False
        True for an (H, W, 3) colour image, False for (H, W) grayscale.

    Returns
    -------
    numpy.ndarray of float64 with whole-number pixel values from 0 (black) to 255 (white).

    Examples
    --------
    >>> sample_photo(64).shape
    (64, 55)
    >>> sample_photo((32, 32), rgb=True).shape
    (32, 32, 3)
    """
    rgb = v.check_bool(rgb, "rgb", "colour or grayscale")
    if isinstance(size, (tuple, list)):  # never enlarged: no upper limit is needed
        v.shape_arg(size, "size", (2,))
    else:
        v.size_arg(size, "size")
    from matplotlib import cbook, image as mpimg  # data layer: matplotlib only for its sample file

    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    photo = mpimg.imread(path).astype(np.float64)
    if not rgb:
        photo = to_grayscale(photo)
    return np.round(downscale(photo, size))
