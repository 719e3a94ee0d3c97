"""Shared machinery for the real-browser tests (JupyterLab, Voilà, JupyterHub).

Nothing here imports playwright at module level, so ``pytest --doctest-modules`` can import this
file on a machine without it. The conftests in ``tests/browser`` and ``tests/hub`` load this file by
path (see ``load_support`` there), so it works whatever pytest import mode is in force.

Rules every helper follows:

* servers bind to 127.0.0.1 only, on a free random port, with a random token;
* every wait has a time limit and, when it runs out, says what it was waiting for;
* processes we start are stopped by their own process group, never by name.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(os.environ.get("CONVLAB_TEST_REPO", Path(__file__).resolve().parents[2])).resolve()
ARTIFACTS = Path(os.environ.get("CONVLAB_TEST_ARTIFACTS", REPO_ROOT / "test-artifacts")).resolve()

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

HOW_TO_ENABLE = (
    "install Chromium (Debian: `apt-get install -y chromium`) or point CONVLAB_CHROMIUM at a "
    "Chromium/Chrome binary, and `pip install -r requirements-dev.txt` for playwright"
)

# Time limits (seconds). Generous for a busy 2-core machine, but always finite.
SERVER_START_TIMEOUT = 90
NOTEBOOK_OPEN_TIMEOUT = 90
RUN_ALL_TIMEOUT = 240
VIEW_CHANGE_TIMEOUT = 30


# --------------------------------------------------------------------------- environment


def in_ci() -> bool:
    """True when the CI script runs us (``CI=true``): then browser tests may never skip."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def skip_or_fail(message: str) -> None:
    """Skip with ``message`` on a laptop; fail loudly in CI, where every real-path test must run."""
    if in_ci():
        pytest.fail(f"CI=true but {message}", pytrace=False)
    pytest.skip(message)


def chromium_executable() -> str | None:
    """The Chromium to drive: $CONVLAB_CHROMIUM, else Debian's /usr/bin/chromium, else PATH."""
    override = os.environ.get("CONVLAB_CHROMIUM")
    if override:
        return override if Path(override).is_file() else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def import_playwright():
    """Return ``playwright.sync_api.sync_playwright``, or skip (fail in CI) with how to get it."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail(f"the python package playwright is not installed; {HOW_TO_ENABLE}")
    return sync_playwright


def require_chromium() -> str:
    """The Chromium binary, or skip (fail in CI) saying how to get one."""
    executable = chromium_executable()
    if executable is None:
        wanted = os.environ.get("CONVLAB_CHROMIUM") or "/usr/bin/chromium"
        skip_or_fail(f"no Chromium found at {wanted}; to run the browser tests, {HOW_TO_ENABLE}")
    return executable


def launch_chromium(playwright):
    """Launch headless Chromium (never Playwright's own download, which is unreachable here)."""
    executable = require_chromium()
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)


# One Playwright and one Chromium per pytest process: Playwright's sync API refuses a second
# instance while one is running, and both tests/browser and tests/hub need a browser.
_SHARED = {"manager": None, "browser": None, "users": 0, "context": None}


def acquire_browser():
    """The process-wide headless Chromium, started on first use; pair with ``release_browser``."""
    if _SHARED["browser"] is None:
        sync_playwright = import_playwright()
        require_chromium()
        manager = sync_playwright()
        playwright = manager.start()
        try:
            _SHARED["browser"] = launch_chromium(playwright)
        except BaseException:
            manager.__exit__(None, None, None)
            raise
        _SHARED["manager"] = manager
    _SHARED["users"] += 1
    return _SHARED["browser"]


def release_browser() -> None:
    """Close the shared Chromium once its last user is done."""
    _SHARED["users"] -= 1
    if _SHARED["users"] <= 0 and _SHARED["browser"] is not None:
        with contextlib.suppress(Exception):
            _SHARED["browser"].close()
        with contextlib.suppress(Exception):
            _SHARED["manager"].__exit__(None, None, None)
        _SHARED.update(manager=None, browser=None, users=0, context=None)


VIEWPORT = {"width": 1400, "height": 1000}


def shared_context(browser):
    """The one browser context of ``browser`` (1400×1000, 30 s timeouts) that the browser tests' pages open in.

    It keeps one blank page open for as long as the browser runs. While a context has a page open,
    Chromium keeps what it has loaded and compiled (JupyterLab's and Voilà's scripts); once its last
    page closes, the next page starts from nothing. Measured on the Explorer's Voilà page (4 loads each,
    2 cores): 2.1–2.2 s of Chromium CPU per load with each page in a context of its own or with no page
    kept open, 1.4–1.5 s with the blank page kept (only the first load pays the 2.2 s).
    The pages share cookies and storage; each test still gets a page of its own.
    """
    if _SHARED["browser"] is not browser:
        raise ValueError("pages open in the browser of acquire_browser() (the `chromium` fixture): its context "
                         "is closed with it")
    if _SHARED["context"] is None:
        context = browser.new_context(viewport=dict(VIEWPORT))
        context.set_default_timeout(30_000)
        context.new_page()  # the blank page that keeps the context's caches
        _SHARED["context"] = context
    return _SHARED["context"]


def new_page(browser):
    """A new page in the browser's shared context (:func:`shared_context`) and the list its console
    errors, warnings and page errors are appended to: ``(page, console)``."""
    page = shared_context(browser).new_page()
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}") if msg.type in
            ("error", "warning") else None)
    page.on("pageerror", lambda exc: console.append(f"pageerror: {exc}"))
    return page, console


