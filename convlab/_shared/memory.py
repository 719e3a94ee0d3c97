"""Letting go of a figure that is finished with: its garbage collected, the memory it used handed back.

Two places finish with a figure, and both call :func:`release_garbage`: :func:`convlab.figures.show`, after
the figure is displayed (the one a lesson rebound ``fig`` away from is garbage by then), and a widget's
static picture, a figure drawn only for its PNG (``convlab.widgets._base``).

Why two steps:

* A Matplotlib figure is tens of thousands of objects in reference cycles. Only a full pass of the cyclic
  collector frees them; until then the next figure is built in new memory.
* What the collector frees goes back to the C allocator, not to the system. glibc's ``malloc`` gives back
  only the free top of its heap, and only above a threshold that grows to twice the largest block freed
  so far (after the first array of a few megabytes: megabytes). Free memory between blocks still in use
  stays in the kernel's resident size for good. ``malloc_trim(0)`` hands those free pages back; it costs
  about a millisecond, next to the 20-100 ms of the collection. Measured with
  ``benchmarks/bench_memory.py``: lesson 07 ends at 144-145 MiB instead of 150, lesson 05 at 130 instead
  of 144.

Where the C library is not glibc (macOS, Windows, musl-based Linux) there is no ``malloc_trim`` to call, and
only the collection runs.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import sys

__all__ = ["release_garbage"]


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the process's C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the process's own symbols: its C library's
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_garbage() -> bool:
    """Collect the cyclic garbage (one full pass), then hand the C heap's free pages back to the system.

    Returns True when the pages were handed back (glibc), False where only the collection ran.
    """
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
