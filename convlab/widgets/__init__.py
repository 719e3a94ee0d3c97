"""Wiring layer (ipywidgets and the browser view): the Explorer, quizzes and the lessons' widgets.

The lessons' widgets draw with matplotlib; they are imported on first use, so ``from convlab.widgets
import Explorer`` loads no matplotlib until a static picture is asked for.
"""

from .explorer import Explorer

__all__ = ["Explorer", "Quiz", "BringYourOwn", "LearningViewer", "ReceptiveFieldViewer"]

_LAZY = {"BringYourOwn": "lesson_widgets", "LearningViewer": "lesson_widgets", "Quiz": "quiz",
         "ReceptiveFieldViewer": "network"}


def __getattr__(name):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
