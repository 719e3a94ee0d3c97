"""Beyond one convolution (numpy only): transposed convolution, max and average pooling, ReLU.

The same habits as :func:`conv2d`: every argument is checked first (``_validate``), the arithmetic is
vectorised over whole arrays, and the semantics are PyTorch's (``torch.nn.functional.conv_transpose2d``,
``max_pool2d``, ``avg_pool2d``, ``relu``), on channels-last numpy arrays.

One private engine per operation, shared by the vectorised function and its step walk:

* ``_pool`` reduces the padded input by *shift-and-reduce*: for each of the ``kh·kw`` cells of the window,
  the strided slice that this cell sees in every window is folded into the result with ``np.maximum``
  (max pooling) or ``+`` (average pooling, divided by ``kh·kw`` at the end). ``iter_pool_steps`` reads each
  window's value from that result.
* ``_blocks`` computes ``value × kernel`` for input pixels (summed over channels), and ``_scatter`` adds the
  blocks into the output *in the reading order of the input pixels*, one kernel cell at a time (last cell
  first, which is exactly that order for every output cell). ``iter_transpose_steps`` adds the same blocks
  one pixel at a time, so its last running output equals :func:`conv_transpose2d`'s result bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from . import _validate as v
from .sizes import pool_output_size
from .steps import format_number

__all__ = [
    "conv_transpose2d",
    "max_pool2d",
    "avg_pool2d",
    "relu",
    "PoolStep",
    "TransposeStep",
    "iter_pool_steps",
    "iter_transpose_steps",
]


# --------------------------------------------------------------------------------------------------
# ReLU
# --------------------------------------------------------------------------------------------------

def relu(x) -> np.ndarray:
    """Rectified linear unit: ``max(x, 0)`` element by element, the non-linearity between CNN layers.

    Parameters
    ----------
    x : array_like
        A number, a feature map, a stack of maps: any shape.

    Returns
    -------
    numpy.ndarray of float64, the shape of ``x``
        A new array: negative values become 0, the others are kept.

    Raises
    ------
    TypeError, ValueError
        For values that are not finite real numbers, naming ``x``.

    Examples
    --------
    The lesson's feature map: the negative edge response is cut to 0.

    >>> relu([[-4, 2, 4], [0, 0, 0]])
    array([[0., 2., 4.],
           [0., 0., 0.]])
    >>> relu(-1.5), relu(3)
    (array(0.), array(3.))
    """
    arr = v.as_numbers(x, "x")
    out = np.maximum(arr, 0.0, out=np.empty(arr.shape))  # out=: a 0-d input stays a 0-d array
    out += 0.0  # -0.0 (from -0.0 in the input) becomes a plain 0
    return out


# --------------------------------------------------------------------------------------------------
# pooling
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _PoolPlan:
    padded: np.ndarray  # (Hp, Wp) or (Hp, Wp, C); -inf padding for max, 0 for average
    size: tuple[int, int]
    stride: tuple[int, int]
    pads: tuple[int, int]
    out_shape: tuple[int, int]
    kind: str  # "max" or "mean"


def _pool_plan(image, size, stride, padding, kind) -> _PoolPlan:
    """Validate every argument, then pad. Raises before any arithmetic is done."""
    img = v.as_image(image)
    size = v.positive_pair(size, "size")
    stride = size if stride is None else v.positive_pair(stride, "stride")
    pads = v.pool_padding_pair(padding, size)
    padded_hw = tuple(n + 2 * p for n, p in zip(img.shape[:2], pads))
    v.check_pool_fits(size, padded_hw, pads)
    out_shape = tuple(pool_output_size(n, k, stride=s, padding=p)
                      for n, k, s, p in zip(img.shape[:2], size, stride, pads))
    if any(pads):
        width = [(pads[0], pads[0]), (pads[1], pads[1])] + [(0, 0)] * (img.ndim - 2)
        # max pooling must never choose a padded cell: pad with -inf; average pooling counts zeros
        img = np.pad(img, width, constant_values=-np.inf if kind == "max" else 0.0)
    return _PoolPlan(img, size, stride, pads, out_shape, kind)


def _pool(p: _PoolPlan) -> np.ndarray:
    """The pooling engine: fold each window cell's strided slice into the result (shift-and-reduce)."""
    (kh, kw), (sr, sc), (oh, ow) = p.size, p.stride, p.out_shape
    out = None
    for i in range(kh):
        for j in range(kw):
            view = p.padded[i:i + (oh - 1) * sr + 1:sr, j:j + (ow - 1) * sc + 1:sc]
            if out is None:
                out = view.copy()
            elif p.kind == "max":
                np.maximum(out, view, out=out)
            else:
                out += view
    if p.kind == "mean":
        out /= kh * kw
    return out


