"""The Explorer as a Voilà page: no code cells, widgets rendered, and a slider that changes the view.

Two real paths a teacher uses: ``voila notebooks/explorer.ipynb`` on its own, and
``/voila/render/notebooks/explorer.ipynb`` inside a JupyterLab server (Voilà's server extension).
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request

import pytest

# Loaded by this folder's conftest.py, which pytest always imports before this module.
support = sys.modules["convlab_browser_support"]

pytestmark = pytest.mark.browser

VOILA_LOAD_TIMEOUT = 180

# Markdown cells also use .jp-InputArea in Voilà's lab template, so look at code cells only.
JS_VISIBLE_CODE = """() => Array.from(document.querySelectorAll(
    '.jp-CodeCell .jp-InputArea, .jp-InputArea-editor, .cm-editor, .CodeMirror, .jp-CodeCell .jp-InputPrompt'))
  .filter(e => e.offsetWidth || e.offsetHeight || e.getClientRects().length).length"""


def code_lines(notebook) -> list[str]:
    """The most distinctive line of every code cell (its longest), to prove no source is shown."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    lines = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        candidates = [ln.strip() for ln in source.splitlines() if len(ln.strip()) >= 8]
        if candidates:
            lines.append(max(candidates, key=len))
    return lines

VOILA_ERROR_TEXTS = (
    "There was an error when executing cell",
    "Traceback (most recent call last)",
    "Error displaying widget",
    "Failed to load model class",
)


def check_explorer_page(page, url: str, label: str) -> dict:
    record = {"url": url.split("?")[0]}
    response = page.goto(url, wait_until="domcontentloaded", timeout=60_000)
    assert response is not None and response.status == 200, f"{label}: HTTP {response and response.status}"
    body = page.locator("body")

    def loaded():
        text = body.inner_text(timeout=5000)
        errors = [e for e in VOILA_ERROR_TEXTS if e in text]
        if errors:
            return {"errors": errors, "text": text[-3000:]}
        return page.locator(".widget-slider").count() > 0 and page.locator(".widget-slider").first.is_visible()

    result = support.wait_until(page, loaded, timeout=VOILA_LOAD_TIMEOUT, what=f"{label} to show a slider")
    if isinstance(result, dict):
        page.screenshot(path=str(support.artifact_path(f"{support.slug(label)}-error.png")), full_page=True)
        pytest.fail(f"{label}: the page shows {result['errors']}:\n{result['text']}", pytrace=False)
    first_slider = page.locator(".widget-slider").first
    support.wait_stable_signature(page, first_slider, timeout=30, quiet=2.0)

    text = body.inner_text()
    errors = [e for e in VOILA_ERROR_TEXTS if e in text] + support.page_widget_errors(body)
    assert not errors, f"{label}: the page shows {errors}"
    visible_code = page.evaluate(JS_VISIBLE_CODE)
    assert visible_code == 0, f"{label}: {visible_code} code-cell elements are visible"
    shown = [ln for ln in code_lines(support.REPO_ROOT / "notebooks" / "explorer.ipynb") if ln in text]
    assert not shown, f"{label}: source code is visible on the page: {shown}"
    record["widgets"] = page.locator(".jupyter-widgets").count()
    record["sliders"] = page.locator(".widget-slider").count()
    assert record["widgets"] > 0, f"{label}: no widget rendered"

    page.screenshot(path=str(support.artifact_path(f"{support.slug(label)}-page.png")), full_page=True)
    record["slider"] = support.move_slider_and_check_view(page, body, label=label,
                                                          shot_prefix=support.slug(label))
    page.screenshot(path=str(support.artifact_path(f"{support.slug(label)}-page-after-slider.png")),
                    full_page=True)
    support.artifact_path(f"{support.slug(label)}.json").write_text(json.dumps(record, indent=2))
    return record


def test_voila_shows_the_explorer_without_code_and_its_slider_works(voila_server, page):
    check_explorer_page(page, voila_server["url"], "voila-standalone")


def test_voila_render_inside_jupyterlab_shows_the_explorer(lab_server, page):
    if not (support.REPO_ROOT / "notebooks" / "explorer.ipynb").exists():
        support.skip_or_fail("notebooks/explorer.ipynb does not exist")
    base, token = lab_server["base"], lab_server["token"]
    url = f"{base}/voila/render/notebooks/explorer.ipynb?token={token}"
    try:
        with urllib.request.urlopen(f"{base}/voila/static/voila.js", timeout=10):  # loopback
            pass
    except urllib.error.HTTPError as err:
        if err.code == 404:
            # voila is in requirements.txt and enables its server extension on install.
            support.skip_or_fail("Voilà's server extension is not enabled in this JupyterLab "
                                 "(`jupyter server extension enable voila`)")
    try:
        check_explorer_page(page, url, "voila-in-lab")
    finally:
        support.shutdown_kernels(base, token)
