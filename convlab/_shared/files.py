"""Files written atomically: a temporary file in the same folder, then ``os.replace``.

A reader never sees half a file, and a write that fails (or is interrupted) leaves the old file as it was.
The new file keeps the permissions of the one it replaces (a new file gets ``0o644``: package data is
readable by all, while ``mkstemp`` alone would make it private).
"""

from __future__ import annotations

import os
import stat
import tempfile


def write_atomically(path, write, *, suffix: str = "") -> None:
    """Call ``write(binary_file)`` on a temporary file next to ``path``, then move it over ``path``."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
