"""conv2d, feature_maps and the output-size helpers, checked against independent oracles.

Oracles (see ``strategies.py``): scipy.signal.correlate2d/convolve2d at stride 1 (sliced for larger
strides, zero-inserted kernel for dilation, summed over channels), np.einsum over sliding_window_view,
and the seed lesson's double loop. Padding is done by np.pad with the numpy name of each mode.

Whole-number data makes every sum exact in float64, so those properties compare with ``==``; float data
is compared to a tight tolerance, since the oracles add the same products in another order.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from convlab import conv2d, feature_maps, iter_steps, output_shape, output_size, output_size_formula, unvisited
from convlab.images import SEED_IMAGE, SEED_KERNEL
from convlab.kernels import HORIZONTAL_EDGE, IDENTITY, SOBEL_X, VERTICAL_EDGE
from strategies import (FAST, THOROUGH, PADDING_MODES, conv_cases, filter_banks, oracle_einsum,
                        oracle_scipy, oracle_seed_loop, pad_amounts, size_formula, span)

SEED_OUTPUT = [[-4, 2, 4], [0, 0, 0], [0, 0, 0]]


def seed_loop(image, kernel):
    """The seed lesson's code, as it is written there."""
    output = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            region = image[i:i+3, j:j+3]
            output[i, j] = np.sum(region * kernel)
    return output


# ---------------------------------------------------------------------------------------- the seed

