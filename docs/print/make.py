"""Print-styled HTML pages from the class handouts' markdown: ``python docs/print/make.py``.

The learners' pages (worksheet, exit ticket) and the teacher's (their answers, the projecting checklist)
are separate files, so a printed learner page cannot carry an answer; ``tests/test_printables.py`` checks
that and that the pages here match their markdown. Only the markdown the handouts use is understood:
headings, paragraphs, bold, italic, inline code, fenced code, tables, lists, links and rules.
Standard library only; every page is written atomically. The print styling (A4 margins, 11.5 pt text,
tables and code kept whole on a page) is in ``print.css`` beside the pages.
"""

from __future__ import annotations

import html
import os
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent

PAGES = {  # page -> (markdown source, who it is for)
    "worksheet.html": ("worksheet.md", "learner"),
    "exit_ticket.html": ("exit_ticket.md", "learner"),
    "worksheet_answers.html": ("worksheet_answers.md", "teacher"),
    "exit_ticket_answers.html": ("exit_ticket_answers.md", "teacher"),
    "projecting.html": ("projecting.md", "teacher"),
}



def _inline(text: str) -> str:
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(f"<code>{html.escape(part[1:-1])}</code>")
            continue
        s = html.escape(part, quote=False)
        s = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", lambda m: f'<a href="{_link(m.group(2))}">{m.group(1)}</a>', s)
        s = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)
        s = re.sub(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])", r"<em>\1</em>", s)
        out.append(s)
    return "".join(out)


def _link(target: str) -> str:
    """Links between handouts point at their printable pages; other docs links at the markdown in docs/."""
    if re.match(r"[a-z]+:", target):
        return target
    if target.startswith("print/"):
        return target[len("print/"):]
    for page, (source, _) in PAGES.items():
        if target.split("#")[0] == source:
            return page
    return "../" + target


def to_html(markdown: str) -> str:
    """The body HTML of the handout markdown."""
    lines = markdown.splitlines()
    out: list[str] = []
    para: list[str] = []
    lists: list[tuple[str, int]] = []   # open lists: (tag, indent)
    i = 0

    def flush():
        if para:
            out.append(f"<p>{_inline(' '.join(p.strip() for p in para))}</p>")
            para.clear()

    def close_lists(indent: int = -1):
        while lists and lists[-1][1] > indent:
            out.append(f"</li></{lists.pop()[0]}>")

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            block = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            indent = min((len(b) - len(b.lstrip()) for b in block if b.strip()), default=0)
            out.append("<pre>" + html.escape("\n".join(b[indent:] for b in block)) + "</pre>")
            i += 1
            continue
        if not stripped:
            flush()
            i += 1
            continue
        heading = re.match(r"(#{1,3}) (.*)", stripped)
        if heading:
            flush(); close_lists()
            n = len(heading.group(1))
            out.append(f"<h{n}>{_inline(heading.group(2))}</h{n}>")
            i += 1
            continue
        if stripped == "---":
            flush(); close_lists()
            out.append("<hr>")
            i += 1
            continue
        if stripped.startswith("|"):
            flush(); close_lists()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append([c.strip() for c in lines[i].strip().strip("|").split("|")])
                i += 1
            head, body = rows[0], [r for r in rows[2:]]
            out.append("<table><thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr></thead><tbody>"
                       + "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in body)
                       + "</tbody></table>")
            continue
        item = re.match(r"(\s*)(\d+\.|-) (.*)", line)
        if item:
            flush()
            indent = len(item.group(1))
            tag = "ol" if item.group(2)[0].isdigit() else "ul"
            if lists and lists[-1][1] == indent:
                out.append("</li>")
            elif not lists or lists[-1][1] < indent:
                start = f' start="{item.group(2)[:-1]}"' if tag == "ol" and item.group(2) != "1." else ""
                out.append(f"<{tag}{start}>")
                lists.append((tag, indent))
            else:
                close_lists(indent)
                out.append("</li>")
            out.append(f"<li>{_inline(item.group(3))}")
            i += 1
            # continuation lines of the item (indented text that is not a new item or a code block)
            while i < len(lines) and lines[i].startswith(" " * (indent + 2)) and lines[i].strip() \
                    and not re.match(r"\s*(\d+\.|-) ", lines[i]) and not lines[i].strip().startswith("```"):
                out[-1] += " " + _inline(lines[i].strip())
                i += 1
            continue
        if lists and not line.startswith(" "):
            close_lists()
        para.append(line)
        i += 1
    flush(); close_lists()
    return "\n".join(out)


def page(name: str) -> str:
    """The whole printable page ``name`` (a key of PAGES)."""
    source, who = PAGES[name]
    markdown = (DOCS / source).read_text(encoding="utf-8")
    title = re.search(r"^# (.*)$", markdown, re.M).group(1)
    note = "for the learner — no answers on this page" if who == "learner" else "for the teacher"
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            '<link rel="stylesheet" href="print.css"></head>\n'
            f"<body><div class=\"who\">convlab · {note}</div>\n"
            f"{to_html(markdown)}\n</body></html>\n")


def write_all(folder: Path = HERE) -> list[Path]:
    """Write every page (they share the style sheet print.css, written by hand next to them)."""
    written = []
    for name, text in [(name, page(name)) for name in PAGES]:
        target = folder / name
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path.relative_to(DOCS.parent))
    sys.exit(0)
