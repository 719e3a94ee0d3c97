"""The private engines of the other operations (numpy only): pooling and transposed convolution.

One engine per operation, shared by the vectorised function (:mod:`convlab.core.ops`) and its step walk
(:mod:`convlab.core.op_steps`), so the two can never disagree:

* ``_pool`` reduces the padded input by *shift-and-reduce*: for each of the ``kh·kw`` cells of the window,
  the strided slice that this cell sees in every window is folded into the result with ``np.maximum``
  (max pooling) or ``+`` (average pooling, divided by ``kh·kw`` at the end).
* ``_relu`` is ``max(x, 0)`` on the bits: read as 64-bit integers, every negative float64 (``-0.0``
  included) is a negative integer and every positive one a positive integer, so an integer
  ``np.maximum(bits, 0)`` gives ``+0.0`` for them all in one pass, with no ``-0.0`` to clean up after.
* ``_block_rows`` computes ``value × kernel`` for input pixels (summed over channels), and ``_transposed``
  adds the blocks into the output *in the reading order of the input pixels*, one kernel cell at a time
  (last cell first, which is exactly that order for every output cell). The walk adds the same blocks one
  pixel at a time, so its last running output equals the vectorised result bit for bit. The adding is done
  in the canvas's *stride phases* (``_phases``): canvas cell ``(a + s·m, b + s·n)`` is cell ``(m, n)`` of
  phase ``(a, b)``, where a block of input rows lands as it lies, so each kernel cell's values for a block
  of rows are one contiguous add (strided adds into the canvas cost a loop per row). The phases are then
  written into the result, cropped. A grey image is added one phase at a time into one reused plane; with
  channels, every phase is kept until the last block of rows. Against the canvas engine this replaced
  (strided adds into one canvas), each in its own process on the same machine: 0.61-0.95x its time from
  128x128 to 1024x1024 (RGB with 4x4 at stride 2 0.63-0.78x, and 0.14-0.36x where the canvas engine's
  memory came back fresh on every call; grey with 3x3 at stride 2 and at stride 1), and 10-40 us slower
  a call at 32x32 and 64x64, where the Python around the adds is most of the time.

  Memory: work arrays are ``np.empty`` filled in place, never ``np.zeros`` (calloc maps fresh zero pages
  for a large array on every call), and a call allocates exactly two large arrays, its work buffer and its
  result. Touching a fresh page took 3.6-10 us per 4 kB on the machine measured, more than the arithmetic
  of a 128x128 call, and glibc gives the top of its heap back to the system (so the next call touches
  fresh pages again) once more than twice its largest freed block lies free there: with one work buffer
  and one result, that never happens between calls. Measured, a call after a call: grey 128x128 at
  stride 2 with every phase from ``np.zeros``, 2.4 ms; filled in place, 0.5 ms. 128x128x3 with the
  blocks in buffers of their own, 0.9-1.0 ms; in the one work buffer, 0.5 ms.
"""

from __future__ import annotations

import itertools
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


