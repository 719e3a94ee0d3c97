"""convlab: the convolution behind CNNs, one multiply-sum at a time.

The package has layers by purpose, each a subpackage; imports only point down the list:

* :mod:`convlab.widgets` (ipywidgets and the browser view): :class:`Explorer`, quizzes, lesson widgets;
* :mod:`convlab.figures` (matplotlib): :func:`draw_step_figure`, :func:`save_animation`, the lessons' figures;
* :mod:`convlab.lessons`: checkers, :class:`~convlab.lessons.exercises.Question`, tasks, the question bank,
  receptive fields;
* :mod:`convlab.nets`: a kernel learned by gradient descent, layer code for PyTorch/Keras, a tiny numpy CNN;
* :mod:`convlab.data`: kernels, images, uploads, digits (``convlab.kernels`` and ``convlab.images`` are
  their short names);
* :mod:`convlab.views` (numpy only): what every frame of a walk shows, as data;
* :mod:`convlab.core` (numpy only), the engine: :func:`conv2d`, :func:`feature_maps`, :func:`iter_steps`
  and :class:`WindowStep`, :func:`output_size`, :func:`output_shape`; :func:`conv_transpose2d`,
  :func:`max_pool2d`, :func:`avg_pool2d`, :func:`relu` and their step walks.

On a hub that runs the class pulse (``docs/class_pulse.md``), :func:`pulse_status` says what a checked
answer sends to the teacher and :func:`pulse_off` stops it (:mod:`convlab.pulse`).

Figures and widgets are imported on first use, so ``import convlab`` stays light.
"""

from ._shared.lazy import lazy_attributes
from .core.conv import conv2d, feature_maps
from .core.op_steps import PoolStep, TransposeStep, iter_pool_steps, iter_transpose_steps
from .core.ops import avg_pool2d, conv_transpose2d, max_pool2d, relu
from .core.sizes import (output_shape, output_size, output_size_formula, pool_output_size,
                         pool_output_size_formula, transpose_output_size, transpose_output_size_formula,
                         unvisited)
from .core.steps import WindowStep, format_number, iter_steps
from . import images, kernels  # noqa: F401 (real modules: the data layer's kernels and images, by their short names)

__all__ = [
    "conv2d",
    "feature_maps",
    "output_size",
    "output_shape",
    "output_size_formula",
    "unvisited",
    "conv_transpose2d",
    "max_pool2d",
    "avg_pool2d",
    "relu",
    "transpose_output_size",
    "transpose_output_size_formula",
    "pool_output_size",
    "pool_output_size_formula",
    "iter_pool_steps",
    "iter_transpose_steps",
    "PoolStep",
    "TransposeStep",
    "iter_steps",
    "WindowStep",
    "format_number",
    "Explorer",
    "draw_step_figure",
    "save_animation",
    "pulse_status",
    "pulse_off",
    "pulse_on",
]

_LAZY = {"Explorer": "widgets", "draw_step_figure": "figures", "save_animation": "figures",
         "pulse_status": "pulse", "pulse_off": "pulse", "pulse_on": "pulse"}


# Figures and widgets load matplotlib/ipywidgets: only when first asked for.
__getattr__, __dir__ = lazy_attributes(__name__, _LAZY, globals(), __all__)


__version__ = "0.1.0"
