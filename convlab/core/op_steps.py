"""The other operations step by step (numpy only): one record per pooling window or transposed-convolution pixel.

Like :class:`convlab.core.steps.WindowStep`, each record reads its numbers from the engine of the
vectorised function (``_ops_engine``), so a walk and :func:`convlab.core.ops.max_pool2d` /
:func:`~convlab.core.ops.conv_transpose2d` can never disagree.
"""

from __future__ import annotations

import itertools

from dataclasses import dataclass, field, replace
from typing import Iterator

import numpy as np

from .._shared import validate as v
from .._shared.format import format_number
from ._taps import Placed, Taps
from ._ops_engine import (_block_rows, _block_width, _pool, _pool_plan, _PoolPlan, _transpose_plan, _TransposePlan,
                          _transposed)

__all__ = ["PoolStep", "TransposeStep", "iter_pool_steps", "iter_transpose_steps"]


def _number(x: float) -> str:
    return "\u2212\u221e" if x == -np.inf else format_number(x)


def _channel_names(c: int) -> list[str]:
    return ["R", "G", "B"] if c == 3 else [f"channel {i}" for i in range(c)]


@dataclass(frozen=True, eq=False)
class PoolStep(Placed):
    """One window of max or average pooling.

    Attributes
    ----------
    index : int
        0, 1, 2, ... in the order the windows are visited (row-major).
    out_row, out_col : int
        Where ``value`` lands in the pooled map.
    top, left : int
        The window's upper-left corner in the *padded* input (``padding`` rows/columns were added).
    window : numpy.ndarray, shape (kh, kw) or (kh, kw, C)
        What the window covers, read-only. Padded cells hold −∞ for max pooling and 0 for average pooling.
    value : float or numpy.ndarray of shape (C,)
        The maximum or the mean, per channel for a channels-last input; equal to the entry of
        :func:`max_pool2d` / :func:`avg_pool2d`.
    kind : str
        ``"max"`` or ``"mean"``.
    chosen : (int, int), tuple of (int, int) per channel, or None
        For max pooling, the ``(row, col)`` inside the window of the cell that was picked (the first
        in reading order if several tie); None for average pooling.
    padding : (int, int)
        Rows and columns of padding on each side, to go from ``top``/``left`` back to input coordinates.
    """

    value: float | np.ndarray
    kind: str
    chosen: tuple | None
    padding: tuple[int, int] = (0, 0)

    def arithmetic(self, channel_names=None) -> str:
        """The window's reduction written out, e.g. ``max(1, 3, 4, 2) = 4`` or ``mean(1, 3, 4, 2) = 2.5``.

        For a channels-last input, one line per channel (named R, G, B for three channels by default).

        Examples
        --------
        >>> step = next(iter_pool_steps([[1, 3], [4, 2]], 2, kind="max"))
        >>> print(step.arithmetic())
        max(1, 3, 4, 2) = 4
        >>> step.chosen
        (1, 0)
        """
        c = 1 if self.window.ndim == 2 else self.window.shape[2]
        names = v.channel_names_arg(channel_names, c) or _channel_names(c)
        if self.window.ndim == 2:
            return self._line(self.window, self.value)
        return "\n".join(f"{names[ch]}: {self._line(self.window[..., ch], self.value[ch])}" for ch in range(c))

    def _line(self, window, value) -> str:
        cells = ", ".join(_number(x) for x in window.ravel())
        return f"{self.kind}({cells}) = {format_number(value)}"


