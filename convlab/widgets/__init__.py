"""Wiring layer (ipywidgets and the browser view): the Explorer, quizzes and the lessons' widgets."""

from .explorer import Explorer
from .lesson_widgets import BringYourOwn, LearningViewer
from .network import ReceptiveFieldViewer
from .quiz import Quiz

__all__ = ["Explorer", "Quiz", "BringYourOwn", "LearningViewer"]
