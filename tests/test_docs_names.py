"""Every dotted ``convlab.…`` name that README.md and docs/*.md show in code font imports.

A learner copies these names into a cell; a name that raises ModuleNotFoundError or AttributeError is a
broken promise. A paragraph that names a *removed* module on purpose (to say where its contents went)
carries the marker ``<!-- removed names -->`` and is left out. A folder written with a trailing slash
(``convlab.git/``) is not a name.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "CONTRIBUTING.md"]
REMOVED_MARKER = "<!-- removed names -->"
_SPAN = re.compile(r"`([^`\n]+)`")
_NAME = re.compile(r"(?<![\w.\"'])convlab(?:\.[A-Za-z_]\w*)+(?![\w/])")
_FENCE = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def documented_names(text: str) -> set[str]:
    """The dotted names in inline code and in ```python blocks, outside paragraphs marked as about removed names."""
    names = set()
    for block in _FENCE.findall(text):
        names.update(_NAME.findall(block))
    prose = _FENCE.sub("", text)
    for paragraph in re.split(r"\n\s*\n", prose):
        if REMOVED_MARKER in paragraph:
            continue
        for span in _SPAN.findall(paragraph):
            names.update(_NAME.findall(span))
    return names


def resolves(name: str) -> bool:
    """Import the longest module prefix of ``name``, then read the rest as attributes."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


CASES = sorted({(path.relative_to(ROOT).as_posix(), name) for path in DOCS if path.exists()
                for name in documented_names(path.read_text(encoding="utf-8"))})


def test_the_documents_name_modules_at_all():
    # the scan must find something, or the table below passes on nothing
    assert len(CASES) >= 10 and {doc for doc, _ in CASES} >= {"README.md", "docs/architecture.md"}


@pytest.mark.parametrize("doc, name", CASES)
def test_every_documented_name_imports(doc, name):
    assert resolves(name), f"{doc} shows `{name}`, which does not import"


@pytest.mark.parametrize("text, expected", [
    ("use `convlab.nets.learn` here", {"convlab.nets.learn"}),  # inline code is read
    ("plain convlab.nowhere in prose", set()),  # prose outside code font is not a promise
    ("the folder `convlab.git/`", set()),  # a folder, written with its slash
    ("`convlab.conv` moved <!-- removed names -->", set()),  # a marked paragraph about a removed module
    ("```python\nfrom convlab.core import limits\n```", {"convlab.core"}),  # python blocks are read
    ('`"kind": "convlab.walk"`', set()),  # a quoted string value, not a name
])
def test_the_scanner_reads_code_font_only(text, expected):
    assert documented_names(text) == expected


def test_a_missing_name_is_caught():
    assert resolves("convlab.views.walk.view_model") and not resolves("convlab.exercises")
    assert not resolves("convlab.views.walk.no_such_function")
