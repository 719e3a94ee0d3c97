"""CONTRIBUTING.md and docs/architecture.md walk a newcomer through the tree: every path they name exists.

A path is a code-font span that looks like a file or folder of this repository: it starts with one of the
top-level folders (``convlab/``, ``tests/``, ``docs/``, ``benchmarks/``, ``notebooks/``) or is a file
at the root (``README.md``, ``pyproject.toml``, ...). Inside ``docs/architecture.md`` the modules of the
layer table are checked too (``core/ops.py`` is ``convlab/core/ops.py``). A pattern (``tests/test_errors*.py``)
must match at least one file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_SPAN = re.compile(r"`([^`\n]+)`")
_TOP = ("convlab/", "tests/", "docs/", "benchmarks/", "notebooks/", "binder/")
_ROOT_FILES = re.compile(r"^[\w.-]+\.(md|toml|txt|cfg)$")


def named_paths(text: str, *, package_relative: bool = False) -> set[str]:
    """Repository paths written in code font; with ``package_relative``, ``core/ops.py`` means convlab/core/ops.py."""
    found = set()
    for span in _SPAN.findall(text):
        if re.search(r"[\s(),=*]", span) and not span.startswith(_TOP):
            continue  # code, not a path
        word = span.strip().rstrip(".,:;")
        if word.startswith(_TOP) or _ROOT_FILES.match(word):
            found.add(word)
        elif package_relative and re.match(r"^(_shared|core|views|data|nets|lessons|figures|widgets)/[\w./]*$", word):
            found.add("convlab/" + word)
    return found


CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
CASES = sorted({("CONTRIBUTING.md", p) for p in named_paths(CONTRIBUTING, package_relative=True)}
               | {("docs/architecture.md", p) for p in named_paths(ARCHITECTURE, package_relative=True)})


def test_the_walk_through_names_the_files_of_every_layer():
    paths = {p for doc, p in CASES if doc == "CONTRIBUTING.md"}
    for must in ("convlab/core/ops.py", "convlab/views/op_views.py", "tests/test_ops.py", "benchmarks/bench_ops.py",
                 "benchmarks/README.md"):
        assert must in paths, must  # the scan found the walk-through's key files (or it checks nothing)


@pytest.mark.parametrize("doc, path", CASES)
def test_every_path_named_exists(doc, path):
    assert any(ROOT.glob(path)), f"{doc} names `{path}`, which is not in the tree"  # a glob must match a file


@pytest.mark.parametrize("text, expected", [
    ("edit `convlab/core/ops.py` first", {"convlab/core/ops.py"}),  # a file of the package
    ("`pytest tests/test_ops.py -q`", set()),  # a command line, not a path
    ("the `core/ops.py` module", {"convlab/core/ops.py"}),  # architecture.md's package-relative names
    ("see `README.md`.", {"README.md"}),  # a root file
    ("`np.median`", set()),  # a name, not a path
])
def test_the_scanner_reads_paths_only(text, expected):
    assert named_paths(text, package_relative=True) == expected
