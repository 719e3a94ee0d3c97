"""The class pulse without a hub: what a post may hold, what the store counts, what the kernel sends.

The hub-side pieces (SQLAlchemy, tornado, jupyterhub) are dev requirements here, as on a hub. The
service's answers endpoint runs on a real tornado server with a stand-in for the hub's token check;
tests/hub/test_hub_pulse.py runs the whole thing on a real hub.
"""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convlab.pulse import client as pulse_client
from convlab.pulse.client import PulseClient, record_check
from convlab.pulse.hub.store import Store
from convlab.pulse.records import ANSWER_CHARS, MAX_BODY_BYTES, ForgedUser, answer_record, read_answer

from convlab.lessons import exercises

GOOD = {"question": "03.2", "correct": False, "category": "forgot-padding", "answer": "3", "try": 1,
        "at": 1.7e9}


# ----------------------------------------------------------------------------- what a post may hold


@pytest.mark.parametrize("change, field", [
    ({"question": "03 2"}, "question"),  # a space: not an id the lessons give
    ({"question": "x" * 41}, "question"),  # longer than any id
    ({"question": 32}, "question"),  # a number, not text
    ({"correct": "yes"}, "correct"),  # must be a real boolean
    ({"category": "Forgot Padding"}, "category"),  # not kebab case
    ({"category": "a" * 49}, "category"),  # too long to be a category
    ({"correct": True, "category": "forgot-padding"}, "category"),  # a right answer has no slip
    ({"answer": "9" * (ANSWER_CHARS + 1)}, "answer"),  # the client cuts answers; a longer one is forged
    ({"answer": ["3"]}, "answer"),  # not text
    ({"try": 0}, "try"),  # tries count from 1
    ({"try": True}, "try"),  # bool is an int in Python; refused all the same
    ({"try": 1.5}, "try"),  # a fraction of a try
    ({"at": float("nan")}, "at"),  # not a time
    ({"at": -5}, "at"),  # before 1970
    ({"admin": True}, "unknown"),  # nothing beyond the record's fields
])
def test_read_answer_refuses_a_malformed_field_and_names_it(change, field):
    with pytest.raises(ValueError, match=field):
        read_answer({**GOOD, **change})


@pytest.mark.parametrize("body", [
    {**GOOD, "user": "someone-else"},  # the forged field itself
    {**GOOD, "user": None},  # any user field, even an empty one
])
def test_read_answer_refuses_any_user_field_as_forged(body):
    with pytest.raises(ForgedUser, match="token"):
        read_answer(body)


@pytest.mark.parametrize("body, missing", [
    ([GOOD], "object"),  # a list, not one record
    ({"correct": True, "try": 1}, "question"),  # no question id
    ({"question": "01.1", "try": 1}, "correct"),  # no verdict
])
def test_read_answer_refuses_what_is_not_a_record(body, missing):
    with pytest.raises(ValueError, match=missing):
        read_answer(body)


def test_a_wrong_answer_without_a_category_counts_as_other():
    assert read_answer({**GOOD, "category": ""})["category"] == "other"
    assert answer_record("01.1", correct=False, category="", answer="x", try_number=1, at=0)["category"] == "other"


def test_answer_record_cuts_the_answer_so_the_service_accepts_it():
    record = answer_record("01.1", correct=True, category="", answer="7" * 5000, try_number=1, at=1.0)
    assert len(record["answer"]) == ANSWER_CHARS
    assert read_answer(record)["answer"] == record["answer"]
    assert len(json.dumps(record).encode()) < MAX_BODY_BYTES


# ----------------------------------------------------------------------------- what the store counts


def oracle(events):
    """Counts per question, recomputed from the definitions (docs/class_pulse.md), by brute force."""
    out = {}
    for question in {q for _, q, _, _ in events}:
        rows = [(u, ok, cat) for u, q, ok, cat in events if q == question]
        users = sorted({u for u, _, _ in rows})
        first = {u: next(ok for v, ok, _ in rows if v == u) for u in users}
        ever = {u: any(ok for v, ok, _ in rows if v == u) for u in users}
        slips = {}
        for cat in {c or "other" for _, ok, c in rows if not ok}:
            slips[cat] = len({u for u, ok, c in rows if not ok and (c or "other") == cat})
        out[question] = {
            "answered": len(users),
            "right_first_try": sum(first.values()),
            "right_after_hint": sum(ever[u] and not first[u] for u in users),
            "still_trying": sum(not ever[u] for u in users),
            "slips": slips,
            "needs_help": [u for u in users if not ever[u]],
        }
    return out


