"""Classroom load: N students arrive at a loopback JupyterHub within a time window.

Each simulated student does what a student does from the course page: opens the teacher's
nbgitpuller link, logs in (dummy authenticator), waits for their server to start (the hub's
spawn-pending page), lets nbgitpuller clone the course, opens JupyterLab, then runs lessons 00 and 02
cell by cell over each notebook's kernel websocket (the REST + websocket API JupyterLab itself uses),
keeping both kernels open. With ``--chromium`` the first student does all of it in a real headless
Chromium instead (the path tests/hub checks).

It prints, per run: spawn times (login to server ready) and finish times (arrival to both lessons
run), median and max; every error with the stage it happened in; memory per student from /proc
(RSS of the single-user server and of each kernel, and PSS, which counts shared pages once), once
every student is done or has failed.

The hub is the one tests/hub starts (``tests/hub/hubkit.py``): 127.0.0.1 only, free ports, traefik
proxy, simple local spawner, in a temporary folder that is removed afterwards. Bounded: at most
``--max-students`` students, everything stops after ``--time-limit`` seconds, and the hub stops
every server and kernel it started (leftovers are killed by pid).

With ``--pulse`` the hub also runs the class pulse service (docs/class_pulse.md), the students'
kernels get its address, and once every student is done each of them posts ``--pulse-answers``
answers with their own hub token at once while a teacher polls the counts: it prints the post and poll
latencies and the service's memory. ``--pulse-only`` does just that part (no servers are started; a
few seconds).

Examples::

    python benchmarks/classroom_load.py --students 20 --window 30
    python benchmarks/classroom_load.py --students 20 --pulse-only
    python benchmarks/classroom_load.py --students 20 --window 30 --http-timeout 120 --start-timeout 180
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import re
import shutil
import statistics
import struct
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LESSONS = ("notebooks/00_start_here.ipynb", "notebooks/02_the_five_steps.ipynb")
MAX_STUDENTS = 60
REQUEST_TIMEOUT = 60       # one HTTP request
CELL_TIMEOUT = 180         # one cell's execute_reply
POLL = 1.0                 # the spawn-pending page's own polling is about this fast


def load_hubkit():
    """tests/hub/hubkit.py: the hub-starting code the hub test uses too."""
    name = "convlab_hubkit"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "tests" / "hub" / "hubkit.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


class StudentError(Exception):
    def __init__(self, stage: str, message: str):
        super().__init__(f"{stage}: {message}")
        self.stage = stage
        self.message = message


def _remaining(deadline: float, stage: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise StudentError(stage, "the run's time limit was reached")
    return left


def _text_of(html: str, limit: int = 300) -> str:
    """The readable message of a hub error page (what the student reads; the reason, if the page
    leaves it out, is in the hub's log, which the report quotes)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
    match = re.search(r"((?:Spawn failed|\d{3} :).*?)(?: Would you like| You can try|$)", text)
    return (match.group(1) if match else text)[:limit]


def hub_log_reasons(log_text: str) -> list[tuple[int, str]]:
    """Why spawns failed, from the hub's log: (count, message) with names and ports folded."""
    counts: dict = {}
    pattern = (r"\] (.*(?:Unhandled error starting|failed to start|didn't respond|did not respond|"
               r"never showed up|"
               r"timed out|Timeout|Address already in use|died).*)")
    for line in re.findall(pattern, log_text):
        line = re.sub(r"student\d+", "studentNN", line)
        line = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", line)
        line = re.sub(r"\b\d+\.\d+ ?(?:s|seconds)\b", "N s", line)
        counts[line.strip()] = counts.get(line.strip(), 0) + 1
    return sorted(((n, m) for m, n in counts.items()), reverse=True)


# --------------------------------------------------------------------------- kernel websocket


def _decode(frame) -> dict:
    """A kernel message from the websocket: JSON text, or jupyter_server's binary framing."""
    if isinstance(frame, str):
        return json.loads(frame)
    nbufs = struct.unpack("!I", frame[:4])[0]
    offsets = struct.unpack("!" + "I" * nbufs, frame[4:4 + 4 * nbufs])
    end = offsets[1] if nbufs > 1 else len(frame)
    return json.loads(frame[offsets[0]:end])


def run_notebook_over_websocket(http, base: str, user: str, path: str, deadline: float) -> dict:
    """Start a session for ``path``, run its code cells in order; stop at the first error."""
    import websocket  # websocket-client

    api = f"{base}/user/{user}/api"
    # Only the cookies a browser would send to the user's server (the hub sets its own _xsrf too).
    mine = [c for c in http.cookies if f"/user/{user}/api/".startswith(c.path or "/")]
    xsrf = next((c.value for c in mine if c.name == "_xsrf"), "")
    headers = {"X-XSRFToken": xsrf}
    started = time.monotonic()
    resp = http.get(f"{api}/contents/{urllib.parse.quote(path)}", params={"content": "1"},
                    timeout=REQUEST_TIMEOUT)
    if resp.status_code != 200:
        raise StudentError(f"open {Path(path).name}", f"contents API HTTP {resp.status_code}")
    cells = [c for c in resp.json()["content"]["cells"]
             if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    resp = http.post(f"{api}/sessions", headers=headers, timeout=REQUEST_TIMEOUT,
                     json={"path": path, "name": Path(path).name, "type": "notebook",
                           "kernel": {"name": "python3"}})
    if resp.status_code not in (200, 201):
        raise StudentError(f"kernel {Path(path).name}", f"sessions API HTTP {resp.status_code}: "
                           f"{resp.text[:200]}")
    kernel_id = resp.json()["kernel"]["id"]
    session = uuid.uuid4().hex
    ws_url = base.replace("http://", "ws://") + f"/user/{user}/api/kernels/{kernel_id}/channels"
    cookie = "; ".join(f"{c.name}={c.value}" for c in mine)
    try:
        ws = websocket.create_connection(f"{ws_url}?session_id={session}", header=[f"Cookie: {cookie}"],
                                         timeout=min(REQUEST_TIMEOUT, _remaining(deadline, "kernel")))
    except (websocket.WebSocketException, OSError) as err:
        # The server answers the websocket only once the kernel replied to kernel_info.
        raise StudentError(f"kernel {Path(path).name}",
                           f"websocket not opened: {type(err).__name__}: {err}") from None
    errors = []
    try:
        for index, cell in enumerate(cells):
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "username": user, "session": session,
                           "msg_type": "execute_request", "version": "5.3",
                           "date": datetime.datetime.now(datetime.timezone.utc).isoformat()},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": "".join(cell["source"]), "silent": False,
                            "store_history": True, "user_expressions": {}, "allow_stdin": False,
                            "stop_on_error": True},
            }))
            cell_deadline = min(deadline, time.monotonic() + CELL_TIMEOUT)
            reply = None
            while reply is None:
                ws.settimeout(max(0.1, cell_deadline - time.monotonic()))
                try:
                    msg = _decode(ws.recv())
                except websocket.WebSocketTimeoutException:
                    raise StudentError(f"run {Path(path).name}",
                                       f"cell {index} gave no reply in time") from None
                kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
                if kind == "status" and msg.get("content", {}).get("execution_state") in (
                        "dead", "restarting"):
                    raise StudentError(f"run {Path(path).name}",
                                       f"kernel {msg['content']['execution_state']} at cell {index}")
                if msg.get("parent_header", {}).get("msg_id") == msg_id and kind == "execute_reply":
                    reply = msg["content"]
            if reply.get("status") != "ok":
                errors.append(f"cell {index}: {reply.get('ename')}: {reply.get('evalue')}")
                break
    finally:
        ws.close()
    if errors:
        raise StudentError(f"run {Path(path).name}", "; ".join(errors))
    return {"cells": len(cells), "seconds": round(time.monotonic() - started, 1), "kernel": kernel_id}