@contextlib.contextmanager
def page_of_its_own(browser, console_name: str):
    """:func:`new_page` for a fixture or a test: yields the page, and when done writes its console to the
    artefact ``console_name`` and closes the page."""
    page, console = new_page(browser)
    try:
        yield page
    finally:
        artifact_path(console_name).write_text("\n".join(console))
        with contextlib.suppress(Exception):
            page.close()


def on_one_notebook(fixture: str, notebooks, rel: str):
    """Parametrize a test with one notebook of a class-scoped run ``fixture`` (``indirect=True``), so it takes
    that notebook's run, set up once for all its tests. ``rel`` missing from ``notebooks``: the run skips
    (fails in CI), as for no notebooks at all."""
    notebook = next((nb for nb in notebooks if nb.relative_to(REPO_ROOT).as_posix() == rel), None)
    label = notebook.stem if notebook else f"no-{slug(rel)}"
    return pytest.mark.parametrize(fixture, [pytest.param(notebook, id=label)], indirect=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_token() -> str:
    return secrets.token_hex(24)


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def artifact_path(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


# --------------------------------------------------------------------------- processes


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect (to a login page, say) already proves the server is up; don't follow it."""

    def redirect_request(self, *args, **kwargs):
        return None


_NO_REDIRECTS = urllib.request.build_opener(_KeepRedirects)


class ServerProcess:
    """A server we started in its own process group, with its output in a log file.

    ``stop()`` sends SIGINT twice (Jupyter's clean shutdown), then SIGTERM, then SIGKILL — to this
    process group only.
    """

    def __init__(self, name: str, argv: list[str], *, cwd: Path, env: dict, log_path: Path):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            argv,
            cwd=str(cwd),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def wait_http(self, url: str, timeout: float = SERVER_START_TIMEOUT) -> None:
        """Poll ``url`` until it answers with a status below 500 (bounded; fails with the log)."""
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"{self.name} exited with code {self.proc.returncode} before answering {url}\n"
                    f"--- log ({self.log_path}) ---\n{self.log_tail()}",
                    pytrace=False,
                )
            try:
                with _NO_REDIRECTS.open(url, timeout=5) as resp:  # loopback only
                    if resp.status < 500:
                        return
            except urllib.error.HTTPError as err:
                if err.code < 500:
                    return
                last = f"HTTP {err.code}"
            except (urllib.error.URLError, OSError) as err:
                last = str(err)
            time.sleep(0.3)
        pytest.fail(
            f"{self.name} did not answer {url} within {timeout:.0f} s ({last})\n"
            f"--- log ({self.log_path}) ---\n{self.log_tail()}",
            pytrace=False,
        )

    def stop(self, timeout: float = 20) -> None:
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGINT, 2), (signal.SIGINT, timeout / 2), (signal.SIGTERM, 5)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, sig)
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        # Children left in the group (kernels) go with it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()


def child_env(**extra: str) -> dict:
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    # No jupyter settings or kernels from the developer's home leak into the test servers, but the
    # kernel must still find this interpreter's packages (convlab included).
    env.update(extra)
    return env


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def jupyter_command(*args: str) -> list[str]:
    """``python -m jupyter ...`` with *this* interpreter, so servers see the same packages."""
    return [sys.executable, "-m", "jupyter", *args]


# --------------------------------------------------------------------------- JupyterLab settings


def write_lab_settings(settings_dir: Path) -> None:
    """User settings for a test Lab: no news or update pop-ups, no autosave, every cell in the DOM."""
    files = {
        # The "would you like to get news?" toast and the update check.
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        # Never write the notebooks under test back to disk (run-all makes them dirty).
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {
            "autosave": False,
        },
        # Windowing would remove off-screen cells (and their widgets) from the DOM.
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
            "windowingMode": "none",
        },
    }
    for rel, content in files.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))


