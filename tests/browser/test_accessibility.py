"""Accessibility audit of every notebook, as a learner's browser renders it: axe-core in Chromium.

For each ``notebooks/*.ipynb``, twice:

* **Voilà** (``/voila/render/...`` of the session's JupyterLab server, this module): every cell
  executed, outputs only. axe-core runs on the whole page. Lesson 06's page then serves its keyboard
  checks: Tab to the training-step slider, Play/Pause and a quiz, and the slider's own keys.
* **JupyterLab** (``test_lessons_in_jupyterlab.py``, which runs each lesson once for this audit and for
  its slider check): the notebook opened and run (Run All); axe-core runs on the output areas only
  (JupyterLab's own toolbar, menus and editors are not ours to fix).

axe-core (shipped by the pip package ``axe-playwright-python``; the helpers are in ``_support.py``)
runs its WCAG 2.0/2.1 level A and AA rules. A test fails on any violation of impact *serious* or
*critical*, and on any ``<img>`` in the outputs without a non-empty ``alt`` (every static figure
carries its description in the page, not only in a neighbouring markdown cell). Every violation found,
whatever its impact, is written to ``test-artifacts/a11y-<where>-<notebook>.json`` (rule id, impact,
node target, HTML snippet) and printed in the failure message.

One JupyterLab server and one Chromium serve each test worker (see ``conftest.py``); each test stops
its kernels when done, so the cores are not shared with idle kernels.
"""

from __future__ import annotations

import sys

import pytest

# Loaded by this folder's conftest.py, which pytest always imports before this module.
support = sys.modules["convlab_browser_support"]

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted((support.REPO_ROOT / "notebooks").glob("*.ipynb"))
VOILA_LOAD_TIMEOUT = 240

VOILA_ERROR_TEXTS = (
    "There was an error when executing cell",
    "Traceback (most recent call last)",
    "Error displaying widget",
    "Failed to load model class",
)

# The output areas of the notebook under test in JupyterLab (``wait_notebook_ready`` marks its panel).
VOILA_OUTPUTS = "#rendered_cells"

JS_VOILA_DONE = support.JS_VOILA_DONE


def _params():
    if not NOTEBOOKS:
        return [pytest.param(None, id="no-notebooks-found")]
    return [pytest.param(nb, id=nb.stem) for nb in NOTEBOOKS]


# --------------------------------------------------------------------------- keyboard alone

JS_FOCUS = """() => { const el = document.activeElement;
  if (!el) return null;
  const style = getComputedStyle(el);
  const label = el.labels && el.labels.length ? el.labels[0].textContent.trim() : null;
  const spoken = el.cloneNode(true);  // a button's text without what is hidden from screen readers
  spoken.querySelectorAll('[aria-hidden="true"]').forEach(n => n.remove());
  return {tag: el.tagName.toLowerCase(), type: el.type || null, label,
          name: el.getAttribute('aria-label') || label || spoken.textContent.trim(),
          value: el.value ?? null,
          visible: el.matches(':focus-visible'), outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth)}; }"""

JS_LIVE_TEXTS = support.JS_LIVE_TEXTS


def _tab_to(page, predicate_js: str, what: str, *, key: str = "Tab", limit: int = 80) -> dict:
    """Press ``key`` until the focused element matches; it must show a visible focus ring."""
    return support.tab_to(page, predicate_js, what, key=key, limit=limit, describe=JS_FOCUS)


_live = support.live_text


# --------------------------------------------------------------------------- the Voilà runs

# Lesson 06's Voilà run also serves two keyboard checks of its own (below), so Voilà runs it once.
ON_LESSON_06 = support.on_one_notebook("voila_run", NOTEBOOKS, support.LESSON_06)


