"""Wiring layer (ipywidgets and the browser view): the Explorer, quizzes and the lessons' widgets.

The lessons' widgets draw with matplotlib; they are imported on first use, so ``from convlab.widgets
import Explorer`` loads no matplotlib until a static picture is asked for.
"""

from .._shared.lazy import lazy_attributes
from .explorer import Explorer

__all__ = ["Explorer", "Quiz", "BringYourOwn", "LearningViewer", "ReceptiveFieldViewer"]

_LAZY = {"BringYourOwn": "lesson_widgets", "LearningViewer": "lesson_widgets", "Quiz": "quiz",
         "ReceptiveFieldViewer": "network"}


__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals(), __all__)