def lab_server_args(*, port: int, token: str, root_dir: Path, tmp: Path, app: str = "LabApp") -> list[str]:
    """Arguments for a throw-away JupyterLab on loopback, isolated from the user's own state.

    ``app="JupyterNotebookApp"`` gives the same for Notebook 7 (``jupyter notebook``), which is a JupyterLab
    application: the same user settings apply (no news, no autosave, every cell in the DOM), and
    ``expose_app_in_browser`` gives the tests ``window.jupyterapp`` in both.
    """
    settings = tmp / "user-settings"
    write_lab_settings(settings)
    # news_url=None turns the news feed off server-side (not expressible on the command line); the
    # config dir is the one isolated_jupyter_env() points JUPYTER_CONFIG_DIR at.
    (tmp / "config").mkdir(parents=True, exist_ok=True)
    # A kernel that Voilà starts (/voila/render) may wait for CPU while the suite's other workers run:
    # 4 minutes to answer, not Voilà's 60 s (it timed out once in CI under full load).
    (tmp / "config" / "jupyter_server_config.py").write_text(
        "c.LabApp.news_url = None\nc.VoilaExecutor.startup_timeout = 240\n")
    args = [
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        f"--{app}.workspaces_dir={tmp / 'workspaces'}",
        f"--{app}.user_settings_dir={settings}",
        f"--{app}.expose_app_in_browser=True",
        "--ServerApp.open_browser=False",
    ]
    if app == "LabApp":
        args.append("--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
    if running_as_root():
        args.append("--allow-root")
    return args


def isolated_jupyter_env(tmp: Path) -> dict:
    """Runtime/config dirs in ``tmp`` so the test server shares nothing with a running Jupyter."""
    runtime = tmp / "runtime"
    config = tmp / "config"
    runtime.mkdir(parents=True, exist_ok=True)
    config.mkdir(parents=True, exist_ok=True)
    return child_env(
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTER_CONFIG_DIR=str(config),
        IPYTHONDIR=str(tmp / "ipython"),
    )


# --------------------------------------------------------------------------- page helpers

# Hash in the page so big canvas data URLs never cross the wire.
_JS_HASH = """
const __hash = (s) => { let h = 0x811c9dc5; for (let i = 0; i < s.length; i++) {
  h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; } return h.toString(16) + ':' + s.length; };
"""

# What the learner sees around one element: its output area's visible text (without slider readouts,
# which change by construction), every canvas's pixels, every image's data.
JS_VIEW_SIGNATURE = (
    "(el) => {"
    + _JS_HASH
    + """
  const area = el.closest('.jp-OutputArea') || el.closest('.jp-Cell') || document.body;
  const skip = (n) => n.parentElement && n.parentElement.closest(
      '.widget-readout, .widget-play, input, textarea, style, script, output, .convlab-window-text');
  const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!skip(n) && n.textContent.trim()) texts.push(n.textContent.trim());
  }
  const canvases = Array.from(area.querySelectorAll('canvas'))
      .filter(c => c.width > 0 && c.height > 0)
      .map(c => { try { return __hash(c.toDataURL()); } catch (e) { return 'unreadable'; } });
  const images = Array.from(area.querySelectorAll('img')).map(i => __hash(i.src || ''));
  const svgs = Array.from(area.querySelectorAll('svg')).map(s => __hash(s.outerHTML));
  return {text: texts.join('\\n'), canvases, images, svgs};
}"""
)

# A slider: an ipywidgets slider (.widget-slider), one of the Explorer's own labelled range inputs, or a
# lesson widget's labelled range input (convlab.widgets.controls.Slider).
SLIDERS = ".widget-slider, .convlab-explorer input[type=range], .convlab-control-slider input[type=range]"
# A rendered widget: an ipywidgets view, or the Explorer's own view (an anywidget, no ipywidgets class).
WIDGETS = ".jupyter-widgets, .convlab-explorer"

JS_SLIDER_STATE = """(el) => {
  if (el.matches('input[type=range]')) {
    return {now: Number(el.value), min: Number(el.min), max: Number(el.max), readout: el.value,
            disabled: el.disabled, native: true,
            visible: !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)};
  }
  const h = el.querySelector('.noUi-handle');
  const readout = el.querySelector('.widget-readout');
  const target = el.querySelector('.noUi-target');
  return {
    now: h ? Number(h.getAttribute('aria-valuenow')) : null,
    min: h ? Number(h.getAttribute('aria-valuemin')) : null,
    max: h ? Number(h.getAttribute('aria-valuemax')) : null,
    readout: readout ? readout.textContent.trim() : null,
    disabled: !!(target && target.hasAttribute('disabled')) || el.classList.contains('mod-disabled'),
    visible: !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length),
  };
}"""


def wait_until(page, predicate, *, timeout: float, what: str, interval: float = 0.25, on_tick=None):
    """Call ``predicate()`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        if on_tick is not None:
            on_tick()
        try:
            result = predicate()
            if result:
                return result
        except Exception as exc:  # page still loading, context replaced, ...
            last_exc = exc
        if time.monotonic() > deadline:
            shot = None
            with contextlib.suppress(Exception):
                shot = artifact_path(f"timeout-{slug(what)}.png")
                page.screenshot(path=str(shot), full_page=True)
            detail = f" (last error: {last_exc})" if last_exc else ""
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}{detail}; screenshot: {shot}",
                        pytrace=False)
        page.wait_for_timeout(interval * 1000)


def view_signature(locator) -> dict:
    return locator.evaluate(JS_VIEW_SIGNATURE)


def slider_state(locator) -> dict:
    return locator.evaluate(JS_SLIDER_STATE)


def describe_change(before: dict, after: dict) -> list[str]:
    changed = []
    if before["text"] != after["text"]:
        changed.append("caption/text")
    if before["canvases"] != after["canvases"]:
        changed.append("figure canvas")
    if before["images"] != after["images"]:
        changed.append("figure image")
    if before["svgs"] != after["svgs"]:
        changed.append("svg")
    return changed


def wait_stable_signature(page, anchor, *, timeout: float = 15, quiet: float = 1.0) -> dict:
    """The view signature once it has stopped changing for ``quiet`` seconds (figures finish drawing)."""
    deadline = time.monotonic() + timeout
    last = view_signature(anchor)
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(250)
        now = view_signature(anchor)
        if now != last:
            last, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since >= quiet:
            return now
    return last


def output_area_of(locator):
    """The output area holding ``locator`` (what a learner sees as one widget), else itself."""
    area = locator.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea')][1]")
    return area if area.count() else locator


def move_slider_and_check_view(page, scope, *, label: str, max_sliders: int = 4,
                               shot_prefix: str | None = None) -> dict:
    """Press an arrow key on a slider handle and wait until what the learner sees changes.

    Tries the first few enabled, visible sliders inside ``scope`` in page order (a slider that is at
    both ends, disabled or hidden is passed over). Returns a record of what changed; fails if no
    slider changed the caption or the figure.
    """
    sliders = scope.locator(SLIDERS)
    count = sliders.count()
    assert count > 0, f"{label}: no slider rendered ({SLIDERS})"
    tried = []
    for i in range(count):
        if len(tried) >= max_sliders:
            break
        slider = sliders.nth(i)
        state = slider_state(slider)
        if state["disabled"] or not state["visible"] or state["now"] is None:
            continue
        if state["min"] == state["max"]:
            continue
        key = "ArrowRight" if state["now"] < state["max"] else "ArrowLeft"
        slider.scroll_into_view_if_needed(timeout=10_000)
        before = wait_stable_signature(page, slider)
        if shot_prefix:
            output_area_of(slider).screenshot(path=str(artifact_path(f"{shot_prefix}-before-slider.png")))
        handle = slider if state.get("native") else slider.locator(".noUi-handle").first
        handle.focus(timeout=10_000)
        handle.press(key, timeout=10_000)
        # The slider's own readout must follow the key (proves the key reached the widget).
        wait_until(page, lambda: slider_state(slider)["now"] != state["now"], timeout=10,
                   what=f"{label}: slider {i} to move on {key}")
        changed = []
        deadline = time.monotonic() + VIEW_CHANGE_TIMEOUT
        while time.monotonic() < deadline:
            page.wait_for_timeout(250)
            changed = describe_change(before, view_signature(slider))
            if changed:
                break
        after_state = slider_state(slider)
        record = {
            "slider_index": i,
            "key": key,
            "value_before": state["now"],
            "value_after": after_state["now"],
            "readout_before": state["readout"],
            "readout_after": after_state["readout"],
            "changed": changed,
        }
        tried.append(record)
        if changed:
            after = wait_stable_signature(page, slider)
            if shot_prefix:
                output_area_of(slider).screenshot(
                    path=str(artifact_path(f"{shot_prefix}-after-slider.png")))
            record["text_before"] = before["text"][-600:]
            record["text_after"] = after["text"][-600:]
            return record
    pytest.fail(f"{label}: moving a slider changed neither the caption nor the figure; tried {tried}",
                pytrace=False)


# --------------------------------------------------------------------------- JupyterLab driving

JS_FIND_PANEL = """(path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  const panels = Array.from(app.shell.widgets('main')).filter(
      w => w.context && w.content && w.sessionContext && w.context.path === path);
  if (!panels.length) return null;
  const panel = panels[0];
  panel.node.setAttribute('data-convlab-test', 'current');
  if (app.shell.currentWidget !== panel) app.shell.activateById(panel.id);
  return {id: panel.id, ready: panel.context.isReady};
}"""

JS_PANEL = """
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets('main')).find(
      w => w.context && w.content && w.sessionContext && w.context.path === path);
