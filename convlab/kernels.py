"""Named kernels and :func:`make_kernel`: ``convlab.kernels`` is the short name of :mod:`convlab.data.kernels`.

Every public name of :mod:`convlab.data.kernels` imports from here too (``from convlab.kernels import ...``).
"""

from .data.kernels import *  # noqa: F401,F403 - the public names, listed in its __all__
from .data.kernels import __all__  # noqa: F401
