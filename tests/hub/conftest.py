"""A real JupyterHub on loopback for the classroom path (dummy login, local-process spawner).

Needs the pip packages ``jupyterhub`` and ``nbgitpuller`` and the npm package
``configurable-http-proxy`` (on PATH, or in ``.ci/npm/node_modules/.bin`` where ``.ci/run`` puts
it). Outside CI a missing piece skips the test with how to get it; with ``CI=true`` it fails.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest


def load_support():
    """Import ``tests/browser/_support.py``, whatever pytest's import mode (loaded once)."""
    name = "convlab_browser_support"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "browser" / "_support.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


support = load_support()

HUB_USER = "student"
HUB_START_TIMEOUT = 120


def find_proxy() -> str | None:
    """configurable-http-proxy: on PATH, else where .ci/run installs it."""
    checkout = Path(__file__).resolve().parents[2]
    local = checkout / ".ci" / "npm" / "node_modules" / ".bin" / "configurable-http-proxy"
    return shutil.which("configurable-http-proxy") or (str(local) if local.exists() else None)


@pytest.fixture(scope="session")
def hub_chromium():
    """Headless Chromium, shared with tests/browser (one Playwright per process)."""
    browser = support.acquire_browser()
    try:
        yield browser
    finally:
        support.release_browser()


def _write_hub_config(tmp: Path, *, port: int, hub_port: int, api_port: int, proxy: str) -> Path:
    home = tmp / "home"
    user_config = tmp / "user-jupyter-config"
    settings = tmp / "user-lab-settings"
    support.write_lab_settings(settings)
    user_config.mkdir(parents=True)
    # The single-user servers read this (JUPYTER_CONFIG_DIR); the hub never does.
    lab_config = "\n".join([
        "c.LabApp.expose_app_in_browser = True",
        f"c.LabApp.user_settings_dir = {str(settings)!r}",
        f"c.LabApp.workspaces_dir = {str(tmp / 'user-workspaces')!r}",
        "c.LabApp.news_url = None",
        "c.LabApp.check_for_updates_class = 'jupyterlab.NeverCheckForUpdate'",
        "",
    ])
    (user_config / "jupyter_server_config.py").write_text(lab_config)
    (user_config / "jupyter_lab_config.py").write_text(lab_config)
    args = ["--allow-root"] if support.running_as_root() else []
    config = f"""
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {str(tmp / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{tmp / "jupyterhub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(tmp / "cookie_secret")!r}
c.JupyterHub.pid_file = {str(tmp / "hub.pid")!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {{{HUB_USER!r}}}

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(home / "{username}")!r}
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [{sys.executable!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.args = {args!r}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {{
    "JUPYTER_CONFIG_DIR": {str(user_config)!r},
    "JUPYTER_RUNTIME_DIR": {str(tmp / "user-runtime")!r},
    "IPYTHONDIR": {str(tmp / "user-ipython")!r},
}}
"""
    path = tmp / "jupyterhub_config.py"
    path.write_text(config)
    return path


def _kill_leftovers(marker: str) -> list[int]:
    """SIGKILL processes whose command line names our temp dir (user servers, kernels, proxy).

    The hub stops them itself on a clean shutdown (cleanup_servers/cleanup_proxy); this only
    catches what a crash left behind, by pid, never by name.
    """
    killed = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (proc / "environ").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline or marker in environ:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(proc.name), signal.SIGKILL)
                killed.append(int(proc.name))
    return killed


@pytest.fixture(scope="session")
def course_repo(tmp_path_factory):
    """A bare git repo holding this checkout's HEAD as ``main``: what a teacher would publish."""
    if not (support.REPO_ROOT / ".git").exists():
        support.skip_or_fail(f"{support.REPO_ROOT} is not a git checkout; nbgitpuller needs a repository")
    # Named like the GitHub URL (no .git suffix): nbgitpuller names the clone after the last part.
    bare = tmp_path_factory.mktemp("course") / "convlab"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True, timeout=60)
    subprocess.run(["git", "push", "--quiet", str(bare), "HEAD:refs/heads/main"], cwd=support.REPO_ROOT,
                   check=True, timeout=120, stdin=subprocess.DEVNULL)
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=bare, check=True, timeout=60)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=support.REPO_ROOT, check=True, timeout=60,
                          capture_output=True, text=True).stdout.strip()
    return {"path": bare, "url": bare.as_uri(), "head": head}


@pytest.fixture(scope="session")
def jupyterhub_server(tmp_path_factory):
    for module, pip_name in (("jupyterhub", "jupyterhub"), ("nbgitpuller", "nbgitpuller")):
        if importlib.util.find_spec(module) is None:
            support.skip_or_fail(f"the python package {pip_name} is not installed "
                                 "(`pip install -r requirements-dev.txt`)")
    proxy = find_proxy()
    if proxy is None:
        support.skip_or_fail(
            "configurable-http-proxy is not on PATH; `npm install --prefix .ci/npm "
            "configurable-http-proxy` (what .ci/run does) or put its bin folder on PATH")
    support.import_playwright()
    support.require_chromium()

    tmp = tmp_path_factory.mktemp("hub")
    port, hub_port, api_port = support.free_port(), support.free_port(), support.free_port()
    config = _write_hub_config(tmp, port=port, hub_port=hub_port, api_port=api_port, proxy=proxy)
    env = support.child_env()
    env["PATH"] = os.pathsep.join([str(Path(proxy).parent), env.get("PATH", "")])
    hub = support.ServerProcess(
        "jupyterhub", [sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=tmp, env=env,
        log_path=support.artifact_path("jupyterhub.log"))
    base = f"http://127.0.0.1:{port}"
    try:
        hub.wait_http(f"{base}/hub/health", timeout=HUB_START_TIMEOUT)
        yield {"base": base, "home": tmp / "home", "tmp": tmp, "process": hub}
    finally:
        hub.stop(timeout=40)
        leftovers = _kill_leftovers(str(tmp) + os.sep)
        if leftovers:
            print(f"hub teardown: killed leftover processes {leftovers}", file=sys.stderr)
