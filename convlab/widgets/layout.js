// The Explorer's layout as pure functions (no DOM): which panels, how many grids each, and where they go
// for a given width. A browser test may call layout(vm, width) directly.

const ORDER = ["input", "filter", "products", "map"];
const CELL_MAX = 64;        // px: the largest cell (the figure stops growing there)
const NUMBER_PX = 12.5;     // px: the smallest number written in a cell when the layout allows it
const TITLE_PX = 14;

function panelKeys(vm) {
  const keys = Object.keys(vm.panels || {});
  return ORDER.filter((k) => keys.includes(k)).concat(keys.filter((k) => !ORDER.includes(k)));
}

function longestLabel(values) {
  let n = 1;
  for (const l of values.labels) if (l.length > n) n = l.length;
  return n;
}

// Measure every panel once per model: grid size, how many grids (from the first frame), the longest number.
function describe(vm, first) {
  return panelKeys(vm).map((key) => {
    const p = vm.panels[key];
    return {
      key, title: p.title || key, rows: p.rows, cols: p.cols, numbers: !!p.numbers,
      titles: first.titles[key], grids: first.grids[key].length, longest: p.numbers ? longestLabel(p.values) : 0,
      extraBelow: key === "products" ? 26 : (key === "input" ? 10 : 0),
    };
  });
}

function titleWidth(text) { return text.length * TITLE_PX * 0.64 + 8; }

// Place the panels for a cell size `c` (px), flowing them into rows no wider than `width`.
function flow(panels, c, width) {
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
    for (const t of p.titles) titleW = Math.max(titleW, titleWidth(t));
    const w = Math.max(gridW, titleW);
    const pitch = titleH + p.rows * pc + p.extraBelow + gapV;  // one grid, its title and what is below
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
function layout(panels, width) {
  let cMin = 30;
  for (const p of panels) if (p.numbers) cMin = Math.max(cMin, Math.ceil(p.longest * 0.6 * NUMBER_PX + 8));
  let best = flow(panels, cMin, width);
  if (best.width > width) {  // even one panel per row is too wide: shrink (numbers get smaller)
    let widest = 1;
    for (const p of panels) if (p.numbers) widest = Math.max(widest, p.cols);
    return flow(panels, Math.max(8, Math.floor((width - 2) / widest)), width);
  }
  let lo = cMin, hi = CELL_MAX;
  while (hi - lo > 0.5) {
    const mid = (lo + hi) / 2;
    const f = flow(panels, mid, width);
    if (f.width <= width && f.rows <= best.rows) { lo = mid; best = f; } else hi = mid;
  }
  return best;
}

function numberSize(cell, longest) {
  return Math.max(6, Math.min(0.45 * cell, 22, (cell - 6) / (Math.max(longest, 1) * 0.6)));
}
