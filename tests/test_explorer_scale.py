"""The Explorer at full size: what one setting sends, the engine's limit refused in words, a hostile page,
and phases that show nothing ahead of what they announce. Public behaviour only: the widget's synced
state (what travels to the page), its traits, the caption and the view model's frames."""

from __future__ import annotations

import json

import numpy as np
import pytest

from convlab import Explorer
from convlab.core import limits
from convlab.views.op_views import OPERATIONS, operation_view
from convlab.views.walk import frame
from convlab.data.digits import make_digits
from convlab.images import SEED_IMAGE, SEED_KERNEL, sample_photo

DIGIT = make_digits(1, size=28)[0][0]  # a 28x28 digit, its values in [0, 1] with noise (many distinct values)


def _sent(ex) -> int:
    """Bytes of the widget's synced state as JSON (the view's module and style included): what one setting
    sends to the page. No binary buffers are used."""
    state = ex.widget.get_state()
    assert not any(isinstance(v, (bytes, memoryview)) for v in state.values())
    return len(json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode())


@pytest.mark.parametrize("kwargs, windows, at_most", [
    (dict(), 9, 60_000),                                                    # the 5x5 seed (the view's 39 kB module)
    (dict(image=DIGIT), 676, 150_000),                                      # 28x28 digit
    (dict(image=sample_photo((64, 64))), 3_844, 500_000),                   # 64x64 photo
    (dict(image=sample_photo((128, 128))), 15_876, 1_500_000),              # 128x128 image
    (dict(image=np.random.default_rng(0).random((128, 128))), 15_876, 1_500_000),  # floats: every value distinct
    (dict(image=sample_photo((32, 32), rgb=True)), 900, 400_000),            # 32x32 RGB
    (dict(image=DIGIT, operation="transposed convolution"), 784, 600_000),  # one step per input pixel
    (dict(image=sample_photo((64, 64)), operation="max pooling"), 3_844, 300_000),  # pool size 3, stride 1
])
def test_one_setting_sends_little_and_walks_every_window(kwargs, windows, at_most):
    ex = Explorer(**kwargs)
    assert ex.step.max == windows and ex.view_model["message"] == ""
    unit = "Pixel" if kwargs.get("operation") == "transposed convolution" else "Window"
    assert ex.caption.startswith(f"{unit} 1 of {windows:,} ·")
    ex.step.value = windows  # the last window draws too
    assert ex.caption.startswith(f"{unit} {windows:,} of {windows:,} ·")
    assert _sent(ex) <= at_most


def test_past_the_engines_walk_limit_the_refusal_comes_in_words_before_any_work():
    ex = Explorer(np.zeros((300, 300)), kernel=np.ones((1, 1)))  # 90,000 windows
    assert ex.walk is None and ex.step.disabled
    assert f"at most {limits.MAX_WINDOWS:,}" in ex.caption and "larger stride" in ex.caption
    ex.stride.value = 2  # 22,500 windows: within the limit, walked
    assert ex.walk is not None and ex.step.max == 150 * 150


# ------------------------------------------------------------------ the page is a client


class Page:
    """The page's copy of the synced state: what the widget sends it, and what it sends back."""

    def __init__(self, widget):
        self.widget = widget
        self.state = dict(widget.get_state())
        widget.comm.send = self._receive  # everything Python sends to the page lands here

    def _receive(self, data=None, metadata=None, buffers=None):
        if isinstance(data, dict) and data.get("method") in ("update", "echo_update"):
            self.state.update(data["state"])

    def send(self, **changes):
        self.state.update(changes)
        self.widget.set_state(changes)  # what the comm does with the page's message