@pytest.fixture(scope="class", params=_params())
def voila_run(request, lab_server, chromium):
    """One notebook rendered by Voilà (``/voila/render/...`` of the JupyterLab server) in a page of its own,
    every cell executed and drawn; its kernel is stopped when the notebook's checks are done."""
    notebook = request.param
    if notebook is None:
        support.skip_or_fail(f"no notebooks in {support.REPO_ROOT / 'notebooks'}")
    rel = notebook.relative_to(support.REPO_ROOT).as_posix()
    base, token = lab_server["base"], lab_server["token"]
    try:
        with support.page_of_its_own(chromium, f"voila-{support.slug(notebook.stem)}.console.txt") as page:
            response = page.goto(f"{base}/voila/render/{rel}?token={token}", wait_until="domcontentloaded",
                                 timeout=VOILA_LOAD_TIMEOUT * 1000)
            assert response is not None and response.status == 200, f"{rel}: HTTP {response and response.status}"
            support.wait_until(page, lambda: page.evaluate(JS_VOILA_DONE), timeout=VOILA_LOAD_TIMEOUT,
                               what=f"Voilà to render {rel}")
            drawn = support.wait_drawn(page, VOILA_OUTPUTS)
            yield {"notebook": notebook, "rel": rel, "page": page, "drawn": drawn}
    finally:
        support.shutdown_kernels(base, token)


class TestLessonInVoila:
    """The audit of every notebook's Voilà page, then lesson 06's keyboard checks on the same page."""

    def test_voila_page_has_no_serious_accessibility_violation(self, voila_run):
        support.axe()
        notebook, rel, page = voila_run["notebook"], voila_run["rel"], voila_run["page"]
        text = page.locator("body").inner_text()
        errors = [e for e in VOILA_ERROR_TEXTS if e in text] + support.page_widget_errors(page.locator("body"))
        assert not errors, f"{rel}: the Voilà page shows {errors}"
        page.screenshot(path=str(support.artifact_path(f"a11y-voila-{support.slug(notebook.stem)}.png")),
                        full_page=True)
        violations = support.run_axe(page, "body")
        no_alt = support.images_without_alt(page, VOILA_OUTPUTS)
        failure = support.report("voila", notebook, violations, no_alt, {"drawn": voila_run["drawn"]})
        assert not failure, failure

    @ON_LESSON_06
    def test_keyboard_alone_drives_a_lessons_slider_play_and_quiz(self, voila_run):
        """Lesson 06 in Voilà, keyboard only: the training-step slider, Play/Pause, and a quiz answer.

        Each control is reached with Tab, names itself (label or button text), shows a visible focus ring,
        and its effect is read out in a live region (the caption, the quiz's verdict).
        """
        page = voila_run["page"]
        assert _live(page, "step 0 of"), page.evaluate(JS_LIVE_TEXTS)
        page.locator("body").focus()

        focus = _tab_to(page, "el.matches('.convlab-control-slider input[type=range]')", "the training-step slider")
        assert focus["name"] == "training step", focus
        page.keyboard.press("ArrowRight")
        support.wait_until(page, lambda: _live(page, "step 1 of"), timeout=30,
                           what="the caption to say step 1 after ArrowRight")

        focus = _tab_to(page, "el.matches('button.convlab-control-play')", "the Play button", key="Shift+Tab")
        assert focus["name"] == "Play training steps", focus
        page.keyboard.press("Space")
        support.wait_until(page, lambda: page.evaluate(JS_FOCUS)["name"] == "Pause training steps", timeout=10,
                           what="the button to say Pause while playing")
        support.wait_until(page, lambda: not _live(page, "step 1 of") and _live(page, "step "), timeout=30,
                           what="Play to move the caption past step 1")
        page.keyboard.press("Space")
        support.wait_until(page, lambda: page.evaluate(JS_FOCUS)["name"].startswith("Play"), timeout=10,
                           what="the button to say Play again after a second press (paused)")

        focus = _tab_to(page, "el.matches('.convlab-quiz input[type=text]')", "a quiz's answer box")
        assert focus["name"] == "Your answer", focus
        page.keyboard.type("7")
        page.keyboard.press("Enter")
        support.wait_until(page, lambda: _live(page, "✗"), timeout=30,
                           what="the quiz's verdict in a live region after Enter")
        page.screenshot(path=str(support.artifact_path("a11y-keyboard-lesson06.png")))

    @ON_LESSON_06
    def test_arrow_keys_on_lesson_06s_slider_change_it_and_keep_the_focus(self, voila_run):
        """Voilà has no notebook shortcuts; the slider must still get its keys and keep the focus. See
        ``test_keys_every_front_end.py`` for the other front ends."""
        support.check_lesson_slider_keys(voila_run["page"], voila_run["page"].locator("body"), front_end="voila")