# --------------------------------------------------------------------------- one student


def simulated_student(user: str, base: str, link: str, repo_url: str, deadline: float,
                      record: dict) -> None:
    """Follow the link, log in, wait for the server, pull the course, run two lessons."""
    import requests

    http = requests.Session()
    arrived = time.monotonic()
    record["arrived"] = arrived
    # 1. the link, before logging in: the hub answers with its login form (?next= keeps the link)
    resp = http.get(link, timeout=REQUEST_TIMEOUT)
    match = re.search(r'name="_xsrf"\s+value="([^"]+)"', resp.text)
    if resp.status_code != 200 or "/hub/login" not in resp.url or not match:
        raise StudentError("login page", f"HTTP {resp.status_code} at {resp.url}")
    # 2. log in; the hub redirects to the spawn handler, which starts the server and waits up to
    #    slow_spawn_timeout (10 s) before sending the student to the spawn-pending page
    login_at = time.monotonic()
    resp = http.post(resp.url, data={"username": user, "password": "any", "_xsrf": match.group(1)},
                     timeout=REQUEST_TIMEOUT + 20)
    # 3. a throttled spawn (concurrent_spawn_limit) says "try again in N s": the student does
    while resp.status_code == 429:
        record["throttled"] = record.get("throttled", 0) + 1
        wait = float(resp.headers.get("Retry-After", 30))
        time.sleep(min(wait, _remaining(deadline, "spawn (throttled)")))
        resp = http.get(resp.url, timeout=REQUEST_TIMEOUT + 20)
    # 4. the spawn-pending page: poll it like its progress bar does until it sends us on
    if "/hub/spawn-pending/" in resp.url and resp.status_code == 200:
        pending = resp.url
        while True:
            time.sleep(POLL)
            _remaining(deadline, "spawn")
            resp = http.get(pending, allow_redirects=False, timeout=REQUEST_TIMEOUT)
            if resp.status_code in (301, 302, 303, 307):
                resp = http.get(urllib.parse.urljoin(pending, resp.headers["Location"]),
                                timeout=REQUEST_TIMEOUT)
                break
            if resp.status_code != 200:
                raise StudentError("spawn", f"HTTP {resp.status_code}: {_text_of(resp.text)}")
    if resp.status_code >= 400 or "/hub/" in urllib.parse.urlparse(resp.url).path:
        raise StudentError("spawn", f"HTTP {resp.status_code} at {resp.url}: {_text_of(resp.text)}")
    record["spawn_seconds"] = round(time.monotonic() - login_at, 1)
    # 5. now on the user's server: nbgitpuller's page, whose script streams the clone from its API
    if "/git-pull" not in resp.url:
        raise StudentError("git-pull page", f"landed on {resp.url}")
    hubkit = load_hubkit()
    params = {"repo": repo_url, "branch": "main", "targetpath": hubkit.CLONE_DIR}
    with http.get(f"{base}/user/{user}/git-pull/api", params=params, stream=True,
                  timeout=REQUEST_TIMEOUT) as stream:
        phase = None
        for line in stream.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                event = json.loads(line[5:])
                phase = event.get("phase")
                if phase == "error":
                    raise StudentError("git pull", event.get("message", "error"))
                if phase == "finished":
                    break
            _remaining(deadline, "git pull")
        if phase != "finished":
            raise StudentError("git pull", f"stream ended in phase {phase!r}")
    record["pulled_seconds"] = round(time.monotonic() - arrived, 1)
    # 6. JupyterLab (sets the _xsrf cookie the REST API wants), then the two lessons
    lab = http.get(f"{base}/user/{user}/lab/tree/{hubkit.CLONE_DIR}/{LESSONS[0]}",
                   timeout=REQUEST_TIMEOUT)
    if lab.status_code != 200:
        raise StudentError("open JupyterLab", f"HTTP {lab.status_code}")
    record["lessons"] = {}
    for lesson in LESSONS:
        result = run_notebook_over_websocket(http, base, user, f"{hubkit.CLONE_DIR}/{lesson}", deadline)
        record["lessons"][Path(lesson).stem] = result
    record["finish_seconds"] = round(time.monotonic() - arrived, 1)


