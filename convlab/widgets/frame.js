// One frame of a view model, resolved (docs/view_model.md): the same dict as Python's
// convlab.views.walk.frame(vm, index, phase). Pure data in, data out: no DOM. Every rule it applies is
// read from the model (vm.rules, vm.captions, vm.arithmetic); it only indexes tables and fills templates.
// A browser test holds this function's output equal to Python's, cell by cell and caption by caption.

const BLANK_INK = "#000000";

function countText(n) { return n.toLocaleString("en-US"); }

function indexRange(start, count, step) {
  if (count === 1) return String(start);
  if (step === 1) return `${start}\u2013${start + count - 1}`;
  const out = [];
  for (let i = 0; i < count; i++) out.push(start + i * step);
  return out.join(", ");
}

function factor(text) { return text.startsWith("\u2212") ? `(${text})` : text; }

function sumText(terms, maxTerms) {
  if (maxTerms !== null && maxTerms !== undefined && terms.length > maxTerms) {
    const head = Math.max(1, maxTerms - 1);
    terms = terms.slice(0, head).concat(["\u2026"], terms.slice(-1));
  }
  return terms.join(" + ");
}

function fillTemplate(template, fields) {
  return template.replace(/\{([a-z_]+)\}/g, (_, name) => fields[name]);
}

function placeOf(W, index) {
  const cols = W.grid[1];
  return [W.origin[0] + Math.floor(index / cols) * W.step[0], W.origin[1] + (index % cols) * W.step[1]];
}

function gridOf(table, codes) {
  return { labels: codes.map((k) => table.labels[k]), fill: codes.map((k) => table.fill[k]),
    ink: codes.map((k) => table.ink[k]) };
}

function blankGrid(n, blank) {
  return { labels: new Array(n).fill(""), fill: new Array(n).fill(blank), ink: new Array(n).fill(BLANK_INK) };
}

// the input cells a window at `place` reads, one per products cell (row-major)
function sampledCodes(vm, codes, place) {
  const inp = vm.panels.input, pr = vm.panels.products, samp = vm.windows.sample;
  const out = [];
  for (let k = 0; k < pr.rows * pr.cols; k++) {
    const r = place[0] + Math.floor(k / pr.cols) * samp[0], c = place[1] + (k % pr.cols) * samp[1];
    out.push(codes[r * inp.cols + c]);
  }
  return out;
}

function arithmetic(vm, index, place, answer) {
  const a = vm.arithmetic, W = vm.windows, panels = vm.panels;
  if (a.kind === "field") return W.fields[a.name][index];
  const inp = panels.input, texts = inp.values.text, names = a.channels;
  const channels = inp.codes.length;
  const lines = [];
  for (let ch = 0; ch < channels; ch++) {
    const cells = sampledCodes(vm, inp.codes[ch], place);
    const value = answer ? (channels > 1 ? W.parts[ch][index] : W.value[index]) : "?";
    let line;
    if (a.kind === "products") {
      const kt = panels.filter.values.text, kcodes = panels.filter.codes[ch];
      const terms = cells.map((j, k) => `${texts[j]}\u00d7${factor(kt[kcodes[k]])}`);
      line = `${sumText(terms, a.max_terms)} = ${value}`;
    } else {
      line = `${a.name}(${cells.map((j) => texts[j]).join(", ")}) = ${value}`;
    }
    lines.push(names ? `${names[ch]}: ${line}` : line);
  }
  if (names && a.kind === "products") {
    const total = [];
    for (let ch = 0; ch < channels; ch++) total.push(factor(W.parts[ch][index]));
    lines.push(answer ? `total: ${total.join(" + ")} = ${W.value[index]}` : "total: ?");
  }
  return lines.join("\n");
}

function caption(vm, index, phase, place, next) {
  const W = vm.windows, rule = vm.rules[phase], variants = vm.captions[phase];
  let body = variants.default;
  if (next === null && "last" in variants) body = variants.last;
  else if ((index + 1) % W.grid[1] === 0 && "new_row" in variants) body = variants.new_row;
  const samp = W.sample.map((s) => Math.max(1, s));
  const kr = Math.floor((W.span[0] - 1) / samp[0]) + 1, kc = Math.floor((W.span[1] - 1) / samp[1]) + 1;
  const fields = {
    i: countText(index + 1), n: W.count_text, value: W.value[index],
    out_row: String(Math.floor(index / W.grid[1])), out_col: String(index % W.grid[1]),
    rows: indexRange(place[0], kr, samp[0]), cols: indexRange(place[1], kc, samp[1]),
  };
  if (next !== null) {
    fields.next_rows = indexRange(next[0], kr, samp[0]);
    fields.next_cols = indexRange(next[1], kc, samp[1]);
  }
  for (const [name, list] of Object.entries(W.fields || {})) fields[name] = list[index];
  const head = `${vm.words.unit} ${countText(index + 1)} of ${W.count_text} \u00b7 ${phase}: `;
  const arith = arithmetic(vm, index, place, rule.answer);
  return head + fillTemplate(body, fields) + (arith ? `\n${arith}` : "") + `\n${vm.footer}`;
}

