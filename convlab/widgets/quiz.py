"""A predict-then-check box for the lessons (wiring layer: ipywidgets only).

``Quiz(check, prompt, *question)`` shows the prompt, a text box and a **Check** button. Pressing the
button (or Enter) passes what the learner typed to a checker from :mod:`convlab.exercises` and shows
its verdict straight away: right or wrong, and why. With ``options=[...]`` the text box becomes a row
of buttons, for multiple-choice questions.

Headless (plain pytest): ``quiz.submit("4")`` does what typing 4 and pressing Check does, and returns
the :class:`~convlab.exercises.Feedback`.
"""

from __future__ import annotations

import html

import ipywidgets as W

from ..core.exercises import Feedback
from ._base import ShowsWidget

__all__ = ["Quiz"]

_COLOURS = {True: "#1a6e2e", False: "#8a4b00"}


class Quiz(ShowsWidget):
    """One question with immediate feedback.

    Parameters
    ----------
    check : callable
        A checker from :mod:`convlab.exercises`; called as ``check(answer, *args, **kwargs)``.
    prompt : str
        The question (HTML allowed).
    *args, **kwargs
        The question's settings, passed on to ``check``.
    options : list of str, optional
        Offer these choices as buttons instead of a text box.

    Attributes
    ----------
    answer : ipywidgets.Text or ipywidgets.ToggleButtons
    button : ipywidgets.Button
    feedback : ipywidgets.HTML
    last : Feedback or None
    widget : ipywidgets.VBox

    Examples
    --------
    >>> from convlab.core.exercises import check_output_size
    >>> q = Quiz(check_output_size, "Output width?", 7, 3, stride=2, padding=1)
    >>> print(q.submit("3"))
    ✗ Not quite: ⌊(7 + 2·1 − 3)/2⌋ + 1 = 4. Your 3 is what you get if you forget the padding: ⌊(7 + 2·0 − 3)/2⌋ + 1 = 3.
    >>> q.submit("4").correct
    True
    """

    def __init__(self, check, prompt: str, *args, options=None, **kwargs):
        if not callable(check):
            raise TypeError(f"check must be a checker function from convlab.exercises; got {check!r}")
        self._check, self._args, self._kwargs = check, args, kwargs
        # a question with impossible settings fails here, in the cell that builds it, not when a learner
        # presses Check
        check(None, *args, **kwargs)
        self.last: Feedback | None = None
        if options:
            self.answer = W.ToggleButtons(options=list(options), value=None, style={"button_width": "auto"})
        else:
            self.answer = W.Text(placeholder="your prediction", continuous_update=False,
                                 layout=W.Layout(width="180px"))
        self.button = W.Button(description="Check", button_style="primary", layout=W.Layout(width="90px"))
        self.feedback = W.HTML()
        self.button.on_click(lambda _: self.submit())
        # Enter or leaving the text box, or clicking a choice, checks at once
        self.answer.observe(lambda change: self.submit(), names="value")
        self.widget = W.VBox([W.HTML(f"<b>Predict:</b> {prompt}"), W.HBox([self.answer, self.button]), self.feedback])
        self.widget.add_class("convlab-quiz")

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
            fb = self._check(text, *self._args, **self._kwargs)
        except Exception as exc:  # a widget never shows a traceback: say it in the feedback box
            fb = Feedback(False, f"this answer could not be checked ({exc}); try typing just a number")
        self.last = fb
        colour = _COLOURS[fb.correct] if fb.answered else "#444"
        text = str(fb) if fb.answered else f"{fb.headline}: type your prediction, then press Check. {fb.hint}".rstrip()
        self.feedback.value = f'<div style="color:{colour}; white-space:pre-wrap">{html.escape(text)}</div>'
        return fb

