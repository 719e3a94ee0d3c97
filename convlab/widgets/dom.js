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


// Keys a focused control uses itself: a slider's arrows, Home/End and Page Up/Down, a radio group's
// arrows, Space and Enter on a button. Pressed on one of our controls they must reach that control and
// not the host page's shortcuts (a notebook's command mode binds the arrows to "select another cell").
const CONTROL_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp",
  "PageDown", "Enter", " "]);
const CONTROL_SELECTOR = "input, select, button, textarea";
const KEYS_REGION = "data-convlab-keys";
const SUPPRESS = "data-lm-suppress-shortcuts";
const KEYS_INSTALLED = Symbol.for("convlab.keepControlKeys");

function ownKey(event) {
  const target = event.target;
  return CONTROL_KEYS.has(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey &&
    target instanceof Element && target.matches(CONTROL_SELECTOR) && target.closest(`[${KEYS_REGION}]`) !== null;
}

// JupyterLab and Notebook 7 (Lumino) skip every shortcut for a key press whose target carries
// `data-lm-suppress-shortcuts`: the documented opt-out (JupyterLab docs, "Notebook", keyboard interaction
// model). It must sit on the focused control itself, since the notebook's arrow shortcuts match
// `.jp-Notebook.jp-mod-commandMode :focus`, i.e. the control, before Lumino looks at its ancestors.
// Notebook 7 listens on `document` in the capture phase, before any listener in the page could stop the
// event; this listener runs on `window`, earlier still, and marks the control for our keys only, so
// Escape, Ctrl+S and the like keep working while a slider has focus.
function markOwnKey(event) {
  const target = event.target;
  if (ownKey(event)) target.setAttribute(SUPPRESS, "true");
  else if (target instanceof Element && target.getAttribute(SUPPRESS) === "true" &&
           target.closest(`[${KEYS_REGION}]`) !== null && target.matches(CONTROL_SELECTOR)) target.removeAttribute(SUPPRESS);
}

// keepControlKeys(root): while a control inside `root` has focus, the keys in CONTROL_KEYS operate it and
// never the host's shortcuts — in JupyterLab, Notebook 7 (the attribute above) and any host that listens
// for keys in the bubbling phase (the key stops at `root`). Call it once per view, on the view's root
// element; it is safe to call for many views (one window listener per page).
function keepControlKeys(root) {
  root.setAttribute(KEYS_REGION, "");
  root.addEventListener("keydown", (event) => { if (ownKey(event)) event.stopPropagation(); });
  if (!window[KEYS_INSTALLED]) {
    window[KEYS_INSTALLED] = true;
    window.addEventListener("keydown", markOwnKey, true);
  }
}
