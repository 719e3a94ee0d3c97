"""Learning a kernel by gradient descent: the gradient is right, and the teacher's kernel is found."""

import numpy as np
import pytest

import convlab.nets.learn as learn
from convlab.images import SEED_IMAGE, SEED_KERNEL, checkerboard, cross, sample_photo, stripes
from convlab.kernels import SOBEL_X, VERTICAL_EDGE
from convlab.nets.learn import learn_kernel, loss_and_gradient, make_targets


def _numeric_gradient(kernel, images, targets, **settings):
    grad = np.zeros_like(kernel)
    for idx in np.ndindex(kernel.shape):
        up, down = kernel.copy(), kernel.copy()
        up[idx] += 1e-5
        down[idx] -= 1e-5
        grad[idx] = (loss_and_gradient(up, images, targets, **settings)[0]
                     - loss_and_gradient(down, images, targets, **settings)[0]) / 2e-5
    return grad


@pytest.mark.parametrize("settings, shape", [
    ({}, (3, 3)),  # the plain case
    (dict(padding=1), (3, 3)),  # padding: border windows see zeros
    (dict(stride=2), (3, 3)),  # stride: the error cells are 2 apart in the image
    (dict(stride=2, padding=1), (3, 3)),
    ({}, (2, 3)),  # rectangular kernel
    (dict(stride=3, padding=2), (5, 5)),
])
def test_gradient_matches_finite_differences(settings, shape):
    rng = np.random.default_rng(1)
    images = [rng.random((9, 8)) for _ in range(2)]
    teacher = rng.normal(size=shape)
    targets = make_targets(images, teacher, **settings)
    kernel = rng.normal(size=shape)
    _, grad = loss_and_gradient(kernel, images, targets, **settings)
    np.testing.assert_allclose(grad, _numeric_gradient(kernel, images, targets, **settings), rtol=1e-5, atol=1e-7)


def test_forward_pass_is_conv2d(monkeypatch):
    calls = []
    real = learn.conv2d

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(learn, "conv2d", spy)
    loss_and_gradient(SEED_KERNEL, [SEED_IMAGE], make_targets([SEED_IMAGE], SEED_KERNEL))
    assert len(calls) == 3  # make_targets, forward, backward: every convolution goes through conv2d


def test_learns_the_sobel_filter_from_the_photo_and_patterns():
    images = [sample_photo(32) / 255, stripes(12, 3), checkerboard(12, 3), cross(12, 2)]
    run = learn_kernel(images, make_targets(images, SOBEL_X), steps=150, learning_rate=0.5)
    np.testing.assert_allclose(run.kernel, SOBEL_X, atol=0.1)
    assert run.losses[-1] < 0.001 * run.losses[0]
    assert run.kernels.shape == (151, 3, 3) and run.losses.shape == (151,)


def test_learning_is_deterministic_for_a_seed():
    images = [stripes(8, 2)]
    targets = make_targets(images, VERTICAL_EDGE)
    a = learn_kernel(images, targets, steps=5, seed=3)
    b = learn_kernel(images, targets, steps=5, seed=3)
    np.testing.assert_array_equal(a.kernels, b.kernels)
    assert not np.array_equal(a.kernels[0], learn_kernel(images, targets, steps=0, seed=4).kernels[0])


def test_loss_goes_down_every_step_with_a_small_learning_rate():
    images = [sample_photo(16) / 255]
    run = learn_kernel(images, make_targets(images, VERTICAL_EDGE), steps=20, learning_rate=0.1)
    assert np.all(np.diff(run.losses) < 0)


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(learning_rate=50.0, steps=50), "too large"),  # divergence is explained, not a wall of NaN
    (dict(learning_rate=0), "learning_rate must be a positive"),
    (dict(steps=-1), "steps must be"),
])
def test_bad_settings_are_explained(kwargs, pattern):
    images = [stripes(8, 2)]
    with pytest.raises(ValueError, match=pattern):
        learn_kernel(images, make_targets(images, VERTICAL_EDGE), **kwargs)


def test_mismatched_examples_are_explained():
    with pytest.raises(ValueError, match="one target per image"):
        loss_and_gradient(SEED_KERNEL, [SEED_IMAGE], [])
    with pytest.raises(ValueError, match="does not match"):
        loss_and_gradient(SEED_KERNEL, [SEED_IMAGE], [np.zeros((2, 2))])


# ---------------------------------------------------------------- issue 13: padding by name in the backward pass

@pytest.mark.parametrize("padding, shape", [
    ("same", (3, 3)),  # the backward pass must pad by the *kernel's* size, not the error map's
    ("full", (3, 3)),  # "full" pads kernel - 1: with the error map's size it pads far too much
    ("same", (2, 4)),  # an even, rectangular kernel: the extra row/column goes bottom/right
    ("full", (5, 5)),
])
def test_gradient_with_named_padding_matches_finite_differences(padding, shape):
    rng = np.random.default_rng(2)
    images = [rng.random((9, 8)) for _ in range(2)]
    targets = make_targets(images, rng.normal(size=shape), padding=padding)
    kernel = rng.normal(size=shape)
    _, grad = loss_and_gradient(kernel, images, targets, padding=padding)
    np.testing.assert_allclose(grad, _numeric_gradient(kernel, images, targets, padding=padding), rtol=1e-5, atol=1e-7)


def test_learning_with_same_padding_finds_the_teacher_as_padding_one_does():
    images = [sample_photo(16) / 255, stripes(12, 3)]
    runs = {p: learn_kernel(images, make_targets(images, VERTICAL_EDGE, padding=p), steps=300, learning_rate=0.3,
                            padding=p) for p in ("same", 1)}
    # for a 3x3 kernel "same" *is* padding 1: the same path downhill (before the fix, "same" stalled)
    np.testing.assert_allclose(runs["same"].kernels, runs[1].kernels, rtol=1e-9, atol=1e-12)
    assert runs["same"].losses[-1] < 1e-5 * runs["same"].losses[0]
