"""Fixtures for the real-browser tests: one headless Chromium, and one JupyterLab, Notebook 7 and Voilà per session.

The tests run against Debian's Chromium (``/usr/bin/chromium``; set ``CONVLAB_CHROMIUM`` to use
another). With ``CI=true`` a missing browser or playwright is a failure, never a skip.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


def load_support():
    """Import ``_support.py`` beside this file, whatever pytest's import mode (loaded once)."""
    name = "convlab_browser_support"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("_support.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


support = load_support()


@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium, shared with tests/hub (one Playwright per process), for one test module.

    Module-scoped: Playwright's sync API runs an event loop in the main thread while it is started, and
    a worker that runs browser tests also runs other groups (``conftest.py`` at the top), some of which
    need no running loop (``asyncio.run``, a widget that draws at once outside a kernel). Closing the
    browser when a module is done gives them back a plain thread; a restart costs about a second.
    """
    browser = support.acquire_browser()
    try:
        yield browser
    finally:
        support.release_browser()


@pytest.fixture()
def page(chromium, request):
    """A fresh page per test, in the browser's shared context (``_support.shared_context``); console errors
    are kept as an artefact."""
    with support.page_of_its_own(chromium, f"{support.slug(request.node.name)}.console.txt") as pg:
        yield pg


def _jupyter_server(tmp_path_factory, command: str, app: str):
    """``jupyter <command>`` on 127.0.0.1, a free port and a random token, with throw-away settings."""
    support.import_playwright()  # no point starting a server we cannot drive
    support.require_chromium()
    tmp = tmp_path_factory.mktemp(command)
    port, token = support.free_port(), support.new_token()
    argv = support.jupyter_command(command, *support.lab_server_args(
        port=port, token=token, root_dir=support.REPO_ROOT, tmp=tmp, app=app))
    server = support.ServerProcess(f"jupyter {command}", argv, cwd=support.REPO_ROOT,
                                   env=support.isolated_jupyter_env(tmp),
                                   log_path=support.artifact_path(f"jupyter-{command}.log"))
    base = f"http://127.0.0.1:{port}"
    try:
        server.wait_http(f"{base}/api/status?token={token}")
        yield {"base": base, "token": token, "process": server}
    finally:
        server.stop()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """JupyterLab on 127.0.0.1, a free port and a random token, with throw-away settings/workspaces."""
    yield from _jupyter_server(tmp_path_factory, "lab", "LabApp")


@pytest.fixture(scope="session")
def notebook7_server(tmp_path_factory):
    """Jupyter Notebook 7 (``jupyter notebook``), set up as ``lab_server`` is."""
    try:
        import notebook  # noqa: F401 - the learner's requirements.txt installs it
    except ImportError:
        support.skip_or_fail("the python package notebook (Notebook 7) is not installed; "
                             "`pip install -r requirements.txt`")
    yield from _jupyter_server(tmp_path_factory, "notebook", "JupyterNotebookApp")


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory):
    """Standalone ``voila notebooks/explorer.ipynb`` on 127.0.0.1, a free port and a random token."""
    support.import_playwright()
    support.require_chromium()
    notebook = support.REPO_ROOT / "notebooks" / "explorer.ipynb"
    if not notebook.exists():
        support.skip_or_fail(f"{notebook} does not exist")
    tmp = tmp_path_factory.mktemp("voila")
    port, token = support.free_port(), support.new_token()
    argv = [
        sys.executable, "-m", "voila", "notebooks/explorer.ipynb",
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        f"--Voila.token={token}",
        "--show_tracebacks=True",
        "--VoilaExecutor.startup_timeout=240",  # a kernel may wait for CPU while other workers run
    ]
    server = support.ServerProcess("voila", argv, cwd=support.REPO_ROOT,
                                   env=support.isolated_jupyter_env(tmp),
                                   log_path=support.artifact_path("voila.log"))
    base = f"http://127.0.0.1:{port}"
    try:
        server.wait_http(f"{base}/api/status?token={token}")
        yield {"base": base, "token": token, "url": f"{base}/?token={token}", "process": server}
    finally:
        server.stop()