"""

JS_KERNEL_STATE = (
    "(path) => {"
    + JS_PANEL
    + """
  if (!panel) return null;
  const s = panel.sessionContext;
  const k = s.session && s.session.kernel;
  return {kernel: k ? k.status : null, connection: k ? k.connectionStatus : null,
          name: s.kernelDisplayName, pending: s.hasNoKernel};
}"""
)

JS_CELL_STATE = (
    "(path) => {"
    + JS_PANEL
    + """
  if (!panel) return null;
  const cells = panel.content.widgets;
  const code = cells.filter(c => c.model.type === 'code');
  const nonEmpty = code.filter(c => c.model.sharedModel.getSource().trim() !== '');
  const errors = [];
  const stderr = [];
  code.forEach((c, i) => {
    for (const out of c.model.outputs.toJSON()) {
      if (out.output_type === 'error') errors.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
      if (out.output_type === 'stream' && out.name === 'stderr') {
        const text = Array.isArray(out.text) ? out.text.join('') : out.text;
        stderr.push(`cell ${i}: ${text.slice(0, 500)}`);
      }
    }
  });
  const k = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return {
    total: cells.length,
    code: code.length,
    executed: nonEmpty.filter(c => c.model.executionCount !== null).length,
    toRun: nonEmpty.length,
    counts: nonEmpty.map(c => c.model.executionCount),
    running: nonEmpty.filter(c => c.promptNode && c.promptNode.textContent.includes('*')).length,
    kernel: k ? k.status : null,
    errors, stderr,
  };
}"""
)

JS_RUN_COMMAND = (
    "([path, command]) => {"
    + JS_PANEL
    + """
  if (!panel) return false;
  app.shell.activateById(panel.id);
  // Never await a command: one that opens a dialog would wait forever.
  app.commands.execute(command).catch(e => console.error('convlab-test', command, e));
  return true;
}"""
)


def dismiss_kernel_dialog(page) -> None:
    """Accept a "Select Kernel" dialog if one is up (a notebook without kernel metadata opens it)."""
    dialog = page.locator(".jp-Dialog")
    try:
        if dialog.count() and dialog.first.is_visible():
            text = dialog.first.inner_text(timeout=2000)
            if "Select Kernel" in text or "kernel" in text.lower():
                dialog.first.locator(".jp-Dialog-button.jp-mod-accept").first.click(timeout=5000)
    except Exception:  # noqa: BLE001 - the dialog may vanish between count() and click()
        pass


def open_notebook(page, url: str, path: str, *, timeout: float = NOTEBOOK_OPEN_TIMEOUT):
    """Open ``url`` and wait until the notebook at ``path`` has a live, idle kernel."""
    page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
    return wait_notebook_ready(page, path, timeout=timeout)


JS_OPEN_IN_APP = """(path) => window.jupyterapp.commands.execute('docmanager:open', {path})
  .then(() => true)"""

# Close a notebook's panel without the "save changes?" dialog (its outputs changed since it was opened).
JS_DISCARD_PANEL = (
    "(path) => {"
    + JS_PANEL
    + """
  if (!panel) return false;
  panel.context.model.dirty = false;
  panel.dispose();
  return true;
}"""
)


def open_in_running_lab(page, path: str, *, timeout: float = NOTEBOOK_OPEN_TIMEOUT):
    """Open the notebook at ``path`` in the JupyterLab already loaded in ``page`` (as a learner opens a
    file from the file browser) and wait until its kernel is idle; returns the panel's locator.

    Another notebook's ``data-convlab-test`` mark is removed first, so the locator finds this one only.
    """
    page.evaluate("() => document.querySelectorAll('[data-convlab-test]').forEach("
                  "n => n.removeAttribute('data-convlab-test'))")
    page.evaluate(JS_OPEN_IN_APP, path)
    return wait_notebook_ready(page, path, timeout=timeout)


def discard_notebook(page, path: str) -> None:
    """Close the notebook at ``path`` in ``page``'s JupyterLab, its changes dropped (the file is untouched)."""
    with contextlib.suppress(Exception):
        page.evaluate(JS_DISCARD_PANEL, path)


