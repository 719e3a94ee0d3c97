"""How fast the Explorer answers a key press in a real browser (a benchmark, not a test).

Run:  python benchmarks/bench_browser.py   [--presses 40] [--delay-ms 150] [--images seed,digit28,photo64]

Starts, on loopback only, ``voila notebooks/explorer.ipynb`` and a JupyterLab (the same helpers the browser
tests use, from ``tests/browser/_support.py``), drives headless Chromium (``/usr/bin/chromium`` or
$CONVLAB_CHROMIUM) and prints a Markdown table of medians, from the key press (the ``keydown`` event's
time stamp, in the page) to

* **DOM**: the first change inside the Explorer's SVG figure (a MutationObserver), and
* **frame**: the next animation frame after that change (what the screen shows next),

for three actions: moving the window slider one step (ArrowRight/ArrowLeft: drawn in the page, no kernel
round trip), changing padding by one (ArrowRight/ArrowLeft on the padding slider: a kernel round trip, a new
view model), and the same window steps and padding changes through a delaying TCP proxy that holds every
chunk of data for ``--delay-ms`` in each direction (asyncio, loopback, at most 64 connections). Targets
(issue 10): window step ≤ 16 ms, setting change ≤ 100 ms on loopback, window step unchanged by delay.

``--images`` picks the Voilà pages: ``seed`` is ``notebooks/explorer.ipynb`` (the lesson's 5×5 example);
``digit28`` (a 28×28 digit, 676 windows) and ``photo64`` (a 64×64 photo, 3,844 windows) are one-cell
notebooks written to a temporary folder, so the rows show what the image's size costs. JupyterLab rows are
measured for ``seed`` only.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's convlab, also for the kernels (PYTHONPATH below)
os.environ["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")


def load_support():
    spec = importlib.util.spec_from_file_location("convlab_browser_support", ROOT / "tests/browser/_support.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


support = load_support()

# Arm a measurement: the next keydown's time stamp, then the first change in the SVG and the next frame.
JS_ARM = """(root) => {
  const svg = root.querySelector('svg.convlab-figure');
  window.__convlabMeasure = new Promise((resolve) => {
    let t0 = null;
    const timeout = setTimeout(() => { obs.disconnect(); resolve(null); }, 15000);
    window.addEventListener('keydown', (e) => { t0 = e.timeStamp; }, {capture: true, once: true});
    const obs = new MutationObserver(() => {
      if (t0 === null) return;
      const t1 = performance.now();
      obs.disconnect();
      clearTimeout(timeout);
      requestAnimationFrame(() => resolve({dom: t1 - t0, frame: performance.now() - t0}));
    });
    obs.observe(svg, {subtree: true, attributes: true, childList: true, characterData: true});
  });
}"""


def measure(page, root, selector: str, presses: int, pause_ms: int) -> dict:
    """Press ArrowRight/ArrowLeft on ``selector`` ``presses`` times; medians of DOM and frame times (ms)."""
    control = root.locator(selector)
    control.focus()
    lo, hi = (int(control.evaluate(f"e => e.{k}")) for k in ("min", "max"))
    doms, frames, misses = [], [], 0
    direction = "ArrowRight"
    for _ in range(presses):
        value = int(control.evaluate("e => e.value"))
        if value >= hi:
            direction = "ArrowLeft"
        elif value <= lo:
            direction = "ArrowRight"
        root.evaluate(JS_ARM)
        page.keyboard.press(direction)
        result = page.evaluate("() => window.__convlabMeasure")
        if result is None:
            misses += 1
        else:
            doms.append(result["dom"])
            frames.append(result["frame"])
        page.wait_for_timeout(pause_ms)
    return {"n": len(doms), "misses": misses,
            "dom": statistics.median(doms) if doms else float("nan"),
            "frame": statistics.median(frames) if frames else float("nan"),
            "max_frame": max(frames) if frames else float("nan")}


# ------------------------------------------------------------------------------ a delaying TCP proxy


class DelayProxy:
    """Loopback TCP proxy that delivers every chunk ``delay`` seconds after it arrived, in each direction."""

    def __init__(self, target_port: int, delay: float, max_connections: int = 64):
        self.target_port, self.delay = target_port, delay
        self.port = support.free_port()
        self.slots = None
        self.max_connections = max_connections
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server = None

    async def _pipe(self, reader, writer):
        queue: asyncio.Queue = asyncio.Queue(maxsize=1024)

        async def receive():
            try:
                while data := await reader.read(65536):
                    await queue.put((self.loop.time() + self.delay, data))
            finally:
                await queue.put((self.loop.time() + self.delay, b""))

        async def deliver():
            while True:
                due, data = await queue.get()
                await asyncio.sleep(max(0.0, due - self.loop.time()))
                if not data:
                    break
                writer.write(data)
                await writer.drain()
            writer.close()

        await asyncio.gather(receive(), deliver(), return_exceptions=True)

    async def _handle(self, client_reader, client_writer):
        try:
            await self._serve(client_reader, client_writer)
        except asyncio.CancelledError:  # the benchmark is over: close quietly
            client_writer.close()

    async def _serve(self, client_reader, client_writer):
        async with self.slots:
            try:
                up_reader, up_writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", self.target_port), timeout=10)
            except (OSError, asyncio.TimeoutError):
                client_writer.close()
                return
            await asyncio.gather(self._pipe(client_reader, up_writer), self._pipe(up_reader, client_writer),
                                 return_exceptions=True)

    async def _start(self):
        self.slots = asyncio.Semaphore(self.max_connections)
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    def __enter__(self):
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    def __exit__(self, *exc):
        async def stop():
            self.server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()
        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


# ------------------------------------------------------------------------------ the servers


IMAGES = {
    "seed": None,  # notebooks/explorer.ipynb
    "digit28": "from convlab.data.digits import make_digits\nimage = make_digits(1, size=28)[0][0]",
    "photo64": "from convlab.images import sample_photo\nimage = sample_photo((64, 64))",
}


def bench_notebook(tmp: Path, name: str) -> Path:
    """A one-cell notebook showing the Explorer on the ``name`` image (no outputs: Voilà runs it)."""
    import json

    source = IMAGES[name] + "\nfrom convlab import Explorer\nExplorer(image)"
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "bench", "metadata": {}, "outputs": [],
                     "source": source}],
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    path = tmp / f"bench_{name}.ipynb"
    path.write_text(json.dumps(nb))
    return path


def start_voila(tmp: Path, name: str = "seed"):
    port, token = support.free_port(), support.new_token()
    notebook = "notebooks/explorer.ipynb" if IMAGES[name] is None else str(bench_notebook(tmp, name))
    argv = [sys.executable, "-m", "voila", notebook, "--no-browser", "--Voila.ip=127.0.0.1",
            f"--Voila.port={port}", "--Voila.port_retries=0", f"--Voila.token={token}"]
    server = support.ServerProcess("voila", argv, cwd=ROOT, env=support.isolated_jupyter_env(tmp / f"voila-{name}"),
                                   log_path=tmp / f"voila-{name}.log")
    server.wait_http(f"http://127.0.0.1:{port}/api/status?token={token}")
    return server, port, token


def start_lab(tmp: Path):
    port, token = support.free_port(), support.new_token()
    argv = support.jupyter_command("lab", *support.lab_server_args(port=port, token=token, root_dir=ROOT,
                                                                   tmp=tmp / "lab"))
    server = support.ServerProcess("jupyter lab", argv, cwd=ROOT, env=support.isolated_jupyter_env(tmp / "lab"),
                                   log_path=tmp / "lab.log")
    server.wait_http(f"http://127.0.0.1:{port}/api/status?token={token}")
    return server, port, token


def voila_explorer(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(120_000)
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded", timeout=180_000)
    root = support.wait_explorer(page, page.locator("body"), timeout=180)
    page.wait_for_timeout(1000)
    return context, page, root


def lab_explorer(browser, port: int, token: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(120_000)
    page = context.new_page()
    rel = "notebooks/explorer.ipynb"
    panel = support.open_notebook(page, f"http://127.0.0.1:{port}/lab/workspaces/bench-{int(time.time())}/tree/"
                                        f"{rel}?reset&token={token}", rel)
    support.run_all_cells(page, rel)
    root = support.wait_explorer(page, panel)
    root.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    return context, page, root


WINDOW = "input.convlab-window"
PADDING = ".convlab-padding input[type=range]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=40, help="key presses per window-step measurement")
    parser.add_argument("--setting-presses", type=int, default=16, help="key presses per setting measurement")
    parser.add_argument("--delay-ms", type=float, default=150.0, help="proxy delay, each direction")
    parser.add_argument("--images", default="seed,digit28,photo64",
                        help=f"comma-separated Voilà pages to measure, from {', '.join(IMAGES)}")
    parser.add_argument("--no-lab", action="store_true", help="skip the JupyterLab rows")
    args = parser.parse_args()
    names = [n.strip() for n in args.images.split(",") if n.strip()]
    unknown = [n for n in names if n not in IMAGES]
    if unknown:
        parser.error(f"--images: unknown {', '.join(unknown)}; choose from {', '.join(IMAGES)}")
    sync_playwright = support.import_playwright()
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        with sync_playwright() as pw:
            browser = support.launch_chromium(pw)
            try:
                for name in names:
                    voila, vport, vtoken = start_voila(tmp, name)
                    try:
                        where = f"Voilà {name}, loopback"
                        context, page, root = voila_explorer(browser, f"http://127.0.0.1:{vport}/?token={vtoken}")
                        rows.append((where, "window step", measure(page, root, WINDOW, args.presses, 120)))
                        rows.append((where, "padding change", measure(page, root, PADDING,
                                                                      args.setting_presses, 400)))
                        context.close()
                        with DelayProxy(vport, args.delay_ms / 1000) as proxy:
                            where = f"Voilà {name}, +{args.delay_ms:.0f} ms each way"
                            context, page, root = voila_explorer(browser,
                                                                 f"http://127.0.0.1:{proxy.port}/?token={vtoken}")
                            rows.append((where, "window step", measure(page, root, WINDOW, args.presses, 120)))
                            rows.append((where, "padding change", measure(page, root, PADDING,
                                                                          args.setting_presses, 800)))
                            context.close()
                    finally:
                        voila.stop()
                if "seed" in names and not args.no_lab:
                    lab, lport, ltoken = start_lab(tmp)
                    try:
                        context, page, root = lab_explorer(browser, lport, ltoken)
                        rows.append(("JupyterLab seed, loopback", "window step",
                                     measure(page, root, WINDOW, args.presses, 120)))
                        rows.append(("JupyterLab seed, loopback", "padding change",
                                     measure(page, root, PADDING, args.setting_presses, 400)))
                        context.close()
                        support.shutdown_kernels(f"http://127.0.0.1:{lport}", ltoken)
                    finally:
                        lab.stop()
            finally:
                browser.close()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"headless Chromium, load average {load:.1f}\n")
    print("| page | action | presses | key → SVG changed (median ms) | key → next frame (median ms) "
          "| next frame, max (ms) |")
    print("|---|---|---:|---:|---:|---:|")
    for where, action, r in rows:
        missed = f" ({r['misses']} missed)" if r["misses"] else ""
        print(f"| {where} | {action} | {r['n']}{missed} | {r['dom']:.1f} | {r['frame']:.1f} | {r['max_frame']:.1f} |")


if __name__ == "__main__":
    main()