def iter_pool_steps(image, size, *, stride=None, padding=0, kind="max") -> Iterator[PoolStep]:
    """Walk a pooling window over the image, yielding one :class:`PoolStep` per window, row-major.

    Arguments are those of :func:`max_pool2d` (``kind="max"``) or :func:`avg_pool2d` (``kind="mean"``)
    and are checked when this function is called. Each step's ``value`` is read from the same engine as
    those functions, so it equals their entry exactly.

    Parameters
    ----------
    image, size, stride, padding
        As for :func:`max_pool2d`.
    kind : {"max", "mean"}, default "max"
        Max pooling or average pooling.

    Returns
    -------
    iterator of PoolStep
        One per window, ``index`` 0, 1, 2, ... in reading order.

    Raises
    ------
    TypeError, ValueError
        On the call (not at the first ``next()``), naming the argument.

    Examples
    --------
    >>> fmap = [[1, 3, 0, 2], [4, 2, 1, 1], [0, 1, 5, 0], [2, 2, 0, 3]]   # max_pool2d's example
    >>> steps = list(iter_pool_steps(fmap, 2, kind="max"))
    >>> len(steps)
    4
    >>> s = steps[1]
    >>> s.out_row, s.out_col, s.top, s.left, s.value, s.chosen
    (0, 1, 0, 2, 2.0, (0, 1))
    >>> print(s.arithmetic())
    max(0, 2, 1, 1) = 2
    >>> print(list(iter_pool_steps(fmap, 2, kind="mean"))[2].arithmetic())
    mean(0, 1, 2, 2) = 1.25
    """
    kind = v.one_of(kind, "kind", ("max", "mean"))
    p = _pool_plan(image, size, stride, padding, kind)
    p = replace(p, padded=v.own_copy(p.padded))  # our own copy: the caller's later edits cannot leak in
    return _pool_walk(p, _pool(p))


def _pool_walk(p: _PoolPlan, result: np.ndarray) -> Iterator[PoolStep]:
    padded = p.padded.view()
    padded.flags.writeable = False
    (kh, kw), (sr, sc), (oh, ow) = p.size, p.stride, p.out_shape
    for r in range(oh):
        for c in range(ow):
            top, left = r * sr, c * sc
            window = padded[top:top + kh, left:left + kw]
            value = result[r, c]
            chosen = None
            if p.kind == "max":  # the cell holding the engine's maximum, first in reading order
                if window.ndim == 2:
                    chosen = tuple(int(i) for i in divmod(int(np.flatnonzero(window == value)[0]), kw))
                else:
                    chosen = tuple(tuple(int(i) for i in divmod(int(np.flatnonzero(window[..., ch] == value[ch])[0]), kw))
                                   for ch in range(window.shape[2]))
            if np.ndim(value) == 0:
                value = float(value)
            else:
                value = value.copy()
                value.flags.writeable = False
            yield PoolStep(r * ow + c, r, c, top, left, window, value, p.kind, chosen, p.pads)


@dataclass(frozen=True, eq=False)
class TransposeStep(Taps):
    """One input pixel of a transposed convolution: its block, and where the block is added.

    Attributes
    ----------
    index : int
        0, 1, 2, ... in the reading order of the input pixels.
    in_row, in_col : int
        The input pixel.
    value : float or numpy.ndarray of shape (C,)
        The pixel's value (its channels, for a channels-last input).
    block : numpy.ndarray, shape (kh, kw)
        ``value × kernel`` (summed over channels): what this pixel adds to the output. Read-only.
    top, left : int
        Where the block's first cell is added, in the output *before cropping* (the canvas):
        ``in_row · stride``, ``in_col · stride``.
    crop_top, crop_left : int
        Rows and columns cropped from the canvas's top and left (the ``padding``): canvas row ``y`` is
        output row ``y − crop_top``.
    dilation : (int, int)
        Spacing between the block's cells on the canvas.
    canvas : numpy.ndarray
        The output before cropping, after this block was added. Read-only.
    out_shape : (int, int)
        Shape of :func:`conv_transpose2d`'s result.
    """

    index: int
    in_row: int
    in_col: int
    value: float | np.ndarray
    block: np.ndarray = field(repr=False)
    top: int
    left: int
    crop_top: int
    crop_left: int
    dilation: tuple[int, int]
    canvas: np.ndarray = field(repr=False)
    out_shape: tuple[int, int]

    @property
    def taps_shape(self) -> tuple[int, int]:
        """The shape of the grid of taps: ``rows`` and ``cols`` list where they lie."""
        return self.block.shape[:2]

    @property
    def running(self) -> np.ndarray:
        """The output so far: the canvas cropped by the padding; after the last step, the result."""
        (oh, ow) = self.out_shape
        return self.canvas[self.crop_top:self.crop_top + oh, self.crop_left:self.crop_left + ow]

    def arithmetic(self, channel_names=None) -> str:
        """What this pixel does, e.g. ``2 × kernel added at rows 2–4, columns 0–2`` (canvas coordinates).

        Examples
        --------
        >>> steps = list(iter_transpose_steps([[1, 2]], [[1, 1, 1]], stride=2))
        >>> print(steps[1].arithmetic())
        2 × kernel added at row 0, columns 2–4
        """
        names = v.channel_names_arg(channel_names, max(1, np.size(self.value)))
        if np.ndim(self.value) == 0:
            who = format_number(self.value)
        else:
            names = names or _channel_names(len(self.value))
            who = "(" + ", ".join(f"{n} {format_number(x)}" for n, x in zip(names, self.value)) + ")"
        return f"{who} \u00d7 kernel added at {self._span(self.rows, 'row')}, {self._span(self.cols, 'column')}"

    @staticmethod
    def _span(idx: np.ndarray, noun: str) -> str:
        if len(idx) == 1:
            return f"{noun} {int(idx[0])}"
        if idx[1] - idx[0] > 1:  # dilated: the taps one by one
            return f"{noun}s " + ", ".join(str(int(i)) for i in idx)
        return f"{noun}s {int(idx[0])}\u2013{int(idx[-1])}"


