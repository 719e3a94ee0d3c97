"""The step-by-step walk (numpy only): one :class:`WindowStep` per window position.

The lesson's five steps map onto each record:

=========  ==========================================================
place      ``top``, ``left`` and ``window`` (what the filter covers)
multiply   ``products`` = ``window * kernel``, element by element
sum        ``value`` = the sum of the products
slide      the next record (row-major order: left to right, then down)
collect    ``out_row``, ``out_col``: where ``value`` lands in the feature map
=========  ==========================================================

The figure, the arithmetic text, the exercises and the tests all read these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from .._shared import validate as v
from ._engine import _compute, _plan
from .._shared.format import format_number
from ._taps import Placed, Taps

__all__ = ["WindowStep", "iter_steps", "format_number"]


def _term(w: float, k: float) -> str:
    a, b = format_number(w), format_number(k)
    if b.startswith("\u2212"):
        b = f"({b})"
    return f"{a}\u00d7{b}"


def _sum_text(terms: list[str], max_terms: int | None) -> str:
    if max_terms is not None and len(terms) > max_terms:
        head = max(1, max_terms - 1)
        terms = terms[:head] + ["\u2026"] + terms[-1:]
    return " + ".join(terms)


@dataclass(frozen=True, eq=False)
class WindowStep(Placed, Taps):
    """One window position of the filter: everything the lesson's five steps need.

    Attributes
    ----------
    index : int
        0, 1, 2, ... in the order the filter visits windows (row-major).
    out_row, out_col : int
        Where ``value`` lands in the feature map (step 5, collect).
    top, left : int
        The window's upper-left corner in the *padded* input (step 1, place).
    window : numpy.ndarray
        What the filter sees, with padding and dilation applied; the kernel's shape. Read-only.
    products : numpy.ndarray
        ``window * kernel``, element by element (step 2, multiply).
    value : float
        The sum of ``products`` (step 3, sum); equal to the feature map's entry from :func:`conv2d`.
    kernel : numpy.ndarray
        The kernel as laid on the window (already rotated when ``flip=True``).
    dilation : (int, int)
        Spacing between the sampled pixels.
    """

    products: np.ndarray = field(repr=False)
    value: float
    kernel: np.ndarray = field(repr=False)
    dilation: tuple[int, int] = (1, 1)

    @property
    def taps_shape(self) -> tuple[int, int]:
        """The shape of the grid of taps: ``rows`` and ``cols`` list where they lie."""
        return self.kernel.shape[:2]

    @property
    def channel_sums(self) -> np.ndarray:
        """For a multi-channel image, the multiply-sum of each channel; they add up to ``value``."""
        if self.products.ndim == 2:
            return np.array([self.value])
        return self.products.sum(axis=(0, 1))

    def arithmetic(self, max_terms: int | None = None, channel_names=None) -> str:
        """The multiply-sum written out, e.g. ``1×1 + 2×0 + 3×(−1) + … = −4``.

        Parameters
        ----------
        max_terms : int, optional
            Keep at most this many terms, eliding the middle with "…" (for big kernels).
        channel_names : sequence of str, optional
            Names of the channels of a multi-channel image (default "R", "G", "B" for three channels).

        Examples
        --------
        >>> image = [[1, 2, 3, 0, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [2, 1, 0, 1, 2], [0, 1, 2, 3, 1]]   # the lesson's 5x5 image
        >>> kernel = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]   # its vertical-edge filter
        >>> first = next(iter_steps(image, kernel))
        >>> print(first.arithmetic())
        1×1 + 2×0 + 3×(−1) + 0×1 + 1×0 + 2×(−1) + 1×1 + 2×0 + 1×(−1) = −4
        >>> print(first.arithmetic(max_terms=4))
        1×1 + 2×0 + 3×(−1) + … + 1×(−1) = −4
        """
        if max_terms is not None:
            max_terms = v.size_arg(max_terms, "max_terms")
        channel_names = v.channel_names_arg(channel_names, 1 if self.window.ndim == 2 else self.window.shape[2])
        if self.window.ndim == 2:
            terms = [_term(w, k) for w, k in zip(self.window.ravel(), self.kernel.ravel())]
            return f"{_sum_text(terms, max_terms)} = {format_number(self.value)}"
        c = self.window.shape[2]
        names = list(channel_names) if channel_names is not None else (["R", "G", "B"] if c == 3 else [f"channel {i}" for i in range(c)])
        parts = []
        for ch in range(c):
            terms = [_term(w, k) for w, k in zip(self.window[..., ch].ravel(), self.kernel[..., ch].ravel())]
            parts.append(f"{names[ch]}: {_sum_text(terms, max_terms)} = {format_number(self.channel_sums[ch])}")
        total = " + ".join(format_number(s) if s >= 0 else f"({format_number(s)})" for s in self.channel_sums)
        parts.append(f"total: {total} = {format_number(self.value)}")
        return "\n".join(parts)


def iter_steps(image, kernel, *, stride=1, padding=0, dilation=1, flip=False, padding_mode="zeros") -> Iterator[WindowStep]:
    """Walk the filter over the image, yielding one :class:`WindowStep` per window, in row-major order.

    Arguments are those of :func:`conv2d` and are checked **when this function is called**, not at the
    first ``next()``: a bad stride fails on the line that passes it.

    The values are read from the same engine as :func:`conv2d`, so ``step.value`` equals
    ``conv2d(...)[step.out_row, step.out_col]`` exactly. ``step.products.sum()`` equals ``step.value``
    up to floating-point rounding (exactly, for whole-number images and kernels).

    Examples
    --------
    >>> image = [[1, 2, 3, 0, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [2, 1, 0, 1, 2], [0, 1, 2, 3, 1]]   # the lesson's 5x5 image
    >>> kernel = [[1, 0, -1], [1, 0, -1], [1, 0, -1]]   # its vertical-edge filter
    >>> steps = list(iter_steps(image, kernel))
    >>> len(steps)
    9
    >>> s = steps[1]          # the filter slid one column to the right
    >>> s.out_row, s.out_col, s.top, s.left
    (0, 1, 0, 1)
    >>> s.window
    array([[2., 3., 0.],
           [1., 2., 3.],
           [2., 1., 0.]])
    >>> s.products
    array([[ 2.,  0.,  0.],
           [ 1.,  0., -3.],
           [ 2.,  0.,  0.]])
    >>> s.value
    2.0
    """
    p = _plan(image, kernel, stride=stride, padding=padding, dilation=dilation, flip=flip, padding_mode=padding_mode)
    return _steps_from_plan(p)[1]


def _steps_from_plan(p) -> tuple[np.ndarray, Iterator[WindowStep]]:
    """The feature map and the walk for an already checked and padded plan (see ``conv._plan``).

    For callers that need the plan too (the drawing layer), so nothing is validated or padded twice.
    """
    result = _compute(p)  # the path conv2d's default method="auto" takes, so the values are conv2d's
    return result, _walk(p.padded, p.kernel, p.stride, p.dilation, result)


def _walk(padded, kernel, stride, dilation, result) -> Iterator[WindowStep]:
    padded = padded.view()
    padded.flags.writeable = False
    kernel = np.array(kernel)  # our own read-only copy, shared by every step
    kernel.flags.writeable = False
    (sr, sc), (dr, dc) = stride, dilation
    kh, kw = kernel.shape[:2]
    oh, ow = result.shape
    for r in range(oh):
        top = r * sr
        rows = slice(top, top + dr * (kh - 1) + 1, dr)
        for c in range(ow):
            left = c * sc
            window = padded[rows, left:left + dc * (kw - 1) + 1:dc]
            products = window * kernel
            products += 0.0  # -0.0 (e.g. 0 x -1) becomes a plain 0 for display
            products.flags.writeable = False
            yield WindowStep(r * ow + c, r, c, top, left, window, products, float(result[r, c]), kernel, dilation)
