"""The Explorer in a real JupyterLab in a real Chromium, one run for every check a classroom needs.

``notebooks/explorer.ipynb`` is opened and run once (class-scoped fixture); the checks then use that
page in order, each leaving it as the next expects:

1. **a small screen**: at 1024×768 with the file browser closed nothing overflows sideways and numbers
   stay at least 12 px; at 1280 the figure grows with the window;
2. **Presentation Mode** (View menu): it widens every cell's prompt column from 64 to 110 px and takes
   the room from the outputs; our views size themselves to their output's width, so they shrank.
   ``controls.css`` (carried by the Explorer's page too) gives an output that holds a convlab view the
   prompt's column: at 1024×768 with the file browser open (a classroom projector) the Explorer's digits
   get larger, never smaller. Lesson 06's LearningViewer picture is checked on JupyterLab's one run of
   that lesson (``test_lessons_in_jupyterlab.py``);
3. **the keyboard alone**: a learner clicks into the Explorer, then uses keys only while the notebook is
   in command mode (JupyterLab's shortcuts listen in the bubbling phase): stride 2, window 1's five
   phases, window 2; the focus stays in the Explorer and the active cell does not change. Notebook 7
   and Voilà: ``test_keys_every_front_end.py``, ``test_browser_voila.py``.

Every lesson run in JupyterLab, its outputs audited and its slider moved, is
``test_lessons_in_jupyterlab.py``. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import sys

import pytest

# Loaded by this folder's conftest.py, which pytest always imports before this module.
support = sys.modules["convlab_browser_support"]

pytestmark = pytest.mark.browser

EXPLORER = "notebooks/explorer.ipynb"
SMALL = {"width": 1024, "height": 768}


@pytest.fixture(scope="class")
def explorer_in_lab(lab_server, chromium):
    """The Explorer notebook opened and run in JupyterLab at 1024×768, the file browser closed."""
    if not (support.REPO_ROOT / EXPLORER).exists():
        support.skip_or_fail(f"{EXPLORER} does not exist")
    with support.explorer_in_lab(chromium, lab_server, EXPLORER, viewport=SMALL, name="lab-explorer",
                                 file_browser=False) as ran:
        yield ran


class TestExplorerInJupyterLab:
    def test_explorer_fits_a_1024_by_768_screen_in_jupyterlab(self, explorer_in_lab):
        """At 1024×768 nothing overflows sideways, numbers stay at least 12 px; at 1280 the figure is wide."""
        page, root = explorer_in_lab
        root.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        fit = support.explorer_state(root)
        page.screenshot(path=str(support.artifact_path("lab-explorer-1024x768.png")))
        support.artifact_path("lab-explorer-1024x768.json").write_text(json.dumps(fit, indent=2))
        assert not support.overflow_report(fit), support.overflow_report(fit)
        assert fit["smallest_number_px"] is not None and fit["smallest_number_px"] >= 12, fit
        try:
            page.set_viewport_size({"width": 1280, "height": 800})
            support.wait_until(page, lambda: support.explorer_state(root)["svg_width"] > fit["svg_width"] + 50,
                               timeout=15, what="the figure to grow with the window")
            wide = support.explorer_state(root)
            page.screenshot(path=str(support.artifact_path("lab-explorer-1280.png")))
            assert wide["svg_width"] >= 0.6 * wide["area_width"], wide
            assert not support.overflow_report(wide), support.overflow_report(wide)
        finally:
            page.set_viewport_size(SMALL)

    def test_presentation_mode_makes_the_explorers_digits_larger(self, explorer_in_lab):
        page, root = explorer_in_lab
        page.evaluate("() => window.jupyterapp.shell.expandLeft()")  # a projector: the file browser open
        try:
            support.wait_until(page, lambda: not page.evaluate("() => window.jupyterapp.shell.leftCollapsed"),
                               timeout=10, what="the file browser to open")
            root.scroll_into_view_if_needed()
            before, after = support.in_presentation_mode(
                page, lambda: support.explorer_state(root)["smallest_number_px"], what="the Explorer's digits")
            page.screenshot(path=str(support.artifact_path("present-explorer.png")))
            assert after > before, f"Presentation Mode: the Explorer's digits went from {before} to {after} px"
            assert not support.overflow_report(support.explorer_state(root))
        finally:
            support.leave_presentation_mode(page)

    def test_keyboard_alone_walks_an_explorer_window_in_jupyterlab(self, explorer_in_lab):
        page, root = explorer_in_lab
        page.set_viewport_size({"width": 1280, "height": 900})
        root.scroll_into_view_if_needed()
        stride = root.locator(".convlab-stride input[type=range]")
        # a learner clicks into the Explorer, then uses the keyboard alone (the notebook is in command mode)
        support.walk_one_window_by_keyboard(page, root, shot_prefix="keys-lab-explorer", reach_stride=stride.focus)
