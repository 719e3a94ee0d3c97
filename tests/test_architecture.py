"""The layers hold: import-linter's contracts (pyproject.toml) run inside the test suite."""

from __future__ import annotations

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


def test_short_module_names_are_real_modules_with_every_public_name():
    import importlib.util

    import convlab.images
    import convlab.kernels
    from convlab.data import images, kernels

    for short, full in ((convlab.images, images), (convlab.kernels, kernels)):
        assert importlib.util.find_spec(short.__name__).origin.endswith(short.__name__.split(".")[-1] + ".py")
        assert short.__all__ == full.__all__
        assert all(getattr(short, name) is getattr(full, name) for name in full.__all__)
