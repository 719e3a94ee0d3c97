"""The Explorer as a Voilà page: no code cells, widgets rendered, and a slider that changes the view.

Two real paths a teacher uses: ``voila notebooks/explorer.ipynb`` on its own, and
``/voila/render/notebooks/explorer.ipynb`` inside a JupyterLab server (Voilà's server extension).
On the standalone page, what a learner does with the Explorer: Play walks the five phases of a window,
the keyboard alone walks a window and changes the stride (with visible focus), the figure fills a wide
screen, and axe-core finds no serious or critical accessibility violation.
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
    response = page.goto(url, wait_until="domcontentloaded", timeout=VOILA_LOAD_TIMEOUT * 1000)
    assert response is not None and response.status == 200, f"{label}: HTTP {response and response.status}"
    body = page.locator("body")

    def loaded():
        text = body.inner_text(timeout=5000)
        errors = [e for e in VOILA_ERROR_TEXTS if e in text]
        if errors:
            return {"errors": errors, "text": text[-3000:]}
        figure = page.locator(".convlab-explorer svg.convlab-figure text")
        return figure.count() > 0 and page.locator(support.SLIDERS).first.is_visible()

    result = support.wait_until(page, loaded, timeout=VOILA_LOAD_TIMEOUT, what=f"{label} to show a slider")
    if isinstance(result, dict):
        page.screenshot(path=str(support.artifact_path(f"{support.slug(label)}-error.png")), full_page=True)
        pytest.fail(f"{label}: the page shows {result['errors']}:\n{result['text']}", pytrace=False)
    first_slider = page.locator(support.SLIDERS).first
    support.wait_stable_signature(page, first_slider, timeout=30, quiet=2.0)

    text = body.inner_text()
    errors = [e for e in VOILA_ERROR_TEXTS if e in text] + support.page_widget_errors(body)
    assert not errors, f"{label}: the page shows {errors}"
    visible_code = page.evaluate(JS_VISIBLE_CODE)
    assert visible_code == 0, f"{label}: {visible_code} code-cell elements are visible"
    shown = [ln for ln in code_lines(support.REPO_ROOT / "notebooks" / "explorer.ipynb") if ln in text]
    assert not shown, f"{label}: source code is visible on the page: {shown}"
    record["widgets"] = page.locator(support.WIDGETS).count()
    record["sliders"] = page.locator(support.SLIDERS).count()
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


PHASES = support.PHASES


def open_explorer(page, voila_server, *, width: int, height: int):
    page.set_viewport_size({"width": width, "height": height})
    response = page.goto(voila_server["url"], wait_until="domcontentloaded", timeout=VOILA_LOAD_TIMEOUT * 1000)
    assert response is not None and response.status == 200
    return support.wait_explorer(page, page.locator("body"), timeout=VOILA_LOAD_TIMEOUT,
                                 what="the Voilà page to draw the Explorer")


def test_play_shows_all_five_phases_of_a_window(voila_server, page):
    root = open_explorer(page, voila_server, width=1280, height=900)
    root.locator("select.convlab-speed").select_option(label="fast")
    root.evaluate(support.JS_RECORD_CAPTIONS)
    root.locator("button.convlab-play").click()
    seen = support.wait_until(
        page, lambda: (lambda c: c if any(line.startswith("Window 2 of") for line in c) else None)(
            page.evaluate("window.__convlabCaptions")),
        timeout=30, what="Play to reach window 2")
    root.locator("button.convlab-play").click()  # pause
    page.screenshot(path=str(support.artifact_path("voila-explorer-play.png")))
    first = [line.split(" · ")[1].split(":")[0] for line in seen if line.startswith("Window 1 of")]
    ordered = [p for i, p in enumerate(first) if i == 0 or first[i - 1] != p]
    assert ordered[-5:] == PHASES, f"Play showed {ordered} for window 1 (captions: {seen})"
    assert any(line.startswith("Window 2 of 9 · place") for line in seen), seen


def test_keyboard_alone_walks_a_window_and_changes_the_stride(voila_server, page):
    root = open_explorer(page, voila_server, width=1280, height=900)
    support.walk_one_window_by_keyboard(page, root, shot_prefix="voila-explorer")


@pytest.fixture(scope="class")
def explorer_1280(voila_server, chromium):
    """One standalone Explorer page at 1280×900 for the checks that leave it as they found it."""
    with support.page_of_its_own(chromium, "voila-explorer-1280.console.txt") as page:
        yield page, open_explorer(page, voila_server, width=1280, height=900)


class TestOneExplorerPage:
    """Read the page, audit it, switch the operation and back: one page load serves all three."""

    def test_figure_spans_most_of_a_wide_screen(self, explorer_1280):
        page, root = explorer_1280
        state = support.explorer_state(root)
        page.screenshot(path=str(support.artifact_path("voila-explorer-1280.png")))
        assert state["svg_width"] >= 0.6 * state["page_width"], state
        assert not support.overflow_report(state), support.overflow_report(state)

    def test_the_explorer_page_has_no_serious_accessibility_violations(self, explorer_1280):
        try:
            from axe_playwright_python.sync_playwright import Axe
        except ImportError:
            support.skip_or_fail("axe-playwright-python is not installed (requirements-dev.txt)")
        page, root = explorer_1280
        state = support.explorer_state(root)
        assert state["has_title"] and state["has_desc"] and state["live"] == "polite", state
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                                 "wcag21aa"]}})
        violations = results.response["violations"]
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5]) for v in violations
               if v["impact"] in ("serious", "critical")]
        support.artifact_path("voila-explorer-axe.json").write_text(json.dumps(violations, indent=2))
        assert not bad, f"axe-core: {bad}"

    def test_the_operation_menu_switches_to_max_pooling_and_back(self, explorer_1280):
        page, root = explorer_1280
        menu = root.locator(".convlab-operation select")
        assert menu.is_visible(), "the Voilà page offers the other operations"
        menu.select_option("max pooling")
        support.wait_until(page, lambda: root.locator(".convlab-phase input[type=radio]").count() == 4 and
                           " · collect: " in support.explorer_state(root)["first_line"] and
                           "pooled map" in support.explorer_state(root)["first_line"],
                           timeout=30, what="the Explorer to show max pooling's four phases")
        phases = root.locator(".convlab-phase input[type=radio]").evaluate_all("els => els.map(e => e.value)")
        assert phases == ["place", "max", "slide", "collect"], phases
        assert root.locator(".convlab-panel-filter").count() == 0  # pooling has no filter panel
        page.screenshot(path=str(support.artifact_path("voila-explorer-max-pooling.png")))
        menu.select_option("convolution")
        support.wait_until(page, lambda: root.locator(".convlab-phase input[type=radio]").count() == 5,
                           timeout=30, what="the five phases of convolution to come back")


def test_nothing_overflows_at_150_percent_zoom_of_a_small_screen(voila_server, page):
    """1024×768 at 150% browser zoom leaves 683×512 CSS pixels: controls wrap, the figure shrinks to fit."""
    root = open_explorer(page, voila_server, width=683, height=512)
    state = support.explorer_state(root)
    page.screenshot(path=str(support.artifact_path("voila-explorer-683.png")), full_page=True)
    assert not support.overflow_report(state), support.overflow_report(state)
    readouts = root.evaluate("""(r) => {
      const boxes = Array.from(r.querySelectorAll('.convlab-field')).filter(e => !e.hidden)
        .map(e => e.getBoundingClientRect());
      let overlaps = 0;
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.width && b.width && a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) overlaps++;
      }
      return overlaps; }""")
    assert readouts == 0, f"{readouts} controls overlap at 683 px"
