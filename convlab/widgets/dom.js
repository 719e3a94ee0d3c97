// Shared by the browser views (explorer.js, controls.js): the Python side puts this file in front of
// each view's module, so both build their HTML with the same helper.

// h("button", {class: "x", "aria-label": "Play", text: "Play"}, [children]): one element, its attributes
// (null/undefined/false leave an attribute out, true writes it empty) and its children.
function h(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) node.appendChild(c);
  return node;
}

