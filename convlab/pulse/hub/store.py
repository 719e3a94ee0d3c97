"""Where the class pulse keeps answers: any SQLAlchemy database, a SQLite file by default.

One table of answers (who, which question, right or wrong, the slip's category, the answer as typed, the
try number, when) and one of settings (when the class was last reset). :meth:`Store.summary` turns the
answers into what the teacher's page shows, per question and per student:

* **answered**: students with at least one answer;
* **right first try**: their first answer was right;
* **right after a hint**: wrong first (the lesson then showed the slip), right later;
* **still trying**: no right answer yet (the names the teacher may reveal: who needs help);
* **slips**: for each slip category, how many students made it at least once, most common first.

>>> store = Store("sqlite://")
>>> for user, ok, category, tries in [("ana", False, "forgot-padding", 1), ("ana", True, "", 2),
...                                   ("ben", True, "", 1), ("cy", False, "forgot-padding", 1)]:
...     store.add(user, {"question": "03.2", "correct": ok, "category": category, "answer": "4",
...                      "try": tries, "at": None})
>>> q = store.summary()["questions"][0]
>>> q["answered"], q["right_first_try"], q["right_after_hint"], q["still_trying"], q["slips"]
(3, 1, 1, 1, [{'category': 'forgot-padding', 'count': 2}])
"""

from __future__ import annotations

import re
import time

import sqlalchemy as sa

DEFAULT_URL = "sqlite:///convlab-pulse.sqlite"

metadata = sa.MetaData()
answers = sa.Table(
    "pulse_answers", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user", sa.String(255), nullable=False, index=True),
    sa.Column("question", sa.String(40), nullable=False, index=True),
    sa.Column("correct", sa.Boolean, nullable=False),
    sa.Column("category", sa.String(48), nullable=False, default=""),
    sa.Column("answer", sa.String(200), nullable=False, default=""),
    sa.Column("try_number", sa.Integer, nullable=False),
    sa.Column("client_at", sa.Float, nullable=True),
    sa.Column("received_at", sa.Float, nullable=False),
)
settings = sa.Table(
    "pulse_settings", metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)


def _natural(question_id: str):
    """Sort "03.10" after "03.2"."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", question_id) if part]


class Store:
    """The answers in the database at ``url`` (tables created when missing)."""

    def __init__(self, url: str = DEFAULT_URL):
        if not isinstance(url, str) or not url:
            raise ValueError(f"url must be an SQLAlchemy database URL such as {DEFAULT_URL!r}; got {url!r}")
        kwargs = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False}
            if url in {"sqlite://", "sqlite:///:memory:"}:
                kwargs["poolclass"] = sa.pool.StaticPool  # one in-memory database, not one per connection
        self.url = url
        self.engine = sa.create_engine(url, future=True, **kwargs)
        if url.startswith("sqlite") and "memory" not in url and url != "sqlite://":
            with self.engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        metadata.create_all(self.engine)

    def add(self, user: str, record: dict, *, now: float | None = None) -> None:
        """Store one checked answer of ``user`` (a record already read by ``records.read_answer``)."""
        with self.engine.begin() as conn:
            conn.execute(answers.insert().values(
                user=user, question=record["question"], correct=record["correct"],
                category=record["category"], answer=record["answer"], try_number=record["try"],
                client_at=record.get("at"), received_at=time.time() if now is None else now))

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(answers)).scalar_one()

    def reset(self) -> float:
        """Forget every answer (a new class starts); return when."""
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(answers.delete())
            conn.execute(settings.delete().where(settings.c.key == "reset_at"))
            conn.execute(settings.insert().values(key="reset_at", value=repr(now)))
        return now

    def summary(self, *, names: bool = False) -> dict:
        """Per question: answered, right first try, right after a hint, still trying, slips.

        With ``names``, each question also lists who is still trying (the teacher's "who needs help").
        """
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(answers.c.user, answers.c.question, answers.c.correct,
                                          answers.c.category).order_by(answers.c.id)).all()
            reset_at = conn.execute(sa.select(settings.c.value).where(settings.c.key == "reset_at")).scalar()
        per_question: dict[str, dict[str, dict]] = {}
        for user, question, correct, category in rows:
            student = per_question.setdefault(question, {}).setdefault(
                user, {"first": correct, "right": False, "slips": set()})
            student["right"] = student["right"] or correct
            if not correct:
                student["slips"].add(category or "other")
        questions = []
        for question in sorted(per_question, key=_natural):
            students = per_question[question]
            slips: dict[str, int] = {}
            for student in students.values():
                for category in student["slips"]:
                    slips[category] = slips.get(category, 0) + 1
            entry = {
                "id": question,
                "answered": len(students),
                "right_first_try": sum(s["first"] for s in students.values()),
                "right_after_hint": sum(s["right"] and not s["first"] for s in students.values()),
                "still_trying": sum(not s["right"] for s in students.values()),
                "slips": [{"category": c, "count": n}
                          for c, n in sorted(slips.items(), key=lambda item: (-item[1], item[0]))],
            }
            if names:
                entry["needs_help"] = sorted(u for u, s in students.items() if not s["right"])
            questions.append(entry)
        return {"questions": questions, "students": len({row[0] for row in rows}), "answers": len(rows),
                "reset_at": float(reset_at) if reset_at else None}
