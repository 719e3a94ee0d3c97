"""The Explorer, headless: build it, set values as a learner (or the page) would, read the caption and the
view model it sends to the page. Only public behaviour: the value widgets, the view's traits, the view
model, the caption and the display bundle."""

from __future__ import annotations

import base64
import subprocess
import sys

import numpy as np
import pytest

from convlab import Explorer
from convlab.views.walk import PHASES, compute_walk, frame, step_caption
from convlab.images import SEED_IMAGE, sample_photo
from convlab.kernels import FAMILIES, make_kernel
from convlab.widgets.explorer import PAGE_MAX_WINDOWS, ExplorerView


@pytest.fixture
def ex():
    return Explorer()


def test_defaults_are_the_seed_lesson(ex):
    assert ex.walk.image.tolist() == SEED_IMAGE.tolist()
    assert ex.family.value == "vertical edge" and ex.kernel_size.value == 3
    assert (ex.stride.value, ex.padding.value, ex.dilation.value, ex.flip.value) == (1, 0, 1, False)
    assert (ex.step.value, ex.step.min, ex.step.max) == (1, 1, 9)  # windows are numbered from 1
    assert ex.phase.value == "collect"
    assert isinstance(ex.widget, ExplorerView)


def test_first_window_caption_shows_minus_four_with_a_unicode_minus(ex):
    assert ex.caption.startswith("Window 1 of 9")
    assert "= \u22124" in ex.caption
    assert "1×1 + 2×0 + 3×(−1)" in ex.caption
    assert "-4" not in ex.caption  # never an ASCII hyphen as a minus sign


def test_phase_offers_exactly_the_five_steps(ex):
    assert list(ex.phase.options) == ["place", "multiply", "sum", "slide", "collect"] == list(PHASES)
    assert ex.view_model["phases"] == list(PHASES)


def test_the_view_model_is_sent_once_with_every_window(ex):
    vm = ex.view_model
    assert vm is ex.widget.walk and vm["message"] == ""
    assert vm["windows"]["count"] == 9 and len(vm["windows"]["value"]) == 9
    assert vm["panels"]["map"]["rows"] == 3 and vm["windows"]["value"][0] == "\u22124"


@pytest.mark.parametrize("window", [1, 5, 9])
@pytest.mark.parametrize("phase", PHASES)
def test_caption_is_the_text_equivalent_of_the_frame_shown(ex, window, phase):
    ex.step.value, ex.phase.value = window, phase
    assert ex.caption == step_caption(ex.walk, window - 1, phase)
    assert ex.caption.startswith(f"Window {window} of 9 · {phase}")


def test_moving_the_window_from_python_moves_the_view(ex):
    ex.step.value = 5  # centre window of the 3x3 output
    assert ex.widget.window == 5
    f = frame(ex.view_model, ex.step.value - 1, "place")
    assert f["window"][:2] == [1, 1] and f["cell"][:2] == [1, 1]


def test_the_page_moving_the_window_moves_the_value_widgets_and_caption(ex):
    ex.widget.window = 3  # what the page does on a key press (no recomputation)
    ex.widget.phase = "sum"
    assert ex.step.value == 3 and ex.phase.value == "sum"
    assert ex.caption.startswith("Window 3 of 9 · sum")


@pytest.mark.parametrize("phase, answer_shown", [
    ("place", False),     # the filter is placed: the sum is still a question
    ("multiply", False),  # products shown, the sum comes next
    ("sum", True),
    ("slide", True),
    ("collect", True),
])
def test_the_sum_stays_a_question_until_the_sum_phase(ex, phase, answer_shown):
    ex.phase.value = phase
    arithmetic = ex.caption.splitlines()[1]
    assert arithmetic.endswith("= \u22124") is answer_shown
    assert arithmetic.endswith("= ?") is not answer_shown
    assert ex.view_model["rules"][phase]["answer"] is answer_shown
    assert frame(ex.view_model, 0, phase)["sums"] == ["sum = \u22124" if answer_shown else
                                                      ("sum = ?" if phase == "multiply" else "")]


def test_padding_changes_the_window_range_and_formula(ex):
    ex.padding.value = 1
    assert ex.step.max == 25 and ex.view_model["windows"]["count"] == 25
    assert "⌊(5 + 2·1 − 3)/1⌋ + 1 = 5" in ex.caption
    assert ex.view_model["panels"]["input"]["title"] == "input (padded)"


def test_window_is_clipped_when_the_output_shrinks(ex):
    ex.padding.value = 1
    ex.step.value = 25
    ex.padding.value = 0
    assert ex.step.value == 9 and ex.step.max == 9 and ex.widget.window == 9


def test_stride_two_skips_every_other_window(ex):
    ex.stride.value = 2
    assert ex.step.max == 4
    assert [frame(ex.view_model, i, "place")["window"][:2] for i in range(4)] == [[0, 0], [0, 2], [2, 0], [2, 2]]


