"""Learning a kernel from examples by gradient descent, in plain numpy (compute layer).

A CNN is not told its filters: it starts from random numbers and adjusts them until its feature maps
match what it should produce. This module does exactly that for one 3x3 filter, so a learner can watch
an edge detector emerge.

* Forward pass: ``prediction = conv2d(image, kernel)`` — the same :func:`convlab.conv2d` as everywhere
  else, never a second implementation.
* Loss: the mean of the squared errors, ``mean((prediction - target)**2)``.
* Gradient: each kernel weight ``k[i, j]`` multiplied every pixel that its cell visited, so
  ``dL/dk[i, j] = 2/M · Σ error[r, c] · image[r·s + i, c·s + j]``. That is itself a convolution: the
  image correlated with the error map, ``conv2d(image, error)`` (stride 1; with a stride ``s`` the error
  cells are ``s`` apart, which is ``dilation=s``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._shared import validate as v
from ..core import limits
from ..core.conv import conv2d

__all__ = ["LearningRun", "loss_and_gradient", "learn_kernel", "make_targets"]


def make_targets(images, kernel, *, stride=1, padding=0):
    """The feature maps a hidden "teacher" kernel produces: the examples to learn from.

    >>> from convlab.images import SEED_IMAGE, SEED_KERNEL
    >>> make_targets([SEED_IMAGE], SEED_KERNEL)[0][0]
    array([-4.,  2.,  4.])
    """
    images = _examples(images, "images")
    return [conv2d(img, kernel, stride=stride, padding=padding) for img in images]


def _examples(values, name: str) -> list:
    """``images`` / ``targets``: a non-empty list (or tuple, or stacked array) of 2-D arrays."""
    if isinstance(values, np.ndarray) and values.ndim == 3:
        values = list(values)
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"{name} must be a list of 2-D arrays; got {v.short(values)}")
    if not values:
        raise ValueError(f"{name} must hold at least one example; got an empty {type(values).__name__}")
    return [v.as_array(x, f"{name}[{i}]", ndims=(2,), shape_hint="a 2-D (H, W) array") for i, x in enumerate(values)]


def loss_and_gradient(kernel, images, targets, *, stride=1, padding=0):
    """Mean squared error of ``conv2d(image, kernel)`` against the targets, and its gradient.

    Parameters
    ----------
    kernel : array_like, shape (kh, kw)
    images : sequence of (H, W) arrays
    targets : sequence of arrays, each the shape of ``conv2d(image, kernel, ...)``
    stride, padding : int
        As for :func:`convlab.conv2d`.

    Returns
    -------
    loss : float
    gradient : numpy.ndarray, shape (kh, kw)

    Examples
    --------
    A kernel that already matches has zero loss and zero gradient:

    >>> from convlab.images import SEED_IMAGE, SEED_KERNEL
    >>> targets = make_targets([SEED_IMAGE], SEED_KERNEL)
    >>> loss, grad = loss_and_gradient(SEED_KERNEL, [SEED_IMAGE], targets)
    >>> loss, bool(np.all(grad == 0))
    (0.0, True)

    The gradient agrees with a finite difference on any weight:

    >>> k = np.zeros((3, 3))
    >>> loss, grad = loss_and_gradient(k, [SEED_IMAGE], targets)
    >>> bump = k.copy(); bump[0, 2] += 1e-6
    >>> slope = (loss_and_gradient(bump, [SEED_IMAGE], targets)[0] - loss) / 1e-6
    >>> bool(abs(slope - grad[0, 2]) < 1e-4)
    True
    """
    kernel = v.as_array(kernel, "kernel", ndims=(2,), shape_hint="(kh, kw)")
    images = _examples(images, "images")
    if isinstance(targets, (list, tuple, np.ndarray)) and len(targets) != len(images):
        raise ValueError(f"targets: need one target per image; got {len(images)} images and "
                         f"{len(targets)} targets")
    targets = _examples(targets, "targets")
    stride = v.positive_pair(stride, "stride")
    kh, kw = kernel.shape
    pads = v.padding_amounts(padding, (kh, kw), stride)  # resolved from the *kernel's* size
    count = sum(np.size(t) for t in targets)
    loss = 0.0
    grad = np.zeros_like(kernel)
    for i, (image, target) in enumerate(zip(images, targets)):
        prediction = conv2d(image, kernel, stride=stride, padding=padding)  # forward pass
        if target.shape != prediction.shape:
            raise ValueError(f"targets[{i}] has shape {target.shape}, which does not match the feature map's "
                             f"{prediction.shape} (what the image, the kernel's size, stride and padding give)")
        error = prediction - target
        loss += float(np.sum(error**2))
        # backward pass: the padded image correlated with the error map (error cells `stride` apart)
        padded = np.pad(image, pads) if any(sum(p) for p in pads) else image
        grad += conv2d(padded, error, dilation=stride)[:kh, :kw]
    return loss / count, 2.0 * grad / count


@dataclass(frozen=True)
class LearningRun:
    """The history of one run of :func:`learn_kernel`.

    Attributes
    ----------
    kernels : numpy.ndarray, shape (steps + 1, kh, kw)
        The kernel before the first step and after every step.
    losses : numpy.ndarray, shape (steps + 1,)
        The loss of each of those kernels.
    learning_rate : float
    """

    kernels: np.ndarray
    losses: np.ndarray
    learning_rate: float

    @property
    def kernel(self) -> np.ndarray:
        """The learned kernel (after the last step)."""
        return self.kernels[-1]

    @property
    def steps(self) -> int:
        return len(self.kernels) - 1


def learn_kernel(images, targets, size=3, *, steps=100, learning_rate=0.1, seed=0, init=None,
                 stride=1, padding=0) -> LearningRun:
    """Start from a random kernel and follow the gradient downhill: ``k ← k − learning_rate · dL/dk``.

    Parameters
    ----------
    images, targets
        Examples: the inputs and the feature maps the kernel should produce from them.
    size : int or (int, int), default 3
        Kernel size.
    steps : int, default 100
    learning_rate : float, default 0.1
    seed : int, default 0
        Seed of the random starting kernel (normal, standard deviation 0.1): runs are reproducible.
    init : array_like, optional
        A starting kernel instead of a random one.
    stride, padding : int

    Returns
    -------
    LearningRun

    Examples
    --------
    Learn the lesson's vertical-edge filter from a random 3x3 start, on random images:

    >>> from convlab.kernels import VERTICAL_EDGE
    >>> rng = np.random.default_rng(0)
    >>> images = [rng.random((8, 8)) for _ in range(4)]
    >>> run = learn_kernel(images, make_targets(images, VERTICAL_EDGE), steps=300, learning_rate=0.3)
    >>> np.round(run.kernel, 2)
    array([[ 1.,  0., -1.],
           [ 1.,  0., -1.],
           [ 1.,  0., -1.]])
    >>> bool(run.losses[-1] < 1e-4 * run.losses[0])
    True
    """
    steps = v.seed_arg(steps, "steps")  # a non-negative integer
    v.check_at_most(steps, limits.MAX_LEARN_STEPS, "steps")
    learning_rate = v.real_number(learning_rate, "learning_rate", minimum=0, inclusive_min=False)
    seed = v.seed_arg(seed)
    if init is None:
        kh, kw = v.positive_pair(size, "size")
        v.check_at_most(max(kh, kw), limits.MAX_KERNEL_SIZE, "size")
        kernel = np.random.default_rng(seed).normal(0.0, 0.1, size=(kh, kw))
    else:
        kernel = np.array(v.as_array(init, "init", ndims=(2,), shape_hint="(kh, kw)"))
    v.check_at_most((steps + 1) * kernel.size, limits.MAX_LEARN_VALUES, "steps",
                    f" for a {kernel.shape[0]}x{kernel.shape[1]} kernel (steps x kernel values kept in the history)")
    images, targets = _examples(images, "images"), _examples(targets, "targets")
    kernels, losses = [kernel.copy()], []
    for _ in range(steps):
        loss, grad = loss_and_gradient(kernel, images, targets, stride=stride, padding=padding)
        if not np.isfinite(loss) or loss > 1e12:
            raise ValueError(f"the loss blew up ({loss:.3g}) after {len(losses)} steps: learning_rate "
                             f"{learning_rate} is too large for these images; try a smaller one")
        losses.append(loss)
        kernel = kernel - learning_rate * grad
        kernels.append(kernel.copy())
    losses.append(loss_and_gradient(kernel, images, targets, stride=stride, padding=padding)[0])
    return LearningRun(np.array(kernels), np.array(losses), learning_rate)