def test_seed_example_reproduces_the_lessons_feature_map():
    image = np.array([[1, 2, 3, 0, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [2, 1, 0, 1, 2], [0, 1, 2, 3, 1]])
    kernel = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    expected = seed_loop(image, kernel)
    assert_array_equal(expected, SEED_OUTPUT)  # the seed's own loop gives the printed answer
    assert_array_equal(conv2d(image, kernel), expected)
    assert_array_equal(conv2d(SEED_IMAGE, SEED_KERNEL), expected)


def test_seed_example_accepts_nested_lists():
    assert_array_equal(conv2d(SEED_IMAGE.tolist(), SEED_KERNEL.tolist()), SEED_OUTPUT)


def test_result_is_a_new_float64_array():
    image = np.arange(25, dtype=np.int64).reshape(5, 5)
    out = conv2d(image, IDENTITY)
    assert out.dtype == np.float64
    assert out.flags.writeable and not np.shares_memory(out, image)
    assert_array_equal(out, image[1:4, 1:4])


@pytest.mark.parametrize("read_only", [False, True])
def test_the_direct_path_gives_np_correlate_writeable_rows_and_walks_keep_read_only_windows(read_only, monkeypatch):
    # np.correlate reads a read-only signal about 8x slower: conv2d's plan never leaves it, so it stays a
    # writeable view of the image (a read-only image is copied once), while a lazy walk keeps read-only data
    import convlab.core._engine as engine
    seen = []
    real = np.correlate

    def spy(signal, taps, mode):
        seen.append(signal.flags.writeable)
        return real(signal, taps, mode)

    monkeypatch.setattr(engine.np, "correlate", spy)
    image = np.random.default_rng(3).normal(size=(40, 30))
    expected = conv2d(image, SEED_KERNEL, method="direct")
    if read_only:
        image.flags.writeable = False
    seen.clear()
    assert_array_equal(conv2d(image, SEED_KERNEL, method="direct"), expected)
    assert seen and all(seen)
    assert image.flags.writeable is not read_only  # the caller's flags are left alone
    step = next(iter_steps(image, SEED_KERNEL))
    assert not step.window.flags.writeable


# ------------------------------------------------------------------- hand-checked cases, as a table

@pytest.mark.parametrize("kwargs, expected", [
    # stride 2 keeps windows 0 and 2 of the 3 in each axis
    ({"stride": 2}, [[-4, 4], [0, 0]]),
    # a (rows, cols) stride moves only one step down but two across
    ({"stride": (1, 2)}, [[-4, 4], [0, 0], [0, 0]]),
    # dilation 2: the 3x3 kernel samples every other pixel, spanning the whole 5x5 image
    ({"dilation": 2}, [[(1 + 1 + 0) - (1 + 0 + 1)]]),
    # flip=True rotates the kernel: for this antisymmetric filter that negates the result
    ({"flip": True}, [[4, -2, -4], [0, 0, 0], [0, 0, 0]]),
    # "valid" is no padding at all
    ({"padding": "valid"}, SEED_OUTPUT),
])
def test_seed_image_variations_match_hand_arithmetic(kwargs, expected):
    assert_array_equal(conv2d(SEED_IMAGE, SEED_KERNEL, **kwargs), expected)


def test_stride_two_skips_every_other_window():
    stride1 = conv2d(SEED_IMAGE, SEED_KERNEL, padding=1)
    assert_array_equal(conv2d(SEED_IMAGE, SEED_KERNEL, padding=1, stride=2), stride1[::2, ::2])


@pytest.mark.parametrize("mode, row", [
    # padding 1 on the row [1, 2, 3]: what each mode puts in the two new cells
    ("zeros", [0, 1, 2, 3, 0]),        # the seed's choice
    ("reflect", [2, 1, 2, 3, 2]),      # mirror without repeating the edge (numpy "reflect")
    ("replicate", [1, 1, 2, 3, 3]),    # repeat the edge pixel (numpy "edge")
    ("circular", [3, 1, 2, 3, 1]),     # wrap around (numpy "wrap")
])
def test_padding_modes_fill_the_border_as_pytorch_names_them(mode, row):
    image = np.array([[1.0, 2.0, 3.0]])
    picker = np.zeros((1, 3))
    picker[0, 0] = 1  # a kernel that copies the window's left pixel
    out = conv2d(image, picker, padding=(0, 1), padding_mode=mode)
    assert_array_equal(out[0], row[:3])
    picker = picker[:, ::-1]  # ... and its right pixel
    assert_array_equal(conv2d(image, picker, padding=(0, 1), padding_mode=mode)[0], row[2:])


@pytest.mark.parametrize("k, pads", [
    # odd kernels pad evenly
    (3, (1, 1)),
    (5, (2, 2)),
    # even kernels: the odd total goes to the bottom/right, as PyTorch does
    (2, (0, 1)),
    (4, (1, 2)),
    # a 1x1 kernel needs no padding
    (1, (0, 0)),
])
def test_same_padding_puts_the_odd_extra_at_bottom_right(k, pads):
    image = np.arange(36.0).reshape(6, 6)
    kernel = np.zeros((k, k))
    kernel[0, 0] = 1.0  # copies the window's top-left pixel, i.e. the padded input at (r, c)
    out = conv2d(image, kernel, padding="same")
    assert out.shape == image.shape
    padded = np.pad(image, [pads, pads])
    assert_array_equal(out, padded[:6, :6])


def test_full_padding_sees_every_overlap():
    image = np.ones((2, 3))
    out = conv2d(image, np.ones((2, 2)), padding="full")
    assert_array_equal(out, [[1, 2, 2, 1], [2, 4, 4, 2], [1, 2, 2, 1]])


def test_rgb_kernel_sums_channel_results_into_one_map():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 9, size=(6, 7, 3)).astype(float)
    kernel = rng.integers(-2, 3, size=(3, 3, 3)).astype(float)
    per_channel = sum(conv2d(image[..., c], kernel[..., c]) for c in range(3))
    assert_array_equal(conv2d(image, kernel), per_channel)


def test_all_zero_kernel_gives_plain_zeros():
    out = conv2d(SEED_IMAGE, np.zeros((3, 3)))
    assert_array_equal(out, np.zeros((3, 3)))
    assert not np.signbit(out).any()  # no negative zeros to show as "−0"


def test_kernel_the_size_of_the_padded_input_gives_one_value():
    assert_array_equal(conv2d(SEED_IMAGE, np.ones((5, 5))), [[SEED_IMAGE.sum()]])


def test_large_image_in_several_row_blocks_matches_oracle():
    # wide enough that the engine splits the output rows into cache-sized blocks
    rng = np.random.default_rng(0)
    image = rng.integers(-3, 4, size=(300, 400)).astype(float)
    kernel = rng.integers(-2, 3, size=(5, 5)).astype(float)
    for stride in (1, 2, 3):
        assert_array_equal(conv2d(image, kernel, stride=stride, padding=2),
                           oracle_scipy(image, kernel, stride=stride, padding=2))


