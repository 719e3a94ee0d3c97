"""Every notebook, opened and run in a real JupyterLab in a real Chromium, the way a learner would.

For each ``notebooks/*.ipynb``: open it, run all cells, wait until the kernel is idle, then check
that no cell shows an error, that widgets rendered, and that pressing an arrow key on a slider
changes what the learner sees (the caption text or the figure's pixels, not just the slider).
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import sys
import time

import pytest

# Loaded by this folder's conftest.py, which pytest always imports before this module.
support = sys.modules["convlab_browser_support"]

NOTEBOOKS = sorted((support.REPO_ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.browser


def _params():
    if not NOTEBOOKS:
        return [pytest.param(None, id="no-notebooks-found")]
    return [pytest.param(nb, id=nb.stem) for nb in NOTEBOOKS]


@pytest.mark.parametrize("notebook", _params())
def test_notebook_runs_in_jupyterlab_and_its_slider_changes_the_view(notebook, lab_server, page):
    if notebook is None:
        support.skip_or_fail(f"no notebooks in {support.REPO_ROOT / 'notebooks'}")
    rel = notebook.relative_to(support.REPO_ROOT).as_posix()
    name = support.slug(notebook.stem)
    base, token = lab_server["base"], lab_server["token"]
    # A workspace of its own per test: JupyterLab restores the last workspace otherwise.
    url = f"{base}/lab/workspaces/test-{name}-{int(time.time())}/tree/{rel}?reset&token={token}"
    record = {"notebook": rel}
    try:
        t0 = time.monotonic()
        panel = support.open_notebook(page, url, rel)
        record["open_seconds"] = round(time.monotonic() - t0, 1)

        state = support.run_all_cells(page, rel)
        record.update(cells=state["total"], code_cells=state["code"], run_seconds=state["seconds"],
                      stderr=state["stderr"])
        page.screenshot(path=str(support.artifact_path(f"lab-{name}-after-run.png")))

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
                                                              shot_prefix=f"lab-{name}")
    finally:
        support.artifact_path(f"lab-{name}.json").write_text(json.dumps(record, indent=2))
        support.shutdown_kernels(base, token)


def test_explorer_fits_a_1024_by_768_screen_in_jupyterlab(lab_server, page):
    """At 1024×768 nothing overflows sideways, numbers stay at least 12 px; at 1280 the figure is wide."""
    rel = "notebooks/explorer.ipynb"
    base, token = lab_server["base"], lab_server["token"]
    page.set_viewport_size({"width": 1024, "height": 768})
    url = f"{base}/lab/workspaces/test-explorer-fit-{int(time.time())}/tree/{rel}?reset&token={token}"
    try:
        panel = support.open_notebook(page, url, rel)
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # as a learner with the file browser closed
        state = support.run_all_cells(page, rel)
        assert not state["errors"], state["errors"]
        root = support.wait_explorer(page, panel)
        root.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        fit = support.explorer_state(root)
        page.screenshot(path=str(support.artifact_path("lab-explorer-1024x768.png")))
        support.artifact_path("lab-explorer-1024x768.json").write_text(json.dumps(fit, indent=2))
        assert not support.overflow_report(fit), support.overflow_report(fit)
        assert fit["smallest_number_px"] is not None and fit["smallest_number_px"] >= 12, fit

        page.set_viewport_size({"width": 1280, "height": 800})
        support.wait_until(page, lambda: support.explorer_state(root)["svg_width"] > fit["svg_width"] + 50,
                           timeout=15, what="the figure to grow with the window")
        wide = support.explorer_state(root)
        page.screenshot(path=str(support.artifact_path("lab-explorer-1280.png")))
        assert wide["svg_width"] >= 0.6 * wide["area_width"], wide
        assert not support.overflow_report(wide), support.overflow_report(wide)
    finally:
        support.shutdown_kernels(base, token)
