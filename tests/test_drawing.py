"""The step figure (matplotlib only): built once, updated in place, every frame with a text equivalent."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from convlab.views.walk import PHASES, VIEW_MAX_TERMS, explain_settings, frame, message_view, step_caption, view_model
from convlab.views.walk import compute_walk as _compute_walk
from convlab import format_number
from convlab.figures import StepFigure, draw_step_figure, save_animation
from convlab.figures.step_figure import frame_png
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
def test_every_phase_has_a_text_equivalent_equal_to_the_step_caption(phase):
    fig = draw_step_figure(step=4, phase=phase, padding=1)  # windows count from 1: step 4 is walk.steps[3]
    first = fig.convlab_caption.splitlines()[0]
    assert first.startswith("Window 4 of 25") and phase in first
    assert fig.convlab_caption == step_caption(compute_walk(padding=1), 3, phase, max_terms=VIEW_MAX_TERMS)


def test_step_counts_windows_from_one_like_the_explorer():
    from convlab.widgets import Explorer

    for step in (1, 2, 9):  # the first, the second and the last window of the seed walk
        ex = Explorer(window=step)
        fig = draw_step_figure(step=step)
        assert fig.convlab_caption.splitlines()[0].startswith(f"Window {step} of 9")
        assert fig.convlab_caption.splitlines()[0] == ex.caption.splitlines()[0]
    assert draw_step_figure(step=50).convlab_caption.startswith("Window 9 of 9")  # past the end: the last


def test_unknown_phase_names_the_choices():
    with pytest.raises(ValueError, match="place"):
        draw_step_figure(phase="walk")


@pytest.mark.parametrize("kwargs, exc, pattern", [
    (dict(step="a"), TypeError, "step"),   # was a raw numpy error deep inside
    (dict(step=-1), ValueError, "step"),   # negative windows do not exist
    (dict(step=0), ValueError, "numbered from 1"),  # windows count from 1, as the Explorer's: 0 says so
    (dict(step=2.5), TypeError, "whole window number"),  # half a window
    (dict(dpi=0), ValueError, "dpi"),      # was matplotlib's own error
    (dict(dpi="high"), TypeError, "dpi"),
    (dict(width=0), ValueError, "width"),  # a figure with no width
    (dict(width="wide"), TypeError, "width"),
])
def test_bad_figure_arguments_are_named_before_any_drawing(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        draw_step_figure(**kwargs)


def _painted(grid):
    """What a CellGrid shows: its labels and its cell colours as #rrggbb."""
    rgb = np.rint(grid.image.get_array()[..., :3].reshape(-1, 3) * 255).astype(int)
    return [t.get_text() for t in grid.texts], ["#%02x%02x%02x" % tuple(c) for c in rgb]


def test_the_figure_paints_exactly_the_frame_and_the_frame_the_engines_steps():
    walk = compute_walk(padding=1)
    vm = view_model(walk)
    sf = StepFigure()
    sf.configure(vm)
    for index in (0, 7, 24):
        s = walk.steps[index]
        for phase in PHASES:
            sf.show(index, phase)
            f = frame(vm, index, phase)
            for name, grids in sf.panels.items():
                for grid, cells in zip(grids, f["grids"][name]):
                    assert _painted(grid) == (cells["labels"], [c.lower() for c in cells["fill"]])
            products = f["grids"]["products"][0]["labels"]
            if vm["rules"][phase]["products"]:  # the engine's products, element by element
                assert products == [format_number(x, 2) for x in s.products.ravel()]
            else:
                assert set(products) == {""}
            labels = f["grids"]["map"][0]["labels"]
            filled = index + (phase == "collect")  # the value lands when "collect" says so, not before
            assert labels[:filled] == [format_number(x, 2) for x in walk.feature_map.ravel()[:filled]]
            assert set(labels[filled:]) <= {""}
            assert sf.window_corner() == (s.top, s.left)


def test_padding_cells_are_labelled_zero_and_hatched():
    fig = draw_step_figure(padding=1)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts[:7]] == ["0"] * 7
    assert any(p.get_hatch() == "///" for p in ax.patches)


