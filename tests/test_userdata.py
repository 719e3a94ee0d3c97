"""Bring-your-own data: typed kernels (never eval'd) and uploaded images (type and size checked)."""

import io
import pathlib

import numpy as np
import pytest
from PIL import Image

from convlab.data.userdata import format_kernel, load_image, parse_kernel, sniff_image_type, upload_contents

# ---------------------------------------------------------------- parse_kernel
GOOD_KERNELS = [
    # text, expected, why this case matters
    ("1 0 -1; 1 0 -1; 1 0 -1", [[1, 0, -1]] * 3, "the seed's filter, semicolon rows"),
    ("1 0 -1\n1 0 -1\n1 0 -1", [[1, 0, -1]] * 3, "one row per line"),
    ("1,0,-1\n1,0,-1\n1,0,-1\n", [[1, 0, -1]] * 3, "commas and a trailing new line"),
    ("[[1, 0, -1], [1, 0, -1], [1, 0, -1]]", [[1, 0, -1]] * 3, "pasted from Python"),
    ("[[1 0 -1]\n [1 0 -1]]", [[1, 0, -1]] * 2, "pasted from numpy's print"),
    ("1 0 \u22121; 1 0 \u22121", [[1, 0, -1]] * 2, "Unicode minus from the lesson text"),
    ("1/9 1/9; 1/9 1/9", [[1 / 9] * 2] * 2, "fractions for a blur"),
    (".5 -0.25 1e-1", [[0.5, -0.25, 0.1]], "decimals and scientific notation"),
    ("  \n 7 \n\n", [[7]], "a 1x1 kernel with blank lines around"),
    ("+1 -1", [[1, -1]], "explicit plus sign"),
]


@pytest.mark.parametrize("text, expected, why", GOOD_KERNELS, ids=[c[2] for c in GOOD_KERNELS])
def test_parse_kernel_reads(text, expected, why):
    got = parse_kernel(text)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected)


BAD_KERNELS = [
    # text, message pattern, why
    ("1 0 -1; 1 x -1", r"'x' \(row 2, entry 2\) is not a number", "a letter"),
    ("1 0 -1; 1 0", r"row 2 has 2 where row 1 has 3", "ragged rows"),
    ("1 2 3; 4 5 6; 7 8", r"lengths 3, 3, 2", "last row short"),
    ("", r"empty", "nothing typed"),
    (" ; ;\n", r"empty", "only separators"),
    ("__import__('os').system('ls')", r"is not a number", "code is not run, just refused"),
    ("1 0 nan", r"'nan'.*is not a number", "NaN is not a number here"),
    ("1 inf", r"'inf'.*is not a number", "neither is infinity"),
    ("1/0 1", r"'1/0'.*is not a number", "division by zero"),
    ("1 2..3", r"'2..3'", "a typo in a decimal"),
    ("1 0; 1e999 1", r"'1e999' \(row 2, entry 1\) is too large", "overflows to infinity: the token is named"),
    ("; ".join(["1 " * 16] * 16), r"at most 15x15", "too large"),
]


@pytest.mark.parametrize("text, pattern, why", BAD_KERNELS, ids=[c[2] for c in BAD_KERNELS])
def test_parse_kernel_refuses_with_a_clear_message(text, pattern, why):
    with pytest.raises(ValueError, match=pattern):
        parse_kernel(text)


@pytest.mark.parametrize("value", [None, 3, b"1 0 -1", ["1 0 -1"]])
def test_parse_kernel_wants_a_string(value):
    with pytest.raises(TypeError, match="must be a string"):
        parse_kernel(value)


def test_format_kernel_round_trips():
    k = np.array([[1, 0, -1], [0.5, 2, -0.25]])
    np.testing.assert_array_equal(parse_kernel(format_kernel(k)), k)


# ---------------------------------------------------------------- images
def _encoded(fmt, size=(40, 20), colour=(255, 0, 0), mode="RGB"):
    buf = io.BytesIO()
    Image.new(mode, size, colour).save(buf, format=fmt)
    return buf.getvalue()


PNG = _encoded("PNG")
JPEG = _encoded("JPEG", colour=(0, 0, 255))


@pytest.mark.parametrize("data, kind", [
    (PNG, "PNG"), (JPEG, "JPEG"), (_encoded("GIF", mode="P", colour=0), "GIF"), (_encoded("BMP"), "BMP"),
    (b"%PDF-1.7 ...", "PDF"), (b"<svg xmlns=...", "SVG"), (b"just text", None),
])
def test_sniff_image_type_by_first_bytes(data, kind):
    assert sniff_image_type(data) == kind


@pytest.mark.parametrize("data", [PNG, JPEG])
def test_load_image_decodes_png_and_jpeg_to_small_grayscale(data):
    img = load_image(data, size=10)
    assert img.shape == (5, 10) and img.dtype == np.float64
    assert 0 <= img.min() <= img.max() <= 255


def test_load_image_keeps_colour_when_asked():
    img = load_image(PNG, size=None, grayscale=False)
    assert img.shape == (20, 40, 3)
    np.testing.assert_array_equal(img[0, 0], [255, 0, 0])


def test_load_image_handles_transparent_and_grayscale_pngs():
    assert load_image(_encoded("PNG", mode="RGBA", colour=(0, 255, 0, 0)), size=8).shape == (4, 8)
    assert load_image(_encoded("PNG", mode="L", colour=128), size=8).max() == pytest.approx(128)


