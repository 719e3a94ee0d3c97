"""The FFT path of the engine (numpy only) and the cost model that chooses between it and the direct path.

Cross-correlation by the FFT
----------------------------
Correlating a padded image ``x`` (``Hp x Wp``) with a kernel ``k`` is a product in the frequency domain:
``irfft2(rfft2(x) * conj(rfft2(k)))``. The product gives the *circular* correlation, but a kept window
never reaches past the image's last row or column, so transforms of ``Hp x Wp`` (rounded up to a size
with only the factors 2, 3 and 5, which numpy's pocketfft transforms fastest) are already long enough:
nothing wraps around into a kept value.

A stride ``s`` is done without computing the windows that are dropped (the *polyphase* split): the
image's rows ``p, p+s, p+2s, ...`` meet only the kernel's rows ``p, p+s, ...``, so for every phase
``(p, q)`` the image phase ``x[p::s, q::s]`` is correlated with the kernel phase ``k[p::s, q::s]``
(stride 1, smaller transforms) and the phases and channels are summed in the frequency domain, before the
one inverse transform. Dilation is a kernel with zeros between its taps.

Exactness
---------
The direct path adds exact products where the inputs are whole numbers; the FFT rounds at every stage.
Its error is at most about ``eps * (log2(M) + kh + kw) * ||x||_2 * ||k||_1`` per channel (``M`` the
transform size, ``eps`` = 2.2e-16, ``kh x kw`` a phase of the kernel, whose spectrum is two matrix
products when that is cheaper). When the image and the kernel hold whole numbers and ``FFT_EXACT_MARGIN`` times this
bound is below 1/2, the FFT result is rounded to the nearest integer, which then *is* the exact result:
integer images and kernels give the same values on both paths. Otherwise the two paths agree within
``FFT_RTOL * max|x| * sum|k|`` (``FFT_RTOL`` = 1e-12; in tests on random images up to 2048x2048 with
kernels up to 31x31 the largest difference is below 1e-14 of that scale).

The cost model
--------------
``method="auto"`` stays on the direct path while its work (windows x kernel values) is at most
``AUTO_DIRECT_WORK`` = 2**18 multiply-adds (a 128x128 image with a 3x3 kernel, 64x64 with 7x7): the
sizes the lessons show step by step, whose values must be the exact sums a learner can check (an edge
filter on a flat region gives 0, not 1e-17). Above it, auto takes the path with the smaller predicted
time, in seconds (the lessons' photos, 160 pixels across with kernels up to 7x7, still go direct):

* direct: ``DIRECT_PER_TAP * calls * values * span``: one ``np.correlate`` per kernel row and channel
  (``calls``), each computing ``values`` numbers of ``span`` multiply-adds (every column of every kept row);
* FFT: ``FFT_FIXED + FFT_PER_POINT * transforms * M * log2(M) + DFT_PER_PRODUCT * products`` for
  transforms of ``M`` points: per phase of the stride one per channel of the image, one inverse per kernel,
  and the kernels' spectra: transforms too when they are big, otherwise matrix products (``products``
  complex multiply-adds, see :func:`fft_terms`).

The constants come from ``python benchmarks/calibrate_engine.py`` (the fastest of five timings of both
paths on 128..512-pixel images, kernels 3..31, grey and RGB, strides 1 and 2: 84 cases), run on the
project's 2-core AMD EPYC server, numpy 2.4 with pocketfft. Its least-squares fit on relative error gave,
in three runs, 0.41-0.45e-9 s per direct multiply-add, 0.41-0.50e-9 s per FFT point-log and 0.37-0.72e-9 s
per matrix product, with which auto picked the faster path in 78-79 of the 84 cases and was up to 2.4x slower
on a wrong pick: the fit follows the many 128-pixel cases, where a transform costs about 0.5e-9 s per
point-log, while at 256..512 pixels (spectra beyond the cache) it costs 0.8-0.9e-9 s, and the crossover
(k = 7) lies there. ``FFT_PER_POINT`` = 0.8e-9 is that measured cost; with it the model picked the faster
path in 82 of the 84 cases, and the two wrong picks (256x256 RGB, k = 7) were 1.00x and 1.05x slower.
Only the ratios of the constants decide the choice.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

AUTO_DIRECT_WORK = 1 << 18  # multiply-adds up to which auto stays direct (the lessons' sizes)
DIRECT_PER_TAP = 0.43e-9  # seconds per multiply-add of the direct path (np.correlate)
FFT_PER_POINT = 0.8e-9  # seconds per point and per log2(points) of one rfft2/irfft2 transform
DFT_PER_PRODUCT = 0.45e-9  # seconds per complex multiply-add of a kernel's spectrum made by matrix products
FFT_FIXED = 0.5e-4  # seconds of set-up of the FFT path
FFT_RTOL = 1e-12  # documented agreement of the two paths, relative to max|image| * sum|kernel|
FFT_EXACT_MARGIN = 16.0  # safety factor on the error bound before rounding integer results
DFT_MATRIX_ENTRIES = 1 << 17  # complex entries of a kernel's two DFT matrices, at most (see _by_matrices)


@lru_cache(maxsize=256)
def good_size(n: int) -> int:
    """The smallest ``m >= n`` with no prime factor above 5 (pocketfft's fastest sizes).

    >>> [good_size(n) for n in (1, 7, 11, 17, 97, 513, 1000, 2047)]
    [1, 8, 12, 18, 100, 540, 1000, 2048]
    """
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def _phases(stride) -> list[tuple[int, int]]:
    return [(p, q) for p in range(stride[0]) for q in range(stride[1])]


def phase_shape(hw, stride) -> tuple[int, int]:
    """The size of the largest stride phase ``a[p::sr, q::sc]`` of an ``hw`` array."""
    return tuple(-(-n // s) for n, s in zip(hw, stride))


def transform_shape(padded_hw, stride) -> tuple[int, int]:
    """The size of every transform: the largest image phase, rounded up to a good size."""
    return tuple(good_size(n) for n in phase_shape(padded_hw, stride))


def fft_transforms(stride, channels: int, kernels: int) -> int:
    """Transforms of one call: per phase, the image's channels and every kernel's; one inverse per kernel."""
    return stride[0] * stride[1] * (channels + kernels * channels) + kernels


def fft_work(padded_hw, stride, channels: int, kernels: int) -> int:
    """The FFT path's work in multiply-add equivalents: ``transforms x M x log2(M)`` (for the work limit)."""
    m = math.prod(transform_shape(padded_hw, stride))
    return fft_transforms(stride, channels, kernels) * m * max(1, math.ceil(math.log2(m)))


def direct_time(out_shape, padded_w: int, span, stride, channels: int, kernels: int, kernel_rows: int) -> float:
    """Predicted seconds of the direct path (see the module's docstring)."""
    values = out_shape[0] * (padded_w - span[1] + 1 if stride[1] > 1 else padded_w)  # every column is computed
    return DIRECT_PER_TAP * kernels * channels * kernel_rows * values * span[1]


def fft_terms(padded_hw, stride, channels: int, kernels: int, span) -> tuple[float, float]:
    """The FFT path's two costs: ``(point_logs, products)``.

    ``point_logs`` sums ``M * log2(M)`` over the transforms (the image's, one per channel and phase; one
    inverse per kernel; and the kernels' own when :func:`_by_matrices` says transforms are cheaper);
    ``products`` counts the complex multiply-adds of the kernels' spectra made by matrix products.
    """
    shape = transform_shape(padded_hw, stride)
    m = math.prod(shape)
    point_log = m * math.log2(max(m, 2))
    phases = stride[0] * stride[1]
    phase_hw = phase_shape(span, stride)
    kernel_spectra = phases * channels * kernels
    transforms = phases * channels + kernels
    if _by_matrices(phase_hw, shape):
        products = kernel_spectra * (shape[1] // 2 + 1) * phase_hw[0] * (phase_hw[1] + shape[0])
    else:
        transforms, products = transforms + kernel_spectra, 0
    return transforms * point_log, float(products)


def fft_time(padded_hw, stride, channels: int, kernels: int, span) -> float:
    """Predicted seconds of the FFT path (see the module's docstring)."""
    point_logs, products = fft_terms(padded_hw, stride, channels, kernels, span)
    return FFT_FIXED + FFT_PER_POINT * point_logs + DFT_PER_PRODUCT * products


def _whole(a: np.ndarray, chunk: int = 1 << 16) -> bool:
    """True when every value of ``a`` is a whole number; a block of rows at a time (no image-sized
    temporary), stopping at the first block that is not; the first row alone first (a photo scaled to
    0..1 stops there)."""
    if not np.array_equal(np.floor(a[0]), a[0]):
        return False
    rows = max(1, chunk // max(1, a[0].size))
    return all(np.array_equal(np.floor(a[i:i + rows]), a[i:i + rows]) for i in range(0, a.shape[0], rows))


def _spectrum(a: np.ndarray, shape) -> np.ndarray:
    """The 2-D real spectrum of ``a`` zero-padded to ``shape``: ``(shape[0], shape[1] // 2 + 1)``.

    ``np.fft.rfft2`` by hand: the rows' real transforms, then the columns' transforms *in place* (``out=``)
    when ``a`` has all the rows already. It skips ``rfft2``'s argument handling per call and its second
    array: every fresh array of a spectrum's size is pages the system must map on first touch, which cost
    as much as a fifth of an RGB 128x128 call on a virtual machine.
    """
    rows = np.fft.rfft(a, n=shape[1], axis=-1)
    if rows.shape[0] != shape[0]:  # fewer rows than the transform: the columns' transform pads them
        return np.fft.fft(rows, n=shape[0], axis=0)
    return np.fft.fft(rows, axis=0, out=rows)


@lru_cache(maxsize=4)  # at most DFT_MATRIX_ENTRIES each: 8 MB in all
def _conj_dft_matrices(shape, kernel_hw) -> tuple[np.ndarray, np.ndarray]:
    """The *conjugated* DFT's matrices for a ``kernel_hw`` array zero-padded to ``shape``: ``(shape[0], kh)``
    for the columns and ``(kw, shape[1] // 2 + 1)`` for the rows, so that ``cols @ k @ rows`` is the
    conjugated spectrum of a real ``k`` (what the correlation multiplies by). Every exponent is reduced
    modulo the length first, so the angles are exact to the last bit."""
    (h, w), (kh, kw) = shape, kernel_hw
    cols = np.exp(2j * np.pi * (np.outer(np.arange(h), np.arange(kh)) % h) / h)
    rows = np.exp(2j * np.pi * (np.outer(np.arange(kw), np.arange(w // 2 + 1)) % w) / w)
    cols.flags.writeable = False
    rows.flags.writeable = False
    return cols, rows


def _by_matrices(kernel_hw, shape) -> bool:
    """True when a ``kernel_hw`` array's spectrum is cheaper as two matrix products than as transforms of the
    padded array: the products cost ``kh * (kw + h)`` multiply-adds per output column against the
    transforms' ``h * log2(h)``, and BLAS does a multiply-add about four times faster than a transform's
    step (measured: products 2x faster for 8x8 in 64x64 and 3x for 16x16 in 1024x1024; for 31x31 in 144x144
    they were still 1.15x faster, where this rule already takes the transforms: it errs towards them).
    The matrices themselves must stay small (``DFT_MATRIX_ENTRIES``, 2 MB of complex values; 31x31 in
    2048x2048 needs 95,000 entries): a wide kernel in a wide transform (1x7000 in 256x8000) would need
    hundreds of megabytes and seconds to build them, where its transforms take 0.1 s."""
    (kh, kw), (h, w) = kernel_hw, shape
    small = (w // 2 + 1) * kw + kh * h <= DFT_MATRIX_ENTRIES
    return small and kh * (kw + h) <= 4 * h * math.log2(max(h, 2))


def _conj_kernel_spectrum(k: np.ndarray, shape, kernel_hw) -> np.ndarray:
    """The conjugated :func:`_spectrum` of a kernel (or one of its phases) no bigger than ``kernel_hw``: a
    small kernel's by matrix products (the DFT of its few non-zero rows and columns, see
    :func:`_by_matrices`), a fresh array either way."""
    if not _by_matrices(kernel_hw, shape):
        spectrum = _spectrum(k, shape)
        return np.conjugate(spectrum, out=spectrum)
    cols, rows = _conj_dft_matrices(tuple(shape), tuple(kernel_hw))
    return cols[:, :k.shape[0]] @ (k @ rows[:k.shape[1]])


def _inverse(spectrum: np.ndarray, shape) -> np.ndarray:
    """The real ``shape`` array whose spectrum (see :func:`_spectrum`) is ``spectrum``; the columns' inverse
    transform is done in place, so ``spectrum`` is used up."""
    np.fft.ifft(spectrum, axis=0, out=spectrum)
    return np.fft.irfft(spectrum, n=shape[1], axis=-1)


def fft_correlate(padded: np.ndarray, kernels: np.ndarray, stride, dilation, out_shape) -> np.ndarray:
    """Cross-correlate every kernel of a stack ``(N, kh, kw[, C])`` with ``padded``: shape ``(N, oh, ow)``.

    The kernels are already flipped when ``flip=True``. The image's spectra (one per channel and phase)
    are computed once and shared by every kernel (``feature_maps``); each kernel's spectrum is summed over
    channels and phases and transformed back on its own, so memory stays at the image's spectra, the
    running total, one more array of a spectrum's size (a kernel's spectrum, multiplied in place before it
    is added, or the inverse's real result) and the feature maps.
    """
    (sr, sc), (dr, dc), (oh, ow) = stride, dilation, out_shape
    stack = kernels[..., None] if kernels.ndim == 3 else kernels
    n, kh, kw, channels = stack.shape
    if (dr, dc) == (1, 1):
        dilated = np.moveaxis(stack, -1, 1)  # a view: (N, C, kh, kw)
    else:
        dilated = np.zeros((n, channels, dr * (kh - 1) + 1, dc * (kw - 1) + 1))
        dilated[:, :, ::dr, ::dc] = np.moveaxis(stack, -1, 1)
    shape = transform_shape(padded.shape[:2], stride)
    phases = [(p, q) for p, q in _phases(stride) if dilated[:, :, p::sr, q::sc].any()]
    planes = padded[..., None] if padded.ndim == 2 else padded
    phase_hw = phase_shape(dilated.shape[2:], stride)  # the biggest kernel phase
    # one channel of one phase at a time: never a second copy of the whole image
    image_spectra = [[_spectrum(planes[p::sr, q::sc, c], shape) for c in range(channels)] for p, q in phases]
    out = np.empty((n, oh, ow))
    for i in range(n):
        total = None
        for (p, q), x in zip(phases, image_spectra):
            for c in range(channels):
                k = dilated[i, c, p::sr, q::sc]
                if k.any():
                    product = _conj_kernel_spectrum(k, shape, phase_hw)  # a fresh array: multiplied in place
                    np.multiply(product, x[c], out=product)
                    total = product if total is None else np.add(total, product, out=total)
                    del product  # not held while the inverse makes its real array
        out[i] = 0.0 if total is None else _inverse(total, shape)[:oh, :ow]  # None: an all-zero kernel
    if _whole(padded) and _whole(stack):
        m = shape[0] * shape[1]
        x_norm = float(np.linalg.norm(padded.reshape(-1)))
        k_norm = float(np.abs(stack).sum(axis=(1, 2, 3)).max())
        steps = math.log2(max(m, 2)) + sum(phase_hw)  # the transforms' steps and the kernel DFT's sums
        bound = FFT_EXACT_MARGIN * np.finfo(float).eps * steps * x_norm * k_norm
        if bound < 0.5 and x_norm * k_norm < 2.0**52:
            np.rint(out, out=out)
    out += 0.0  # no -0.0 in a feature map
    return out