event = st.tuples(st.sampled_from(["ana", "ben", "cy", "dee"]), st.sampled_from(["01.1", "03.2", "03.10"]),
                  st.booleans(), st.sampled_from(["forgot-padding", "wrong-sign", "other"]))


@settings(max_examples=40, deadline=None)
@given(st.lists(event, max_size=30))
def test_summary_matches_the_brute_force_counts(events):
    store = Store("sqlite://")
    for user, question, correct, category in events:
        store.add(user, {"question": question, "correct": correct, "category": "" if correct else category,
                         "answer": "4", "try": 1, "at": None})
    summary = store.summary(names=True)
    want = oracle(events)
    got = {q["id"]: {**q, "slips": {s["category"]: s["count"] for s in q["slips"]}} for q in summary["questions"]}
    assert set(got) == set(want)
    for question, counts in want.items():
        for key, value in counts.items():
            assert got[question][key] == value, (question, key)
    assert summary["answers"] == len(events)
    assert summary["students"] == len({e[0] for e in events})


def test_summary_lists_exercises_in_lesson_order_and_slips_most_common_first():
    store = Store("sqlite://")
    for user, question, category in [("a", "03.10", "wrong-sign"), ("a", "03.2", "wrong-sign"),
                                     ("b", "03.2", "forgot-padding"), ("c", "03.2", "forgot-padding")]:
        store.add(user, {**GOOD, "question": question, "category": category})
    summary = store.summary()
    assert [q["id"] for q in summary["questions"]] == ["03.2", "03.10"]  # 2 before 10, not as text
    assert [s["category"] for s in summary["questions"][0]["slips"]] == ["forgot-padding", "wrong-sign"]
    assert "needs_help" not in summary["questions"][0]  # names only when the teacher asks


def test_answers_survive_reopening_the_database_and_reset_forgets_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'pulse.sqlite'}"
    Store(url).add("ana", GOOD)
    reopened = Store(url)
    assert reopened.count() == 1
    assert reopened.summary()["questions"][0]["answered"] == 1
    reopened.reset()
    assert Store(url).count() == 0 and Store(url).summary()["reset_at"] is not None


@pytest.mark.parametrize("url", ["", None])
def test_store_refuses_a_missing_database_url(url):
    with pytest.raises(ValueError, match="url"):
        Store(url)


# ----------------------------------------------------------------------------- what the kernel sends


class FakeService:
    """A stdlib HTTP server standing in for the service: records posts, answers with ``status``."""

    def __init__(self):
        self.posts, self.status, self.gate = [], 201, threading.Event()
        self.gate.set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                fake.gate.wait(30)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.posts.append({"path": self.path, "auth": self.headers["Authorization"],
                                   "body": json.loads(body)})
                status = fake.status() if callable(fake.status) else fake.status
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/convlab-pulse/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service():
    fake = FakeService()
    yield fake
    fake.close()


@pytest.fixture
def kernel_client(service, monkeypatch):
    """This kernel's pulse client, pointed at the fake service (as CONVLAB_PULSE_URL would)."""
    client = PulseClient(service.url, "student-token", timeout=2, max_age=5)
    monkeypatch.setattr(pulse_client, "_client", client)
    return client


@pytest.mark.parametrize("env", [
    {},  # a laptop: no hub at all
    {"JUPYTERHUB_API_TOKEN": "t"},  # a hub that does not run the pulse
    {"CONVLAB_PULSE_URL": "http://127.0.0.1:9/services/convlab-pulse/"},  # no token to send with
    {"CONVLAB_PULSE_URL": "http://x/", "JUPYTERHUB_API_TOKEN": "t", "CONVLAB_PULSE": "off"},  # switched off
])
def test_the_client_sends_nothing_outside_a_hub_that_runs_the_pulse(env):
    client = PulseClient.from_environment(env)
    assert not client.active
    assert client.send(answer_record("01.1", correct=True, category="", answer="4", try_number=1, at=0)) is False
    assert client.status().sent == 0


@pytest.mark.parametrize("kwargs, name", [
    ({"timeout": 0}, "timeout"),  # a post that may take no time at all never succeeds
    ({"max_queue": 0}, "max_queue"),  # nothing could ever wait
    ({"max_age": -1}, "max_age"),  # a negative age
])
def test_the_client_refuses_impossible_settings(kwargs, name):
    with pytest.raises(ValueError, match=name):
        PulseClient("http://127.0.0.1:9/", "t", **kwargs)


