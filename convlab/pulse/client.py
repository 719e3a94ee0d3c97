"""The kernel's side of the class pulse: send each checked answer to the hub's ``convlab-pulse``
service, in the background, with the learner's own hub token (stdlib only).

Nothing is sent unless the hub administrator switched the pulse on for the learners' servers, by putting
the service's address in their environment (``CONVLAB_PULSE_URL``, see ``docs/class_pulse.md``), and the
server has a hub token (``JUPYTERHUB_API_TOKEN``, which every single-user server gets). Outside a hub
this module does nothing at all. The learner sees what is sent with :func:`pulse_status` and switches it
off with :func:`pulse_off` (or ``CONVLAB_PULSE=off`` in the environment).

A send never blocks or breaks a check: :meth:`PulseClient.send` only puts the record on a bounded queue;
a daemon thread posts it with a short timeout, retries while the service is briefly away (e.g. restarting)
and drops what it cannot deliver within :attr:`PulseClient.max_age` seconds. Every outcome is counted.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import threading
import time

from .records import ANSWER_CHARS, answer_record

URL_ENV = "CONVLAB_PULSE_URL"
TOKEN_ENV = "CONVLAB_PULSE_TOKEN"  # optional; the server's own JUPYTERHUB_API_TOKEN otherwise
SWITCH_ENV = "CONVLAB_PULSE"  # "off" switches the pulse off before anything is sent
NOTICE = ("Your checked answers go to your teacher's class pulse: convlab.pulse_status() shows what is sent, "
          "convlab.pulse_off() stops it.")
"""The line a quiz shows under its answer box while the pulse is on (``docs/class_pulse.md``)."""
SENT_FIELDS = ("question id", "right or wrong", "the slip's category",
               f"your answer as typed (first {ANSWER_CHARS} characters)", "time", "try number")


@dataclasses.dataclass(frozen=True)
class PulseStatus:
    """What the pulse does in this kernel; ``print()`` it for a sentence."""

    active: bool
    url: str
    switched_off: bool
    sent: int
    failed: int
    dropped: int
    refused: int
    waiting: int

    def __str__(self) -> str:
        counts = (f"sent {self.sent}, waiting {self.waiting}, refused {self.refused}, "
                  f"dropped {self.dropped} (tries that failed: {self.failed})")
        if self.active:
            return (f"Class pulse: ON. Each answer you check is sent to your teacher's page at {self.url} "
                    f"under your hub user: {', '.join(SENT_FIELDS)}. So far {counts}. "
                    f"To stop sending: convlab.pulse_off()")
        if self.switched_off:
            return f"Class pulse: OFF (switched off); nothing is sent. So far {counts}. To send again: convlab.pulse_on()"
        return "Class pulse: not available here (no class pulse service on this hub); nothing is sent."


class PulseClient:
    """Posts answer records to ``url`` with ``token`` from a daemon thread (never raises to the caller).

    Parameters
    ----------
    url : str or None
        The service's address, e.g. ``http://127.0.0.1:8181/services/convlab-pulse/``. None: inactive.
    token : str or None
        The learner's hub token. None: inactive.
    timeout : float
        Seconds one post may take.
    max_queue : int
        Records waiting at most; a record beyond that is dropped (and counted).
    max_age : float
        Seconds a record is retried while the service cannot be reached; then it is dropped.
    """

    def __init__(self, url: str | None, token: str | None, *, timeout: float = 2.0, max_queue: int = 200,
                 max_age: float = 120.0):
        if not (timeout > 0 and max_queue >= 1 and max_age >= 0):
            raise ValueError(f"timeout must be > 0, max_queue >= 1 and max_age >= 0; "
                             f"got timeout={timeout!r}, max_queue={max_queue!r}, max_age={max_age!r}")
        self.url = (url.rstrip("/") + "/api/answers") if url else ""
        self.base = url or ""
        self.token = token or ""
        self.timeout, self.max_queue, self.max_age = timeout, max_queue, max_age
        self.switched_off = False
        self._queue: collections.deque = collections.deque()
        self._cond = threading.Condition()
        self._busy = False
        self._thread: threading.Thread | None = None
        self.counts = {"sent": 0, "failed": 0, "dropped": 0, "refused": 0}

    @classmethod
    def from_environment(cls, environ=None) -> PulseClient:
        env = os.environ if environ is None else environ
        client = cls(env.get(URL_ENV) or None, env.get(TOKEN_ENV) or env.get("JUPYTERHUB_API_TOKEN") or None)
        client.switched_off = env.get(SWITCH_ENV, "").strip().lower() in {"off", "0", "no", "false"}
        return client

    @property
    def active(self) -> bool:
        return bool(self.url and self.token) and not self.switched_off

    def status(self) -> PulseStatus:
        with self._cond:
            waiting = len(self._queue) + int(self._busy)
        return PulseStatus(self.active, self.base, self.switched_off and bool(self.url and self.token),
                           waiting=waiting, **self.counts)

    def send(self, record: dict) -> bool:
        """Queue ``record`` for the service; False (and nothing queued) when inactive or the queue is full."""
        if not self.active:
            return False
        with self._cond:
            if len(self._queue) >= self.max_queue:
                self.counts["dropped"] += 1
                return False
            self._queue.append((time.monotonic(), record))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="convlab-pulse", daemon=True)
                self._thread.start()
            self._cond.notify()
        return True

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait (at most ``timeout`` seconds) until nothing is waiting; True if so."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    # ------------------------------------------------------------------ the daemon thread

    def _post(self, record: dict) -> str:
        """One try: "sent", "refused" (the service said no; never retried) or "retry"."""
        import json  # here, not at the top: ``import convlab`` stays light outside a hub
        import urllib.error
        import urllib.request

        data = json.dumps(record).encode()
        request = urllib.request.Request(self.url, data=data, method="POST", headers={
            "Authorization": f"token {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                response.read()
            return "sent"
        except urllib.error.HTTPError as err:
            return "retry" if err.code == 429 or err.code >= 500 else "refused"
        except Exception:  # noqa: BLE001 - any network trouble: try again later
            return "retry"

    def _run(self) -> None:
        backoff = 0.25
        while True:
            with self._cond:
                while not self._queue:
                    self._busy = False
                    self._cond.notify_all()
                    self._cond.wait()
                born, record = self._queue.popleft()
                self._busy = True
            outcome = self._post(record)
            with self._cond:
                if outcome == "retry":
                    self.counts["failed"] += 1
                    if time.monotonic() - born < self.max_age and not self.switched_off:
                        self._queue.appendleft((born, record))
                    else:
                        self.counts["dropped"] += 1
                else:
                    self.counts[outcome] += 1
                self._busy = False
                self._cond.notify_all()
            if outcome == "retry":
                time.sleep(backoff)
                backoff = min(backoff * 2, 8.0)
            else:
                backoff = 0.25


_client: PulseClient | None = None
_client_lock = threading.Lock()


def default_client() -> PulseClient:
    """This kernel's client, made from the environment on first use."""
    global _client
    with _client_lock:
        if _client is None:
            _client = PulseClient.from_environment()
        return _client


