"""Test-suite plumbing for the whole repository (tests, doctests, notebooks, README).

The suite runs on several processes with pytest-xdist (``-n auto --dist loadgroup`` in ``pyproject.toml``).
``loadgroup`` sends every test of one group to the same worker, in collection order; this hook puts
each test in a group, so that what must stay together does and what may run side by side does:

* a notebook's cells (nbval): one kernel runs them in order, so a notebook is one group;
* the hub tests: one JupyterHub (with its class pulse service) serves all of them, so they are one group;
* a browser test that takes a notebook: one group per file and notebook (a lesson opened in JupyterLab is
  run once and checked twice, ``tests/browser/test_lessons_in_jupyterlab.py``); every other browser test
  file is one group. A worker starts the servers (JupyterLab, Notebook 7, Voilà) and the Chromium its
  groups need, once, and keeps them for its next groups;
* every other test file is one group, so a module-scoped fixture (the lessons' exercises, the Binder
  Dockerfile) is built once, not once per worker.

The groups are handed out in collection order (``--no-loadscope-reorder``), and this hook collects the
browser and hub groups first: they are the long ones, mostly waiting on servers and a browser, so they
start at once and the short CPU-bound groups fill the gaps. The notebooks come next (each one group that
one kernel runs in order), the test files last: short groups are what is left at the end, so the
workers finish together rather than one waiting on the last lesson. For the same reason ``-n auto`` starts one
worker per core and one more (at least 2, at most 8); ``PYTEST_XDIST_AUTO_NUM_WORKERS`` or ``-n N``
choose otherwise.

Without ``-n`` (``pytest -n0``, or ``-p no:xdist``) the marks change nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HUB = "hub"
FIRST_FILES = {"test_lessons_in_jupyterlab.py": 0}  # server test files whose groups start before the others'


def _server_group(item, path: str) -> str:
    """The group of a browser or hub test (see the module doc)."""
    if item.get_closest_marker("hub"):
        return HUB
    callspec = getattr(item, "callspec", None)
    notebooks = [p for p in (callspec.params.values() if callspec else ()) if isinstance(p, Path)
                 and p.suffix == ".ipynb"]
    return f"{path}::{notebooks[0].stem}" if notebooks else path


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks and appends the group to the node id
def pytest_collection_modifyitems(config, items):
    root = Path(str(config.rootpath))
    servers, others = [], []
    for item in items:
        try:
            path = str(Path(str(item.path)).relative_to(root))
        except ValueError:
            path = str(item.path)
        uses_servers = bool(item.get_closest_marker("browser") or item.get_closest_marker("hub"))
        (servers if uses_servers else others).append(item)
        if item.get_closest_marker("xdist_group"):
            continue
        group = _server_group(item, path) if uses_servers else path
        item.add_marker(pytest.mark.xdist_group(group))
    # the longest groups first: the hub's, then the lessons run in JupyterLab, then the other server groups,
    # then everything else; a stable sort, so inside each part collection order stays (a notebook's cells)
    servers.sort(key=lambda it: (not it.get_closest_marker("hub"), FIRST_FILES.get(it.path.name, 1)))
    # then the notebooks (nbval: one kernel runs a notebook's cells in order, 10-35 s each on a busy
    # machine), so the short test files are what is left to fill the workers at the end, not a lesson
    others.sort(key=lambda it: it.path.suffix != ".ipynb")
    items[:] = servers + others


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")  # after pytest's own reordering
def pytest_collection_modifyitems_in_written_order(config, items):
    """Inside one group and one file of the browser tests, tests run in the order they are written.

    pytest reorders tests so that a class-scoped parametrized fixture is set up once per parameter; a
    test that asks for one parameter of it (``indirect=True``, lesson 06's own checks on the lesson's
    run in JupyterLab or Voilà) can land next to another parameter's tests. It belongs after the checks
    written above it, on the same run, which this restores. Groups keep their place in the list.
    """
    first_of_group: dict = {}
    keys = []
    for index, item in enumerate(items):
        if not (item.get_closest_marker("browser") or item.get_closest_marker("hub")):
            keys.append((index, 0, index))  # elsewhere pytest's order stands (module-scoped parameters)
            continue
        mark = item.get_closest_marker("xdist_group")
        where = (mark.args[0] if mark and mark.args else None, str(item.path))
        first = first_of_group.setdefault(where, index)
        line = item.reportinfo()[1] or 0
        keys.append((first, line, index))
    order = sorted(range(len(items)), key=keys.__getitem__)
    items[:] = [items[i] for i in order]


def pytest_configure(config):
    """``convlab.figures.setup()`` freezes what is alive in its process, once (``convlab._shared.memory``): in a
    lesson's kernel, the imports. Tests call ``setup()`` inside pytest's own processes, whose heap is the
    suite's, not a lesson's: there it counts as frozen already, and freezes nothing.
    ``tests/test_lessons.py`` checks the freeze in a fresh interpreter."""
    from convlab._shared import memory

    memory._FROZEN.append("pytest")


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker per core and one more, at least 2 and at most 8 (the browser tests wait on
    servers part of the time). Two per core was no faster on 2 cores (5 m 28 s either way: the suite is
    CPU-bound) and starved a Voilà kernel past its start-up timeout once."""
    env = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS")
    if env:
        return int(env)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(2, min(8, cores + 1))