# -------------------------------------------------------------------------- properties vs oracles

@THOROUGH
@given(conv_cases(integers=True))
def test_conv2d_equals_scipy_exactly_on_whole_numbers(case):
    # every stride, padding form, padding mode, dilation, flip and channel count
    assert_array_equal(conv2d(case.image, case.kernel, **case.kwargs),
                       oracle_scipy(case.image, case.kernel, **case.kwargs))


@FAST
@given(conv_cases(integers=False))
def test_conv2d_matches_scipy_on_floats(case):
    assert_allclose(conv2d(case.image, case.kernel, **case.kwargs),
                    oracle_scipy(case.image, case.kernel, **case.kwargs), rtol=1e-12, atol=1e-11)


@FAST
@given(conv_cases(integers=True, channels=(1, 2, 3, 4)))
def test_conv2d_equals_einsum_over_sliding_windows_per_channel(case):
    assert_array_equal(conv2d(case.image, case.kernel, **case.kwargs),
                       oracle_einsum(case.image, case.kernel, **case.kwargs))


@FAST
@given(conv_cases(integers=False))
def test_conv2d_matches_einsum_on_floats(case):
    assert_allclose(conv2d(case.image, case.kernel, **case.kwargs),
                    oracle_einsum(case.image, case.kernel, **case.kwargs), rtol=1e-12, atol=1e-11)


@FAST
@given(conv_cases(integers=True))
def test_conv2d_equals_the_seeds_double_loop(case):
    assert_array_equal(conv2d(case.image, case.kernel, **case.kwargs),
                       oracle_seed_loop(case.image, case.kernel, **case.kwargs))


@FAST
@given(conv_cases(integers=True, channels=(None,), modes=("zeros",), stride=False, dilation=False,
                  padding=False, flip=(True,)))
def test_flip_true_is_scipy_convolve2d(case):
    from scipy.signal import convolve2d

    assert_array_equal(conv2d(case.image, case.kernel, flip=True),
                       convolve2d(case.image, case.kernel, mode="valid"))


@FAST
@given(conv_cases(integers=False))
def test_flip_true_equals_correlating_with_the_rotated_kernel(case):
    kwargs = dict(case.kwargs, flip=False)
    rotated = case.kernel[::-1, ::-1]
    assert_array_equal(conv2d(case.image, case.kernel, **dict(kwargs, flip=True)),
                       conv2d(case.image, rotated, **kwargs))


@FAST
@given(conv_cases(integers=False))
def test_larger_stride_is_a_slice_of_the_stride_one_result(case):
    stride = case.kwargs["stride"]
    sr, sc = stride if isinstance(stride, tuple) else (stride, stride)
    one = conv2d(case.image, case.kernel, **dict(case.kwargs, stride=1))
    assert_array_equal(conv2d(case.image, case.kernel, **case.kwargs), one[::sr, ::sc])


