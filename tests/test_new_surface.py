"""Nothing lost on the new surface (issue 21): the operations, their walks, the checkers, the numpy CNN and
the uploads refuse what they cannot do in words, keep their own copies, and stay inside the limits.

Each table row is a defect a hostile-input run found; the comment says what happened before.
"""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from convlab import (avg_pool2d, conv_transpose2d, format_number, iter_pool_steps, iter_steps, iter_transpose_steps,
                     max_pool2d, relu)
from convlab.core import limits
from convlab.lessons import exercises as ex
from convlab.lessons.receptive import check_receptive_field, check_shift, conv_stage, pool_stage
from convlab.nets import network as nw
from convlab.data import digits
from convlab.images import SEED_IMAGE, SEED_KERNEL

def _glyphs():
    from convlab.figures import glyphs

    return glyphs


HUGE = np.broadcast_to(1.0, (60000, 60000))  # 3.6·10⁹ values that take no memory until copied
BIG_IMAGE = np.broadcast_to(0.0, (4096, 4096))


# ------------------------------------------------------------------------------------ overflow in words


@pytest.mark.parametrize("call", [
    lambda: conv_transpose2d([[1e200]], [[1e200]]),  # returned [[inf]] while conv2d refused the same
    lambda: conv_transpose2d([[1e308, 1e308]], [[1.0, 1.0]], stride=1),  # the overlap adds two 1e308
    lambda: avg_pool2d(np.full((2, 2), 1e308), 2),  # returned inf: the window's sum overflowed
    lambda: iter_transpose_steps([[1e200]], [[1e200]]),  # the walk said nothing until its canvas held inf
    lambda: iter_pool_steps(np.full((2, 2), 1e308), 2, kind="mean"),
], ids=["transposed", "transposed overlap", "average pooling", "transposed walk", "average pooling walk"])
def test_an_overflow_is_refused_in_words_on_the_call(call):
    with pytest.raises(ValueError, match=r"overflowed: .*largest float64"):
        call()


def _corner(n, value):
    a = np.zeros((n, n))
    a[0, 0], a[1, 1] = value, 1.0
    return a


@pytest.mark.parametrize("image, kernel, kwargs", [
    (_corner(3, 1e200), _corner(3, 1e200), dict(stride=1, padding=1)),
    (_corner(3, 1e200), _corner(3, 1e200), dict(stride=2, padding=1)),
    (np.dstack([_corner(3, 1e200)] * 3), np.dstack([_corner(3, 1e200)] * 3), dict(stride=2, padding=1)),
    (_corner(3, 1e200)[::-1, ::-1], _corner(3, 1e200)[::-1, ::-1], dict(stride=(1, 2), padding=1)),  # bottom right
], ids=["grey", "grey stride 2", "rgb stride 2", "bottom right corner"])
def test_an_overflow_that_the_padding_crops_away_is_refused_too(image, kernel, kwargs):
    # the one infinite sum lands on a corner of the canvas that the padding crops: the output itself is
    # finite, and the call is refused all the same, as one that overflows inside it (the walk's canvas holds it)
    with pytest.raises(ValueError, match=r"overflowed: .*largest float64"):
        conv_transpose2d(image, kernel, **kwargs)
    with pytest.raises(ValueError, match=r"overflowed: .*largest float64"):
        iter_transpose_steps(image, kernel, **kwargs)
    finite = image.copy()
    finite[finite == 1e200] = 1e100
    assert np.isfinite(conv_transpose2d(finite, kernel, **kwargs)).all()


def test_max_pooling_of_the_largest_floats_is_exact_not_refused():
    assert max_pool2d(np.full((2, 2), 1e308), 2)[0, 0] == 1e308  # a maximum cannot overflow


# ------------------------------------------------------------------------------------ own copies


def _edit_after_call(make, arrays):
    """Build a walk, then change the caller's arrays in place; return the first step."""
    walk = make()
    for a in arrays:
        a[...] = 99.0
    return next(walk)


