"""Keys go to convlab's controls in every front end a class uses: JupyterLab, Notebook 7 and Voilà.

While one of convlab's controls has focus, the keys it uses (arrows, Home/End, Page Up/Down, Space,
Enter) must operate it, not the host: in a notebook's command mode ArrowUp/ArrowLeft would otherwise
select another cell and move the focus there (Notebook 7 handles keys before the page sees them). Each
test presses the keys a learner would and checks three things after every key: the control's value
changed, the focus is still on it, and (in a notebook) the same cell is active.

* a lesson's slider (``convlab.widgets.controls.Slider``, lesson 06's training-step slider), in each
  front end;
* the Explorer, keyboard only, in JupyterLab and Notebook 7: stride 2, window 1's five phases, window 2
  (the same walk as the Voilà test).
"""

from __future__ import annotations

import sys
import time

import pytest

# Loaded by this folder's conftest.py, which pytest always imports before this module.
support = sys.modules["convlab_browser_support"]

pytestmark = pytest.mark.browser

LESSON = "notebooks/06_why_convolution_matters.ipynb"
EXPLORER = "notebooks/explorer.ipynb"
LESSON_SLIDER = ".convlab-control-slider input[type=range]"
VOILA_LOAD_TIMEOUT = 240

def _require(rel: str) -> None:
    if not (support.REPO_ROOT / rel).exists():
        support.skip_or_fail(f"{rel} does not exist")


def open_in(front_end: str, page, server, rel: str):
    """Open ``rel`` in ``front_end`` and run it; return the locator the test's DOM queries are scoped to."""
    base, token = server["base"], server["token"]
    if front_end == "voila":
        response = page.goto(f"{base}/voila/render/{rel}?token={token}", wait_until="domcontentloaded",
                             timeout=VOILA_LOAD_TIMEOUT * 1000)
        assert response is not None and response.status == 200, f"{rel}: HTTP {response and response.status}"
        support.wait_until(page, lambda: page.evaluate(support.JS_VOILA_DONE), timeout=VOILA_LOAD_TIMEOUT,
                           what=f"Voilà to render {rel}")
        return page.locator("body")
    if front_end == "lab":
        name = support.slug(rel.rsplit("/", 1)[-1].removesuffix(".ipynb"))  # no dot: a workspace name
        url = f"{base}/lab/workspaces/keys-{name}-{int(time.time())}/tree/{rel}?reset&token={token}"
    else:  # Notebook 7: one notebook per browser tab, at /notebooks/<path>
        url = f"{base}/notebooks/{rel}?token={token}"
    panel = support.open_notebook(page, url, rel)
    state = support.run_all_cells(page, rel)
    assert not state["errors"], f"{rel} in {front_end}: cells raised errors: {state['errors']}"
    return panel


def _server(front_end: str, request):
    return request.getfixturevalue("notebook7_server" if front_end == "notebook7" else "lab_server")


@pytest.mark.parametrize("front_end", [
    "lab",        # JupyterLab: its shortcuts listen in the bubbling phase
    "notebook7",  # Notebook 7: its shortcuts listen in the capture phase, before the page
    "voila",      # Voilà: no notebook shortcuts, the control must still get its keys
])
def test_arrow_keys_on_a_lesson_slider_change_it_and_keep_the_focus(front_end, request, page):
    _require(LESSON)
    server = _server(front_end, request)
    try:
        scope = open_in(front_end, page, server, LESSON)
        slider = scope.locator(LESSON_SLIDER).first
        support.wait_until(page, lambda: slider.count() and support.live_text(page, "step 0 of"), timeout=60,
                           what="lesson 06's training-step slider and its caption")
        slider.scroll_into_view_if_needed()
        slider.evaluate("el => el.setAttribute('data-convlab-test-slider', '')")
        slider.focus()
        top = int(slider.get_attribute("max"))
        cell = support.active_cell(page)
        # End, then back one (ArrowLeft) and forward one (ArrowUp), as a learner stepping through training
        for key, expected in (("End", top), ("ArrowLeft", top - 1), ("ArrowUp", top)):
            page.keyboard.press(key)
            support.wait_until(page, lambda: support.live_text(page, f"step {expected} of {top}"), timeout=30,
                               what=f"{front_end}: the caption to say step {expected} after {key}")
            assert int(slider.input_value()) == expected, (key, slider.input_value())
            assert page.evaluate("() => document.activeElement.hasAttribute('data-convlab-test-slider')"), \
                f"{front_end}: {key} moved the focus off the slider"
            assert support.active_cell(page) == cell, \
                f"{front_end}: {key} made cell {support.active_cell(page)} active instead of cell {cell}"
        page.screenshot(path=str(support.artifact_path(f"keys-{front_end}-lesson06.png")))
    finally:
        support.shutdown_kernels(server["base"], server["token"])


@pytest.mark.parametrize("front_end", ["lab", "notebook7"])
def test_keyboard_alone_walks_an_explorer_window_in_a_notebook(front_end, request, page):
    _require(EXPLORER)
    server = _server(front_end, request)
    page.set_viewport_size({"width": 1280, "height": 900})
    try:
        scope = open_in(front_end, page, server, EXPLORER)
        root = support.wait_explorer(page, scope)
        root.scroll_into_view_if_needed()
        stride = root.locator(".convlab-stride input[type=range]")
        # a learner clicks into the Explorer, then uses the keyboard alone (the notebook is in command mode)
        support.walk_one_window_by_keyboard(page, root, shot_prefix=f"keys-{front_end}-explorer",
                                            reach_stride=stride.focus)
    finally:
        support.shutdown_kernels(server["base"], server["token"])
