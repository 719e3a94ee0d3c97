"""The stored lesson notebooks, read as a learner (or a screen reader) meets them.

* no exercise's answer is in sight before it is answered — in markdown, code, examples or any stored
  output (ignored ones and Explorer captions too), in this lesson or an earlier one (see ANSWERS below);
* every exercise is a Question with its id ("03.2"), and the teacher guide prints each answer;
* every static figure is an ``<img>`` with alternative text, and a one-sentence description
  (a markdown cell starting "*Figure:*") stands beside it;
* no figure is stored as a bare PNG (which has no alternative text), except in the widget cells that
  nbval ignores (the Explorer carries its own picture).

The exercises are found by running the statements of each notebook's code cells that the
:class:`~convlab.lessons.exercises.Question` objects need (headless; nbval runs and checks every cell,
displays included) and collecting the Questions they build.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import html.parser
import io
import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("0[0-7]_*.ipynb"))
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


def _bound(stmt) -> set[str]:
    """The names a top-level statement binds or changes in place (``a[0] = 1`` and ``a.b += 1`` change ``a``)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in stmt.names}
    names = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            base = node.value
            while isinstance(base, (ast.Subscript, ast.Attribute)):
                base = base.value
            if isinstance(base, ast.Name):
                names.add(base.id)
    return names


def _builds_a_question(stmt) -> bool:
    return any(isinstance(node, ast.Call) and (getattr(node.func, "id", None) or getattr(node.func, "attr", None))
               in ("Question", "question") for node in ast.walk(stmt))


def _bindings(path) -> ast.Module:
    """The statements of the notebook's code cells that the exercises need, in order.

    nbval already runs every cell (and checks its outputs); the exercises only need the
    :class:`~convlab.lessons.exercises.Question` objects the cells build. So this keeps the statements
    that build one and, going back through the notebook, every statement that binds or changes a name
    a kept statement reads (imports always). What is left out is what the lesson shows and computes
    for its own sake (figures, the trained network's accuracy): it is not run a second time. A
    statement that was needed and left out would fail here with a NameError, not pass silently.
    """
    statements = []
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            tree = ast.parse(_source(cell), filename=path.name)
            statements += [node for node in tree.body if not isinstance(node, ast.Expr)]
    needed, kept = set(), []
    for stmt in reversed(statements):
        if (_builds_a_question(stmt) or _bound(stmt) & needed
                or isinstance(stmt, (ast.Import, ast.ImportFrom))):
            kept.append(stmt)
            needed |= {node.id for node in ast.walk(stmt) if isinstance(node, ast.Name)}
    return ast.Module(body=kept[::-1], type_ignores=[])


@pytest.fixture(scope="module")
def questions():
    """name -> (notebook, Question) for every exercise, from the names the notebooks' code cells bind."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convlab.lessons.exercises import Question

    found = {}
    for path in NOTEBOOKS:
        namespace: dict = {}
        cwd = os.getcwd()
        os.chdir(path.parent)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(_bindings(path), path.name, "exec"), namespace)
        finally:
            os.chdir(cwd)
            plt.close("all")
        for name, value in namespace.items():
            if isinstance(value, Question):
                found[f"{path.stem}:{name}"] = (path, value)
    return found


def test_every_lesson_has_exercises_that_hold_the_answer_back(questions):
    lessons = {path.stem for path, _ in questions.values()}
    assert lessons >= {p.stem for p in NOTEBOOKS if not p.stem.startswith("00")}
    for key, (_, q) in questions.items():
        assert not q.solved and not q.wrong_tries, f"{key} was answered in the stored notebook"


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
                    assert cells[i - 1]["cell_type"] == "markdown" and re.search(r"\*Figure:", before), \
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


def test_showing_a_figure_collects_the_figures_a_lesson_let_go_of():
    # a lesson rebinds ``fig``: the old figure is cyclic garbage that only a full collection frees
    import weakref

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from convlab.figures.lesson import show

    old = Figure(figsize=(2, 1))
    old.subplots().plot([0, 1])
    gone = weakref.ref(old)
    del old
    frozen = gc.isenabled()
    gc.disable()  # no automatic pass may collect it first
    try:
        assert gone() is not None, "a Figure is expected to live in reference cycles"
        shown = Figure(figsize=(2, 1))
        show(shown, alt="An empty two by one inch figure.")
        assert gone() is None, "show() left an earlier figure's garbage for later"
        assert shown.get_figwidth() == 2 and shown.axes == []  # the figure shown is kept as it was
    finally:
        if frozen:
            gc.enable()


def test_showing_a_figure_hands_the_freed_heap_back_after_collecting(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from convlab._shared import memory
    from convlab.figures.lesson import show

    calls = []  # private hooks: the C library's call is what is tested, and it has no public face
    monkeypatch.setattr(memory, "_malloc_trim", lambda: lambda pad: calls.append(("trim", pad)))
    def collected(phase, info):
        if phase == "stop" and info["generation"] == 2:
            calls.append(("full collection", 0))

    gc.callbacks.append(collected)  # the collector's own list (a new one set as the attribute goes unread)
    try:
        show(Figure(figsize=(2, 1)), alt="An empty two by one inch figure.")
    finally:
        gc.callbacks.remove(collected)
    assert calls[-2:] == [("full collection", 0), ("trim", 0)], f"show() kept the memory its figures freed: {calls}"


_FRAGMENTED_HEAP = """
import re
from convlab._shared import memory
if {disabled}:
    memory._malloc_trim = lambda: None
