"""What one checked answer looks like on the wire, and the service's checks of it (stdlib only).

The kernel builds a record with :func:`answer_record`; the service reads a posted body with
:func:`read_answer`, which refuses anything else, naming the field and the value. Both sides share the
limits below, so the client never sends what the service would refuse.

>>> record = answer_record("03.2", correct=False, category="forgot-padding", answer=" 3 ", try_number=1,
...                        at=1700000000.0)
>>> record["question"], record["answer"], record["try"]
('03.2', '3', 1)
>>> read_answer(record)["category"]
'forgot-padding'
>>> read_answer({**record, "user": "someone-else"})
Traceback (most recent call last):
...
convlab.pulse.records.ForgedUser: the user is taken from your hub token, never from the post; got user='someone-else'
"""

from __future__ import annotations

import math
import re

MAX_BODY_BYTES = 2048
"""A posted answer larger than this is refused unread (HTTP 413)."""
ANSWER_CHARS = 200
"""The answer as typed is cut to this many characters before it leaves the kernel."""
QUESTION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
"""A question id as the lessons give it ("03.2"): letters, digits, dot, dash, underscore; 40 at most."""
CATEGORY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""A slip category in kebab case ("forgot-padding"), 48 characters at most; "" for a right answer."""
CATEGORY_CHARS = 48
MAX_TRY = 999

FIELDS = {"question", "correct", "category", "answer", "try", "at"}
REQUIRED = {"question", "correct", "try"}


class ForgedUser(ValueError):
    """A post named a user: the service takes the user from the token, so this is refused (HTTP 403)."""


def answer_record(question_id: str, *, correct: bool, category: str, answer, try_number: int,
                  at: float) -> dict:
    """The record the kernel sends for one checked answer (the answer cut to :data:`ANSWER_CHARS`)."""
    text = "" if answer is None else str(answer).strip()
    return {
        "question": str(question_id),
        "correct": bool(correct),
        "category": "" if correct else (category or "other"),
        "answer": text[:ANSWER_CHARS],
        "try": int(try_number),
        "at": float(at),
    }


def read_answer(body) -> dict:
    """Check a posted record; return it with defaults filled in.

    Raises
    ------
    ForgedUser
        The body names a user (any ``user`` field; the user comes from the token).
    ValueError
        Anything else that is not a record of :func:`answer_record`'s shape, naming the field and value.
    """
    if not isinstance(body, dict):
        raise ValueError(f"the post must be a JSON object; got {type(body).__name__}")
    if "user" in body:
        raise ForgedUser(f"the user is taken from your hub token, never from the post; got user={body['user']!r}")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s) {unknown}; a record has {sorted(FIELDS)}")
    missing = sorted(REQUIRED - set(body))
    if missing:
        raise ValueError(f"missing field(s) {missing}")
    question = body["question"]
    if not isinstance(question, str) or not QUESTION_ID.fullmatch(question):
        raise ValueError(f"question must be an id like '03.2' (letters, digits, '.', '-', '_'; at most 40); "
                         f"got {question!r:.60}")
    correct = body["correct"]
    if not isinstance(correct, bool):
        raise ValueError(f"correct must be true or false; got {correct!r:.60}")
    category = body.get("category", "")
    if not isinstance(category, str) or len(category) > CATEGORY_CHARS or (
            category and not CATEGORY.fullmatch(category)):
        raise ValueError(f"category must be a kebab-case slip name such as 'forgot-padding' (at most "
                         f"{CATEGORY_CHARS} characters) or empty; got {category!r:.60}")
    if correct and category:
        raise ValueError(f"category must be empty for a right answer; got {category!r}")
    if not correct and not category:
        category = "other"
    answer = body.get("answer", "")
    if not isinstance(answer, str) or len(answer) > ANSWER_CHARS:
        raise ValueError(f"answer must be text of at most {ANSWER_CHARS} characters; got {answer!r:.60}")
    try_number = body["try"]
    if isinstance(try_number, bool) or not isinstance(try_number, int) or not 1 <= try_number <= MAX_TRY:
        raise ValueError(f"try must be a whole number from 1 to {MAX_TRY}; got {try_number!r:.60}")
    at = body.get("at")
    if at is not None and (isinstance(at, bool) or not isinstance(at, (int, float)) or not math.isfinite(at)
                           or at < 0):
        raise ValueError(f"at must be a time in seconds since 1970; got {at!r:.60}")
    return {"question": question, "correct": correct, "category": category, "answer": answer,
            "try": try_number, "at": None if at is None else float(at)}