def iter_transpose_steps(image, kernel, *, stride=1, padding=0, output_padding=0, dilation=1) -> Iterator[TransposeStep]:
    """The scatter view of :func:`conv_transpose2d`: one :class:`TransposeStep` per input pixel, in reading order.

    Arguments are those of :func:`conv_transpose2d` and are checked when this function is called. Each
    step adds the engine's block for its pixel to a running canvas, in the order the engine adds them,
    so the last step's ``running`` equals :func:`conv_transpose2d`'s result exactly.

    Parameters
    ----------
    image, kernel, stride, padding, output_padding, dilation
        As for :func:`conv_transpose2d`.

    Returns
    -------
    iterator of TransposeStep
        One per input pixel, ``index`` 0, 1, 2, ... in reading order. Each step holds a copy of the
        running canvas, so keep a walk over a large image lazy.

    Raises
    ------
    TypeError, ValueError
        When called with a bad argument (the line that passes it fails, not a later ``next()``).

    Examples
    --------
    >>> steps = list(iter_transpose_steps([[1, 2]], [[1, 1, 1]], stride=2))
    >>> [s.value for s in steps]
    [1.0, 2.0]
    >>> steps[0].running
    array([[1., 1., 1., 0., 0.]])
    >>> steps[1].block
    array([[2., 2., 2.]])
    >>> steps[1].running   # the overlap: 1 + 2 = 3
    array([[1., 1., 3., 2., 2.]])
    """
    p = _transpose_plan(image, kernel, stride, padding, output_padding, dilation)
    p = replace(p, image=v.own_copy(p.image), kernel=v.own_copy(p.kernel))  # the caller's later edits stay out
    with np.errstate(over="ignore", invalid="ignore"):
        _transposed(p)  # an overflow is refused on the call, as conv_transpose2d does
    return _transpose_walk(p)


def _transpose_walk(p: _TransposePlan) -> Iterator[TransposeStep]:
    (sr, sc), (dr, dc) = p.stride, p.dilation
    w = p.image.shape[1]
    kh, kw = p.kernel.shape[:2]
    canvas = np.zeros(p.canvas_shape)
    for r0, r1, c0, c1, blocks in _block_rows(p.image, p.kernel, _block_width(p)):  # the engine's blocks
        for r, c in itertools.product(range(r0, r1), range(c0, c1)):
            block = blocks[:, :, r - r0, c - c0].copy()  # a copy: the next block of pixels reuses the buffer
            block.flags.writeable = False
            canvas[r * sr:r * sr + dr * (kh - 1) + 1:dr, c * sc:c * sc + dc * (kw - 1) + 1:dc] += block
            snapshot = canvas.copy()
            snapshot.flags.writeable = False
            value = p.image[r, c]
            if np.ndim(value) == 0:
                value = float(value)
            else:
                value = value.copy()
                value.flags.writeable = False
            yield TransposeStep(r * w + c, r, c, value, block, r * sr, c * sc, p.crop[0], p.crop[1],
                                p.dilation, snapshot, p.out_shape)
