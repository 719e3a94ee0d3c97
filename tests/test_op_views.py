"""The other operations' view models: their numbers are the engine's, the figure paints them, bad input is named."""

from __future__ import annotations

import numpy as np
import pytest

from convlab import conv_transpose2d, format_number, max_pool2d
from convlab.core.ops import avg_pool2d
from convlab.core.op_steps import iter_pool_steps, iter_transpose_steps
from convlab.views.op_views import OPERATIONS, operation_view, pool_view_model, transpose_view_model
from convlab.views.walk import frame
from convlab.figures.step_figure import StepFigure, frame_png
from convlab.images import SEED_IMAGE, SEED_KERNEL, sample_photo

FMAP = np.array([[1, 3, 0, 2], [4, 2, 1, 1], [0, 1, 5, 0], [2, 2, 0, 3]], dtype=float)


def _labels_to_numbers(labels):
    return np.array([float(t.replace("\u2212", "-")) for t in labels])


@pytest.mark.parametrize("kind, pool", [("max", max_pool2d), ("mean", avg_pool2d)])
@pytest.mark.parametrize("size, stride, padding", [
    (2, None, 0),  # the textbook 2x2 pooling: stride = size
    (3, 1, 1),     # overlapping windows with padding: max never picks a padded cell
    (2, 1, 0),     # stride 1
])
def test_pool_view_collects_the_engines_values(kind, pool, size, stride, padding):
    vm = pool_view_model(FMAP, size, stride=stride, padding=padding, kind=kind)
    expected = pool(FMAP, size, stride=stride, padding=padding)
    assert vm["windows"]["value"] == [format_number(x) for x in expected.ravel()]
    last = frame(vm, expected.size - 1, "collect")["grids"]["map"][0]  # every value collected
    assert last["labels"] == [format_number(x, 2) for x in expected.ravel()]
    for s in iter_pool_steps(FMAP, size, stride=stride, padding=padding, kind=kind):  # the engine's records
        f = frame(vm, s.index, kind)
        assert f["caption"].splitlines()[1] == s.arithmetic()
        assert f["window"][:2] == [s.top, s.left] and f["cell"][:2] == [s.out_row, s.out_col]


def test_max_pool_view_marks_the_chosen_cell_and_never_a_padded_one():
    vm = pool_view_model(-np.ones((3, 3)), 3, stride=1, padding=1, kind="max")
    for s in iter_pool_steps(-np.ones((3, 3)), 3, stride=1, padding=1, kind="max"):
        f = frame(vm, s.index, "max")
        picked = f["marked"][0]
        assert picked == s.chosen[0] * 3 + s.chosen[1]  # the engine's choice
        assert f["grids"]["products"][0]["labels"][picked] == "\u22121"  # a real pixel, never the −∞ padding
    assert "\u2212\u221e" in frame(vm, 0, "max")["grids"]["products"][0]["labels"]
    assert "never a padded cell" in vm["footer"]


def test_transpose_view_ends_with_the_engines_output_and_overlaps_add_up():
    image = np.array([[1.0, 2.0], [3.0, -1.0]])
    kernel = np.arange(9.0).reshape(3, 3) - 4
    vm = transpose_view_model(image, kernel, stride=2, padding=1, output_padding=1)
    expected = conv_transpose2d(image, kernel, stride=2, padding=1, output_padding=1)
    assert (vm["panels"]["map"]["rows"], vm["panels"]["map"]["cols"]) == expected.shape
    last = _labels_to_numbers(frame(vm, 3, "add")["grids"]["map"][0]["labels"]).reshape(expected.shape)
    np.testing.assert_allclose(last, expected)
    for s in iter_transpose_steps(image, kernel, stride=2, padding=1, output_padding=1):  # the engine's records
        before = frame(vm, s.index, "multiply")["grids"]["map"][0]["labels"]
        after = frame(vm, s.index, "add")["grids"]["map"][0]["labels"]
        assert after == [format_number(x, 2) for x in s.running.ravel()]
        assert before == (frame(vm, s.index - 1, "add")["grids"]["map"][0]["labels"] if s.index else ["0"] * expected.size)
        assert frame(vm, s.index, "multiply")["grids"]["products"][0]["labels"] == [
            format_number(x, 2) for x in s.block.ravel()]
    assert vm["phases"] == ["place", "multiply", "add", "slide"]
    assert "(2−1)·2 − 2·1 + (3−1) + 1 + 1 = 4" in vm["footer"]


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("image", [SEED_IMAGE, sample_photo(6, rgb=True)], ids=["gray", "rgb"])
def test_every_operation_paints_every_frame_in_place(operation, image):
    kernel = SEED_KERNEL if image.ndim == 2 else np.dstack([SEED_KERNEL] * 3)
    vm = operation_view(operation, image, kernel, size=2, stride=2)
    sf = StepFigure(dpi=40)
    sf.configure(vm)
    before = {id(a) for ax in sf.figure.axes for a in ax.get_children()}
    for i in range(vm["windows"]["count"]):
        for phase in vm["phases"]:
            sf.show(i, phase)
            assert sf.caption == frame(vm, i, phase)["caption"] and sf.caption.endswith("\n" + vm["footer"])
    assert before == {id(a) for ax in sf.figure.axes for a in ax.get_children()}
    assert frame_png(vm, 0, vm["phases"][1], dpi=30)[:4] == b"\x89PNG"