// frame(vm, index, phase): index from 0. The same keys as Python's frame().
function frame(vm, index, phase) {
  if (vm.message) {
    return { grids: {}, titles: {}, active: "", window: null, ghost: null, sampled: [], cell: null, link: false,
      marked: [], sums: [], caption: vm.message };
  }
  const W = vm.windows, n = W.count, rule = vm.rules[phase], panels = vm.panels;
  const blank = vm.colours.blank, names = vm.channels;
  const place = placeOf(W, index);
  const next = index + 1 < n ? placeOf(W, index + 1) : null;
  const grids = {}, titles = {};
  for (const key of ["input", "filter"]) {
    if (panels[key]) grids[key] = panels[key].codes.map((codes) => gridOf(panels[key].values, codes));
  }
  const pr = panels.products, kcells = pr.rows * pr.cols;
  let prodCodes;
  if (pr.lookup === "window") {
    prodCodes = pr.codes.map((codes) => codes.slice(index * kcells, (index + 1) * kcells));
  } else {
    const inp = panels.input, nIn = inp.values.fill.length;
    prodCodes = pr.codes.map((table, g) => {
      const cells = sampledCodes(vm, inp.codes[Math.min(g, inp.codes.length - 1)], place);
      return pr.lookup === "input" ? cells.map((j, k) => table[k * nIn + j]) : cells.map((j) => table[j]);
    });
  }
  grids.products = prodCodes.map((codes) => (rule.products ? gridOf(pr.values, codes) : blankGrid(kcells, blank)));
  const mp = panels.map, after = index + rule.map_after, hist = mp.history, mt = mp.values;
  const mCodes = [];
  for (let k = 0; k < mp.rows * mp.cols; k++) {
    if (!hist) { mCodes.push(k < after ? mp.codes[k] : -1); continue; }
    let code = hist.base;
    for (let j = hist.start[k]; j < hist.start[k + 1]; j++) if (hist.step[j] < after) code = hist.code[j];
    mCodes.push(code);
  }
  grids.map = [{ labels: mCodes.map((k) => (k >= 0 ? mt.labels[k] : "")),
    fill: mCodes.map((k) => (k >= 0 ? mt.fill[k] : blank)), ink: mCodes.map((k) => (k >= 0 ? mt.ink[k] : BLANK_INK)) }];
  for (const [key, list] of Object.entries(grids)) {
    const title = panels[key].title;
    titles[key] = list.map((_, g) => title + (list.length > 1 && g < names.length && names[g] ? ` \u00b7 ${names[g]}` : ""));
  }
  const moved = rule.window === "next" && next !== null;
  const shown = moved ? next : place;
  const [spanR, spanC] = W.span;
  const windowBox = [shown[0], shown[1], spanR, spanC];
  const ghost = rule.ghost && moved ? [place[0], place[1], spanR, spanC] : null;
  const sampled = [];
  const s = W.sample;
  if (!((s[0] === 1 && s[1] === 1) || (s[0] === 0 && s[1] === 0)) && panels.input) {
    for (let i = 0; i < pr.rows; i++) for (let j = 0; j < pr.cols; j++) sampled.push([shown[0] + i * s[0], shown[1] + j * s[1]]);
  }
  const b = W.boxes;
  const cell = b ? [b[0][index], b[1][index], b[2][index], b[3][index]]
    : [Math.floor(index / W.grid[1]), index % W.grid[1], 1, 1];
  const marked = prodCodes.map((_, g) => (W.pick && rule.pick ? W.pick[g][index] : null));
  const label = pr.sum_label || "sum";
  const sums = prodCodes.map((_, g) => {
    const val = W.parts && prodCodes.length > 1 ? W.parts[g][index] : W.value[index];
    return { none: "", open: `${label} = ?`, shown: `${label} = ${val}` }[rule.sum];
  });
  return { grids, titles, active: rule.active, window: windowBox, ghost, sampled, cell, link: !!rule.link, marked,
    sums, caption: caption(vm, index, phase, place, next) };
}