def wait_notebook_ready(page, path: str, *, timeout: float = NOTEBOOK_OPEN_TIMEOUT):
    """Wait until JupyterLab in ``page`` shows the notebook at ``path`` with an idle kernel.

    Returns a locator for that notebook's panel (DOM queries stay scoped to it).
    """
    tick = lambda: dismiss_kernel_dialog(page)  # noqa: E731
    wait_until(page, lambda: page.evaluate(JS_FIND_PANEL, path), timeout=timeout,
               what=f"JupyterLab to open {path}", on_tick=tick)
    wait_until(
        page,
        lambda: (page.evaluate(JS_KERNEL_STATE, path) or {}).get("kernel") == "idle",
        timeout=timeout,
        what=f"the kernel of {path} to start",
        on_tick=tick,
    )
    page.evaluate(JS_FIND_PANEL, path)
    return page.locator('[data-convlab-test="current"]')


def run_all_cells(page, path: str, *, timeout: float = RUN_ALL_TIMEOUT, quiet: float = 1.5,
                  drawn: str | None = None) -> dict:
    """Clear outputs, run every cell and wait until all ran and the kernel stayed idle a moment.

    With ``drawn`` (a selector, as for :func:`wait_drawn`) the same wait also needs what is drawn there
    to stay unchanged, no widget still loading, for ``quiet`` seconds (at least :data:`DRAWN_QUIET`),
    and the result's ``"drawn"`` says how much is drawn: one quiet period, not one after the other.
    """
    page.evaluate(JS_RUN_COMMAND, [path, "notebook:clear-all-cell-outputs"])
    wait_until(
        page,
        lambda: (lambda s: s and s["executed"] == 0)(page.evaluate(JS_CELL_STATE, path)),
        timeout=30,
        what=f"outputs of {path} to clear",
    )
    page.evaluate(JS_RUN_COMMAND, [path, "notebook:run-all-cells"])
    started = time.monotonic()
    tick = lambda: dismiss_kernel_dialog(page)  # noqa: E731
    idle_since = [None]

    last_drawn = [None]
    if drawn is not None:
        quiet = max(quiet, DRAWN_QUIET)

    def finished():
        state = page.evaluate(JS_CELL_STATE, path)
        settled = state and state["running"] == 0 and state["kernel"] == "idle"
        # Run All stops at a cell that raises: then the error, not a timeout, is the news.
        done = settled and (state["executed"] == state["toRun"] or state["errors"])
        if done and drawn is not None:
            now = page.evaluate(JS_DRAWN, drawn)
            if now != last_drawn[0] or json.loads(now)["pending"]:
                last_drawn[0], done = now, False
        if not done:
            idle_since[0] = None
            return None
        if idle_since[0] is None:
            idle_since[0] = time.monotonic()
        if time.monotonic() - idle_since[0] < quiet:
            return None
        if drawn is not None:
            state["drawn"] = json.loads(last_drawn[0])
        return state

    state = wait_until(page, finished, timeout=timeout, what=f"every cell of {path} to run", on_tick=tick)
    state["seconds"] = round(time.monotonic() - started, 1)
    return state


def page_widget_errors(scope) -> list[str]:
    """Texts shown in place of something that failed to render: a widget, or a figure.

    ``<Figure size 640x480 with 1 Axes>`` is what Jupyter prints for a figure it could not draw
    (for instance without the inline backend's image formatter) — the learner sees no picture.
    """
    text = scope.inner_text(timeout=10_000)
    bad = ("Error displaying widget", "Error rendering", "Failed to load model class",
           "Traceback (most recent call last)")
    found = [b for b in bad if b in text]
    found += sorted(set(re.findall(r"<Figure size [\d.]+x[\d.]+ with \d+ Axes>", text)))
    return found


def shutdown_kernels(base_url: str, token: str) -> None:
    """Stop every kernel of a test server through its REST API (frees the two cores)."""
    headers = {"Authorization": f"token {token}"}
    try:
        req = urllib.request.Request(f"{base_url}/api/kernels", headers=headers)
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 (loopback)
            kernels = json.load(resp)
        for kernel in kernels:
            req = urllib.request.Request(f"{base_url}/api/kernels/{kernel['id']}", headers=headers,
                                         method="DELETE")
            with contextlib.suppress(urllib.error.URLError, OSError):
                urllib.request.urlopen(req, timeout=10).close()  # noqa: S310
    except (urllib.error.URLError, OSError, ValueError):
        pass


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


# --------------------------------------------------------------------------- the Explorer's browser view