def chromium_student(user: str, base: str, link: str, deadline: float, record: dict) -> None:
    """The same path in a real headless Chromium (as tests/hub drives it); run-all per lesson."""
    hubkit = load_hubkit()
    support = hubkit.load_support()
    browser = support.acquire_browser()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        arrived = time.monotonic()
        record["arrived"] = arrived
        page.goto(link, wait_until="domcontentloaded", timeout=60_000)
        page.locator("#username_input").wait_for(timeout=60_000)
        page.fill("#username_input", user)
        page.fill("#password_input", "any")
        login_at = time.monotonic()
        page.click("#login_submit")

        def retry_if_throttled():
            # concurrent_spawn_limit: the hub's page says "Try again in N seconds"; a student does.
            try:
                text = page.inner_text("body", timeout=2000)
            except Exception:  # noqa: BLE001 - the page is navigating
                return
            if "Spawn failed" in text:
                raise StudentError("spawn", _text_of(page.content()))
            match = re.search(r"Too many users.*?Try again in (\d+) (seconds|minutes)", text, re.S)
            if match:
                record["throttled"] = record.get("throttled", 0) + 1
                wait = int(match.group(1)) * (60 if match.group(2) == "minutes" else 1)
                page.wait_for_timeout(1000 * min(wait, _remaining(deadline, "spawn (throttled)")))
                page.reload(wait_until="domcontentloaded", timeout=60_000)

        support.wait_until(page, lambda: f"/user/{user}/lab" in page.url,
                           timeout=_remaining(deadline, "spawn"), on_tick=retry_if_throttled,
                           what="the hub to start the server, pull the course and open JupyterLab")
        record["spawn_seconds"] = round(time.monotonic() - login_at, 1)  # includes the pull
        record["lessons"] = {}
        for lesson in LESSONS:
            path = f"{hubkit.CLONE_DIR}/{lesson}"
            if lesson != LESSONS[0]:
                page.evaluate("(p) => { window.jupyterapp.commands.execute('docmanager:open', "
                              "{path: p}); return true; }", path)
            support.wait_notebook_ready(page, path, timeout=min(180, _remaining(deadline, "open")))
            state = support.run_all_cells(page, path, timeout=min(300, _remaining(deadline, "run")))
            if state["errors"]:
                raise StudentError(f"run {Path(lesson).name}", "; ".join(state["errors"]))
            record["lessons"][Path(lesson).stem] = {"cells": state["executed"],
                                                    "seconds": state["seconds"]}
        record["finish_seconds"] = round(time.monotonic() - arrived, 1)
    finally:
        context.close()
        support.release_browser()


