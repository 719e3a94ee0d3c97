"""The Explorer's browser view against matplotlib's StepFigure, and the saved page that plays from file://.

Both renderers paint one compact view model (docs/view_model.md). Here the same data is drawn by the real
browser view (a page written by ``Explorer.save_html``, opened from ``file://`` with every http(s) request
blocked) and by ``StepFigure``; every grid's cells (label, fill, ink), every title, the text under the
products, the outlines and the caption must agree, over every phase of sampled windows of every operation.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from convlab.views.walk import frame
from convlab.figures import StepFigure
from convlab.images import sample_photo
from convlab.widgets import Explorer

support = sys.modules["convlab_browser_support"]

pytestmark = pytest.mark.browser

RGB = sample_photo(6, rgb=True)

CASES = [
    # (id, Explorer arguments): every operation, and the settings that change what a frame shows
    ("convolution-seed", dict()),                                              # the lesson's 5x5 walk
    ("convolution-padding-dilation", dict(padding=2, dilation=2, stride=2)),   # sampled cells, padding
    ("convolution-rgb", dict(image=RGB, padding=1)),                           # three channels, channel sums
    ("max-pooling-padding", dict(operation="max pooling", kernel_size=3, stride=2, padding=1)),  # −∞, the pick
    ("average-pooling", dict(operation="average pooling", kernel_size=2, stride=2)),
    ("transposed-convolution", dict(operation="transposed convolution", stride=2)),  # overlapping blocks
    ("transposed-convolution-rgb", dict(operation="transposed convolution", image=RGB, padding=1)),
]

READ_SVG = """() => {
  const out = {};
  for (const g of document.querySelectorAll('g.convlab-panel')) {
    const key = g.dataset.panel;
    (out[key] = out[key] || []).push({
      title: g.querySelector('text.convlab-title').textContent,
      fill: Array.from(g.querySelectorAll('rect.convlab-cell')).map((r) => r.getAttribute('fill')),
      labels: Array.from(g.querySelectorAll('text.convlab-number')).map((t) => t.textContent),
      ink: Array.from(g.querySelectorAll('text.convlab-number')).map((t) => t.getAttribute('fill')),
      box: (() => { const f = g.querySelector('rect.convlab-frame');
        return ['x', 'y', 'width', 'height'].map((a) => Number(f.getAttribute(a))); })(),
    });
  }
  return { grids: out, caption: document.querySelector('.convlab-caption').textContent,
    sums: Array.from(document.querySelectorAll('text.convlab-sum')).map((t) => t.textContent) };
}"""

OUTLINES = """([inCols, mapCols]) => {
  const grid = (key) => document.querySelector(`g.convlab-panel[data-panel="${key}"] rect.convlab-frame`);
  const rel = (node, key, cols) => {
    if (!node || node.getAttribute('visibility') === 'hidden') return null;
    const f = grid(key), c = Number(f.getAttribute('width')) / cols;
    return [Math.round((Number(node.getAttribute('y')) - Number(f.getAttribute('y'))) / c),
            Math.round((Number(node.getAttribute('x')) - Number(f.getAttribute('x'))) / c),
            Math.round(Number(node.getAttribute('height')) / c), Math.round(Number(node.getAttribute('width')) / c)];
  };
  return { window: rel(document.querySelector('rect.convlab-window-box'), 'input', inCols),
           ghost: rel(document.querySelector('rect.convlab-ghost'), 'input', inCols),
           cell: rel(document.querySelector('rect.convlab-map-box'), 'map', mapCols),
           marked: Array.from(document.querySelectorAll('rect.convlab-pick')).map(
             (n) => n.getAttribute('visibility') !== 'hidden') };
}"""

SET_WINDOW = """(w) => { const i = document.querySelector('input.convlab-window'); i.value = String(w);
  i.dispatchEvent(new Event('input', { bubbles: true })); }"""


def _painted(grid):
    rgb = np.rint(grid.rgb[..., :3].reshape(-1, 3) * 255).astype(int)
    return [t.get_text() for t in grid.texts], ["#%02x%02x%02x" % tuple(c) for c in rgb], [
        t.get_color() for t in grid.texts]


def _open(page, path):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    requests = []
    page.route("http*://**", lambda route: (requests.append(route.request.url), route.abort()))
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("rect.convlab-cell")
    return errors, requests


def _samples(n):
    return sorted({0, 1, n // 2, n - 2, n - 1} & set(range(n)))


@pytest.mark.parametrize("case, kwargs", CASES, ids=[c[0] for c in CASES])
def test_browser_and_step_figure_paint_the_same_frames(page, tmp_path, case, kwargs):
    ex = Explorer(**kwargs)
    vm = ex.view_model
    path = ex.save_html(tmp_path / f"{case}.html")
    errors, requests = _open(page, path)
    sf = StepFigure(dpi=30)
    sf.configure(vm)
    in_cols, map_cols = vm["panels"]["input"]["cols"], vm["panels"]["map"]["cols"]
    for index in _samples(vm["windows"]["count"]):
        page.evaluate(SET_WINDOW, index + 1)
        for phase in vm["phases"]:
            page.locator(f"label.convlab-pill:has(input[value='{phase}'])").click()
            shown = page.evaluate(READ_SVG)
            sf.show(index, phase)
            where = f"{case}, window {index + 1}, {phase}"
            assert shown["caption"] == sf.caption, where
            assert shown["sums"] == [g.ax.get_xlabel() for g in sf.panels["products"]], where
            for key, grids in sf.panels.items():
                assert len(shown["grids"][key]) == len(grids), (where, key)
                for svg_grid, grid in zip(shown["grids"][key], grids):
                    labels, fill, ink = _painted(grid)
                    assert [c.lower() for c in svg_grid["fill"]] == fill, (where, key, "fill")
                    assert svg_grid["labels"] == labels, (where, key, "labels")
                    assert [c.lower() for c in svg_grid["ink"]] == [c.lower() for c in ink], (where, key, "ink")
                    assert svg_grid["title"] == grid.ax.get_title(), (where, key, "title")
            outlines = page.evaluate(OUTLINES, [in_cols, map_cols])
            f = frame(vm, index, phase)  # what StepFigure painted its outlines from
            assert outlines["window"] == f["window"] and outlines["ghost"] == f["ghost"], where
            assert outlines["cell"] == f["cell"], where
            assert outlines["marked"] == [k is not None for k in f["marked"]], where
    assert errors == [] and requests == []


def test_saved_page_plays_the_five_phases_from_file_with_the_network_blocked(page, tmp_path):
    path = Explorer().save_html(tmp_path / "walk.html", settings=[{}, {"stride": 2}, {"padding": 1}])
    errors, requests = _open(page, path)
    caption = page.locator(".convlab-caption")
    page.locator("select.convlab-speed").select_option("400")
    page.locator("label.convlab-pill:has(input[value='collect'])").click()
    # every caption is recorded the moment it changes: a poll from here can miss a phase on a busy machine
    # (one did: Play ran on to window 9 while the poller never saw window 2's multiply)
    page.locator("body").evaluate(support.JS_RECORD_CAPTIONS)
    page.locator("button.convlab-play").click()  # from a collected window: its five phases, then the next
    seen = support.wait_until(
        page, lambda: (lambda c: c if any(line.startswith("Window 2 of 9 · multiply") for line in c) else None)(
            [line.split(":")[0] for line in page.evaluate("window.__convlabCaptions")]),
        timeout=20, what="Play to reach window 2")
    for phase in ("place", "multiply", "sum", "slide", "collect"):
        assert f"Window 1 of 9 · {phase}" in seen
    page.locator("button.convlab-play").click()  # pause
    assert page.locator("button.convlab-play").inner_text().strip() == "Play"
    assert page.locator("button.convlab-play svg.convlab-icon").count() == 1  # an SVG icon, not a glyph
    page.locator("button.convlab-next").click()
    assert caption.inner_text().startswith("Window 3 of 9")
    page.locator("#convlab-setting").select_option("1")  # a precomputed setting: stride 2
    assert caption.inner_text().startswith("Window 1 of 4 ·")
    assert page.locator(".convlab-settings").is_hidden()  # no control that would need Python
    assert errors == [] and requests == []


LAYOUT = """(width) => {
  const vm = window.convlabView.walks[0];
  const panels = window.convlabView.describe(vm, window.convlabView.frame(vm, 0, vm.phases[0]));
  return window.convlabView.layout(panels, width);
}"""


@pytest.mark.parametrize("width", [360, 800, 1280])
def test_the_layout_is_a_pure_function_whose_panels_fit_and_never_overlap(page, tmp_path, width):
    path = Explorer(sample_photo(6, rgb=True), padding=1).save_html(tmp_path / "rgb.html")
    _open(page, path)
    geometry = page.evaluate(LAYOUT, width)
    assert geometry["width"] <= width
    boxes = [(b["x"], b["y"], b["x"] + b["w"], b["y"] + b["h"]) for b in geometry["boxes"]]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_the_pages_frame_function_returns_pythons_frame(page, tmp_path):
    ex = Explorer(operation="transposed convolution", stride=2, operations="all")
    path = ex.save_html(tmp_path / "ops.html", settings=[{}, {"operation": "convolution", "dilation": 2,
                                                              "padding": 2}, {"operation": "average pooling"}])
    _open(page, path)
    walks = page.evaluate("() => window.convlabView.walks")
    for vm in walks:
        for index in _samples(vm["windows"]["count"]):
            for phase in vm["phases"]:
                assert page.evaluate("([i, p, k]) => window.convlabView.frame(window.convlabView.walks[k], i, p)",
                                     [index, phase, walks.index(vm)]) == frame(vm, index, phase), (index, phase)
