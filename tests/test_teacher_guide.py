"""The teacher guide's times and plan, recomputed from the stored notebooks (docs/teacher_guide.md).

The guide states its method — 120 words a minute, 15 s per code cell, 1 minute per live widget, 2.5 minutes
per exercise — and tables of counts and minutes. Here the counts are made again from the notebooks and
the minutes from the counts, so a lesson that grows cannot leave the 45-minute plan silently overfull.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "teacher_guide.md"
WORDS_PER_MINUTE, MINUTES_PER_CELL, MINUTES_PER_WIDGET, MINUTES_PER_EXERCISE = 120, 0.25, 1.0, 2.5

# The 45-minute plan: (slot start, end, lesson, sections done in class, exercises done in class by id).
# Rows without a lesson are fixed times (logging in, the hook, the exit ticket) and are not counted.
PLAN = [
    (0, 4, None, (), ()),
    (4, 6, None, (), ()),
    (6, 15, "01", ("1.2", "1.3", "1.5"), ("01.1",)),
    (15, 23, "02", ("2.1", "2.2", "2.3", "2.5"), ()),      # 2.4 (slide) is narrated while stepping 2.5's walk
    (23, 35, "03", ("3.1", "3.2", "3.4"), ("03.1",)),
    (35, 40, "04", ("4.4",), ("04.2",)),
    (40, 45, None, (), ()),
]


def notebook(lesson: str) -> Path:
    return next((ROOT / "notebooks").glob(f"{lesson}_*.ipynb"))


def counts(lesson: str, sections=None) -> dict:
    """Words, code cells, live widgets and exercises of a lesson (or of the ``## N.M`` sections named)."""
    cells = json.loads(notebook(lesson).read_text(encoding="utf-8"))["cells"]
    current, total = "", dict(words=0, code=0, widgets=0, exercises=0)
    for cell in cells:
        src = "".join(cell["source"])
        heading = re.search(r"^## (\d+\.\d+)\b", src, re.M)
        if cell["cell_type"] == "markdown" and re.search(r"^## ", src, re.M):
            current = heading.group(1) if heading else ""
        if sections is not None and current not in sections:
            continue
        if cell["cell_type"] == "markdown":
            total["words"] += len(re.findall(r"[A-Za-z0-9\u2212]+", re.sub(r"\$[^$]*\$", "x", src)))
            total["exercises"] += len(re.findall(r"^\*\*Exercise \d", src, re.M))
        else:
            total["code"] += 1
            is_widget = "NBVAL_IGNORE_OUTPUT" in src and "Quiz(" not in src and \
                re.search(r"\bExplorer\(|Viewer\(|^ex$", src, re.M)
            total["widgets"] += bool(is_widget)
    return total


def minutes(c: dict, exercises: int | None = None) -> float:
    n = c["exercises"] if exercises is None else exercises
    return round(c["words"] / WORDS_PER_MINUTE + c["code"] * MINUTES_PER_CELL + c["widgets"] * MINUTES_PER_WIDGET
                 + n * MINUTES_PER_EXERCISE, 1)


def self_study_rows() -> list[str]:
    rows = []
    for path in sorted((ROOT / "notebooks").glob("0[0-7]_*.ipynb")):
        c = counts(path.stem[:2])
        rows.append(f"| {path.stem} | {c['words']} | {c['code']} | {c['widgets']} | {c['exercises']} | "
                    f"{math.ceil(minutes(c))} min |")
    return rows


def plan_rows() -> list[str]:
    rows = []
    for start, end, lesson, sections, exercises in PLAN:
        if lesson is None:
            continue
        c = counts(lesson, sections)
        rows.append(f"| {start}–{end} | {lesson}: {', '.join(sections)}; exercises {', '.join(exercises) or 'none'} "
                    f"| {c['words']} | {c['code']} | {c['widgets']} | {len(exercises)} | "
                    f"{minutes(c, len(exercises))} min | {end - start} min |")
    return rows


def section_rows(lesson: str) -> list[str]:
    """One row per ``## N.M`` section of a lesson (lesson 7's timing in the guide)."""
    cells = json.loads(notebook(lesson).read_text(encoding="utf-8"))["cells"]
    names = [m.group(1) for c in cells if c["cell_type"] == "markdown"
             for m in [re.search(r"^## (\d+\.\d+)\b", "".join(c["source"]), re.M)] if m]
    rows = []
    for name in names:
        c = counts(lesson, (name,))
        rows.append(f"| {name} | {c['words']} | {c['code']} | {c['widgets']} | {c['exercises']} | {minutes(c)} min |")
    return rows


def test_the_plan_fills_45_minutes_without_gaps():
    assert PLAN[0][0] == 0 and PLAN[-1][1] == 45
    assert all(a[1] == b[0] for a, b in zip(PLAN, PLAN[1:]))


@pytest.mark.parametrize("row", PLAN, ids=lambda r: f"{r[0]}-{r[1]}")
def test_each_slot_holds_its_sections_by_the_guides_method(row):
    start, end, lesson, sections, exercises = row
    if lesson is None:
        return
    found = counts(lesson, sections)
    assert found["words"] > 0, f"lesson {lesson} has no sections {sections}"
    assert minutes(found, len(exercises)) <= end - start, (row, minutes(found, len(exercises)))


def test_the_guide_prints_the_counted_tables():
    guide = GUIDE.read_text(encoding="utf-8")
    for line in self_study_rows() + section_rows("07") + [row.split(" | ", 1)[1] for row in plan_rows()]:
        assert line in guide, f"the guide should say:\n{line}"   # (a plan row may start with what the teacher does)


def test_the_guide_states_its_method():
    guide = GUIDE.read_text(encoding="utf-8")
    for said in ("**120 words a minute**", "**15 s per code cell**", "**1 minute per Explorer or viewer**",
                 "**2.5 minutes per exercise**"):
        assert said in guide, said


@pytest.mark.parametrize("lesson", ["01", "02", "03", "04", "05", "06", "07"])
def test_each_lesson_states_the_time_the_count_gives(lesson):
    text = "".join("".join(c["source"]) for c in json.loads(notebook(lesson).read_text(encoding="utf-8"))["cells"])
    stated = re.search(r"\*Time:\* about (\d+) minutes", text)
    assert stated and int(stated.group(1)) == math.ceil(minutes(counts(lesson))), (lesson, stated and stated.group(0))