def test_stride_that_leaves_rows_unvisited_says_which(ex):
    ex.stride.value = 4  # one window: rows/columns 3 and 4 are never seen
    assert "never reaches input rows 3 and 4, and columns 3 and 4" in ex.caption
    assert ex.view_model["panels"]["input"]["unvisited_rows"] == [3, 4]
    ex.padding.value = 1  # 7 padded rows, windows at rows 0-2 and 4-6: input row 2 (padded row 3) is skipped
    assert "never reaches input row 2, and column 2 " in ex.caption


def test_kernel_larger_than_padded_input_is_explained_not_raised(ex):
    ex.kernel_size.value = 7
    assert "does not fit" in ex.caption
    assert "padding of at least 1" in ex.caption and "filter size of 5 or less" in ex.caption
    assert ex.view_model["message"] == ex.caption and ex.view_model["windows"]["count"] == 0
    assert ex.walk is None and ex.step.disabled
    ex.padding.value = 1  # 7x7 fits in the 7x7 padded input again
    assert "does not fit" not in ex.caption and not ex.step.disabled
    assert ex.view_model["message"] == ""


MISFITS = [
    # (operation, setting that does not fit, its phases, what the window counter counts)
    ("convolution", dict(kernel_size=7), ["place", "multiply", "sum", "slide", "collect"], "windows"),  # 7x7 on 5x5
    ("max pooling", dict(kernel_size=2, padding=3), ["place", "max", "slide", "collect"], "windows"),  # pad > size/2
    ("average pooling", dict(kernel_size=2, padding=2), ["place", "mean", "slide", "collect"], "windows"),
    # transposed convolution: the padding crops more than the output has
    ("transposed convolution", dict(kernel_size=1, padding=3), ["place", "multiply", "add", "slide"], "pixels"),
]


@pytest.mark.parametrize("operation, setting, phases, units", MISFITS, ids=[m[0] for m in MISFITS])
def test_a_setting_that_does_not_fit_keeps_the_operations_phases_and_words(operation, setting, phases, units):
    ex = Explorer(operation=operation, kernel_size=setting.get("kernel_size", 3), stride=1)
    ex.step.value = 2
    for name, value in setting.items():
        getattr(ex, name).value = value
    vm = ex.view_model
    assert vm["message"] and ex.caption == vm["message"], ex.caption  # the reason, in the caption
    assert vm["phases"] == phases and list(ex.phase.options) == phases  # not convolution's five
    assert vm["operation"] == operation and ex.phase.value in phases
    assert vm["windows"]["count"] == 0 and ex.step.disabled
    assert vm["windows"]["label"] == f"no {units}: this setting does not fit"  # no stale "Window 2 of 9"
    assert "kernel" not in vm["message"]  # the lesson's word is "filter"


def test_kernel_size_keeps_the_family(ex):
    ex.family.value = "box blur"
    ex.kernel_size.value = 5
    np.testing.assert_allclose(ex.walk.kernel, make_kernel("box blur", 5))
    assert ex.view_model["panels"]["filter"]["rows"] == 5


def test_every_family_is_offered_to_the_page(ex):
    assert ex.widget.families == list(FAMILIES)
    assert ex.widget.operations == []  # one operation: the page hides its chooser


def test_flip_rotates_the_filter(ex):
    ex.flip.value = True
    np.testing.assert_array_equal(ex.walk.kernel, make_kernel("vertical edge", 3)[::-1, ::-1])
    assert "= 4" in ex.caption.splitlines()[1]
    assert "flipped" in ex.view_model["panels"]["filter"]["title"]


def test_dilation_spreads_the_sampled_cells(ex):
    ex.padding.value = 2
    ex.dilation.value = 2
    assert ex.view_model["windows"]["span"] == [5, 5]
    assert frame(ex.view_model, 0, "place")["sampled"][:3] == [[0, 0], [0, 2], [0, 4]]


def test_custom_kernel_is_offered_as_custom_at_its_own_size():
    ex = Explorer(kernel=np.array([[0, 1], [1, 0]]))
    assert ex.family.value == "custom" and "custom" in ex.family.options and "custom" in ex.widget.families
    assert ex.kernel_size.value == 2
    assert ex.step.max == 16
    ex.kernel_size.value = 3  # another size: a family kernel at that size
    assert ex.family.value == "vertical edge"
    ex.family.value = "custom"
    assert ex.kernel_size.value == 2


def test_rgb_input_adds_the_channel_sums():
    ex = Explorer(sample_photo((6, 6), rgb=True), padding=1)
    lines = ex.caption.splitlines()
    assert [l.split(":")[0] for l in lines[1:5]] == ["R", "G", "B", "total"]
    vm = ex.view_model
    assert vm["channels"] == ["R", "G", "B"] and len(vm["panels"]["input"]["codes"]) == 3
    assert len(frame(vm, 0, "multiply")["grids"]["products"]) == 3