def student_thread(kind, user, start_at, deadline, record, **kwargs):
    time.sleep(max(0.0, start_at - time.monotonic()))
    try:
        if kind == "chromium":
            chromium_student(user, deadline=deadline, record=record, **kwargs)
        else:
            simulated_student(user, deadline=deadline, record=record, **kwargs)
    except StudentError as err:
        record["error"] = {"stage": err.stage, "message": err.message}
    except BaseException as err:  # noqa: BLE001 - pytest.fail from _support is a BaseException
        if isinstance(err, KeyboardInterrupt):
            raise
        stage = "chromium" if kind == "chromium" else "unexpected"
        record["error"] = {"stage": stage, "message": f"{type(err).__name__}: {str(err)[:300]}"}
        record["traceback"] = traceback.format_exc(limit=4)


# --------------------------------------------------------------------------- memory from /proc


def _proc_memory(pid: str) -> tuple[int, int]:
    """(RSS, PSS) in bytes of one process, from /proc (PSS counts shared pages once)."""
    rss = pss = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


def memory_by_user(tmp: Path) -> tuple[dict, dict]:
    """Per user: server and kernel (RSS, PSS); plus the hub and traefik, found under ``tmp``."""
    users: dict = {}
    infra: dict = {}
    marker = str(tmp)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (proc / "environ").read_bytes().split(b"\0")
            mem = _proc_memory(proc.name)
        except OSError:
            continue
        env = dict(e.decode(errors="replace").split("=", 1) for e in environ if b"=" in e)
        user = env.get("JUPYTERHUB_USER")
        if user and marker in env.get("JUPYTER_RUNTIME_DIR", ""):
            entry = users.setdefault(user, {"server": [], "kernels": []})
            if "ipykernel" in cmdline:
                entry["kernels"].append(mem)
            elif "jupyterhub.singleuser" in cmdline or "jupyterhub-singleuser" in cmdline:
                entry["server"].append(mem)
        elif marker in cmdline:
            name = ("traefik" if "traefik" in cmdline.split()[0]
                    else "convlab-pulse" if "convlab.pulse" in cmdline else "hub")
            infra.setdefault(name, []).append(mem)
    return users, infra