JS_EXPLORER_STATE = """(root) => {
  const svg = root.querySelector('svg.convlab-figure');
  const caption = root.querySelector('.convlab-caption');
  const checked = root.querySelector('.convlab-phase input:checked');
  const area = root.closest('.jp-OutputArea-output') || root.closest('.jp-OutputArea') || root.parentElement;
  const box = svg ? svg.getBoundingClientRect() : null;
  const areaBox = area.getBoundingClientRect();
  const viewBox = svg && svg.viewBox && svg.viewBox.baseVal ? svg.viewBox.baseVal.width : 0;
  const scale = box && viewBox ? box.width / viewBox : 0;
  const sizes = svg ? Array.from(svg.querySelectorAll('text.convlab-number'))
      .filter(t => t.textContent.trim()).map(t => Number(t.getAttribute('font-size')) * scale) : [];
  return {
    caption: caption ? caption.textContent : '',
    first_line: caption ? caption.textContent.split('\\n')[0] : '',
    phase: checked ? checked.value : null,
    svg_width: box ? box.width : 0, svg_left: box ? box.left : 0, svg_right: box ? box.right : 0,
    area_width: areaBox.width, area_left: areaBox.left, area_right: areaBox.right,
    area_scroll: area.scrollWidth, area_client: area.clientWidth,
    root_scroll: root.scrollWidth, root_client: root.clientWidth,
    page_width: window.innerWidth, doc_scroll: document.documentElement.scrollWidth,
    smallest_number_px: sizes.length ? Math.min(...sizes) : null,
    has_title: !!(svg && svg.querySelector('title') && svg.querySelector('title').textContent.trim()),
    has_desc: !!(svg && svg.querySelector('desc') && svg.querySelector('desc').textContent.trim()),
    live: caption ? caption.getAttribute('aria-live') : null,
  };
}"""

# Record every caption's first line the moment it changes (Play steps faster than a poll would see).
JS_RECORD_CAPTIONS = """(root) => {
  const caption = root.querySelector('.convlab-caption');
  window.__convlabCaptions = [caption.textContent.split('\\n')[0]];
  new MutationObserver(() => window.__convlabCaptions.push(caption.textContent.split('\\n')[0]))
    .observe(caption, {childList: true, characterData: true, subtree: true});
}"""


def explorer_state(root) -> dict:
    return root.evaluate(JS_EXPLORER_STATE)


@contextlib.contextmanager
def explorer_in_lab(chromium, lab_server, rel: str, *, viewport: dict, name: str, file_browser: bool = True):
    """A notebook that shows an Explorer, opened and run in JupyterLab in a page of its own: ``(page, root)``.

    ``name`` names the workspace and the console artefact; ``file_browser=False`` closes the file browser
    before the run, as a learner with more room. The kernel is stopped and the page closed afterwards.
    """
    base, token = lab_server["base"], lab_server["token"]
    with page_of_its_own(chromium, f"{name}.console.txt") as page:
        page.set_viewport_size(viewport)
        try:
            panel = open_notebook(page, f"{base}/lab/workspaces/{name}-{int(time.time())}/tree/{rel}?reset&token={token}",
                                  rel)
            if not file_browser:
                page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
            state = run_all_cells(page, rel)
            assert not state["errors"], f"{rel}: cells raised errors: {state['errors']}"
            yield page, wait_explorer(page, panel)
        finally:
            shutdown_kernels(base, token)


def wait_explorer(page, scope, *, timeout: float = 120, what: str = "the Explorer to draw"):
    """The first Explorer view in ``scope`` once its figure is drawn and its caption written."""
    root = scope.locator(".convlab-explorer").first

    def drawn():
        return root.count() and root.locator("svg.convlab-figure text").count() > 0 and \
            explorer_state(root)["first_line"].startswith("Window ")

    wait_until(page, drawn, timeout=timeout, what=what)
    return root


def overflow_report(state: dict) -> list[str]:
    """What sticks out sideways (1 px of rounding allowed)."""
    problems = []
    if state["area_scroll"] > state["area_client"] + 1:
        problems.append(f"output area scrolls: {state['area_scroll']} > {state['area_client']} px")
    if state["root_scroll"] > state["root_client"] + 1:
        problems.append(f"Explorer scrolls: {state['root_scroll']} > {state['root_client']} px")
    if state["svg_right"] > state["area_right"] + 1:
        problems.append(f"figure ends at {state['svg_right']:.0f} px, its output area at {state['area_right']:.0f}")
    if state["doc_scroll"] > state["page_width"] + 1:
        problems.append(f"the page scrolls sideways: {state['doc_scroll']} > {state['page_width']} px")
    return problems


# --------------------------------------------------------------------------- Voilà and live regions

# A Voilà page is done once its cells are shown and its "loading" message is gone.
JS_VOILA_DONE = """() => {
  const cells = document.querySelector('#rendered_cells');
  const loading = document.querySelector('#loading');
  const shown = (el) => !!el && getComputedStyle(el).display !== 'none' && !el.hidden;
  return shown(cells) && !shown(loading);
}"""

# What every live region of the page says now (captions, a quiz's verdict).
JS_LIVE_TEXTS = """() => Array.from(document.querySelectorAll('[aria-live]')).map(e => e.textContent.trim())"""


def live_text(page, prefix: str) -> str | None:
    """The first live region's text that starts with ``prefix``, or None."""
    return next((t for t in page.evaluate(JS_LIVE_TEXTS) if t.startswith(prefix)), None)


# --------------------------------------------------------------------------- the keyboard alone

PHASES = ["place", "multiply", "sum", "slide", "collect"]

JS_FOCUS_RING = """() => { const el = document.activeElement;
  const style = getComputedStyle(el);
  return {visible: el.matches(':focus-visible'), outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth)}; }"""