HOSTILE = [
    # (what the page sends, why it matters)
    ({"window": 0}, "windows count from 1"),
    ({"window": 10**9}, "far past the last window"),
    ({"window": -1}, "negative"),
    ({"window": "3"}, "a string"),
    ({"window": 2.5}, "not a whole number"),
    ({"window": True}, "a bool is not a window number"),
    ({"window": None}, "nothing"),
    ({"phase": "bogus"}, "no such phase"),
    ({"phase": "max"}, "max pooling's phase, not convolution's"),
    ({"phase": 3}, "a number"),
    ({"family": "bogus"}, "no such filter"),
    ({"family": ["box blur"]}, "a list"),
    ({"operation": "max pooling"}, "not offered by this Explorer"),
    ({"operation": "bogus"}, "no such operation"),
    ({"stride": 0}, "no window would move"),
    ({"stride": -3}, "negative"),
    ({"stride": "2"}, "a string"),
    ({"padding": -1}, "negative padding"),
    ({"padding": 10**9}, "past the engine's padding limit: refused by the walk in words"),
    ({"kernel_size": 0}, "no filter"),
    ({"kernel_size": 10**6}, "past the largest filter: refused in words"),
    ({"dilation": 0}, "no spacing"),
    ({"flip": "yes"}, "not a bool"),
    ({"flip": 1}, "an int is not a bool"),
    ({"walk": {}}, "the view model is Python's, never the page's"),
    ({"limits": {"stride": [1, 10**9]}}, "the slider ranges are Python's"),
    ({"operations": ["convolution", "bogus"]}, "what is offered is Python's"),
    ({"families": ["bogus"]}, "what is offered is Python's"),
    ({"basic": "no"}, "read-only"),
    ({"notice": "hacked"}, "read-only"),
    ({"stride": 10**5}, "accepted as the constructor accepts it: one window"),
    ({"dilation": 10**4}, "accepted as the constructor accepts it: explained as not fitting"),
    ({"window": 5, "phase": "bogus"}, "one good and one bad value in one message"),
]


@pytest.mark.parametrize("changes, why", HOSTILE, ids=[w for _, w in HOSTILE])
def test_a_hostile_page_never_leaves_python_and_the_page_disagreeing(changes, why):
    ex = Explorer()
    page = Page(ex.widget)
    page.send(**changes)  # never raises
    synced = {k: v for k, v in ex.widget.get_state().items() if not k.startswith("_")}
    for name, value in synced.items():  # the page holds exactly what Python holds
        assert json.loads(json.dumps(page.state[name])) == json.loads(json.dumps(value)), name
    # Python holds a window, phase, family and operation it can show
    vm = ex.view_model
    assert ex.widget.operation in (ex.widget.operations or [ex.widget.operation])
    assert ex.widget.family in ex.widget.families and ex.widget.phase in vm["phases"]
    count = vm["windows"]["count"]
    assert 1 <= ex.widget.window <= max(1, count) and ex.step.value == ex.widget.window
    assert "Traceback" not in ex.caption and ex.caption
    if ex.widget.notice:  # a refusal says why, in the caption
        assert ex.caption.startswith(ex.widget.notice) and "Not changed" in ex.widget.notice or \
            "cannot change" in ex.widget.notice


def test_a_refused_value_keeps_the_last_good_state_and_a_good_one_clears_the_reason():
    ex = Explorer(window=4, phase="sum")
    page = Page(ex.widget)
    page.send(window=0)
    assert (ex.step.value, page.state["window"]) == (4, 4)
    assert "window must be a window number" in ex.caption.splitlines()[0]
    page.send(window=5)
    assert ex.step.value == 5 and ex.widget.notice == "" and ex.caption.startswith("Window 5 of 9 · sum")


# ------------------------------------------------------------------ nothing ahead of its phase


def _named_at(vm, announce: str) -> int:
    return vm["phases"].index(announce)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("image", [SEED_IMAGE, sample_photo(7, rgb=True)], ids=["gray", "rgb"])