# --------------------------------------------------------------------------- the class pulse


def pulse_phase(hubkit, base: str, setup, users: list[str], teacher: str, answers: int, marker: str) -> dict:
    """Every student posts ``answers`` answers at once with their own token (as their kernels would);
    a teacher polls the counts meanwhile. Latencies in ms, the service's memory before and after."""
    from convlab.pulse.records import answer_record

    url = f"{base}/services/{hubkit.PULSE_SERVICE}/"
    tokens = {u: hubkit.user_token(base, setup.admin_token, u) for u in users}
    teacher_token = hubkit.user_token(base, setup.admin_token, teacher,
                                      scopes=[f"access:services!service={hubkit.PULSE_SERVICE}"])

    def timed(request_):
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(request_, timeout=REQUEST_TIMEOUT) as resp:  # noqa: S310
                resp.read()
                status = resp.status
        except urllib.error.HTTPError as err:
            status = err.code
        return status, (time.perf_counter() - t) * 1000

    def service_memory():
        return [_proc_memory(str(pid)) for pid in hubkit.pulse_service_pids(marker)]

    # wait until the hub has started the service
    deadline = time.monotonic() + 60
    while timed(urllib.request.Request(url + "api/health"))[0] != 200:
        if time.monotonic() > deadline:
            raise RuntimeError("the class pulse service did not answer within 60 s")
        time.sleep(0.5)
    before = service_memory()
    posts: list = []
    polls: list = []
    done = threading.Event()

    def student(user):
        for i in range(answers):
            record = answer_record(f"{1 + i % 7:02d}.{1 + i % 3}", correct=i % 3 == 2,
                                   category="" if i % 3 == 2 else ["forgot-padding", "wrong-sign"][i % 2],
                                   answer=str(i), try_number=1 + i % 3, at=time.time())
            posts.append(timed(urllib.request.Request(url + "api/answers", data=json.dumps(record).encode(),
                                                      method="POST", headers={
                                                          "Authorization": f"token {tokens[user]}",
                                                          "Content-Type": "application/json"})))

    def teacher_polls():
        while not done.is_set():
            polls.append(timed(urllib.request.Request(url + "api/summary?names=1", headers={
                "Authorization": f"token {teacher_token}"})))
            time.sleep(0.5)

    poller = threading.Thread(target=teacher_polls, daemon=True)
    poller.start()
    t0 = time.monotonic()
    threads = [threading.Thread(target=student, args=(u,), daemon=True) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT * answers)
    wall = time.monotonic() - t0
    done.set()
    poller.join(REQUEST_TIMEOUT)
    polls.append(timed(urllib.request.Request(url + "api/summary?names=1", headers={
        "Authorization": f"token {teacher_token}"})))
    return {"posts": posts, "polls": polls, "wall": wall, "memory_before": before,
            "memory_after": service_memory()}