def test_a_checked_question_sends_its_verdict_and_try_with_the_learners_token(service, kernel_client):
    q = exercises.Question(exercises.check_output_size, 7, 3, stride=2, padding=1)
    q.id = "03.2"  # the lessons' ids (issue 20); a question without one sends nothing
    q.check(3)
    q.check("  4 ")
    exercises.Question(exercises.check_output_size, 7, 3, stride=2, padding=1).check(4)  # no id
    assert kernel_client.flush(10)
    bodies = [p["body"] for p in service.posts]
    assert [(b["question"], b["correct"], b["try"], b["answer"]) for b in bodies] == [
        ("03.2", False, 1, "3"), ("03.2", True, 2, "4")]
    assert bodies[0]["category"] and bodies[1]["category"] == ""
    assert all(p["auth"] == "token student-token" and p["path"].endswith("/api/answers") for p in service.posts)
    assert all(read_answer(b) for b in bodies)  # what the kernel sends, the service accepts
    assert kernel_client.status().sent == 2


def test_an_unreadable_answer_is_not_sent(service, kernel_client):
    q = exercises.Question(exercises.check_output_size, 7, 3, stride=2, padding=1)
    q.id = "03.2"
    q.check("four-ish")
    q.check(None)
    assert kernel_client.flush(10) and service.posts == []


def test_a_check_returns_while_the_service_is_still_busy_and_the_queue_stays_bounded(service, monkeypatch):
    client = PulseClient(service.url, "t", timeout=5, max_queue=2, max_age=5)
    monkeypatch.setattr(pulse_client, "_client", client)
    service.gate.clear()  # the service holds every request until released
    q = exercises.Question(exercises.check_output_size, 7, 3, stride=2, padding=1)
    q.id = "03.2"
    verdicts = [q.check(answer).correct for answer in (3, 5, 6, 4)]  # returns although nothing got through
    assert verdicts == [False, False, False, True]
    status = client.status()
    # at most one in flight plus two queued; the rest dropped, counted, and the check went on
    assert status.sent == 0 and status.waiting <= 3 and status.dropped >= 1
    assert status.waiting + status.dropped == 4
    service.gate.set()
    assert client.flush(10)
    assert client.status().sent == status.waiting


def test_the_client_retries_while_the_service_restarts_and_gives_up_on_a_refusal(service, kernel_client):
    answers = iter([503, 201, 400])
    service.status = lambda: next(answers)
    record = answer_record("01.1", correct=True, category="", answer="4", try_number=1, at=0)
    kernel_client.send(record)  # 503 (restarting), then 201
    assert kernel_client.flush(10)
    kernel_client.send(record)  # 400: refused, not retried
    assert kernel_client.flush(10)
    status = kernel_client.status()
    assert (status.sent, status.failed, status.refused, len(service.posts)) == (1, 1, 1, 3)


def test_a_check_never_breaks_when_the_service_is_unreachable(monkeypatch):
    client = PulseClient("http://127.0.0.1:9/services/convlab-pulse/", "t", timeout=0.5, max_age=0.2)
    monkeypatch.setattr(pulse_client, "_client", client)
    q = exercises.Question(exercises.check_output_size, 7, 3, stride=2, padding=1)
    q.id = "03.2"
    assert q.check(4).correct
    assert client.flush(10)
    status = client.status()
    assert status.sent == 0 and status.dropped == 1 and status.failed >= 1


def test_the_learner_sees_what_is_sent_and_switches_it_off(service, kernel_client):
    import convlab

    text = str(convlab.pulse_status())
    assert "ON" in text and "your answer as typed" in text and "pulse_off" in text
    off = convlab.pulse_off()
    assert not off.active and "OFF" in str(off)
    q = exercises.Question(exercises.check_output_size, 7, 3, stride=2, padding=1)
    q.id = "03.2"
    q.check(4)
    assert kernel_client.flush(5) and service.posts == []
    assert convlab.pulse_on().active


def test_record_check_swallows_a_broken_feedback(kernel_client):
    class Broken:
        @property
        def correct(self):
            raise RuntimeError("boom")

    q = exercises.Question(exercises.check_output_size, 7, 3, stride=2, padding=1)
    q.id = "03.2"
    record_check(q, "4", Broken())  # must not raise
    assert kernel_client.status().dropped == 1


# ----------------------------------------------------------------------------- the service's door


class StandInHubAuth:
    """The hub's token check, for a test without a hub: token ``<name>-token`` is user ``<name>``."""

    from jupyterhub.services.auth import HubAuth

    auth_header_pat = HubAuth.auth_header_pat

    async def user_for_token(self, token, *, sync=True):
        if token == "service-token":
            return {"kind": "service", "name": "other-service"}
        return {"kind": "user", "name": token[: -len("-token")]} if token.endswith("-token") else None


