"""iter_steps / WindowStep: the step-by-step walk agrees with conv2d and with the padded input.

``value`` is read from the same engine as conv2d, so it must be *equal*; ``products.sum()`` adds the
same numbers in another order, so it is equal up to rounding (exactly for whole numbers).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from numpy.testing import assert_allclose, assert_array_equal

from convlab import conv2d
from convlab.images import SEED_IMAGE, SEED_KERNEL
from convlab.core.steps import WindowStep, format_number, iter_steps
from strategies import FAST, THOROUGH, conv_cases, pad_amounts, pad_image, pair, span


def _steps(case):
    return list(iter_steps(case.image, case.kernel, **case.kwargs))


# ---------------------------------------------------------------------------------- properties

@THOROUGH
@given(conv_cases(integers=False))
def test_every_step_value_equals_conv2d_exactly(case):
    expected = conv2d(case.image, case.kernel, **case.kwargs)
    steps = _steps(case)
    assert len(steps) == expected.size
    got = np.empty_like(expected)
    for s in steps:
        got[s.out_row, s.out_col] = s.value
    assert_array_equal(got, expected)
    assert all(type(s.value) is float for s in steps)


@FAST
@given(conv_cases(integers=False))
def test_steps_visit_windows_in_row_major_order(case):
    steps = _steps(case)
    oh, ow = conv2d(case.image, case.kernel, **case.kwargs).shape
    sr, sc = pair(case.kwargs["stride"])
    assert [s.index for s in steps] == list(range(oh * ow))
    assert [(s.out_row, s.out_col) for s in steps] == [(r, c) for r in range(oh) for c in range(ow)]
    assert [(s.top, s.left) for s in steps] == [(r * sr, c * sc) for r in range(oh) for c in range(ow)]


@THOROUGH
@given(conv_cases(integers=False))
def test_window_is_the_oracle_slice_of_the_padded_input(case):
    kw = case.kwargs
    kernel = case.kernel[::-1, ::-1] if kw["flip"] else case.kernel
    kh, kwid = kernel.shape[:2]
    dr, dc = pair(kw["dilation"])
    padded = pad_image(case.image, pad_amounts(kw["padding"], (kh, kwid), kw["dilation"]), kw["padding_mode"])
    for s in _steps(case):
        oracle = padded[s.top:s.top + span(kh, dr):dr, s.left:s.left + span(kwid, dc):dc]
        assert s.window.shape == kernel.shape
        assert_array_equal(s.window, oracle)
        assert_array_equal(s.products, oracle * kernel)
        assert_array_equal(s.kernel, kernel)  # already rotated when flip=True
        assert_array_equal(s.rows, s.top + dr * np.arange(kh))
        assert_array_equal(s.cols, s.left + dc * np.arange(kwid))


@FAST
@given(conv_cases(integers=True))
def test_products_sum_to_value_exactly_for_whole_numbers(case):
    for s in _steps(case):
        assert s.products.sum() == s.value


@FAST
@given(conv_cases(integers=False))
def test_products_sum_to_value_up_to_rounding_for_floats(case):
    for s in _steps(case):
        assert_allclose(s.products.sum(), s.value, rtol=1e-12, atol=1e-11)


@FAST
@given(conv_cases(integers=True, channels=(2, 3)))
def test_channel_sums_add_up_to_value(case):
    for s in _steps(case):
        assert s.channel_sums.shape == (case.image.shape[2],)
        assert s.channel_sums.sum() == s.value


# ----------------------------------------------------------------------------- the seed, by hand

def test_seed_walk_has_nine_steps_that_rebuild_the_feature_map():
    steps = list(iter_steps(SEED_IMAGE, SEED_KERNEL))
    assert len(steps) == 9
    values = np.array([s.value for s in steps]).reshape(3, 3)
    assert_array_equal(values, [[-4, 2, 4], [0, 0, 0], [0, 0, 0]])


def test_seed_first_window_arithmetic_text():
    first = next(iter_steps(SEED_IMAGE, SEED_KERNEL))
    assert first.arithmetic() == "1×1 + 2×0 + 3×(−1) + 0×1 + 1×0 + 2×(−1) + 1×1 + 2×0 + 1×(−1) = −4"


@pytest.mark.parametrize("max_terms, text", [
    (4, "1×1 + 2×0 + 3×(−1) + … + 1×(−1) = −4"),   # long sums keep the first terms and the last
    (9, "1×1 + 2×0 + 3×(−1) + 0×1 + 1×0 + 2×(−1) + 1×1 + 2×0 + 1×(−1) = −4"),  # all fit: nothing elided
    (1, "1×1 + … + 1×(−1) = −4"),                   # even a tiny limit keeps one term at each end
])
def test_arithmetic_elides_the_middle_of_long_sums(max_terms, text):
    first = next(iter_steps(SEED_IMAGE, SEED_KERNEL))
    assert first.arithmetic(max_terms=max_terms) == text


def test_step_shows_the_lessons_five_steps_for_the_second_window():
    s = list(iter_steps(SEED_IMAGE, SEED_KERNEL))[1]
    assert (s.index, s.out_row, s.out_col, s.top, s.left) == (1, 0, 1, 0, 1)       # place, collect
    assert_array_equal(s.window, SEED_IMAGE[0:3, 1:4])                            # what the filter sees
    assert_array_equal(s.products, SEED_IMAGE[0:3, 1:4] * SEED_KERNEL)            # multiply
    assert s.value == 2.0                                                          # sum


def test_rgb_arithmetic_shows_channel_sums_that_add_to_value():
    image = np.zeros((3, 3, 3))
    image[..., 0], image[..., 1], image[..., 2] = 1.0, 2.0, 3.0
    kernel = np.zeros((2, 2, 3))
    kernel[0, 0] = [1.0, -1.0, 2.0]
    s = next(iter_steps(image, kernel))
    assert_array_equal(s.channel_sums, [1.0, -2.0, 6.0])
    assert s.value == 5.0
    lines = s.arithmetic().splitlines()
    assert lines[0] == "R: 1×1 + 1×0 + 1×0 + 1×0 = 1"
    assert lines[1] == "G: 2×(−1) + 2×0 + 2×0 + 2×0 = −2"
    assert lines[2] == "B: 3×2 + 3×0 + 3×0 + 3×0 = 6"
    assert lines[3] == "total: 1 + (−2) + 6 = 5"


def test_arithmetic_uses_given_channel_names():
    s = next(iter_steps(np.ones((2, 2, 2)), np.ones((1, 1, 2))))
    assert s.arithmetic(channel_names=["left", "right"]).splitlines() == [
        "left: 1×1 = 1", "right: 1×1 = 1", "total: 1 + 1 = 2"]


def test_products_show_plain_zeros_not_negative_zeros():
    s = next(iter_steps(SEED_IMAGE, SEED_KERNEL))  # 0 x (-1) happens at (1, 0)... and 0 x 1 elsewhere
    assert not np.signbit(s.products[s.products == 0]).any()
    assert "−0" not in s.arithmetic()


def test_step_arrays_are_read_only():
    s = next(iter_steps(SEED_IMAGE, SEED_KERNEL))
    for arr in (s.window, s.products, s.kernel):
        with pytest.raises(ValueError):
            arr[0, 0] = 99.0


def test_steps_do_not_change_the_callers_image():
    image = SEED_IMAGE.copy()
    for s in iter_steps(image, SEED_KERNEL):
        pass
    image[0, 0] = 42.0  # the caller's array stays writable
    assert image[0, 0] == 42.0


def test_window_step_is_a_frozen_record():
    s = next(iter_steps(SEED_IMAGE, SEED_KERNEL))
    assert isinstance(s, WindowStep)
    with pytest.raises(AttributeError):
        s.value = 0.0


def test_iter_steps_validates_when_called_not_at_first_next():
    with pytest.raises(ValueError, match="stride"):
        iter_steps(SEED_IMAGE, SEED_KERNEL, stride=0)  # no next(): the call itself raises
    with pytest.raises(ValueError, match="larger than the padded input"):
        iter_steps(np.ones((2, 2)), np.ones((3, 3)))


def test_iter_steps_is_lazy_and_returns_an_iterator():
    steps = iter_steps(np.ones((64, 64)), np.ones((3, 3)))
    assert iter(steps) is steps
    assert next(steps).index == 0


# ---------------------------------------------------------------------------------- formatting

@pytest.mark.parametrize("x, text", [
    (-4.0, "−4"),          # whole numbers lose ".0"; the minus is the Unicode sign
    (0.0, "0"),
    (-0.0, "0"),           # never "−0"
    (2.5, "2.5"),
    (1 / 3, "0.333"),      # three significant figures below 1
    (1 / 49, "0.0204"),    # a 7x7 box-blur weight keeps its leading digits, not "0.02"
    (1234.56789, "1234.568"),  # large fractions keep three decimals, never "1.23e+03"
    (-0.125, "−0.125"),
    (255, "255"),
    (1e-5, "1e−05"),       # tiny values switch to scientific notation instead of rounding to 0
])
def test_format_number_table(x, text):
    assert format_number(x) == text


# ---------------------------------------------------------------- issue 13: inputs copied, overflow explained

@pytest.mark.parametrize("padding", [0, 1])  # without padding the plan could hold the caller's own array
def test_mutating_the_callers_arrays_after_iter_steps_keeps_window_and_value_in_step(padding):
    image, kernel = SEED_IMAGE.copy(), SEED_KERNEL.copy()
    steps = iter_steps(image, kernel, padding=padding)  # the walk is lazy: nothing read yet
    image[:] = 99.0
    kernel[:] = 7.0
    expected = conv2d(SEED_IMAGE, SEED_KERNEL, padding=padding)
    for s in steps:
        assert s.value == expected[s.out_row, s.out_col]
        assert s.products.sum() == s.value  # whole numbers: exact
        assert 99.0 not in s.window and 7.0 not in s.kernel


@pytest.mark.parametrize("image, kernel", [
    (np.full((3, 3), 1e308), np.full((3, 3), 10.0)),  # each product overflows
    (np.full((3, 3), 1e308), np.full((3, 3), 0.5)),   # products fit, their sum does not
    (np.full((3, 3), -1e308), np.full((3, 3), 1.0)),  # towards minus infinity
])
def test_overflow_to_infinity_is_a_clear_value_error_on_the_call(image, kernel):
    with pytest.raises(ValueError, match="overflow.*image.*kernel"):
        conv2d(image, kernel)
    with pytest.raises(ValueError, match="overflow.*image.*kernel"):
        iter_steps(image, kernel)  # raised on the call, so .arithmetic() never meets an infinity


@pytest.mark.parametrize("x, text", [
    (float("inf"), "∞"),     # never an OverflowError from int(inf)
    (float("-inf"), "−∞"),
    (float("nan"), "nan"),
])
def test_format_number_writes_infinities_instead_of_crashing(x, text):
    assert format_number(x) == text
