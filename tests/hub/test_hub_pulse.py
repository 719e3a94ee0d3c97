"""The class pulse on the loopback hub: students post through their kernels, the teacher watches.

The hub of conftest.py runs ``convlab-pulse`` as a managed service, set up as docs/class_pulse.md says.
Twenty students answer two lesson questions concurrently, each from a kernel-like Python process that
holds only that student's own hub token and the service's address (what a single-user server's kernel
gets); halfway through, the service is killed and the hub restarts it. Then: the counts are exactly
those of the answers given, a student's token reads nothing (403), hostile posts are refused, and the
teacher's page in Chromium shows the counts, passes axe-core, reveals names on request and resets.

The tests run in this file's order and share the class they build (module-scoped).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

support = sys.modules["convlab_browser_support"]
hubkit = sys.modules["convlab_hubkit"]

pytestmark = [pytest.mark.hub, pytest.mark.browser]

from .conftest import PULSE_FLOODER, PULSE_STUDENTS, PULSE_TEACHER, PULSE_VISITOR  # noqa: E402

from convlab.lessons import exercises  # noqa: E402

ROOT = support.REPO_ROOT

# Two questions with ids no lesson uses, so answers from the other hub tests' lessons cannot mix in.
QUESTIONS = {
    "90.1": (exercises.check_output_size, (7, 3), {"stride": 2, "padding": 1}),  # right: 4
    "90.2": (exercises.check_number, (12,), {"why": "3 × 4 = 12"}),  # right: 12
}
# What each kind of student types, in order; student i is kind i % 4 on 90.1 and i % 2 on 90.2.
PLANS_901 = [
    [4],  # right first try
    [3, 4],  # forgets the padding, reads the slip, gets it right
    [3, 5],  # two slips, still trying
    [5, "4"],  # another slip, then right (typed as text)
]
PLANS_902 = [[12], [13]]
RESTART_WAIT = 120  # the hub polls its managed services every 30 s and restarts a dead one

STUDENT_KERNEL = r"""
import json, sys
plan = json.loads(sys.argv[1])
import convlab.lessons.exercises as ex
from convlab.pulse import client
questions = {}
for qid, answer in plan:
    if qid not in questions:
        check, args, kwargs = {"90.1": (ex.check_output_size, (7, 3), {"stride": 2, "padding": 1}),
                               "90.2": (ex.check_number, (12,), {"why": "3 × 4 = 12"})}[qid]
        questions[qid] = ex.Question(check, *args, **kwargs)
        questions[qid].id = qid
    questions[qid].check(answer)
flushed = client.default_client().flush(%d)
print(json.dumps({"flushed": flushed, **vars(client.pulse_status())}))
""" % (RESTART_WAIT + 60)


def plan_of(i: int) -> list:
    return [("90.1", a) for a in PLANS_901[i % 4]] + [("90.2", a) for a in PLANS_902[i % 2]]


def category(qid: str, answer) -> str:
    check, args, kwargs = QUESTIONS[qid]
    feedback = check(answer, *args, **kwargs)
    return getattr(feedback, "category", "") or "other"


def expected_counts(students: list[str]) -> dict:
    """The counts the page must show, from the plans and the checkers' verdicts (not from the service)."""
    out = {}
    for qid, (check, args, kwargs) in QUESTIONS.items():
        answered = first = hint = trying = 0
        slips: dict = {}
        help_names = []
        for i, student in enumerate(students):
            verdicts = [(check(a, *args, **kwargs).correct, a) for q, a in plan_of(i) if q == qid]
            answered += 1
            first += verdicts[0][0]
            ever = any(ok for ok, _ in verdicts)
            hint += ever and not verdicts[0][0]
            trying += not ever
            if not ever:
                help_names.append(student)
            for cat in {category(qid, a) for ok, a in verdicts if not ok}:
                slips[cat] = slips.get(cat, 0) + 1
        out[qid] = {"answered": answered, "right_first_try": first, "right_after_hint": hint,
                    "still_trying": trying, "slips": slips, "needs_help": sorted(help_names)}
    return out


def request(url: str, *, token: str | None = None, body: bytes | None = None, method: str | None = None):
    """(status, JSON or text) of one request; HTTP errors are answers too."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"token {token}"
    req = urllib.request.Request(url, data=body, method=method or ("POST" if body is not None else "GET"),
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (loopback)
            raw, status = resp.read(), resp.status
    except urllib.error.HTTPError as err:
        raw, status = err.read(), err.code
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


@pytest.fixture(scope="module")
def pulse_class(jupyterhub_server):
    """The service's URL, the test admin's token, a token per student and the teacher's API token."""
    base, pulse = jupyterhub_server["base"], jupyterhub_server["pulse"]
    url = f"{base}/services/{hubkit.PULSE_SERVICE}/"
    wait_health(url, timeout=60)
    access = [f"access:services!service={hubkit.PULSE_SERVICE}"]
    tokens = {u: hubkit.user_token(base, pulse.admin_token, u) for u in [*PULSE_STUDENTS, PULSE_FLOODER]}
    return {
        "base": base, "url": url, "tmp": jupyterhub_server["tmp"], "tokens": tokens,
        "teacher_token": hubkit.user_token(base, pulse.admin_token, PULSE_TEACHER, scopes=access),
        "visitor_token": hubkit.user_token(base, pulse.admin_token, PULSE_VISITOR, scopes=access),
        "db_path": pulse.db_path,
    }


