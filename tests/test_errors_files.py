"""Files: save_animation checks everything before drawing, streams frames and writes atomically; and
nothing else in the package writes a file except through an atomic replace (issue 13)."""

from __future__ import annotations

import pathlib
import re

import numpy as np
import pytest
from PIL import Image

from convlab import save_animation
from convlab.figures.step_figure import StepFigure

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _frames(path) -> int:
    with Image.open(path) as im:
        return im.n_frames


@pytest.mark.parametrize("kwargs, exc, pattern", [
    (dict(dpi=0), ValueError, r"dpi must be at least 10; got 0"),  # was a StopIteration after rendering
    (dict(dpi=10**5), ValueError, r"dpi must be at most 600; got 100000"),  # a 60,000-pixel-wide frame
    (dict(dpi="72"), TypeError, r"dpi must be a number; got '72'"),
    (dict(fps=0), ValueError, r"fps must be at least 0.1; got 0"),
    (dict(fps=float("nan")), ValueError, r"fps must be a finite number"),
    (dict(fps=1000), ValueError, r"fps must be at most 50"),  # GIF delays are in hundredths of a second
    (dict(phases="yes"), TypeError, r"phases must be True or False"),
    (dict(progress=5), TypeError, r"progress must be a function"),
    (dict(image=np.zeros((60, 60)), phases=True), ValueError, r"16,820 frames; the limit is 1,000"),
    (dict(speed=2), TypeError, r"unknown setting\(s\) speed"),
])
def test_save_animation_checks_arguments_before_drawing_a_frame(monkeypatch, tmp_path, kwargs, exc, pattern):
    drawn = []
    monkeypatch.setattr(StepFigure, "show", lambda self, *a, **k: drawn.append(a))
    with pytest.raises(exc, match=pattern):
        save_animation(tmp_path / "walk.gif", **kwargs)
    assert drawn == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path, exc, pattern", [
    ("walk.png", ValueError, r"path must end in .gif; got 'walk.png'"),
    ("no/such/folder/walk.gif", ValueError, r"path's folder 'no/such/folder' does not exist"),
    (None, TypeError, r"path must be a file name"),
    (42, TypeError, r"path must be a file name .*got 42"),
])
def test_save_animation_checks_the_path_first(monkeypatch, tmp_path, path, exc, pattern):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(exc, match=pattern):
        save_animation(path)


def test_save_animation_refuses_a_folder_as_path(tmp_path):
    (tmp_path / "x.gif").mkdir()
    with pytest.raises(ValueError, match=r"path .*is a folder"):
        save_animation(tmp_path / "x.gif")


def test_an_interrupted_export_leaves_the_existing_gif_untouched(tmp_path):
    target = tmp_path / "walk.gif"
    save_animation(target, dpi=20)
    before = target.read_bytes()
    assert _frames(target) == 9

    def interrupt(done, total):
        if done == 2:
            raise KeyboardInterrupt  # the teacher presses stop half way

    with pytest.raises(KeyboardInterrupt):
        save_animation(target, dpi=20, stride=1, padding=1, progress=interrupt)
    assert target.read_bytes() == before  # before: replaced by a 1-frame file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["walk.gif"]  # no temporary file left behind


def test_a_failure_on_the_first_frame_surfaces_its_real_cause(monkeypatch, tmp_path):
    calls = []
    real = StepFigure.show

    def broken(self, *args, **kwargs):  # the set-up draw works; drawing the first frame to keep fails
        calls.append(args)
        if len(calls) >= 2:
            raise RuntimeError("the real cause")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(StepFigure, "show", broken)
    with pytest.raises(RuntimeError, match="the real cause"):  # before: an IndexError from the writer
        save_animation(tmp_path / "walk.gif")
    assert list(tmp_path.iterdir()) == []


def test_gif_has_one_frame_per_window_or_five_with_phases_and_the_asked_pace(tmp_path):
    one = save_animation(tmp_path / "one.gif", dpi=20, fps=4)
    five = save_animation(tmp_path / "five.gif", dpi=20, phases=True)
    assert _frames(one) == 9 and _frames(five) == 45
    with Image.open(one) as im:
        assert im.info["duration"] == 250 and im.info.get("loop") == 0
        im.seek(8)
        assert np.asarray(im.convert("RGB")).std() > 0  # a real picture, not a blank frame


def test_frames_are_streamed_not_kept(monkeypatch, tmp_path):
    # each frame is written before the next one is drawn: drawing (StepFigure.show) and writing (the
    # progress callback, called once a frame is in the file) alternate; a writer that kept every frame
    # would draw all nine first
    events = []
    real = StepFigure.show

    def show(self, *args, **kwargs):
        events.append("draw")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(StepFigure, "show", show)
    save_animation(tmp_path / "walk.gif", dpi=20, progress=lambda done, total: events.append("write"))
    first = events.index("write") - 1  # the draws before it set the figure up
    assert events[first:] == ["draw", "write"] * 9