def _phase_shape(p: _TransposePlan) -> tuple[int, int]:
    """Rows and columns of each stride phase of the canvas (the planes of :func:`_phases`).

    Canvas cell ``(a + sr·m, b + sc·n)`` is cell ``(m, n)`` of phase ``(a, b)``, for ``a < sr``, ``b < sc``.
    """
    (ch, cw), (sr, sc) = p.canvas_shape, p.stride
    return -(-ch // sr), -(-cw // sc)


def _block_width(p: _TransposePlan) -> int:
    """The row width of the blocks :func:`_block_rows` makes for this plan: a phase plane's width (the input's
    width and zeros after it) when that costs at most twice the input's width, else the input's width.

    With the phase's width, the blocks of a whole block of rows are added into a phase plane by one
    contiguous add per kernel cell: each input row lands on the next phase row, and the zeros after it add
    nothing (a sum that starts at ``+0.0`` is never ``-0.0``, and ``x + 0 = x`` for every other ``x``).
    """
    w = p.image.shape[1]
    width = _phase_shape(p)[1]
    return width if width <= 2 * w else w


def _block_shape(image: np.ndarray, kernel: np.ndarray, width: int) -> tuple[int, int]:
    """Input rows and row width of :func:`_block_rows`' blocks: ``_BLOCK_BYTES`` of blocks, or part of one row."""
    h, w = image.shape[:2]
    channels = 1 if image.ndim == 2 else image.shape[2]
    pixels = max(1, _BLOCK_BYTES // (8 * (kernel.shape[0] * kernel.shape[1] + channels)))  # input pixels per block
    return (min(h, pixels // width), width) if pixels >= width else (1, min(pixels, w))


def _block_work_size(image: np.ndarray, kernel: np.ndarray, width: int) -> int:
    """The float64 values :func:`_block_rows` writes into: the blocks, and the pixels channels first."""
    rows, cols = _block_shape(image, kernel, width)
    return (kernel.shape[0] * kernel.shape[1] + (0 if image.ndim == 2 else image.shape[2])) * rows * cols


def _block_rows(image: np.ndarray, kernel: np.ndarray, width: int | None = None,
                work: np.ndarray | None = None) -> Iterator[tuple[int, int, int, int, np.ndarray]]:
    """``value × kernel`` for every input pixel, channels summed: ``(r0, r1, c0, c1, blocks)`` per block of
    input pixels (rows ``r0:r1``, columns ``c0:c1``), in reading order.

    ``blocks[:, :, r - r0, c - c0]`` (shape ``(kh, kw)``) is pixel ``(r, c)``'s block; ``blocks[i, j]`` is
    what kernel cell ``(i, j)`` adds for every pixel of the block (a contiguous plane, the engine's unit
    of work). A block is whole rows (``c0, c1 = 0, w``) unless one row's blocks pass ``_BLOCK_BYTES`` (a
    wide image with a big kernel); then it is part of one row, so the blocks still come in reading order.
    The rows of a block of whole rows are ``width`` wide (default the image's width ``w``): columns ``w``
    and after hold zeros (times the kernel: ``±0.0``). With channels, one matrix product
    ``(kh·kw, C) @ (C, rows·width)`` per block of rows: every block value is a dot product over the
    channels. The engine, the walk and the view model all take their blocks from here, in the same blocks
    of rows and the same ``width`` (:func:`_block_width`), so they hold the same values bit for bit whatever
    the matrix product rounds. The rows come ``_BLOCK_BYTES`` of blocks at a time, written into the same
    buffer each time (fresh memory of this size costs more on first touch than the product): use a block
    of rows before asking for the next. ``work``, when given, is that buffer (at least
    :func:`_block_work_size` values), so that a caller can make it part of its own single allocation.
    """
    h, w = image.shape[:2]
    width = w if width is None else width
    kh, kw = kernel.shape[:2]
    grey = image.ndim == 2
    channels = 1 if grey else image.shape[2]
    rows, cols = _block_shape(image, kernel, width)
    if work is None:
        work = np.empty(_block_work_size(image, kernel, width))
    out = work[:kh * kw * rows * cols]
    if grey:
        weights = kernel[:, :, None, None]
    else:
        # contiguous, so the product takes the same (BLAS) route for every caller's kernel layout
        weights, planes = np.ascontiguousarray(kernel.reshape(kh * kw, channels)), work[out.size:]
    for r0 in range(0, h, rows):
        r1 = min(h, r0 + rows)
        for c0 in range(0, w, cols if cols < w else w):
            c1 = min(w, c0 + cols)
            span = cols if c1 - c0 == w else c1 - c0  # whole rows are `width` wide
            n = (r1 - r0) * span
            blocks = out[:kh * kw * n].reshape(kh, kw, r1 - r0, span)
            pixels_in = image[r0:r1, c0:c1]
            if grey:
                np.multiply(weights, pixels_in, out=blocks[:, :, :, :c1 - c0])
                blocks[:, :, :, c1 - c0:] = 0.0
            else:
                first = planes[:channels * n].reshape(channels, r1 - r0, span)
                np.copyto(first[:, :, :c1 - c0], np.moveaxis(pixels_in, -1, 0))  # channels first
                first[:, :, c1 - c0:] = 0.0
                np.matmul(weights, first.reshape(channels, n), out=blocks.reshape(kh * kw, n))
            yield r0, r1, c0, c1, blocks


def _phases(p: _TransposePlan, own: bool = False) -> Iterator[tuple[int, int, np.ndarray]]:
    """The transposed-convolution engine: the canvas (the output before cropping), one stride phase at a time.

    Yields ``(a, b, plane)`` for every phase ``a < sr``, ``b < sc`` that a kernel cell lands in
    (:func:`_phases_with_cells`; the others are all zeros): canvas cell ``(a + sr·m, b + sc·n)`` is
    ``plane[m, n]`` (cells past the canvas stay 0), shape :func:`_phase_shape`. Kernel cell ``(i, j)``
    adds ``kernel[i, j] × value`` of every input pixel ``(r, c)`` at canvas ``(r·sr + i·dr, c·sc + j·dc)``:
    in phase ``(i·dr mod sr, j·dc mod sc)``, at ``(r + i·dr div sr, c + j·dc div sc)``, so a block of input
    rows goes into its phase as it lies, with no stride. The cells come *last cell first*: an output cell
    then receives its contributions in the reading order of the input pixels that reach it, the order of
    :func:`iter_transpose_steps` (for one output cell, a later cell's pixel is on an earlier row, so this
    holds whatever blocks of rows the pixels come in).

    With channels, the blocks come from :func:`_block_rows`, one block of input rows at a time, all kernel
    cells at once, ``_block_width(p)`` wide, so they are bit for bit the walk's; every phase is kept until
    the last block is added. A grey image's block value is a single product, the same bits however it is
    formed, so it is made one kernel cell and one block of rows at a time, phase after phase, into buffers
    used again for every phase: only one phase's plane is held, and each plane comes in the same buffer
    (use it before asking for the next). The planes share one allocation with the other work buffers,
    unless ``own``: then they are an array of their own, which a caller can return.

    Overflow: with channels, all the phases are checked at once before the first is yielded (one pass over
    the canvas); a grey image's phase is checked before it is yielded, unless :func:`_result_is_checked`
    (nothing cropped: the caller checks the result, the whole canvas, in one pass).
    """
    (sr, sc), (dr, dc) = p.stride, p.dilation
    h, w = p.image.shape[:2]
    kh, kw = p.kernel.shape[:2]
    ph, pw = _phase_shape(p)
    width = _block_width(p)
    rows, cols = _phases_with_cells(p)
    cells = [(i, j, rows.index((i * dr) % sr), cols.index((j * dc) % sc), (i * dr) // sr, (j * dc) // sc)
             for i in range(kh - 1, -1, -1) for j in range(kw - 1, -1, -1)]
    if p.image.ndim == 3:
        # the phases and the blocks in one allocation, the result in another (see the module doc)
        size = 0 if own else len(rows) * len(cols) * ph * pw
        work = np.empty(size + _block_work_size(p.image, p.kernel, width))
        planes = np.empty((len(rows), len(cols), ph, pw)) if own else work[:size].reshape(len(rows), len(cols), ph, pw)
        planes.fill(0.0)  # not np.zeros: see the module doc
        for r0, r1, c0, c1, blocks in _block_rows(p.image, p.kernel, width, work[size:]):
            for i, j, a, b, di, dj in cells:
                _add_block(planes[a, b], blocks[i, j], r0, r1, c0, c1, di, dj, w)
        _check_transpose_finite(planes, p)
        for (a, ra), (b, cb) in itertools.product(enumerate(rows), enumerate(cols)):
            yield ra, cb, planes[a, b]
        return
    chunk = min(h, max(1, _BLOCK_BYTES // (16 * width)))  # the rows and what they add: in the cache
    work = np.empty(chunk * width + (0 if own else ph * pw))  # one allocation for both (see the module doc)
    product = work[:chunk * width].reshape(chunk, width)
    plane = np.empty((ph, pw)) if own else work[chunk * width:].reshape(ph, pw)
    product[:, w:] = 0.0  # and they stay 0: the zeros after each row
    for (a, ra), (b, cb) in itertools.product(enumerate(rows), enumerate(cols)):
        plane.fill(0.0)
        mine = [(i, j, di, dj) for i, j, ca, cb_, di, dj in cells if (ca, cb_) == (a, b)]
        for r0 in range(0, h, chunk):
            r1 = min(h, r0 + chunk)
            for i, j, di, dj in mine:
                block = product[:r1 - r0]
                np.multiply(p.kernel[i, j], p.image[r0:r1], out=block[:, :w])
                _add_block(plane, block, r0, r1, 0, w, di, dj, w)
        if not _result_is_checked(p):
            _check_transpose_finite(plane, p)
        yield ra, cb, plane


def _cropped(p: _TransposePlan) -> bool:
    """True when the padding crops canvas cells away (or output_padding's rows reach past the blocks)."""
    return p.crop != (0, 0) or p.canvas_shape != p.out_shape


def _result_is_checked(p: _TransposePlan) -> bool:
    """A grey image's result is checked for overflow once, when it is the whole canvas (nothing cropped),
    instead of phase by phase (with channels, :func:`_phases` checks all phases in one pass anyway)."""
    return p.image.ndim == 2 and not _cropped(p)


def _phases_with_cells(p: _TransposePlan) -> tuple[list[int], list[int]]:
    """The row phases and the column phases that some kernel cell lands in (every other phase stays 0).

    At most ``kh`` and ``kw`` of them, so a stride far larger than the kernel costs no loop per empty phase.
    """
    (sr, sc), (dr, dc) = p.stride, p.dilation
    kh, kw = p.kernel.shape[:2]
    return sorted({(i * dr) % sr for i in range(kh)}), sorted({(j * dc) % sc for j in range(kw)})


def _add_block(plane: np.ndarray, block: np.ndarray, r0: int, r1: int, c0: int, c1: int, di: int, dj: int,
               w: int) -> None:
    """Add one kernel cell's values for input rows ``r0:r1``, columns ``c0:c1`` (``block``) into its phase.

    Whole rows as wide as the phase (the input's ``w`` pixels, then zeros): one contiguous add, each row
    landing on the next phase row (the zeros add nothing: a sum that starts at ``+0.0`` is never
    ``-0.0``, and ``x + 0 = x`` for every other ``x``). Otherwise the rows are added as a 2-D slice.
    """
    pw = plane.shape[1]
    if r1 - r0 > 1 and block.shape[1] == pw:
        start, n = (r0 + di) * pw + dj, (r1 - r0 - 1) * pw + w
        target = plane.reshape(-1)[start:start + n]
        target += block.reshape(-1)[:n]
    else:
        plane[r0 + di:r1 + di, c0 + dj:c1 + dj] += block[:, :c1 - c0]


def _transposed(p: _TransposePlan) -> np.ndarray:
    """The result: the canvas's phases cropped by the padding, interleaved into one array.

    An overflow (finite inputs, infinite sums anywhere on the canvas) is refused, in words: :func:`_phases`
    checks the phases, or the result is checked here (:func:`_result_is_checked`).
    """
    (sr, sc), (pr, pc), (oh, ow) = p.stride, p.crop, p.out_shape
    rows, cols = _phases_with_cells(p)
    out = None
    if (sr, sc) == (1, 1) and not _cropped(p):  # one phase, the output itself: made as an array of its own
        (_, _, out), = _phases(p, own=True)
    else:
        for a, b, plane in _phases(p):  # views of the work buffer: copied into the result
            if out is None:  # allocated after the work buffer (see the module doc); zeros where phases are empty
                out = np.empty((oh, ow)) if len(rows) * len(cols) == sr * sc else np.zeros((oh, ow))
            m0 = -(-(pr - a) // sr) if pr > a else 0  # the phase's first row and column inside the output
            n0 = -(-(pc - b) // sc) if pc > b else 0
            target = out[a + sr * m0 - pr::sr, b + sc * n0 - pc::sc]
            m1, n1 = m0 + target.shape[0], n0 + target.shape[1]
            target[...] = plane[m0:m1, n0:n1]
    if _result_is_checked(p):
        _check_transpose_finite(out, p)
    return out


def _check_transpose_finite(canvas: np.ndarray, p: _TransposePlan) -> None:
    v.check_finite_output(canvas, "conv_transpose2d",
                          lambda: f"the image's values (up to {v.largest(p.image)}) times the kernel's "
                                  f"(up to {v.largest(p.kernel)})", "scale image or kernel down")


def _relu(arr: np.ndarray, name: str) -> np.ndarray:
    """ReLU of a float64 array (see the module doc), after checking that its values are finite.

    The check is :func:`~convlab._shared.validate.check_finite_numbers`: one sum (one read of the
    array, on this thread), and the first bad value and its index only when there is one.
    The maximum runs on the int64 view (the same bits for every non-negative float, and 0 for the rest).
    """
    flat = np.ascontiguousarray(arr).reshape(-1)
    v.check_finite_numbers(flat.reshape(arr.shape), name)  # the index is arr's
    return np.maximum(flat.view(np.int64), 0).view(np.float64).reshape(arr.shape)
