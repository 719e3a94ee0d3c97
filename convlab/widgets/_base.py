"""Wiring-layer helper: objects that hold an ipywidgets ``widget`` and show it in a notebook.

Where no kernel runs (GitHub, nbviewer, a notebook opened before its cells run) a widget view is only
raw text such as ``VBox(children=(...``. So every convlab widget is displayed as one bundle: the live
view, and beside it a static stand-in — a PNG of what it shows now as an ``<img>`` with alternative text
(JupyterLab ignores a PNG's alt metadata, an HTML ``<img>`` carries it everywhere), or a short HTML
text — and the plain-text equivalent.
"""

from __future__ import annotations

import base64
import html

from .._shared.memory import release_garbage


class ShowsWidget:
    """Mixin for a class with a ``widget`` attribute (its root box): displaying the object displays it.

    Subclasses say what stands in for the live view: :meth:`picture` (PNG bytes of what is shown now),
    :meth:`alt_text` (one sentence describing it), :meth:`description` (the text equivalent) and, for
    widgets without a picture, :meth:`static_html`.
    """

    widget = None  # set by the subclass

    def picture(self) -> bytes | None:
        """PNG bytes of what the widget shows now, or None when it has no picture."""
        return None

    def description(self) -> str:
        """The text equivalent of what the widget shows now."""
        return ""

    def alt_text(self) -> str:
        """One sentence for the picture's alternative text (by default the description's first line)."""
        text = self.description()
        return text.splitlines()[0] if text else ""

    def static_html(self) -> str:
        """HTML shown instead of a widget without a picture where no kernel runs."""
        text = self.description()
        return f"<p>{html.escape(text)}</p>" if text else ""

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        bundle = self.widget._repr_mimebundle_()
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        data, metadata = dict(data), dict(metadata or {})
        try:
            png = self.picture()
        except Exception:  # a picture is a courtesy: never let it stop the live view from showing
            png = None
        if png:
            # The figure drawn for it (an Explorer's: a few thousand artists in reference cycles) is garbage
            # now. Collected at once, the next widget or figure reuses its memory (lesson 03, eleven widgets:
            # 134 -> 126 MiB at its peak, stop 30); handing the freed heap back (stop 32) takes lesson 07's
            # end from 150 to 145 MiB with figures.show, and changes nothing in lesson 03
            # (benchmarks/bench_memory.py).
            release_garbage()
            encoded = base64.b64encode(png).decode("ascii")
            alt = self.alt_text()
            data["image/png"] = encoded
            metadata["image/png"] = {"alt": alt}
            data["text/html"] = (f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}" '
                                 'style="max-width: 100%; height: auto">')
        elif self.static_html():
            data["text/html"] = self.static_html()
        if self.description():
            data["text/plain"] = self.description()
        return data, metadata

    def _ipython_display_(self):
        from IPython.display import display

        data, metadata = self._repr_mimebundle_()
        display(data, metadata=metadata, raw=True)
