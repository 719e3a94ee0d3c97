"""The classroom path: a student follows the course's nbgitpuller link on a real JupyterHub.

The hub (dummy login, local-process spawner, JupyterHub's traefik proxy) runs on 127.0.0.1. The
student opens the link before logging in, exactly as from a course page: the hub asks them to log
in, starts their server, nbgitpuller clones the course repository into their home, and JupyterLab
opens ``notebooks/00_start_here.ipynb``, whose cells must then run without error.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

# Loaded by this folder's conftest.py, which pytest always imports before this module.
support = sys.modules["convlab_browser_support"]
hubkit = sys.modules["convlab_hubkit"]

pytestmark = [pytest.mark.hub, pytest.mark.browser]

CLONE_DIR = hubkit.CLONE_DIR
START = hubkit.START_NOTEBOOK
PULL_TIMEOUT = 240


def test_student_follows_nbgitpuller_link_and_start_notebook_runs(jupyterhub_server, course_repo,
                                                                  hub_chromium):
    in_head = subprocess.run(["git", "cat-file", "-e", f"{course_repo['head']}:{START}"],
                             cwd=support.REPO_ROOT, capture_output=True, timeout=60)
    if in_head.returncode != 0:
        # The hub clones what is committed, not the working tree.
        support.skip_or_fail(f"{START} is not committed at HEAD, so the course repository lacks it")
    base = jupyterhub_server["base"]
    link = hubkit.nbgitpuller_link(base, course_repo["url"])
    record = {"link": link.replace(base, "<hub>")}
    context = hub_chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    try:
        t0 = time.monotonic()
        page.goto(link, wait_until="domcontentloaded", timeout=60_000)
        # Not logged in yet: the hub shows its login form and keeps the link as ?next=.
        page.locator("#username_input").wait_for(timeout=60_000)
        page.screenshot(path=str(support.artifact_path("hub-login.png")))
        page.fill("#username_input", "student")
        page.fill("#password_input", "any-password")
        page.click("#login_submit")

        # Spawn, clone and redirect into JupyterLab; all bounded.
        support.wait_until(page, lambda: "/user/student/lab" in page.url, timeout=PULL_TIMEOUT,
                           what="the hub to start the server, pull the course and open JupyterLab")
        record["login_to_lab_seconds"] = round(time.monotonic() - t0, 1)
        panel = support.wait_notebook_ready(page, f"{CLONE_DIR}/{START}")
        record["open_seconds"] = round(time.monotonic() - t0, 1)

        clone = jupyterhub_server["home"] / "student" / CLONE_DIR
        assert (clone / START).is_file(), f"nbgitpuller did not clone the course into {clone}"
        cloned_head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, capture_output=True,
                                     text=True, timeout=60, check=True).stdout.strip()
        assert cloned_head == course_repo["head"], "the student got a different commit than published"

        state = support.run_all_cells(page, f"{CLONE_DIR}/{START}")
        record.update(code_cells=state["code"], executed=state["executed"], run_seconds=state["seconds"])
        page.screenshot(path=str(support.artifact_path("hub-start-notebook.png")))
        assert state["executed"] >= 1, "the start notebook ran no code cell"
        assert not state["errors"], f"errors in the start notebook on the hub: {state['errors']}"
        suspicious = [s for s in state["stderr"] if "Traceback" in s or "Error" in s]
        assert not suspicious, f"error text on stderr: {suspicious}"
        assert not support.page_widget_errors(panel)
    finally:
        support.artifact_path("hub.json").write_text(json.dumps(record, indent=2))
        support.artifact_path("hub.console.txt").write_text("\n".join(console))
        context.close()
