"""The one private engine (numpy only): ``_plan`` checks and pads, ``_correlate`` computes.

* ``_plan`` checks every argument (see ``_validate``), pads the image and works out the output shape —
  before any arithmetic is done;
* ``_choose`` picks the direct or the FFT path (``method="auto"``: a measured cost model, see ``_fft``)
  and checks the chosen path's work against the limit;
* ``_correlate`` is the direct path: per kernel row, one compiled 1-D ``np.correlate`` over the image's
  rows laid end to end, the rows' results summed into the map block by block (exact products, so
  whole-number inputs give exact sums); ``_fft.fft_correlate`` is the FFT path.

Public modules of :mod:`convlab.core` (``conv``, ``steps``, ``walk``) sit on this module; nothing outside
``convlab.core`` imports it.
"""

from __future__ import annotations

import math

from dataclasses import dataclass

import numpy as np

from . import _fft
from .._shared import validate as v
from .sizes import check_fits, span_of, _window_fits

@dataclass(frozen=True)
class _Plan:
    padded: np.ndarray  # (Hp, Wp) or (Hp, Wp, C), float64
    kernel: np.ndarray  # (kh, kw[, C]) or a stack (N, kh, kw[, C]); already flipped when flip=True
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]
    out_shape: tuple[int, int]
    method: str = "direct"  # the path chosen for this call: "direct" or "fft" (never "auto")


def _flip(kernel: np.ndarray, stack: bool) -> np.ndarray:
    """Rotate by 180 degrees in the two spatial axes (channels and the stack axis are left alone)."""
    return kernel[:, ::-1, ::-1] if stack else kernel[::-1, ::-1]


