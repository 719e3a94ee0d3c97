"""One Explorer walk as a self-contained HTML page: no Python, no kernel, no network (``Explorer.save_html``).

The browser view is an anywidget module that only needs ``model.get/set/on/off/save_changes``; the page
inlines that module, its CSS, a small model shim and the state of one or more settings (each view model
computed in Python beforehand), so the walk plays from ``file://``, a USB stick or an LMS page.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from .._shared.files import check_write_path, write_atomically

__all__ = ["page_html", "write_page"]

# The model shim: what anywidget gives a module, for a page with no kernel. `choose(i)` swaps in the
# i-th precomputed setting (the page's own chooser); changes fire "change:<name>" handlers as Backbone does.
_SHIM = r"""
function convlabModel(state) {
  const handlers = {};
  return {
    get: (name) => state[name],
    set(name, value) {
      const old = state[name];
      state[name] = value;
      if (old !== value) for (const f of (handlers[`change:${name}`] || []).slice()) f();
    },
    on(names, f) { for (const n of names.split(/\s+/)) (handlers[n] = handlers[n] || []).push(f); },
    off(names, f) {
      for (const n of names.split(/\s+/)) handlers[n] = (handlers[n] || []).filter((g) => g !== f);
    },
    save_changes() {},
  };
}
const data = JSON.parse(document.getElementById("convlab-state").textContent);
const model = convlabModel(Object.assign({}, data.state, { walk: data.walks[0], window: 1 }));
const chooser = document.getElementById("convlab-setting");
if (chooser) {
  chooser.addEventListener("change", () => {
    const i = Number(chooser.value);
    model.set("window", 1);
    const phases = data.walks[i].phases;
    if (!phases.includes(model.get("phase"))) model.set("phase", phases[phases.length - 1]);
    model.set("walk", data.walks[i]);
  });
}
render({ model, el: document.getElementById("convlab-view") });
window.convlabView = { frame, describe, layout, walks: data.walks };  // the pure parts, for a reader or a test
"""


def page_html(title: str, esm: str, css: str, state: dict, walks: list, names: list) -> str:
    """The page: inline CSS, state as JSON, the view's module with the shim, a setting chooser if several."""
    marker = "export default { render };"
    if marker not in esm:
        raise ValueError("the browser view's module must end with 'export default { render };'")
    module = esm.replace(marker, "") + _SHIM
    if "</script" in module.lower():
        raise ValueError("the browser view's module contains '</script' and cannot be inlined")
    payload = json.dumps({"state": state, "walks": walks}, ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")  # JSON stays JSON; no "</script>" can end the block early
    chooser = ""
    if len(walks) > 1:
        options = "".join(f'<option value="{i}">{html.escape(n)}</option>' for i, n in enumerate(names))
        chooser = (f'<p class="convlab-saved-settings"><label for="convlab-setting">setting</label> '
                   f'<select id="convlab-setting">{options}</select></p>')
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 16px; color: #1d1d1d; }}
{css}
</style>
</head>
<body>
<h1 style="font-size: 1.3em">{html.escape(title)}</h1>
{chooser}
<div id="convlab-view"></div>
<script type="application/json" id="convlab-state">{payload}</script>
<script type="module">
{module}
</script>
</body>
</html>
"""


def write_page(path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (``_shared.files.write_atomically``: a temporary file in the same
    folder, then ``os.replace``), keeping the permissions of a file already there."""
    path = check_write_path(path, ".html")
    write_atomically(path, lambda fh: fh.write(text.encode("utf-8")), suffix=".html")
    return path
