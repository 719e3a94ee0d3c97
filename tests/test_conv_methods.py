"""conv2d's and feature_maps' ``method``: the direct path, the FFT path and ``auto``'s choice between them.

Oracles: scipy's correlate2d (through ``strategies.oracle_scipy``) and ``scipy.signal.fftconvolve``;
the documented tolerance of the FFT path is ``1e-12 * max|image| * sum|kernel|``; whole-number images
and kernels are exact on every path.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose, assert_array_equal

from convlab import conv2d, feature_maps, iter_steps
from convlab.images import SEED_IMAGE, SEED_KERNEL
from strategies import FAST, THOROUGH, conv_cases, filter_banks, oracle_scipy


@pytest.fixture
def rng():
    return np.random.default_rng(22)


METHODS = ("auto", "direct", "fft")


def fft_tolerance(image, kernel) -> float:
    """The documented agreement of the FFT path: 1e-12 x max|image| x sum|kernel| (per kernel)."""
    return 1e-12 * float(np.max(np.abs(image))) * float(np.sum(np.abs(kernel))) + 1e-300


@pytest.mark.parametrize("method, exc, pattern", [
    ("fast", ValueError, r"method must be one of 'auto', 'direct', 'fft'; got 'fast'"),  # a plausible typo
    ("FFT", ValueError, r"method .*got 'FFT'"),  # names are lower case, as in scipy
    (None, TypeError, r"method .*got None"),  # no silent default
    (1, TypeError, r"method .*got 1"),  # not an index into the list
])
def test_method_is_checked_up_front_with_its_value_named(method, exc, pattern):
    with pytest.raises(exc, match=pattern):
        conv2d(SEED_IMAGE, SEED_KERNEL, method=method)
    with pytest.raises(exc, match=pattern):
        feature_maps(SEED_IMAGE, [SEED_KERNEL], method=method)


@pytest.mark.parametrize("method", METHODS)
def test_seed_example_is_exact_on_every_path(method):
    # the lesson's numbers: whole numbers in, whole numbers out, whatever the path
    assert_array_equal(conv2d(SEED_IMAGE, SEED_KERNEL, method=method),
                       [[-4, 2, 4], [0, 0, 0], [0, 0, 0]])


@THOROUGH
@given(conv_cases(integers=True))
def test_fft_path_is_exact_on_whole_numbers(case):
    # every stride (polyphase), padding, padding mode, dilation, flip and channel count
    assert_array_equal(conv2d(case.image, case.kernel, method="fft", **case.kwargs),
                       oracle_scipy(case.image, case.kernel, **case.kwargs))


@FAST
@given(conv_cases(integers=False))
def test_fft_path_agrees_with_scipy_within_the_documented_tolerance(case):
    assert_allclose(conv2d(case.image, case.kernel, method="fft", **case.kwargs),
                    oracle_scipy(case.image, case.kernel, **case.kwargs),
                    rtol=0, atol=fft_tolerance(case.image, case.kernel))


@FAST
@given(filter_banks(integers=False))
def test_feature_maps_fft_agree_with_the_direct_path(bank):
    image, kernels, kwargs = bank
    direct = feature_maps(image, kernels, method="direct", **kwargs)
    fft = feature_maps(image, kernels, method="fft", **kwargs)
    scale = max(fft_tolerance(image, k) for k in kernels)
    assert_allclose(fft, direct, rtol=0, atol=scale)


@pytest.mark.parametrize("shape, k, stride", [
    ((300, 280), 21, 1),  # a big kernel on a big image: auto takes the FFT
    ((300, 280, 3), 15, 2),  # RGB with a stride: polyphase FFT
    ((257, 263), 31, (2, 3)),  # odd sides (no power of two) and a different stride per axis
])
def test_auto_on_big_kernels_agrees_with_scipy_fftconvolve(rng, shape, k, stride):
    from scipy.signal import fftconvolve

    image = rng.standard_normal(shape)
    kernel = rng.standard_normal((k, k) + shape[2:])
    flipped = kernel[::-1, ::-1, ::-1] if image.ndim == 3 else kernel[::-1, ::-1]
    full = fftconvolve(image, flipped, mode="valid")
    expected = (full[..., 0] if image.ndim == 3 else full)[::np.broadcast_to(stride, 2)[0],
                                                            ::np.broadcast_to(stride, 2)[1]]
    assert_allclose(conv2d(image, kernel, stride=stride), expected, rtol=0, atol=fft_tolerance(image, kernel))


@pytest.mark.parametrize("method", ["auto", "fft"])
def test_whole_number_photo_and_kernel_stay_exact_when_the_fft_runs(rng, method):
    # a uint8 photo and a 15x15 integer kernel: big enough for auto to take the FFT, still exact
    image = rng.integers(0, 256, (200, 210), dtype=np.uint8)
    kernel = rng.integers(-4, 5, (15, 15))
    assert_array_equal(conv2d(image, kernel, method=method), oracle_scipy(image, kernel))


@pytest.mark.parametrize("image_shape, kernel_shape", [
    ((2048, 2048, 3), (15, 15, 3)),  # an RGB photo with a big colour kernel: 2.8e9 direct multiply-adds
    ((2048, 2048), (31, 31)),  # a big blur on a big grey image: 3.9e9 direct multiply-adds
])
def test_work_limit_counts_the_fft_cost_so_big_kernels_are_accepted(rng, image_shape, kernel_shape):
    image = rng.random(image_shape)
    kernel = rng.random(kernel_shape)
    with pytest.raises(ValueError, match=r'multiply-adds; the limit is 1,073,741,824: use method="fft"'):
        conv2d(image, kernel, method="direct")
    result = conv2d(image, kernel)
    k = kernel_shape[0]
    assert result.shape == (2048 - k + 1, 2048 - k + 1)
    corner = conv2d(image[:k + 9, :k + 9], kernel, method="direct")  # the top-left 10x10 values, directly
    assert_allclose(result[:10, :10], corner, rtol=0, atol=fft_tolerance(image, kernel))


def test_walk_values_equal_conv2d_on_the_path_auto_takes(rng):
    # iter_steps reads the same engine: on a size where auto takes the FFT, the values still agree exactly
    image, kernel = rng.random((60, 60)), rng.random((21, 21))
    fm = conv2d(image, kernel)
    for step in iter_steps(image, kernel):
        assert step.value == fm[step.out_row, step.out_col]


def _fft_with_peak_memory(image, kernel):
    """``conv2d(image, kernel, method="fft")`` and the most memory (bytes) numpy held during the call."""
    import tracemalloc

    tracemalloc.start()
    try:
        out = conv2d(image, kernel, method="fft")
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_wide_kernel_in_a_wide_transform_takes_the_transforms_not_huge_dft_matrices():
    # a 1x7000 kernel on 256x8000: its DFT matrix would be 4001 x 7000 complex values (448 MB); the kernel's
    # spectrum is a transform instead, and the result agrees with scipy's FFT
    from scipy import signal

    rng = np.random.default_rng(3)
    image, kernel = rng.random((256, 8000)), rng.random((1, 7000))
    out, peak = _fft_with_peak_memory(image, kernel)
    assert peak < 200 << 20, f"peak {peak / 2**20:.0f} MB"
    assert_allclose(out, signal.fftconvolve(image, kernel[::-1, ::-1], mode="valid"), rtol=0,
                    atol=fft_tolerance(image, kernel))


@pytest.mark.parametrize("image_shape, kernel_shape", [((256, 256), (15, 15)), ((256, 256, 3), (15, 15, 3)),
                                                       ((256, 256), (41, 41)), ((256, 256, 3), (41, 41, 3))])
def test_the_fft_path_holds_the_image_spectra_a_running_total_and_one_more_spectrum_at_most(
        rng, image_shape, kernel_shape):
    # every spectrum-sized array is pages the system maps on first touch (on a virtual machine that was a
    # fifth of an RGB 128x128 call): the columns' transforms run in place, and so does the product
    image, kernel = rng.random(image_shape), rng.random(kernel_shape)
    conv2d(image, kernel, method="fft")  # the DFT matrices are cached: built before the count starts
    out, peak = _fft_with_peak_memory(image, kernel)
    channels = image.shape[2] if image.ndim == 3 else 1
    spectrum = 256 * (256 // 2 + 1) * 16  # complex128 values of one 256x256 real spectrum
    # the image's spectra, the running total, one more (a kernel's product, or the inverse's real result,
    # or a channel copied to be transformed), the feature map, and small change (the DFT matrices' products)
    budget = (channels + 2) * spectrum + out.nbytes + (128 << 10)
    assert peak <= budget, f"peak {peak / 1e3:.0f} kB, budget {budget / 1e3:.0f} kB"
