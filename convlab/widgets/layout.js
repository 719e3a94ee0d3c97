// The Explorer's layout as pure functions (no DOM): which panels, how many grids each, and where they go
// for a given width and height. A browser test may call layout(describe(vm, frame(vm, 0, phase)), width,
// height) directly.

const ORDER = ["input", "filter", "products", "map"];
const CELL_MAX = 64;        // px: the largest cell (the figure stops growing there)
const NUMBER_PX = 12.5;     // px: the smallest number written in a cell when the layout allows it
const TITLE_PX = 14;
const NUMBER_CAP = 22;      // px: the largest number in a cell (the projector view allows more)
const NUMBER_PX_TIGHT = 10.5; // px: ... and when the screen's height asks for it (an RGB walk on a laptop)
const CELL_FLOOR = 30;      // px: the smallest cell of a grid without numbers, where the width allows it
const GAP_CHANNELS = 8;     // px: between an RGB panel's channels side by side

function panelKeys(vm) {
  const keys = Object.keys(vm.panels || {});
  return ORDER.filter((k) => keys.includes(k)).concat(keys.filter((k) => !ORDER.includes(k)));
}

function longestLabel(values) {
  let n = 1;
  for (const l of values.labels) if (l.length > n) n = l.length;
  return n;
}

// The smallest cell whose number (the panel's longest) is written at `px` pixels (numberSize below).
function minCell(numbers, longest, px) {
  return numbers ? Math.max(Math.ceil(px / 0.45), Math.ceil(longest * 0.6 * px + 6)) : 0;
}

// Measure every panel once per model: grid size, how many grids (from the first frame), the longest number,
// and the smallest cell its numbers stay readable in (NUMBER_PX).
function describe(vm, first) {
  return panelKeys(vm).map((key) => {
    const p = vm.panels[key];
    const longest = p.numbers ? longestLabel(p.values) : 0;
    return {
      key, title: p.title || key, rows: p.rows, cols: p.cols, numbers: !!p.numbers,
      titles: first.titles[key], grids: first.grids[key].length, longest,
      minCell: minCell(p.numbers, longest, NUMBER_PX),
      extraBelow: key === "products" ? 26 : (key === "input" ? 10 : 0),
    };
  });
}

function titleWidth(text) { return text.length * TITLE_PX * 0.6 + 8; }

// Place the panels for a cell size `c` (px), flowing them into rows no wider than `width`. A panel with
// several grids (an RGB image's channels) stacks them in a column, or puts them side by side when its key
// is in `across` (what lets an RGB walk fit a screen's height). Each grid gets a slot: {x, y, gridX}.
function flow(panels, c, width, across = []) {
  const gapH = Math.max(18, Math.round(0.5 * c));
  const gapV = 18;
  const titleH = TITLE_PX + 10;
  let x = 0, y = 0, rowH = 0, rows = 1, used = 0;
  const boxes = [];
  for (const p of panels) {
    // grids without numbers (photos) may use smaller cells: at most 45% of the width each
    const pc = p.numbers ? Math.max(c, p.minCell) : Math.max(2, Math.min(c, (0.45 * width) / Math.max(p.cols, 1)));
    const gridW = p.cols * pc;
    let titleW = 0;
    for (const t of p.titles) titleW = Math.max(titleW, titleWidth(t));
    const slotW = Math.max(gridW, titleW);
    const side = p.grids > 1 && across.includes(p.key);
    const pitch = titleH + p.rows * pc + p.extraBelow + gapV;  // one grid, its title and what is below
    const w = side ? p.grids * slotW + (p.grids - 1) * GAP_CHANNELS : slotW;
    const hgt = side ? pitch - gapV : p.grids * pitch - gapV;
    if (x > 0 && x + w > width) { x = 0; y += rowH + gapV; rowH = 0; rows += 1; }
    const slots = [];
    for (let g = 0; g < p.grids; g++) {
      const sx = side ? x + g * (slotW + GAP_CHANNELS) : x, sy = side ? y : y + g * pitch;
      slots.push({ x: sx, y: sy, w: slotW, gridX: sx + (slotW - gridW) / 2 });
    }
    boxes.push({ panel: p, x, y, w, h: hgt, cell: pc, titleH, slots });
    x += w + gapH;
    used = Math.max(used, x - gapH);
    rowH = Math.max(rowH, hgt);
  }
  return { boxes, width: Math.ceil(used), height: Math.ceil(y + rowH + 4), rows, cell: c, across };
}

