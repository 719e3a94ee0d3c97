"""The printable handouts (docs/print/): up to date with their markdown, and no answer on a learner's page.

The answers below are the handouts' own, each computed by a doctest in the answer files (run here too);
every one must appear on the teacher's page and none on the learner's.
"""

from __future__ import annotations

import doctest
import html
import importlib.util
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _make():
    spec = importlib.util.spec_from_file_location("make_printables", DOCS / "print" / "make.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _text(page_html: str) -> str:
    """What a printed page shows: the text without tags, entities decoded, spaces collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", page_html))
    return re.sub(r"\s+([;,.:])", r"\1", re.sub(r"\s+", " ", text))


# learner's page -> (teacher's page, answers as printed on it: none may be on the learner's page)
ANSWERS = {
    "worksheet.html": ("worksheet_answers.html", [
        "1 0 −3 / 0 0 −2 / 1 0 −1",            # 1: the products of window 1
        "−4; the right side is brighter",       # 2
        "gives −8",                             # 4
        "place, multiply, sum, slide, collect",  # 5
        "Row 1, column 2",                      # 6
        "3, 2, 5, 3, 32",                       # the table
        "Padding 2 per side",                   # 7
        "darker than the image",                # 8
        "Reflect or replicate padding",         # 8: the fix
        "−7; one feature map",                  # 9
        "448",                                  # 10
        "weight sharing",                       # 11
    ]),
    "exit_ticket.html": ("exit_ticket_answers.html", [
        "9 − 2 = 7",    # 1
        "26×26",        # 2
        "14×14",        # 3
        "= 27, + 1 bias",  # 4
        "darker than the image",  # 5
    ]),
}


@pytest.mark.parametrize("name", list(_make().PAGES))
def test_the_printable_page_is_made_from_its_markdown(name):
    committed = (DOCS / "print" / name).read_text(encoding="utf-8")
    assert committed == _make().page(name), f"docs/print/{name} is stale: run python docs/print/make.py"
    assert '<link rel="stylesheet" href="print.css">' in committed and (DOCS / "print" / "print.css").exists()


@pytest.mark.parametrize("learner", list(ANSWERS))
def test_no_answer_is_on_a_learners_page_and_every_answer_is_on_the_teachers(learner):
    teacher, answers = ANSWERS[learner]
    learner_text = _text((DOCS / "print" / learner).read_text(encoding="utf-8"))
    teacher_text = _text((DOCS / "print" / teacher).read_text(encoding="utf-8"))
    for answer in answers:
        assert answer in teacher_text, f"{answer!r} is not on {teacher}"    # the list is the real answers
        assert answer not in learner_text, f"{learner} shows the answer {answer!r}"
    assert "no answers on this page" in learner_text


@pytest.mark.parametrize("source", ["worksheet_answers.md", "exit_ticket_answers.md"])
def test_the_answer_keys_numbers_are_computed(source):
    result = doctest.testfile(str(DOCS / source), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 3 and result.failed == 0, result
