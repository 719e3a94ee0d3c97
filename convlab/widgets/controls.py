"""Small accessible controls for the lessons' widgets (wiring layer: anywidget, drawn by ``controls.js``).

ipywidgets' slider draws a ``role="slider"`` handle that its visible description does not name, its
``Play`` draws icon-only buttons, and its ``Image`` an ``<img>`` without alternative text: a screen reader
announces "slider", "button" and "image" and nothing more. These controls draw plain HTML that names
itself and works by keyboard, with visible focus:

* :class:`Slider` — a ``<label for>`` + ``<input type="range">`` + a readout (arrow keys, Home/End,
  Page Up/Down); same ``value``/``min``/``max``/``step``/``description`` traits as ``ipywidgets.IntSlider``
  (a value outside the range is clamped, a narrower range moves the value into it).
* :class:`PlayButton` — one ``<button>`` named by its text ("Play …"/"Pause …": what a press does) that steps
  ``value`` from ``min`` to ``max`` in the page, like ``ipywidgets.Play``; link it to a Slider with
  ``ipywidgets.jslink``.
* :class:`Picture` — an ``<img>`` whose ``alt`` is a trait, updated with the picture.
* :class:`LiveText` — HTML shown in an ``aria-live="polite"`` region, so a screen reader reads each new
  verdict or caption once it changes.

All four are ordinary widgets: set ``.value`` from Python (or headless tests) and the page follows.

Examples
--------
>>> s = Slider(3, min=0, max=5, description="row")
>>> s.value = 9          # clamped, as IntSlider does
>>> s.value
5
>>> s.max = 2
>>> s.value
2
>>> Slider(description="")
Traceback (most recent call last):
...
ValueError: description must name the control for screen readers (a few words); got ''
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets as T

__all__ = ["Slider", "PlayButton", "Picture", "LiveText"]

_HERE = Path(__file__).resolve().parent


def _name(description, what: str = "description") -> str:
    if not isinstance(description, str) or not description.strip():
        raise ValueError(f"{what} must name the control for screen readers (a few words); got {description!r}")
    return description.strip()


def _whole(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) and not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an integer; got {value!r}")
    return int(value.__index__())


class _Control(anywidget.AnyWidget):
    """One ESM for every control; ``kind`` says which one the page draws."""

    _esm = (_HERE / "dom.js").read_text() + (_HERE / "controls.js").read_text()  # dom.js: the shared DOM helper
    _css = (_HERE / "shared.css").read_text() + (_HERE / "controls.css").read_text()  # shared.css: both views
    kind = T.Unicode().tag(sync=True)


class _Ranged(_Control):
    """An integer ``value`` kept inside ``[min, max]`` (clamped, as ipywidgets' bounded widgets do)."""

    value = T.Int(0).tag(sync=True)
    min = T.Int(0).tag(sync=True)
    max = T.Int(100).tag(sync=True)
    step = T.Int(1).tag(sync=True)
    description = T.Unicode("").tag(sync=True)
    disabled = T.Bool(False).tag(sync=True)

    def __init__(self, value=None, *, min=0, max=100, step=1, description: str, **kwargs):
        description = _name(description)
        lo, hi, step = _whole(min, "min"), _whole(max, "max"), _whole(step, "step")
        if hi < lo:
            raise ValueError(f"max must be at least min ({lo}); got {hi}")
        if step < 1:
            raise ValueError(f"step must be a positive integer; got {step}")
        super().__init__(min=lo, max=hi, step=step, description=description, **kwargs)
        self.value = lo if value is None else _whole(value, "value")

    @T.validate("value")
    def _clamp(self, proposal):
        return max(self.min, min(self.max, proposal["value"]))

    @T.validate("max")
    def _max_not_below_min(self, proposal):
        if proposal["value"] < self.min:
            raise T.TraitError(f"max must be at least min ({self.min}); got {proposal['value']}")
        return proposal["value"]

    @T.observe("min", "max")
    def _keep_value_inside(self, change):
        self.value = self.value  # re-validated: moved into the new range


class Slider(_Ranged):
    """A labelled ``<input type="range">`` with a readout (the value, also read as "description value of max").

    Parameters
    ----------
    value : int, optional
        Starting value (default ``min``); clamped into the range.
    min, max, step : int
    description : str
        The visible label, which is also the slider's accessible name. Required.
    continuous_update : bool, default True
        True: ``value`` follows the handle while it moves; False: only when it is let go.
    """

    kind = T.Unicode("slider").tag(sync=True)
    continuous_update = T.Bool(True).tag(sync=True)


class PlayButton(_Ranged):
    """A Play/Pause button that steps ``value`` from ``min`` to ``max`` in the page (no kernel timer).

    Parameters
    ----------
    value, min, max, step : int
        As for :class:`Slider`; each tick adds ``step`` and Play stops at ``max`` (pressed there, it
        starts again from ``min``).
    interval : int, default 150
        Milliseconds between ticks.
    description : str
        What is played, e.g. "training steps": the button reads "Play training steps" or
        "Pause training steps".
    """

    kind = T.Unicode("play").tag(sync=True)
    interval = T.Int(150).tag(sync=True)
    playing = T.Bool(False).tag(sync=True)

    def __init__(self, value=None, *, interval: int = 150, **kwargs):
        interval = _whole(interval, "interval")
        if interval < 10:
            raise ValueError(f"interval must be at least 10 milliseconds; got {interval}")
        super().__init__(value, interval=interval, **kwargs)


class Picture(_Control):
    """An image with alternative text: ``value`` (PNG or JPEG bytes) and ``alt`` change together.

    >>> p = Picture(b"", alt="A blank picture.")
    >>> p.alt
    'A blank picture.'
    """

    kind = T.Unicode("picture").tag(sync=True)
    value = T.Bytes(b"").tag(sync=True)
    format = T.Enum(["png", "jpeg"], default_value="png").tag(sync=True)
    alt = T.Unicode("").tag(sync=True)

    def __init__(self, value: bytes = b"", *, alt: str, format: str = "png", **kwargs):
        super().__init__(value=value, alt=_name(alt, "alt"), format=format, **kwargs)

    @T.validate("alt")
    def _alt_not_empty(self, proposal):
        return _name(proposal["value"], "alt")


class LiveText(_Control):
    """HTML in a polite live region: a screen reader reads the new text after each change.

    ``value`` is HTML, as for ``ipywidgets.HTML`` (escape what a learner typed before putting it here).
    """

    kind = T.Unicode("live").tag(sync=True)
    value = T.Unicode("").tag(sync=True)