def _ms(values) -> str:
    values = sorted(values)
    if not values:
        return "n/a"
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return (f"median {statistics.median(values):.0f} ms, p95 {p95:.0f} ms, max {values[-1]:.0f} ms "
            f"(n={len(values)})")


def print_pulse(result: dict, students: int, answers: int) -> None:
    posts, polls = result["posts"], result["polls"]
    statuses: dict = {}
    for status, _ in posts:
        statuses[status] = statuses.get(status, 0) + 1
    print(f"\nclass pulse: {students} students posted {answers} answers each at once "
          f"({len(posts)} posts in {result['wall']:.1f} s; HTTP statuses {dict(sorted(statuses.items()))})")
    print(f"  post latency (through the proxy; the hub checks each token once, then the service caches it): {_ms([ms for _, ms in posts])}")
    print(f"  teacher's poll latency (api/summary?names=1, every 0.5 s meanwhile): {_ms([ms for _, ms in polls])}")
    for label in ("memory_before", "memory_after"):
        mems = result[label]
        print(f"  service {label.split('_')[1]} the load: RSS {sum(m[0] for m in mems) / 2**20:.0f} MB, "
              f"PSS {sum(m[1] for m in mems) / 2**20:.0f} MB ({len(mems)} process)")


# --------------------------------------------------------------------------- the run


def _stats(values) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    return f"median {statistics.median(values):.1f}, max {max(values):.1f} (n={len(values)})"


