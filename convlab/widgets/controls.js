// convlab accessible controls (convlab/widgets/controls.py): plain HTML that names itself and works by
// keyboard. One module for every control; the model's `kind` says which one to draw.

let counter = 0;

function listen(model, names, callback) {
  for (const name of names) model.on(`change:${name}`, callback);
  return () => { for (const name of names) model.off(`change:${name}`, callback); };
}

function slider(model, el) {
  const id = `convlab-control-${++counter}`;
  const label = h("label", { for: id });
  const input = h("input", { type: "range", id });
  const readout = h("output", { for: id, class: "convlab-control-readout", "aria-hidden": "true" });
  const box = h("div", { class: "convlab-control convlab-control-slider" }, [label, input, readout]);
  el.appendChild(box);

  function show(value) {
    readout.textContent = String(value);
    input.setAttribute("aria-valuetext", `${value} of ${model.get("max")}`);
  }
  function sync() {
    label.textContent = model.get("description");
    input.min = String(model.get("min"));
    input.max = String(model.get("max"));
    input.step = String(model.get("step"));
    input.disabled = model.get("disabled");
    const value = model.get("value");
    if (Number(input.value) !== value) input.value = String(value);
    show(value);
  }
  function send() {
    const value = Number(input.value);
    if (value !== model.get("value")) { model.set("value", value); model.save_changes(); }
  }
  input.addEventListener("input", () => { show(Number(input.value)); if (model.get("continuous_update")) send(); });
  input.addEventListener("change", send);
  sync();
  return listen(model, ["value", "min", "max", "step", "disabled", "description"], sync);
}

function play(model, el) {
  const glyph = h("span", { "aria-hidden": "true", class: "convlab-control-glyph" });
  const words = h("span");
  // named by its text, which says what a press does ("Play …" / "Pause …"); no aria-pressed, since the
  // name itself changes with the state
  const button = h("button", { type: "button", class: "convlab-control convlab-control-play" }, [glyph, words]);
  el.appendChild(button);
  let timer = null;

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
  }
  function tick() {
    const next = model.get("value") + model.get("step");
    if (next > model.get("max")) {
      model.set("value", model.get("max"));
      model.set("playing", false);
    } else {
      model.set("value", next);
    }
    model.save_changes();
  }
  function sync() {
    const playing = model.get("playing");
    const what = model.get("description");
    glyph.textContent = playing ? "❚❚" : "▶";
    words.textContent = playing ? ` Pause ${what}` : ` Play ${what}`;
    button.classList.toggle("convlab-control-playing", playing);
    button.disabled = model.get("disabled");
    stop();
    if (playing && !model.get("disabled")) timer = setInterval(tick, Math.max(10, model.get("interval")));
  }
  button.addEventListener("click", () => {
    const start = !model.get("playing");
    if (start && model.get("value") >= model.get("max")) model.set("value", model.get("min"));
    model.set("playing", start);
    model.save_changes();
  });
  sync();
  const off = listen(model, ["playing", "interval", "disabled", "description"], sync);
  return () => { stop(); off(); };
}

function picture(model, el) {
  const img = h("img", { class: "convlab-control-picture" });
  el.appendChild(img);
  let url = null;

  function sync() {
    img.alt = model.get("alt");
    const data = model.get("value");
    if (url) URL.revokeObjectURL(url);
    url = null;
    if (data && data.byteLength) {
      url = URL.createObjectURL(new Blob([data], { type: `image/${model.get("format")}` }));
      img.src = url;
    } else {
      img.removeAttribute("src");
    }
  }
  sync();
  const off = listen(model, ["value", "alt", "format"], sync);
  return () => { off(); if (url) URL.revokeObjectURL(url); };
}

function live(model, el) {
  const region = h("div", { class: "convlab-control-live", "aria-live": "polite", "aria-atomic": "true" });
  el.appendChild(region);
  function sync() { region.innerHTML = model.get("value"); }
  sync();
  return listen(model, ["value"], sync);
}

const KINDS = { slider, play, picture, live };

function render({ model, el }) {
  el.classList.add("convlab-control-root");
  keepControlKeys(el);  // dom.js: arrows, Home/End, Space, Enter go to the control, not the notebook
  const draw = KINDS[model.get("kind")];
  if (!draw) {
    el.textContent = `unknown control ${model.get("kind")}`;
    return undefined;
  }
  return draw(model, el);
}

export default { render };