// Every way to arrange the multi-grid panels: each stacked (a column) or side by side (a row); and the
// panels in reading order, or with the map right after the input (beside it when the row has room).
function arrangements(panels) {
  const multi = panels.filter((p) => p.grids > 1).map((p) => p.key);
  const orders = [panels];
  const map = panels.find((p) => p.key === "map");
  if (map && multi.length && panels[0].key === "input") {
    orders.push([panels[0], map].concat(panels.slice(1).filter((p) => p !== map)));
  }
  const out = [];
  for (const order of orders) {
    for (let m = 0; m < 1 << multi.length; m++) out.push({ order, across: multi.filter((_, i) => m & (1 << i)) });
  }
  return out;
}

// The largest cells that fit `width` without more rows than needed, numbers >= NUMBER_PX, for one arrangement.
function largest(panels, width, height, across, cellMax) {
  const mins = panels.filter((p) => p.numbers).map((p) => p.minCell);
  const cMin = mins.length ? Math.min(...mins) : CELL_FLOOR;  // each numbered panel keeps its own minimum
  let best = flow(panels, cMin, width, across);
  if (best.width > width) return best;
  let lo = cMin, hi = cellMax;
  while (hi - lo > 0.5) {
    const mid = (lo + hi) / 2;
    const f = flow(panels, mid, width, across);
    if (f.width <= width && f.rows <= best.rows && f.height <= height) { lo = mid; best = f; } else hi = mid;
  }
  return best;
}

// layout(panels, width, height): where every panel and grid goes, no wider than `width` px and, where it
// can be, no taller than `height` px (the screen's room for the figure). Among the arrangements of the
// multi-grid panels the one with the largest cells that fits both wins; if none fits the height, the
// shortest one. A pure function of its arguments: a browser test may call it directly.
// `options`: {cellMax, numberCap}: the projector view's larger cells and digits (default CELL_MAX, NUMBER_CAP).
function layout(panels, width, height = Infinity, options = {}) {
  const cellMax = options.cellMax || CELL_MAX, numberCap = options.numberCap || NUMBER_CAP;
  let best = null;
  // numbers at NUMBER_PX; where nothing fits the height, numbers as small as NUMBER_PX_TIGHT may
  for (const px of [NUMBER_PX, NUMBER_PX_TIGHT]) {
    if (best !== null && best.height <= height) break;
    const sized = panels.map((p) => Object.assign({}, p, { minCell: minCell(p.numbers, p.longest, px) }));
    for (const { order, across } of arrangements(sized)) {
      const f = largest(order, width, height, across, cellMax);
      if (f.width > width) continue;
      f.numberPx = px;
      const fits = f.height <= height, bestFits = best !== null && best.height <= height;
      if (best === null || (fits && !bestFits) || (fits && bestFits && f.cell > best.cell + 0.25) ||
          (!fits && !bestFits && f.height < best.height - 0.5)) best = f;
    }
  }
  if (best === null) {  // even one panel per row is too wide: shrink (numbers get smaller)
    let widest = 1;
    for (const p of panels) if (p.numbers) widest = Math.max(widest, p.cols);
    const c = Math.max(8, Math.floor((width - 2) / widest));
    best = flow(panels.map((p) => Object.assign({}, p, { minCell: Math.min(p.minCell, c) })), c, width);
  }
  best.numberCap = numberCap;
  return best;
}

// The font size (px) of a cell's number: it fits the cell, `cap` at most.
function numberSize(cell, longest, cap = NUMBER_CAP) {
  return Math.max(6, Math.min(0.45 * cell, cap, (cell - 6) / (Math.max(longest, 1) * 0.6)));
}
