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
           "ink", "contrast_ratio", "relative_luminance", "symmetric_limit"]

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


_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _as_rgb(colours, name: str) -> np.ndarray:
    """sRGB values 0..1 (last axis R, G, B[, A]) of one ``#rrggbb`` string, a list of them, or an array of values."""
    if isinstance(colours, str) and _HEX.match(colours):
        return _rgb([colours])[0]
    if isinstance(colours, (list, tuple)) and colours and all(isinstance(c, str) and _HEX.match(c) for c in colours):
        return _rgb(colours)
    if isinstance(colours, (list, tuple)) and any(isinstance(c, str) for c in colours):
        bad = next(c for c in colours if not isinstance(c, str) or not _HEX.match(c))
        raise ValueError(f"{name} must be '#rrggbb' colours; got {v.short(bad)}")
    if isinstance(colours, str) and not _HEX.match(colours):
        raise ValueError(f"{name} must be a '#rrggbb' colour; got {v.short(colours)}")
    rgb = v.as_numbers(colours, name)
    if rgb.ndim == 0 or rgb.shape[-1] not in (3, 4):
        raise ValueError(f"{name} must be '#rrggbb' colours or sRGB values 0..1 with a last axis of 3 or 4 "
                         f"(R, G, B[, A]); got shape {rgb.shape}")
    return rgb


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


def contrast_ratio(a, b):
    """WCAG 2 contrast ratio between colours, from 1 (none) to 21 (black on white): the one contrast function.

    ``a`` and ``b`` are ``#rrggbb`` strings (or lists of them) or sRGB values 0..1 with a last axis of
    3 or 4 (a matplotlib RGBA array); arrays broadcast, so a whole grid of cells is measured at once.

    >>> round(contrast_ratio("#000000", "#ffffff"), 1), round(contrast_ratio([1, 1, 1], [0.5, 0.5, 0.5]), 2)
    (21.0, 3.98)
    >>> contrast_ratio(["#000000", "#767676"], "#ffffff").round(2)
    array([21.  ,  4.54])
    """
    la, lb = relative_luminance(_as_rgb(a, "a")), relative_luminance(_as_rgb(b, "b"))
    ratio = (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)
    return float(ratio) if np.ndim(ratio) == 0 else ratio


def ink(fills) -> list[str]:
    """Black or white text for each fill colour, whichever has the higher :func:`contrast_ratio`: the one ink chooser.

    ``fills`` are ``#rrggbb`` strings or sRGB(A) values 0..1, one row per cell (e.g. ``cmap(norm(values))``).

    >>> ink(["#67001f", "#f7f7f7"]), ink([[0.1, 0.1, 0.1, 1.0]])
    (['#ffffff', '#000000'], ['#ffffff'])
    """
    if fills is None or isinstance(fills, (str, bytes)) or not isinstance(fills, (list, tuple, np.ndarray)):
        raise TypeError(f"fills must be a list of '#rrggbb' colours or an array of sRGB values; got {v.short(fills)}")
    fills = fills if isinstance(fills, np.ndarray) else list(fills)
    if len(fills) == 0:
        return []
    rgb = _as_rgb(fills, "fills")
    rgb = rgb.reshape(-1, rgb.shape[-1])
    on_black, on_white = contrast_ratio(rgb, "#000000"), contrast_ratio(rgb, "#ffffff")
    return ["#000000" if b >= w else "#ffffff" for b, w in zip(on_black, on_white)]
