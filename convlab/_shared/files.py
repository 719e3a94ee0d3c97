"""Writing a file atomically, for every layer that saves one (the GIF export, the trained network).

One policy:

* the file is built as a temporary file in the target's folder and moved over the target with
  ``os.replace`` only when it is complete, so an export that fails or is killed never leaves half a file;
* a replaced file keeps its permissions; a new one gets what ``open`` would give (0666 minus the umask);
* the temporary file's name says whose it is (``.walk.gif.convlab-<pid>-<random>.part``): the next export to
  the same target removes the ones whose process is gone (a killed export), and never anything else;
* messages name the target, not the temporary file.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from pathlib import Path

from . import validate as v

_TAG = "convlab"


def check_write_path(path, suffix: str) -> Path:
    """``path`` as a Path, refused in words unless it is a file name ending in ``suffix`` in a writable folder."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name (str or pathlib.Path) ending in {suffix}; got {v.short(path)}")
    path = Path(os.fspath(path))
    if path.suffix.lower() != suffix:
        raise ValueError(f"path must end in {suffix}; got {v.short(str(path))}")
    if not path.parent.is_dir():
        raise ValueError(f"path's folder {str(path.parent)!r} does not exist; create it first or choose another path")
    if path.is_dir():
        raise ValueError(f"path {str(path)!r} is a folder; give a file name ending in {suffix}")
    if not os.access(path.parent, os.W_OK):
        raise ValueError(f"path's folder {str(path.parent)!r} is not writable; choose another path")
    return path


def _temp_pattern(path: Path) -> re.Pattern:
    return re.compile(rf"^\.{re.escape(path.name)}\.{_TAG}-(\d+)-[0-9a-f]{{16}}(\.[A-Za-z0-9]+)?\.part$")


def _process_is_gone(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process may be writing it (another thread)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False  # another user's live process (or a pid no process can have): leave it
    return False


def remove_stale_temporaries(path: Path) -> list[str]:
    """Remove the temporary files an interrupted write to ``path`` left (their process is gone); return their names."""
    pattern, removed = _temp_pattern(path), []
    try:
        names = os.listdir(path.parent)
    except OSError:
        return removed
    for name in names:
        m = pattern.match(name)
        if m and _process_is_gone(int(m.group(1))):
            try:
                os.unlink(path.parent / name)
                removed.append(name)
            except OSError:
                pass
    return removed


def _mode_for(path: Path) -> int | None:
    """The permissions to keep: the existing file's, or None for a new file (open's default applies)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None


def write_atomically(path, write, *, suffix: str = "") -> None:
    """Call ``write(binary_file)`` on a temporary file next to ``path``, then move it over ``path``.

    On any error (or Ctrl-C) the temporary file is removed and ``path`` is untouched. An ``OSError`` is
    raised again naming ``path`` (never the temporary file's name). ``suffix`` (e.g. ``".npz"``) goes into the
    temporary file's name before its ``.part``.
    """
    path = Path(os.fspath(path))
    if suffix and not re.fullmatch(r"\.[A-Za-z0-9]+", suffix):
        raise ValueError(f"suffix must be a dot and letters or digits, e.g. '.npz'; got {v.short(suffix)}")
    remove_stale_temporaries(path)
    tmp = path.parent / f".{path.name}.{_TAG}-{os.getpid()}-{secrets.token_hex(8)}{suffix}.part"
    keep = _mode_for(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # 0666 minus the umask, like open()
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            if keep is not None:
                os.chmod(tmp, keep)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError as err:
        why = err.strerror or str(err) or type(err).__name__
        raise type(err)(err.errno, f"could not write {str(path)!r}: {why}") from None
