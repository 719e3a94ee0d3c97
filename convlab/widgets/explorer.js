// convlab Explorer: the browser view (controls and wiring). It paints the view model Python sends once
// per setting (docs/view_model.md) through frame.js (one frame, resolved from the model's tables and
// rules), layout.js (where the panels go) and figure.js (the SVG). Moving the window, changing the phase
// and Play happen here, with no kernel round trip; a setting is sent to Python, which checks it and
// answers with a new model, or puts the page back and says why (`notice`).
//
// The model may also come from a page with no kernel at all (Explorer.save_html): the view only needs
// model.get/set/on/off/save_changes.

const SPEEDS = [["slow", 1600], ["medium", 900], ["fast", 400], ["very fast (a photo)", 60]];
const POOLING = ["max pooling", "average pooling"];
let counter = 0;

function render({ model, el }) {
  counter += 1;
  const uid = `convlab-ex-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  const id = (name) => `${uid}-${name}`;
  let vm = null, fig = null, timer = null, lastWidth = 0, lastHeight = 0;

  // ---- controls (each with a visible label or an accessible name)
  const root = h("div", { class: "convlab-explorer", role: "group", "aria-label": "Convolution explorer" });
  el.appendChild(root);
  keepControlKeys(root);  // dom.js: arrows, Home/End, Space, Enter go to our controls, not the host's shortcuts

  const settings = h("div", { class: "convlab-row convlab-settings", role: "group", "aria-label": "Settings" });
  const operationBox = h("span", { class: "convlab-field convlab-operation", hidden: true });
  const operationSel = h("select", { id: id("operation") });
  operationBox.append(h("label", { for: id("operation"), text: "operation" }), operationSel);
  settings.appendChild(operationBox);

  const ranges = {};
  const RANGE_SETTINGS = [["stride", "stride", true], ["padding", "padding", true],
    ["kernel_size", "filter size", true], ["dilation", "dilation", false]];
  for (const [name, text, basic] of RANGE_SETTINGS) {
    const input = h("input", { type: "range", id: id(name), min: 0, max: 1, step: 1 });
    const out = h("output", { for: id(name), class: "convlab-readout", "aria-hidden": "true" });
    const label = h("label", { for: id(name), text });
    const box = h("span", { class: `convlab-field convlab-${name.replace("_", "-")}` }, [label, input, out]);
    box.dataset.full = basic ? "" : "1";
    if (!basic) box.dataset.secondary = "1";  // hidden in the projector view
    settings.appendChild(box);
    ranges[name] = { input, out, box, label };
    input.addEventListener("input", () => { out.textContent = input.value; });
    input.addEventListener("change", () => sendSetting(name, Number(input.value)));
  }
  const familyBox = h("span", { class: "convlab-field convlab-family" });
  const familySel = h("select", { id: id("family") });
  familyBox.append(h("label", { for: id("family"), text: "filter" }), familySel);
  familyBox.dataset.full = "1";
  familyBox.dataset.secondary = "1";
  familySel.addEventListener("change", () => sendSetting("family", familySel.value));
  settings.appendChild(familyBox);

  const flipBox = h("fieldset", { class: "convlab-field convlab-flip convlab-choice" });
  flipBox.dataset.full = "1";
  flipBox.dataset.secondary = "1";
  flipBox.appendChild(h("legend", { text: "filter as written or flipped" }));
  const flipRadios = [];
  for (const [value, text] of [[false, "cross-correlation"], [true, "convolution (flipped)"]]) {
    const input = h("input", { type: "radio", name: id("flip"), id: id(`flip-${value}`), value: String(value) });
    input.addEventListener("change", () => { if (input.checked) sendSetting("flip", value); });
    flipRadios.push(input);
    flipBox.appendChild(h("label", { for: id(`flip-${value}`), class: "convlab-pill" }, [input, document.createTextNode(text)]));
  }
  settings.appendChild(flipBox);
  operationSel.addEventListener("change", () => sendSetting("operation", operationSel.value));

  const walkRow = h("div", { class: "convlab-row convlab-walk", role: "group", "aria-label": "Walk the filter" });
  const windowLabel = h("label", { for: id("window"), text: "window" });
  const prev = iconButton({ class: "convlab-prev", "aria-label": "Previous window" }, "previous", "previous");
  const windowInput = h("input", { type: "range", id: id("window"), class: "convlab-window", min: 1, max: 1, step: 1 });
  const windowText = h("span", { class: "convlab-window-text", "aria-hidden": "true" });
  const next = iconButton({ class: "convlab-next", "aria-label": "Next window" }, "next", "next");
  const play = iconButton({ class: "convlab-play" }, "play", "Play");  // its name says what a press does
  const speedSel = h("select", { id: id("speed"), class: "convlab-speed" });
  for (const [text, ms] of SPEEDS) speedSel.appendChild(h("option", { value: ms, text }));
  speedSel.value = String(SPEEDS[1][1]);
  const modeSel = h("select", { id: id("mode"), class: "convlab-mode" });
  const phasesOption = h("option", { value: "phases", text: "every phase of every window" });
  const windowsOption = h("option", { value: "windows", text: "windows only" });
  modeSel.append(phasesOption, windowsOption);
  if (model.get("play_mode") === "windows") modeSel.value = "windows";
  // the projector view: larger cells and digits, only the controls a class needs (a page-only preference)
  const projector = h("button", { type: "button", class: "convlab-projector-toggle", "aria-pressed": "false",
    text: "Projector view" });
  const speedBox = h("span", { class: "convlab-field", "data-secondary": "1" },
    [h("label", { for: id("speed"), text: "speed" }), speedSel]);
  const modeBox = h("span", { class: "convlab-field", "data-secondary": "1" },
    [h("label", { for: id("mode"), text: "play" }), modeSel]);
  walkRow.append(
    h("span", { class: "convlab-field" }, [windowLabel, windowInput, windowText]),
    prev, next, play, projector, speedBox, modeBox);

  const phaseBox = h("fieldset", { class: "convlab-row convlab-phase convlab-choice" });
  phaseBox.appendChild(h("legend", { text: "phase" }));
  const phaseRadios = {};

  const stage = h("div", { class: "convlab-stage" });
  const svg = s("svg", { class: "convlab-figure", role: "img", "aria-labelledby": `${id("title")} ${id("desc")}`,
    xmlns: SVG, focusable: "false" });
  const svgTitle = s("title", { id: id("title") });
  const svgDesc = s("desc", { id: id("desc") });
  const layer = s("g", { class: "convlab-figure-layer" });
  svg.append(svgTitle, svgDesc, layer);
  const message = h("p", { class: "convlab-message", role: "status", hidden: true });
  stage.append(svg, message);
  const caption = h("div", { class: "convlab-caption", "aria-live": "polite", "aria-atomic": "true" });

  root.append(settings, walkRow, phaseBox, stage, caption);

  // ---- state helpers
  const phases = () => (vm && vm.phases) || ["place", "multiply", "sum", "slide", "collect"];
  const count = () => (vm && !vm.message && vm.windows ? vm.windows.count : 0);
  const windowNow = () => Math.min(Math.max(1, model.get("window") || 1), Math.max(1, count()));
  const phaseNow = () => (phases().includes(model.get("phase")) ? model.get("phase") : phases()[phases().length - 1]);

  // Play keeps playing through a setting change: while Python computes the new walk the timer waits
  // (`awaiting`), and the new walk plays from its window 1. A refused value (a notice) resumes the old walk.
  let awaiting = false;
  function sendSetting(name, value) {
    if (model.get(name) === value) return;
    if (timer !== null) awaiting = true;
    model.set(name, value);
    model.save_changes();
  }

  function go(windowValue, phaseValue) {
    const n = count();
    if (!n) return;
    model.set("window", Math.min(Math.max(1, windowValue), n));
    if (phaseValue !== undefined) model.set("phase", phaseValue);
    model.save_changes();  // Python learns where we are; the view has drawn already (change events)
  }

  windowInput.addEventListener("input", () => go(Number(windowInput.value)));
  prev.addEventListener("click", () => { stopPlay(); go(windowNow() - 1); });
  next.addEventListener("click", () => { stopPlay(); go(windowNow() + 1); });

  // ---- Play: every phase of each window, then the next window (or windows only)
  function tick() {
    if (awaiting) { timer = setTimeout(tick, Number(speedSel.value)); return; }  // the new walk is on its way
    const list = phases(), n = count();
    const i = list.indexOf(phaseNow()), w = windowNow();
    if (modeSel.value === "windows") {
      if (w >= n) return stopPlay();
      go(w + 1);
    } else if (i < list.length - 1) {
      go(w, list[i + 1]);
    } else {
      if (w >= n) return stopPlay();
      go(w + 1, list[0]);
    }
    timer = setTimeout(tick, Number(speedSel.value));
  }
  function startPlay() {
    if (!count()) return;
    const list = phases();
    const atEnd = windowNow() >= count() && (modeSel.value === "windows" || phaseNow() === list[list.length - 1]);
    // from the end of the walk, start again; from a window already collected, play it from its first step;
    // windows only: each window in the last phase, so the map fills in as it plays
    if (modeSel.value === "windows" && phaseNow() !== list[list.length - 1]) go(atEnd ? 1 : windowNow(), list[list.length - 1]);
    else if (atEnd) go(1, modeSel.value === "windows" ? phaseNow() : list[0]);
    else if (modeSel.value === "phases" && phaseNow() === list[list.length - 1]) go(windowNow(), list[0]);
    timer = setTimeout(tick, Number(speedSel.value));
    setIconButton(play, "pause", "Pause");
    play.classList.add("convlab-playing");
  }
  // a new walk while playing (a setting changed): play it from its first window
  function restartPlay() {
    const list = phases();
    go(1, modeSel.value === "windows" ? list[list.length - 1] : list[0]);
    paint();
    clearTimeout(timer);
    timer = setTimeout(tick, Number(speedSel.value));
  }
  function stopPlay() {
    awaiting = false;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    setIconButton(play, "play", "Play");
    play.classList.remove("convlab-playing");
  }
  play.addEventListener("click", () => (timer === null ? startPlay() : stopPlay()));
  projector.addEventListener("click", () => {
    const on = projector.getAttribute("aria-pressed") !== "true";
    projector.setAttribute("aria-pressed", String(on));
    root.classList.toggle("convlab-projecting", on);
    if (count()) { build(); paint(); }
  });
  speedSel.addEventListener("change", () => { if (timer !== null) { clearTimeout(timer); timer = setTimeout(tick, Number(speedSel.value)); } });

  // ---- controls from the model (ranges, options, basic mode, the operation's own words)
  function syncControls() {
    const limits = model.get("limits") || {};
    for (const [name, r] of Object.entries(ranges)) {
      const [lo, hi] = limits[name] || [0, 10];
      setAttr(r.input, "min", lo);
      setAttr(r.input, "max", hi);
      const v = model.get(name);
      if (Number(r.input.value) !== v) r.input.value = String(v);
      r.out.textContent = String(v);
    }
    const families = model.get("families") || [];
    if (familySel.options.length !== families.length || families.some((f, i) => familySel.options[i].value !== f)) {
      familySel.replaceChildren(...families.map((f) => h("option", { value: f, text: f })));
    }
    familySel.value = model.get("family");
    for (const r of flipRadios) r.checked = (r.value === "true") === !!model.get("flip");
    const ops = model.get("operations") || [];
    operationBox.hidden = ops.length < 2;
    if (operationSel.options.length !== ops.length) {
      operationSel.replaceChildren(...ops.map((o) => h("option", { value: o, text: o })));
    }
    operationSel.value = model.get("operation");
    const basic = !!model.get("basic");
    const op = model.get("operation");
    const applies = { family: !POOLING.includes(op), flip: op === "convolution", dilation: !POOLING.includes(op) };
    for (const box of settings.querySelectorAll("[data-full]")) box.hidden = basic && box.dataset.full === "1";
    familyBox.hidden = familyBox.hidden || !applies.family;
    flipBox.hidden = flipBox.hidden || !applies.flip;
    ranges.dilation.box.hidden = ranges.dilation.box.hidden || !applies.dilation;
    setText(ranges.kernel_size.label, vm && vm.words ? vm.words.size : "filter size");
    if (basic || model.get("locked")) operationBox.hidden = true;
    if (model.get("locked")) settings.hidden = true;  // a saved page: only the settings it carries
  }

  function buildPhaseRadios() {
    const list = phases();
    if (Object.keys(phaseRadios).join() === list.join()) return;
    for (const k of Object.keys(phaseRadios)) delete phaseRadios[k];
    phaseBox.replaceChildren(h("legend", { text: "phase" }));
    list.forEach((p, i) => {
      const input = h("input", { type: "radio", name: id("phase"), id: id(`phase-${p}`), value: p });
      input.addEventListener("change", () => { if (input.checked) { stopPlay(); go(windowNow(), p); } });
      const help = (vm.phase_help || {})[p];
      const label = h("label", { for: id(`phase-${p}`), class: "convlab-pill", title: help || null },
        [input, document.createTextNode(`${i + 1} ${p}`)]);
      phaseBox.appendChild(label);
      phaseRadios[p] = input;
    });
  }

  // The figure's room in height: the screen (or the notebook's scrolling area) less the controls and the
  // caption, so the whole Explorer fits on one screen where the layout can make it (an RGB walk puts its
  // channels side by side).
  function figureHeight() {
    let view = window.innerHeight || 800, scroller = null;
    for (let box = root.parentElement; box && box !== document.body; box = box.parentElement) {
      const o = getComputedStyle(box).overflowY;
      if ((o === "auto" || o === "scroll") && box.scrollHeight > box.clientHeight + 1) {  // what scrolls: a notebook
        view = Math.min(view, box.clientHeight);
        scroller = box;
        break;
      }
    }
    if (scroller === null) {  // the page itself scrolls (Voilà, a saved page): what is above us on its first screen
      const top = root.getBoundingClientRect().top + window.scrollY;
      if (top < view / 2) view -= top;
    }
    let lines = 1;
    for (const p of phases()) lines = Math.max(lines, frame(vm, 0, p).caption.split("\n").length);
    const lineH = parseFloat(getComputedStyle(caption).lineHeight) || 20;
    const controls = settings.offsetHeight + walkRow.offsetHeight + phaseBox.offsetHeight + 24;
    return Math.max(200, view - controls - lines * lineH - 24);
  }

  function build() {
    fig = null;
    layer.replaceChildren();
    if (!count()) return;
    const width = Math.max(320, Math.floor(stage.clientWidth || root.clientWidth || 800));
    lastWidth = width;
    lastHeight = window.innerHeight;
    const big = projector.getAttribute("aria-pressed") === "true";
    fig = buildFigure(svg, layer, vm, width, id, figureHeight(), big ? { cellMax: 110, numberCap: 36 } : {});
  }

  function paint() {
    const n = count();
    const notice = model.get("notice") || "";  // why the page's last value was refused: the caption says so first
    if (!vm) return;
    if (!n) {  // a setting that does not fit: the reason in the caption under the last good figure (dimmed)
      const label = (vm.windows && vm.windows.label) || "";
      setText(caption, [notice, fig ? vm.message : ""].filter(Boolean).join("\n"));
      setText(windowText, label);
      windowInput.setAttribute("aria-valuetext", label);
      return;
    }
    const index = windowNow() - 1, phase = phaseNow();
    const f = frame(vm, index, phase);
    if (fig) paintFigure(fig, f);
    setText(caption, notice ? `${notice}\n${f.caption}` : f.caption);
    const unit = vm.words.unit;
    setText(svgTitle, `${vm.operation}: ${unit.toLowerCase()} ${index + 1} of ${n}, step ${phases().indexOf(phase) + 1} ` +
      `of ${phases().length}, ${phase}`);
    const names = panelKeys(vm).map((k) => vm.panels[k].title || k);
    setText(svgDesc, `Panels, left to right: ${names.join(", ")}. The outlined ${unit.toLowerCase()} on the input ` +
      `is where the ${vm.words.filter} sits; the caption below the figure says in words and numbers what this step does.`);
    windowInput.value = String(index + 1);
    windowInput.setAttribute("aria-valuetext", `${unit} ${countText(index + 1)} of ${vm.windows.count_text}`);
    setText(windowText, `${unit} ${countText(index + 1)} of ${vm.windows.count_text}`);
    for (const [p, r] of Object.entries(phaseRadios)) r.checked = p === phase;
  }

  function onModel() {
    vm = model.get("walk") || null;
    const bad = !vm || !!vm.message || !count();
    // a setting that does not fit keeps the last good figure, dimmed, and says why in the caption; with no
    // figure yet (an input it cannot use) the reason stands alone
    const stale = bad && fig !== null;
    stage.classList.toggle("convlab-stale", stale);
    message.hidden = stale || !(vm && vm.message);
    setText(message, vm && vm.message && !stale ? vm.message : "");
    svg.style.display = bad && !stale ? "none" : "";
    if (stale) setText(svgTitle, `The last setting that fitted, dimmed: this one does not fit. ${vm.message}`);
    for (const c of [windowInput, prev, next, play]) c.disabled = bad;
    if (bad) stopPlay();
    windowInput.max = String(Math.max(1, count()));
    if (vm) {
      buildPhaseRadios();
      const unit = vm.words ? vm.words.unit : "Window";
      setText(windowLabel, unit.toLowerCase());
      setText(phasesOption, `every phase of every ${unit.toLowerCase()}`);
      setText(windowsOption, `${vm.words.units} only`);
      prev.setAttribute("aria-label", `Previous ${unit.toLowerCase()}`);
      next.setAttribute("aria-label", `Next ${unit.toLowerCase()}`);
    }
    for (const r of Object.values(phaseRadios)) r.disabled = bad;
    syncControls();
    if (!stale) build();
    awaiting = false;
    if (timer !== null) restartPlay();  // paints
    else paint();
  }

  function onNotice() {
    if (awaiting && model.get("notice")) awaiting = false;  // the setting was refused: the old walk plays on
    paint();
  }

  const onSettings = () => syncControls();
  model.on("change:walk", onModel);
  model.on("change:window", paint);
  model.on("change:phase", paint);
  model.on("change:notice", onNotice);
  const SETTING_EVENTS = "change:limits change:families change:family change:flip change:operation " +
    "change:operations change:basic change:stride change:padding change:kernel_size change:dilation";
  model.on(SETTING_EVENTS, onSettings);

  // relayout when the space changes (window resized, browser zoom, side panel opened)
  let pending = null;
  const relayout = () => {
    if (pending !== null) return;
    pending = requestAnimationFrame(() => {
      pending = null;
      const w = Math.floor(stage.clientWidth || 0);
      if (w > 0 && count() && (fig === null || Math.abs(w - lastWidth) > 2 ||
                               Math.abs(window.innerHeight - lastHeight) > 2)) { build(); paint(); }
    });
  };
  const observer = new ResizeObserver(relayout);
  observer.observe(stage);
  window.addEventListener("resize", relayout);

  onModel();

  return () => {
    stopPlay();
    observer.disconnect();
    window.removeEventListener("resize", relayout);
    if (pending !== null) cancelAnimationFrame(pending);
    model.off("change:walk", onModel);
    model.off("change:window", paint);
    model.off("change:phase", paint);
    model.off("change:notice", onNotice);
    model.off(SETTING_EVENTS, onSettings);
  };
}

export default { render };
