"""Named kernels (filters) and kernel families at any size (numpy only).

Every constant is a read-only float64 array, so a lesson cannot change it by accident; copy it
(``SOBEL_X.copy()``) to experiment. ``make_kernel`` builds a family at a chosen filter size, which is
what the Explorer's filter-size slider uses.
"""

from __future__ import annotations

import numpy as np

from .._shared import validate as v
from ..core import limits

__all__ = [
    "IDENTITY", "BOX_BLUR", "GAUSSIAN_BLUR", "SHARPEN", "SOBEL_X", "SOBEL_Y", "PREWITT_X", "PREWITT_Y",
    "LAPLACIAN", "OUTLINE", "EMBOSS", "VERTICAL_EDGE", "HORIZONTAL_EDGE", "NAMED_KERNELS", "FAMILIES",
    "make_kernel",
]


def _const(rows, scale: float = 1.0) -> np.ndarray:
    arr = np.array(rows, dtype=np.float64) / scale
    arr.flags.writeable = False
    return arr


IDENTITY = _const([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
"""Leaves the image unchanged: only the centre pixel counts."""
BOX_BLUR = _const(np.ones((3, 3)), 9)
"""Average of the 3x3 neighbourhood."""
GAUSSIAN_BLUR = _const([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 16)
"""Weighted average, the centre counting most: a softer blur."""
SHARPEN = _const([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
"""Boosts the centre against its neighbours."""
SOBEL_X = _const([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
"""Brightness change from left to right (responds to vertical edges)."""
SOBEL_Y = _const([[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
"""Brightness change from top to bottom (responds to horizontal edges)."""
PREWITT_X = _const([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]])
PREWITT_Y = _const([[-1, -1, -1], [0, 0, 0], [1, 1, 1]])
LAPLACIAN = _const([[0, 1, 0], [1, -4, 1], [0, 1, 0]])
"""Responds where brightness bends: edges in every direction."""
OUTLINE = _const([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
EMBOSS = _const([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])
VERTICAL_EDGE = _const([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
"""The lesson's filter: bright on the left, dark on the right gives a large positive value."""
HORIZONTAL_EDGE = _const([[1, 1, 1], [0, 0, 0], [-1, -1, -1]])

NAMED_KERNELS = {
    "identity": IDENTITY,
    "box blur": BOX_BLUR,
    "gaussian blur": GAUSSIAN_BLUR,
    "sharpen": SHARPEN,
    "sobel x": SOBEL_X,
    "sobel y": SOBEL_Y,
    "prewitt x": PREWITT_X,
    "prewitt y": PREWITT_Y,
    "laplacian": LAPLACIAN,
    "outline": OUTLINE,
    "emboss": EMBOSS,
    "vertical edge": VERTICAL_EDGE,
    "horizontal edge": HORIZONTAL_EDGE,
}
"""Every named 3x3 kernel, by a readable name (for galleries and choosers)."""

FAMILIES = ("vertical edge", "horizontal edge", "box blur", "gaussian blur", "identity", "random")
"""Kernel families that ``make_kernel`` can build at any filter size."""


def _edge_profile(size: int) -> np.ndarray:
    """+1 left of the centre, 0 at the centre, -1 right of it: the seed filter's columns at any size."""
    centre = (size - 1) / 2
    return np.sign(centre - np.arange(size))


def _binomial(size: int) -> np.ndarray:
    """Binomial weights summing to 1 (halved at every step, so they never overflow)."""
    row = np.array([1.0])
    for _ in range(size - 1):
        row = np.convolve(row, [0.5, 0.5])
    return row


def make_kernel(family: str, size: int, *, seed: int = 0) -> np.ndarray:
    """A kernel of the given family at ``size`` x ``size``.

    Parameters
    ----------
    family : str
        One of :data:`FAMILIES`: ``"vertical edge"`` (the lesson's filter at any size),
        ``"horizontal edge"``, ``"box blur"`` (all weights equal, summing to 1), ``"gaussian blur"``
        (binomial weights, summing to 1), ``"identity"`` (1 in the centre), ``"random"`` (whole
        numbers from -2 to 2, reproducible through ``seed``).
    size : int
        Filter size, from 1 to :data:`convlab.core.limits.MAX_KERNEL_SIZE` (99).
    seed : int, default 0
        Seed of the ``"random"`` family.

    Examples
    --------
    >>> make_kernel("vertical edge", 3)
    array([[ 1.,  0., -1.],
           [ 1.,  0., -1.],
           [ 1.,  0., -1.]])
    >>> make_kernel("gaussian blur", 3) * 16
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> make_kernel("vertical edge", 5)[0]
    array([ 1.,  1.,  0., -1., -1.])
    """
    family = v.one_of(family, "family", FAMILIES)
    size = v.bounded_size(size, "size", limits.MAX_KERNEL_SIZE)
    seed = v.seed_arg(seed)
    if family == "vertical edge":
        k = np.tile(_edge_profile(size), (size, 1))
    elif family == "horizontal edge":
        k = np.tile(_edge_profile(size)[:, None], (1, size))
    elif family == "box blur":
        k = np.full((size, size), 1.0 / size**2)
    elif family == "gaussian blur":
        row = _binomial(size)
        k = np.outer(row, row)
    elif family == "identity":
        k = np.zeros((size, size))
        k[(size - 1) // 2, (size - 1) // 2] = 1.0
    else:
        k = np.random.default_rng(seed).integers(-2, 3, size=(size, size)).astype(np.float64)
    return k + 0.0  # no negative zeros
