"""The private engines of the other operations (numpy only): pooling and transposed convolution.

One engine per operation, shared by the vectorised function (:mod:`convlab.core.ops`) and its step walk
(:mod:`convlab.core.op_steps`), so the two can never disagree:

* ``_pool`` reduces the padded input by *shift-and-reduce*: for each of the ``kh·kw`` cells of the window,
  the strided slice that this cell sees in every window is folded into the result with ``np.maximum``
  (max pooling) or ``+`` (average pooling, divided by ``kh·kw`` at the end).
* ``_relu`` is ``max(x, 0)`` on the bits: read as 64-bit integers, every negative float64 (``-0.0``
  included) is a negative integer and every positive one a positive integer, so an integer
  ``np.maximum(bits, 0)`` gives ``+0.0`` for them all in one pass, with no ``-0.0`` to clean up after.
* ``_block_rows`` computes ``value × kernel`` for input pixels (summed over channels), and ``_scatter`` adds the
  blocks into the output *in the reading order of the input pixels*, one kernel cell at a time (last cell
  first, which is exactly that order for every output cell). The walk adds the same blocks one pixel at a
  time, so its last running output equals the vectorised result bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .._shared import validate as v
from .sizes import pool_output_size


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
    v.check_image_values(img.shape, "image", ((pads[0], pads[0]), (pads[1], pads[1])))
    out_shape = tuple(pool_output_size(n, k, stride=s, padding=p)
                      for n, k, s, p in zip(img.shape[:2], size, stride, pads))
    channels = img.shape[2] if img.ndim == 3 else 1
    v.check_work(out_shape[0] * out_shape[1], size[0] * size[1], channels)  # before the padded copy
    if any(pads):
        width = [(pads[0], pads[0]), (pads[1], pads[1])] + [(0, 0)] * (img.ndim - 2)
        # max pooling must never choose a padded cell: pad with -inf; average pooling counts zeros
        img = np.pad(img, width, constant_values=-np.inf if kind == "max" else 0.0)
    return _PoolPlan(img, size, stride, pads, out_shape, kind)


def _pool(p: _PoolPlan) -> np.ndarray:
    """The pooling engine: fold each window cell's strided slice into the result (shift-and-reduce)."""
    (kh, kw), (sr, sc), (oh, ow) = p.size, p.stride, p.out_shape
    out = None
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below, in words
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
        v.check_finite_output(out, "avg_pool2d", lambda: f"the image's values (up to {v.largest(p.padded)})",
                              "scale the image down")
    return out


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
    # the limits, before the canvas is allocated: its size, and one multiply-add per pixel and kernel value
    v.check_output_values(canvas, "the transposed convolution's output (before cropping)",
                          "use a smaller stride, dilation, kernel or image")
    v.check_work(img.shape[0] * img.shape[1], ker.size)
    return _TransposePlan(img, ker, stride, dilation, pads, canvas, out_shape)


_BLOCK_BYTES = 1 << 20  # the blocks of the input rows handled together: they stay in the CPU cache


