// convlab Explorer: the browser view. It paints the view model that Python sends once per setting
// (convlab.views.walk.view_model, described in docs/view_model.md) and computes nothing of its own:
// every number, colour and caption comes from the model. Moving the window, changing the phase and
// Play happen here, with no kernel round trip; a setting (stride, padding, filter size, ...) is sent
// to Python, which answers with a new model.
//
// Panels are drawn generically from the model's keys: whatever `panels` holds (input, filter, products,
// map, ...), in that order, one grid per channel. A step's own cells for a panel (`step.products`, or an
// optional `step.map`) replace the panel's cells for that step; `step.map_box` highlights a block of the
// map instead of one cell; `step.pick` emphasises one products cell.

const SVG = "http://www.w3.org/2000/svg";
const ORDER = ["input", "filter", "products", "map"];
const SPEEDS = [["slow", 1600], ["medium", 900], ["fast", 400]];
const CELL_MAX = 64;        // px: the largest cell (the figure stops growing there)
const NUMBER_PX = 12.5;     // px: the smallest number written in a cell when the layout allows it
const TITLE_PX = 14;
let counter = 0;

function s(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function setAttr(node, name, value) {
  const v = String(value);
  if (node.getAttribute(name) !== v) node.setAttribute(name, v);
}

function setText(node, value) {
  if (node.textContent !== value) node.textContent = value;
}

// ------------------------------------------------------------------------------------ layout

function panelKeys(vm) {
  const keys = Object.keys(vm.panels || {});
  return ORDER.filter((k) => keys.includes(k)).concat(keys.filter((k) => !ORDER.includes(k)));
}

// A panel's cells: one entry per channel grid. A step may carry its own (products; a transposed
// convolution's map), as a list of grids or as one grid.
function asGrids(cells) { return cells ? (Array.isArray(cells) ? cells : [cells]) : null; }

function cellsOf(vm, key, step) {
  if (step && step[key]) return asGrids(step[key]);
  return asGrids(vm.panels[key].cells);
}

function longestLabel(vm, key) {
  let n = 1;
  const scan = (list) => { for (const c of asGrids(list) || []) for (const l of c.labels) if (l.length > n) n = l.length; };
  scan(vm.panels[key].cells);
  for (const st of vm.steps) scan(st[key]);
  return n;
}

// Measure every panel once per model: grid size, how many channel grids, the longest number.
function describe(vm) {
  const first = vm.steps[0] || {};
  return panelKeys(vm).map((key) => {
    const p = vm.panels[key];
    const cells = cellsOf(vm, key, first);
    return {
      key, title: p.title || key, rows: p.rows, cols: p.cols, numbers: !!p.numbers,
      grids: cells ? cells.length : 1, longest: p.numbers ? longestLabel(vm, key) : 0,
      extraBelow: key === "products" ? 26 : (key === "input" ? 10 : 0),
    };
  });
}

function titleWidth(text) { return text.length * TITLE_PX * 0.64 + 8; }

function gridTitle(vm, panel, g) {
  const names = vm.channels || [""];
  return panel.grids > 1 && names[g] ? `${panel.title} · ${names[g]}` : panel.title;
}

// Place the panels for a cell size `c` (px), flowing them into rows no wider than `width`.
function flow(vm, panels, c, width) {
  const gapH = Math.max(22, Math.round(0.5 * c));
  const gapV = 18;
  const titleH = TITLE_PX + 10;
  let x = 0, y = 0, rowH = 0, rows = 1, used = 0;
  const boxes = [];
  for (const p of panels) {
    // grids without numbers (photos) may use smaller cells: at most 45% of the width each
    const pc = p.numbers ? c : Math.max(2, Math.min(c, (0.45 * width) / Math.max(p.cols, 1)));
    const gridW = p.cols * pc;
    let titleW = 0;
    for (let g = 0; g < p.grids; g++) titleW = Math.max(titleW, titleWidth(gridTitle(vm, p, g)));
    const w = Math.max(gridW, titleW);
    const pitch = titleH + p.rows * pc + p.extraBelow + gapV;  // one channel's grid, its title and what is below
    const hgt = p.grids * pitch - gapV;
    if (x > 0 && x + w > width) { x = 0; y += rowH + gapV; rowH = 0; rows += 1; }
    boxes.push({ panel: p, x, y, w, h: hgt, cell: pc, gridX: x + (w - gridW) / 2, titleH, pitch });
    x += w + gapH;
    used = Math.max(used, x - gapH);
    rowH = Math.max(rowH, hgt);
  }
  return { boxes, width: Math.ceil(used), height: Math.ceil(y + rowH + 4), rows, cell: c };
}

// The largest cell size that fits `width` without more rows than needed, numbers >= NUMBER_PX.
function layout(vm, panels, width) {
  let cMin = 30;
  for (const p of panels) if (p.numbers) cMin = Math.max(cMin, Math.ceil(p.longest * 0.6 * NUMBER_PX + 8));
  let best = flow(vm, panels, cMin, width);
  if (best.width > width) {  // even one panel per row is too wide: shrink (numbers get smaller)
    let widest = 1;
    for (const p of panels) if (p.numbers) widest = Math.max(widest, p.cols);
    return flow(vm, panels, Math.max(8, Math.floor((width - 2) / widest)), width);
  }
  let lo = cMin, hi = CELL_MAX;
  while (hi - lo > 0.5) {
    const mid = (lo + hi) / 2;
    const f = flow(vm, panels, mid, width);
    if (f.width <= width && f.rows <= best.rows) { lo = mid; best = f; } else hi = mid;
  }
  return best;
}

function numberSize(cell, longest) {
  return Math.max(6, Math.min(0.45 * cell, 22, (cell - 6) / (Math.max(longest, 1) * 0.6)));
}

// ------------------------------------------------------------------------------------ the view

function render({ model, el }) {
  counter += 1;
  const uid = `convlab-ex-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  const id = (name) => `${uid}-${name}`;
  let vm = null, panels = [], geometry = null, grids = {}, overlays = null, fillOrder = null;
  let timer = null, lastWidth = 0;

  // ---- controls (each with a visible label or an accessible name)
  // data-lm-suppress-shortcuts: JupyterLab's notebook shortcuts (arrows, Enter, ...) stay out of our controls
  const root = h("div", { class: "convlab-explorer", role: "group", "aria-label": "Convolution explorer",
    "data-lm-suppress-shortcuts": "true" });
  el.appendChild(root);
  // keys that operate our controls end here: a notebook's own shortcuts (JupyterLab's command mode binds
  // arrows and Enter on the document) would otherwise cancel the slider's or radio group's default action
  const OWN_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp",
    "PageDown", "Enter", " "]);
  root.addEventListener("keydown", (event) => {
    if (OWN_KEYS.has(event.key) && event.target.closest("input, select, button")) event.stopPropagation();
  });

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
    const box = h("span", { class: `convlab-field convlab-${name.replace("_", "-")}` },
      [h("label", { for: id(name), text }), input, out]);
    box.dataset.full = basic ? "" : "1";
    settings.appendChild(box);
    ranges[name] = { input, out, box };
    input.addEventListener("input", () => { out.textContent = input.value; });
    input.addEventListener("change", () => sendSetting(name, Number(input.value)));
  }
  const familyBox = h("span", { class: "convlab-field convlab-family" });
  const familySel = h("select", { id: id("family") });
  familyBox.append(h("label", { for: id("family"), text: "filter" }), familySel);
  familyBox.dataset.full = "1";
  familySel.addEventListener("change", () => sendSetting("family", familySel.value));
  settings.appendChild(familyBox);

  const flipBox = h("fieldset", { class: "convlab-field convlab-flip convlab-choice" });
  flipBox.dataset.full = "1";
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
  const prev = h("button", { type: "button", class: "convlab-prev", "aria-label": "Previous window", text: "◀ previous" });
  const windowInput = h("input", { type: "range", id: id("window"), class: "convlab-window", min: 1, max: 1, step: 1 });
  const windowText = h("span", { class: "convlab-window-text", "aria-hidden": "true" });
  const next = h("button", { type: "button", class: "convlab-next", "aria-label": "Next window", text: "next ▶" });
  const play = h("button", { type: "button", class: "convlab-play", text: "▶ Play" });  // its name says what it does
  const speedSel = h("select", { id: id("speed"), class: "convlab-speed" });
  for (const [text, ms] of SPEEDS) speedSel.appendChild(h("option", { value: ms, text }));
  speedSel.value = String(SPEEDS[1][1]);
  const modeSel = h("select", { id: id("mode"), class: "convlab-mode" });
  modeSel.append(h("option", { value: "phases", text: "every phase of every window" }),
    h("option", { value: "windows", text: "windows only" }));
  walkRow.append(
    h("span", { class: "convlab-field" }, [h("label", { for: id("window"), text: "window" }), windowInput, windowText]),
    prev, next, play,
    h("span", { class: "convlab-field" }, [h("label", { for: id("speed"), text: "speed" }), speedSel]),
    h("span", { class: "convlab-field" }, [h("label", { for: id("mode"), text: "play" }), modeSel]));

  const phaseBox = h("fieldset", { class: "convlab-row convlab-phase convlab-choice" });
  phaseBox.appendChild(h("legend", { text: "phase" }));
  const phaseRadios = {};

  const stage = h("div", { class: "convlab-stage" });
  const svg = s("svg", { class: "convlab-figure", role: "img", "aria-labelledby": `${id("title")} ${id("desc")}`,
    xmlns: SVG, focusable: "false" });
  const svgTitle = s("title", { id: id("title") });
  const svgDesc = s("desc", { id: id("desc") });
  svg.append(svgTitle, svgDesc);
  const message = h("p", { class: "convlab-message", role: "status", hidden: true });
  stage.append(svg, message);
  const caption = h("div", { class: "convlab-caption", "aria-live": "polite", "aria-atomic": "true" });

  root.append(settings, walkRow, phaseBox, stage, caption);

  // ---- state helpers
  const phases = () => (vm && vm.phases) || ["place", "multiply", "sum", "slide", "collect"];
  const count = () => (vm && vm.steps ? vm.steps.length : 0);
  const windowNow = () => Math.min(Math.max(1, model.get("window") || 1), Math.max(1, count()));
  const phaseNow = () => (phases().includes(model.get("phase")) ? model.get("phase") : phases()[phases().length - 1]);

  function sendSetting(name, value) {
    stopPlay();
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

  // ---- Play: place -> multiply -> sum -> slide -> collect for each window, then the next window
  function tick() {
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
    // from the end of the walk, start again; from a window already collected, play it from its first step
    if (atEnd) go(1, modeSel.value === "windows" ? phaseNow() : list[0]);
    else if (modeSel.value === "phases" && phaseNow() === list[list.length - 1]) go(windowNow(), list[0]);
    timer = setTimeout(tick, Number(speedSel.value));
    play.textContent = "⏸ Pause";
    play.classList.add("convlab-playing");
  }
  function stopPlay() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    play.textContent = "▶ Play";
    play.classList.remove("convlab-playing");
  }
  play.addEventListener("click", () => (timer === null ? startPlay() : stopPlay()));
  speedSel.addEventListener("change", () => { if (timer !== null) { clearTimeout(timer); timer = setTimeout(tick, Number(speedSel.value)); } });

  // ---- controls from the model (ranges, options, basic mode)
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
      operationSel.replaceChildren(...ops.map((o) => (Array.isArray(o)
        ? h("option", { value: o[0], text: o[1] }) : h("option", { value: o, text: o }))));
    }
    operationSel.value = model.get("operation");
    const basic = !!model.get("basic");
    for (const box of settings.querySelectorAll("[data-full]")) box.hidden = basic && box.dataset.full === "1";
    if (basic) operationBox.hidden = true;
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

  // ---- the figure: built once per model (and width), updated per frame
  function buildFigure() {
    for (const n of Array.from(svg.childNodes)) if (n !== svgTitle && n !== svgDesc) svg.removeChild(n);
    grids = {};
    overlays = null;
    if (!vm || vm.message || !count()) { geometry = null; return; }
    const width = Math.max(320, Math.floor(stage.clientWidth || root.clientWidth || 800));
    lastWidth = width;
    panels = describe(vm);
    const M = 10;  // margin for the marks left of the input (rows no window reaches)
    geometry = layout(vm, panels, width - M);
    const fullW = geometry.width + M;
    svg.setAttribute("viewBox", `${-M} 0 ${fullW} ${geometry.height}`);
    svg.style.width = `${fullW}px`;
    svg.style.aspectRatio = `${fullW} / ${geometry.height}`;
    const C = vm.colours || {};
    const defs = s("defs");
    for (const [name, colour] of [["window", C.window], ["next", C.next]]) {
      const m = s("marker", { id: id(`arrow-${name}`), viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
        markerHeight: 7, orient: "auto-start-reverse" });
      m.appendChild(s("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }));
      defs.appendChild(m);
    }
    svg.appendChild(defs);
    const under = s("g", { class: "convlab-under" });  // drawn beneath the panels: seen in the gaps only
    const layer = s("g", { class: "convlab-panels" });
    svg.append(under, layer);
    for (const box of geometry.boxes) {
      const p = box.panel, list = [];
      const fs = numberSize(box.cell, p.longest);
      for (let g = 0; g < p.grids; g++) {
        const top = box.y + g * box.pitch;
        const gy = top + box.titleH;
        const group = s("g", { class: `convlab-panel convlab-panel-${p.key}` });
        const title = s("text", { x: box.x + box.w / 2, y: top + TITLE_PX, "text-anchor": "middle",
          class: "convlab-title", "font-size": TITLE_PX });
        title.textContent = gridTitle(vm, p, g);
        group.appendChild(title);
        const rects = [], texts = [];
        for (let r = 0; r < p.rows; r++) {
          for (let c = 0; c < p.cols; c++) {
            const x = box.gridX + c * box.cell, y = gy + r * box.cell;
            const rect = s("rect", { x, y, width: box.cell, height: box.cell, class: "convlab-cell" });
            group.appendChild(rect);
            rects.push(rect);
            if (p.numbers) {
              const t = s("text", { x: x + box.cell / 2, y: y + box.cell / 2, "text-anchor": "middle",
                "dominant-baseline": "central", "font-size": fs.toFixed(1), class: "convlab-number" });
              group.appendChild(t);
              texts.push(t);
            }
          }
        }
        const frame = s("rect", { x: box.gridX, y: gy, width: p.cols * box.cell, height: p.rows * box.cell,
          class: "convlab-frame" });
        group.appendChild(frame);
        layer.appendChild(group);
        list.push({ x: box.gridX, y: gy, cell: box.cell, rects, texts, title, frame, shown: [] });
      }
      grids[p.key] = { panel: p, box, list };
    }
    decorateInput(layer, C);
    const top = s("g", { class: "convlab-overlays" });
    svg.appendChild(top);
    const mk = (attrs) => { const n = s(attrs.tag || "rect", attrs); top.appendChild(n); return n; };
    overlays = {
      windows: (grids.input ? grids.input.list : []).map(() => mk({ class: "convlab-window-box", fill: "none",
        stroke: C.window, "stroke-width": 4 })),
      ghosts: (grids.input ? grids.input.list : []).map(() => mk({ class: "convlab-ghost", fill: "none",
        stroke: C.next, "stroke-width": 3, "stroke-dasharray": "7 5" })),
      sampled: s("g", { class: "convlab-sampled" }),
      arrow: mk({ tag: "line", class: "convlab-arrow", stroke: C.next, "stroke-width": 3,
        "marker-end": `url(#${id("arrow-next")})` }),
      cell: mk({ class: "convlab-map-box", fill: "none", stroke: C.window, "stroke-width": 4 }),
      link: under.appendChild(s("line", { class: "convlab-link", stroke: C.window, "stroke-width": 3,
        "stroke-dasharray": "7 4", "marker-end": `url(#${id("arrow-window")})` })),
      picks: (grids.products ? grids.products.list : []).map(() => mk({ class: "convlab-pick", fill: "none",
        stroke: C.window, "stroke-width": 4 })),
      sums: [],
    };
    top.appendChild(overlays.sampled);
    if (grids.products) {
      const g = grids.products;
      for (const item of g.list) {
        const t = s("text", { x: g.box.x + g.box.w / 2, y: item.y + g.panel.rows * item.cell + 20,
          "text-anchor": "middle", "font-size": TITLE_PX, class: "convlab-sum" });
        top.appendChild(t);
        overlays.sums.push(t);
      }
    }
    // which step first fills each map cell (read from the steps' out_row/out_col)
    fillOrder = null;
    if (vm.panels.map) {
      const cols = vm.panels.map.cols;
      fillOrder = new Int32Array(vm.panels.map.rows * cols).fill(-1);
      vm.steps.forEach((st, i) => {
        const k = st.out_row * cols + st.out_col;
        if (k >= 0 && k < fillOrder.length && fillOrder[k] < 0) fillOrder[k] = i;
      });
    }
  }

  function decorateInput(layer, C) {
    const g = grids.input;
    if (!g) return;
    const p = vm.panels.input;
    const [pt, pb, pl, pr] = p.pad || [0, 0, 0, 0];
    for (const item of g.list) {
      if (pt || pb || pl || pr) {
        layer.appendChild(s("rect", { x: item.x + pl * item.cell, y: item.y + pt * item.cell,
          width: (p.cols - pl - pr) * item.cell, height: (p.rows - pt - pb) * item.cell, fill: "none",
          stroke: C.pad_edge, "stroke-width": 2, "stroke-dasharray": "5 3", class: "convlab-image-edge" }));
      }
      for (const r of p.unvisited_rows || []) {
        layer.appendChild(s("rect", { x: item.x - 7, y: item.y + r * item.cell + 2, width: 5, height: item.cell - 4,
          fill: C.unvisited, class: "convlab-unvisited" }));
      }
      for (const c of p.unvisited_cols || []) {
        layer.appendChild(s("rect", { x: item.x + c * item.cell + 2, y: item.y + p.rows * item.cell + 2,
          width: item.cell - 4, height: 5, fill: C.unvisited, class: "convlab-unvisited" }));
      }
    }
  }

  function paintGrid(item, cells, visible) {
    const blank = (vm.colours || {}).blank || "#ffffff";
    const n = item.rects.length;
    for (let i = 0; i < n; i++) {
      const on = visible ? visible(i) : true;
      setAttr(item.rects[i], "fill", on && cells ? cells.fill[i] : blank);
      if (item.texts.length) {
        setText(item.texts[i], on && cells ? cells.labels[i] : "");
        setAttr(item.texts[i], "fill", on && cells ? cells.ink[i] : "#000000");
      }
    }
  }

  function boxRect(node, item, top, left, rows, cols) {
    setAttr(node, "x", item.x + left * item.cell);
    setAttr(node, "y", item.y + top * item.cell);
    setAttr(node, "width", cols * item.cell);
    setAttr(node, "height", rows * item.cell);
  }

  function show(node, on) { setAttr(node, "visibility", on ? "visible" : "hidden"); }

  function paintFrame() {
    const n = count();
    if (!vm || vm.message || !n || !geometry) return;
    const index = windowNow() - 1, phase = phaseNow();
    const st = vm.steps[index];
    const table = (vm.phase_table || {})[phase] || {};
    const span = vm.span || [1, 1];
    for (const [key, g] of Object.entries(grids)) {
      const active = table.active === key;
      g.list.forEach((item, c) => {
        let cells = cellsOf(vm, key, st);
        if (key === "map" && st && st.map) {
          // steps carry their own output (transposed convolution): the output after the last block added
          const k = index + (table.filled_extra || 0) - 1;
          cells = asGrids(k >= 0 ? vm.steps[Math.min(k, n - 1)].map : vm.panels.map.cells);
        }
        cells = cells ? cells[Math.min(c, cells.length - 1)] : null;
        let visible = null;
        if (key === "products" && !table.show_products) visible = () => false;
        if (key === "map" && !(st && st.map) && fillOrder) {
          const limit = index + (table.filled_extra || 0);
          visible = (i) => fillOrder[i] >= 0 && fillOrder[i] < limit;
        }
        paintGrid(item, cells, visible);
        item.title.classList.toggle("convlab-active", active);
        item.frame.classList.toggle("convlab-active", active);
      });
    }
    // the window (and the cells it samples) on every input grid; the next window when sliding
    if (grids.input) {
      const hasNext = index + 1 < n;
      grids.input.list.forEach((item, c) => {
        boxRect(overlays.windows[c], item, st.top, st.left, span[0], span[1]);
        const nx = hasNext ? vm.steps[index + 1] : null;
        show(overlays.ghosts[c], !!(table.ghost && nx));
        if (nx) boxRect(overlays.ghosts[c], item, nx.top, nx.left, span[0], span[1]);
      });
      const first = grids.input.list[0];
      const nx = index + 1 < n ? vm.steps[index + 1] : null;
      show(overlays.arrow, !!(table.ghost && nx));
      if (nx) {
        setAttr(overlays.arrow, "x1", first.x + (st.left + span[1] / 2) * first.cell);
        setAttr(overlays.arrow, "y1", first.y + (st.top + span[0] / 2) * first.cell);
        setAttr(overlays.arrow, "x2", first.x + (nx.left + span[1] / 2) * first.cell);
        setAttr(overlays.arrow, "y2", first.y + (nx.top + span[0] / 2) * first.cell);
      }
      const rows = st.rows || [], cols = st.cols || [];
      const sparse = rows.length * cols.length < span[0] * span[1];
      overlays.sampled.replaceChildren();
      if (sparse) {
        for (const item of grids.input.list) {
          for (const r of rows) for (const c of cols) {
            overlays.sampled.appendChild(s("rect", { x: item.x + c * item.cell + 3, y: item.y + r * item.cell + 3,
              width: item.cell - 6, height: item.cell - 6, fill: "none", stroke: vm.colours.window,
              "stroke-width": 2 }));
          }
        }
      }
    }
    // the feature-map cell (or block) this window fills, and its link from the window
    if (grids.map) {
      const item = grids.map.list[0];
      const b = st.map_box || [st.out_row, st.out_col, 1, 1];
      boxRect(overlays.cell, item, b[0], b[1], b[2], b[3]);
      show(overlays.cell, true);
      const from = grids.input ? grids.input.list[0] : null;
      show(overlays.link, !!(table.link && from));
      if (from && table.link) {
        setAttr(overlays.link, "x1", from.x + (st.left + span[1]) * from.cell);
        setAttr(overlays.link, "y1", from.y + (st.top + span[0] / 2) * from.cell);
        setAttr(overlays.link, "x2", item.x + b[1] * item.cell - 3);
        setAttr(overlays.link, "y2", item.y + (b[0] + b[2] / 2) * item.cell);
      }
    } else {
      show(overlays.cell, false);
      show(overlays.link, false);
    }
    // one products cell emphasised per grid (max pooling's pick), and the reduction under the products
    overlays.picks.forEach((node, c) => {
      const pick = Array.isArray(st.pick) ? st.pick[c] : st.pick;
      const on = Number.isInteger(pick) && !!table.show_sum;
      show(node, on);
      if (on) {
        const item = grids.products.list[c], cols = grids.products.panel.cols;
        boxRect(node, item, Math.floor(pick / cols), pick % cols, 1, 1);
      }
    });
    const reduction = (vm.panels.products && vm.panels.products.sum_label) || "sum";
    const hasSum = Object.values(vm.phase_table || {}).some((t) => t.show_sum);
    overlays.sums.forEach((t, c) => {
      const sums = st.channel_sums || [];
      const label = overlays.sums.length > 1 ? (sums[c] ?? "") : (st.value_label ?? "");
      const open = hasSum && table.show_products ? `${reduction} = ?` : "";
      setText(t, table.show_sum ? `${reduction} = ${label}` : open);
    });
  }

  function paintText() {
    if (!vm) return;
    if (vm.message) {
      setText(caption, "");
      return;
    }
    const n = count();
    if (!n) return;
    const index = windowNow() - 1, phase = phaseNow();
    const st = vm.steps[index];
    const text = `${(st.captions || {})[phase] || ""}\n${vm.footer || ""}`.trim();
    setText(caption, text);
    const op = vm.operation || "convolution";
    setText(svgTitle, `${op}: window ${index + 1} of ${n}, step ${phases().indexOf(phase) + 1} of ${phases().length}, ${phase}`);
    const names = panelKeys(vm).map((k) => vm.panels[k].title || k);
    setText(svgDesc, `Panels, left to right: ${names.join(", ")}. The outlined window on the input is where the ` +
      `filter sits; the caption below the figure says in words and numbers what this step does.`);
    windowInput.value = String(index + 1);
    windowInput.setAttribute("aria-valuetext", `Window ${index + 1} of ${n}`);
    setText(windowText, `Window ${index + 1} of ${n}`);
    for (const [p, r] of Object.entries(phaseRadios)) r.checked = p === phase;
  }

  function onModel() {
    vm = model.get("walk") || null;
    const bad = !vm || !!vm.message || !count();
    message.hidden = !(vm && vm.message);
    setText(message, vm && vm.message ? vm.message : "");
    svg.style.display = bad ? "none" : "";
    for (const c of [windowInput, prev, next, play]) c.disabled = bad;
    if (bad) stopPlay();
    windowInput.max = String(Math.max(1, count()));
    if (vm) buildPhaseRadios();
    for (const r of Object.values(phaseRadios)) r.disabled = bad;
    buildFigure();
    paintFrame();
    paintText();
  }

  function onFrame() {
    paintFrame();
    paintText();
  }

  const onSettings = () => syncControls();
  model.on("change:walk", onModel);
  model.on("change:window", onFrame);
  model.on("change:phase", onFrame);
  const SETTING_EVENTS = "change:limits change:families change:family change:flip change:operation " +
    "change:operations change:basic change:stride change:padding change:kernel_size change:dilation";
  model.on(SETTING_EVENTS, onSettings);

  // relayout when the space changes (window resized, browser zoom, side panel opened)
  let pending = null;
  const observer = new ResizeObserver(() => {
    if (pending !== null) return;
    pending = requestAnimationFrame(() => {
      pending = null;
      const w = Math.floor(stage.clientWidth || 0);
      if (w > 0 && Math.abs(w - lastWidth) > 2 && geometry !== null) { buildFigure(); paintFrame(); }
      else if (w > 0 && geometry === null && vm && !vm.message) { buildFigure(); paintFrame(); }
    });
  });
  observer.observe(stage);

  syncControls();
  onModel();

  return () => {
    stopPlay();
    observer.disconnect();
    if (pending !== null) cancelAnimationFrame(pending);
    model.off("change:walk", onModel);
    model.off("change:window", onFrame);
    model.off("change:phase", onFrame);
    model.off(SETTING_EVENTS, onSettings);
  };
}

export default { render };