def max_pool2d(image, size, *, stride=None, padding=0) -> np.ndarray:
    """Max pooling: the largest value of each window, channel by channel.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Grayscale, or channels-last: each channel is pooled on its own.
    size : int or (int, int)
        The window, ``(rows, cols)``.
    stride : int or (int, int), optional
        How far the window moves; by default ``size`` (windows side by side, not overlapping).
    padding : int or (int, int), default 0
        Pixels added on each side, at most ``size // 2`` (PyTorch's rule). Padded cells hold −∞, so the
        maximum is always a real pixel.

    Returns
    -------
    numpy.ndarray of float64, shape (H', W') or (H', W', C)
        ``H' = ⌊(H + 2p − size)/s⌋ + 1`` (see :func:`pool_output_size`), likewise ``W'``.

    Raises
    ------
    TypeError, ValueError
        Before any work, naming the argument and the value received.

    Examples
    --------
    2x2 windows side by side on a 4x4 map: the largest of each quarter.

    >>> fmap = [[1, 3, 0, 2],
    ...         [4, 2, 1, 1],
    ...         [0, 1, 5, 0],
    ...         [2, 2, 0, 3]]
    >>> max_pool2d(fmap, 2)
    array([[4., 2.],
           [2., 5.]])
    >>> max_pool2d(fmap, 3, stride=1)
    array([[5., 5.],
           [5., 5.]])
    """
    p = _pool_plan(image, size, stride, padding, "max")
    return _pool(p)


def avg_pool2d(image, size, *, stride=None, padding=0) -> np.ndarray:
    """Average pooling: the mean of each window, channel by channel.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Grayscale, or channels-last: each channel is pooled on its own.
    size : int or (int, int)
        The window, ``(rows, cols)``.
    stride : int or (int, int), optional
        How far the window moves; by default ``size`` (windows side by side, not overlapping).
    padding : int or (int, int), default 0
        Pixels added on each side, at most ``size // 2``. Padded cells are zeros *and are counted*: every
        window is divided by ``rows · cols`` (PyTorch's default, ``count_include_pad=True``).

    Returns
    -------
    numpy.ndarray of float64, shape (H', W') or (H', W', C)
        ``H' = ⌊(H + 2p − size)/s⌋ + 1``, likewise ``W'``.

    Raises
    ------
    TypeError, ValueError
        Before any work, naming the argument and the value received.

    Examples
    --------
    >>> fmap = [[1, 3, 0, 2],
    ...         [4, 2, 1, 1],
    ...         [0, 1, 5, 0],
    ...         [2, 2, 0, 3]]
    >>> avg_pool2d(fmap, 2)
    array([[2.5 , 1.  ],
           [1.25, 2.  ]])

    (1 + 3 + 4 + 2) / 4 = 2.5. With padding 1, the corner window holds three zeros and the 1:

    >>> float(avg_pool2d(fmap, 2, padding=1)[0, 0])
    0.25
    """
    p = _pool_plan(image, size, stride, padding, "mean")
    return _pool(p)


# --------------------------------------------------------------------------------------------------
# transposed convolution
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _TransposePlan:
    image: np.ndarray  # (H, W) or (H, W, C), float64
    kernel: np.ndarray  # (kh, kw) or (kh, kw, C)
    stride: tuple[int, int]
    dilation: tuple[int, int]
    crop: tuple[int, int]  # padding: rows/columns cropped from the top/left of the canvas
    canvas_shape: tuple[int, int]  # the output before cropping, with output_padding's extra rows
    out_shape: tuple[int, int]