@pytest.mark.parametrize("value", [
    ({"name": "a.png", "type": "image/png", "size": len(PNG), "content": memoryview(PNG)},),  # ipywidgets 8
    {"a.png": {"metadata": {"name": "a.png"}, "content": PNG}},  # ipywidgets 7
    {"name": "a.png", "content": PNG},  # one file's dict
    memoryview(PNG),
    bytearray(PNG),
])
def test_load_image_accepts_fileupload_values(value):
    assert load_image(value, size=10).shape == (5, 10)


BAD_FILES = [
    # data, keyword arguments, message pattern, why
    ((), {}, r"no file was uploaded", "nothing chosen yet"),
    (b"", {}, r"empty \(0 bytes\)", "a zero-byte file"),
    (_encoded("GIF", mode="P", colour=0), {}, r"GIF image, not a PNG or JPEG", "GIF is named"),
    (b"%PDF-1.4 hello", {}, r"PDF file, not a PNG or JPEG", "a document"),
    (b"hello world", {}, r"not an image this lesson can read", "plain text"),
    (PNG, {"max_bytes": 10}, r"the limit is", "too many bytes"),
    (PNG, {"max_pixels": 100}, r"40x20 = 800 pixels; the limit is 100", "too many pixels, before decoding"),
    (PNG[:40], {}, r"could not be decoded; it may be damaged", "a PNG cut short"),
    (b"\xff\xd8\xff" + b"\x00" * 50, {}, r"JPEG file but could not be decoded", "JPEG magic, garbage after"),
    (None, {}, r"no file was uploaded", "None, as an empty upload"),
    (42, {}, r"not look like a FileUpload value .*got int", "not an upload at all: used to be a TypeError"),
    ("a.png", {}, r"not look like a FileUpload value", "a file name is not the file"),
    ({"name": "a.png"}, {}, r"dict with keys 'name' and no 'content'", "a dict without content: used to be a dict() error"),
]


@pytest.mark.parametrize("data, kwargs, pattern, why", BAD_FILES, ids=[c[3] for c in BAD_FILES])
def test_load_image_refuses_bad_files_with_a_clear_message(data, kwargs, pattern, why):
    with pytest.raises(ValueError, match=pattern):
        load_image(data, **kwargs)


def test_upload_contents_names_the_file():
    assert upload_contents(({"name": "cat.jpg", "content": b"xyz"},)) == ("cat.jpg", b"xyz")
    with pytest.raises(ValueError, match="not look like a FileUpload value"):
        upload_contents([42])


# ---------------------------------------------------------------- issue 13: what an upload really shows

def _png_from_array(arr, mode=None):
    buf = io.BytesIO()
    Image.fromarray(arr, mode).save(buf, format="PNG") if mode else Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def test_sixteen_bit_png_is_scaled_not_clipped_to_white():
    ramp = np.array([[0, 257 * 64, 257 * 128, 65535]], dtype=np.uint16)  # 0, 1/4, 1/2, white in 16 bits
    img = load_image(_png_from_array(ramp), size=None)
    np.testing.assert_allclose(img[0], [0, 64, 128, 255])  # before: 0, 255, 255, 255


def test_sixteen_bit_png_in_colour_too():
    ramp = np.array([[0, 257 * 100]], dtype=np.uint16)
    img = load_image(_png_from_array(ramp), size=None, grayscale=False)
    np.testing.assert_allclose(img[0], [[0, 0, 0], [100, 100, 100]])


def test_exif_orientation_is_applied():
    im = Image.new("RGB", (40, 20), (0, 0, 0))
    im.paste((255, 255, 255), (0, 0, 10, 20))  # a white band on the left as stored
    exif = im.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": a phone held upright
    buf = io.BytesIO()
    im.save(buf, format="JPEG", exif=exif, quality=95)
    img = load_image(buf.getvalue(), size=None)
    assert img.shape == (40, 20)  # shown upright: taller than wide
    assert img[:10].mean() > 200 and img[-10:].mean() < 50  # the band is now at the top


@pytest.mark.parametrize("mode, colour", [
    ("RGBA", (0, 0, 0, 0)),    # fully transparent black: the page shows white, not black
    ("LA", (0, 0)),            # the same in grayscale with alpha
])
def test_transparent_pixels_are_composited_on_white(mode, colour):
    img = load_image(_encoded("PNG", mode=mode, colour=colour), size=None)
    np.testing.assert_allclose(img, 255.0)


def test_half_transparent_pixels_blend_with_white():
    img = load_image(_encoded("PNG", mode="RGBA", colour=(0, 0, 0, 128)), size=None)
    np.testing.assert_allclose(img, 255 - 128, atol=1)


def test_size_none_on_a_huge_image_is_refused_naming_size():
    data = _encoded("PNG", size=(5000, 4000), colour=(0, 0, 0))
    with pytest.raises(ValueError, match=r"size=None .*20,000,000"):
        load_image(data, size=None)


@pytest.mark.skipif(not pathlib.Path("/proc/self/status").exists(), reason="reads the peak memory from Linux's /proc")
def test_a_large_png_loads_without_a_float64_copy_of_every_pixel(tmp_path):
    # a 5000x5000 PNG of a few KB used to peak near 1 GB (float64 RGB, then grayscale) before downscaling
    import subprocess
    import sys

    path = tmp_path / "big.png"
    path.write_bytes(_encoded("PNG", size=(5000, 5000), colour=(10, 20, 30)))
    code = ("import sys; from convlab.data.userdata import load_image; "
            "img = load_image(open(sys.argv[1], 'rb').read(), size=64); "
            "assert img.shape == (64, 64), img.shape; "
            "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) // 1024)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert int(out.stdout) < 300, f"peak {out.stdout.strip()} MB"