def test_photo_has_no_numbers_in_the_input_panel():
    ex = Explorer(sample_photo(32))
    assert ex.view_model["panels"]["input"]["numbers"] is False
    assert ex.step.max == 30 * 25


def test_a_64_pixel_photo_walks_every_window_and_only_the_engine_limit_refuses():
    ex = Explorer(sample_photo(64))  # 64x55: 62 x 53 windows, once refused by a page cap
    assert ex.walk is not None and ex.step.max == 62 * 53
    assert ex.caption.startswith("Window 1 of 3,286 ·")
    big = Explorer(np.zeros((300, 300)), kernel=np.ones((1, 1)))  # 90,000 windows > the engine's walk limit
    assert big.walk is None and f"at most {PAGE_MAX_WINDOWS:,}" in big.caption


def test_settings_recompute_once_and_stepping_never(ex):
    before = ex.compute_count
    for i in range(1, 10):
        ex.step.value = i
    for p in PHASES:
        ex.phase.value = p
    assert ex.compute_count == before
    ex.stride.value = 2
    ex.padding.value = 1
    assert ex.compute_count == before + 2
    ex.padding.value = 1  # no change, no work
    assert ex.compute_count == before + 2


def test_a_setting_from_the_page_recomputes_in_python(ex):
    ex.widget.stride = 2  # what the page's stride slider sends
    assert ex.stride.value == 2 and ex.step.max == 4
    assert ex.view_model["windows"]["count"] == 4


def test_value_widgets_from_python_reach_the_view(ex):
    ex.stride.value, ex.padding.value, ex.kernel_size.value = 2, 1, 5
    ex.dilation.value, ex.flip.value, ex.family.value = 1, True, "box blur"
    w = ex.widget
    assert (w.stride, w.padding, w.kernel_size, w.dilation, w.flip, w.family) == (2, 1, 5, 1, True, "box blur")


def test_slider_ranges_reach_the_page(ex):
    assert ex.widget.limits == {"stride": [1, 4], "padding": [0, 3], "kernel_size": [1, 7], "dilation": [1, 3]}


def test_one_line_lesson_cells_choose_window_phase_and_basic_mode():
    ex = Explorer(window=4, phase="sum", basic=True)
    assert (ex.step.value, ex.phase.value, ex.widget.basic) == (4, "sum", True)
    assert ex.caption.startswith("Window 4 of 9 · sum")
    assert Explorer(step=2).step.value == 2  # `step` is a synonym, numbered from 1 too
    assert Explorer(family="box blur", kernel_size=5, padding=2).walk.kernel.shape == (5, 5)


def test_old_keyword_live_is_still_accepted():
    assert Explorer(live="png").caption.startswith("Window 1 of 9")


def test_the_display_bundle_carries_the_view_a_picture_and_the_caption(ex):
    ex.step.value, ex.phase.value = 2, "sum"
    data, metadata = ex._repr_mimebundle_()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.widget.model_id
    assert data["text/plain"] == ex.caption
    assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert metadata["image/png"]["alt"] == "The Explorer. Window 2 of 9 · sum: the products add up to 2."
    # JupyterLab ignores a PNG's alt metadata: the same picture as an <img> with that alt
    assert data["text/html"].startswith('<img src="data:image/png;base64,' + data["image/png"] + '"')
    assert 'alt="The Explorer. Window 2 of 9 · sum: the products add up to 2."' in data["text/html"]