# The notebook's active cell (JupyterLab, Notebook 7), or null where there is none (Voilà).
JS_ACTIVE_CELL = """() => { const app = window.jupyterapp;
  const w = app && app.shell && app.shell.currentWidget;
  return w && w.content && 'activeCellIndex' in w.content ? w.content.activeCellIndex : null; }"""


def focus_inside(page, selector: str) -> bool:
    """True while the focused element is inside an element matching ``selector``."""
    return page.evaluate("(sel) => !!(document.activeElement && document.activeElement.closest(sel))", selector)


def active_cell(page):
    return page.evaluate(JS_ACTIVE_CELL)


def tab_to(page, predicate_js: str, what: str, *, limit: int = 40, key: str = "Tab",
           describe: str = JS_FOCUS_RING) -> dict:
    """Press ``key`` until the focused element matches ``predicate_js``; it must show a visible focus ring.

    Returns ``describe`` (a JS function of no arguments) evaluated on the page then.
    """
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!el && ({predicate_js}); }}"):
            focus = page.evaluate(JS_FOCUS_RING)
            assert focus["visible"] and focus["outline"] != "none" and focus["width"] >= 2, \
                f"{what}: focus is not visible ({focus})"
            return page.evaluate(describe)
    pytest.fail(f"{limit} presses of {key} never reached {what}", pytrace=False)


def walk_one_window_by_keyboard(page, root, *, shot_prefix: str, reach_stride=None) -> list[str]:
    """The keyboard alone: stride 2 on the stride slider, window 1's five phases, then window 2.

    ``reach_stride()`` puts the focus on the stride slider (default: Tab from the page's body). After
    every key the focus must still be inside the Explorer and, in a notebook, the same cell must be
    active: the host's shortcuts did not take the key. Returns the phases seen, in order.
    """
    def key(name: str) -> None:
        cell = active_cell(page)
        page.keyboard.press(name)
        assert focus_inside(page, ".convlab-explorer"), f"{name} moved the focus out of the Explorer"
        assert active_cell(page) == cell, f"{name} made cell {active_cell(page)} active instead of cell {cell}"

    if reach_stride is None:
        page.locator("body").focus()
        tab_to(page, "el.matches('.convlab-stride input[type=range]')", "the stride slider")
    else:
        reach_stride()
    key("ArrowRight")
    wait_until(page, lambda: "/2⌋" in explorer_state(root)["caption"], timeout=30,
               what="the caption to show stride 2 after ArrowRight")
    assert explorer_state(root)["first_line"].startswith("Window 1 of 4")
    page.screenshot(path=str(artifact_path(f"{shot_prefix}-keyboard-stride.png")))

    tab_to(page, "el.matches('.convlab-phase input[type=radio]')", "the phase choice")
    for _ in range(len(PHASES)):  # back to the first phase with ArrowLeft (a radio group's own keys)
        if explorer_state(root)["phase"] == "place":
            break
        key("ArrowLeft")
    seen = [explorer_state(root)["phase"]]
    for _ in range(4):  # then one phase per key press: multiply, sum, slide, collect
        key("ArrowRight")
        state = explorer_state(root)
        seen.append(state["phase"])
        assert state["first_line"].startswith(f"Window 1 of 4 · {state['phase']}"), state["first_line"]
    assert seen[-5:] == PHASES, seen
    page.screenshot(path=str(artifact_path(f"{shot_prefix}-keyboard-phases.png")))

    tab_to(page, "el.matches('input.convlab-window')", "the window slider", key="Shift+Tab")
    key("ArrowRight")
    state = explorer_state(root)
    assert state["first_line"].startswith("Window 2 of 4"), state["first_line"]
    return seen


# --------------------------------------------------------------------------- lesson 06, shared checks

LESSON_06 = "notebooks/06_why_convolution_matters.ipynb"
LESSON_SLIDER = ".convlab-control-slider input[type=range]"


def check_lesson_slider_keys(page, scope, *, front_end: str) -> None:
    """Lesson 06's training-step slider (``convlab.widgets.controls.Slider``) takes its keys in ``front_end``.

    End, then back one (ArrowLeft) and forward one (ArrowUp), as a learner stepping through training;
    after every key the caption says the new step, the slider holds it, the focus is still on the slider
    and (in a notebook) the same cell is active: the host's shortcuts did not take the key.
    """
    slider = scope.locator(LESSON_SLIDER).first
    wait_until(page, lambda: slider.count() and live_text(page, "step "), timeout=60,
               what="lesson 06's training-step slider and its caption")
    slider.scroll_into_view_if_needed()
    slider.evaluate("el => el.setAttribute('data-convlab-test-slider', '')")
    slider.focus()
    top = int(slider.get_attribute("max"))
    cell = active_cell(page)
    for key, expected in (("End", top), ("ArrowLeft", top - 1), ("ArrowUp", top)):
        page.keyboard.press(key)
        wait_until(page, lambda: live_text(page, f"step {expected} of {top}"), timeout=30,
                   what=f"{front_end}: the caption to say step {expected} after {key}")
        assert int(slider.input_value()) == expected, (key, slider.input_value())
        assert page.evaluate("() => document.activeElement.hasAttribute('data-convlab-test-slider')"), \
            f"{front_end}: {key} moved the focus off the slider"
        assert active_cell(page) == cell, \
            f"{front_end}: {key} made cell {active_cell(page)} active instead of cell {cell}"
    page.screenshot(path=str(artifact_path(f"keys-{front_end}-lesson06.png")))


