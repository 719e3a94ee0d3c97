"""Named kernels, kernel families and the lesson's images."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from convlab import images, kernels
from convlab import conv2d
from convlab.images import SEED_IMAGE, SEED_KERNEL, downscale, sample_photo, to_grayscale
from convlab.kernels import FAMILIES, NAMED_KERNELS, make_kernel
from strategies import FAST

SIZES = range(1, 8)


# ---------------------------------------------------------------------------------- named kernels

@pytest.mark.parametrize("name", sorted(NAMED_KERNELS))
def test_every_named_kernel_is_a_read_only_3x3_float_array(name):
    k = NAMED_KERNELS[name]
    assert k.shape == (3, 3) and k.dtype == np.float64
    with pytest.raises(ValueError):
        k[1, 1] = 0.0  # a lesson cannot change a shared constant by accident
    assert k.copy().flags.writeable  # ... but a copy is free to edit


@pytest.mark.parametrize("name, total", [
    ("identity", 1), ("box blur", 1), ("gaussian blur", 1),   # blurs keep the average brightness
    ("sharpen", 1),                                           # sharpen keeps flat areas unchanged
    ("sobel x", 0), ("sobel y", 0), ("prewitt x", 0), ("prewitt y", 0),  # edge detectors ignore flat areas
    ("laplacian", 0), ("outline", 0),                         # so do second-derivative filters
    ("emboss", 1),                                            # emboss keeps a flat area's value
    ("vertical edge", 0), ("horizontal edge", 0),             # the seed's filter and its transpose
])
def test_named_kernel_sums(name, total):
    assert NAMED_KERNELS[name].sum() == pytest.approx(total)


def test_named_constants_are_the_dictionary_entries():
    for name, const in [("SOBEL_X", "sobel x"), ("VERTICAL_EDGE", "vertical edge"), ("IDENTITY", "identity")]:
        assert getattr(kernels, name) is NAMED_KERNELS[const]


def test_seed_kernel_is_the_lessons_filter():
    assert_array_equal(SEED_KERNEL, [[1, 0, -1], [1, 0, -1], [1, 0, -1]])
    assert_array_equal(kernels.HORIZONTAL_EDGE, SEED_KERNEL.T)


@pytest.mark.parametrize("name", sorted(NAMED_KERNELS))
def test_named_kernel_on_a_flat_image_gives_its_sum_everywhere(name):
    out = conv2d(np.full((6, 6), 2.0), NAMED_KERNELS[name])
    assert_allclose(out, 2.0 * NAMED_KERNELS[name].sum(), atol=1e-12)


# ---------------------------------------------------------------------------------- the families

@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("size", SIZES)
def test_every_family_has_the_requested_square_shape(family, size):
    k = make_kernel(family, size)
    assert k.shape == (size, size) and k.dtype == np.float64
    assert not np.signbit(k[k == 0]).any()  # no "−0" cells in the filter view


@pytest.mark.parametrize("family", ["box blur", "gaussian blur", "identity"])
@pytest.mark.parametrize("size", SIZES)
def test_blurs_and_identity_sum_to_one(family, size):
    k = make_kernel(family, size)
    assert k.sum() == pytest.approx(1.0)
    assert (k >= 0).all()


@pytest.mark.parametrize("size", SIZES)
def test_edge_families_sum_to_zero_and_are_antisymmetric(size):
    v = make_kernel("vertical edge", size)
    h = make_kernel("horizontal edge", size)
    assert v.sum() == 0 and h.sum() == 0
    assert_array_equal(v[:, ::-1], -v)   # mirror left-right flips the sign
    assert_array_equal(h[::-1, :], -h)   # mirror top-bottom flips the sign
    assert_array_equal(h, v.T)
    if size > 1:
        assert v[0, 0] == 1 and v[0, -1] == -1  # bright-left/dark-right gives a positive value, as in the seed


@pytest.mark.parametrize("family, size, named", [
    ("vertical edge", 3, "vertical edge"),     # the families grow the named 3x3 kernels
    ("horizontal edge", 3, "horizontal edge"),
    ("box blur", 3, "box blur"),
    ("gaussian blur", 3, "gaussian blur"),
    ("identity", 3, "identity"),
])
def test_family_at_size_three_is_the_named_kernel(family, size, named):
    assert_allclose(make_kernel(family, size), NAMED_KERNELS[named])


@pytest.mark.parametrize("size", SIZES)
def test_gaussian_family_is_symmetric_and_peaks_in_the_centre(size):
    k = make_kernel("gaussian blur", size)
    assert_allclose(k, k.T)
    assert_allclose(k, k[::-1, ::-1])
    assert k.max() == k[(size - 1) // 2, (size - 1) // 2]


@pytest.mark.parametrize("size", SIZES)
def test_identity_family_leaves_the_image_unchanged_with_same_padding(size):
    image = np.arange(49.0).reshape(7, 7)
    if size % 2:  # odd sizes have a true centre
        assert_array_equal(conv2d(image, make_kernel("identity", size), padding="same"), image)


@FAST
@given(size=st.integers(1, 7), seed=st.integers(0, 2**32))
def test_random_family_is_reproducible_by_seed_and_made_of_small_whole_numbers(size, seed):
    a = make_kernel("random", size, seed=seed)
    assert_array_equal(a, make_kernel("random", size, seed=seed))
    assert set(np.unique(a)) <= {-2.0, -1.0, 0.0, 1.0, 2.0}


def test_random_family_differs_between_seeds():
    assert not np.array_equal(make_kernel("random", 5, seed=0), make_kernel("random", 5, seed=1))


def test_families_return_fresh_writable_arrays():
    k = make_kernel("identity", 3)
    k[0, 0] = 5.0
    assert make_kernel("identity", 3)[0, 0] == 0.0


# ------------------------------------------------------------------------------------- the images

def test_seed_image_is_the_lessons_grid_and_read_only():
    assert_array_equal(SEED_IMAGE, [[1, 2, 3, 0, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [2, 1, 0, 1, 2],
                                    [0, 1, 2, 3, 1]])
    with pytest.raises(ValueError):
        SEED_IMAGE[0, 0] = 9.0


@pytest.mark.parametrize("make, shape", [
    (lambda: images.stripes(), (8, 8)),
    (lambda: images.stripes(6, 3, vertical=False), (6, 6)),
    (lambda: images.checkerboard(), (8, 8)),
    (lambda: images.checkerboard(9, 3), (9, 9)),
    (lambda: images.cross(), (7, 7)),
    (lambda: images.cross(9, 3), (9, 9)),
    (lambda: images.digit(8), (9, 7)),
    (lambda: images.digit(0, border=0), (7, 5)),
])
def test_patterns_are_binary_float_grids_of_the_right_shape(make, shape):
    img = make()
    assert img.shape == shape and img.dtype == np.float64
    assert set(np.unique(img)) <= {0.0, 1.0}


def test_vertical_stripes_are_found_by_the_vertical_edge_filter_only():
    img = images.stripes(8, 2)
    assert np.abs(conv2d(img, kernels.VERTICAL_EDGE)).max() > 0
    assert_array_equal(conv2d(img, kernels.HORIZONTAL_EDGE), np.zeros((6, 6)))
    assert_array_equal(images.stripes(8, 2, vertical=False), img.T)


def test_checkerboard_alternates_in_both_directions():
    board = images.checkerboard(6, 1)
    assert_array_equal(board[:, 1:], 1 - board[:, :-1])
    assert_array_equal(board[1:], 1 - board[:-1])


def test_cross_is_symmetric():
    c = images.cross(9, 3)
    assert_array_equal(c, c.T)
    assert_array_equal(c, c[::-1])
    assert c[4].all() and c[:, 4].all() and c[0, 0] == 0


@pytest.mark.parametrize("n", range(10))
def test_every_digit_is_a_distinct_7x5_glyph(n):
    glyph = images.digit(n, border=0)
    assert glyph.shape == (7, 5) and glyph.sum() > 0
    others = [images.digit(m, border=0) for m in range(10) if m != n]
    assert not any(np.array_equal(glyph, o) for o in others)


def test_digit_border_is_empty():
    d = images.digit(4, border=2)
    assert d.shape == (11, 9)
    assert d[:2].sum() == d[-2:].sum() == d[:, :2].sum() == d[:, -2:].sum() == 0


# ------------------------------------------------------------------------------------ the photo

@pytest.mark.parametrize("size, rgb, shape", [
    (64, False, (64, 55)),           # the longer side (600 rows) is scaled to 64; aspect 512/600 kept
    (64, True, (64, 55, 3)),         # colour: channels last, as matplotlib shows it
    ((32, 32), False, (32, 32)),     # an explicit (rows, cols)
    ((20, 40), True, (20, 40, 3)),
    (10, False, (10, 9)),
    (10_000, False, (600, 512)),     # never enlarged past the original
])
def test_sample_photo_loads_offline_at_the_requested_size(size, rgb, shape):
    photo = sample_photo(size, rgb=rgb)
    assert photo.shape == shape and photo.dtype == np.float64
    assert photo.min() >= 0 and photo.max() <= 255
    assert_array_equal(photo, np.round(photo))  # whole-number pixel values
    assert photo.std() > 10  # a real picture, not a blank


def test_sample_photo_reads_matplotlibs_bundled_file_without_network(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("sample_photo must not use the network")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert sample_photo(16).shape == (16, 14)


def test_grayscale_photo_is_the_luminance_of_the_rgb_one():
    rgb = sample_photo((24, 20), rgb=True)
    gray = sample_photo((24, 20))
    # both are rounded after averaging, so they agree to within one grey level
    assert np.abs(to_grayscale(rgb) - gray).max() <= 1.0


@pytest.mark.parametrize("pixel, luminance", [
    ([255, 255, 255], 255.0),   # white stays white
    ([0, 0, 0], 0.0),           # black stays black
    ([255, 0, 0], 76.245),      # red weighs 0.299
    ([0, 255, 0], 149.685),     # green 0.587: the eye is most sensitive to it
    ([0, 0, 255], 29.07),       # blue 0.114
])
def test_to_grayscale_uses_bt601_weights(pixel, luminance):
    assert to_grayscale([[pixel]])[0, 0] == pytest.approx(luminance)


@FAST
@given(rows=st.integers(1, 4), cols=st.integers(1, 4), br=st.integers(1, 4), bc=st.integers(1, 4),
       channels=st.sampled_from([None, 3]), seed=st.integers(0, 1000))
def test_downscale_averages_blocks_like_reshape_mean(rows, cols, br, bc, channels, seed):
    shape = (rows * br, cols * bc) + (() if channels is None else (channels,))
    img = np.random.default_rng(seed).integers(0, 256, size=shape).astype(float)
    oracle = img.reshape((rows, br, cols, bc) + img.shape[2:]).mean(axis=(1, 3))
    assert_allclose(downscale(img, (rows, cols)), oracle, rtol=1e-12)


@pytest.mark.parametrize("shape, size, expected", [
    ((4, 4), 2, (2, 2)),         # one number is the longer side
    ((6, 3), 2, (2, 1)),         # aspect ratio kept
    ((5, 7), (5, 7), (5, 7)),    # same size: unchanged
    ((3, 3), 10, (3, 3)),        # never enlarged
    ((9, 1), 3, (3, 1)),         # a side never drops to zero
])
def test_downscale_output_shapes(shape, size, expected):
    img = np.arange(np.prod(shape), dtype=float).reshape(shape)
    out = downscale(img, size)
    assert out.shape == expected
    assert img.min() <= out.min() and out.max() <= img.max()  # averages stay within the input's range


def test_downscale_to_the_same_size_is_the_identity():
    img = np.arange(35.0).reshape(5, 7)
    assert_array_equal(downscale(img, (5, 7)), img)
