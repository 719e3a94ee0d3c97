"""The Explorer, headless: build it, set widget values as a learner would, read the caption and artists."""

from __future__ import annotations

import numpy as np
import pytest

from convlab import Explorer
from convlab.core.walk import PHASES
from convlab.images import SEED_IMAGE, sample_photo
from convlab.kernels import FAMILIES, make_kernel


@pytest.fixture
def ex():
    return Explorer()


def test_defaults_are_the_seed_lesson(ex):
    assert ex.walk.image.tolist() == SEED_IMAGE.tolist()
    assert ex.family.value == "vertical edge" and ex.kernel_size.value == 3
    assert (ex.stride.value, ex.padding.value, ex.dilation.value, ex.flip.value) == (1, 0, 1, False)
    assert ex.step.value == 0 and ex.step.max == 8


def test_first_window_caption_shows_minus_four_with_a_unicode_minus(ex):
    assert "= \u22124" in ex.caption
    assert "1×1 + 2×0 + 3×(−1)" in ex.caption
    assert "-4" not in ex.caption  # never an ASCII hyphen as a minus sign
    assert "\u22124" in ex.caption_widget.value  # and it is what the page shows


def test_phase_offers_exactly_the_five_steps(ex):
    assert list(ex.phase.options) == ["place", "multiply", "sum", "slide", "collect"] == list(PHASES)


def test_moving_the_step_slider_moves_the_window_and_fills_the_map(ex):
    ex.step.value = 4  # centre window of the 3x3 output
    assert ex.figure is ex._drawer.figure
    assert ex._drawer.window.get_xy() == (0.5, 0.5)
    data = ex._drawer.visible_map()
    assert data.mask.ravel().tolist() == [False] * 5 + [True] * 4  # computed cells shown, future blank
    assert data[0, 0] == -4
    assert ex.caption.startswith("Window 5 of 9")


@pytest.mark.parametrize("phase, filled", [
    ("place", 0),     # nothing collected yet for window 0
    ("multiply", 0),
    ("sum", 0),
    ("slide", 1),     # the value has been written before the filter moves on
    ("collect", 1),
])
def test_each_phase_fills_the_feature_map_at_its_moment(ex, phase, filled):
    ex.phase.value = phase
    mask = ex._drawer.visible_map().mask
    assert int((~mask).sum()) == filled
    assert phase in ex.caption.splitlines()[0]


def test_place_hides_the_products_and_multiply_shows_them(ex):
    ex.phase.value = "place"
    assert all(t.get_text() == "" for t in ex._drawer._product_texts[0])
    assert ex._drawer.arithmetic_text.get_text().endswith("= ?")
    ex.phase.value = "multiply"
    assert [t.get_text() for t in ex._drawer._product_texts[0]][:3] == ["1", "0", "\u22123"]


def test_place_caption_keeps_the_sum_a_question_like_the_figure(ex):
    ex.phase.value = "place"
    assert ex.caption.splitlines()[1].endswith("= ?")  # the text equivalent does not give the answer away
    assert "\u22124" not in ex.caption
    ex.phase.value = "sum"
    assert ex.caption.splitlines()[1].endswith("= \u22124")


def test_slide_shows_a_ghost_of_the_next_window(ex):
    ex.phase.value = "slide"
    ghost = ex._drawer._ghosts[0]
    assert ghost.get_visible() and ghost.get_xy() == (0.5, -0.5)
    assert ex._drawer.arrow.get_visible()
    ex.step.value = 8  # last window: nowhere to slide to
    assert not ghost.get_visible()
    assert "last window" in ex.caption


def test_collect_links_the_window_to_its_feature_map_cell(ex):
    ex.step.value = 5
    assert ex._drawer.link.get_visible()
    assert ex._drawer.current_cell.get_xy() == (1.5, 0.5)


def test_padding_changes_the_step_range_and_formula(ex):
    ex.padding.value = 1
    assert ex.step.max == 24
    assert "⌊(5 + 2·1 − 3)/1⌋ + 1 = 5" in ex.caption
    assert ex._drawer.ax_input[0].get_title() == "input (padded)"


def test_step_value_is_clipped_when_the_output_shrinks(ex):
    ex.padding.value = 1
    ex.step.value = 24
    ex.padding.value = 0
    assert ex.step.value == 8 and ex.step.max == 8


def test_stride_two_skips_every_other_window(ex):
    ex.stride.value = 2
    assert ex.step.max == 3
    ex.step.value = 1
    assert ex._drawer.window.get_xy() == (1.5, -0.5)


def test_stride_that_leaves_rows_unvisited_says_which(ex):
    ex.stride.value = 4  # one window: rows/columns 3 and 4 are never seen
    assert "never reaches input rows 3 and 4, and columns 3 and 4" in ex.caption
    ex.padding.value = 1  # 7 padded rows, windows at rows 0-2 and 4-6: input row 2 (padded row 3) is skipped
    assert "never reaches input row 2, and column 2 " in ex.caption


def test_kernel_larger_than_padded_input_is_explained_not_raised(ex):
    ex.kernel_size.value = 7
    assert "does not fit" in ex.caption
    assert "padding 1 or more" in ex.caption and "filter size of 5 or less" in ex.caption
    assert ex.step.disabled
    ex.padding.value = 1  # 7x7 fits in the 7x7 padded input again
    assert "does not fit" not in ex.caption and not ex.step.disabled


