"""The largest sizes convlab accepts, in one place (numpy-free constants).

Every size a learner can choose has a limit here, checked up front by :mod:`convlab._shared.validate`
with a ``ValueError`` that names the argument, the value received and the limit — so a slip of the
finger (``padding=10**4``) gives a sentence, never a ``MemoryError``, a hang or a numpy message.
The limits are generous for teaching (the lessons use images of at most a few hundred pixels across)
and keep memory well under 1 GB on a classroom server: each is chosen so that the arrays built from
it — the float64 padded copy of the input, the products of a walk, a rendered frame — stay in the
tens or low hundreds of megabytes.

The table in ``docs/limits.md`` lists them with the functions that check them.

>>> from convlab.core import limits
>>> limits.MAX_PADDING, limits.MAX_KERNEL_SIZE, limits.MIN_DPI, limits.MAX_DPI
(1000, 99, 10, 600)
"""

from __future__ import annotations

__all__ = [
    "MAX_PADDING", "MAX_IMAGE_PIXELS", "MAX_MULTIPLY_ADDS", "MAX_AXIS_LENGTH", "MAX_WINDOWS",
    "MAX_WALK_VALUES", "MAX_KERNEL_SIZE", "MAX_FRAMES", "MIN_DPI", "MAX_DPI", "MIN_FPS", "MAX_FPS",
    "MIN_GIF_WIDTH", "MAX_GIF_WIDTH",
    "MIN_FIGURE_INCHES", "MAX_FIGURE_INCHES", "MAX_FIGURE_PIXELS", "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_PIXELS", "MAX_LEARN_STEPS", "MAX_LEARN_VALUES", "MAX_GENERATED_SIZE", "MAX_SEED",
    "MAX_INTEGER", "MAX_DIGIT_SIZE", "MAX_NETWORK_VALUES", "MAX_TRAIN_MULTIPLY_ADDS", "MAX_NETWORK_FILE_BYTES",
]

MAX_PADDING = 1000
"""Padding per side, in pixels (an int, each entry of a pair). 1000 pads a 5x5 image to 2005x2005."""

MAX_IMAGE_PIXELS = 16_777_216  # 2**24
"""Values in an input *after* padding, channels counted: rows x columns x channels (4096 x 4096 x 1).

Checked on the array's shape before it is converted to float64: the padded float64 copy is then at
most 128 MB, and the engine's working copies stay under 400 MB."""

MAX_MULTIPLY_ADDS = 1 << 30
"""Multiply-adds one call may do on the path it takes: direct, windows x kernel values (x kernels, for a
stack); FFT, transforms x points x log2(points). About 10**9, a few seconds of work; beyond it a typo (a
2000x2000 kernel on a 4000x4000 image) would hang."""

MAX_AXIS_LENGTH = 1 << 20
"""Largest ``n`` (input length along one axis) for :func:`convlab.unvisited`, which returns a Python
list of positions (a million of them is already about 40 MB)."""

MAX_WINDOWS = 65_536
"""Windows a materialised walk keeps (one record each): e.g. a 256x256 feature map.
:func:`convlab.iter_steps` is lazy and has no such limit; ``compute_walk``, the Explorer and the GIF do."""

MAX_WALK_VALUES = 1 << 23
"""Windows x kernel values for a materialised walk (the products it keeps): 64 MB of float64."""

MAX_KERNEL_SIZE = 99
"""Largest ``size`` for ``make_kernel`` (a 99x99 filter is already far larger than any lesson's)."""

MAX_FRAMES = 1000
"""Frames in one GIF from ``save_animation`` (windows x 5 with ``phases=True``)."""

MIN_DPI = 10
"""Smallest dots per inch for a figure or GIF frame."""
MAX_DPI = 600
"""Largest dots per inch for a figure or GIF frame."""

MIN_FPS = 0.1
"""Slowest GIF: one frame every 10 seconds."""
MAX_FPS = 50.0
"""Fastest GIF: 50 frames per second (GIF delays are whole hundredths of a second; browsers slow
anything faster)."""

MIN_GIF_WIDTH = 200
"""Narrowest GIF from ``save_animation(width=...)``, in pixels: below it the cell numbers are unreadable."""
MAX_GIF_WIDTH = 3840
"""Widest GIF, in pixels: a 4K screen. A 45-frame walk at this width takes about a minute to draw."""

MIN_FIGURE_INCHES = 0.5
"""Smallest figure width or height, in inches."""
MAX_FIGURE_INCHES = 60.0
"""Largest figure width or height, in inches."""
MAX_FIGURE_PIXELS = 40_000_000
"""Largest rendered figure, width x height in pixels (inches x dpi): a 160 MB RGBA buffer."""

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""Largest uploaded file: 10 MiB."""
MAX_UPLOAD_PIXELS = 25_000_000
"""Largest uploaded image, width x height, read from the file's header before decoding."""

MAX_LEARN_STEPS = 100_000
"""Gradient steps in one ``learn_kernel`` run (each kernel is kept in the history)."""
MAX_LEARN_VALUES = 1 << 24
"""Steps x kernel values kept by ``learn_kernel``'s history: 128 MB of float64."""

MAX_GENERATED_SIZE = 4096
"""Largest side of a generated teaching image (``stripes``, ``checkerboard``, ``cross``, ``sample_photo``...)."""

MAX_SEED = 2**63 - 1
"""Largest random seed (numpy's generators take any non-negative integer; this keeps seeds in int64)."""


MAX_INTEGER = 2**31 - 1
"""Largest whole-number argument that has no limit of its own (a stride, a dilation, a size, a window's
index): every sensible value is far below it, and numpy's C integers hold it (a 400-digit stride raised
OverflowError inside numpy)."""

MAX_DIGIT_SIZE = 128
"""Largest side of a drawn digit (``make_digits``, ``digit_templates``): its 360 templates are drawn by
matplotlib at twice that size, a few seconds; the lessons use 16."""

MAX_NETWORK_VALUES = 1 << 24
"""Numbers (weights and biases) in one numpy CNN from ``init_network``/``train``: 128 MB of float64."""

MAX_TRAIN_MULTIPLY_ADDS = 1 << 33
"""Multiply-adds of one ``train`` run (forward and backward passes over every epoch): about 8.6·10⁹, a couple
of minutes; the shipped network took about 2·10⁹."""

MAX_NETWORK_FILE_BYTES = 1 << 28
"""Uncompressed bytes of the arrays in a network file read by ``load_network`` (read from the zip's
directory before any array is decompressed): 256 MB."""
