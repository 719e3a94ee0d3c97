"""The layers hold: import-linter's contracts (pyproject.toml) run inside the test suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept():
    import tomllib

    # next to this interpreter, so a venv that is not activated (its bin not on PATH) still finds it
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        found = shutil.which("lint-imports")
        if found is None:
            pytest.fail("lint-imports is missing: pip install -r requirements-dev.txt (it lists import-linter)")
        exe = Path(found)
    result = subprocess.run([str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert f"{len(contracts)} kept, 0 broken" in result.stdout, result.stdout[-2000:]


def test_the_layer_contract_names_every_subpackage():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    packages = sorted(f"convlab.{p.name}" for p in (ROOT / "convlab").iterdir()
                      if p.is_dir() and (p / "__init__.py").exists() and not p.name.startswith("_"))
    assert sorted(layers) == packages and len(layers) >= 4


def test_importing_convlab_loads_neither_matplotlib_nor_ipywidgets():
    code = "import convlab, sys; print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_lessons_and_the_pulse_client_load_none_of_the_hubs_packages():
    # The class pulse's service needs jupyterhub, SQLAlchemy and tornado; a learner's kernel never does.
    code = ("import sys, convlab, convlab.pulse, convlab.lessons.exercises as ex\n"
            "convlab.pulse_status(); ex.Question(ex.check_number, 4, why='2 + 2 = 4').check(3)\n"
            "print(sorted(m for m in ('jupyterhub', 'sqlalchemy', 'tornado', 'convlab.pulse.hub') if m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONVLAB_PULSE", "JUPYTERHUB_"))}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True, env=env)
    assert out.stdout.strip() == "[]"


def test_short_module_names_are_real_modules_with_every_public_name():
    import importlib.util

    import convlab.images
    import convlab.kernels
    from convlab.data import images, kernels

    for short, full in ((convlab.images, images), (convlab.kernels, kernels)):
        assert importlib.util.find_spec(short.__name__).origin.endswith(short.__name__.split(".")[-1] + ".py")
        assert short.__all__ == full.__all__
        assert all(getattr(short, name) is getattr(full, name) for name in full.__all__)


# Rank of each layer, lowest first (the layers contract in pyproject.toml, read bottom up); the short names
# convlab.images/kernels are the data layer, and the top-level package loads the data layer too.
_RANK = {"_shared": 0, "core": 1, "views": 2, "data": 3, "images": 3, "kernels": 3, "nets": 4, "lessons": 5,
         "figures": 6, "widgets": 7}


def _doctest_imports(path):
    """(line, imported module) for every import written in a doctest line (>>> or ...) of one file."""
    import ast
    import re

    for m in re.finditer(r"^\s*(?:>>>|\.\.\.) (.*)$", path.read_text(), re.M):
        try:
            tree = ast.parse(m.group(1).strip())
        except SyntaxError:  # a continuation line that is not a statement alone
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                yield from ((m.group(1), a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield m.group(1), node.module


@pytest.mark.parametrize("layer", ["_shared", "core", "views", "data", "nets", "lessons", "figures"])
def test_doctests_import_nothing_from_a_higher_layer(layer):
    upward = []
    for path in sorted((ROOT / "convlab" / layer).rglob("*.py")):
        for line, module in _doctest_imports(path):
            parts = module.split(".")
            if parts[0] != "convlab":
                continue
            rank = 3 if len(parts) == 1 else _RANK[parts[1]]
            if rank > _RANK[layer]:
                upward.append(f"{path.relative_to(ROOT)}: {line}")
    assert upward == [], "doctests importing a higher layer (write the lesson's arrays inline):\n" + "\n".join(upward)


def _third_party_imports(folder):
    """{top-level name: {module paths}} of every import of a package outside the standard library and convlab."""
    import ast

    found = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "convlab":
                    found.setdefault(top, set()).add(path.relative_to(ROOT).as_posix())
    return found


# import name -> distribution name, where they differ
_DISTRIBUTION = {"PIL": "pillow", "IPython": "ipython"}


def test_every_package_the_code_imports_is_a_declared_dependency():
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    def names(requirements):
        return {re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0].lower() for d in requirements}

    declared = names(project["dependencies"])
    hub_side = names(project["optional-dependencies"]["pulse"])  # the pulse service, installed on the hub
    imported = _third_party_imports(ROOT / "convlab")
    assert {"numpy", "matplotlib", "PIL"} <= set(imported)  # the scan sees the package's imports
    missing = {}
    for name, paths in imported.items():
        dist = _DISTRIBUTION.get(name, name).lower()
        on_hub = all(p.startswith("convlab/pulse/hub/") for p in paths) and dist in hub_side
        if dist not in declared and not on_hub:
            missing[name] = sorted(paths)
    assert not missing, f"imported but not in pyproject.toml's dependencies (or its 'pulse' extra): {missing}"


def test_the_data_layer_uses_matplotlib_only_to_read_its_sample_photo():
    import ast

    uses = []
    for path in sorted((ROOT / "convlab" / "data").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "matplotlib":
                uses += [(path.name, node.module, a.name) for a in node.names]
            elif isinstance(node, ast.Import):
                uses += [(path.name, a.name, None) for a in node.names if a.name.split(".")[0] == "matplotlib"]
    # cbook.get_sample_data finds the photo, image.imread decodes it: reading a file, no drawing
    assert sorted(uses) == [("images.py", "matplotlib", "cbook"), ("images.py", "matplotlib", "image")]


def _notebook_imports():
    """(notebook, module) for every ``import convlab...`` / ``from convlab... import`` in a code cell."""
    import ast
    import json

    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            try:
                tree = ast.parse("\n".join(ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "convlab":
                    yield nb.name, node.module
                elif isinstance(node, ast.Import):
                    yield from ((nb.name, a.name) for a in node.names if a.name.split(".")[0] == "convlab")


def test_notebooks_import_from_one_obvious_place():
    # the engine's names from `convlab` itself; everything else from its layer's public modules; nothing private
    found = list(_notebook_imports())
    assert len(found) > 20  # the scan reads the lessons' imports
    wrong = sorted({(nb, m) for nb, m in found
                    if m.startswith(("convlab.core", "convlab.views", "convlab._shared"))
                    or any(part.startswith("_") for part in m.split("."))})
    assert wrong == [], "import these from `convlab` (the engine) or their layer's public module: " + repr(wrong)


def test_every_public_name_imports_from_the_top_level_and_its_home():
    import importlib
    import pkgutil

    import convlab

    assert all(getattr(convlab, name) is not None for name in convlab.__all__)
    for info in pkgutil.walk_packages(convlab.__path__, "convlab."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]) or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        missing = [name for name in getattr(module, "__all__", []) if not hasattr(module, name)]
        assert missing == [], f"{info.name}.__all__ lists names it does not define: {missing}"