@FAST
@given(conv_cases(integers=False))
def test_output_shape_follows_the_formula(case):
    kw = case.kwargs
    out = conv2d(case.image, case.kernel, **kw)
    kh, kwid = case.kernel.shape[:2]
    pads = pad_amounts(kw["padding"], (kh, kwid), kw["dilation"])
    (sr, sc) = kw["stride"] if isinstance(kw["stride"], tuple) else (kw["stride"],) * 2
    (dr, dc) = kw["dilation"] if isinstance(kw["dilation"], tuple) else (kw["dilation"],) * 2
    h, w = case.image.shape[:2]
    expected = ((h + sum(pads[0]) - span(kh, dr)) // sr + 1, (w + sum(pads[1]) - span(kwid, dc)) // sc + 1)
    assert out.shape == expected
    assert output_shape(case.image.shape, case.kernel.shape, stride=kw["stride"], padding=kw["padding"],
                        dilation=kw["dilation"]) == expected


@FAST
@given(filter_banks())
def test_each_feature_map_equals_conv2d_exactly(bank):
    image, kernels, kwargs = bank
    maps = feature_maps(image, kernels, **kwargs)
    assert maps.shape[-1] == len(kernels)
    for n, kernel in enumerate(kernels):
        assert_array_equal(maps[:, :, n], conv2d(image, kernel, **kwargs))


def test_feature_maps_stack_named_kernels_in_order():
    maps = feature_maps(SEED_IMAGE, [VERTICAL_EDGE, HORIZONTAL_EDGE, SOBEL_X])
    assert maps.shape == (3, 3, 3)
    assert_array_equal(maps[:, :, 0], SEED_OUTPUT)
    assert_array_equal(maps[:, :, 2], seed_loop(SEED_IMAGE, SOBEL_X))


@pytest.mark.parametrize("mode", PADDING_MODES)
def test_every_padding_mode_keeps_the_size_with_same_padding(mode):
    image = np.arange(20.0).reshape(4, 5)
    assert conv2d(image, np.ones((3, 3)), padding="same", padding_mode=mode).shape == (4, 5)


def test_inputs_are_not_modified():
    image = SEED_IMAGE.copy()
    kernel = SEED_KERNEL.copy()
    conv2d(image, kernel, padding=2, padding_mode="reflect", flip=True)
    assert_array_equal(image, SEED_IMAGE)
    assert_array_equal(kernel, SEED_KERNEL)


# -------------------------------------------------------------------------------- output sizes

@pytest.mark.parametrize("n, k, kwargs, expected", [
    (5, 3, {}, 3),                                   # the seed: 5 - 3 + 1
    (5, 3, {"padding": 1}, 5),                       # padding 1 keeps a 3x3 filter's input size
    (5, 3, {"stride": 2}, 2),                        # (5 - 3)/2 + 1
    (6, 3, {"stride": 2}, 2),                        # floor: (6 - 3)/2 = 1.5 -> 1, the last row is left out
    (7, 3, {"dilation": 2}, 3),                      # the dilated 3x3 spans 5 pixels
    (7, 3, {"stride": 2, "padding": 1, "dilation": 2}, 3),  # the docstring's worked formula
    (7, 4, {"padding": "same"}, 7),                  # "same" with an even kernel
    (5, 3, {"padding": "full"}, 7),                  # "full": n + k - 1
    (5, 3, {"padding": "valid"}, 3),                 # "valid": no padding
    (1, 1, {}, 1),                                   # smallest case
])
def test_output_size_table(n, k, kwargs, expected):
    assert output_size(n, k, **kwargs) == expected


@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 5), p=st.integers(0, 4),
       d=st.integers(1, 3))
@FAST
def test_output_size_is_the_lessons_formula_and_the_actual_length(n, k, s, p, d):
    if span(k, d) > n + 2 * p:
        with pytest.raises(ValueError, match="larger than the padded input"):
            output_size(n, k, stride=s, padding=p, dilation=d)
        return
    expected = size_formula(n, k, s, p, d)
    assert output_size(n, k, stride=s, padding=p, dilation=d) == expected
    out = conv2d(np.ones((n, 1)), np.ones((k, 1)), stride=(s, 1), padding=(p, 0), dilation=(d, 1))
    assert out.shape[0] == expected


@pytest.mark.parametrize("image_shape, kernel_shape, kwargs, expected", [
    ((5, 5), (3, 3), {}, (3, 3)),                                 # the seed
    ((32, 32, 3), (5, 5, 3), {"stride": 2, "padding": 2}, (16, 16)),  # an RGB CNN layer
    ((6, 9), (3, 2), {"stride": (1, 3)}, (4, 3)),                 # different numbers per axis
    ((6, 9), (2, 4), {"padding": "same"}, (6, 9)),                # "same", even kernels
    ((4, 4), (3, 3), {"padding": (0, 2), "dilation": (1, 2)}, (2, 4)),  # pairs everywhere
])
def test_output_shape_table(image_shape, kernel_shape, kwargs, expected):
    assert output_shape(image_shape, kernel_shape, **kwargs) == expected
    assert conv2d(np.ones(image_shape), np.ones(kernel_shape), **kwargs).shape == expected


