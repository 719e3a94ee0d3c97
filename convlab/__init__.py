"""convlab: the convolution behind CNNs, one multiply-sum at a time.

Compute layer (numpy only): :func:`conv2d`, :func:`feature_maps`, :func:`iter_steps` and
:class:`WindowStep`, :func:`output_size`, :func:`output_shape`. Data: :mod:`convlab.kernels`,
:mod:`convlab.images`. Figures and widgets, imported on first use so ``import convlab`` stays light:
:class:`Explorer` (ipywidgets + ipympl), :func:`draw_step_figure` and :func:`save_animation` (matplotlib).
"""

from .conv import conv2d, feature_maps, output_shape, output_size, output_size_formula, unvisited
from .steps import WindowStep, format_number, iter_steps

__all__ = [
    "conv2d",
    "feature_maps",
    "output_size",
    "output_shape",
    "output_size_formula",
    "unvisited",
    "iter_steps",
    "WindowStep",
    "format_number",
    "Explorer",
    "draw_step_figure",
    "save_animation",
]

_LAZY = {"Explorer": "widgets", "draw_step_figure": "drawing", "save_animation": "drawing"}


def __getattr__(name):
    # Figures and widgets load matplotlib/ipywidgets: only when first asked for.
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))

__version__ = "0.1.0"
