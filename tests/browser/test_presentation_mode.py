"""JupyterLab's Presentation Mode (View menu) makes convlab's views larger, never smaller.

Presentation Mode widens every cell's prompt column from 64 to 110 px and takes the room from the outputs;
our views size themselves to their output's width, so they shrank. ``controls.css`` gives an output that
holds a convlab view the prompt's column in Presentation Mode. Checked at 1024×768 with the file browser
open (a classroom projector), where the width is what limits the views:

* lesson 06's LearningViewer picture (a convlab control) is wider in Presentation Mode than without it
  (checked on JupyterLab's one run of lesson 06, ``test_lessons_in_jupyterlab.py``);
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


def test_presentation_mode_makes_the_explorers_digits_larger(lab_server, page):
    rel = "notebooks/explorer.ipynb"
    try:
        panel = _open(lab_server, page, rel)
        root = support.wait_explorer(page, panel)
        root.scroll_into_view_if_needed()
        before, after = support.in_presentation_mode(
            page, lambda: support.explorer_state(root)["smallest_number_px"], what="the Explorer's digits")
        page.screenshot(path=str(support.artifact_path("present-explorer.png")))
        assert after > before, f"Presentation Mode: the Explorer's digits went from {before} to {after} px"
        assert not support.overflow_report(support.explorer_state(root))
    finally:
        support.shutdown_kernels(lab_server["base"], lab_server["token"])
