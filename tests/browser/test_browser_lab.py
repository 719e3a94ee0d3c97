"""The Explorer in a real JupyterLab in a real Chromium, on a small screen.

Every lesson run in JupyterLab, its outputs audited and its slider moved, is
``test_lessons_in_jupyterlab.py``. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
import sys
import time

import pytest

# Loaded by this folder's conftest.py, which pytest always imports before this module.
support = sys.modules["convlab_browser_support"]

pytestmark = pytest.mark.browser


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
