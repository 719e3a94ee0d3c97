// Shared by the browser views (explorer.js, controls.js): the Python side puts this file in front of
// each view's module, so both build their HTML, keep their keys and draw their icons with the same code.

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

// Keys a control handles itself (sliders, radio groups, buttons): they end at the control, so a notebook's
// own shortcuts (JupyterLab's and Notebook 7's command mode bind arrows, Enter, Space) never see them.
const OWN_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp",
  "PageDown", "Enter", " "]);

function keepKeys(el) {
  el.addEventListener("keydown", (event) => {
    if (OWN_KEYS.has(event.key) && event.target.closest("input, select, button")) event.stopPropagation();
  });
}

// Play / pause / previous / next icons as inline SVG: they render in every font (a font may lack ⏸).
const ICON_PATHS = {
  play: "M4 2 L14 8 L4 14 Z",
  pause: "M3 2 H7 V14 H3 Z M9 2 H13 V14 H9 Z",
  previous: "M12 2 L4 8 L12 14 Z",
  next: "M4 2 L12 8 L4 14 Z",
};

function icon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [k, v] of [["viewBox", "0 0 16 16"], ["width", "1em"], ["height", "1em"], ["aria-hidden", "true"],
    ["focusable", "false"], ["class", `convlab-icon convlab-icon-${name}`]]) svg.setAttribute(k, v);
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICON_PATHS[name]);
  path.setAttribute("fill", "currentColor");
  svg.appendChild(path);
  return svg;
}

// A button with an icon and words; setIconButton changes both (the words name what a press does).
function iconButton(attrs, name, words) {
  const button = h("button", Object.assign({ type: "button" }, attrs));
  setIconButton(button, name, words);
  return button;
}

function setIconButton(button, name, words) {
  button.replaceChildren(icon(name), document.createTextNode(` ${words}`));
}
