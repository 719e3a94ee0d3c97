"""The stored lesson notebooks, read as a learner (or a screen reader) meets them.

* no exercise's answer is visible before it is answered: neither the worked answer a checker gives
  (e.g. "⌊(7 + 2·1 − 3)/2⌋ + 1 = 4") nor, for a window question, the whole feature map it comes from,
  appears in any stored output of the notebook;
* every static figure is an ``<img>`` with alternative text, and a one-sentence description
  (a markdown cell starting "*Figure:*") stands beside it;
* no figure is stored as a bare PNG (which has no alternative text), except in the widget cells that
  nbval ignores (the Explorer carries its own picture).

The exercises are found by running each notebook's code cells (headless) and collecting the
:class:`~convlab.lessons.exercises.Question` objects they build.
"""

from __future__ import annotations

import contextlib
import html.parser
import io
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("0[0-6]_*.ipynb"))
IGNORE = "NBVAL_IGNORE_OUTPUT"


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell) -> str:
    return "".join(cell["source"])


def _texts(output) -> list[str]:
    """Every text a reader can see in one stored output (plain text, HTML, streams)."""
    if output.get("output_type") == "stream":
        return ["".join(output["text"])]
    data = output.get("data", {})
    return ["".join(data[k]) for k in ("text/plain", "text/html", "text/markdown") if k in data]


def _visible_outputs(path) -> str:
    out = []
    for cell in _cells(path):
        if cell["cell_type"] == "code" and IGNORE not in _source(cell):
            for o in cell.get("outputs", []):
                out.extend(_texts(o))
    return "\n".join(out)


@pytest.fixture(scope="module")
def questions():
    """name -> (notebook, Question, settings) for every exercise, by running the notebooks' code cells."""
    import matplotlib

    matplotlib.use("Agg")
    from convlab.lessons.exercises import Question

    found = {}
    for path in NOTEBOOKS:
        namespace: dict = {}
        cwd = os.getcwd()
        os.chdir(path.parent)
        try:
            for cell in _cells(path):
                src = _source(cell)
                if cell["cell_type"] != "code":
                    continue
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(src, f"{path.name}", "exec"), namespace)
        finally:
            os.chdir(cwd)
        for name, value in namespace.items():
            if isinstance(value, Question):
                found[f"{path.stem}:{name}"] = (path, value)
    return found


def test_every_lesson_has_exercises_that_hold_the_answer_back(questions):
    lessons = {path.stem for path, _ in questions.values()}
    assert lessons >= {p.stem for p in NOTEBOOKS if not p.stem.startswith("00")}
    for key, (_, q) in questions.items():
        assert not q.solved and not q.wrong_tries, f"{key} was answered in the stored notebook"


def test_no_worked_answer_is_visible_in_the_stored_outputs(questions):
    for key, (path, q) in questions.items():
        shown = _visible_outputs(path)
        worked = q.reveal().rstrip(".")
        assert worked not in shown, f"{key}: its worked answer {worked!r} is printed in {path.name}"


def test_no_window_question_has_its_feature_map_printed(questions):
    from convlab import conv2d
    from convlab.lessons.exercises import check_landing, check_window_value

    for key, (path, q) in questions.items():
        if q.check_function not in (check_window_value, check_landing):
            continue
        image, kernel = q.args[0], q.args[1]
        settings = {k: v for k, v in q.kwargs.items() if k in ("stride", "padding", "dilation", "flip")}
        fmap = conv2d(image, kernel, **settings)
        shown = _visible_outputs(path)
        assert str(fmap) not in shown, f"{key}: the whole feature map is printed in {path.name}"
        assert str(fmap.astype(int)) not in shown, f"{key}: the whole feature map is printed in {path.name}"


