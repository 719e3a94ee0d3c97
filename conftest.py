"""Test-suite plumbing for the whole repository (tests, doctests, notebooks, README).

The suite runs on two processes with pytest-xdist (``-n auto --dist loadgroup`` in ``pyproject.toml``).
``loadgroup`` sends every test of one group to the same worker, in collection order; this hook puts
each test in a group, so that what must stay together does:

* a notebook's cells (nbval): one kernel runs them in order, so a notebook is one group;
* the browser and hub tests: they start JupyterLab, Voilà, JupyterHub and Chromium once per process and
  drive them one page at a time, so they are *one* group for all their files (one set of servers, never
  two at once on the shared machine);
* every other test file is one group, so a module-scoped fixture (the lessons' exercises, the Binder
  Dockerfile) is built once, not once per worker.

Without ``-n`` (``pytest -n0``, or ``-p no:xdist``) the marks change nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SERVERS = "browser-and-hub"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks and appends the group to the node id
def pytest_collection_modifyitems(config, items):
    root = Path(str(config.rootpath))
    for item in items:
        if item.get_closest_marker("xdist_group"):
            continue
        if item.get_closest_marker("browser") or item.get_closest_marker("hub"):
            group = SERVERS
        else:
            try:
                group = str(Path(str(item.path)).relative_to(root))
            except ValueError:
                group = str(item.path)
        item.add_marker(pytest.mark.xdist_group(group))