def test_kernel_size_keeps_the_family(ex):
    ex.family.value = "box blur"
    ex.kernel_size.value = 5
    np.testing.assert_allclose(ex.walk.kernel, make_kernel("box blur", 5))


def test_flip_rotates_the_filter(ex):
    ex.flip.value = True
    np.testing.assert_array_equal(ex.walk.kernel, make_kernel("vertical edge", 3)[::-1, ::-1])
    assert "= 4" in ex.caption.splitlines()[1]
    assert "flipped" in ex._drawer.ax_filter[0].get_title()


def test_dilation_marks_the_sampled_cells(ex):
    ex.padding.value = 2
    ex.dilation.value = 2
    sampled = ex._drawer._sampled[0]
    assert sampled.get_visible() and len(sampled.get_paths()) == 9


def test_custom_kernel_is_offered_as_custom_at_its_own_size():
    k = np.array([[0, 1], [1, 0]])
    ex = Explorer(kernel=k)
    assert ex.family.value == "custom" and "custom" in ex.family.options
    assert ex.kernel_size.value == 2
    assert ex.step.max == 15
    ex.kernel_size.value = 3  # another size: a family kernel at that size
    assert ex.family.value == "vertical edge"
    ex.family.value = "custom"
    assert ex.kernel_size.value == 2


def test_rgb_input_adds_the_channel_sums():
    ex = Explorer(sample_photo((6, 6), rgb=True), padding=1)
    lines = ex.caption.splitlines()
    assert [l.split(":")[0] for l in lines[1:5]] == ["R", "G", "B", "total"]
    assert len(ex._drawer.ax_input) == 3


def test_photo_has_no_numbers_in_the_input_panel():
    ex = Explorer(sample_photo(32))
    assert ex._drawer._fs_input == 0
    assert ex.step.max == 30 * 25 - 1


def test_settings_recompute_the_steps_once_and_steps_do_not(ex):
    before = ex.compute_count
    for i in range(9):
        ex.step.value = i
    for p in PHASES:
        ex.phase.value = p
    assert ex.compute_count == before
    ex.stride.value = 2
    ex.padding.value = 1
    assert ex.compute_count == before + 2


def test_css_classes_for_browser_tests(ex):
    assert "convlab-explorer" in ex.widget._dom_classes
    assert "convlab-caption" in ex.caption_widget._dom_classes
    assert "convlab-figure" in ex._figure_box._dom_classes
    for name, cls in [("stride", "convlab-stride"), ("padding", "convlab-padding"),
                      ("kernel_size", "convlab-kernel-size"), ("step", "convlab-step")]:
        assert cls in getattr(ex, name)._dom_classes


def test_play_drives_the_step_slider(ex):
    ex.play.value = 3
    assert ex.step.value == 3
    assert ex.caption.startswith("Window 4 of 9")


def test_png_fallback_renders_an_image():
    ex = Explorer(live="png")
    first = ex._canvas_widget.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    ex.step.value = 1
    assert ex._canvas_widget.value != first


def test_the_explorer_displays_as_a_widget(ex):
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


@pytest.mark.parametrize("kwargs, phrase", [
    (dict(image="abc"), "image must be an array of numbers"),  # was numpy's "could not convert string to float"
    (dict(image=[[1, 2], [3]]), "rows of different lengths"),  # was numpy's inhomogeneous-shape error
    (dict(image=[1, 2, 3]), "got a 1-D array"),  # was raised
    (dict(kernel="1 0 -1"), "kernel must be an array of numbers"),  # typed text is not a kernel
    (dict(kernel=[[1, 0], [1]]), "kernel must be a rectangular grid"),
])
def test_a_bad_image_or_kernel_is_explained_in_the_widget_not_raised(kwargs, phrase):
    ex = Explorer(**kwargs)
    assert ex.walk is None and phrase in ex.caption
    assert ex.step.disabled
    ex.stride.value = 2  # the controls keep working and keep explaining
    assert phrase in ex.caption


@pytest.mark.parametrize("kwargs, exc, pattern", [
    (dict(stride=0), ValueError, r"stride must be a positive integer; got 0"),  # was silently clamped to 1
    (dict(padding=-1), ValueError, r"padding must be a non-negative integer .*; got -1"),  # was clamped to 0
    (dict(padding="same"), TypeError, r"padding must be .* for the Explorer's slider; got 'same'"),  # TraitError
    (dict(dilation=1.5), TypeError, r"dilation must be a positive integer .*; got 1.5"),
    (dict(flip="yes"), TypeError, r"flip must be True .* got 'yes'"),  # was bool("yes")
])
def test_bad_settings_are_refused_by_name_before_any_work(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        Explorer(**kwargs)


def test_settings_beyond_the_slider_range_widen_the_slider_instead_of_being_clamped():
    ex = Explorer(np.zeros((12, 12)), stride=5, padding=4, dilation=4)
    assert (ex.stride.value, ex.padding.value, ex.dilation.value) == (5, 4, 4)
    assert "stride 5" in repr(ex) or "stride=5" in repr(ex)
    assert "/5⌋" in ex.caption