def rss():
    return int(re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024
base = rss()
blocks, pins = [], []
for i in range(1500):  # 40 kB blocks (under glibc's 128 kB mmap threshold), each followed by a small
    blocks.append(bytearray(40_000))  # block that stays: the freed memory is not at the heap's top
    pins.append(bytearray(600))
del blocks
held = rss() - base
trimmed = memory.release_garbage()
print(held, rss() - base, trimmed)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; glibc's malloc_trim")
def test_release_garbage_hands_the_heaps_free_pages_back_to_the_system():
    from convlab._shared import memory

    if memory._malloc_trim() is None:
        pytest.skip("this C library has no malloc_trim (not glibc)")
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        pytest.skip("a free-threaded Python allocates with mimalloc, not glibc's malloc")
    # glibc's malloc with its defaults: no preloaded allocator, no tuned thresholds, Python's own allocator
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_PRELOAD", "GLIBC_TUNABLES", "PYTHONMALLOC") and not k.startswith("MALLOC_")}
    results = {}
    for disabled in (False, True):
        run = subprocess.run([sys.executable, "-c", _FRAGMENTED_HEAP.format(disabled=disabled)],
                             capture_output=True, text=True, timeout=120, env=env)
        assert run.returncode == 0, run.stderr
        held, after, trimmed = run.stdout.split()
        results[disabled] = float(held), float(after), trimmed == "True"
    held, after, trimmed = results[False]
    assert held > 40 and trimmed, results  # 60 MB freed between live blocks: the heap keeps it...
    assert after < held / 4, results       # ...until release_garbage hands it back
    held_off, after_off, trimmed_off = results[True]
    assert not trimmed_off and after_off > held_off * 0.75, results  # a collection alone gives nothing back


_FREEZE_ONCE = """
import gc, weakref
import matplotlib
matplotlib.use("Agg")
from matplotlib.figure import Figure
from convlab import figures
freezes, freeze = [], gc.freeze
gc.freeze = lambda: (freezes.append(len(gc.get_objects())), freeze())[1]
before = gc.get_freeze_count()
figures.setup(dpi=96)
frozen = gc.get_freeze_count()
tracked = len(gc.get_objects())              # what a full pass visits now
figures.setup()                              # a second call freezes nothing more
fig = Figure(figsize=(2, 1)); fig.add_subplot().plot([0, 1])
alive = weakref.ref(fig)
figures.show(fig, alt="A line on a two by one inch figure.")
del fig                                      # the figure is cyclic garbage now: the next full pass frees it
gc.collect()
print(before, frozen, tracked, len(freezes), alive() is None)
"""


def test_setup_freezes_the_imports_once_so_each_figures_collection_visits_only_the_lesson():
    """``figures.setup`` (a lesson's first cell) moves what is alive into the collector's permanent generation,
    once per process; a figure made afterwards is still collected. In a fresh interpreter: the pytest worker's
    own heap is not the test's to freeze (``conftest.py``)."""
    if sysconfig.get_config_var("Py_GIL_DISABLED") or not hasattr(gc, "freeze"):
        pytest.skip("free-threaded CPython and PyPy are left unfrozen (convlab._shared.memory)")
    run = subprocess.run([sys.executable, "-c", _FREEZE_ONCE], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    before, frozen, tracked, freezes, freed = run.stdout.split()[-5:]
    before, frozen, tracked, freezes = map(int, (before, frozen, tracked, freezes))
    assert before == 0 and frozen > 20_000, run.stdout   # the imports: NumPy, Matplotlib, convlab...
    assert tracked < frozen / 4, run.stdout              # a full pass now visits a fraction of them
    assert freezes == 1, run.stdout                      # the second setup() froze nothing
    assert freed == "True", run.stdout                   # a figure made after the freeze is collected


def test_without_gc_freeze_setup_freezes_nothing_and_raises_nothing(monkeypatch):
    """PyPy has no ``gc.freeze``: the lessons' first cell must still run."""
    from convlab._shared import memory

    monkeypatch.setattr(memory, "_FROZEN", [])  # this process counts as unfrozen (conftest.py marks it frozen)
    monkeypatch.delattr(gc, "freeze")
    assert memory.freeze_long_lived() is False
    assert memory._FROZEN == []


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
        cell = ax.images[0].to_rgba(values)[:, :3]
        text = np.array([to_rgb(t.get_color()) for t in ax.texts])
        assert len(text) == len(values) and np.all(lesson.contrast_ratio(cell, text) >= 4.5), cmap
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


# --------------------------------------------------------------------------- no answer in sight
#
# A learner sees the whole page before answering: every markdown cell, every code cell (its comments and
# examples), every stored output — the ones nbval ignores too, Explorer captions included. None of it may
# give an exercise's answer away. The test knows each exercise's answer (ANSWERS, checked against the
# exercise's own Question) and looks for it in the forms a page could show it.

# id -> (a right answer as typed, the same as docs/teacher_guide.md prints it). Each must be accepted by the
# exercise's own Question, and printed in the guide's answer table, so neither can drift.
ANSWERS = {
    "00.1": ("4", "4"),
    "01.1": ("-2", "−2"),
    "01.2": ("5x5", "5x5"),
    "01.3": ("bright left, dark right", "bright left, dark right"),
    "01.4": ("1 1 1; 0 0 0; -1 -1 -1", "`1 1 1; 0 0 0; -1 -1 -1`"),
    "02.1": ("3", "3"),
    "02.2": ("16", "16"),
    "02.3": ("row 1, column 2: -1", "row 1, column 2: −1"),
    "02.4": ("0 0 0; 0 1 0; 0 0 0", "`0 0 0; 0 1 0; 0 0 0`"),
    "03.1": ("5", "5"),
    "03.2": ("2", "2"),
    "03.3": ("[6, 7]", "[6, 7]"),
    "03.4": ("7", "7"),
    "03.5": ("the zeros of the padding are darker than the image", "the zeros of the padding are darker than the image"),
    "03.6": ("1, 2", "1, 2"),
    "04.1": ("8", "8"),
    "04.2": ("608", "608"),
    "04.3": ("32x32", "32x32"),
    "04.4": ("458752", "458,752"),
    "05.1": ("sobel x", "sobel x"),
    "05.2": ("100", "100"),
    "05.3": ("100", "100"),
    "05.4": ("A3 B1 C4 D2", "A3 B1 C4 D2"),
    "06.1": ("larger", "larger"),
    "06.2": ("2432", "2432"),
    "06.3": ("-5", "−5"),
    "06.4": ("-1 0 1; -1 0 1; -1 0 1", "`-1 0 1; -1 0 1; -1 0 1`"),
    "07.1": ("10", "10"),
    "07.2": ("16448", "16,448"),
    "07.3": ("1", "1"),
    "07.4": ("conv 3, pool 2, conv 3, pool 2, conv 3, pool 2, conv 3", "`conv 3, pool 2, conv 3, pool 2, conv 3, pool 2, conv 3`"),
}

# Statements of an answer in words or tables that no formula reveals: regular expressions, per exercise.
# Each row names the form of the leak it catches.
STATED = {
    "02.2": [r"\b16 windows", r"4 × 4 = 16"],                              # the count, said in prose
    "03.5": [r"dark frame", r"zeros are \*?darker", r"\(0 \+ 0 \+ 0\) - \(5 \+ 5 \+ 5\)"],   # the explanation
    "04.2": [r"\b608\b"],                                                  # the count anywhere on the page
    "04.4": [r"458[,\u202f ]?752"],
    "05.2": [r"box blur .{0,40}flat patch of 100:\s*100", r"blurs?['’]?s?,? .{0,40}flat patch keeps its value"],
    "05.3": [r"sharpen .{0,40}flat patch of 100:\s*100", r"sharpen['’]?s? .{0,60}keeps its value"],
    "05.4": [r"A\s*3\s*B\s*1\s*C\s*4\s*D\s*2", r"\bA\b[^.\n]{0,30}sobel y", r"\bD\b[^.\n]{0,30}sobel x"],
    "06.4": [r"rotated is `?-1 0 1`? in every row"],                      # the designed filter, in words
    "06.1": [r"weight grows", r"K\[0,\s*0\] (gets|becomes) larger"],
    "06.2": [r"\b2[,\u202f ]?432\b"],
    "07.2": [r"\b16[,\u202f ]?448\b"],
}

_DATA_URI = re.compile(r"data:[a-z/+.-]+;base64,[A-Za-z0-9+/=\s]+")


def _page(path) -> list[tuple[str, str]]:
    """(where, text) for everything a learner can see: markdown, code, every stored output (ignored ones too)."""
    seen = []
    for i, cell in enumerate(_cells(path)):
        seen.append((f"{path.name} cell {i} ({cell['cell_type']})", _source(cell)))
        for output in cell.get("outputs", []):
            for text in _texts(output):
                seen.append((f"{path.name} cell {i} (output)", _DATA_URI.sub("data:…", text)))
    return seen


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2212", "-"))


def _examples(text: str) -> list[str]:
    """The examples a page offers ("e.g. 1 0 0; 0 0 0; 0 0 0", '# ← e.g. "row 0, column 1: 7"')."""
    found = []
    for m in re.finditer(r"e\.g\.,?\s*[`\"']?([^`\"'\n)]+)", text):
        example = m.group(1).strip().rstrip(".")
        found += [example, re.split(r"\s+(?:for|or|as|—)\s+", example)[0].rstrip(".")]
    return found


def _leak_forms(q, typed) -> list[str]:
    """The worked answer and each of its 'formula = answer' pieces (as a caption or a print would show them)."""
    from convlab.lessons.exercises import check_kernel_design

    worked = q.reveal().rstrip(".")
    forms = [worked]
    answer_numbers = set(re.findall(r"-?\d+(?:\.\d+)?", _norm(str(typed))))
    for piece in re.split(r"; |, (?=[a-z]+ )|: (?=\S*[⌊(\d−-])| — ", worked):
        piece = re.sub(r"^[^⌊(\d−-]*", "", piece).rstrip(".")
        result = re.search(r"=\s*(-?\d+(?:\.\d+)?)$", _norm(piece))
        if result and len(piece) >= 12 and result.group(1) in answer_numbers:   # "formula = the answer"
            forms.append(piece)
    if q.solution is not None and q.check_function is check_kernel_design:   # a designed kernel, as numpy prints it
        grid = np.array([[float(x) for x in row.split()] for row in str(q.solution).split(";")])
        forms += [str(grid), str(grid.astype(int))]
    return [_norm(f) for f in forms]


@pytest.fixture(scope="module")
def exercises(questions):
    """id -> (notebook path, Question, a right answer as typed), for every exercise of ANSWERS found by its id."""
    found = {}
    for path, q in questions.values():
        if q.id in ANSWERS:
            typed = ANSWERS[q.id][0]
            assert q.grade(typed).correct, (q.id, typed, str(q.grade(typed)))   # the table is right
            found[q.id] = (path, q, typed)
    return found


def test_the_teacher_guide_answers_are_the_lessons_answers(exercises):
    guide = (NOTEBOOKS[0].parents[1] / "docs" / "teacher_guide.md").read_text(encoding="utf-8")
    table = guide[guide.index("## Answers to the notebook exercises"):]
    for ex_id, (_, printed) in ANSWERS.items():
        assert ex_id in exercises, f"no exercise {ex_id} in the lessons"
        assert re.search(rf"\| {re.escape(ex_id)} \|.*\| {re.escape(printed)}( \(.*)? \|", table), (ex_id, printed)


def _seen_by(path) -> list[Path]:
    """The pages a learner has seen when answering in ``path``: that lesson and the ones before it."""
    return [p for p in NOTEBOOKS if p.stem[:2] <= path.stem[:2]]


@pytest.mark.leaks
def test_every_exercise_is_a_question_with_its_id(questions):
    ids = [q.id for _, q in questions.values() if q.id]
    assert len(ids) == len(set(ids)), sorted(ids)
    for path, q in questions.values():
        assert q.id[:2] == path.stem[:2], f"{q.id} is built in {path.name}"
    assert set(ANSWERS) <= set(ids), f"exercises with no Question of that id: {sorted(set(ANSWERS) - set(ids))}"


@pytest.mark.leaks
def test_no_answer_is_in_sight_before_it_is_answered(exercises):
    leaks = []
    for ex_id, (path, q, typed) in sorted(exercises.items()):
        forms = _leak_forms(q, typed)
        for page in _seen_by(path):
            for where, text in _page(page):
                flat = _norm(text)
                leaks += [f"{ex_id}: worked answer {f!r} in {where}" for f in forms if f in flat]
                leaks += [f"{ex_id}: {pattern!r} states the answer in {where}"
                          for pattern in STATED.get(ex_id, []) if re.search(pattern, flat, re.IGNORECASE)]
                for example in _examples(text):
                    try:
                        right = q.grade(example).correct
                    except Exception:  # an example of another exercise's format
                        right = False
                    if right:
                        leaks.append(f"{ex_id}: the example {example!r} in {where} is a right answer")
    assert not leaks, f"{len(leaks)} answers in sight:\n" + "\n".join(sorted(set(leaks)))


@pytest.mark.leaks
def test_no_window_question_has_its_feature_map_anywhere_on_the_page(exercises):
    from convlab import conv2d
    from convlab.lessons.exercises import check_landing, check_window_value

    leaks = []
    for ex_id, (path, q, _) in exercises.items():
        if q.check_function not in (check_window_value, check_landing):
            continue
        settings = {k: v for k, v in q.kwargs.items() if k in ("stride", "padding", "dilation", "flip")}
        fmap = conv2d(q.args[0], q.args[1], **settings)
        for where, text in _page(path):
            if str(fmap) in text or str(fmap.astype(int)) in text:
                leaks.append(f"{ex_id}: its feature map is printed in {where}")
    assert not leaks, "\n".join(leaks)


def _overlapping_texts(fig) -> list[tuple[str, str]]:
    """Pairs of visible texts whose boxes overlap on the rendered figure (1 px of slack)."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    boxes = [t.get_window_extent(renderer).expanded(1.0, 1.0).padded(-1) for t in texts]
    return [(texts[i].get_text(), texts[j].get_text())
            for i in range(len(texts)) for j in range(i + 1, len(texts)) if boxes[i].overlaps(boxes[j])]


def test_lesson_07_figures_are_readable_when_projected():
    """Numbers at 9 pt or more, none overlapping, titles of 12 px or more at the lesson's dpi."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convlab import figures
    from convlab.figures import network as netfig
    from convlab.nets.network import init_network

    dpi = 96   # what lesson 07 sets up (figures.setup(dpi=96))
    figures.setup(dpi=dpi)
    rng = np.random.default_rng(0)
    kernels = np.round(rng.uniform(-1.9, 1.9, size=(8, 3, 3)), 1)   # widest labels: "−1.9"
    digits = rng.uniform(size=(20, 16, 16))
    labels = np.arange(20) % 10
    net = init_network(filters=8, seed=0)
    made = [
        netfig.filter_bank(kernels, title="after training"),
        netfig.digit_examples(digits, labels, predictions=(labels + 1) % 10),   # every title "label 7 → 8"
        netfig.network_maps(net.forward(digits[:2]), 0),
        netfig.training_summary(np.linspace(2.3, 0.3, 300), np.linspace(0.3, 0.87, 12)),
        netfig.stack_maps(digits[0], [("conv", rng.normal(size=(14, 14, 4))), ("max pool", rng.normal(size=(7, 7, 4)))]),
    ]
    for fig in made:
        name = fig.axes[0].get_title()
        sizes = _all_font_sizes(fig)
        assert sizes and min(sizes) >= 9, (name, min(sizes))
        titles = [ax.title for ax in fig.axes if ax.get_title()] + ([fig._suptitle] if fig._suptitle else [])
        assert min(t.get_fontsize() * dpi / 72 for t in titles) >= 12, name
        assert not _overlapping_texts(fig), (name, _overlapping_texts(fig)[:3])
    plt.close("all")
