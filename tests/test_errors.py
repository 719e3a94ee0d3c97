"""The error table: every bad argument gets a TypeError/ValueError that names the parameter and shows the
value received (and, where it helps, what would fit) — raised before any arithmetic is done.

Each row says *why* it is there. The same table runs through conv2d, iter_steps (which must raise on the
call, not at the first ``next()``) and feature_maps (with the kernel wrapped into a stack).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from convlab import images
from convlab import conv2d, feature_maps, output_shape, output_size, output_size_formula, unvisited
from convlab.kernels import make_kernel
from convlab.core.steps import iter_steps
from strategies import FAST

IMG = np.arange(25.0).reshape(5, 5)
RGB = np.ones((5, 5, 3))
K3 = np.ones((3, 3))
K3RGB = np.ones((3, 3, 3))

E = re.escape  # messages quote values with repr(): escape the brackets and dots

# (image, kernel, keyword arguments, exception, message pattern)
ARGUMENT_TABLE = [
    # ---- stride: positive int or (rows, cols) pair of them
    pytest.param(IMG, K3, {"stride": 0}, ValueError, r"stride must be a positive integer.*got 0$", id="stride zero"),
    pytest.param(IMG, K3, {"stride": -2}, ValueError, r"stride .*got -2$", id="stride negative"),
    pytest.param(IMG, K3, {"stride": 1.5}, TypeError, r"stride .*got 1\.5$", id="stride fractional"),
    pytest.param(IMG, K3, {"stride": 2.0}, TypeError, r"stride .*got 2\.0$", id="stride whole float is still a float"),
    pytest.param(IMG, K3, {"stride": True}, TypeError, r"stride .*got True$", id="stride bool is not a number here"),
    pytest.param(IMG, K3, {"stride": "2"}, TypeError, r"stride .*got '2'$", id="stride string"),
    pytest.param(IMG, K3, {"stride": None}, TypeError, r"stride .*got None$", id="stride None"),
    pytest.param(IMG, K3, {"stride": (1, 2, 3)}, ValueError, r"stride .*got \(1, 2, 3\) with 3 entries", id="stride three entries"),
    pytest.param(IMG, K3, {"stride": (1,)}, ValueError, r"stride .*got \(1,\) with 1 entries", id="stride one entry"),
    pytest.param(IMG, K3, {"stride": (1, 0)}, ValueError, r"stride .*got \(1, 0\)$", id="stride pair with a zero"),
    pytest.param(IMG, K3, {"stride": (1, 0.5)}, TypeError, r"stride .*got \(1, 0\.5\)$", id="stride pair with a fraction"),
    # ---- dilation: same rules as stride
    pytest.param(IMG, K3, {"dilation": 0}, ValueError, r"dilation must be a positive integer.*got 0$", id="dilation zero"),
    pytest.param(IMG, K3, {"dilation": 1.5}, TypeError, r"dilation .*got 1\.5$", id="dilation fractional"),
    pytest.param(IMG, K3, {"dilation": False}, TypeError, r"dilation .*got False$", id="dilation bool"),
    pytest.param(IMG, K3, {"dilation": "1"}, TypeError, r"dilation .*got '1'$", id="dilation string"),
    pytest.param(IMG, K3, {"dilation": [1, 1, 1]}, ValueError, r"dilation .*got \[1, 1, 1\] with 3 entries", id="dilation three entries"),
    # ---- padding: non-negative int, pair, or a name
    pytest.param(IMG, K3, {"padding": -1}, ValueError, r"padding must be a non-negative integer.*got -1$", id="padding negative"),
    pytest.param(IMG, K3, {"padding": 0.5}, TypeError, r"padding .*got 0\.5$", id="padding fractional"),
    pytest.param(IMG, K3, {"padding": True}, TypeError, r"padding .*got True$", id="padding bool"),
    pytest.param(IMG, K3, {"padding": None}, TypeError, r"padding .*got None$", id="padding None"),
    pytest.param(IMG, K3, {"padding": (1, 1, 1)}, ValueError, r"padding .*got \(1, 1, 1\) with 3 entries", id="padding three entries"),
    pytest.param(IMG, K3, {"padding": (1, -1)}, ValueError, r"padding .*got \(1, -1\)$", id="padding pair with a negative"),
    pytest.param(IMG, K3, {"padding": "Same"}, ValueError, r'padding .*"valid", "same" or "full"; got \'Same\'$', id="padding name is case-sensitive"),
    pytest.param(IMG, K3, {"padding": "half"}, ValueError, r"padding .*got 'half'$", id="padding unknown name"),
    pytest.param(IMG, K3, {"padding": "same", "stride": 2}, ValueError, r'padding="same" .*needs stride 1; got stride=\(2, 2\)', id="same with stride 2"),
    pytest.param(IMG, K3, {"padding": "same", "stride": (1, 3)}, ValueError, r'padding="same" .*got stride=\(1, 3\)', id="same with one stride above 1"),
    # ---- padding_mode and flip
    pytest.param(IMG, K3, {"padding_mode": "mirror"}, ValueError, r"padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular'; got 'mirror'", id="padding_mode unknown"),
    pytest.param(IMG, K3, {"padding_mode": "constant"}, ValueError, r"padding_mode .*got 'constant'", id="padding_mode numpy name is not accepted"),
    pytest.param(IMG, K3, {"padding_mode": None}, TypeError, r"padding_mode .*got None", id="padding_mode None"),
    pytest.param(IMG, K3, {"flip": 1}, TypeError, r"flip must be True .* or False .*; got 1$", id="flip int"),
    pytest.param(IMG, K3, {"flip": "yes"}, TypeError, r"flip .*got 'yes'$", id="flip string"),
    pytest.param(np.ones((2, 5)), K3, {"padding": 2, "padding_mode": "reflect"}, ValueError,
                 r'padding_mode="reflect" needs padding smaller than the image: 2 rows of padding on an image with 2 rows; use at most 1',
                 id="reflect padding as large as the image"),
    pytest.param(np.ones((5, 2)), K3, {"padding": 3, "padding_mode": "circular"}, ValueError,
                 r'padding_mode="circular" .*3 rows of padding on an image with 5 rows|padding_mode="circular" .*3 columns of padding on an image with 2 columns; use at most 2',
                 id="circular padding larger than the image"),
    pytest.param(np.ones((2, 2)), K3, {"padding": "full", "padding_mode": "reflect"}, ValueError,
                 r'padding_mode="reflect" .*2 rows of padding on an image with 2 rows', id="reflect with full padding"),
    # ---- the kernel must fit the padded input
    pytest.param(np.ones((2, 2)), K3, {}, ValueError,
                 E("kernel (3x3) is larger than the padded input (2x2); add padding of at least 1 or use a smaller kernel"),
                 id="kernel larger than image"),
    pytest.param(IMG, K3, {"dilation": 3}, ValueError,
                 E("kernel (3x3, dilation 3x3, spanning 7x7) is larger than the padded input (5x5); add padding of at least 1"),
                 id="kernel too large only after dilation"),
    pytest.param(np.ones((2, 2)), np.ones((5, 5)), {"padding": "valid"}, ValueError,
                 E("kernel (5x5) is larger than the padded input (2x2); add padding of at least 2"), id="valid padding, kernel too large"),
    pytest.param(np.ones((2, 6)), np.ones((5, 3)), {}, ValueError,
                 E("add padding of at least 2 (or the pair (2, 0))"), id="too tall but not too wide: per-axis advice"),
    pytest.param(np.ones((2, 2)), K3, {"padding": (0, 5)}, ValueError,
                 E("larger than the padded input (2x12); add padding of at least 1 "), id="padding on the wrong axis"),
    # ---- image: a 2-D or 3-D grid of finite real numbers
    pytest.param([], K3, {}, ValueError, r"image must be \(H, W\) grayscale .*got a 1-D array of shape \(0,\)", id="image empty list"),
    pytest.param(np.zeros((0, 3)), K3, {}, ValueError, r"image is empty.*got shape \(0, 3\)", id="image with no rows"),
    pytest.param(np.zeros((3, 3, 0)), K3, {}, ValueError, r"image is empty.*got shape \(3, 3, 0\)", id="image with no channels"),
    pytest.param([1, 2, 3], K3, {}, ValueError, r"image must be .*got a 1-D array of shape \(3,\)", id="image 1-D"),
    pytest.param(5, K3, {}, ValueError, r"image must be .*got a 0-D array of shape \(\)", id="image a single number"),
    pytest.param(np.ones((2, 5, 5, 3)), K3, {}, ValueError, r"image must be .*got a 4-D array of shape \(2, 5, 5, 3\)", id="image 4-D batch"),
    pytest.param(np.ones((1, 1, 1, 1, 1)), K3, {}, ValueError, r"image must be .*got a 5-D array", id="image 5-D"),
    pytest.param([[1, 2, 3], [4, 5]], K3, {}, ValueError, r"image must be a rectangular grid .*rows of different lengths: \[\[1, 2, 3\], \[4, 5\]\]", id="image ragged"),
    pytest.param([["a", "b"], ["c", "d"]], K3, {}, TypeError, r"image must contain real numbers; got dtype <U1 in \[\['a', 'b'\]", id="image of strings"),
    pytest.param("cat.png", K3, {}, TypeError, r"image must be an array of numbers .*got a string 'cat.png'", id="image a file name"),
    pytest.param(None, K3, {}, TypeError, r"image must be an array of numbers .*got None", id="image None"),
    pytest.param([[1, None], [2, 3]], K3, {}, TypeError, r"image must contain only numbers .*got \[\[1, None\], \[2, 3\]\]", id="image with a None"),
    pytest.param([[object(), 1]], K3, {}, TypeError, r"image must contain only numbers .*got \[\[<object object", id="image with an object"),
    pytest.param({"pixels": 1}, K3, {}, TypeError, r"image must contain only numbers .*got \{'pixels': 1\}", id="image a dict"),
    pytest.param(np.ones((3, 3)) * 1j, K3, {}, TypeError, r"image must contain real numbers; got dtype complex128", id="image complex"),
    pytest.param([[1, np.nan], [2, 3]], [[1]], {}, ValueError, r"image must contain only finite numbers; got nan at index \(0, 1\)", id="image NaN"),
    pytest.param([[1, 2], [3, -np.inf]], [[1]], {}, ValueError, r"image must contain only finite numbers; got -inf at index \(1, 1\)", id="image -inf"),
    # finite in long double, infinite in float64: refused like an infinity, not computed as one
    pytest.param(np.full((2, 2), np.longdouble("1e400")), [[1]], {}, ValueError, r"image must contain only finite numbers; got inf", id="image longdouble 1e400"),
    # ---- kernel: same rules, and its channels must match the image's
    pytest.param(IMG, [], {}, ValueError, r"kernel must be \(kh, kw\) for a grayscale \(H, W\) image; got a 1-D array", id="kernel empty"),
    pytest.param(IMG, np.zeros((0, 3)), {}, ValueError, r"kernel is empty.*got shape \(0, 3\)", id="kernel with no rows"),
    pytest.param(IMG, [1, 0, -1], {}, ValueError, r"kernel must be \(kh, kw\) .*got a 1-D array of shape \(3,\)", id="kernel 1-D"),
    pytest.param(IMG, K3RGB, {}, ValueError, r"kernel must be \(kh, kw\) for a grayscale .*got a 3-D array of shape \(3, 3, 3\)", id="kernel 3-D on a grayscale image"),
    pytest.param(RGB, np.ones((1, 3, 3, 3)), {}, ValueError, r"kernel must be \(kh, kw, 3\) .*got a 4-D array", id="kernel 4-D on RGB"),
    pytest.param(IMG, [[1, 0], [1]], {}, ValueError, r"kernel must be a rectangular grid .*\[\[1, 0\], \[1\]\]", id="kernel ragged"),
    pytest.param(IMG, [["1", "0"]], {}, TypeError, r"kernel must contain real numbers; got dtype <U1", id="kernel of strings"),
    pytest.param(IMG, "sobel", {}, TypeError, r"kernel must be an array of numbers .*got a string 'sobel'", id="kernel a name"),
    pytest.param(IMG, None, {}, TypeError, r"kernel must be an array of numbers .*got None", id="kernel None"),
    pytest.param(IMG, [[1j]], {}, TypeError, r"kernel must contain real numbers; got dtype complex128", id="kernel complex"),
    pytest.param(IMG, [[np.inf]], {}, ValueError, r"kernel must contain only finite numbers; got inf at index \(0, 0\)", id="kernel inf"),
    pytest.param(IMG, [[0, np.nan]], {}, ValueError, r"kernel must contain only finite numbers; got nan at index \(0, 1\)", id="kernel NaN"),
    pytest.param(RGB, K3, {}, ValueError, r"kernel must have one slice per image channel: shape \(kh, kw, 3\) for an image of shape \(5, 5, 3\); got a 2-D kernel of shape \(3, 3\)", id="2-D kernel on an RGB image"),
    pytest.param(RGB, np.ones((3, 3, 2)), {}, ValueError, r"kernel has 2 channels but the image has 3: .*got \(3, 3, 2\)", id="channel mismatch"),
    pytest.param(np.ones((5, 5, 1)), K3RGB, {}, ValueError, r"kernel has 3 channels but the image has 1", id="RGB kernel on a one-channel image"),
]


def _as_stack(kernel):
    """feature_maps takes a stack: wrap what was given (leave junk as it is, to get the same error)."""
    try:
        arr = np.asarray(kernel)
    except ValueError:
        return kernel
    if arr.dtype.kind in "biuf" and arr.ndim in (2, 3):
        return [kernel]
    return kernel


@pytest.mark.parametrize("image, kernel, kwargs, exc, pattern", ARGUMENT_TABLE)
def test_conv2d_rejects_bad_arguments_with_a_clear_message(image, kernel, kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        conv2d(image, kernel, **kwargs)


@pytest.mark.parametrize("image, kernel, kwargs, exc, pattern", ARGUMENT_TABLE)
def test_iter_steps_rejects_bad_arguments_on_the_call_itself(image, kernel, kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        iter_steps(image, kernel, **kwargs)  # no next(): a generator would only fail later


@pytest.mark.parametrize("image, kernel, kwargs, exc, pattern", ARGUMENT_TABLE)
def test_feature_maps_rejects_bad_arguments_too(image, kernel, kwargs, exc, pattern):
    # the kernel-shape rows have their own table below (a stack is checked differently); every other
    # row must fail in feature_maps with the same kind of error, naming the same parameter
    if isinstance(kernel, np.ndarray) and kernel.ndim == 4 and np.ndim(image) == 3:
        pytest.skip("a 4-D kernel is a valid stack for feature_maps")
    with pytest.raises(exc) as single:
        conv2d(image, kernel, **kwargs)
    with pytest.raises(exc) as stack:
        feature_maps(image, _as_stack(kernel), **kwargs)
    subject = re.match(r"[a-z_]+", str(single.value)).group()
    assert str(stack.value).startswith(subject), (str(single.value), str(stack.value))
    if not subject.startswith("kernel"):
        assert str(stack.value) == str(single.value)


@pytest.mark.parametrize("image, kernel, kwargs, exc, pattern", ARGUMENT_TABLE)
def test_errors_are_raised_before_any_arithmetic(monkeypatch, image, kernel, kwargs, exc, pattern):
    def no_work(*args, **kw):
        raise AssertionError("the engine started before the arguments were checked")

    # the work starts with numpy: padding the image, allocating the output, multiplying. None may be reached.
    for name in ("pad", "zeros", "empty", "multiply"):
        monkeypatch.setattr(np, name, no_work)
    with pytest.raises(exc):
        conv2d(image, kernel, **kwargs)
    with pytest.raises(exc):
        iter_steps(image, kernel, **kwargs)


# ----------------------------------------------------------------------------------- feature_maps

@pytest.mark.parametrize("image, kernels, pattern", [
    # one kernel where a stack is expected: say how to wrap it
    (IMG, K3, r"kernels must be a stack of shape \(N, kh, kw\); got a single kernel of shape \(3, 3\) \(wrap it in a list"),
    (RGB, K3RGB, r"kernels must be a stack of shape \(N, kh, kw, 3\); got a single kernel of shape \(3, 3, 3\)"),
    # a stack of 2-D kernels for an RGB image: each needs a slice per channel
    (RGB, np.ones((2, 3, 4)), r"kernels must be a stack of shape \(N, kh, kw, 3\) .*got a stack of 2-D kernels of shape \(2, 3, 4\)"),
    # a stack whose channels do not match the image
    (RGB, np.ones((2, 3, 3, 2)), r"kernels have 2 channels but the image has 3.*got \(2, 3, 3, 2\)"),
    # too many dimensions for a grayscale image
    (IMG, np.ones((2, 3, 3, 3)), r"kernels must be a stack of shape \(N, kh, kw\) for an image of shape \(5, 5\); got shape \(2, 3, 3, 3\)"),
    # an empty stack
    (IMG, np.zeros((0, 3, 3)), r"kernels is empty.*got shape \(0, 3, 3\)"),
    # kernels of different sizes cannot be stacked
    (IMG, [K3, np.ones((2, 2))], r"kernels must be a rectangular grid"),
])
def test_feature_maps_names_the_stack_shape_it_needs(image, kernels, pattern):
    with pytest.raises(ValueError, match=pattern):
        feature_maps(image, kernels)


# ------------------------------------------------------------------------------- the size helpers

@pytest.mark.parametrize("call, exc, pattern", [
    # n and k are lengths: positive whole numbers
    (lambda: output_size(0, 3), ValueError, r"n must be a positive integer; got 0"),
    (lambda: output_size(5, 2.5), TypeError, r"k must be a positive integer; got 2\.5"),
    (lambda: output_size("5", 3), TypeError, r"n must be a positive integer; got '5'"),
    # one axis only: pairs belong to output_shape
    (lambda: output_size(5, 3, stride=(1, 2)), TypeError, r"stride and dilation must be single integers .*got stride=\(1, 2\)"),
    (lambda: output_size(5, 3, padding=(1, 1)), TypeError, r"padding must be a single integer or a name; got \(1, 1\)"),
    # the same argument checks as conv2d
    (lambda: output_size(5, 3, stride=0), ValueError, r"stride .*got 0"),
    (lambda: output_size(5, 3, padding="same", stride=2), ValueError, r'padding="same"'),
    (lambda: output_size(2, 3), ValueError, r"kernel \(3x3\) is larger than the padded input \(2x2\); add padding of at least 1"),
    (lambda: output_size_formula(5, 3, dilation=0), ValueError, r"dilation .*got 0"),
    (lambda: unvisited(5, 3, stride=-1), ValueError, r"stride .*got -1"),
    # shapes: a tuple of 2 or 3 positive lengths with matching channels
    (lambda: output_shape((5,), (3, 3)), ValueError, r"image_shape must be a tuple with 2 entries or 3 entries; got \(5,\)"),
    (lambda: output_shape((5, 5), 3), ValueError, r"kernel_shape must be a tuple .*got 3"),
    (lambda: output_shape((5, 0), (3, 3)), ValueError, r"image_shape must be a positive integer; got 0"),
    (lambda: output_shape((5, 5, 3), (3, 3, 2)), ValueError, r"kernel_shape has 2 channels but image_shape has 3"),
    (lambda: output_shape((2, 2), (3, 3)), ValueError, r"larger than the padded input"),
])
def test_size_helpers_reject_bad_arguments(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


# ---------------------------------------------------------------------------- kernels and images

@pytest.mark.parametrize("call, exc, pattern", [
    (lambda: make_kernel("blur", 3), ValueError, r"family must be one of 'vertical edge', .*'random'; got 'blur'"),  # near-miss name
    (lambda: make_kernel(None, 3), TypeError, r"family must be one of .*got None"),
    (lambda: make_kernel("box blur", 0), ValueError, r"size must be a positive integer; got 0"),
    (lambda: make_kernel("box blur", 2.0), TypeError, r"size must be a positive integer; got 2\.0"),
    (lambda: make_kernel("box blur", True), TypeError, r"size must be a positive integer; got True"),
    (lambda: make_kernel("random", 3, seed="x"), TypeError, r"seed must be a non-negative integer; got 'x'"),
    (lambda: make_kernel("random", 3, seed=-1), ValueError, r"seed must be a non-negative integer; got -1"),
    (lambda: images.stripes(0), ValueError, r"size must be a positive integer; got 0"),
    (lambda: images.stripes(8, 1.5), TypeError, r"width must be a positive integer; got 1\.5"),
    (lambda: images.stripes(8, 2, vertical="no"), TypeError, r"vertical must be True or False .*got 'no'"),
    (lambda: images.checkerboard(8, 0), ValueError, r"square must be a positive integer; got 0"),
    (lambda: images.cross(-1), ValueError, r"size must be a positive integer; got -1"),
    (lambda: images.cross(7, "1"), TypeError, r"thickness must be a positive integer; got '1'"),
    (lambda: images.digit(10), ValueError, r"n must be a digit from 0 to 9; got 10"),
    (lambda: images.digit(True), TypeError, r"n must be a digit from 0 to 9; got True"),
    (lambda: images.digit(3, border=-1), ValueError, r"border must be a non-negative integer; got -1"),
    (lambda: images.to_grayscale(np.ones((4, 4))), ValueError, r"image must be an \(H, W, 3\) RGB image; got shape \(4, 4\)"),
    (lambda: images.to_grayscale([[["r", "g", "b"]]]), TypeError, r"image must contain real numbers"),
    (lambda: images.downscale(np.ones((4, 4)), 0), ValueError, r"size must be a positive integer; got 0"),
    (lambda: images.downscale(np.ones((4, 4)), (2, 0)), ValueError, r"size must be a positive integer; got 0"),
    (lambda: images.downscale(np.ones((4, 4)), (2, 2, 2)), ValueError, r"size must be a tuple with 2 entries; got \(2, 2, 2\)"),
    (lambda: images.downscale([1, 2, 3], 2), ValueError, r"image must be .*got a 1-D array"),
    (lambda: images.sample_photo(0), ValueError, r"size must be a positive integer; got 0"),
    (lambda: images.sample_photo(8, rgb="yes"), TypeError, r"rgb must be True or False .*got 'yes'"),
])
def test_kernel_and_image_helpers_reject_bad_arguments(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


# -------------------------------------------------------------------------------------- fuzzing

junk = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 6), st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(max_magnitude=5), st.text(max_size=6),
    st.sampled_from(["valid", "same", "full", "zeros", "reflect", "replicate", "circular"]),
    st.tuples(st.integers(-2, 4), st.integers(-2, 4)), st.lists(st.integers(-1, 4), max_size=3),
    st.lists(st.lists(st.integers(-2, 2), max_size=4), max_size=4),  # often ragged or empty
    hnp.arrays(st.sampled_from([np.float64, np.int8, np.bool_, np.complex128]),
               hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=4)),
)


@FAST
@given(image=junk, kernel=junk, stride=junk, padding=junk, dilation=junk, flip=junk, padding_mode=junk)
def test_no_index_or_broadcasting_error_escapes_for_junk_arguments(image, kernel, stride, padding, dilation,
                                                                     flip, padding_mode):
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, flip=flip, padding_mode=padding_mode)
    for call in (conv2d, iter_steps):
        try:
            call(image, kernel, **kwargs)
        except (ValueError, TypeError) as exc:
            assert str(exc), "an error must say what was wrong"
            # only convlab's own messages: no numpy internals ("broadcast", "index ... out of bounds")
            assert "broadcast" not in str(exc) and "out of bounds" not in str(exc)


@FAST
@given(image=hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=5),
                        elements=st.floats(-3, 3)),
       kernel=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=6),
                         elements=st.floats(-3, 3)),
       stride=st.integers(1, 3), padding=st.one_of(st.integers(0, 3), st.sampled_from(["valid", "same", "full"])),
       dilation=st.integers(1, 3), mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
def test_plausible_but_wrong_shapes_give_only_clear_errors(image, kernel, stride, padding, dilation, mode):
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, padding_mode=mode)
    try:
        out = conv2d(image, kernel, **kwargs)
    except (ValueError, TypeError) as exc:
        assert re.search(r"image|kernel|padding|stride|dilation", str(exc)), str(exc)
    else:
        assert out.ndim == 2 and out.dtype == np.float64
        assert np.array_equal(out, feature_maps(image, [kernel], **kwargs)[..., 0])
        assert sum(1 for _ in iter_steps(image, kernel, **kwargs)) == out.size


# ---------------------------------------------------------------- issue 13: limits, checked before any work

_BIG_UINT8 = np.broadcast_to(np.uint8(0), (5000, 5000))  # a 25-megapixel image that takes no memory here


@pytest.mark.parametrize("call, pattern", [
    # padding beyond MAX_PADDING: a sentence naming padding, not np.pad's MemoryError
    (lambda: conv2d(IMG, K3, padding=10**4), r"padding must be at most 1,000 pixels per side; got 10,000"),
    (lambda: conv2d(IMG, K3, padding=10**12), r"padding must be at most .*got 1,000,000,000,000"),
    (lambda: conv2d(IMG, K3, padding=(0, 5000)), r"padding must be at most .*got 5,000"),  # one axis is enough
    (lambda: iter_steps(IMG, K3, padding=10**4), r"padding must be at most"),
    (lambda: feature_maps(IMG, [K3], padding=10**4), r"padding must be at most"),
    (lambda: conv2d(IMG, K3, dilation=10**6, padding="full"), r"padding must be at most"),  # a name can hide it too
    (lambda: output_size(5, 3, padding=10**12), r"padding must be at most"),  # sizes refuse what conv2d refuses
    (lambda: output_shape((5, 5), (3, 3), padding=10**4), r"padding must be at most"),
    # images too large: checked on the shape, before the float64 copy
    (lambda: conv2d(_BIG_UINT8, K3), r"image is too large: 5000x5000 = 25,000,000 values; the limit is 16,777,216"),
    (lambda: iter_steps(_BIG_UINT8, K3), r"image is too large"),
    (lambda: conv2d(np.broadcast_to(0.0, (3000, 3000)), K3, padding=1000), r"image is too large after padding: 5000x5000"),
    # work: windows x kernel values
    (lambda: conv2d(np.broadcast_to(0.0, (4000, 4000)), np.broadcast_to(0.0, (1000, 1000))),
     r"kernel and image are too large together: .* multiply-adds"),
    # unvisited lists positions: n is bounded (before the fix, 10**8 looped in Python for minutes)
    (lambda: unvisited(10**8, 1), r"n must be at most 1,048,576; got 100,000,000"),
    # a feature map's channels must match, as conv2d says
    (lambda: output_shape((5, 5, 3), (3, 3)), r"kernel_shape must have one slice per image channel"),
    (lambda: output_shape((5, 5), (3, 3, 3)), r"kernel_shape .*grayscale"),
    # make_kernel's size: beyond MAX_KERNEL_SIZE the binomial weights overflowed to NaN
    (lambda: make_kernel("gaussian blur", 1100), r"size must be at most 99; got 1,100"),
])
def test_limits_are_checked_up_front_with_the_argument_named(monkeypatch, call, pattern):
    def no_work(*args, **kwargs):  # np.pad / float64 conversion must never be reached
        raise AssertionError("work was started before the limit was checked")

    monkeypatch.setattr(np, "pad", no_work)
    with pytest.raises(ValueError, match=pattern):
        call()


def test_largest_gaussian_blur_is_finite_and_sums_to_one():
    k = make_kernel("gaussian blur", 99)
    assert np.all(np.isfinite(k)) and abs(k.sum() - 1) < 1e-12


@pytest.mark.parametrize("n, k, kwargs", [
    (10, 3, dict(stride=4)),   # the floor leaves the last row out
    (11, 2, dict(dilation=4, stride=3)),  # taps and strides interleave
    (9, 3, dict(stride=5, padding=2)),
    (7, 7, {}),
    (16, 1, dict(stride=3)),
    (2**20, 2, dict(stride=5, dilation=2)),  # large n: arithmetic, not a loop over windows
])
def test_unvisited_matches_a_brute_force_walk(n, k, kwargs):
    stride, dilation, p = kwargs.get("stride", 1), kwargs.get("dilation", 1), kwargs.get("padding", 0)
    seen = np.zeros(n + 2 * p, bool)
    out = output_size(n, k, **kwargs)
    for start in range(0, stride * out, stride):
        seen[start + dilation * np.arange(k)] = True
    assert unvisited(n, k, **kwargs) == [i - p for i in np.flatnonzero(~seen) if p <= i < p + n]


_OTHER_THREADS_TICKS = """
import threading, time
from pathlib import Path
import numpy as np
from convlab import relu

