// The Explorer's figure: SVG built once per model (and width), then painted from frame(vm, index, phase).
// It decides nothing: every cell's label and colours, every outline and text come from the frame.

const SVG = "http://www.w3.org/2000/svg";

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

function show(node, on) { setAttr(node, "visibility", on ? "visible" : "hidden"); }

function boxRect(node, item, box) {
  setAttr(node, "x", item.x + box[1] * item.cell);
  setAttr(node, "y", item.y + box[0] * item.cell);
  setAttr(node, "width", box[3] * item.cell);
  setAttr(node, "height", box[2] * item.cell);
}

// Build the panels of `vm` into `layer` (an SVG <g>) for `width` px and, where it can be, `height` px;
// `id(name)` makes unique ids.
function buildFigure(svg, layer, vm, width, id, height = Infinity, options = {}) {
  const first = frame(vm, 0, vm.phases[0]);
  const panels = describe(vm, first);
  const M = 10;  // margin for the marks left of the input (rows no window reaches)
  const geometry = layout(panels, width - M, height, options);
  const fullW = geometry.width + M;
  svg.setAttribute("viewBox", `${-M} 0 ${fullW} ${geometry.height}`);
  svg.style.width = `${fullW}px`;
  svg.style.aspectRatio = `${fullW} / ${geometry.height}`;
  const C = vm.colours;
  const defs = s("defs");
  const marker = s("marker", { id: id("arrow-window"), viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: "auto-start-reverse" });
  marker.appendChild(s("path", { d: "M0,0 L10,5 L0,10 z", fill: C.window }));
  defs.appendChild(marker);
  const under = s("g", { class: "convlab-under" });  // drawn beneath the panels: seen in the gaps only
  const cellsLayer = s("g", { class: "convlab-panels" });
  const top = s("g", { class: "convlab-overlays" });
  layer.replaceChildren(defs, under, cellsLayer, top);
  const grids = {};
  for (const box of geometry.boxes) {
    const p = box.panel, list = [];
    const fs = numberSize(box.cell, p.longest, geometry.numberCap);
    for (let g = 0; g < p.grids; g++) {
      const slot = box.slots[g];
      const y0 = slot.y;
      const gy = y0 + box.titleH;
      const group = s("g", { class: `convlab-panel convlab-panel-${p.key}`, "data-panel": p.key, "data-grid": g });
      const title = s("text", { x: slot.x + slot.w / 2, y: y0 + TITLE_PX, "text-anchor": "middle",
        class: "convlab-title", "font-size": TITLE_PX });
      group.appendChild(title);
      const rects = [], texts = [];
      for (let r = 0; r < p.rows; r++) {
        for (let c = 0; c < p.cols; c++) {
          const x = slot.gridX + c * box.cell, y = gy + r * box.cell;
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
      const frameRect = s("rect", { x: slot.gridX, y: gy, width: p.cols * box.cell, height: p.rows * box.cell,
        class: "convlab-frame" });
      group.appendChild(frameRect);
      cellsLayer.appendChild(group);
      list.push({ x: slot.gridX, y: gy, cell: box.cell, rects, texts, title, frame: frameRect });
    }
    grids[p.key] = { panel: p, box, list };
  }
  decorateInput(cellsLayer, vm, grids.input);
  const mk = (attrs) => { const n = s(attrs.tag || "rect", attrs); top.appendChild(n); return n; };
  const inputs = grids.input ? grids.input.list : [];
  const overlays = {
    windows: inputs.map(() => mk({ class: "convlab-window-box", fill: "none", stroke: C.window, "stroke-width": 4 })),
    ghosts: inputs.map(() => mk({ class: "convlab-ghost", fill: "none", stroke: C.window, "stroke-width": 2.5,
      "stroke-dasharray": "7 5" })),
    sampled: top.appendChild(s("g", { class: "convlab-sampled" })),
    cell: mk({ class: "convlab-map-box", fill: "none", stroke: C.window, "stroke-width": 4 }),
    link: under.appendChild(s("line", { class: "convlab-link", stroke: C.window, "stroke-width": 3,
      "stroke-dasharray": "7 4", "marker-end": `url(#${id("arrow-window")})` })),
    marks: (grids.products ? grids.products.list : []).map(() => mk({ class: "convlab-pick", fill: "none",
      stroke: C.window, "stroke-width": 4 })),
    sums: (grids.products ? grids.products.list : []).map((item) => mk({ tag: "text",
      x: item.x + grids.products.panel.cols * item.cell / 2, y: item.y + grids.products.panel.rows * item.cell + 20,
      "text-anchor": "middle", "font-size": TITLE_PX, class: "convlab-sum" })),
  };
  return { vm, geometry, grids, overlays, panels };
}

function decorateInput(layer, vm, g) {
  if (!g) return;
  const p = vm.panels.input, C = vm.colours;
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

// Paint one resolved frame (frame.js) into a built figure.
function paintFigure(fig, f) {
  const { grids, overlays, vm } = fig;
  for (const [key, g] of Object.entries(grids)) {
    const active = f.active === key;
    g.list.forEach((item, n) => {
      const cells = f.grids[key][n];
      for (let i = 0; i < item.rects.length; i++) {
        setAttr(item.rects[i], "fill", cells.fill[i]);
        if (item.texts.length) {
          setText(item.texts[i], cells.labels[i]);
          setAttr(item.texts[i], "fill", cells.ink[i]);
        }
      }
      setText(item.title, f.titles[key][n]);
      item.title.classList.toggle("convlab-active", active);
      item.frame.classList.toggle("convlab-active", active);
    });
  }
  if (grids.input) {
    grids.input.list.forEach((item, c) => {
      boxRect(overlays.windows[c], item, f.window);
      show(overlays.ghosts[c], f.ghost !== null);
      if (f.ghost) boxRect(overlays.ghosts[c], item, f.ghost);
    });
    overlays.sampled.replaceChildren();
    for (const item of grids.input.list) {
      for (const [r, c] of f.sampled) {
        overlays.sampled.appendChild(s("rect", { x: item.x + c * item.cell + 3, y: item.y + r * item.cell + 3,
          width: item.cell - 6, height: item.cell - 6, fill: "none", stroke: vm.colours.window, "stroke-width": 2 }));
      }
    }
  }
  const map = grids.map ? grids.map.list[0] : null;
  show(overlays.cell, !!map);
  if (map) boxRect(overlays.cell, map, f.cell);
  const from = grids.input ? grids.input.list[0] : null;
  show(overlays.link, !!(f.link && from && map));
  if (f.link && from && map) {
    const src = f.ghost || f.window, b = f.cell;
    setAttr(overlays.link, "x1", from.x + (src[1] + src[3]) * from.cell);
    setAttr(overlays.link, "y1", from.y + (src[0] + src[2] / 2) * from.cell);
    setAttr(overlays.link, "x2", map.x + b[1] * map.cell - 3);
    setAttr(overlays.link, "y2", map.y + (b[0] + b[2] / 2) * map.cell);
  }
  overlays.marks.forEach((node, c) => {
    const k = f.marked[c];
    show(node, k !== null && k !== undefined);
    if (k !== null && k !== undefined) {
      const item = grids.products.list[c], cols = grids.products.panel.cols;
      boxRect(node, item, [Math.floor(k / cols), k % cols, 1, 1]);
    }
  });
  overlays.sums.forEach((t, c) => setText(t, f.sums[c] || ""));
}
