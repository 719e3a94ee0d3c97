"""Drawing layer (matplotlib only): static figures of a walk, the lessons' grids and plots, GIFs.

``from convlab import figures`` gives the lessons' helpers (``figures.grids``, ``figures.picture``, …).
"""

from .animation import save_animation
from .lesson import (draw_grid, figure_html, gallery, grids, learning_progress, picture, png_bytes, rgb_channels,
                     setup, show)
from .panels import GridPanel, KernelResultFigure, LearningFigure
from .step_figure import StepFigure, draw_step_figure

__all__ = ["save_animation", "StepFigure", "draw_step_figure", "GridPanel", "KernelResultFigure", "LearningFigure",
           "draw_grid", "figure_html", "gallery", "grids", "learning_progress", "picture", "png_bytes", "rgb_channels", "setup",
           "show"]
