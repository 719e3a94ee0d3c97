"""The Explorer in the room (issue 19): what a teacher in front of a class expects of it.

* Play keeps playing through a setting change, from window 1 of the new walk: in Jupyter (a Voilà page
  with a live kernel, where Python computes the new walk) and in a saved page (precomputed settings).
"""

from __future__ import annotations

import sys

import nbformat
import numpy as np
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


def _open_voila(page, voila_server, width=1280, height=900):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(voila_server["url"], wait_until="domcontentloaded", timeout=VOILA_LOAD_TIMEOUT * 1000)
    return support.wait_explorer(page, page.locator("body"), timeout=VOILA_LOAD_TIMEOUT)


def test_play_keeps_playing_through_a_setting_change_in_jupyter(voila_server, page):
    root = _open_voila(page, voila_server)

    def stride_two():
        stride = root.locator(".convlab-stride input[type=range]")
        stride.focus()
        stride.press("ArrowRight")  # sent to Python, which answers with the new walk

    _play_goes_on_through(page, root, stride_two)


STALE = """(root) => ({
  phases: Array.from(root.querySelectorAll('.convlab-phase input[type=radio]')).map((e) => e.value),
  stale: root.querySelector('.convlab-stage').classList.contains('convlab-stale'),
  shown: getComputedStyle(root.querySelector('svg.convlab-figure')).display !== 'none' &&
         root.querySelectorAll('svg.convlab-figure rect.convlab-cell').length > 0,
  opacity: Number(getComputedStyle(root.querySelector('svg.convlab-figure')).opacity),
  counter: root.querySelector('.convlab-window-text').textContent,
  caption: root.querySelector('.convlab-caption').textContent,
  size: root.querySelector('.convlab-kernel-size label').textContent,
})"""


def test_a_pooling_padding_that_does_not_fit_keeps_pooling_and_the_last_figure_dimmed(voila_server, page):
    root = _open_voila(page, voila_server)
    root.locator(".convlab-operation select").select_option("max pooling")
    support.wait_until(page, lambda: root.evaluate(STALE)["phases"] == ["place", "max", "slide", "collect"],
                       timeout=30, what="max pooling's four phases")
    root.locator("button.convlab-next").click()
    assert support.explorer_state(root)["first_line"].startswith("Window 2 of 9")
    padding = root.locator(".convlab-padding input[type=range]")
    padding.focus()
    for _ in range(2):  # padding 2 with a 3x3 pooling window: more than half of it
        padding.press("ArrowRight")
    state = support.wait_until(page, lambda: (lambda s: s if s["stale"] else None)(root.evaluate(STALE)),
                               timeout=30, what="the setting that does not fit to be explained")
    page.screenshot(path=str(support.artifact_path("room-pooling-misfit.png")))
    assert state["phases"] == ["place", "max", "slide", "collect"], state  # not convolution's five
    assert state["shown"] and state["opacity"] < 0.5, state  # the last good figure, dimmed
    assert state["caption"].startswith("padding must be at most half the pooling size"), state
    assert state["counter"] == "no windows: this setting does not fit", state
    assert state["size"] == "pool size", state
    padding.press("ArrowLeft")  # padding 1 fits again: a live figure, a counter that counts
    state = support.wait_until(page, lambda: (lambda s: s if not s["stale"] else None)(root.evaluate(STALE)),
                               timeout=30, what="the figure to come back")
    assert state["opacity"] == 1 and state["counter"].startswith("Window 1 of "), state
    assert state["caption"].startswith("Window 1 of "), state


RGB_NOTEBOOK = """import numpy as np
from convlab.widgets import Explorer
Explorer(np.random.default_rng(0).integers(0, 256, (8, 8, 3)))"""

ON_SCREEN = """(root) => {
  let view = root.parentElement;  // the notebook's scrolling area
  while (view && !(['auto', 'scroll'].includes(getComputedStyle(view).overflowY) &&
                   view.scrollHeight > view.clientHeight + 1)) view = view.parentElement;
  const screen = view ? view.getBoundingClientRect() : { top: 0, bottom: window.innerHeight };
  const out = (r) => r.top < screen.top - 1 || r.bottom > screen.bottom + 1;
  const r = root.getBoundingClientRect();
  const panels = Array.from(root.querySelectorAll('g.convlab-panel')).map((g) => ({
    key: g.dataset.panel, grid: g.dataset.grid, off: out(g.getBoundingClientRect()) }));
  const sums = Array.from(root.querySelectorAll('text.convlab-sum')).filter((t) => t.textContent)
    .map((t) => out(t.getBoundingClientRect()));
  return { height: r.height, screen: screen.bottom - screen.top, panels, sums,
           caption: out(root.querySelector('.convlab-caption').getBoundingClientRect()),
           play: out(root.querySelector('button.convlab-play').getBoundingClientRect()) };
}"""


@pytest.fixture(scope="class")
def rgb_explorer_in_lab(lab_server, chromium):
    """An RGB Explorer in a notebook run in JupyterLab at 1280×800 (a laptop), once for both checks."""
    rel = "test-artifacts/room-rgb-explorer.ipynb"
    path = support.artifact_path("room-rgb-explorer.ipynb")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(RGB_NOTEBOOK)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, path)
    with support.explorer_in_lab(chromium, lab_server, rel, viewport={"width": 1280, "height": 800},
                                 name="room-rgb-lab") as ran:
        yield ran