@pytest.mark.parametrize("make, field", [
    # the walks read the caller's array at the first next(): an edit between the call and the loop leaked in
    (lambda img, ker: iter_pool_steps(img, 2), "window"),
    (lambda img, ker: iter_transpose_steps(img, ker), "block"),
    (lambda img, ker: iter_steps(img, ker), "window"),
])
def test_a_walk_keeps_its_own_copy_of_what_it_was_given(make, field):
    img, ker = np.arange(16.0).reshape(4, 4), np.ones((2, 2))
    expected = getattr(next(make(img.copy(), ker.copy())), field)
    step = _edit_after_call(lambda: make(img, ker), [img, ker])
    np.testing.assert_array_equal(getattr(step, field), expected)
    assert not getattr(step, field).flags.writeable


def test_the_explorer_keeps_its_own_copy_of_the_image_and_kernel():
    from convlab.widgets import Explorer

    img, ker = np.arange(25.0).reshape(5, 5), np.array([[1.0, 0, -1]] * 3)
    explorer = Explorer(image=img, kernel=ker)
    before = explorer.caption
    img[...] = 7.0
    ker[...] = 0.0
    explorer.widget.stride = 2  # a new setting recomputes from what the Explorer kept
    explorer.widget.stride = 1
    assert explorer.caption == before


# ------------------------------------------------------------------------------------ work and size limits


