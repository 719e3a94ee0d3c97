"""Letting go of a figure that is finished with: its garbage collected, the memory it used handed back.

Two places finish with a figure, and both call :func:`release_garbage`: :func:`convlab.figures.show`, after
the figure is displayed (the one a lesson rebound ``fig`` away from is garbage by then), and a widget's
static picture, a figure drawn only for its PNG (``convlab.widgets._base``).

Why two steps:

* A Matplotlib figure is tens of thousands of objects in reference cycles. Only a full pass of the cyclic
  collector frees them; until then the next figure is built in new memory.
* What the collector frees goes back to the C allocator, not to the system. glibc's ``malloc`` gives back
  only the free top of its heap, beyond a trim threshold. That threshold starts at 128 kB and follows the
  largest block glibc mapped on its own and then freed (twice its size, for blocks up to 32 MiB, unless a
  threshold was set by hand), and glibc then keeps blocks below that size in the heap: after the first
  array of a few megabytes, arrays and figures' buffers of that size come from the heap too. What is
  freed between blocks still in use stays resident until a later allocation reuses it. ``malloc_trim(0)``
  hands those free pages back; it costs about a millisecond, next to the 20-100 ms of the collection (and
  the pages are mapped again when reused: the nine lessons, run cell by cell, took 0.4-1.1 s more of their
  19-20 s). Measured with ``benchmarks/bench_memory.py``: lesson 07 ends at 144-145 MiB instead of 150,
  lesson 05 at 130 instead of 144.

Where the C library is not glibc (macOS, Windows, musl-based Linux) or Python has no ``ctypes``, there is no
``malloc_trim`` to call, and only the collection runs. With another allocator preloaded (jemalloc, tcmalloc),
glibc's ``malloc_trim`` is still found and called, and it has nothing to hand back.

The full pass has a price: it visits every object the collector tracks, and a lesson's kernel tracks about
135 000 before the lesson makes anything (IPython, NumPy, Matplotlib, the widgets). That is about 60 ms per
figure, 3.4 s of the nine lessons' 18.7 s run cell by cell. :func:`freeze_long_lived`, called once by
:func:`convlab.figures.setup` (every lesson's first cell, after its imports), moves what is alive then into the
collector's permanent generation (:func:`gc.freeze`), which later passes skip: the nine lessons' full passes
took 1.1 s instead, and the lessons 16.1 s (``benchmarks/README.md``). What is frozen is still freed when
its last reference goes, but a reference cycle among frozen objects is never collected: whatever is alive
at the freeze (a figure made before it, say) and later becomes cyclic garbage stays. So the freeze comes
after a full pass, happens once per process, and belongs before a lesson makes anything.
"""

from __future__ import annotations

import functools
import gc
import sys
import sysconfig

__all__ = ["release_garbage", "freeze_long_lived"]


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or None where the process's C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        trim = ctypes.CDLL(None).malloc_trim  # the process's own symbols: its C library's
    except (ImportError, OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_garbage() -> bool:
    """Collect the cyclic garbage (one full pass), then hand the C heap's free pages back to the system.

    Returns True when glibc's ``malloc_trim`` was called, False where only the collection ran.
    """
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


_FROZEN = []  # set once this process has frozen its long-lived objects


def freeze_long_lived() -> bool:
    """Once per process: a full collection, then every object still alive moved into the collector's
    permanent generation (:func:`gc.freeze`), so that later full passes visit only what was made since.

    Returns True when it froze; False when this process already had, or where there is nothing to freeze
    with: PyPy has no :func:`gc.freeze`, and a free-threaded CPython is left alone (3.13.0 could drop a
    reference count below zero when new cycles point at frozen objects, gh-126312).
    """
    freeze = getattr(gc, "freeze", None)
    if _FROZEN or freeze is None or sysconfig.get_config_var("Py_GIL_DISABLED"):
        return False
    gc.collect()
    freeze()
    _FROZEN.append(True)
    return True
