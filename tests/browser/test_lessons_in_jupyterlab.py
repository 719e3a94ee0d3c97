"""Every notebook, opened and run in a real JupyterLab in a real Chromium, the way a learner would.

Each ``notebooks/*.ipynb`` is opened and run (Run All) **once**, and that one run is checked twice, in
this order:

1. **accessibility**: axe-core's WCAG 2.0/2.1 A and AA rules on the output areas (JupyterLab's own
   toolbar, menus and editors are not ours to fix), and no ``<img>`` without alternative text (see
   ``test_accessibility.py`` for the rules and the Voilà half of the audit);
2. **it runs and responds**: no cell shows an error, widgets rendered, and pressing an arrow key on a
   slider changes what the learner sees (the caption text or the figure's pixels, not just the slider).

The run is a class-scoped fixture parametrized by notebook, so pytest runs both checks of one notebook
back to back and then closes the notebook (its changes dropped) and stops its kernel. The notebooks
open one after another in one JupyterLab page per worker, as a learner opens them from the file
browser: JupyterLab boots once, not once per notebook. ``conftest.py`` at the top makes each notebook
one xdist group. Screenshots and findings go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import os
import sys
import time

import pytest

# Loaded by this folder's conftest.py, which pytest always imports before this module.
support = sys.modules["convlab_browser_support"]

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted((support.REPO_ROOT / "notebooks").glob("*.ipynb"))
LAB_OUTPUTS = '[data-convlab-test="current"] .jp-OutputArea-output'


# Lesson 06's run also serves two checks of its own (its training-step slider's keys, Presentation Mode),
# so JupyterLab runs that lesson once, not three times.
ON_LESSON_06 = support.on_one_notebook("lesson_run", NOTEBOOKS, support.LESSON_06)


def _params():
    if not NOTEBOOKS:
        return [pytest.param(None, id="no-notebooks-found")]
    return [pytest.param(nb, id=nb.stem) for nb in NOTEBOOKS]


@pytest.fixture(scope="module")
def lab_page(lab_server, chromium):
    """One JupyterLab page for the lessons of this module (on one worker): booting JupyterLab costs a
    browser several seconds of CPU, opening a notebook in it a fraction of that. Console errors and
    warnings are kept as an artefact."""
    base, token = lab_server["base"], lab_server["token"]
    with support.page_of_its_own(chromium, f"lab-lessons-{os.getpid()}.console.txt") as page:
        # A workspace of its own: JupyterLab restores the last workspace otherwise.
        page.goto(f"{base}/lab/workspaces/lessons-{os.getpid()}-{int(time.time())}?reset&token={token}",
                  wait_until="domcontentloaded", timeout=support.NOTEBOOK_OPEN_TIMEOUT * 1000)
        support.wait_until(page, lambda: page.evaluate(
            "() => !!(window.jupyterapp && window.jupyterapp.commands.hasCommand('docmanager:open'))"),
            timeout=support.NOTEBOOK_OPEN_TIMEOUT, what="JupyterLab to start")
        page.evaluate("() => window.jupyterapp.restored.then(() => true)")  # its workspace laid out
        yield page


@pytest.fixture(scope="class", params=_params())
def lesson_run(request, lab_server, lab_page):
    """One notebook opened in the module's JupyterLab page and run: its panel and what the run reported."""
    notebook = request.param
    if notebook is None:
        support.skip_or_fail(f"no notebooks in {support.REPO_ROOT / 'notebooks'}")
    rel = notebook.relative_to(support.REPO_ROOT).as_posix()
    name = support.slug(notebook.stem)
    base, token = lab_server["base"], lab_server["token"]
    page = lab_page
    record = {"notebook": rel}
    try:
        t0 = time.monotonic()
        panel = support.open_in_running_lab(page, rel)
        record["open_seconds"] = round(time.monotonic() - t0, 1)
        state = support.run_all_cells(page, rel, drawn=LAB_OUTPUTS)  # run, and drawn to the last widget
        record.update(cells=state["total"], code_cells=state["code"], run_seconds=state["seconds"],
                      stderr=state["stderr"])
        page.screenshot(path=str(support.artifact_path(f"lab-{name}-after-run.png")))
        yield {"notebook": notebook, "rel": rel, "name": name, "page": page, "panel": panel, "state": state,
               "record": record}
    finally:
        support.artifact_path(f"lab-{name}.json").write_text(json.dumps(record, indent=2))
        support.discard_notebook(page, rel)
        support.shutdown_kernels(base, token)