def test_building_the_explorer_loads_no_matplotlib():
    code = ("import sys; from convlab.widgets import Explorer; ex = Explorer(); ex.step.value = 3; "
            "ex.stride.value = 2; assert 'matplotlib' not in sys.modules, 'matplotlib imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_browser_view_ships_its_script_and_style(ex):
    assert "export default" in ex.widget._esm and "aria-live" in ex.widget._esm
    assert ".convlab-explorer" in ex.widget._css and "focus-visible" in ex.widget._css


@pytest.mark.parametrize("kwargs, phrase", [
    (dict(image="abc"), "image must be an array of numbers"),  # was numpy's "could not convert string to float"
    (dict(image=[[1, 2], [3]]), "rows of different lengths"),  # was numpy's inhomogeneous-shape error
    (dict(image=[1, 2, 3]), "got a 1-D array"),  # was raised
    (dict(kernel="1 0 -1"), "kernel must be an array of numbers"),  # typed text is not a kernel
    (dict(kernel=[[1, 0], [1]]), "kernel must be a rectangular grid"),
])
def test_a_bad_image_or_kernel_is_explained_in_the_view_not_raised(kwargs, phrase):
    ex = Explorer(**kwargs)
    assert ex.walk is None and phrase in ex.caption and phrase in ex.view_model["message"]
    assert ex.step.disabled
    ex.stride.value = 2  # the controls keep working and keep explaining
    assert phrase in ex.caption


@pytest.mark.parametrize("kwargs, exc, pattern", [
    (dict(stride=0), ValueError, r"stride must be a positive integer; got 0"),  # was silently clamped to 1
    (dict(padding=-1), ValueError, r"padding must be a non-negative integer .*; got -1"),  # was clamped to 0
    (dict(padding="same"), TypeError, r"padding must be .* for the Explorer's slider; got 'same'"),  # TraitError
    (dict(dilation=1.5), TypeError, r"dilation must be a positive integer .*; got 1.5"),
    (dict(flip="yes"), TypeError, r"flip must be True .* got 'yes'"),  # was bool("yes")
    (dict(window=0), ValueError, r"window must be a window number .*; got 0"),  # windows count from 1
    (dict(window=10), ValueError, r"window must be between 1 and 9 for these settings; got 10"),
    (dict(phase="add"), ValueError, r"phase must be one of 'place', .*; got 'add'"),
    (dict(family="sobel"), ValueError, r"family must be one of .*; got 'sobel'"),
])
def test_bad_settings_are_refused_by_name(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        Explorer(**kwargs)


def test_settings_beyond_the_slider_range_widen_the_slider_instead_of_being_clamped():
    ex = Explorer(np.zeros((12, 12)), stride=5, padding=4, dilation=4)
    assert (ex.stride.value, ex.padding.value, ex.dilation.value) == (5, 4, 4)
    assert ex.widget.limits["stride"] == [1, 5] and ex.stride.max == 5
    assert "stride=5" in repr(ex)
    assert "/5⌋" in ex.caption


def test_seed_walk_matches_the_view_model_caption_source(ex):
    walk = compute_walk(SEED_IMAGE, make_kernel("vertical edge", 3))
    assert ex.caption == step_caption(walk, 0, "collect")


def test_other_operations_paint_from_their_view_models_with_their_own_phases():
    ex = Explorer(operations=["convolution", "max pooling", "transposed convolution"], stride=2)
    assert ex.widget.operations == ["convolution", "max pooling", "transposed convolution"]  # chooser shown
    ex.kernel_size.value = 2
    ex.widget.operation = "max pooling"  # what the page's chooser sends
    assert ex.view_model["operation"] == "max pooling" and "filter" not in ex.view_model["panels"]
    assert list(ex.phase.options) == ex.view_model["phases"] == ["place", "max", "slide", "collect"]
    ex.phase.value = "max"
    assert ex.caption.startswith("Window 1 of 4 · max") and ex.walk is None
    ex.widget.operation = "transposed convolution"
    assert ex.view_model["phases"] == ["place", "multiply", "add", "slide"] and ex.phase.value == "slide"
    assert "history" in ex.view_model["panels"]["map"]  # each output cell's value after every block
    ex.widget.operation = "convolution"
    assert list(ex.phase.options) == list(PHASES) and ex.walk is not None


def test_all_operations_on_offer():
    assert Explorer(operations="all").widget.operations == ["convolution", "transposed convolution", "max pooling",
                                                            "average pooling"]


def test_one_line_pooling_cell():
    ex = Explorer(operation="average pooling", kernel_size=2, stride=2, phase="mean", window=2)
    assert ex.caption.startswith("Window 2 of 4 · mean") and ex.widget.operations == []
    with pytest.raises(ValueError, match=r"phase must be one of .* for max pooling; got 'sum'"):
        Explorer(operation="max pooling", kernel_size=2, phase="sum")
    with pytest.raises(ValueError, match=r"operation must be one of .*; got 'pooling'"):
        Explorer(operation="pooling")


def test_showing_a_widget_leaves_no_garbage_from_its_picture(monkeypatch):
    # the static picture is drawn on a figure of its own, thousands of artists in reference cycles
    import gc

    from matplotlib.figure import Figure

    from convlab._shared import memory

    trims = []
    monkeypatch.setattr(memory, "_malloc_trim", lambda: lambda pad: trims.append(pad))

    def figures():
        return sum(isinstance(o, Figure) for o in gc.get_objects())

    explorer = Explorer(image=np.arange(64.0).reshape(8, 8), kernel=np.ones((3, 3)))
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()  # only the collection after the picture may free it
    try:
        before = figures()
        data, _ = explorer._repr_mimebundle_()
        assert "image/png" in data
        assert figures() == before, "the picture's figure was left for the collector's next full pass"
        assert trims == [0], "the memory the picture's figure used was kept, not handed back"
    finally:
        if enabled:
            gc.enable()