def test_no_value_is_drawn_before_the_phase_that_names_it(operation, image):
    kernel = SEED_KERNEL if image.ndim == 2 else np.dstack([SEED_KERNEL] * 3)
    vm = operation_view(operation, image, kernel, size=2, stride=2, padding=1 if "pool" in operation else 0)
    n = vm["windows"]["count"]
    phases = vm["phases"]
    products_at = _named_at(vm, phases[1])  # "multiply", "max" or "mean": the products/window values
    answer_at = _named_at(vm, {"convolution": "sum"}.get(operation, phases[1]))
    lands_at = _named_at(vm, "add" if operation == "transposed convolution" else "collect")
    for index in sorted({0, 1, n // 2, n - 1}):
        before = frame(vm, index - 1, phases[-1])["grids"]["map"][0]["labels"] if index else None
        for p, phase in enumerate(phases):
            f = frame(vm, index, phase)
            line = f["caption"].splitlines()[0]
            if operation != "transposed convolution":  # its caption writes the pixel's value from the start
                assert (f["sums"][0].endswith("?") or f["sums"][0] == "") is (p < answer_at), (index, phase)
            assert (set(f["grids"]["products"][0]["labels"]) == {""}) is (p < products_at), (index, phase)
            labels = f["grids"]["map"][0]["labels"]
            if p < lands_at:  # the map is what earlier windows wrote, nothing of this one
                expected = before if before is not None else frame(vm, 0, phases[0])["grids"]["map"][0]["labels"]
                assert labels == expected, (index, phase)
                if operation != "transposed convolution":
                    assert labels[index] == "", (index, phase)
            else:
                assert labels != (before or [""] * len(labels)) or operation == "transposed convolution"
            if phase == "slide" and index + 1 < n:  # the window moves when the caption says it slides
                assert f["window"] != frame(vm, index, phases[0])["window"] and f["ghost"] is not None, line


# ------------------------------------------------------------------ a page that plays without Python


def test_save_html_writes_one_self_contained_page(tmp_path):
    path = Explorer().save_html(tmp_path / "walk.html", settings=[{}, {"stride": 2}, {"operation": "max pooling"}])
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "export default" not in text  # the module runs inline
    assert "src=" not in text and "href=" not in text  # nothing loaded from anywhere
    assert "default-src 'none'" in text  # and the page may not fetch anything
    assert text.count('<option value="') == 3 and "stride 2" in text
    assert [p.name for p in tmp_path.iterdir()] == ["walk.html"]  # no temporary file left behind


@pytest.mark.parametrize("path, settings, exc, pattern", [
    ("walk.gif", None, ValueError, r"path must end in \.html"),             # not a page
    ("missing/walk.html", None, ValueError, "does not exist"),             # no such folder
    ("walk.html", [{"stride": 0}], ValueError, r"settings\[0\]: .*stride"),  # checked as the page's values are
    ("walk.html", [{"kernel_size": 9}], ValueError, "does not fit"),       # 9x9 on the 5x5 image
    ("walk.html", [{"colour": "red"}], ValueError, "not a setting"),
    ("walk.html", [{"operation": "pooling"}], ValueError, r"settings\[0\]: operation must be one of .*'pooling'"),
    ("walk.html", [{"operation": np.ones(3)}], ValueError, r"settings\[0\]: operation must be one of .*got array"),
    ("walk.html", {"stride": 2}, TypeError, "list of dicts"),              # one dict, not a list
])
def test_save_html_refuses_before_writing_and_keeps_what_was_there(tmp_path, path, settings, exc, pattern):
    target = tmp_path / path
    if target.parent.is_dir():
        target.write_text("the teacher's earlier page")
        target.chmod(0o640)
    with pytest.raises(exc, match=pattern):
        Explorer().save_html(target, settings=settings)
    if target.parent.is_dir():
        assert target.read_text() == "the teacher's earlier page"
        assert sorted(p.name for p in tmp_path.iterdir()) == [path]


def test_save_html_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "walk.html"
    target.write_text("old")
    target.chmod(0o640)
    Explorer().save_html(target)
    assert target.stat().st_mode & 0o777 == 0o640 and "convlab" in target.read_text()
