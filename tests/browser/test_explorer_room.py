"""The Explorer in the room (issue 19): what a teacher in front of a class expects of it.

* Play keeps playing through a setting change, from window 1 of the new walk: in Jupyter (a Voilà page
  with a live kernel, where Python computes the new walk) and in a saved page (precomputed settings).
"""

from __future__ import annotations

import sys

import pytest

from convlab.widgets import Explorer

support = sys.modules["convlab_browser_support"]

pytestmark = pytest.mark.browser

VOILA_LOAD_TIMEOUT = 180
CAPTIONS = "window.__convlabCaptions"


def _captions_reach(page, prefix: str, *, after: int = 0, timeout: float = 40):
    """The captions recorded so far (support.JS_RECORD_CAPTIONS) once one after the first ``after`` starts
    with ``prefix``."""
    return support.wait_until(
        page, lambda: (lambda c: c if any(line.startswith(prefix) for line in c[after:]) else None)(
            page.evaluate(CAPTIONS)), timeout=timeout, what=f"Play to reach {prefix!r}")


def _play_goes_on_through(page, root, change) -> None:
    """Play, then ``change()`` a setting (9 windows -> 4 by stride 2): the new walk plays from its window 1."""
    root.locator("select.convlab-speed").select_option("400")
    root.evaluate(support.JS_RECORD_CAPTIONS)
    play = root.locator("button.convlab-play")
    play.click()
    seen = _captions_reach(page, "Window 2 of 9 · sum")  # mid-window: the new walk must start at place
    change()
    seen = _captions_reach(page, "Window 2 of 4", after=len(seen))
    after = [line for line in seen if " of 4 · " in line]
    assert after[0].startswith("Window 1 of 4 · place"), after  # from the new walk's first window and phase
    assert play.inner_text().strip() == "Pause", "Play stopped at the setting change"
    play.click()
    assert play.inner_text().strip() == "Play"


def test_play_keeps_playing_through_a_setting_change_in_a_saved_page(page, tmp_path):
    path = Explorer().save_html(tmp_path / "walk.html", settings=[{}, {"stride": 2}])
    page.goto(path.resolve().as_uri())
    root = support.wait_explorer(page, page.locator("body"), timeout=30)
    _play_goes_on_through(page, root, lambda: page.locator("#convlab-setting").select_option("1"))


def test_play_keeps_playing_through_a_setting_change_in_jupyter(voila_server, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(voila_server["url"], wait_until="domcontentloaded", timeout=60_000)
    root = support.wait_explorer(page, page.locator("body"), timeout=VOILA_LOAD_TIMEOUT)

    def stride_two():
        stride = root.locator(".convlab-stride input[type=range]")
        stride.focus()
        stride.press("ArrowRight")  # sent to Python, which answers with the new walk

    _play_goes_on_through(page, root, stride_two)