def run_service(store, scenario, **limits):
    """Start the answers endpoint on a free loopback port, run ``scenario(post)``, stop it."""
    from tornado.httpclient import AsyncHTTPClient, HTTPClientError
    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets

    from convlab.pulse.hub.service import make_app

    async def main():
        app = make_app(store, prefix="/services/convlab-pulse/", teacher_groups={"teachers"},
                       cookie_secret=b"x" * 32, hub_auth=StandInHubAuth(), **limits)
        sockets = bind_sockets(0, "127.0.0.1")
        server = HTTPServer(app, max_body_size=64 * 1024)
        server.add_sockets(sockets)
        url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/services/convlab-pulse/api/answers"
        http = AsyncHTTPClient()

        async def post(body, token="ana-token", raw=None):
            headers = {"Content-Type": "application/json"}
            if token:
                headers["Authorization"] = f"token {token}"
            try:
                response = await http.fetch(url, method="POST", headers=headers,
                                            body=raw if raw is not None else json.dumps(body))
                return response.code
            except HTTPClientError as err:
                return err.code

        try:
            return await scenario(post)
        finally:
            server.stop()

    return asyncio.run(main())


def test_the_service_stores_a_learners_answer_under_the_tokens_user():
    store = Store("sqlite://")

    async def scenario(post):
        return await post(GOOD)

    assert run_service(store, scenario) == 201
    assert store.summary(names=True)["questions"][0]["needs_help"] == ["ana"]


@pytest.mark.parametrize("kwargs, status", [
    ({"token": None}, 401),  # no token: the service never reads a cookie here
    ({"token": "unknown-to-the-hub"}, 403),  # the hub does not know the token
    ({"token": "service-token"}, 403),  # a service's token is nobody's answer
    ({"body": {**GOOD, "user": "ben"}}, 403),  # a forged user field
    ({"raw": "{not json"}, 400),  # malformed
    ({"body": {**GOOD, "try": -1}}, 400),  # a record out of range
    ({"raw": json.dumps({**GOOD, "answer": "x" * 3000})}, 413),  # larger than any record
])
def test_the_service_refuses_hostile_posts(kwargs, status):
    store = Store("sqlite://")

    async def scenario(post):
        return await post(kwargs.get("body", GOOD), token=kwargs.get("token", "ana-token"), raw=kwargs.get("raw"))

    assert run_service(store, scenario) == status
    assert store.count() == 0


def test_a_flood_from_one_learner_is_rate_limited_without_disturbing_another():
    store = Store("sqlite://")

    async def scenario(post):
        flood = await asyncio.gather(*(post(GOOD, token="ana-token") for _ in range(12)))
        other = await post(GOOD, token="ben-token")
        return flood, other

    flood, other = run_service(store, scenario, per_minute=60, burst=5)
    assert sorted(flood) == [201] * 5 + [429] * 7
    assert other == 201
    assert store.summary(names=True)["students"] == 2


def test_a_quiz_says_so_when_its_answers_go_to_the_class_pulse(kernel_client):
    from convlab.widgets.quiz import Quiz

    q = exercises.Question(exercises.check_output_size, 7, 3, stride=2, padding=1)
    q.id = "03.2"
    shown = Quiz(q, "Output width?").widget.children[-1].value
    assert "class pulse" in shown and "pulse_off" in shown
    kernel_client.switched_off = True
    assert all("class pulse" not in getattr(child, "value", "") for child in Quiz(q, "Output width?").widget.children)


def test_a_quiz_outside_a_hub_shows_no_pulse_notice(monkeypatch):
    from convlab.widgets.quiz import Quiz

    monkeypatch.setattr(pulse_client, "_client", PulseClient(None, None))
    q = exercises.Question(exercises.check_output_size, 7, 3, stride=2, padding=1)
    q.id = "03.2"
    assert all("class pulse" not in getattr(child, "value", "") for child in Quiz(q, "Output width?").widget.children)


def test_a_flood_of_made_up_tokens_is_throttled_while_a_known_learner_still_posts():
    store = Store("sqlite://")

    async def scenario(post):
        first = await post(GOOD, token="ana-token")  # ana's token is now known
        made_up = [await post(GOOD, token=f"made-up-{i}") for i in range(8)]
        return first, made_up, await post(GOOD, token="ana-token")

    first, made_up, again = run_service(store, scenario, new_tokens_per_minute=1, new_tokens_burst=4)
    assert first == 201 and again == 201
    assert made_up == [403] * 3 + [429] * 5  # 4 lookups in the burst (ana's was the first), then throttled
