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
Its error is at most about ``eps * log2(M) * ||x||_2 * ||k||_1`` per channel (``M`` the transform size,
``eps`` = 2.2e-16). When the image and the kernel hold whole numbers and ``FFT_EXACT_MARGIN`` times this
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
* FFT: ``FFT_FIXED + FFT_PER_POINT * transforms * M * log2(M)`` for transforms of ``M`` points: per phase
  of the stride one per channel of the image and of each kernel, and one inverse per kernel.

The constants were fitted with ``python benchmarks/calibrate_engine.py`` (non-negative least squares on the
relative error of the fastest of five timings of both paths, on 128..512-pixel images, kernels 3..31,
grey and RGB, strides 1 and 2: 84 cases) on the project's 2-core AMD EPYC server under a load of about
10, numpy 2.4 with pocketfft. The fit gave 0.88e-9 s per direct multiply-add and 1.0-1.1e-9 s per FFT
point-log; the constant terms fitted to zero, and ``FFT_FIXED`` is the measured cost of the FFT path on a
5x5 image beyond the checks (about 30 us). With these constants the model picked the faster path in 80
of the 84 cases; the worst wrong pick was 1.6x slower than the other path, at the crossover (k = 7..11
on 512x512), where both paths take about as long. Only the ratio of the two slopes decides the choice.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

AUTO_DIRECT_WORK = 1 << 18  # multiply-adds up to which auto stays direct (the lessons' sizes)
DIRECT_PER_TAP = 0.88e-9  # seconds per multiply-add of the direct path (np.correlate)
FFT_PER_POINT = 1.05e-9  # seconds per point and per log2(points) of one rfft2/irfft2 transform
FFT_FIXED = 3e-5  # seconds of set-up of the FFT path
FFT_RTOL = 1e-12  # documented agreement of the two paths, relative to max|image| * sum|kernel|
FFT_EXACT_MARGIN = 16.0  # safety factor on the error bound before rounding integer results


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


def transform_shape(padded_hw, stride) -> tuple[int, int]:
    """The size of every transform: the largest image phase, rounded up to a good size."""
    return tuple(good_size(-(-n // s)) for n, s in zip(padded_hw, stride))


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


def fft_time(padded_hw, stride, channels: int, kernels: int) -> float:
    """Predicted seconds of the FFT path (see the module's docstring)."""
    m = math.prod(transform_shape(padded_hw, stride))
    return FFT_FIXED + FFT_PER_POINT * fft_transforms(stride, channels, kernels) * m * math.log2(max(m, 2))


def _whole(a: np.ndarray, chunk: int = 1 << 16) -> bool:
    """True when every value of ``a`` is a whole number; a block of rows at a time (no image-sized
    temporary), stopping at the first block that is not (the first, for a photo scaled to 0..1)."""
    rows = max(1, chunk // max(1, a[0].size))
    return all(np.array_equal(np.floor(a[i:i + rows]), a[i:i + rows]) for i in range(0, a.shape[0], rows))


def fft_correlate(padded: np.ndarray, kernels: np.ndarray, stride, dilation, out_shape) -> np.ndarray:
    """Cross-correlate every kernel of a stack ``(N, kh, kw[, C])`` with ``padded``: shape ``(N, oh, ow)``.

    The kernels are already flipped when ``flip=True``. The image's spectra (one per channel and phase)
    are computed once and shared by every kernel (``feature_maps``); each kernel's spectrum is summed over
    channels and phases and transformed back on its own, so memory stays at about one spectrum per
    channel of the image.
    """
    (sr, sc), (dr, dc), (oh, ow) = stride, dilation, out_shape
    stack = kernels[..., None] if kernels.ndim == 3 else kernels
    n, kh, kw, channels = stack.shape
    dilated = np.zeros((n, channels, dr * (kh - 1) + 1, dc * (kw - 1) + 1))
    dilated[:, :, ::dr, ::dc] = np.moveaxis(stack, -1, 1)
    shape = transform_shape(padded.shape[:2], stride)
    phases = [(p, q) for p, q in _phases(stride) if dilated[:, :, p::sr, q::sc].any()]
    planes = padded[..., None] if padded.ndim == 2 else padded
    # one channel at a time made contiguous for its transform: never a second copy of the whole image
    image_spectra = [[np.fft.rfft2(np.ascontiguousarray(planes[p::sr, q::sc, c]), s=shape) for c in range(channels)]
                     for p, q in phases]
    out = np.empty((n, oh, ow))
    for i in range(n):
        total = np.zeros((shape[0], shape[1] // 2 + 1), dtype=complex)
        for (p, q), x in zip(phases, image_spectra):
            for c in range(channels):
                k = dilated[i, c, p::sr, q::sc]
                if k.any():
                    spectrum = np.fft.rfft2(k, s=shape)
                    np.conjugate(spectrum, out=spectrum)
                    spectrum *= x[c]
                    total += spectrum
        out[i] = np.fft.irfft2(total, s=shape)[:oh, :ow]
    if _whole(padded) and _whole(stack):
        m = shape[0] * shape[1]
        x_norm = float(np.linalg.norm(padded.reshape(-1)))
        k_norm = float(np.abs(stack).sum(axis=(1, 2, 3)).max())
        bound = FFT_EXACT_MARGIN * np.finfo(float).eps * math.log2(max(m, 2)) * x_norm * k_norm
        if bound < 0.5 and x_norm * k_norm < 2.0**52:
            np.rint(out, out=out)
    out += 0.0  # no -0.0 in a feature map
    return out
