"""JupyterLab's Presentation Mode (View menu) makes convlab's views larger, never smaller.

Presentation Mode widens every cell's prompt column from 64 to 110 px and takes the room from the outputs;
our views size themselves to their output's width, so they shrank. ``controls.css`` gives an output that
holds a convlab view the prompt's column in Presentation Mode. Checked at 1024×768 with the file browser
open (a classroom projector), where the width is what limits the views:

* lesson 06's LearningViewer picture (a convlab control) is wider in Presentation Mode than without it;
* the Explorer's digits are larger in Presentation Mode than without it (this needs the Explorer's page to
  carry ``controls.css`` too).
"""

from __future__ import annotations

import sys
import time

import pytest

# Loaded by this folder's conftest.py, which pytest always imports before this module.
support = sys.modules["convlab_browser_support"]

pytestmark = pytest.mark.browser

TOGGLE = "() => window.jupyterapp.commands.execute('application:toggle-presentation-mode')"
IN_PRESENTATION = "() => window.jupyterapp.shell.presentationMode"


def _open(lab_server, page, rel: str):
    if not (support.REPO_ROOT / rel).exists():
        support.skip_or_fail(f"{rel} does not exist")
    page.set_viewport_size({"width": 1024, "height": 768})
    base, token = lab_server["base"], lab_server["token"]
    name = support.slug(rel.rsplit("/", 1)[-1].removesuffix(".ipynb"))
    panel = support.open_notebook(
        page, f"{base}/lab/workspaces/present-{name}-{int(time.time())}/tree/{rel}?reset&token={token}", rel)
    state = support.run_all_cells(page, rel)
    assert not state["errors"], state["errors"]
    return panel


def _in_presentation_mode(page, measure, *, what: str):
    """``measure()`` before and after switching Presentation Mode on (once the layout has settled)."""
    page.wait_for_timeout(1000)
    before = measure()
    page.evaluate(TOGGLE)
    support.wait_until(page, lambda: page.evaluate(IN_PRESENTATION), timeout=10, what="Presentation Mode")
    support.wait_until(page, lambda: measure() != before, timeout=15, what=f"{what} to change size")
    page.wait_for_timeout(1000)
    return before, measure()


def test_presentation_mode_makes_a_lessons_picture_larger(lab_server, page):
    rel = "notebooks/06_why_convolution_matters.ipynb"
    try:
        panel = _open(lab_server, page, rel)
        picture = panel.locator(".convlab-lesson-widget img.convlab-control-picture").first
        support.wait_until(page, lambda: picture.count() and picture.evaluate("i => i.naturalWidth") > 0,
                           timeout=60, what="the LearningViewer's picture")
        picture.scroll_into_view_if_needed()
        natural = picture.evaluate("i => i.naturalWidth")
        before, after = _in_presentation_mode(page, lambda: picture.evaluate("i => i.getBoundingClientRect().width"),
                                              what="the picture")
        page.screenshot(path=str(support.artifact_path("present-lesson06.png")))
        assert before < natural, f"at 1024 px the picture ({natural} px) should be limited by the width; got {before}"
        assert after > before, f"Presentation Mode: the picture went from {before:.0f} to {after:.0f} px wide"
    finally:
        support.shutdown_kernels(lab_server["base"], lab_server["token"])


def test_presentation_mode_makes_the_explorers_digits_larger(lab_server, page):
    rel = "notebooks/explorer.ipynb"
    try:
        panel = _open(lab_server, page, rel)
        root = support.wait_explorer(page, panel)
        root.scroll_into_view_if_needed()
        before, after = _in_presentation_mode(page, lambda: support.explorer_state(root)["smallest_number_px"],
                                              what="the Explorer's digits")
        page.screenshot(path=str(support.artifact_path("present-explorer.png")))
        assert after > before, f"Presentation Mode: the Explorer's digits went from {before} to {after} px"
        assert not support.overflow_report(support.explorer_state(root))
    finally:
        support.shutdown_kernels(lab_server["base"], lab_server["token"])