JS_TOGGLE_PRESENTATION = "() => window.jupyterapp.commands.execute('application:toggle-presentation-mode')"
JS_IN_PRESENTATION = "() => window.jupyterapp.shell.presentationMode"


def in_presentation_mode(page, measure, *, what: str) -> tuple:
    """``measure()`` before and after switching JupyterLab's Presentation Mode on (the layout settled)."""
    assert not page.evaluate(JS_IN_PRESENTATION), "Presentation Mode is already on"
    page.wait_for_timeout(1000)
    before = measure()
    page.evaluate(JS_TOGGLE_PRESENTATION)
    wait_until(page, lambda: page.evaluate(JS_IN_PRESENTATION), timeout=10, what="Presentation Mode")
    wait_until(page, lambda: measure() != before, timeout=15, what=f"{what} to change size")
    page.wait_for_timeout(1000)
    return before, measure()


def leave_presentation_mode(page) -> None:
    if page.evaluate(JS_IN_PRESENTATION):
        page.evaluate(JS_TOGGLE_PRESENTATION)
        wait_until(page, lambda: not page.evaluate(JS_IN_PRESENTATION), timeout=10,
                   what="Presentation Mode to end")


# --------------------------------------------------------------------------- accessibility (axe-core)

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")

# How much is drawn: once this stops changing, widgets and figures have finished rendering.
JS_DRAWN = """(selector) => {
  const roots = Array.from(document.querySelectorAll(selector));
  let nodes = 0, imgs = 0, svgs = 0, widgets = 0, pending = 0;
  for (const r of roots) {
    nodes += r.querySelectorAll('*').length;
    imgs += r.querySelectorAll('img').length;
    svgs += r.querySelectorAll('svg').length;
    widgets += r.querySelectorAll('.jupyter-widgets, .convlab-explorer').length;
    pending += r.querySelectorAll('.jupyter-widgets-loading, .widget-loading').length;
  }
  return JSON.stringify({roots: roots.length, nodes, imgs, svgs, widgets, pending});
}"""

# Every <img> in the outputs, with what a screen reader gets for it.
JS_IMAGES = """(selector) => {
  const out = [];
  for (const root of document.querySelectorAll(selector)) {
    for (const img of root.querySelectorAll('img')) {
      const alt = img.getAttribute('alt');
      out.push({alt: alt, src: (img.getAttribute('src') || '').slice(0, 40),
                visible: !!(img.offsetWidth || img.offsetHeight || img.getClientRects().length),
                html: img.outerHTML.replace(/base64,[A-Za-z0-9+/=]+/, 'base64,...').slice(0, 300)});
    }
  }
  return out;
}"""


def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        skip_or_fail("axe-playwright-python is not installed (requirements-dev.txt)")
    return Axe()


def run_axe(page, include: str) -> list[dict]:
    """axe-core's WCAG 2 A/AA violations inside the elements matching ``include``, one record per node."""
    page.evaluate(axe().axe_script)
    results = page.evaluate(
        "([include, tags]) => axe.run({include: [include]}, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        [include, WCAG_TAGS],
    )
    found = []
    for rule in results["violations"]:
        for node in rule["nodes"]:
            found.append({
                "rule": rule["id"],
                "impact": node.get("impact") or rule["impact"],
                "help": rule["help"],
                "target": node["target"],
                "html": node["html"][:300],
                "summary": (node.get("failureSummary") or "")[:400],
            })
    return found


DRAWN_QUIET = 2.0  # seconds without a change in what is drawn: widgets and figures have finished


def wait_drawn(page, selector: str, *, timeout: float = 90, quiet: float = DRAWN_QUIET) -> dict:
    """Wait until what is drawn inside ``selector`` has not changed for ``quiet`` seconds."""
    last, since = None, time.monotonic()

    def settled():
        nonlocal last, since
        now = page.evaluate(JS_DRAWN, selector)
        if now != last:
            last, since = now, time.monotonic()
            return None
        state = json.loads(now)
        return state if state["pending"] == 0 and time.monotonic() - since >= quiet else None

    return wait_until(page, settled, timeout=timeout, what=f"the outputs in {selector} to finish drawing")


def images_without_alt(page, selector: str) -> list[dict]:
    return [img for img in page.evaluate(JS_IMAGES, selector) if not (img["alt"] or "").strip()]


def report(where: str, notebook, violations: list[dict], no_alt: list[dict], extra: dict) -> str:
    """Write every finding to test-artifacts/ and return the failure text (empty when nothing fails)."""
    name = f"a11y-{where}-{slug(notebook.stem)}"
    serious = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    by_rule: dict[str, int] = {}
    for v in serious:
        by_rule[v["rule"]] = by_rule.get(v["rule"], 0) + 1
    record = {"notebook": notebook.name, "where": where, "serious_or_critical": len(serious),
              "by_rule": by_rule, "images_without_alt": no_alt, "violations": violations, **extra}
    artifact_path(f"{name}.json").write_text(json.dumps(record, indent=2, ensure_ascii=False))
    lines = []
    if serious:
        lines.append(f"{notebook.name} in {where}: {len(serious)} serious/critical axe-core nodes {by_rule}")
        lines += [f"  {v['rule']} ({v['impact']}) {v['target']}: {v['html']}" for v in serious[:40]]
    if no_alt:
        lines.append(f"{notebook.name} in {where}: {len(no_alt)} <img> without alternative text")
        lines += [f"  {img['html']}" for img in no_alt[:20]]
    if lines:
        lines.append(f"(all findings: {artifact_path(name + '.json')})")
        print("\n".join(lines))
    return "\n".join(lines)
