"""Accessibility of the lessons' widgets, headless: every control has a name, every picture a description,
every number written on a coloured cell WCAG AA contrast (4.5:1). What the browser renders is audited by
axe-core in ``tests/browser/test_accessibility.py``.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from convlab.nets.learn import learn_kernel, make_targets
from convlab.lessons.receptive import conv_stage, pointwise_stage, pool_stage
from convlab.figures import network as netfig
from convlab.figures.lesson import contrast_ratio
from convlab.images import SEED_IMAGE, stripes
from convlab.kernels import SOBEL_X, VERTICAL_EDGE
from convlab.widgets.controls import LiveText, Picture, PlayButton, Slider
from convlab.widgets.lesson_widgets import BringYourOwn, LearningViewer
from convlab.widgets.network import ReceptiveFieldViewer
from convlab.widgets.quiz import Quiz

# ------------------------------------------------------------------ the controls


@pytest.mark.parametrize("make, match", [
    (lambda: Slider(description=""), "description must name the control"),       # no accessible name
    (lambda: Slider(description="   "), "description must name the control"),    # blank is no name either
    (lambda: PlayButton(description=None), "description must name the control"),
    (lambda: Picture(b"", alt=""), "alt must name the control"),                  # an image needs its description
    (lambda: Slider(description="row", min=3, max=2), "max must be at least min"),
    (lambda: Slider(description="row", step=0), "step must be a positive integer"),
    (lambda: PlayButton(description="steps", interval=0), "interval must be at least 10"),
])
def test_a_control_without_a_name_or_with_an_impossible_range_is_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_slider_clamps_like_intslider():
    s = Slider(4, min=0, max=5, description="row")
    s.value = 9                 # beyond the end: the end
    assert s.value == 5
    s.value = -3
    assert s.value == 0
    s.value = 4
    s.max = 2                   # a narrower range moves the value into it
    assert s.value == 2


def test_picture_keeps_an_alt_text():
    p = Picture(b"\x89PNG", alt="A grid.")
    with pytest.raises(ValueError, match="alt"):
        p.alt = ""


def test_quiz_verdict_is_in_a_live_region():
    from convlab.lessons.exercises import check_output_size

    q = Quiz(check_output_size, "Output width?", 7, 3, stride=2, padding=1)
    assert isinstance(q.feedback, LiveText)
    q.submit("4")
    assert "4" in q.feedback.value
    assert q.answer.description == "Your answer"     # the text box's <label>


# ------------------------------------------------------------------ the lessons' widgets


def _viewer():
    layers = [(conv_stage(3, padding=1), np.ones((1, 3, 3))), (pointwise_stage(), None), (pool_stage(2), None),
              (conv_stage(3, padding=1), np.ones((1, 3, 3)))]
    return ReceptiveFieldViewer(np.arange(16.0 * 16).reshape(16, 16), layers)


def _learning_viewer():
    imgs = [stripes(8, 2)]
    run = learn_kernel(imgs, make_targets(imgs, VERTICAL_EDGE), steps=10, learning_rate=0.2)
    return LearningViewer(run, imgs[0], make_targets(imgs, VERTICAL_EDGE)[0])


def test_learning_viewer_has_named_controls_and_a_described_picture():
    v = _learning_viewer()
    assert isinstance(v.step, Slider) and v.step.description == "training step"
    assert isinstance(v.play, PlayButton) and v.play.description == "training steps"
    assert v.image_widget.alt.startswith("The kernel after 0 of 10 training steps")
    v.step.value = 7
    assert v.image_widget.alt.startswith("The kernel after 7 of 10 training steps")


def test_bring_your_own_picture_is_described_with_its_sizes():
    b = BringYourOwn(size=16)
    assert b.size.description.startswith("image size")
    assert "16 by 14 pixels" in b.image_widget.alt and "14 by 12 feature map" in b.image_widget.alt


def test_receptive_field_viewer_describes_its_picture_and_moves_both_sliders_into_a_smaller_layer():
    v = _viewer()
    v.layer.value = 1                       # 16x16 map
    v.row.value, v.col.value = 15, 15
    v.layer.value = 3                       # 8x8 map: both cells move inside it, one redraw, no error
    assert (v.row.value, v.col.value) == (7, 7)
    assert v.image_widget.alt.endswith(v.caption.splitlines()[0])
    assert "outlined in blue" in v.image_widget.alt


# ------------------------------------------------------------------ numbers on coloured cells


def _over_white(rgba) -> np.ndarray:
    rgba = np.asarray(rgba, dtype=float)
    return rgba[..., :3] * rgba[..., 3:4] + (1 - rgba[..., 3:4])


def number_contrasts(fig) -> list[tuple[str, float]]:
    """(text, WCAG contrast ratio with the image cell under it) for every number written on an image."""
    fig.canvas.draw()
    found = []
    for ax in fig.axes:
        for im in ax.images:
            rgba = im.to_rgba(im.get_array())
            h, w = rgba.shape[:2]
            left, right, bottom, top = im.get_extent()
            for t in ax.texts:
                text = t.get_text().strip()
                if not text or not t.get_visible() or t.get_transform() != ax.transData:
                    continue
                x, y = t.get_position()
                col = math.floor((x - left) / (right - left) * w)
                row = math.floor((y - top) / (bottom - top) * h) if im.origin == "upper" else \
                    math.floor((y - bottom) / (top - bottom) * h)
                if not (0 <= row < h and 0 <= col < w):
                    continue
                cell, ink = _over_white(rgba[row, col]), _over_white(to_rgba(t.get_color()))
                found.append((text, contrast_ratio(cell, ink)))
    return found


def _photo_kernels():
    return np.stack([SOBEL_X, -SOBEL_X, SOBEL_X.T, -SOBEL_X.T])


# Every figure of the suite's own widgets and lesson 07 that writes numbers on cells (the lessons' static
# figures are checked in tests/test_lessons.py; the Explorer's view in its own tests).
FIGURES = {
    "LearningViewer": lambda: _learning_viewer().figure,
    "BringYourOwn": lambda: BringYourOwn(size=16, kernel_text="1 0 -1\n2 0 -2\n1 0 -1").figure,
    "filter_bank of edge filters (lesson 07)": lambda: netfig.filter_bank(_photo_kernels()),
    "filter_bank of random weights (lesson 07)":
        lambda: netfig.filter_bank(np.random.default_rng(0).normal(size=(8, 3, 3))),
    "filter_bank of the seed image (pixel values)": lambda: netfig.filter_bank(SEED_IMAGE[None]),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_numbers_written_on_cells_meet_wcag_aa(name):
    import matplotlib.pyplot as plt

    contrasts = number_contrasts(FIGURES[name]())
    plt.close("all")
    assert contrasts, f"{name}: no number found on a cell (the check would be empty)"
    low = [(text, round(ratio, 2)) for text, ratio in contrasts if ratio < 4.5]
    assert not low, f"{name}: numbers below 4.5:1 against their cell: {low[:10]}"


# One contrast function and one ink chooser (convlab.views.palette) serve the view model, the lessons' figures
# and these tests. Ratios below are WebAIM's contrast checker's published values.
@pytest.mark.parametrize("a, b, ratio", [
    ("#000000", "#ffffff", 21.0),  # the largest ratio there is
    ("#ffffff", "#000000", 21.0),  # the order of the two colours does not matter
    ("#767676", "#ffffff", 4.54),  # the darkest gray that passes AA on white, a classic reference value
    ("#777777", "#ffffff", 4.48),  # one step lighter fails it
    ("#336699", "#336699", 1.0),  # a colour against itself: no contrast
    ((0.0, 0.0, 0.0, 1.0), (1.0, 1.0, 1.0), 21.0),  # RGBA values 0..1 as matplotlib gives them; alpha ignored
])
def test_contrast_ratio_matches_wcag_reference_values(a, b, ratio):
    from convlab.views.palette import contrast_ratio as palette_contrast

    assert palette_contrast(a, b) == pytest.approx(ratio, abs=0.01)
    assert palette_contrast is contrast_ratio  # the figures' name is the same function


def test_ink_takes_hex_or_rgb_and_always_reaches_aa_on_the_views_scales():
    from convlab.views.palette import gray_fill, ink, signed_fill

    fills = signed_fill(np.linspace(-1, 1, 101), 1.0) + gray_fill(np.linspace(0, 1, 101), 0.0, 1.0)
    inks = ink(fills)
    assert set(inks) == {"#000000", "#ffffff"}  # both are used across these scales
    assert np.all(contrast_ratio(fills, inks) >= 4.5)
    rgb = np.array([[int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)] for h in fills])
    assert ink(rgb) == inks  # the figures pass cmap(norm(values)); the view model passes hex strings


@pytest.mark.parametrize("bad", [[[0.1, 0.2]], 0.5])  # two channels; a bare number is no colour
def test_contrast_ratio_refuses_values_that_are_not_colours(bad):
    with pytest.raises(ValueError, match="sRGB"):
        contrast_ratio(bad, "#ffffff")