class _Images(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.alts: list = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.alts.append(dict(attrs).get("alt"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_static_figure_has_alt_text_and_a_description_beside_it(path):
    cells = _cells(path)
    figures = 0
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        ignored = IGNORE in _source(cell)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data or "image/jpeg" in data:
                assert ignored, f"{path.name} cell {i}: a bare PNG has no alternative text; use figures.show(fig, alt=...)"
            if "text/html" in data and "<img" in "".join(data["text/html"]):
                parser = _Images()
                parser.feed("".join(data["text/html"]))
                assert parser.alts and all(a and len(a.split()) >= 4 for a in parser.alts), \
                    f"{path.name} cell {i}: an <img> without a real alt text"
                if not ignored:
                    figures += 1
                    before = _source(cells[i - 1]) if i else ""
                    assert cells[i - 1]["cell_type"] == "markdown" and re.search(r"\*Figure:\*", before), \
                        f"{path.name} cell {i}: no one-sentence '*Figure:*' description beside the figure"
    if path.stem.startswith(("01", "04", "05", "06")):
        assert figures, f"{path.name} has no static figures"


def test_figures_show_refuses_a_figure_without_a_description():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convlab.figures.lesson import figure_html

    fig = plt.figure()
    with pytest.raises(ValueError, match="alt"):
        figure_html(fig, "  ")
    plt.close(fig)


def test_numbers_on_cells_meet_wcag_aa_contrast():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb

    from convlab.figures import lesson

    values = np.linspace(-1, 1, 201)
    for cmap in (lesson.SIGNED_CMAP, "gray", "Reds", "Greens", "Blues"):
        fig, ax = plt.subplots()
        grid = values.reshape(1, -1)
        lesson.draw_grid(ax, grid, numbers=True, cmap=cmap, signed=True)
        cell = lesson.relative_luminance(ax.images[0].to_rgba(values)[:, :3])
        text = np.array([lesson.relative_luminance(to_rgb(t.get_color())) for t in ax.texts])
        assert np.all(lesson.contrast_ratio(cell, text) >= 4.5), cmap
        plt.close(fig)


def _all_font_sizes(fig) -> list[float]:
    sizes = [t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and a.get_visible()
                                                   and getattr(a, "get_text", lambda: "")())]
    for ax in fig.axes:
        sizes += [t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
    return sizes


def test_every_lesson_figure_writes_its_text_at_9_pt_or_more():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convlab import conv2d, figures
    from convlab.nets.learn import learn_kernel, make_targets
    from convlab.figures.panels import KernelResultFigure, LearningFigure
    from convlab.images import SEED_IMAGE, SEED_KERNEL, sample_photo
    from convlab.kernels import NAMED_KERNELS, SOBEL_X

    figures.setup()
    photo = sample_photo(40)
    run = learn_kernel([photo / 255], make_targets([photo / 255], SOBEL_X), steps=3)
    krf = KernelResultFigure()
    krf.update(photo, SOBEL_X, conv2d(photo, SOBEL_X))
    lf = LearningFigure(run.losses, kernel_limit=2.0)
    lf.update(3, run.kernel, conv2d(photo, run.kernel))
    made = [
        figures.grids(("a", SEED_IMAGE), ("b", SEED_KERNEL), symbols=["⋆"], share=True),
        figures.grids(*[(n, k) for n, k in list(NAMED_KERNELS.items())[:4]], width=2.1, share=True),
        figures.picture(photo, "photo", box=(5, 5, 8), colorbar=True),
        figures.rgb_channels(sample_photo((6, 6), rgb=True), width=2.4),
        figures.gallery(photo, {"sobel x": SOBEL_X}, {"sobel x": conv2d(photo, SOBEL_X)}),
        figures.learning_progress(run, photo, teacher=SOBEL_X, steps=[0, 3], width=1.8),
        krf.figure, lf.figure,
    ]
    for fig in made:
        fig.canvas.draw()
        sizes = _all_font_sizes(fig)
        assert sizes and min(sizes) >= 9, (fig.axes[0].get_title(), min(sizes))
    plt.close("all")


# The answers the teacher guide prints, per question: each must be accepted by the notebook's own check,
# and each must appear in docs/teacher_guide.md (so the guide cannot drift from the lessons).
GUIDE_ANSWERS = {
    "00_start_here:q": ("4", "4"),
    "01_what_is_convolution:q1": ("-2", "−2"),
    "01_what_is_convolution:q2": ("5x5", "5x5"),
    "01_what_is_convolution:q3": ("bright left, dark right", "bright left, dark right"),
    "01_what_is_convolution:q4": ("1 1 1; 0 0 0; -1 -1 -1", "`1 1 1; 0 0 0; -1 -1 -1`"),
    "02_the_five_steps:q1": ("3", "3"),
    "02_the_five_steps:q2": ("16", "16"),
    "02_the_five_steps:q3": ("row 1, column 2: -1", "row 1, column 2: −1"),
    "02_the_five_steps:q4": ("0 0 0; 0 1 0; 0 0 0", "`0 0 0; 0 1 0; 0 0 0`"),
    "03_stride_padding_filter_size:q1": ("5", "5"),
    "03_stride_padding_filter_size:q2": ("2", "2"),
    "03_stride_padding_filter_size:q3": ("[6, 7]", "[6, 7]"),
    "03_stride_padding_filter_size:q4": ("5", "5"),
    "03_stride_padding_filter_size:q5": ("the zeros of the padding are darker than the image",
                                         "the zeros of the padding are darker than the image"),
    "03_stride_padding_filter_size:q6": ("1, 2", "1, 2"),
    "04_channels_and_filters:q1": ("8", "8"),
    "04_channels_and_filters:q2": ("608", "608"),
    "04_channels_and_filters:q3": ("32x32", "32x32"),
    "04_channels_and_filters:q4": ("458752", "458,752"),
    "05_real_images:q1": ("sobel x", "sobel x"),
    "05_real_images:q2": ("100", "100"),
    "05_real_images:q3": ("100", "100"),
    "05_real_images:q4": ("A3 B1 C4 D2", "A3 B1 C4 D2"),
    "06_why_convolution_matters:q1": ("larger", "larger"),
    "06_why_convolution_matters:q2": ("2432", "2432"),
    "06_why_convolution_matters:q3": ("-5", "−5"),
    "06_why_convolution_matters:q4": ("-1 0 1; -1 0 1; -1 0 1", "`-1 0 1; -1 0 1; -1 0 1`"),
}


def test_the_teacher_guide_answers_are_the_lessons_answers(questions):
    guide = (NOTEBOOKS[0].parents[1] / "docs" / "teacher_guide.md").read_text(encoding="utf-8")
    table = guide[guide.index("## Answers to the notebook exercises"):]
    assert set(GUIDE_ANSWERS) == set(questions), set(GUIDE_ANSWERS) ^ set(questions)
    for key, (typed, printed) in GUIDE_ANSWERS.items():
        _, q = questions[key]
        assert q.grade(typed).correct, (key, typed, str(q.grade(typed)))
        assert f"| {printed} |" in table or f"| {printed} (" in table, (key, printed)
