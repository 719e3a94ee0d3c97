"""Bring your own kernel and image (data layer): typed numbers and uploaded files, checked.

Nothing here evaluates what a learner types: :func:`parse_kernel` reads numbers with a regular
expression, token by token, and says which token or row is wrong. :func:`load_image` takes the bytes
of an uploaded file (or an ``ipywidgets.FileUpload`` value), checks its size and type by its first bytes
(PNG or JPEG), refuses images with too many pixels *before* decoding them, and returns a small float
image ready for :func:`convlab.conv2d`.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
import re

import numpy as np

from .._shared.format import plain_minus
from .._shared import validate as v
from ..core import limits
from .._shared.validate import read_number
from .images import downscale, to_grayscale

__all__ = ["parse_kernel", "format_kernel", "load_image", "upload_contents", "sniff_image_type",
           "MAX_BYTES", "MAX_PIXELS"]

MAX_BYTES = limits.MAX_UPLOAD_BYTES
"""Largest upload accepted by default: 10 MiB."""
MAX_PIXELS = limits.MAX_UPLOAD_PIXELS
"""Largest image accepted by default (width × height), checked before decoding: 25 megapixels."""



def parse_kernel(text: str, *, max_size: int = 15) -> np.ndarray:
    """Read a kernel typed as numbers: rows separated by ``;`` or new lines, entries by spaces or commas.

    Accepts whole numbers, decimals (``0.5``, ``.5``, ``1e-3``), fractions (``1/9``), the Unicode minus
    sign, and Python/numpy-style brackets (``[[1, 0, -1], [1, 0, -1]]``). Never calls ``eval``.

    Parameters
    ----------
    text : str
        What the learner typed.
    max_size : int, default 15
        Largest number of rows or columns accepted.

    Returns
    -------
    numpy.ndarray of float64, shape (rows, cols)

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        Naming the token that is not a number (with its row and position), or the row lengths when
        the rows differ, or the size when it is empty or larger than ``max_size``.

    Examples
    --------
    >>> parse_kernel("1 0 -1; 1 0 -1; 1 0 -1")
    array([[ 1.,  0., -1.],
           [ 1.,  0., -1.],
           [ 1.,  0., -1.]])
    >>> parse_kernel('''
    ... 1/9 1/9
    ... 1/9 1/9
    ... ''') * 9
    array([[1., 1.],
           [1., 1.]])
    >>> parse_kernel("[[0, 1], [1, 0]]")
    array([[0., 1.],
           [1., 0.]])
    >>> parse_kernel("1 0 -1; 1 x -1")
    Traceback (most recent call last):
    ...
    ValueError: 'x' (row 2, entry 2) is not a number; type numbers like 1, -0.5 or 1/9
    >>> parse_kernel("1 0 -1; 1 0")
    Traceback (most recent call last):
    ...
    ValueError: every row needs the same number of entries; got rows of lengths 3, 2 (row 2 has 2 where row 1 has 3)
    """
    if not isinstance(text, str):
        raise TypeError(f"text (the kernel typed as numbers) must be a string; got {type(text).__name__}")
    max_size = v.size_arg(max_size, "max_size")
    cleaned = plain_minus(text)
    # brackets: "],[" (with any spaces/commas between) separates rows; the other brackets go
    cleaned = re.sub(r"\]\s*,?\s*\[", ";", cleaned)
    cleaned = cleaned.replace("[", " ").replace("]", " ")
    lines = [line for line in re.split(r"[;\n\r]+", cleaned) if line.strip()]
    if not lines:
        raise ValueError("the kernel is empty: type rows of numbers, e.g. 1 0 -1; 1 0 -1; 1 0 -1")
    rows: list[list[float]] = []
    for r, line in enumerate(lines, start=1):
        tokens = [t for t in re.split(r"[\s,]+", line.strip()) if t]
        if not tokens:
            continue
        row = []
        for c, token in enumerate(tokens, start=1):
            value = read_number(token)
            if value is None:
                raise ValueError(f"{token!r} (row {r}, entry {c}) is not a number; type numbers like 1, -0.5 or 1/9")
            if not np.isfinite(value):
                raise ValueError(f"{token!r} (row {r}, entry {c}) is too large to be used; type numbers like 1, -0.5 or 1/9")
            row.append(value)
        rows.append(row)
    if not rows:
        raise ValueError("the kernel is empty: type rows of numbers, e.g. 1 0 -1; 1 0 -1; 1 0 -1")
    lengths = [len(r) for r in rows]
    if len(set(lengths)) > 1:
        common = max(lengths, key=lambda n: (lengths.count(n), n == lengths[0]))
        first_common = lengths.index(common) + 1
        odd = ", ".join(f"row {i} has {n}" for i, n in enumerate(lengths, start=1) if n != common)
        raise ValueError(
            "every row needs the same number of entries; got rows of lengths "
            f"{', '.join(map(str, lengths))} ({odd} where row {first_common} has {common})"
        )
    kernel = np.array(rows, dtype=np.float64)
    if max(kernel.shape) > max_size:
        raise ValueError(f"the kernel is {kernel.shape[0]}x{kernel.shape[1]}; at most {max_size}x{max_size} is accepted")
    return kernel + 0.0


def format_kernel(kernel) -> str:
    """Write a kernel back as text that :func:`parse_kernel` reads (rows on separate lines).

    >>> print(format_kernel([[1, 0, -1], [2, 0.5, -2]]))
    1 0 -1
    2 0.5 -2
    """
    arr = v.as_array(kernel, "kernel", ndims=(2,), shape_hint="2-D (rows, cols)")
    return "\n".join(" ".join(f"{x:g}" for x in row) for row in arr)


# --------------------------------------------------------------------------- uploaded images

_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"%PDF", "PDF"),
    (b"BM", "BMP"),
    (b"PK\x03\x04", "ZIP (or Office document)"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
]
_ACCEPTED = ("PNG", "JPEG")


def sniff_image_type(data: bytes) -> str | None:
    """The file type told by its first bytes ("PNG", "JPEG", "GIF", ...), or None if unknown.

    >>> sniff_image_type(b"\\x89PNG\\r\\n\\x1a\\n...")
    'PNG'
    >>> sniff_image_type(b"hello") is None
    True
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be the file's bytes; got {v.short(data)}")
    head = bytes(data[:16])
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    for magic, name in _SIGNATURES:
        if head.startswith(magic):
            return name
    if head.lstrip()[:5].lower() in (b"<?xml", b"<svg "):
        return "SVG"
    return None


