"""Wiring-layer helper: objects that hold an ipywidgets ``widget`` and show it in a notebook."""

from __future__ import annotations


class ShowsWidget:
    """Mixin for a class with a ``widget`` attribute (its root box): displaying the object displays it."""

    widget = None  # set by the subclass

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
