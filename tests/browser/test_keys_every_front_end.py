"""Keys go to convlab's controls in every front end a class uses: JupyterLab, Notebook 7 and Voilà.

While one of convlab's controls has focus, the keys it uses (arrows, Home/End, Page Up/Down, Space,
Enter) must operate it, not the host: in a notebook's command mode ArrowUp/ArrowLeft would otherwise
select another cell and move the focus there (Notebook 7 handles keys before the page sees them). Each
test presses the keys a learner would and checks three things after every key: the control's value
changed, the focus is still on it, and (in a notebook) the same cell is active.

* a lesson's slider (``convlab.widgets.controls.Slider``, lesson 06's training-step slider), in each
  front end: Notebook 7 here; JupyterLab and Voilà on the run of lesson 06 their other checks use
  (``test_lessons_in_jupyterlab.py``, ``test_accessibility.py``), so no front end runs the lesson twice;
* the Explorer, keyboard only, in Notebook 7 here (JupyterLab: ``test_browser_lab.py``; Voilà:
  ``test_browser_voila.py``): stride 2, window 1's five phases, window 2.
"""

from __future__ import annotations

import sys

import pytest

# Loaded by this folder's conftest.py, which pytest always imports before this module.
support = sys.modules["convlab_browser_support"]

pytestmark = pytest.mark.browser

LESSON = support.LESSON_06
EXPLORER = "notebooks/explorer.ipynb"


def _require(rel: str) -> None:
    if not (support.REPO_ROOT / rel).exists():
        support.skip_or_fail(f"{rel} does not exist")


def open_in_notebook7(page, server, rel: str):
    """Open ``rel`` in Notebook 7 (one notebook per browser tab, at /notebooks/<path>) and run it; return
    the notebook's panel, which the test's DOM queries are scoped to."""
    panel = support.open_notebook(page, f"{server['base']}/notebooks/{rel}?token={server['token']}", rel)
    state = support.run_all_cells(page, rel)
    assert not state["errors"], f"{rel} in Notebook 7: cells raised errors: {state['errors']}"
    return panel


def test_arrow_keys_on_a_lesson_slider_change_it_and_keep_the_focus_in_notebook7(notebook7_server, page):
    """Notebook 7's shortcuts listen in the capture phase, before the page. JupyterLab and Voilà: the same
    check on their one run of lesson 06 (``test_lessons_in_jupyterlab.py``, ``test_accessibility.py``)."""
    _require(LESSON)
    try:
        scope = open_in_notebook7(page, notebook7_server, LESSON)
        support.check_lesson_slider_keys(page, scope, front_end="notebook7")
    finally:
        support.shutdown_kernels(notebook7_server["base"], notebook7_server["token"])


def test_keyboard_alone_walks_an_explorer_window_in_notebook7(notebook7_server, page):
    """JupyterLab: ``test_browser_lab.py``, on its one run of the Explorer notebook."""
    _require(EXPLORER)
    page.set_viewport_size({"width": 1280, "height": 900})
    try:
        scope = open_in_notebook7(page, notebook7_server, EXPLORER)
        root = support.wait_explorer(page, scope)
        root.scroll_into_view_if_needed()
        stride = root.locator(".convlab-stride input[type=range]")
        # a learner clicks into the Explorer, then uses the keyboard alone (the notebook is in command mode)
        support.walk_one_window_by_keyboard(page, root, shot_prefix="keys-notebook7-explorer",
                                            reach_stride=stride.focus)
    finally:
        support.shutdown_kernels(notebook7_server["base"], notebook7_server["token"])