def _transpose_plan(image, kernel, stride, padding, output_padding, dilation) -> _TransposePlan:
    img = v.as_image(image)
    ker = v.as_kernel(kernel, img)
    stride = v.positive_pair(stride, "stride")
    dilation = v.positive_pair(dilation, "dilation")
    pads = v.non_negative_pair(padding, "padding")
    op = v.output_padding_pair(output_padding, stride, dilation)
    args = list(zip(img.shape[:2], ker.shape[:2], stride, pads, op, dilation))
    # the formula of sizes.transpose_output_size, for both axes at once (tests hold the two equal)
    out_shape = tuple((n - 1) * s - 2 * p + d * (k - 1) + o + 1 for n, k, s, p, o, d in args)
    v.check_transpose_output(out_shape, img.shape[:2], ker.shape[:2], stride, pads, op, dilation)
    # every block fits in (n-1)s + d(k-1) + 1; output_padding may reach past it by op - p zero rows
    canvas = tuple(max((n - 1) * s + d * (k - 1) + 1, p + out) for (n, k, s, p, o, d), out in zip(args, out_shape))
    return _TransposePlan(img, ker, stride, dilation, pads, canvas, out_shape)


def _blocks(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``value × kernel`` for every pixel of ``image``, channels summed in order: shape (kh, kw, h, w).

    ``blocks[:, :, r, c]`` is pixel ``(r, c)``'s block; ``blocks[i, j]`` is what kernel cell ``(i, j)``
    adds for every pixel (a contiguous plane, the engine's unit of work). Element by element (no matrix
    product), so a block comes out bit for bit the same whether it is computed for one pixel or for a
    whole image.
    """
    if image.ndim == 2:
        return kernel[:, :, None, None] * image
    out = kernel[:, :, 0, None, None] * image[:, :, 0]
    for c in range(1, image.shape[2]):
        out += kernel[:, :, c, None, None] * image[:, :, c]
    return out


_BLOCK_BYTES = 1 << 20  # blocks of input rows computed together, to bound the memory of _blocks


def _scatter(p: _TransposePlan) -> np.ndarray:
    """The transposed-convolution engine: the canvas (the output before cropping).

    For each kernel cell ``(i, j)``, *last cell first*, add ``kernel[i, j] × value`` of every input pixel
    at ``(row·s + i·d, col·s + j·d)``. An output cell then receives its contributions in the reading order
    of the input pixels that reach it, the order of :func:`iter_transpose_steps`.
    """
    (sr, sc), (dr, dc) = p.stride, p.dilation
    h, w = p.image.shape[:2]
    kh, kw = p.kernel.shape[:2]
    canvas = np.zeros(p.canvas_shape)
    chunk = max(1, _BLOCK_BYTES // (8 * w * kh * kw))
    for r0 in range(0, h, chunk):
        r1 = min(h, r0 + chunk)
        blocks = _blocks(p.image[r0:r1], p.kernel)
        for i in range(kh - 1, -1, -1):
            rows = slice(r0 * sr + i * dr, (r1 - 1) * sr + i * dr + 1, sr)
            for j in range(kw - 1, -1, -1):
                canvas[rows, j * dc:(w - 1) * sc + j * dc + 1:sc] += blocks[i, j]
    return canvas


def _crop(canvas: np.ndarray, p: _TransposePlan) -> np.ndarray:
    (pr, pc), (oh, ow) = p.crop, p.out_shape
    return canvas[pr:pr + oh, pc:pc + ow]


def conv_transpose2d(image, kernel, *, stride=1, padding=0, output_padding=0, dilation=1) -> np.ndarray:
    """Transposed convolution: every input pixel stamps ``value × kernel`` into the output; overlaps add up.

    The upsampling layer of CNN decoders and GANs (PyTorch's ``conv_transpose2d``, "deconvolution"). Input
    pixel ``(r, c)`` adds its block at rows ``r·s, r·s + d, …`` and columns ``c·s, c·s + d, …``; where
    the blocks of neighbouring pixels overlap (kernel larger than the stride), the sums grow, which is
    where the checkerboard artefacts of learned upsampling come from. It is the gradient of
    :func:`conv2d` with respect to its input, and maps a convolution's output size back to its input size.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Grayscale, or channels-last.
    kernel : array_like, shape (kh, kw) or (kh, kw, C)
        For a C-channel image one slice per channel; the channels' contributions are summed into one map
        (PyTorch's weight of shape ``(C, 1, kh, kw)``).
    stride : int or (int, int), default 1
        How far apart neighbouring pixels' blocks are placed.
    padding : int or (int, int), default 0
        Rows/columns *cropped* from each side of the result (it undoes a convolution's padding).
    output_padding : int or (int, int), default 0
        Rows/columns added at the bottom/right, smaller than the stride or the dilation (PyTorch's rule):
        it picks among the input sizes that a strided convolution maps to the same size.
    dilation : int or (int, int), default 1
        Spacing between the kernel's taps inside a block.

    Returns
    -------
    numpy.ndarray of float64, shape (H', W')
        ``H' = (H − 1)·s − 2p + d·(kh − 1) + output_padding + 1`` (see :func:`transpose_output_size`).

    Raises
    ------
    TypeError, ValueError
        Before any work, naming the argument and the value received.

    Examples
    --------
    Two pixels, stride 2, a 2x2 kernel of ones: two blocks side by side, no overlap.

    >>> conv_transpose2d([[1, 2]], [[1, 1], [1, 1]], stride=2)
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.]])

    A 3x3 kernel at stride 2 overlaps its neighbour in one column, which gets 1 + 2 = 3:

    >>> conv_transpose2d([[1, 2]], [[1, 1, 1]], stride=2)
    array([[1., 1., 3., 2., 2.]])
    >>> conv_transpose2d([[1, 2]], [[1, 1, 1]], stride=2, padding=(0, 1))
    array([[1., 3., 2.]])
    """
    p = _transpose_plan(image, kernel, stride, padding, output_padding, dilation)
    return np.ascontiguousarray(_crop(_scatter(p), p))


# --------------------------------------------------------------------------------------------------
# step walks
# --------------------------------------------------------------------------------------------------

def _number(x: float) -> str:
    return "\u2212\u221e" if x == -np.inf else format_number(x)


def _channel_names(c: int) -> list[str]:
    return ["R", "G", "B"] if c == 3 else [f"channel {i}" for i in range(c)]


@dataclass(frozen=True, eq=False)
class PoolStep:
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

    index: int
    out_row: int
    out_col: int
    top: int
    left: int
    window: np.ndarray = field(repr=False)
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
        if self.window.ndim == 2:
            return self._line(self.window, self.value)
        c = self.window.shape[2]
        names = list(channel_names) if channel_names is not None else _channel_names(c)
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
    >>> fmap = [[1, 3, 0, 2],
    ...         [4, 2, 1, 1],
    ...         [0, 1, 5, 0],
    ...         [2, 2, 0, 3]]
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
    if not isinstance(kind, str) or kind not in ("max", "mean"):
        raise ValueError(f'kind must be "max" or "mean"; got {kind!r}')
    p = _pool_plan(image, size, stride, padding, kind)
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
class TransposeStep:
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
    def rows(self) -> np.ndarray:
        """Canvas rows the block is added to (``top``, ``top + d``, ...)."""
        return self.top + self.dilation[0] * np.arange(self.block.shape[0])

    @property
    def cols(self) -> np.ndarray:
        """Canvas columns the block is added to."""
        return self.left + self.dilation[1] * np.arange(self.block.shape[1])

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
        if np.ndim(self.value) == 0:
            who = format_number(self.value)
        else:
            names = list(channel_names) if channel_names is not None else _channel_names(len(self.value))
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
        On the call (not at the first ``next()``), naming the argument.

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
    return _transpose_walk(p)


def _transpose_walk(p: _TransposePlan) -> Iterator[TransposeStep]:
    (sr, sc), (dr, dc) = p.stride, p.dilation
    h, w = p.image.shape[:2]
    kh, kw = p.kernel.shape[:2]
    canvas = np.zeros(p.canvas_shape)
    for r in range(h):
        blocks = _blocks(p.image[r:r + 1], p.kernel)  # this row's blocks, from the engine's function
        for c in range(w):
            block = blocks[:, :, 0, c].copy()
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
