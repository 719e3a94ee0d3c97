"""The classroom benchmark's simulated student, on the same loopback hub as the browser test.

``benchmarks/classroom_load.py`` sends many of these students at once; here one of them proves the
path still works: log in through the hub's form, wait for the server, let nbgitpuller clone the
course, run lessons 00 and 02 cell by cell over the kernel websocket. Then every listening socket
of the hub, traefik, the user's server and its kernels must be on loopback.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import sys
import time

import pytest

support = sys.modules["convlab_browser_support"]
hubkit = sys.modules["convlab_hubkit"]

pytestmark = [pytest.mark.hub, pytest.mark.browser]

STUDENT = "student2"  # allowed by conftest.py's hub (SIMULATED_USER)
RUN_LIMIT = 600


def load_benchmark():
    name = "convlab_classroom_load"
    if name not in sys.modules:
        path = support.REPO_ROOT / "benchmarks" / "classroom_load.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_simulated_student_runs_lessons_00_and_02_over_the_kernel_websocket(jupyterhub_server,
                                                                           course_repo):
    bench = load_benchmark()
    base = jupyterhub_server["base"]
    record = {}
    bench.simulated_student(STUDENT, base=base, link=hubkit.nbgitpuller_link(base, course_repo["url"]),
                            repo_url=course_repo["url"], deadline=time.monotonic() + RUN_LIMIT,
                            record=record)
    clone = jupyterhub_server["home"] / STUDENT / hubkit.CLONE_DIR
    assert (clone / bench.LESSONS[1]).is_file(), f"nbgitpuller did not clone the course into {clone}"
    ran = record["lessons"]
    assert set(ran) == {"00_start_here", "02_the_five_steps"}
    # every non-empty code cell ran without error (simulated_student raises at the first error)
    assert ran["00_start_here"]["cells"] >= 1 and ran["02_the_five_steps"]["cells"] >= 10


def test_hub_proxy_servers_and_kernels_listen_only_on_loopback(jupyterhub_server):
    listeners = hubkit.listening_sockets(str(jupyterhub_server["tmp"]) + os.sep)
    programs = " ".join(entry["program"] for entry in listeners)
    assert "traefik" in programs, f"no traefik listener found among {listeners}"
    assert "jupyterhub" in programs
    exposed = [entry for entry in listeners if not ipaddress.ip_address(entry["address"]).is_loopback]
    assert not exposed, f"listening beyond loopback: {exposed}"