def test_photo_gets_no_numbers_but_still_a_window():
    walk = compute_walk(sample_photo(24))
    sf = StepFigure()
    sf.configure(view_model(walk))
    assert sf.panels["input"][0].texts == []
    sf.show(30, "place")
    width = walk.feature_map.shape[1]
    assert sf.window_corner() == (30 // width, 30 % width)


def test_update_changes_artists_in_place_without_creating_any():
    sf = StepFigure()
    sf.configure(view_model(compute_walk(padding=1)))
    before = {id(a) for ax in sf.figure.axes for a in ax.get_children()}
    for i in range(25):
        for phase in PHASES:
            sf.show(i, phase)
    after = {id(a) for ax in sf.figure.axes for a in ax.get_children()}
    assert before == after


def test_rgb_gets_one_row_per_channel_and_the_sums_add_up():
    walk = compute_walk(sample_photo((5, 5), rgb=True))
    text = step_caption(walk, 0, "sum")
    assert text.splitlines()[4].startswith("total:")
    sf = StepFigure()
    sf.configure(view_model(walk))
    assert len(sf.figure.axes) == 3 * 3 + 1
    s = walk.steps[0]
    assert np.isclose(s.channel_sums.sum(), s.value)


def test_explain_settings_says_what_would_fit():
    msg = explain_settings((5, 9), (7, 7))
    assert "padding of at least 1" in msg and "filter size of 5 or less" in msg
    assert "dilation" in explain_settings((5, 5), (3, 3), dilation=3)


def test_message_figure_replaces_the_panels():
    fig = draw_step_figure(kernel=np.ones((6, 6)))
    assert fig.axes == []
    assert "does not fit" in fig.convlab_caption


def test_configure_after_a_message_builds_the_panels_again():
    sf = StepFigure()
    sf.configure(message_view("nope"))
    assert sf.caption == "nope"
    sf.configure(view_model(compute_walk()))
    assert len(sf.figure.axes) == 4 and sf.caption.startswith("Window 1 of 9")


def test_frame_png_is_a_png_of_the_frame():
    png = frame_png(view_model(compute_walk()), 2, "multiply", dpi=40)
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.size[0] == 400


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


@pytest.mark.parametrize("width, expected", [
    (None, 1280),   # the default: a slide's full width on a 1280-pixel projector
    (200, 200),     # the narrowest allowed
    (1921, 1921),   # an odd width comes out exact (Agg rounds pixel sizes down)
])
def test_gif_is_as_wide_as_asked(tmp_path, width, expected):
    path = save_animation(tmp_path / "walk.gif", SEED_IMAGE[:3, :3], width=width)  # one window: one frame
    with Image.open(path) as gif:
        assert gif.size[0] == expected and gif.n_frames == 1
        first = np.asarray(gif.convert("RGB"))
    # the frame is the step figure drawn at that width (colours reduced to 256: a few levels off at most)
    sf = StepFigure(dpi=(expected + 0.25) / 10, width=10.0)
    sf.configure(view_model(compute_walk(SEED_IMAGE[:3, :3], SEED_KERNEL)))
    with Image.open(io.BytesIO(sf.png())) as im:
        drawn = np.asarray(im.convert("RGB")).astype(int)
    assert first.shape == drawn.shape
    assert np.percentile(np.abs(first.astype(int) - drawn), 99) <= 16


@pytest.mark.parametrize("kwargs, exc, pattern", [
    (dict(width=100), ValueError, r"width must be at least 200 pixels; got 100"),  # numbers unreadable
    (dict(width=5000), ValueError, r"width must be at most 3840 pixels"),          # past a 4K screen
    (dict(width=640.5), TypeError, r"width must be a positive integer; got 640.5"),  # pixels are whole
    (dict(width=800, dpi=80), ValueError, r"give width \(pixels\) or dpi, not both"),  # which one wins?
])
def test_gif_width_is_checked_before_drawing(tmp_path, kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        save_animation(tmp_path / "walk.gif", **kwargs)
    assert list(tmp_path.iterdir()) == []


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

    from convlab.figures.lesson import NUMBERS_UP_TO
    from convlab.figures.panels import GridPanel, KernelResultFigure

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


def test_the_numbers_on_cells_share_one_clip_path_and_are_drawn_unclipped():
    # Axes.text gives each text a clip box of its own (a few transforms, ~3 kB) unless one is passed: with
    # 470 numbers the Explorer's picture of a 16x16 image needed 2.8 MB more while it was drawn
    import matplotlib.pyplot as plt

    from convlab.figures import grids
    from convlab.figures.panels import GridPanel

    step = draw_step_figure(np.arange(36.0).reshape(6, 6), SEED_KERNEL)
    grid = grids(("a", np.arange(12.0).reshape(3, 4)), width=1.8)
    fig, ax = plt.subplots()
    panel = GridPanel(ax)
    panel.update(np.arange(9.0).reshape(3, 3), "p")
    for figure in (step, grid, fig):
        for axes in figure.axes:
            numbers = [t for t in axes.texts if t.get_text()]
            if len(numbers) > 1:
                assert len({id(t.get_clip_path()) for t in numbers}) == 1, axes.get_title()
                assert not any(t.get_clip_on() for t in numbers)
                assert numbers[0].get_clip_path() is not None  # so Axes.text made no box of its own
    plt.close(fig)


@pytest.mark.parametrize("rgb", [False, True])
def test_every_cell_is_painted_in_the_colour_the_view_model_gives(rgb):
    # the cells are one RGBA float32 image (matplotlib resamples it at half the memory of float64 RGB, for
    # which it adds an alpha plane): no colour may move by more than matplotlib's own rounding to bytes
    from matplotlib.colors import to_rgb

    walk = _compute_walk(sample_photo((12, 10), rgb=rgb), np.array([[1.0, 0, -1]] * 3))  # no hatched padding
    vm = view_model(walk)
    sf = StepFigure(dpi=80)
    sf.configure(vm)
    for index, phase in ((0, "place"), (5, "multiply"), (len(walk.steps) - 1, "collect")):
        sf.show(index, phase)
        f = frame(vm, index, phase)
        pixels = np.asarray(Image.open(io.BytesIO(sf.png())).convert("RGB")).astype(int)
        height = pixels.shape[0]
        for name, grids in sf.panels.items():
            for grid, cells in zip(grids, f["grids"][name]):
                assert grid.image.get_array().dtype == np.float32
                off = []
                for k, fill in enumerate(cells["fill"]):
                    r, c = divmod(k, grid.cols)
                    x, y = grid.ax.transData.transform((c + 0.3, r + 0.3))  # off the number in the middle
                    got = pixels[height - 1 - int(round(y)), int(round(x))]
                    if np.abs(got - np.round(np.array(to_rgb(fill)) * 255)).max() > 1:
                        off.append((r, c, fill, got))
                # a few sample points fall under the window's frame, a spine or the arrow, never most of them
                assert len(off) <= 0.15 * len(cells["fill"]), (name, phase, off[:5])


def test_a_figure_made_into_a_png_lets_go_of_its_agg_pixels_unless_pyplot_still_shows_it():
    # an Agg canvas keeps its renderer (width x height x 4 bytes) until the next draw
    import matplotlib.pyplot as plt

    from convlab.figures import png_bytes, show

    def pixels_kept(fig):
        return getattr(fig.canvas, "renderer", None) is not None

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from convlab.figures import figure_html

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.imshow(np.arange(12.0).reshape(3, 4))
    canvas = fig.canvas
    first = png_bytes(fig)
    assert fig.canvas is canvas and pixels_kept(fig)  # open in pyplot: its canvas is pyplot's, untouched
    show(fig, alt="A three by four ramp of colours.", dpi=int(fig.dpi))  # pyplot's close: a plain canvas
    assert not pixels_kept(fig)

    def plain():  # a Figure with an Agg canvas of its own, as the lessons' widgets and step figures make
        figure = Figure(figsize=(3, 2))
        FigureCanvasAgg(figure)
        figure.subplots().imshow(np.arange(12.0).reshape(3, 4))
        return figure

    own = plain()
    again = png_bytes(own)
    assert not pixels_kept(own) and isinstance(own.canvas, FigureCanvasAgg)
    assert again == first and png_bytes(own) == first  # drawn anew, the same image
    html = figure_html(own, "A three by four ramp of colours.", dpi=int(own.dpi))
    assert html.startswith("<img") and not pixels_kept(own)
    shown = plain()
    show(shown, alt="A three by four ramp of colours.", dpi=int(shown.dpi))
    assert not pixels_kept(shown)

    from convlab import conv2d
    from convlab.figures.panels import KernelResultFigure

    live = KernelResultFigure()  # a lesson widget's figure, made into a PNG at every slider step
    image, kernel = np.arange(36.0).reshape(6, 6), np.array([[1.0, -1.0]])
    live.update(image, kernel, conv2d(image, kernel))
    step_one = live.png()
    assert step_one.startswith(b"\x89PNG") and not pixels_kept(live.figure)
    assert live.png() == step_one


def _laid_out_figures():
    """Every figure convlab lays out with tight_layout, built small."""
    from convlab import figures
    from convlab.figures import network as netfig
    from convlab.figures.panels import LearningFigure
    from convlab.nets import learn
    from convlab.nets.network import init_network

    image = np.arange(64.0).reshape(8, 8)
    run = learn.learn_kernel([image], learn.make_targets([image], np.ones((3, 3))), steps=2)
    net = init_network(filters=2, seed=0)
    acts = net.forward(np.zeros((2, 16, 16)))
    learning = LearningFigure([1.0, 0.5], kernel_limit=1.0)
    learning.update(1, np.eye(3) * 0.5, np.ones((6, 6)))
    return {
        "grids": figures.grids(("a", image), ("b", -image)),
        "picture": figures.picture(image, "a picture"),
        "rgb_channels": figures.rgb_channels(np.zeros((4, 4, 3))),
        "learning_progress": figures.learning_progress(run, image),
        "filter_bank": netfig.filter_bank(net.kernels),
        "digit_examples": netfig.digit_examples(np.zeros((2, 16, 16)), [1, 2]),
        "network_maps": netfig.network_maps(acts),
        "training_summary": netfig.training_summary(np.linspace(2, 0.2, 30), [0.5, 0.8]),
        "stack_maps": netfig.stack_maps(image, [("conv", np.ones((8, 8, 2)))], channels=2),
        "ReceptiveFieldFigure": netfig.ReceptiveFieldFigure(image, [("conv", np.ones((6, 6)))]).figure,
        "LearningFigure": learning.figure,
    }


@pytest.mark.parametrize("dpi", [72, 96, 150])
def test_the_receptive_field_picture_is_as_sharp_as_asked_whatever_savefig_dpi_says(dpi):
    """``figures.setup`` (every lesson) sets ``savefig.dpi``; the viewer's picture keeps its own dpi, as the other
    live panels do: 2 panels of 2.6 inches at ``dpi`` pixels per inch."""
    import matplotlib.pyplot as plt

    from convlab.figures.network import ReceptiveFieldFigure
    from convlab.widgets.network import ReceptiveFieldViewer
    from convlab.lessons.receptive import conv_stage

    with plt.rc_context({"savefig.dpi": 120}):
        png = ReceptiveFieldFigure(np.zeros((8, 8)), [("conv", np.ones((6, 6)))], dpi=dpi).png()
        picture = ReceptiveFieldViewer(np.zeros((8, 8)), [(conv_stage(3), np.ones((1, 3, 3)))], dpi=dpi).picture()
    for data in (png, picture):
        assert Image.open(io.BytesIO(data)).size == (int(2 * 2.6 * dpi), int(2.6 * 1.12 * dpi)), dpi


def test_a_laid_out_figure_is_drawn_once_when_it_is_saved(monkeypatch):
    # tight_layout leaves a placeholder layout engine, and savefig lays out and draws (rendering nothing)
    # any figure with an engine before drawing it: a third of the time to save, for nothing
    import matplotlib.pyplot as plt

    from convlab.figures import png_bytes

    built = _laid_out_figures()
    draws = []
    real_draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda fig, renderer: draws.append(fig) or real_draw(fig, renderer))
    try:
        for name, fig in built.items():
            draws.clear()
            png_bytes(fig)
            assert len(draws) == 1, f"{name}: drawn {len(draws)} times to save it once"
            assert fig.get_layout_engine() is None, name
    finally:
        for fig in built.values():
            plt.close(fig)


@pytest.mark.parametrize("rc", [{"figure.constrained_layout.use": True}, {"figure.autolayout": True}])
def test_laid_out_figures_are_made_and_saved_once_whatever_new_figures_are_set_to(rc):
    # a learner's rcParams for new figures: each figure is laid out once all the same (a constrained
    # engine and tight_layout used to refuse each other on a figure with a colour bar: a RuntimeError)
    import warnings

    import matplotlib.pyplot as plt

    from convlab import figures

    with plt.rc_context(rc), warnings.catch_warnings():
        warnings.simplefilter("error")  # not even "The figure layout has changed to tight"
        built = _laid_out_figures()
        built["picture with a colour bar"] = figures.picture(np.arange(64.0).reshape(8, 8), "a ramp", colorbar=True)
        for name, fig in built.items():
            assert fig.get_layout_engine() is None, name
            assert figures.png_bytes(fig).startswith(b"\x89PNG"), name
            plt.close(fig)
