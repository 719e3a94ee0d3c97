"""A predict-then-check box for the lessons (wiring layer: ipywidgets only).

``Quiz(check, prompt, *question)`` shows the prompt, a text box, a **Check** button and a **Show answer**
button. Pressing Check (or Enter) passes what the learner typed to a checker from
:mod:`convlab.lessons.exercises` and shows its verdict straight away. A right answer is confirmed with the worked
answer; the first wrong try gets only what went wrong (the slip), never the answer, and a second chance;
the worked answer comes with the second wrong try or the Show answer button (see
:class:`convlab.lessons.exercises.Question`). With ``options=[...]`` the text box becomes a row of buttons,
for multiple-choice questions.

Headless (plain pytest): ``quiz.submit("4")`` does what typing 4 and pressing Check does, and returns
the :class:`~convlab.lessons.exercises.Feedback`.
"""

from __future__ import annotations

import html

import ipywidgets as W

from .._shared.validate import short
from ..lessons.exercises import Feedback, Question
from ..pulse.client import notice_for as pulse_notice
from ._base import ShowsWidget
from .controls import LiveText

__all__ = ["Quiz"]

_COLOURS = {True: "#1a6e2e", False: "#8a4b00"}


class Quiz(ShowsWidget):
    """One question with immediate feedback.

    Parameters
    ----------
    check : callable or Question
        A checker from :mod:`convlab.lessons.exercises`, called as ``check(answer, *args, **kwargs)``; or a
        ready :class:`~convlab.lessons.exercises.Question` (its tries are shared with the notebook cell that
        checks the same question; a multiple-choice question brings its options).
    prompt : str
        The question (HTML allowed).
    *args, **kwargs
        The question's settings, passed on to ``check``.
    options : list of str, optional
        Offer these choices as buttons instead of a text box.
    solution : optional
        One right answer, for checkers whose verdict does not contain it (see ``Question``).
    id : str, optional
        The exercise's id ("03.2"), when ``check`` is a bare checker; shown before the prompt.

    Attributes
    ----------
    answer : ipywidgets.Text or ipywidgets.ToggleButtons
    button : ipywidgets.Button
    show_answer : ipywidgets.Button
    question : convlab.lessons.exercises.Question
    feedback : convlab.widgets.controls.LiveText
        The verdict, in a polite live region (a screen reader reads it when it changes).
    last : Feedback or None
    widget : ipywidgets.VBox

    Examples
    --------
    >>> from convlab.lessons.exercises import check_output_size
    >>> q = Quiz(check_output_size, "Output width?", 7, 3, stride=2, padding=1)
    >>> print(q.submit("3"))
    ✗ Not quite: Your 3 is what you get if you forget the padding: ⌊(7 + 2·0 − 3)/2⌋ + 1 = 3. Try again (the answer is shown after a second try).
    >>> q.submit("4").correct
    True
    """

    def __init__(self, check, prompt: str, *args, options=None, solution=None, id: str = "", **kwargs):
        if options is not None and (not isinstance(options, (list, tuple)) or not options
                                    or not all(isinstance(o, (str, int)) and not isinstance(o, bool) for o in options)):
            raise TypeError(f"options must be a non-empty list of the choices (strings); got {short(options)}")
        if isinstance(check, Question):
            self.question = check
            options = options or check.options
        elif not callable(check):
            raise TypeError(f"check must be a checker function from convlab.lessons.exercises or a Question; got {check!r}")
        else:
            # a question with impossible settings fails here, in the cell that builds it, not when a learner
            # presses Check
            self.question = Question(check, *args, solution=solution, id=id, **kwargs)
        self.last: Feedback | None = None
        if options:
            self.answer = W.ToggleButtons(options=list(options), value=None, style={"button_width": "auto"},
                                          tooltips=[f"choose {o}" for o in options])
        else:
            self.answer = W.Text(placeholder="your prediction", continuous_update=False, description="Your answer",
                                 style={"description_width": "initial"}, layout=W.Layout(width="260px"))
        self.button = W.Button(description="Check", button_style="primary", layout=W.Layout(width="90px"),
                               tooltip="check your prediction")
        self.show_answer = W.Button(description="Show answer", layout=W.Layout(width="120px"),
                                    tooltip="show the worked answer")
        self.feedback = LiveText()
        self.button.on_click(lambda _: self.submit())
        self.show_answer.on_click(lambda _: self.reveal())
        # Enter or leaving the text box, or clicking a choice, checks at once
        self.answer.observe(lambda change: self.submit(), names="value")
        self.prompt, self.options = prompt, list(options or [])
        parts = [W.HTML(f"<b>{html.escape(self._label())}:</b> {prompt}"), W.HBox([self.answer, self.button, self.show_answer]),
                 self.feedback]
        notice = pulse_notice(self.question)  # only on a hub that runs the class pulse (docs/class_pulse.md)
        if notice:
            parts.append(W.HTML(f'<small style="color:#444">{html.escape(notice)}</small>'))
        self.widget = W.VBox(parts)
        self.widget.add_class("convlab-quiz")

    def _label(self) -> str:
        """"Exercise 03.2 · Predict" for a lesson's question (its id), else "Predict"."""
        return f"Exercise {self.question.id} · Predict" if self.question.id else "Predict"

    def description(self) -> str:
        """The question in words, for where the answer box cannot run (GitHub, a closed kernel)."""
        choices = f" Choices: {', '.join(map(str, self.options))}." if self.options else ""
        return f"{self._label()}: {self.prompt}{choices} (Run the notebook to type your answer and check it.)"

    def static_html(self) -> str:
        choices = ("<ul>" + "".join(f"<li>{html.escape(str(o))}</li>" for o in self.options) + "</ul>"
                   if self.options else "")
        return (f"<p><b>{html.escape(self._label())}:</b> {self.prompt}</p>{choices}"
                "<p><i>Run the notebook to type your answer and check it.</i></p>")

    def submit(self, text=None) -> Feedback:
        """Check ``text`` (or what is in the box now) and show the verdict.

        ``text`` may be a number too (``quiz.submit(4)``); on a multiple-choice quiz, text that is not one
        of the options is checked (and answered "not one of the options") without changing the buttons.
        """
        if text is not None:
            if isinstance(self.answer, W.Text):
                text = str(text)
            if text != self.answer.value and (isinstance(self.answer, W.Text) or text in self.answer.options):
                self.answer.value = text  # the observer checks it
                return self.last
        else:
            text = self.answer.value
        try:
            fb = self.question.check(text)
        except Exception as exc:  # a widget never shows a traceback: say it in the feedback box
            fb = Feedback(False, f"this answer could not be checked ({exc}); try typing just a number", readable=False)
        self.last = fb
        colour = _COLOURS[fb.correct] if fb.answered else "#444"
        text = str(fb) if fb.answered else f"{fb.headline}: type your prediction, then press Check. {fb.hint}".rstrip()
        self.feedback.value = f'<div style="color:{colour}; white-space:pre-wrap">{html.escape(text)}</div>'
        return fb

    def reveal(self) -> str:
        """Show the worked answer in the feedback box (the Show answer button) and return it."""
        text = self.question.reveal()
        self.feedback.value = f'<div style="color:#444; white-space:pre-wrap">Answer: {html.escape(text)}</div>'
        return text