def try_number(wrong_tries, answer, correct: bool) -> int:
    """Which try this answer is, given the wrong answers tried before it (a repeated wrong answer keeps
    its number, as ``Question`` does not count it twice).

    >>> try_number([], "4", True), try_number(["3"], "4", True), try_number(["3"], " 5", False), try_number(["3"], "3", False)
    (1, 2, 2, 1)
    """
    key = str(answer).strip()
    wrong = list(wrong_tries)
    if correct or key not in wrong:
        return len(wrong) + 1
    return wrong.index(key) + 1


def notice_for(question) -> str:
    """:data:`NOTICE` if checking ``question`` here sends its answer to the class pulse, else ""."""
    try:
        return NOTICE if getattr(question, "id", None) and default_client().active else ""
    except Exception:  # noqa: BLE001 - the notice must never break a quiz
        return ""


def record_check(question, answer, feedback) -> None:
    """Send one graded, readable answer of a lesson ``Question`` (called by ``Question.check`` before it
    counts the try; never raises). Sends nothing when the question has no ``id`` or the pulse is inactive.
    """
    try:
        question_id = getattr(question, "id", None)
        if not question_id:
            return
        client = default_client()
        if not client.active:
            return
        number = try_number(getattr(question, "wrong_tries", ()), answer, bool(feedback.correct))
        client.send(answer_record(question_id, correct=bool(feedback.correct),
                                  category=getattr(feedback, "category", "") or "", answer=answer,
                                  try_number=number, at=time.time()))
    except Exception:  # noqa: BLE001 - a check must never break because of the pulse
        with _client_lock:
            if _client is not None:
                _client.counts["dropped"] += 1


def pulse_status() -> PulseStatus:
    """What the class pulse sends from this kernel, and how to switch it off.

    >>> print(pulse_status())  # doctest: +ELLIPSIS
    Class pulse: ...
    """
    return default_client().status()


def pulse_off() -> PulseStatus:
    """Stop sending answers to the class pulse (for this kernel); what waits is not sent either."""
    client = default_client()
    with client._cond:
        client.switched_off = True
        client._queue.clear()
    return client.status()


def pulse_on() -> PulseStatus:
    """Send answers to the class pulse again (when the hub runs it)."""
    client = default_client()
    client.switched_off = False
    return client.status()
