"""The digits' glyphs: rendered by convlab.figures.glyphs, shipped as a data file, read by convlab.data.digits.

The data layer draws nothing; these tests show that the file it reads is exactly what the drawing layer
renders today, and that the examples built from it are the ones the shipped network was trained on
(tests/test_network.py compares the digest).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from convlab.data import digits as D

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("size", D.glyph_sizes())
@pytest.mark.parametrize("font", D.DIGIT_FONTS)
def test_the_shipped_glyphs_are_what_the_figures_layer_renders(font, size):
    from convlab.figures.glyphs import draw_glyph_planes

    with np.load(D.GLYPHS_PATH) as stored:
        shipped = stored[D.glyph_key(font, size)]
    fresh = draw_glyph_planes(font, size)
    assert shipped.dtype == fresh.dtype == np.uint8
    np.testing.assert_array_equal(shipped, fresh, err_msg=(
        f"{font} at {size} px renders differently than the shipped glyphs (another matplotlib or FreeType?); "
        "remake them with `python -m convlab.figures.glyphs 16` and retrain with `python -m convlab.nets.trained`"))


def test_templates_average_each_two_by_two_block_of_the_planes():
    # an oracle written from the definition: every template cell is the mean of its 2x2 block, in [0, 1]
    from convlab.figures.glyphs import draw_glyph_planes

    images, labels = D.digit_templates(16)
    planes = draw_glyph_planes(D.DIGIT_FONTS[0], 16)
    first = planes[0].astype(np.float64) / 255
    expected = np.array([[first[2 * r:2 * r + 2, 2 * c:2 * c + 2].mean() for c in range(16)] for r in range(16)])
    np.testing.assert_allclose(images[0], expected, atol=1e-12)
    per_font = len(D.GLYPH_STYLES) * 10
    assert images.shape == (len(D.DIGIT_FONTS) * per_font, 16, 16)
    assert labels[:10].tolist() == list(range(10)) and labels[per_font:per_font + 10].tolist() == list(range(10))


def test_making_digits_loads_no_matplotlib():
    code = ("import sys; from convlab.data.digits import make_digits; make_digits(2); "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_deleting_a_set_of_digits_gives_its_memory_back_whatever_was_freed_before():
    # glibc keeps a freed block below its adaptive mmap threshold in the heap; freeing a 12 MB array first
    # raises that threshold above the set's 6 MB, so a set made with np.empty would stay resident after del
    code = """if True:
        import re, numpy as np
        from convlab.data.digits import make_digits
        def rss():
            return int(re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) * 1024
        make_digits(1)  # the glyphs are read once and kept
        big = np.ones(1_500_000); del big
        before = rss()
        images, labels = make_digits(300)
        grown = rss() - before
        del images
        print(images_bytes := 3000 * 16 * 16 * 8, grown, rss() - before)
    """
    if not Path("/proc/self/status").exists():
        pytest.skip("reads the resident size from Linux's /proc")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    nbytes, grown, kept = map(int, out.stdout.split())
    assert grown >= 0.9 * nbytes, "the set was expected to be resident while it is used"
    assert kept <= 0.1 * nbytes, f"{kept:,} of the set's {nbytes:,} bytes stayed resident after del"


def test_a_set_in_its_own_memory_is_an_ordinary_writeable_array():
    images, labels = D.make_digits(60)  # 600 digits, 1.2 MB: in its own memory map
    small, _ = D.make_digits(2)
    for x in (images, small):
        assert x.dtype == np.float64 and x.flags.writeable and x.flags.c_contiguous
    images[0, 0, 0] = 0.5
    copy = np.array(images)
    assert np.array_equal(copy, images) and copy.base is None
    import pickle

    np.testing.assert_array_equal(pickle.loads(pickle.dumps(images)), images)


@pytest.mark.parametrize("call, match", [
    (lambda: D.digit_templates(12), "16"),  # a size whose glyphs do not ship names those that do
    (lambda: D.make_digits(2, size=20), "python -m convlab.figures.glyphs"),  # ... and how to add one
])
def test_a_size_without_shipped_glyphs_says_which_sizes_ship(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_glyph_file_is_written_atomically_and_keeps_its_permissions(tmp_path):
    from convlab.figures.glyphs import write_glyph_file

    target = tmp_path / "glyphs.npz"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_glyph_file([8], path=target)
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    with np.load(target) as stored:
        assert sorted(stored.files) == sorted(D.glyph_key(f, 8) for f in D.DIGIT_FONTS)
    assert [p.name for p in tmp_path.iterdir()] == ["glyphs.npz"]  # no temporary file left behind


@pytest.mark.parametrize("font", ["NoSuchFont.ttf", "../../matplotlibrc", 3])  # unknown, outside the font folder, not a name
def test_a_font_that_matplotlib_does_not_bundle_is_refused(font):
    from convlab.figures.glyphs import draw_glyph_planes

    with pytest.raises(ValueError, match="font must be a font file bundled with matplotlib"):
        draw_glyph_planes(font, 8)