def _block_rows(image: np.ndarray, kernel: np.ndarray) -> Iterator[tuple[int, int, int, int, np.ndarray]]:
    """``value × kernel`` for every input pixel, channels summed: ``(r0, r1, c0, c1, blocks)`` per block of
    input pixels (rows ``r0:r1``, columns ``c0:c1``), in reading order.

    ``blocks[:, :, r - r0, c - c0]`` (shape ``(kh, kw)``) is pixel ``(r, c)``'s block; ``blocks[i, j]`` is
    what kernel cell ``(i, j)`` adds for every pixel of the block (a contiguous plane, the engine's unit
    of work). A block is whole rows (``c0, c1 = 0, w``) unless one row's blocks pass ``_BLOCK_BYTES`` (a
    wide image with a big kernel); then it is part of one row, so the blocks still come in reading order.
    With channels, one matrix product ``(kh·kw, C) @ (C, rows·w)`` per block of rows: every block value is
    a dot product over the channels. The engine, the walk and the view model all take their blocks from
    here, in the same blocks of rows, so they hold the same values bit for bit whatever the matrix product
    rounds. The rows come ``_BLOCK_BYTES`` of blocks at a time, written into the same two buffers each time
    (fresh memory of this size costs more on first touch than the product): use a block of rows before
    asking for the next.
    """
    h, w = image.shape[:2]
    kh, kw = kernel.shape[:2]
    grey = image.ndim == 2
    channels = 1 if grey else image.shape[2]
    pixels = max(1, _BLOCK_BYTES // (8 * (kh * kw + channels)))  # input pixels per block
    rows, cols = (min(h, pixels // w), w) if pixels >= w else (1, pixels)
    out = np.empty(kh * kw * rows * cols)
    if grey:
        weights = kernel[:, :, None, None]
    else:
        # contiguous, so the product takes the same (BLAS) route for every caller's kernel layout
        weights, planes = np.ascontiguousarray(kernel.reshape(kh * kw, channels)), np.empty(channels * rows * cols)
    for r0 in range(0, h, rows):
        r1 = min(h, r0 + rows)
        for c0 in range(0, w, cols):
            c1 = min(w, c0 + cols)
            n = (r1 - r0) * (c1 - c0)
            blocks = out[:kh * kw * n].reshape(kh, kw, r1 - r0, c1 - c0)
            if grey:
                np.multiply(weights, image[r0:r1, c0:c1], out=blocks)
            else:
                first = planes[:channels * n].reshape(channels, r1 - r0, c1 - c0)
                np.copyto(first, np.moveaxis(image[r0:r1, c0:c1], -1, 0))  # channels first
                np.matmul(weights, first.reshape(channels, n), out=blocks.reshape(kh * kw, n))
            yield r0, r1, c0, c1, blocks


def _scatter(p: _TransposePlan) -> np.ndarray:
    """The transposed-convolution engine: the canvas (the output before cropping).

    For each kernel cell ``(i, j)``, *last cell first*, add ``kernel[i, j] × value`` of every input pixel
    at ``(row·s + i·d, col·s + j·d)``. An output cell then receives its contributions in the reading order
    of the input pixels that reach it, the order of :func:`iter_transpose_steps`. The blocks come from
    :func:`_block_rows`, one block of input rows at a time (no ``kh·kw`` times larger array of all blocks
    is ever built), so they are bit for bit the walk's. A grey image's block value is a single product,
    the same bits however it is formed: it is made one kernel cell at a time into one reused plane,
    which stays in the cache (about 10% faster than all the cells' planes at once).
    """
    (sr, sc), (dr, dc) = p.stride, p.dilation
    h, w = p.image.shape[:2]
    kh, kw = p.kernel.shape[:2]
    canvas = np.zeros(p.canvas_shape)
    if p.image.ndim == 2:
        chunk = min(h, max(1, _BLOCK_BYTES // (16 * w)))  # the rows' plane and what it adds to: in the cache
        product = np.empty((chunk, w))
        parts = ((r0, min(h, r0 + chunk), 0, w, None) for r0 in range(0, h, chunk))
    else:
        parts = _block_rows(p.image, p.kernel)
    for r0, r1, c0, c1, blocks in parts:
        for i in range(kh - 1, -1, -1):
            rows = slice(r0 * sr + i * dr, (r1 - 1) * sr + i * dr + 1, sr)
            for j in range(kw - 1, -1, -1):
                if blocks is None:
                    plane = np.multiply(p.kernel[i, j], p.image[r0:r1], out=product[:r1 - r0])
                else:
                    plane = blocks[i, j]
                canvas[rows, c0 * sc + j * dc:(c1 - 1) * sc + j * dc + 1:sc] += plane
    return canvas


def _crop(canvas: np.ndarray, p: _TransposePlan) -> np.ndarray:
    """The result: the canvas cropped by the padding; an overflow (finite inputs, infinite sums) is refused."""
    (pr, pc), (oh, ow) = p.crop, p.out_shape
    _check_transpose_finite(canvas, p)
    return canvas[pr:pr + oh, pc:pc + ow]


def _check_transpose_finite(canvas: np.ndarray, p: _TransposePlan) -> None:
    v.check_finite_output(canvas, "conv_transpose2d",
                          lambda: f"the image's values (up to {v.largest(p.image)}) times the kernel's "
                                  f"(up to {v.largest(p.kernel)})", "scale image or kernel down")


def _relu(arr: np.ndarray, name: str) -> np.ndarray:
    """ReLU of a float64 array (see the module doc), after checking that its values are finite.

    The check is :func:`~convlab._shared.validate.check_finite_numbers`: one sum of squares, ``flat @ flat``
    (BLAS, one read of the array), and the first bad value and its index only when there is one. Measured
    in one run on 256x256x16 values: the sum of squares 0.07 ms, ``np.add.reduce`` 0.17 ms, the maximum
    on the int64 view 0.36 ms, ``np.maximum(x, 0)`` 0.52 ms (``benchmarks/bench_ops.py``).
    """
    flat = np.ascontiguousarray(arr).reshape(-1)
    v.check_finite_numbers(flat.reshape(arr.shape), name)  # the index is arr's
    return np.maximum(flat.view(np.int64), 0).view(np.float64).reshape(arr.shape)