@pytest.mark.parametrize("n, k, kwargs, text", [
    (5, 3, {}, "⌊(5 + 2·0 − 3)/1⌋ + 1 = 3"),                         # the seed
    (5, 3, {"stride": 2, "padding": 1}, "⌊(5 + 2·1 − 3)/2⌋ + 1 = 3"),  # stride and padding shown
    (7, 3, {"stride": 2, "padding": 1, "dilation": 2}, "⌊(7 + 2·1 − 2·(3−1) − 1)/2⌋ + 1 = 3"),  # dilation term
    (6, 4, {"padding": "same"}, "⌊(6 + 1 + 2 − 4)/1⌋ + 1 = 6"),   # uneven "same" padding written out
])
def test_output_size_formula_text(n, k, kwargs, text):
    assert output_size_formula(n, k, **kwargs) == text


@pytest.mark.parametrize("n, k, kwargs, expected", [
    (6, 3, {"stride": 2}, [5]),          # windows at 0 and 2: row 5 never seen
    (5, 3, {"stride": 2}, []),           # stride divides 5 - 3: every row seen
    (7, 2, {"stride": 3}, [2, 5, 6]),    # gaps between windows and at the end
    (9, 3, {"stride": 3, "padding": 1}, [8]),  # the unseen padding cell is not reported, only image rows
    (5, 3, {}, []),                      # stride 1 sees everything
    (5, 2, {"dilation": 3}, [2]),        # dilation: row 2 falls between every window's taps
    (7, 2, {"dilation": 2, "stride": 2}, [1, 3, 5]),  # taps at 0,2 / 2,4 / 4,6: odd rows are never read
])
def test_unvisited_lists_rows_no_window_covers(n, k, kwargs, expected):
    assert unvisited(n, k, **kwargs) == expected


@FAST
@given(n=st.integers(1, 30), k=st.integers(1, 5), s=st.integers(1, 5), p=st.integers(0, 3), d=st.integers(1, 3))
def test_unvisited_are_exactly_rows_with_no_effect_on_the_output(n, k, s, p, d):
    if span(k, d) > n + 2 * p:
        return
    gone = unvisited(n, k, stride=s, padding=p, dilation=d)
    kwargs = dict(stride=(s, 1), padding=(p, 0), dilation=(d, 1))
    base = np.zeros((n, 1))
    out0 = conv2d(base, np.ones((k, 1)), **kwargs)
    for row in range(n):
        poked = base.copy()
        poked[row] = 1.0
        changed = not np.array_equal(conv2d(poked, np.ones((k, 1)), **kwargs), out0)
        assert changed == (row not in gone)


# ------------------------------------------------------ OPTIONAL: cross-check with PyTorch, if present
# torch is never a dependency of convlab or of its test suite; this test is skipped where it is missing
# (as in CI). It checks the names we borrowed (padding_mode, "same") mean what PyTorch means.

TORCH_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


@FAST
@given(conv_cases(integers=False, flip=(False,)))
def test_optional_matches_torch_conv2d_in_float64(case):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    kw = case.kwargs
    image = case.image if case.image.ndim == 3 else case.image[..., None]
    kernel = case.kernel if case.kernel.ndim == 3 else case.kernel[..., None]
    x = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))[None]    # NHWC -> NCHW
    w = torch.from_numpy(np.ascontiguousarray(kernel.transpose(2, 0, 1)))[None]   # (kh,kw,C) -> (1,C,kh,kw)
    (top, bottom), (left, right) = pad_amounts(kw["padding"], case.kernel.shape[:2], kw["dilation"])
    if any((top, bottom, left, right)):
        # F.pad's reflect/replicate/circular want a batched 4-D input; the order is (left, right, top, bottom)
        x = F.pad(x, (left, right, top, bottom), mode=TORCH_MODE[kw["padding_mode"]])
    expected = F.conv2d(x, w, stride=kw["stride"], dilation=kw["dilation"])[0, 0].numpy()
    assert_allclose(conv2d(case.image, case.kernel, **kw), expected, rtol=1e-12, atol=1e-11)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_optional_same_padding_matches_torch(k):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(k)
    image, kernel = rng.normal(size=(7, 6)), rng.normal(size=(k, k))
    expected = torch.nn.functional.conv2d(torch.from_numpy(image)[None, None], torch.from_numpy(kernel)[None, None],
                                          padding="same")[0, 0].numpy()
    assert_allclose(conv2d(image, kernel, padding="same"), expected, rtol=1e-12, atol=1e-12)