def other_threads_ticks():
    me, ticks = threading.get_native_id(), 0
    for task in Path("/proc/self/task").iterdir():
        if int(task.name) != me:
            try:
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # a thread that has just ended
                continue
            ticks += int(fields[11]) + int(fields[12])  # user and system time, in clock ticks
    return ticks

def ticks_during(work):
    time.sleep(0.3)  # threads that earlier work woke spin a moment before they sleep
    before = other_threads_ticks()
    for _ in range(40):
        work()
    return other_threads_ticks() - before

x = np.random.default_rng(0).random(1 << 22)
# what relu did before: BLAS's dot product as the check (its threads keep spinning a while after each
# one, through the maximum), then relu
print(ticks_during(lambda: (x @ x, np.maximum(x, 0))), ticks_during(lambda: relu(x)))
"""


@pytest.mark.skipif(not __import__("os").path.isdir("/proc/self/task"), reason="per-thread CPU times come from Linux's /proc")
def test_the_finiteness_check_runs_on_the_calling_thread_alone():
    # OpenBLAS spreads a long dot product over its threads, and on a busy machine (a class on one hub) every
    # such call waits for a free core: a 40-step training replay took 10.3 s instead of 1.0 s with two other
    # processes busy. The check that every value is finite is one numpy sum, on the caller's thread. A fresh
    # process, so that no thread a test before this one started can be counted.
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", _OTHER_THREADS_TICKS], capture_output=True, text=True, cwd=root,
                         check=True)
    blas, checks = (int(t) for t in out.stdout.split())
    if blas < 10:  # one core, or OPENBLAS_NUM_THREADS=1: no other thread would work either way
        pytest.skip(f"BLAS's dot product ran on the calling thread here ({blas} clock ticks elsewhere)")
    assert checks * 5 <= blas, f"other threads worked {checks} clock ticks during relu, {blas} with BLAS's dot"