def wait_health(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if request(url + "api/health")[0] == 200:
            return
        time.sleep(0.5)
    pytest.fail(f"the class pulse service did not answer {url}api/health within {timeout:.0f} s")


def run_students(cls, indices: list[int]) -> list[dict]:
    """Start one kernel-like process per student at once; each checks its plan, then waits for its sends."""
    procs = []
    for i in indices:
        env = support.child_env(JUPYTERHUB_API_TOKEN=cls["tokens"][PULSE_STUDENTS[i]], CONVLAB_PULSE_URL=cls["url"],
                                PYTHONPATH=str(ROOT))
        env.pop("CONVLAB_PULSE", None)
        procs.append(subprocess.Popen([sys.executable, "-c", STUDENT_KERNEL, json.dumps(plan_of(i))], env=env,
                                      cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=RESTART_WAIT + 120)
        assert proc.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def summary(cls, token: str, names: bool = False) -> dict:
    status, body = request(cls["url"] + f"api/summary?names={int(names)}", token=token)
    assert status == 200, body
    return {q["id"]: q for q in body["questions"]}


def test_twenty_students_answer_concurrently_and_a_service_restart_loses_nothing(pulse_class):
    cls = pulse_class
    first_half, second_half = list(range(10)), list(range(10, 20))
    results = run_students(cls, first_half)
    assert all(r["flushed"] and r["refused"] == 0 and r["dropped"] == 0 for r in results), results
    assert summary(cls, cls["teacher_token"])["90.1"]["answered"] == 10

    # The service dies mid-class; the hub restarts it. The second half answer meanwhile.
    marker = str(cls["tmp"]) + os.sep
    before = hubkit.pulse_service_pids(marker)
    assert len(before) == 1, f"expected one pulse service process, found {before}"
    os.kill(before[0], signal.SIGKILL)
    results = run_students(cls, second_half)
    after = hubkit.pulse_service_pids(marker)
    assert after and after != before, "the hub did not restart the service"
    assert all(r["flushed"] and r["refused"] == 0 and r["dropped"] == 0 for r in results), results
    assert sum(r["sent"] for r in results) == sum(len(plan_of(i)) for i in second_half)
    # How many posts met the dead service and were retried (depends on how fast the hub restarted it).
    support.artifact_path("pulse-restart.json").write_text(json.dumps(
        {"killed": before, "restarted": after, "retried_posts": sum(r["failed"] for r in results)}))

    got = summary(cls, cls["teacher_token"], names=True)
    want = expected_counts(PULSE_STUDENTS)
    for qid, counts in want.items():
        row = got[qid]
        assert {s["category"]: s["count"] for s in row["slips"]} == counts["slips"], qid
        for key in ("answered", "right_first_try", "right_after_hint", "still_trying", "needs_help"):
            assert row[key] == counts[key], (qid, key)


@pytest.mark.parametrize("who, path, method", [
    ("student", "api/summary", "GET"),  # a student reads no counts
    ("student", "api/summary?names=1", "GET"),  # nor names
    ("student", "api/reset", "POST"),  # nor resets the class
    ("student", "", "GET"),  # nor opens the page
    ("visitor", "api/summary", "GET"),  # may open the service, but teaches no class
    ("visitor", "api/reset", "POST"),
])
def test_a_token_without_the_teacher_group_reads_nothing(pulse_class, who, path, method):
    token = pulse_class["tokens"][PULSE_STUDENTS[0]] if who == "student" else pulse_class["visitor_token"]
    status, body = request(pulse_class["url"] + path, token=token, method=method,
                           body=b"" if method == "POST" else None)
    assert status == 403, (status, body)
    assert "90.1" not in json.dumps(body)


def test_hostile_posts_are_refused_and_a_flood_does_not_disturb_another_student(pulse_class):
    cls, post = pulse_class, pulse_class["url"] + "api/answers"
    flooder = cls["tokens"][PULSE_FLOODER]
    good = {"question": "99.9", "correct": True, "category": "", "answer": "4", "try": 1, "at": time.time()}
    before = summary(cls, cls["teacher_token"])
    table = [
        (json.dumps({**good, "user": PULSE_STUDENTS[0]}).encode(), flooder, 403),  # forged user field
        (json.dumps({**good, "answer": "9" * 3000}).encode(), flooder, 413),  # oversized
        (b"{'question': ", flooder, 400),  # malformed JSON
        (json.dumps({**good, "try": "first"}).encode(), flooder, 400),  # a field of the wrong kind
        (json.dumps(good).encode(), None, 401),  # no token
        (json.dumps(good).encode(), "not-a-token", 403),  # a token the hub does not know
    ]
    for body, token, status in table:
        assert request(post, token=token, body=body)[0] == status, body[:80]
    assert summary(cls, cls["teacher_token"]) == before  # nothing of it was stored

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        flood = [pool.submit(request, post, token=flooder, body=json.dumps(good).encode()) for _ in range(60)]
        calm = pool.submit(request, post, token=cls["tokens"][PULSE_STUDENTS[1]],
                           body=json.dumps({**good, "question": "99.8"}).encode())
        statuses = [f.result()[0] for f in flood]
    assert set(statuses) <= {201, 429} and 429 in statuses, statuses
    assert calm.result()[0] == 201
    got = summary(cls, cls["teacher_token"])
    assert got["99.9"]["answered"] == 1 and got["99.8"]["answered"] == 1


def test_a_token_scoped_like_a_servers_own_can_post(pulse_class, jupyterhub_server):
    # A kernel holds its server's JUPYTERHUB_API_TOKEN, whose scopes are the hub's "server" role (post
    # activity, access its own server) and nothing about services; the service only asks the hub whose it is.
    student = PULSE_STUDENTS[2]
    token = hubkit.user_token(pulse_class["base"], jupyterhub_server["pulse"].admin_token, student,
                              scopes=[f"users:activity!user={student}", f"access:servers!server={student}/"])
    record = {"question": "99.7", "correct": True, "category": "", "answer": "4", "try": 1, "at": time.time()}
    assert request(pulse_class["url"] + "api/answers", token=token, body=json.dumps(record).encode())[0] == 201
    assert request(pulse_class["url"] + "api/summary", token=token)[0] == 403
    assert summary(pulse_class, pulse_class["teacher_token"], names=True)["99.7"]["answered"] == 1


def _axe_serious(page) -> list[dict]:
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        support.skip_or_fail("axe-playwright-python is not installed (requirements-dev.txt)")
    page.evaluate(Axe().axe_script)
    result = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: "
                           "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})")
    return [{"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _row(page, qid: str) -> dict:
    return page.evaluate("""(qid) => {
        const tr = document.querySelector(`tr[data-question="${qid}"]`);
        if (!tr) return null;
        const n = (cls) => Number(tr.querySelector(`td.${cls}`).textContent);
        return {answered: n("answered"), right_first_try: n("first"), right_after_hint: n("hint"),
                still_trying: n("trying"),
                slips: Object.fromEntries([...tr.querySelectorAll(".slip")].map(s => [s.dataset.category,
                                                                                       Number(s.dataset.count)])),
                text: tr.textContent};
    }""", qid)


def test_the_teachers_page_shows_the_counts_reveals_names_on_request_and_resets(pulse_class, hub_chromium):
    cls = pulse_class
    want = expected_counts(PULSE_STUDENTS)
    context = hub_chromium.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    try:
        page.goto(f"{cls['base']}/hub/login", wait_until="domcontentloaded")
        page.fill("#username_input", PULSE_TEACHER)
        page.fill("#password_input", "any-password")
        page.click("#login_submit")
        page.wait_for_url("**/hub/**")
        page.goto(cls["url"], wait_until="domcontentloaded")  # hub OAuth, then the page
        support.wait_until(page, lambda: _row(page, "90.1") is not None, timeout=30,
                           what="the class pulse page to show exercise 90.1")
        page.screenshot(path=str(support.artifact_path("pulse-teacher-page.png")), full_page=True)
        for qid, counts in want.items():
            row = _row(page, qid)
            assert {k: row[k] for k in ("answered", "right_first_try", "right_after_hint", "still_trying")} == {
                k: counts[k] for k in ("answered", "right_first_try", "right_after_hint", "still_trying")}, qid
            shown = dict(sorted(counts["slips"].items(), key=lambda kv: (-kv[1], kv[0]))[:3])
            assert row["slips"] == shown, qid
        body_text = page.inner_text("body")
        assert not any(student in body_text for student in PULSE_STUDENTS), "names shown before asked"
        serious = _axe_serious(page)
        assert not serious, serious

        # who needs help: the names of those still trying, on request
        page.click("#names")
        support.wait_until(page, lambda: "Still trying:" in (_row(page, "90.1") or {}).get("text", ""),
                           timeout=15, what="the names of who needs help")
        assert all(name in _row(page, "90.1")["text"] for name in want["90.1"]["needs_help"])
        assert not _axe_serious(page)

        # a reset without the page's XSRF token is refused; with it (the button), the class starts again
        forged = page.evaluate("() => fetch('api/reset', {method: 'POST', credentials: 'same-origin'})"
                               ".then(r => r.status)")
        assert forged == 403
        assert summary(cls, cls["teacher_token"])["90.1"]["answered"] == len(PULSE_STUDENTS)
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#reset")
        support.wait_until(page, lambda: _row(page, "90.1") is None and "No answers yet" in page.inner_text("#rows"),
                           timeout=15, what="the page to show the reset class")
        assert summary(cls, cls["teacher_token"]) == {}
    finally:
        support.artifact_path("pulse-teacher.console.txt").write_text("\n".join(console))
        context.close()
