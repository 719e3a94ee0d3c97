"""Every combination a learner can reach with the sliders gives a figure or a friendly message, never an
exception: stride x padding x filter size x kernel family, on the seed image and on a non-square one.

One Explorer per image is reused (values are set as a learner would): the walk and its view model are
computed once per setting, which keeps this sweep to seconds.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from convlab import Explorer, conv2d
from convlab.images import SEED_IMAGE
from convlab.kernels import FAMILIES, make_kernel

NON_SQUARE = np.arange(54.0).reshape(6, 9) % 7  # rows and columns differ: catches swapped axes

IMAGES = [
    pytest.param(None, id="seed-5x5"),
    pytest.param(NON_SQUARE, id="non-square-6x9"),
]


@pytest.mark.parametrize("image", IMAGES)
def test_every_setting_gives_a_figure_or_a_friendly_message(image):
    ex = Explorer(image)
    img = SEED_IMAGE if image is None else image
    failures, messages, figures = [], 0, 0
    sizes = range(ex.kernel_size.min, ex.kernel_size.max + 1)
    for stride, padding, size in itertools.product(range(1, 5), range(0, 4), sizes):
        for family in FAMILIES:  # innermost: only the filter's values change, the cheapest update
            case = dict(stride=stride, padding=padding, size=size, family=family)
            try:
                ex.stride.value, ex.padding.value, ex.kernel_size.value = stride, padding, size
                ex.family.value = family
                caption = ex.caption
                assert caption, "empty caption"
                assert "Traceback" not in caption
                fits = size <= min(img.shape) + 2 * padding
                if not fits:
                    assert "does not fit" in caption and ex.walk is None
                    assert ex.view_model["message"] == caption
                    messages += 1
                    continue
                expected = conv2d(img, make_kernel(family, size), stride=stride, padding=padding)
                assert ex.walk.feature_map.shape == expected.shape
                np.testing.assert_allclose(ex.walk.feature_map, expected)
                assert ex.step.max == expected.size  # windows numbered from 1
                assert ex.view_model["windows"]["count"] == expected.size
                ex.step.value = ex.step.max  # the last window draws too
                assert ex.caption.startswith(f"Window {expected.size} of {expected.size}")
                figures += 1
            except Exception as exc:  # collect them all: one report for the whole table
                failures.append((case, repr(exc)))
    assert not failures, f"{len(failures)} settings failed, e.g. {failures[:5]}"
    assert figures and messages  # both outcomes were exercised


def test_seed_first_window_shows_minus_four():
    ex = Explorer()
    assert "= \u22124" in ex.caption.splitlines()[1]


@pytest.mark.parametrize("image", IMAGES)
def test_dilation_and_flip_sweep(image):
    ex = Explorer(image)
    for dilation, flip, padding, size in itertools.product((1, 2, 3), (False, True), range(4), (1, 2, 3, 5)):
        ex.dilation.value, ex.flip.value, ex.padding.value, ex.kernel_size.value = dilation, flip, padding, size
        assert ex.caption
        if ex.walk is None:
            assert "does not fit" in ex.caption and "dilation" in ex.caption
            assert ex.view_model["message"] == ex.caption