@pytest.mark.parametrize("call, match", [
    (lambda: conv_transpose2d(np.broadcast_to(0.0, (1024, 1024)), np.ones((64, 64))), "multiply-adds"),  # hung
    (lambda: conv_transpose2d(BIG_IMAGE, np.ones((64, 64))), "output"),  # 4096² + 63: past the size limit too
    (lambda: conv_transpose2d(np.ones((2000, 2000)), np.ones((2, 2)), stride=10**4), "output"),  # asked for 12 GB
    (lambda: conv_transpose2d(np.ones((3, 3)), np.ones((3, 3)), dilation=10**6), "output"),
    (lambda: max_pool2d(BIG_IMAGE, 2048, stride=1), "multiply-adds"),  # hung
    (lambda: avg_pool2d(BIG_IMAGE, 2048, stride=1), "multiply-adds"),
    (lambda: iter_pool_steps(BIG_IMAGE, 2048, stride=1), "multiply-adds"),
    (lambda: iter_transpose_steps(np.broadcast_to(0.0, (1024, 1024)), np.ones((64, 64))), "multiply-adds"),
    (lambda: relu(HUGE), r"x is too large"),  # allocated 9 GB
    (lambda: digits.make_digits(size=2000), "size must be one whose glyphs ship"),  # drew 360 glyphs at 4000 pixels
    (lambda: _glyphs().draw_glyph_planes("DejaVuSans.ttf", 2000), "size must be at most 128"),  # the drawing itself
    (lambda: digits.make_digits(10**7), "digits would be"),  # 10⁷ images
    (lambda: nw.init_network(filters=10**9), "network's size"),  # 10⁹ filters
    (lambda: ex.check_landing("row 0, column 0: 1", np.ones((2000, 2000)), SEED_KERNEL, 3_000_000), "windows"),  # listed 4M steps
    (lambda: ex.check_window_value(1, np.ones((2000, 2000)), SEED_KERNEL, 1990, 1990), "windows"),  # listed 4M steps
    (lambda: nw.train(np.ones((10, 16, 16)), np.zeros(10), epochs=10**6), "multiply-adds"),  # ran for days
    (lambda: ex.check_output_size(3, 7, 3, stride=10**400), "stride"),  # OverflowError in numpy
])
def test_work_and_size_are_checked_before_any_allocation(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------------------------ the checkers


CHECKERS = [
    # (checker with the question's settings bound, why it matters)
    lambda a: ex.check_output_size(a, 7, 3),
    lambda a: ex.check_output_shape(a, (7, 7), (3, 3)),
    lambda a: ex.check_same_padding(a, 3),
    lambda a: ex.check_unvisited(a, 7, 3, stride=3),
    lambda a: ex.check_window_value(a, SEED_IMAGE, SEED_KERNEL),
    lambda a: ex.check_parameter_count(a, 3, 1, 8),
    lambda a: ex.check_choice(a, "a", {"a": "yes", "b": "no"}),
    lambda a: ex.check_number(a, 3, why="3"),
    lambda a: ex.check_landing(a, SEED_IMAGE, SEED_KERNEL, 2),
    lambda a: ex.check_kernel_design(a, SEED_IMAGE, SEED_IMAGE[1:4, 1:4]),
    lambda a: ex.check_matching(a, {"A": 1, "B": 2}, ["blur", "edges"], {"A": "smooth", "B": "edges"}),
    lambda a: ex.check_keras_same_padding(a, 6, 3, stride=2),
    lambda a: check_receptive_field(a, [conv_stage(3), conv_stage(3)]),
    lambda a: check_shift(a, [conv_stage(3, padding=1), pool_stage(2)], 2),
]

TYPED = [
    10**400,  # OverflowError: int too large to convert to float
    -(10**400),
    "1" * 400,  # typed: read as infinity, no number
    float("nan"),
    float("inf"),
    1j,  # complex: no real answer
    np.complex128(3),
    b"3",  # bytes are not text
    [],
    [[1, 2], [3]],  # ragged: numpy's "inhomogeneous shape" ValueError before
    [[1, [2, 3]], [4, 5]],
    {"A": 1},  # a dict with missing keys
    {},
    None,
    object(),
    np.ones((3, 3)) * 1j,  # a complex kernel was graded as zeros
    np.ma.masked_array(np.ones((3, 3)), mask=np.eye(3, dtype=bool)),
    np.broadcast_to(1.0, (60000, 60000)),  # a huge view: no answer, and no 28 GB copy
    "x" * 1_000_000,
]


@pytest.mark.parametrize("check", CHECKERS)
@pytest.mark.parametrize("answer", TYPED, ids=lambda a: type(a).__name__)
def test_every_checker_answers_whatever_a_learner_types_with_feedback(check, answer):
    fb = check(answer)
    assert isinstance(fb, ex.Feedback)
    assert not fb.correct
    assert len(fb.message) < 2000  # the answer is quoted briefly, never a 400-digit number or a megabyte


def test_a_complex_kernel_is_not_graded_as_its_real_part():
    # np.ones((3, 3)) * 1j was read as zeros (the ComplexWarning dropped the imaginary part)
    zero_target = np.zeros((3, 3))
    fb = ex.check_kernel_design(np.ones((3, 3)) * 1j, SEED_IMAGE, zero_target)
    assert not fb.correct and not fb.readable


def test_a_huge_integer_answer_is_quoted_by_its_size():
    fb = ex.check_output_size(10**400, 7, 3)
    assert "401-digit" in fb.message


# ------------------------------------------------------------------------------------ the numpy CNN


@pytest.mark.parametrize("call, exc, match", [
    (lambda: nw.train(np.ones((2, 16, 16)), [-1, 0]), ValueError, "labels"),  # −1 trained as class 9
    (lambda: nw.train(np.ones((2, 16, 16)), [0.5, 1]), ValueError, "labels"),  # 0.5 was truncated to 0
    (lambda: nw.train(np.ones((2, 16, 16)), [0, 10]), ValueError, "labels"),  # an 11th class appeared
    (lambda: nw.train(np.ones((2, 16, 16)), [0]), ValueError, "labels"),  # one label for two images
    (lambda: nw.train(np.ones((2, 16, 16)), ["a", "b"]), TypeError, "labels"),
    (lambda: nw.softmax_cross_entropy(np.zeros((1, 10)), [12]), ValueError, "labels"),  # IndexError
    (lambda: nw.init_network(image_size=2), ValueError, "kernel_size"),  # ZeroDivisionError
    (lambda: nw.init_network(pool=0), ValueError, "pool"),  # ZeroDivisionError
    (lambda: nw.init_network(pool=15), ValueError, "pool"),  # a dense layer of 0 inputs
    (lambda: nw.init_network(filters=2.5), TypeError, "filters"),
    (lambda: nw.maxpool_forward(np.ones((1, 4, 4, 1)), 0), ValueError, "size"),
    (lambda: nw.maxpool_forward(np.ones((4, 4)), 2), ValueError, "maps"),  # numpy's "not enough values to unpack"
    (lambda: nw.dense_forward(np.ones((2, 3)), np.ones((4, 10)), np.zeros(10)), ValueError, "weights"),  # matmul
    (lambda: nw.conv_forward(np.ones((2, 8, 8)), np.ones((1, 3, 3)), [0.0, 1.0]), ValueError, "bias"),
    (lambda: nw.conv_forward(np.ones((2, 4, 4)), np.ones((1, 5, 5)), [0.0]), ValueError, "kernels"),
    (lambda: nw.relu_backward(np.ones((2, 2)), np.ones((3, 3))), ValueError, "grad"),
    (lambda: nw.init_network(image_size=16).forward(np.ones((1, 12, 12))), ValueError, "images"),  # matmul
    (lambda: nw.loss_and_gradients("net", np.ones((1, 16, 16)), [0]), TypeError, "net"),
    (lambda: nw.train(np.ones((2, 16, 16)), [0, 1], learning_rate=10**400), ValueError, "learning_rate"),
    (lambda: nw.train(np.ones((2, 16, 16)), [0, 1], momentum=1), ValueError, "momentum"),
    (lambda: nw.train(np.ones((2, 16, 16)), [0, 1], x_test=np.ones((1, 16, 16))), ValueError, "y_test"),
    (lambda: nw.run_stack(np.ones((5, 5)), [("conv", None)]), TypeError, "layers"),  # AttributeError
    (lambda: nw.run_stack(np.ones((5, 5)), "conv"), TypeError, "layers"),
])
def test_the_numpy_cnn_validates_like_the_engine(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def _saved(tmp_path):
    run = nw.TrainingRun(nw.init_network(image_size=8, filters=2), np.array([1.0]), None, 0)
    path = tmp_path / "net.npz"
    nw.save_network(path, run, settings={"filters": 2}, data_digest="x")
    return path


def _truncated(tmp_path):
    path = _saved(tmp_path)
    path.write_bytes(path.read_bytes()[:200])
    return path


def _foreign(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, x=np.ones(3))
    return path


def _changed(**replace):
    """A saved network with some arrays replaced (None: left out)."""
    def make(tmp_path):
        path = _saved(tmp_path)
        with np.load(path) as data:
            kept = {k: data[k] for k in data.files}
        kept.update(replace)
        np.savez(path, **{k: a for k, a in kept.items() if a is not None})
        return path
    return make


def _pickled(tmp_path):
    path = tmp_path / "pickled.npz"
    arrays = {k: np.ones(2) for k in nw.NETWORK_KEYS}
    arrays["kernels"] = np.array([object()], dtype=object)
    np.savez(path, **arrays)
    return path




@pytest.mark.parametrize("make, match", [
    (_truncated, "truncated"),  # zipfile.BadZipFile before
    (_foreign, "no kernels"),  # another program's .npz: KeyError
    (_changed(meta=None), "no meta"),  # KeyError: 'meta'
    (_changed(weights=None), "no weights"),
    (_pickled, "damaged|another program"),  # numpy's "Object arrays cannot be loaded when allow_pickle=False"
    (_changed(meta=np.array("not json")), "damaged|another program"),  # json's "Expecting value"
    (_changed(weights=np.ones(3)), "do not make a network"),  # a later matmul error
    (lambda tmp_path: (tmp_path / "plain.npz").write_text("hello") and tmp_path / "plain.npz", "truncated"),
], ids=["truncated", "foreign", "no meta", "no weights", "pickled", "meta not JSON", "bad shapes", "text file"])
def test_a_file_that_is_not_a_network_is_refused_naming_it(tmp_path, make, match):
    path = make(tmp_path)
    with pytest.raises(ValueError, match=match) as info:
        nw.load_network(path)
    assert path.name in str(info.value)


def test_a_network_file_too_large_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = _saved(tmp_path)
    monkeypatch.setattr(limits, "MAX_NETWORK_FILE_BYTES", 100)
    with pytest.raises(ValueError, match="the limit is 100"):
        nw.load_network(path)


def test_a_saved_network_loads_back_the_same(tmp_path):
    path = _saved(tmp_path)
    net, info = nw.load_network(path)
    assert net.kernels.shape == (2, 3, 3) and info["settings"] == {"filters": 2}
    assert zipfile.is_zipfile(path)


def test_a_missing_network_file_is_a_file_not_found_error_and_a_value_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        nw.load_network(tmp_path / "missing.npz")
    with pytest.raises(ValueError, match="path"):
        nw.load_network(tmp_path / "missing.npz")


# ------------------------------------------------------------------------------------ unclear


@pytest.mark.parametrize("x, text", [
    (1.7976931348623157e308, "1.8e+308"),  # was a 309-digit number in a caption
    (-1e300, "\u22121e+300"),
    (123456789012345.0, "123456789012345"),  # below 10¹⁵ whole numbers are written out
])
def test_format_number_writes_huge_numbers_compactly(x, text):
    assert format_number(x) == text


def test_a_caption_of_huge_values_is_short():
    step = next(iter_pool_steps(np.full((2, 2), 1.5e307), 2))
    assert len(step.arithmetic()) < 80


@pytest.mark.parametrize("make", [
    lambda: next(iter_pool_steps(np.ones((2, 2, 3)), 2)),
    lambda: next(iter_transpose_steps(np.ones((2, 2, 3)), np.ones((2, 2, 3)))),
    lambda: next(iter_steps(np.ones((3, 3, 3)), np.ones((2, 2, 3)))),
])
@pytest.mark.parametrize("names, exc", [
    (["R"], ValueError),  # IndexError before: a short list
    (["R", "G", "B", "A"], ValueError),
    ("RGB", TypeError),
    ([1, 2, 3], TypeError),
])
def test_channel_names_must_name_every_channel(make, names, exc):
    with pytest.raises(exc, match="channel_names"):
        make().arithmetic(channel_names=names)


@pytest.mark.parametrize("call, match", [
    (lambda: relu(np.ma.masked_array([1.0, -1.0], mask=[True, False])), "masked"),  # the mask was dropped
    (lambda: max_pool2d(np.ma.masked_array(np.ones((2, 2)), mask=np.eye(2, dtype=bool)), 2), "masked"),
    (lambda: conv_transpose2d(np.ones((2, 2)), np.ma.masked_array(np.ones((2, 2)), mask=np.eye(2, dtype=bool))),
     "masked"),
])
def test_a_masked_array_is_refused_not_unmasked(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_a_masked_array_with_nothing_masked_is_its_data():
    np.testing.assert_array_equal(relu(np.ma.masked_array([1.0, -1.0])), [1.0, 0.0])


# ------------------------------------------------------------------------------------ uploads


def _png(image, **save):
    import io

    buf = io.BytesIO()
    image.save(buf, format="PNG", **save)
    return buf.getvalue()


def test_a_16_bit_grey_png_with_a_transparent_value_shows_white_there():
    from PIL import Image

    from convlab.data.userdata import load_image

    values = np.full((8, 8), 30000, np.uint16)
    values[:4] = 0  # the transparent grey value: these rows came out black
    img = load_image(_png(Image.fromarray(values), transparency=0), size=None)
    np.testing.assert_allclose(img[:4], 255.0)
    np.testing.assert_allclose(img[4:], 30000 * 255 / 65535)


@pytest.mark.parametrize("save", [
    # a text chunk and a colour profile that unpack to megabytes: Pillow said "Decompressed data too large for
    # PngImagePlugin.MAX_TEXT_CHUNK"
    lambda: {"pnginfo": _text_bomb()},
    lambda: {"icc_profile": b"0" * 3_000_000},
], ids=["zTXt", "iCCP"])
def test_a_png_whose_metadata_unpacks_to_megabytes_is_refused_in_words(save):
    from PIL import Image

    from convlab.data.userdata import load_image

    with pytest.raises(ValueError, match="unpacks to far more data") as info:
        load_image(_png(Image.new("L", (8, 8)), **save()))
    assert "MAX_TEXT_CHUNK" not in str(info.value) and "PngImagePlugin" not in str(info.value)


def _text_bomb():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "0" * 3_000_000, zip=True)
    return info


def test_a_truncated_png_is_refused_without_pillows_words():
    from PIL import Image

    from convlab.data.userdata import load_image

    with pytest.raises(ValueError, match="damaged or cut short") as info:
        load_image(_png(Image.new("L", (8, 8)))[:40])
    assert "(" not in str(info.value)  # no "(OSError: ...)" from inside Pillow


def test_a_checker_on_a_large_image_walks_only_to_its_window():
    # the first window of a 2000x2000 image is answered at once (the walk is lazy; the list had 4 million steps)
    fb = ex.check_window_value(9, np.ones((2000, 2000)), np.ones((3, 3)))
    assert fb.correct
    assert ex.check_landing("row 0, column 1: 9", np.ones((2000, 2000)), np.ones((3, 3)), 2).correct