class TestLessonInJupyterLab:
    """The checks of one run (two for every notebook, two more for lesson 06); the accessibility audit
    first, before any slider moves."""

    def test_jupyterlab_outputs_have_no_serious_accessibility_violation(self, lesson_run):
        support.axe()
        rel, page, state = lesson_run["rel"], lesson_run["page"], lesson_run["state"]
        assert not state["errors"], f"{rel}: cells raised errors: {state['errors']}"
        drawn = state["drawn"]
        assert drawn["roots"] > 0, f"{rel}: no output rendered"
        violations = support.run_axe(page, LAB_OUTPUTS)
        no_alt = support.images_without_alt(page, LAB_OUTPUTS)
        failure = support.report("lab", lesson_run["notebook"], violations, no_alt,
                                 {"drawn": drawn, "run_seconds": state["seconds"]})
        assert not failure, failure

    def test_notebook_runs_in_jupyterlab_and_its_slider_changes_the_view(self, lesson_run):
        rel, page, panel, state = (lesson_run[k] for k in ("rel", "page", "panel", "state"))
        record = lesson_run["record"]
        assert not state["errors"], (
            f"{rel}: cells raised errors (ran {state['executed']} of {state['toRun']}): {state['errors']}")
        suspicious = [s for s in state["stderr"] if "Traceback" in s or "Error" in s]
        assert not suspicious, f"{rel}: error text on stderr: {suspicious}"
        widget_errors = support.page_widget_errors(panel)
        assert not widget_errors, f"{rel}: the page shows {widget_errors}"

        widgets = panel.locator(support.WIDGETS).count()
        sliders = panel.locator(support.SLIDERS).count()
        figures = panel.locator(".jupyter-matplotlib, .jupyter-matplotlib-figure, .convlab-explorer svg").count()
        record.update(widgets=widgets, sliders=sliders, live_figures=figures)
        assert widgets > 0, f"{rel}: no Jupyter widget rendered in the page"
        assert sliders > 0, f"{rel}: no slider rendered in the page"

        record["slider"] = support.move_slider_and_check_view(page, panel, label=rel,
                                                              shot_prefix=f"lab-{lesson_run['name']}")

    @ON_LESSON_06
    def test_arrow_keys_on_lesson_06s_slider_change_it_and_keep_the_focus(self, lesson_run):
        """JupyterLab's shortcuts listen in the bubbling phase: ArrowUp/ArrowLeft in command mode would
        select another cell. See ``test_keys_every_front_end.py`` for the other front ends."""
        support.check_lesson_slider_keys(lesson_run["page"], lesson_run["panel"], front_end="lab")

    @ON_LESSON_06
    def test_presentation_mode_makes_lesson_06s_picture_larger(self, lesson_run):
        """Presentation Mode widens the prompt column from 64 to 110 px and takes the room from the outputs;
        ``controls.css`` gives an output holding a convlab view the prompt's column, so lesson 06's
        LearningViewer picture gets larger, never smaller. At 1024×768 with the file browser open (a
        classroom projector), where the width limits the picture. ``test_browser_lab.py`` checks
        the Explorer."""
        page, panel = lesson_run["page"], lesson_run["panel"]
        page.set_viewport_size({"width": 1024, "height": 768})
        try:
            picture = panel.locator(".convlab-lesson-widget img.convlab-control-picture").first
            support.wait_until(page, lambda: picture.count() and picture.evaluate("i => i.naturalWidth") > 0,
                               timeout=60, what="the LearningViewer's picture")
            picture.scroll_into_view_if_needed()
            natural = picture.evaluate("i => i.naturalWidth")
            width = lambda: picture.evaluate("i => i.getBoundingClientRect().width")  # noqa: E731
            before, after = support.in_presentation_mode(page, width, what="the picture")
            page.screenshot(path=str(support.artifact_path("present-lesson06.png")))
            assert before < natural, f"at 1024 px the picture ({natural} px) should be limited by the width; got {before}"
            assert after > before, f"Presentation Mode: the picture went from {before:.0f} to {after:.0f} px wide"
        finally:
            support.leave_presentation_mode(page)
            page.set_viewport_size(support.VIEWPORT)