def _mb(values) -> str:
    values = [v / 2**20 for v in values]
    if not values:
        return "n/a"
    return f"median {statistics.median(values):.0f} MB, max {max(values):.0f} MB (n={len(values)})"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=20, help="how many students (default 20)")
    parser.add_argument("--window", type=float, default=30.0,
                        help="arrival window in seconds, arrivals spread evenly over it (default 30)")
    parser.add_argument("--http-timeout", type=float, default=None,
                        help="c.Spawner.http_timeout (JupyterHub default 30)")
    parser.add_argument("--start-timeout", type=float, default=None,
                        help="c.Spawner.start_timeout (JupyterHub default 60)")
    parser.add_argument("--concurrent-spawn-limit", type=int, default=None,
                        help="c.JupyterHub.concurrent_spawn_limit (JupyterHub default 100)")
    parser.add_argument("--mem-limit", default=None,
                        help="c.Spawner.mem_limit, e.g. 1G (not enforced by the local spawner)")
    parser.add_argument("--kernel-transport", choices=("tcp", "ipc"), default=None,
                        help="the users' c.KernelManager.transport (default tcp: five loopback "
                             "ports per kernel; ipc: Unix sockets, no port to collide)")
    parser.add_argument("--config", type=Path, default=None,
                        help="jupyterhub_config.py lines to add last (a .md file: its first python "
                             "block, e.g. docs/hub_settings.md)")
    parser.add_argument("--chromium", action="store_true",
                        help="the first student uses a real headless Chromium")
    parser.add_argument("--time-limit", type=float, default=900.0,
                        help="the whole run stops after this many seconds (default 900)")
    parser.add_argument("--pulse", action="store_true",
                        help="run the class pulse service too, and load it once the students are done")
    parser.add_argument("--pulse-only", action="store_true",
                        help="start no servers: only the class pulse load (implies --pulse)")
    parser.add_argument("--pulse-answers", type=int, default=15,
                        help="answers each student posts at once in the pulse load (default 15, at most 20: "
                             "the service's burst limit)")
    parser.add_argument("--max-students", type=int, default=MAX_STUDENTS, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, default=None, help="also write every record here")
    parser.add_argument("--hub-log", type=Path, default=None, help="keep the hub's log here")
    args = parser.parse_args(argv)
    if not 1 <= args.students <= args.max_students:
        parser.error(f"--students must be between 1 and {args.max_students}; got {args.students}")
    if not 0 <= args.window <= 600:
        parser.error(f"--window must be between 0 and 600 seconds; got {args.window}")
    if not 60 <= args.time_limit <= 3600:
        parser.error(f"--time-limit must be between 60 and 3600 seconds; got {args.time_limit}")
    if not 1 <= args.pulse_answers <= 20:
        parser.error(f"--pulse-answers must be between 1 and 20; got {args.pulse_answers}")
    args.pulse = args.pulse or args.pulse_only
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    hubkit = load_hubkit()
    missing = hubkit.missing_requirements()
    if missing:
        print("cannot start the hub: " + "; ".join(missing), file=sys.stderr)
        return 2
    extra = ""
    if args.config is not None:
        extra = args.config.read_text()
        if args.config.suffix == ".md":
            blocks = re.findall(r"```python\n(.*?)```", extra, re.S)
            if not blocks:
                print(f"no ```python block in {args.config}", file=sys.stderr)
                return 2
            extra = blocks[0]
    settings = hubkit.HubSettings(http_timeout=args.http_timeout, start_timeout=args.start_timeout,
                                  concurrent_spawn_limit=args.concurrent_spawn_limit,
                                  mem_limit=args.mem_limit, kernel_transport=args.kernel_transport,
                                  extra_config=extra)
    users = [f"student{i + 1:02d}" for i in range(args.students)]
    tmp = Path(tempfile.mkdtemp(prefix="convlab-classroom-"))
    pulse = pulse_result = None
    if args.pulse:
        pulse = hubkit.pulse_setup(tmp / "hub", teachers=["teacher"])
        settings.extra_config += "\n" + pulse.hub_config()
    t_begin = time.monotonic()
    deadline = t_begin + args.time_limit
    print(f"classroom load: {args.students} students within {args.window:g} s; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    shown = {k: v for k, v in vars(settings).items() if v is not None}
    shown.pop("extra_config", None)
    print(f"hub settings: {shown or 'JupyterHub defaults'} "
          "(defaults: http_timeout 30, start_timeout 60, concurrent_spawn_limit 100)"
          + (f", then {args.config}" if args.config else ""))
    hub = None
    records = {user: {"user": user} for user in users}
    try:
        course = hubkit.make_course_repo(tmp / "course")
        hub = hubkit.start_hub(tmp / "hub", users=users + (["teacher"] if pulse else []), settings=settings,
                               log_path=tmp / "jupyterhub.log")
        link = hubkit.nbgitpuller_link(hub.base, course["url"])
        print(f"hub up at {hub.base} after {time.monotonic() - t_begin:.1f} s (traefik proxy, loopback)")
        t0 = time.monotonic()
        threads = []
        for i, user in enumerate([] if args.pulse_only else users):
            kind = "chromium" if args.chromium and i == 0 else "simulated"
            records[user]["kind"] = kind
            start_at = t0 + (args.window * i / args.students if args.students > 1 else 0)
            kwargs = {"base": hub.base, "link": link}
            if kind == "simulated":
                kwargs["repo_url"] = course["url"]
            thread = threading.Thread(target=student_thread, daemon=True,
                                      args=(kind, user, start_at, deadline, records[user]),
                                      kwargs=kwargs)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        still = [u for u, t in zip(users, threads) if t.is_alive()]
        for user in still:
            records[user].setdefault("error", {"stage": "time limit", "message": "still running"})
        # Everyone is done (or failed): both lessons' kernels are still open. Measure now.
        mem_users, mem_infra = memory_by_user(tmp)
        wall = time.monotonic() - t0
        if pulse:
            pulse_result = pulse_phase(hubkit, hub.base, pulse, users, "teacher", args.pulse_answers,
                                       str(tmp) + os.sep)
    except hubkit.HubError as err:
        print(f"the hub did not start: {err}", file=sys.stderr)
        return 2
    finally:
        if hub is not None:
            leftovers = hub.stop(timeout=60)
            if leftovers:
                print(f"killed leftover processes {leftovers}")
        log_path = tmp / "jupyterhub.log"
        log_text = log_path.read_text(errors="replace") if log_path.exists() else ""
        if args.hub_log and log_text:
            args.hub_log.write_text(log_text)

    # ----------------------------------------------------------------------- report
    if args.pulse_only:
        print_pulse(pulse_result, len(users), args.pulse_answers)
        for name, mems in sorted(mem_infra.items()):
            print(f"  {name}: RSS {sum(m[0] for m in mems) / 2**20:.0f} MB")
        shutil.rmtree(tmp, ignore_errors=True)
        return 0 if all(status == 201 for status, _ in pulse_result["posts"]) else 1
    ok = [r for r in records.values() if "error" not in r and "finish_seconds" in r]
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (the CPUs are shared with other work)")
    print(f"\nfinished: {len(ok)}/{len(users)} students ran both lessons "
          f"(all arrived within {args.window:g} s; run took {wall:.0f} s)")
    spawns = [r.get("spawn_seconds") for r in records.values()]
    print(f"spawn  (login -> server ready), s: {_stats(spawns)}")
    print(f"pulled (arrival -> course cloned), s: "
          f"{_stats([r.get('pulled_seconds') for r in records.values()])}")
    for stem in (Path(lesson).stem for lesson in LESSONS):
        print(f"lesson {stem}, s to run every cell: "
              f"{_stats([r.get('lessons', {}).get(stem, {}).get('seconds') for r in records.values()])}")
    print(f"finish (arrival -> both lessons run), s: {_stats([r.get('finish_seconds') for r in ok])}")
    throttled = sum(r.get("throttled", 0) for r in records.values())
    if throttled:
        print(f"throttled by concurrent_spawn_limit (429, student waited Retry-After): "
              f"{throttled} times")
    errors = [r for r in records.values() if "error" in r]
    print(f"errors: {len(errors)}")
    groups: dict = {}
    for r in errors:
        groups.setdefault((r["error"]["stage"], r["error"]["message"]), []).append(
            r["user"] + (" (chromium)" if r.get("kind") == "chromium" else ""))
    for (stage, message), who in groups.items():
        print(f"  {len(who)}x {stage}: {message} [{', '.join(who)}]")
    for count, reason in hub_log_reasons(log_text)[:8]:
        print(f"  hub log ({count}x): {reason[:220]}")
    collisions = re.findall(r"ZMQError: Address already in use \(addr='([^']+)'", log_text)
    if collisions:
        print(f"  kernel port collisions: {len(collisions)} ZMQError 'Address already in use' in the "
              f"servers' logs, on {len(set(collisions))} port(s)")
    kernels = [m for u in mem_users.values() for m in u["kernels"]]
    servers = [m for u in mem_users.values() for m in u["server"]]
    per_student = [sum(m[0] for m in u["server"] + u["kernels"]) for u in mem_users.values()]
    per_student_pss = [sum(m[1] for m in u["server"] + u["kernels"]) for u in mem_users.values()]
    print(f"memory, measured with every finished student's two lesson kernels open "
          f"({len(mem_users)} servers, {len(kernels)} kernels):")
    print(f"  kernel RSS:  {_mb([m[0] for m in kernels])}; PSS {_mb([m[1] for m in kernels])}")
    print(f"  server RSS:  {_mb([m[0] for m in servers])}; PSS {_mb([m[1] for m in servers])}")
    print(f"  per student (server + kernels) RSS: {_mb(per_student)}; PSS {_mb(per_student_pss)}")
    for name, mems in sorted(mem_infra.items()):
        print(f"  {name}: RSS {sum(m[0] for m in mems) / 2**20:.0f} MB")
    if pulse_result is not None:
        print_pulse(pulse_result, len(users), args.pulse_answers)
    if args.json:
        for r in records.values():
            r.pop("arrived", None)
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                         "records": list(records.values())}, indent=1))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if len(ok) == len(users) else 1


if __name__ == "__main__":
    sys.exit(main())