def test_transposed_add_phase_shows_the_output_after_the_block_and_before_it_earlier_phases():
    vm = transpose_view_model([[1, 2]], [[1, 1, 1]], stride=2)
    sf = StepFigure(dpi=40)
    sf.configure(vm)
    shown = lambda: [t.get_text() for t in sf.panels["map"][0].texts]  # noqa: E731
    sf.show(1, "multiply")
    assert shown() == ["1", "1", "1", "0", "0"]   # pixel 1's block only
    sf.show(1, "add")
    assert shown() == ["1", "1", "3", "2", "2"]   # the overlap: 1 + 2


@pytest.mark.parametrize("call, exc, pattern", [
    (lambda: operation_view("deconvolution", SEED_IMAGE, SEED_KERNEL), ValueError, "operation"),  # not offered
    (lambda: operation_view("max pooling", SEED_IMAGE, size=0), ValueError, "size"),  # no window
    (lambda: operation_view("max pooling", SEED_IMAGE, size=2, padding=2), ValueError, "padding"),  # > size // 2
    (lambda: operation_view("transposed convolution", SEED_IMAGE, SEED_KERNEL, stride=2, output_padding=2),
     ValueError, "output_padding"),  # must be smaller than the stride
    (lambda: pool_view_model(SEED_IMAGE, 2, kind="median"), ValueError, "kind"),
])
def test_bad_settings_are_named_before_any_work(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


@pytest.mark.parametrize("settings, frames", [
    (dict(operation="max pooling", size=2, stride=1), 16),                     # 4x4 windows on the 5x5 image
    (dict(operation="transposed convolution", stride=2), 25),                  # one frame per input pixel
])
def test_save_animation_exports_the_other_operations(tmp_path, settings, frames):
    from PIL import Image

    from convlab.figures import save_animation

    path = save_animation(tmp_path / "op.gif", dpi=20, **settings)
    with Image.open(path) as gif:
        assert gif.n_frames == frames


def test_a_walk_too_long_to_show_is_refused_in_words():
    with pytest.raises(ValueError, match="windows"):
        pool_view_model(np.zeros((300, 300)), 1, stride=1)


@pytest.mark.parametrize("digits", [2, 3])
def test_value_tables_label_every_value_as_format_number_writes_it(digits):
    # half-way values in binary (1.15 * 0.1 is 0.11499999999999999): the vectorised rounding that groups
    # values must agree with format_number, and values of one table entry must read alike
    from convlab.views.walk import _quantise, _values

    rng = np.random.default_rng(11)
    xs = np.concatenate([np.arange(-2, 2, 0.005), np.arange(0, 2, 0.0005) * 0.1, rng.normal(size=2000),
                         [1.15 * 0.1, 0.1151, 0.8149, 0.8151, 2.675, 1e-7, 123456.7895]])
    assert [format_number(float(q), digits) for q in _quantise(xs, digits)] == [
        format_number(float(x), digits) for x in xs]
    table, codes = _values(xs, lambda v: ["#ffffff"] * len(v), True, key_digits=3)
    assert [table["labels"][c] for c in codes] == [format_number(float(x), 2) for x in xs]
    assert [table["text"][c] for c in codes] == [format_number(float(x)) for x in xs]