class TestRgbExplorerInJupyterLab:
    """The file browser closed, then opened beside the same Explorer (its output area narrows)."""

    @pytest.mark.parametrize("file_browser", ["closed", "open"])
    def test_an_rgb_explorer_fits_one_screen_of_jupyterlab(self, rgb_explorer_in_lab, file_browser):
        page, root = rgb_explorer_in_lab
        page.evaluate("(open) => { const app = window.jupyterapp;"  # the file browser open or closed
                      " if (app.shell.leftCollapsed === open) app.commands.execute('application:toggle-left-area'); }",
                      file_browser == "open")
        assert page.evaluate("() => window.jupyterapp.shell.leftCollapsed") == (file_browser == "closed")
        page.wait_for_timeout(1000)  # the layout settles (the output area's final width)
        root.locator("svg.convlab-figure").evaluate("(r) => r.scrollIntoView({ block: 'start' })")
        page.wait_for_timeout(300)
        seen = root.evaluate(ON_SCREEN)
        support.artifact_path(f"room-rgb-lab-1280-{file_browser}.json").write_text(str(seen))
        page.screenshot(path=str(support.artifact_path(f"room-rgb-lab-1280-{file_browser}.png")))
        assert seen["height"] <= 760, f"the RGB Explorer is {seen['height']:.0f} px tall at 1280x800"
        keys = sorted({(p["key"], p["grid"]) for p in seen["panels"]})
        assert len([k for k in keys if k[0] == "input"]) == 3 and ("map", "0") in keys, keys
        assert not [p for p in seen["panels"] if p["off"]], seen  # channels and map on screen together
        assert len(seen["sums"]) == 3 and not any(seen["sums"]), seen  # each channel's sum too


LAYOUT = """([width, height]) => {
  const v = window.convlabView, vm = v.walks[0];
  return v.layout(v.describe(vm, v.frame(vm, 0, vm.phases[0])), width, height);
}"""


@pytest.mark.parametrize("width, height", [
    (1140, 480),   # JupyterLab at 1280 wide, the file browser closed: the channels go side by side
    (860, 520),    # the file browser open: side by side again, in two rows
])
def test_the_layout_puts_rgb_channels_side_by_side_when_a_column_would_not_fit(page, tmp_path, width, height):
    image = np.random.default_rng(0).integers(0, 256, (8, 8, 3))
    path = Explorer(image).save_html(tmp_path / "rgb.html")
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("rect.convlab-cell")
    tall = page.evaluate(LAYOUT, [width, 1e9])  # no limit on the height
    fitted = page.evaluate(LAYOUT, [width, height])
    assert fitted["width"] <= width and fitted["height"] <= height, (fitted["width"], fitted["height"])
    assert fitted["height"] < tall["height"]
    inputs = next(b for b in fitted["boxes"] if b["panel"]["key"] == "input")
    assert len({s["y"] for s in inputs["slots"]}) == 1, inputs["slots"]  # R, G and B in one row
    for box in fitted["boxes"]:  # every number stays readable: 10.5 px at least (numberSize in layout.js)
        if box["panel"]["numbers"]:
            size = min(0.45 * box["cell"], 22, (box["cell"] - 6) / (box["panel"]["longest"] * 0.6))
            assert size >= 10.5 - 1e-6, (box["panel"]["key"], box["cell"], size)


FIRST_SCREEN = """(root) => {
  const bottom = (sel) => { const e = root.querySelector(sel); return e ? e.getBoundingClientRect().bottom : 1e9; };
  const svg = root.querySelector('svg.convlab-figure');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = Array.from(svg.querySelectorAll('text.convlab-number')).filter((t) => t.textContent.trim())
    .map((t) => Number(t.getAttribute('font-size')) * scale);
  const shown = (sel) => Array.from(root.querySelectorAll(sel)).some((e) => e.offsetParent !== null);
  return { scrollY: window.scrollY, screen: window.innerHeight, figure: bottom('svg.convlab-figure'),
           caption: bottom('.convlab-caption'), play: bottom('button.convlab-play'),
           previous: bottom('button.convlab-prev'), next: bottom('button.convlab-next'),
           digits: Math.min(...sizes),
           cell: Number(svg.querySelector('rect.convlab-cell').getAttribute('width')) * scale,
           secondary: ['.convlab-dilation', '.convlab-family', '.convlab-flip', 'select.convlab-speed']
             .filter((sel) => shown(sel)),
           overflow: document.documentElement.scrollWidth > window.innerWidth + 1 };
}"""


def _on_first_screen(seen) -> list[str]:
    return [f"{what} ends at {seen[what]:.0f} px" for what in ("figure", "caption", "play", "previous", "next")
            if seen[what] > seen["screen"]]


def test_a_projector_sees_the_figure_caption_and_play_on_the_first_screen(voila_server, page):
    root = _open_voila(page, voila_server, width=1024, height=768)
    page.wait_for_timeout(800)  # the layout settles
    seen = root.evaluate(FIRST_SCREEN)
    page.screenshot(path=str(support.artifact_path("room-projector-1024.png")))
    assert seen["scrollY"] == 0 and not _on_first_screen(seen), (_on_first_screen(seen), seen)
    assert seen["digits"] >= 16 and not seen["overflow"], seen
    toggle = root.locator("button.convlab-projector-toggle")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    support.wait_until(page, lambda: root.evaluate(FIRST_SCREEN)["cell"] > seen["cell"], timeout=10,
                       what="the projector view to enlarge the cells")
    page.wait_for_timeout(500)
    big = root.evaluate(FIRST_SCREEN)
    page.screenshot(path=str(support.artifact_path("room-projector-1024-on.png")))
    assert big["scrollY"] == 0 and not _on_first_screen(big), (_on_first_screen(big), big)
    assert big["digits"] > seen["digits"] and big["secondary"] == [] and not big["overflow"], big
    toggle.click()  # and back
    support.wait_until(page, lambda: root.evaluate(FIRST_SCREEN)["secondary"] != [], timeout=10,
                       what="the secondary controls to come back")