def _plan(image, kernel, *, stride, padding, dilation, flip, padding_mode, stack=False, own=True,
          method="auto") -> _Plan:
    """Validate every argument, then pad. Raises before any arithmetic is done.

    ``own=True`` (the lazy step walks) guarantees that ``padded`` is not a view of the caller's array, so
    changing that array later cannot change a step's window. ``conv2d`` and ``feature_maps`` finish before
    they return and pass ``own=False``: copying a 512x512 image costs more than correlating it with 3x3,
    because the fresh copy is cold in the cache and every page of it faults on first touch.

    ``method`` ("auto", "direct" or "fft") is resolved here (see :func:`_choose`), and the work limit
    counts the cost of the path that will run.
    """
    img = v.as_image(image)
    ker = v.as_kernel_stack(kernel, img) if stack else v.as_kernel(kernel, img)
    stride = v.positive_pair(stride, "stride")
    dilation = v.positive_pair(dilation, "dilation")
    flip = v.check_flip(flip)
    mode = v.check_padding_mode(padding_mode)
    method = v.check_method(method)
    khw = ker.shape[1:3] if stack else ker.shape[:2]
    span = span_of(khw, dilation)
    pads = v.padding_amounts(padding, span, stride)
    if mode != "zeros":
        v.check_mode_fits(mode, pads, img.shape[:2])
    padded_hw = (img.shape[0] + sum(pads[0]), img.shape[1] + sum(pads[1]))
    v.check_image_values(img.shape, "image", pads)
    if not _window_fits(span, padded_hw):  # the message (and its argument checks) only when it fails
        check_fits(img.shape[:2], khw, dilation, pads)
    out_shape = tuple((n - s) // st + 1 for n, s, st in zip(padded_hw, span, stride))
    method = _choose(method, padded_hw, out_shape, ker, span, stride, stack)
    if any(sum(p) for p in pads):
        width = list(pads) + [(0, 0)] * (img.ndim - 2)
        img = np.pad(img, width, mode=v._NUMPY_PAD_MODE[mode])
    elif own and isinstance(image, np.ndarray) and np.may_share_memory(img, image):
        img = img.copy()  # our own copy: changing the caller's array later cannot change a step's window
    else:
        img = img.view()  # a view of its own: made read-only below (own=True) without touching the caller's flags
    ker = np.array(_flip(ker, stack) if flip else ker)  # likewise, never a view of the caller's kernel
    if own:  # what a lazy walk keeps is read-only; conv2d's plan never leaves it (see _correlate)
        img.flags.writeable = False
    ker.flags.writeable = False
    return _Plan(img, ker, stride, dilation, pads, out_shape, method)


def _choose(method, padded_hw, out_shape, ker, span, stride, stack) -> str:
    """Resolve ``method`` and check the chosen path's work against ``MAX_MULTIPLY_ADDS``.

    ``"auto"`` stays direct up to ``_fft.AUTO_DIRECT_WORK`` multiply-adds (the lessons' sizes) and above
    it takes the path the cost model of :mod:`._fft` predicts to be faster.
    """
    kernels = ker.shape[0] if stack else 1
    khw_c = ker.shape[1:] if stack else ker.shape
    channels = khw_c[2] if len(khw_c) == 3 else 1
    windows = out_shape[0] * out_shape[1]
    taps = math.prod(khw_c)
    direct_work = windows * taps * kernels
    fft_work = _fft.fft_work(padded_hw, stride, channels, kernels)
    if method == "auto" and direct_work <= _fft.AUTO_DIRECT_WORK:
        method = "direct"  # the lessons' sizes: the exact sums a learner checks by hand
    elif method == "auto":
        direct = _fft.direct_time(out_shape, padded_hw[1], span, stride, channels, kernels, khw_c[0])
        method = "direct" if direct <= _fft.fft_time(padded_hw, stride, channels, kernels, span) else "fft"
    if method == "direct":
        v.check_work(windows, taps, kernels, fft_work=fft_work)
    else:
        v.check_fft_work(fft_work, direct_work)
    return method


def _compute(p: _Plan) -> np.ndarray:
    """The feature map of a single-kernel plan, by the plan's path."""
    if p.method == "fft":
        return _fft.fft_correlate(p.padded, p.kernel[None], p.stride, p.dilation, p.out_shape)[0]
    return _correlate(p.padded, p.kernel, p.stride, p.dilation, p.out_shape)


def _compute_stack(p: _Plan) -> np.ndarray:
    """The feature maps ``(H', W', N)`` of a plan of a kernel stack, by the plan's path."""
    if p.method == "fft":
        return np.moveaxis(_fft.fft_correlate(p.padded, p.kernel, p.stride, p.dilation, p.out_shape), 0, -1)
    return np.stack([_correlate(p.padded, k, p.stride, p.dilation, p.out_shape) for k in p.kernel], axis=-1)


_BLOCK_BYTES = 1 << 19  # rows handled together (512 kB of input): every pass over them stays in the L2 cache


def _correlate(padded: np.ndarray, kernel: np.ndarray, stride, dilation, out_shape) -> np.ndarray:
    """Cross-correlate one (already flipped, validated) kernel with a padded image: the direct path.

    Row by row of the kernel: kernel row ``i`` meets image rows ``i*d, i*d + s, ...``. Laid end to end,
    those rows are one long 1-D signal, and ``np.correlate`` (a compiled loop) slides the kernel row along
    it in one call; the values that straddle two image rows are never read. The rows of the feature map
    are the sum of these 1-D correlations, one block of rows at a time so the block stays in the CPU
    cache: the kernel rows' 1-D results line up value for value, so they are summed as they come (one
    contiguous add each; a 2-D add of the kept values costs a loop per row), and the kept values of the
    sum are then copied into the map. Every value is a sum of exact products, so whole-number inputs
    give exact results.

    The signal handed to ``np.correlate`` must be writeable: it reads a read-only array about 8x slower
    (numpy 2.4: 282 us against 35 us for 65,536 values and 3 taps). ``conv2d``'s plan is a writeable view
    of the caller's image; a read-only image or a lazy walk's read-only copy is copied once here.
    """
    (sr, sc), (dr, dc), (oh, ow) = stride, dilation, out_shape
    kh, kw = kernel.shape[:2]
    # channels first and contiguous, so a run of rows is one flat 1-D signal
    planes = np.ascontiguousarray(padded[None] if padded.ndim == 2 else np.moveaxis(padded, -1, 0))
    if not planes.flags.writeable:  # np.correlate reads a read-only signal 8x slower: one copy costs less
        planes = planes.copy()
    weights = kernel[..., None] if kernel.ndim == 2 else kernel
    wp = planes.shape[2]
    rows = []  # (channel, kernel row, the row with its dilation zeros); all-zero rows add nothing
    nonzero = weights.any(axis=1)  # (kernel row, channel): one pass, not one np.any per row
    for c in range(planes.shape[0]):
        for i in range(kh):
            if nonzero[i, c]:
                if dc == 1:
                    taps = np.ascontiguousarray(weights[i, :, c])
                else:
                    taps = np.zeros(dc * (kw - 1) + 1)
                    taps[::dc] = weights[i, :, c]
                rows.append((c, i, taps))
    if not rows:
        return np.zeros((oh, ow))
    out = np.empty((oh, ow))
    block = max(1, _BLOCK_BYTES // (8 * wp))
    item = planes.itemsize
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, in words
        for r0 in range(0, oh, block):
            n = min(oh, r0 + block) - r0
            total = None
            for c, i, taps in rows:
                top = i * dr + r0 * sr
                if sr == 1:
                    signal = planes[c].reshape(-1)[top * wp:(top + n) * wp]
                else:
                    signal = np.ascontiguousarray(planes[c, top:top + (n - 1) * sr + 1:sr]).reshape(-1)
                line = np.correlate(signal, taps, "valid")
                # the rows' 1-D results line up value for value: summed as they are, one contiguous add each
                if total is None:
                    total = np.add(line, 0.0, out=line)  # + 0.0: a map never holds -0.0
                else:
                    total += line
            # every kept value of every row, as a view of the 1-D sum (the straddling ones skipped)
            out[r0:r0 + n] = np.ndarray((n, ow), total.dtype, total, 0, (wp * item, sc * item))
    return v.check_finite_result(out, "the feature map", padded, kernel)
