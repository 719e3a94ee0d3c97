"""The lesson's seed example, test patterns and the offline photo: ``convlab.images`` is the short name of :mod:`convlab.data.images`.

Every public name of :mod:`convlab.data.images` imports from here too (``from convlab.images import ...``).
"""

from .data.images import *  # noqa: F401,F403 - the public names, listed in its __all__
from .data.images import __all__  # noqa: F401