# files the package writes: only save_animation, and only through os.replace
_WRITES = re.compile(r"""open\([^)]*["'][wax]b?\+?["']|\.savefig\(|\.save\(|write_text\(|write_bytes\(|\.mkstemp\(""")


def test_every_file_the_package_writes_is_written_atomically():
    offenders = []
    for source in sorted((ROOT / "convlab").rglob("*.py")):
        text = source.read_text()
        for lineno, line in enumerate(text.splitlines(), start=1):
            code = line.split("#")[0]
            if not _WRITES.search(code) or ">>>" in line:
                continue
            if re.search(r"savefig\((buf|io\.BytesIO)", code) or "format=" in code and "buf" in code:
                continue  # into memory, not a file
            if "os.replace" in text and ("mkstemp" in text or "O_EXCL" in text) and ("mkstemp" in code or "fdopen" in code):
                continue  # a temporary file in the same folder, then os.replace
            offenders.append(f"{source.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert offenders == []


# ---------------------------------------------------------------- issue 21: permissions, stale temporaries, words


def _export(path, **kwargs):
    save_animation(path, np.arange(9.0).reshape(3, 3), np.ones((2, 2)), dpi=20, **kwargs)


def _save_network(path):
    from convlab.nets.network import TrainingRun, init_network, save_network

    run = TrainingRun(init_network(image_size=8, filters=2), np.array([1.0]), None, 0)
    save_network(path, run, settings={"filters": 2}, data_digest="x")


@pytest.mark.parametrize("save, name", [
    (_export, "walk.gif"),  # the GIF export replaced a 0644 file with a 0600 one (mkstemp's mode)
    (_save_network, "net.npz"),  # save_network forced 0644 whatever the file had
])
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_a_replaced_file_keeps_its_permissions(tmp_path, save, name, mode):
    target = tmp_path / name
    target.write_bytes(b"old")
    target.chmod(mode)
    save(target)
    assert target.stat().st_mode & 0o777 == mode
    assert target.read_bytes() != b"old"


@pytest.mark.parametrize("save, name", [(_export, "walk.gif"), (_save_network, "net.npz")])
def test_a_new_file_gets_the_permissions_open_would_give(tmp_path, save, name):
    import os

    umask = os.umask(0o022)
    try:
        save(tmp_path / name)
    finally:
        os.umask(umask)
    assert (tmp_path / name).stat().st_mode & 0o777 == 0o644  # 0666 minus the umask, not mkstemp's 0600


def _dead_pid():
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.mark.parametrize("save, name", [(_export, "walk.gif"), (_save_network, "net.npz")])
def test_the_next_export_removes_what_a_killed_export_left_and_nothing_else(tmp_path, save, name):
    import os

    stale = tmp_path / f".{name}.convlab-{_dead_pid()}-0123456789abcdef.part"  # a killed export's file
    alive = tmp_path / f".{name}.convlab-{os.getppid()}-0123456789abcdef.part"  # a live process's: in use
    other = tmp_path / f".{name}-notes.part"  # not one of our names
    mine_elsewhere = tmp_path / f".other.gif.convlab-{_dead_pid()}-0123456789abcdef.part"  # another target's
    for f in (stale, alive, other, mine_elsewhere):
        f.write_bytes(b"partial")
    save(tmp_path / name)
    assert not stale.exists()
    assert alive.exists() and other.exists() and mine_elsewhere.exists()


def test_a_killed_export_leaves_a_part_file_that_the_next_export_removes(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    target = tmp_path / "walk.gif"
    code = ("import os, signal, numpy as np\n"
            "import convlab.figures.animation as a\n"
            "def progress(done, total):\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n"  # killed in the middle of writing the frames
            f"a.save_animation({str(target)!r}, np.arange(9.0).reshape(3, 3), np.ones((2, 2)), dpi=20, progress=progress)\n")
    proc = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, MPLBACKEND="Agg"))
    assert proc.returncode == -signal.SIGKILL
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]  # the killed export's leftover
    _export(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["walk.gif"]


def test_a_failed_write_names_the_target_not_the_temporary_file(tmp_path, monkeypatch):
    import os

    def vanish(src, dst):  # the folder is removed under the export
        raise FileNotFoundError(2, "No such file or directory", str(src), str(dst))

    monkeypatch.setattr(os, "replace", vanish)
    with pytest.raises(FileNotFoundError) as info:
        _export(tmp_path / "walk.gif")
    assert "walk.gif" in str(info.value) and ".part" not in str(info.value) and "convlab-" not in str(info.value)
    assert list(tmp_path.iterdir()) == []