def upload_contents(value) -> tuple[str, bytes]:
    """``(file name, bytes)`` of the first file in an ``ipywidgets.FileUpload`` value.

    Understands ipywidgets 8 (a tuple of dicts with ``"name"`` and ``"content"``), ipywidgets 7 (a dict
    of name to ``{"content": ...}``), a single such dict, or plain bytes.

    >>> upload_contents(({"name": "cat.png", "content": memoryview(b"abc")},))
    ('cat.png', b'abc')
    >>> upload_contents(())
    Traceback (most recent call last):
    ...
    ValueError: no file was uploaded: choose a PNG or JPEG image first
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "uploaded file", bytes(value)
    if isinstance(value, dict) and "content" not in value:  # ipywidgets 7: {name: {...}}
        if not all(isinstance(v, dict) for v in value.values()):
            raise ValueError(f"this does not look like a FileUpload value: a dict with keys "
                             f"{', '.join(map(repr, value))} and no 'content'")
        value = [dict(v, name=k) for k, v in value.items()]
    if isinstance(value, dict):
        value = [value]
    if value is None or (isinstance(value, (list, tuple)) and not value):
        raise ValueError("no file was uploaded: choose a PNG or JPEG image first")
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"this does not look like a FileUpload value or file contents: got {type(value).__name__}")
    first = value[0]
    try:
        content = first["content"]
    except (TypeError, KeyError):
        raise ValueError(f"this does not look like a FileUpload value: {type(first).__name__} without 'content'") from None
    return str(first.get("name", "uploaded file")), bytes(content)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def load_image(data, *, size=64, grayscale=True, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS) -> np.ndarray:
    """Decode an uploaded PNG or JPEG into a small float image, after checking it.

    Parameters
    ----------
    data : bytes, memoryview or an ``ipywidgets.FileUpload`` value
        The file's contents.
    size : int or (int, int) or None, default 64
        Longer side after downscaling (see :func:`convlab.images.downscale`); None keeps the size.
    grayscale : bool, default True
        True: luminance ``(H, W)``; False: ``(H, W, 3)`` RGB.
    max_bytes, max_pixels : int
        Limits checked before decoding.

    Returns
    -------
    numpy.ndarray of float64 with values from 0 (black) to 255 (white). 16-bit PNGs are scaled to
    this range, the EXIF orientation of phone photos is applied, and transparent pixels are shown on
    white, as a web page shows them.

    Raises
    ------
    ValueError
        In plain words: no file, too large, not a PNG or JPEG (naming what it is when known), too many
        pixels, or a damaged file.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buf = io.BytesIO()
    >>> Image.new("RGB", (40, 20), (255, 0, 0)).save(buf, format="PNG")
    >>> img = load_image(buf.getvalue(), size=10)
    >>> img.shape, round(float(img[0, 0]), 3)   # pure red: 0.299 × 255
    ((5, 10), 76.245)
    >>> load_image(b"GIF89a......")
    Traceback (most recent call last):
    ...
    ValueError: the file is a GIF image, not a PNG or JPEG; save it as PNG or JPEG and upload it again
    """
    if size is not None:
        if isinstance(size, (tuple, list)):
            v.shape_arg(size, "size", (2,))
        else:
            v.size_arg(size, "size")
    grayscale = v.check_bool(grayscale, "grayscale", "luminance or RGB")
    max_bytes, max_pixels = v.size_arg(max_bytes, "max_bytes"), v.size_arg(max_pixels, "max_pixels")
    name, raw = upload_contents(data)
    if not raw:
        raise ValueError(f"{name} is empty (0 bytes): choose a PNG or JPEG image")
    if len(raw) > max_bytes:
        raise ValueError(f"{name} is {_megabytes(len(raw))}; the limit is {_megabytes(max_bytes)}: "
                         "upload a smaller image (a few hundred pixels across is plenty)")
    kind = sniff_image_type(raw)
    if kind not in _ACCEPTED:
        what = f"a {kind} image" if kind in ("GIF", "BMP", "TIFF", "WEBP", "SVG") else (f"a {kind} file" if kind else "not an image this lesson can read")
        raise ValueError(f"the file is {what}, not a PNG or JPEG; save it as PNG or JPEG and upload it again")
    from PIL import Image, ImageOps  # Pillow comes with matplotlib

    with _pillow_errors(name, kind, max_pixels, Image):
        im = Image.open(io.BytesIO(raw))  # lazy: only the header (and chunks before the pixels) has been read
    with im:
        width, height = im.size
        if width * height > max_pixels:
            raise ValueError(f"{name} is {width}x{height} = {width * height:,} pixels; the limit is "
                             f"{max_pixels:,}: upload a smaller image")
        channels = 1 if grayscale else 3
        if size is None and width * height * channels > limits.MAX_IMAGE_PIXELS:
            raise ValueError(f"size=None keeps all {width}x{height} = {width * height:,} pixels of {name}; at "
                             f"most {limits.MAX_IMAGE_PIXELS:,} values can be used: give size, e.g. size=256")
        with _pillow_errors(name, kind, max_pixels, Image):
            pixels = _decode(im, size, Image, ImageOps)
    image = to_grayscale(pixels) if grayscale else pixels
    if size is not None:
        image = downscale(image, size)
    return image


@contextmanager
def _pillow_errors(name: str, kind: str, max_pixels: int, Image):
    """Pillow's own errors (its words, often about its internals) said in the lesson's words, naming the file."""
    try:
        yield
    except Image.DecompressionBombError:
        raise ValueError(f"{name} has far too many pixels (over {max_pixels:,} allowed): upload a smaller image") from None
    except MemoryError:
        raise ValueError(f"{name} needs more memory to decode than this server allows: upload a smaller image") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises ValueError, OSError, SyntaxError, EOFError... when damaged
        if "too large" in str(exc).lower():  # a zTXt/iTXt/iCCP chunk that unpacks to megabytes (a "bomb")
            raise ValueError(f"{name} holds a text or colour-profile part that unpacks to far more data than an "
                             "image needs; it was refused unread: save the image again without metadata") from None
        raise ValueError(f"{name} starts like a {kind} file but could not be decoded; it may be damaged or cut "
                         "short: save it again and upload it") from None


_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N", "I")


def _decode(im, size, Image, ImageOps) -> np.ndarray:
    """Decode an opened image to float64 RGB 0-255, shrinking it in Pillow first when ``size`` allows.

    Memory stays bounded: JPEGs decode at a reduced scale (``draft``), other images are box-reduced by
    a whole factor while still 8 or 32 bits per value, so the float64 copy is made of a small image.
    """
    longest = max(im.size)
    if size is not None:
        target = max(size) if isinstance(size, (tuple, list)) else size
        if im.format == "JPEG" and longest > 2 * target:
            scale = target / longest
            im.draft(None, (max(1, int(im.size[0] * scale) + 1), max(1, int(im.size[1] * scale) + 1)))
    im.load()
    ImageOps.exif_transpose(im, in_place=True)  # phone photos: stored sideways, shown upright
    peak = 65535.0 if im.mode in _SIXTEEN_BIT else 255.0
    transparent = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
    if peak != 255.0:
        key = im.info.get("transparency")
        im = im.convert("I")  # 32-bit integers: 16-bit values kept, scaled below
        if isinstance(key, int):  # one grey value marks transparent pixels: they show the page, white
            values = np.asarray(im, dtype=np.int32).copy()
            values[values == key] = int(peak)
            im = Image.fromarray(values, "I")
    elif transparent:
        im = im.convert("RGBA")
    elif im.mode not in ("RGB", "L"):
        im = im.convert("RGB")  # palette, CMYK, 1-bit...
    if size is not None:
        factor = longest // (2 * target)  # keep at least twice the target: the area average finishes
        if factor >= 2:
            im = im.reduce(factor)  # box average in Pillow, before any float64 copy
    if transparent and peak == 255.0:
        white = Image.new("RGBA", im.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, im)  # transparent pixels show the page: white
    if im.mode not in ("RGB", "I"):
        im = im.convert("RGB")
    pixels = np.asarray(im, dtype=np.float64)
    if peak != 255.0:
        pixels = pixels * (255.0 / peak)
        pixels = np.repeat(pixels[..., None], 3, axis=2)
    return pixels
