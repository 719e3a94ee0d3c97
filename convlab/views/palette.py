"""Colours as plain data (numpy only), so every renderer paints the same cell the same colour.

The view model (:mod:`convlab.views.walk`) says which colour each cell has; the matplotlib figure and the
browser view only paint those colours. Signed values (filters, products, feature maps of edge filters)
use a diverging scale centred on zero (ColorBrewer's RdBu, colour-blind safe, the same colours as
matplotlib's ``"RdBu"``); pixel values use a gray scale. The ink for a number written on a cell is black
or white, whichever has the higher WCAG contrast ratio against that cell (always at least 4.5:1 on these
scales, the AA level for text).

Examples
--------
>>> signed_fill([-1.0, 0.0, 1.0], limit=1.0)
['#67001f', '#f7f7f7', '#053061']
>>> ink(["#67001f", "#f7f7f7"])
['#ffffff', '#000000']
>>> round(contrast_ratio("#000000", "#ffffff"), 1)
21.0
"""

from __future__ import annotations

import re

import numpy as np

from .._shared import validate as v

__all__ = ["WINDOW", "NEXT", "UNVISITED", "PAD_FILL", "PAD_EDGE", "PAD_INK", "BLANK", "SIGNED_CMAP", "signed_fill", "gray_fill",
           "ink", "contrast_ratio", "relative_luminance", "luminance_contrast",
           "symmetric_limit"]

# Okabe-Ito colours (colour-blind safe) for what moves: the window and its cell, the next window,
# the rows a stride never reaches. The padding is a light tan, hatched, so it reads as "not the image".
WINDOW = "#E69F00"
NEXT = "#009E73"
UNVISITED = "#CC79A7"
PAD_FILL = "#F3E3C3"
PAD_EDGE = "#B08D57"
PAD_INK = "#5C4421"  # the "0" written in padding cells: 7.9:1 on PAD_FILL
BLANK = "#FFFFFF"  # a cell not computed yet
SIGNED_CMAP = "RdBu"  # matplotlib's name for the same diverging scale, for the lessons' colour bars

# ColorBrewer RdBu (11 classes), from -1 (dark red) to +1 (dark blue): matplotlib's "RdBu" control points
_RDBU = ["#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3",
         "#2166ac", "#053061"]


_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _hex_colours(colours, name: str) -> list[str]:
    """``#rrggbb`` strings, refused by name otherwise."""
    if isinstance(colours, (str, bytes)) or not isinstance(colours, (list, tuple, np.ndarray)):
        raise TypeError(f"{name} must be a list of '#rrggbb' colours; got {v.short(colours)}")
    colours = list(colours)
    bad = next((c for c in colours if not isinstance(c, str) or not _HEX.match(c)), None)
    if bad is not None:
        raise ValueError(f"{name} must be '#rrggbb' colours; got {v.short(bad)}")
    return colours


def _rgb(hex_colours) -> np.ndarray:
    return np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in hex_colours], dtype=float) / 255.0


def _hex(rgb: np.ndarray) -> list[str]:
    codes = np.clip(np.rint(rgb * 255), 0, 255).astype(int)
    return ["#%02x%02x%02x" % tuple(c) for c in codes]


_RDBU_RGB = _rgb(_RDBU)
_RDBU_AT = np.linspace(-1.0, 1.0, len(_RDBU))


def symmetric_limit(values) -> float:
    """The largest absolute value (1 when all are 0): the scale of a signed panel, centred on zero."""
    values = v.as_numbers(values, "values", finite=False)
    m = float(np.max(np.abs(values))) if values.size else 0.0
    return m if m > 0 and np.isfinite(m) else 1.0


def signed_fill(values, limit: float) -> list[str]:
    """Diverging colours for ``values`` on a scale from ``-limit`` (red) to ``+limit`` (blue); 0 is near-white."""
    limit = v.real_number(limit, "limit", minimum=0, inclusive_min=False)
    t = np.clip(np.ravel(v.as_numbers(values, "values", finite=False)) / limit, -1.0, 1.0)
    rgb = np.stack([np.interp(t, _RDBU_AT, _RDBU_RGB[:, i]) for i in range(3)], axis=-1)
    return _hex(rgb)


def gray_fill(values, low: float, high: float) -> list[str]:
    """Gray levels from black (``low``) to white (``high``); a constant grid (low == high) is mid-grey."""
    low, high = v.real_number(low, "low"), v.real_number(high, "high")
    cells = np.ravel(v.as_numbers(values, "values", finite=False))
    if high > low:
        with np.errstate(over="ignore", invalid="ignore"):  # high − low may overflow: the clip bounds it
            t = np.clip((cells - low) / (high - low), 0.0, 1.0)
    else:
        t = np.full(cells.shape, 0.5)
    return _hex(np.repeat(t[:, None], 3, axis=1))


def relative_luminance(rgb) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB colours (values 0..1, last axis R, G, B; alpha ignored).

    >>> float(relative_luminance([1, 1, 1])), float(relative_luminance([0, 0, 0]))
    (1.0, 0.0)
    """
    c = v.as_numbers(rgb, "rgb")
    if c.ndim == 0 or c.shape[-1] < 3:
        raise ValueError(f"rgb must end in an axis of R, G, B values (0 to 1); got shape {c.shape}")
    c = np.clip(c[..., :3], 0.0, 1.0)
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def luminance_contrast(l1, l2) -> np.ndarray:
    """WCAG contrast ratio of two relative luminances, from 1 (none) to 21 (black on white)."""
    l1, l2 = (np.clip(v.as_numbers(x, name), 0.0, 1.0) for x, name in ((l1, "l1"), (l2, "l2")))
    hi, lo = np.maximum(l1, l2), np.minimum(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio between two ``#rrggbb`` colours (1 to 21)."""
    la, lb = relative_luminance(_rgb(_hex_colours([a, b], "a and b")))
    return float(luminance_contrast(la, lb))


def ink(fills) -> list[str]:
    """Black or white text for each fill colour: whichever contrasts more (WCAG)."""
    fills = _hex_colours(fills, "fills")
    if not fills:
        return []
    lum = relative_luminance(_rgb(fills))
    on_black, on_white = luminance_contrast(lum, 0.0), luminance_contrast(lum, 1.0)
    return ["#000000" if b >= w else "#ffffff" for b, w in zip(on_black, on_white)]
