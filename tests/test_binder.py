"""Binder: the image repo2docker would build installs the learner's set *and* convlab, on the pinned Python.

``jupyter-repo2docker --no-build --debug <repo>`` prints the Dockerfile it would build without
needing Docker. We read that Dockerfile the way Docker would run it, and let pip itself resolve
``binder/requirements.txt`` from the repo root (repo2docker's working directory) to prove that
convlab comes from this checkout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _requirement_lines(path: Path, seen=None) -> list[tuple[Path, str]]:
    """Every requirement line reachable from ``path`` through ``-r``, as (file, line) pairs.

    ``-r`` paths are relative to the file that names them (pip's rule); other local paths are left
    as written, because pip reads them relative to its working directory.
    """
    seen = set() if seen is None else seen
    path = path.resolve()
    assert path.exists(), f"{path} is named by a requirements file but does not exist"
    if path in seen:
        return []
    seen.add(path)
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"^(-r|--requirement)\s*=?\s*(\S+)$", line)
        if match:
            lines += _requirement_lines(path.parent / match.group(2), seen)
        else:
            lines.append((path, line))
    return lines


@pytest.fixture(scope="module")
def dockerfile() -> str:
    try:
        import repo2docker  # noqa: F401
    except ImportError:
        if _in_ci():
            pytest.fail("CI=true but jupyter-repo2docker is not installed (requirements-dev.txt)")
        pytest.skip("jupyter-repo2docker is not installed; `pip install -r requirements-dev.txt`")
    result = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", str(REPO)],
        capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"repo2docker --no-build failed ({result.returncode}):\n{output[-4000:]}"
    assert "FROM " in output, f"repo2docker printed no Dockerfile:\n{output[-4000:]}"
    return output


def _pinned_python() -> str:
    text = (BINDER / "runtime.txt").read_text(encoding="utf-8").strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", text)
    assert match, f"binder/runtime.txt should read like 'python-3.11'; got {text!r}"
    return match.group(1)


def test_runtime_txt_pins_python_3_11():
    # The lessons are tested on 3.11 here; Binder must not pick whatever is newest.
    assert _pinned_python() == "3.11"


def test_pinned_python_satisfies_pyproject_requires_python():
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'requires-python\s*=\s*">=\s*(\d+)\.(\d+)"', text)
    assert match, "pyproject.toml should state requires-python as '>=X.Y'"
    assert tuple(map(int, _pinned_python().split("."))) >= (int(match.group(1)), int(match.group(2)))


def test_repo2docker_builds_the_pinned_python(dockerfile):
    match = re.search(r"Building conda environment for python=(\d+\.\d+)", dockerfile)
    assert match, "repo2docker did not say which Python it builds"
    assert match.group(1) == _pinned_python()
    # The environment lock file it copies in is the one for that Python.
    assert f"environment.py-{_pinned_python()}-linux-64.lock" in dockerfile.replace("-2e", ".").replace(
        "-2d", "-")


def test_repo2docker_copies_the_repo_before_installing_binder_requirements(dockerfile):
    lines = dockerfile.splitlines()
    copy_repo = [i for i, ln in enumerate(lines) if re.match(r"COPY\b.*\bsrc/\s+\$\{REPO_DIR\}/?\s*$", ln)]
    install = [i for i, ln in enumerate(lines) if "pip install" in ln and "binder/requirements.txt" in ln]
    assert copy_repo, "the Dockerfile never copies the whole repository (COPY src/ ${REPO_DIR}/)"
    assert len(install) == 1, f"expected one pip install of binder/requirements.txt; found {len(install)}"
    assert copy_repo[0] < install[0], (
        "binder/requirements.txt is installed before the repository is copied, so `-e .` would not "
        "find convlab")
    # pip runs in the repo root, where `.` means convlab.
    workdirs = [ln for ln in lines[: install[0]] if ln.startswith("WORKDIR")]
    assert workdirs and workdirs[-1].split()[1] == "${REPO_DIR}"
    # No other requirements file (the root one, or the dev one) is installed behind our back.
    others = [ln for ln in lines if "pip install" in ln and "requirements" in ln and ln not in
              (lines[install[0]],)]
    assert not others, f"unexpected installs: {others}"


def test_repo2docker_uses_no_postbuild_or_other_build_files(dockerfile):
    # Only runtime.txt and requirements.txt are needed; anything else would slow every Binder build.
    extra = {"postBuild", "apt.txt", "environment.yml", "install.R", "start", "Project.toml"}
    present = sorted(p.name for p in BINDER.iterdir() if p.name in extra)
    assert not present, f"binder/ has build files nobody tests: {present}"
    commands = [ln for ln in dockerfile.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    assert not [ln for ln in commands if "postBuild" in ln], "the image runs a postBuild script"


def test_binder_requirements_are_the_learners_set_plus_convlab_and_no_test_tools():
    lines = _requirement_lines(BINDER / "requirements.txt")
    names = {re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower() for _, line in lines}
    learner = {re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower()
               for _, line in _requirement_lines(REPO / "requirements.txt")}
    assert learner <= names, f"binder misses learner requirements: {sorted(learner - names)}"
    local = [line for _, line in lines if re.fullmatch(r"(-e\s+|--editable\s+)?\.(\[.*\])?/?", line)]
    assert local, "binder/requirements.txt does not install convlab itself (`.` or `-e .`)"
    for dev_only in ("pytest", "hypothesis", "scipy", "playwright", "jupyterhub", "jupyter-repo2docker"):
        assert dev_only not in names, f"{dev_only} belongs in requirements-dev.txt, not the Binder image"


def test_pip_resolves_binder_requirements_to_this_checkout_of_convlab(tmp_path):
    # What the Dockerfile's RUN does, minus dependencies: pip, in a copy of the repo
    # (the image's REPO_DIR), reports which projects it would install and from where.
    repo_dir = tmp_path / "repo"
    shutil.copytree(REPO, repo_dir, ignore=shutil.ignore_patterns(
        ".git", "node_modules", "npm", "test-artifacts", "__pycache__", "*.egg-info", "build"))
    report = tmp_path / "report.json"
    result = subprocess.run(
        # Build isolation on, as in the image: convlab's build backend comes from the index, not
        # from whatever setuptools this environment happens to have.
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--ignore-installed",
         "--quiet", "--report", str(report), "-r", "binder/requirements.txt"],
        cwd=repo_dir, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, f"pip could not resolve binder/requirements.txt:\n{result.stderr[-3000:]}"
    installs = json.loads(report.read_text())["install"]
    convlab = [item for item in installs if item["metadata"]["name"].lower() == "convlab"]
    assert convlab, f"pip would not install convlab; it would install {[i['metadata']['name'] for i in installs]}"
    url = convlab[0]["download_info"]["url"]
    assert Path(urllib.parse.urlparse(url).path).resolve() == repo_dir.resolve(), url
