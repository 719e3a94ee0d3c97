"""The step figure (matplotlib only): built once, updated in place, every frame with a text equivalent."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from convlab.core.walk import PHASES, explain_settings, step_caption
from convlab.core.walk import compute_walk as _compute_walk
from convlab.figures import StepFigure, draw_step_figure, save_animation
from convlab.images import SEED_IMAGE, SEED_KERNEL, sample_photo


def compute_walk(image=None, kernel=None, **settings):
    return _compute_walk(SEED_IMAGE if image is None else image, SEED_KERNEL if kernel is None else kernel, **settings)


def test_static_figure_has_the_four_panels_labelled_in_words():
    fig = draw_step_figure()
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].startswith("input") and titles[1] == "filter"
    assert titles[2].startswith("products") and titles[3] == "feature map"
    texts = [t.get_text() for t in fig.texts]
    assert any("= \u22124" in t for t in texts)  # the arithmetic is in the figure itself
    assert any("output size" in t for t in texts)


@pytest.mark.parametrize("phase", PHASES)
def test_every_phase_has_a_text_equivalent(phase):
    fig = draw_step_figure(step=3, phase=phase, padding=1)
    first = fig.convlab_caption.splitlines()[0]
    assert first.startswith("Window 4 of 25") and phase in first


def test_unknown_phase_names_the_choices():
    with pytest.raises(ValueError, match="place"):
        draw_step_figure(phase="walk")


def test_numbers_written_in_the_cells_of_a_small_grid():
    fig = draw_step_figure()
    input_numbers = [t.get_text() for t in fig.axes[0].texts]
    assert input_numbers[:5] == ["1", "2", "3", "0", "1"]
    filter_numbers = [t.get_text() for t in fig.axes[1].texts]
    assert filter_numbers[:3] == ["1", "0", "\u22121"]


def test_padding_cells_are_labelled_zero_and_hatched():
    fig = draw_step_figure(padding=1)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts[:7]] == ["0"] * 7
    assert any(p.get_hatch() == "///" for p in ax.patches)


def test_photo_gets_no_numbers_but_still_a_window():
    sf = StepFigure()
    sf.configure(compute_walk(sample_photo(24)))
    assert len(sf.ax_input[0].texts) == 0
    assert sf.window.get_width() == 3


def test_update_changes_artists_in_place_without_creating_any():
    sf = StepFigure()
    sf.configure(compute_walk(padding=1))
    before = {id(a) for ax in sf.figure.axes for a in ax.get_children()}
    for i in range(25):
        for phase in PHASES:
            sf.show(i, phase)
    after = {id(a) for ax in sf.figure.axes for a in ax.get_children()}
    assert before == after


def test_feature_map_fills_in_row_major_order():
    sf = StepFigure()
    sf.configure(compute_walk())
    sf.show(3, "collect")
    data = sf.visible_map()
    assert (~data.mask).sum() == 4
    np.testing.assert_array_equal(data[0], [-4, 2, 4])


def test_symmetric_colour_limits_for_signed_values():
    sf = StepFigure()
    sf.configure(compute_walk())
    lo, hi = sf.map_image.get_clim()
    assert lo == -hi == -4


def test_rgb_gets_one_row_per_channel_and_the_sums_add_up():
    walk = compute_walk(sample_photo((5, 5), rgb=True))
    text = step_caption(walk, 0, "sum")
    assert text.splitlines()[4].startswith("total:")
    sf = StepFigure()
    sf.configure(walk)
    assert len(sf.figure.axes) == 3 * 3 + 1
    s = walk.steps[0]
    assert np.isclose(s.channel_sums.sum(), s.value)


def test_explain_settings_says_what_would_fit():
    msg = explain_settings((5, 9), (7, 7))
    assert "padding 1 or more" in msg and "filter size of 5 or less" in msg
    assert "dilation" in explain_settings((5, 5), (3, 3), dilation=3)


def test_message_figure_replaces_the_panels():
    fig = draw_step_figure(kernel=np.ones((6, 6)))
    assert fig.axes == []
    assert "does not fit" in fig.convlab_caption


def test_configure_after_a_message_builds_the_panels_again():
    sf = StepFigure()
    sf.show_message("nope")
    sf.configure(compute_walk())
    assert len(sf.figure.axes) == 4 and sf.caption.startswith("Window 1 of 9")


def test_gif_has_one_frame_per_window(tmp_path):
    path = save_animation(tmp_path / "walk.gif", padding=0, dpi=30)
    with Image.open(path) as gif:
        assert gif.n_frames == 9


def test_gif_with_phases_has_five_frames_per_window_and_reports_progress(tmp_path):
    seen = []
    save_animation(tmp_path / "walk.gif", SEED_IMAGE[:4, :4], phases=True, dpi=30,
                   progress=lambda done, total: seen.append((done, total)))
    with Image.open(tmp_path / "walk.gif") as gif:
        assert gif.n_frames == 4 * 5
    assert seen[-1] == (20, 20)


@pytest.mark.parametrize("path, match", [
    ("walk.png", "must end in .gif"),                 # wrong format
    ("no/such/folder/walk.gif", "does not exist"),    # missing folder
])
def test_gif_bad_paths_are_explained(tmp_path, path, match):
    with pytest.raises(ValueError, match=match):
        save_animation(tmp_path / path)


def test_gif_bad_settings_are_explained(tmp_path):
    with pytest.raises(ValueError, match="does not fit"):
        save_animation(tmp_path / "x.gif", kernel=np.ones((9, 9)))
    with pytest.raises(TypeError, match="unknown setting"):
        save_animation(tmp_path / "x.gif", strides=2)


def test_grid_panel_follows_a_grid_that_grows_past_the_numbers_limit_and_back():
    import matplotlib.pyplot as plt

    from convlab.figures.lesson import NUMBERS_UP_TO, GridPanel, KernelResultFigure

    panel = GridPanel(Figure().add_subplot(), "filter")
    panel.update(-np.eye(3))
    image, texts = panel.image, list(panel.texts)
    panel.update(np.ones((NUMBERS_UP_TO + 1, 4)))  # too big for numbers: labels hidden, ticks gone
    assert not any(t.get_visible() for t in panel.texts) and list(panel.ax.get_xticks()) == []
    assert panel.image.get_clim() == (0.0, 2.0)  # all cells 1: the middle of the gray scale (mid-grey)
    panel.update(-np.eye(3))
    assert panel.image is image and panel.texts == texts
    assert [t.get_text() for t in texts] == ["−1", "0", "0", "0", "−1", "0", "0", "0", "−1"]
    assert panel.image.get_clim() == (-1.0, 1.0) and panel.image.get_cmap().name == "RdBu"
    open_figures = plt.get_fignums()
    KernelResultFigure()
    assert plt.get_fignums() == open_figures  # plain Figures: never left open in pyplot
