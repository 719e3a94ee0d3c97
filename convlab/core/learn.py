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

from .conv import conv2d

__all__ = ["LearningRun", "loss_and_gradient", "learn_kernel", "make_targets"]


def make_targets(images, kernel, *, stride=1, padding=0):
    """The feature maps a hidden "teacher" kernel produces: the examples to learn from.

    >>> from convlab.images import SEED_IMAGE, SEED_KERNEL
    >>> make_targets([SEED_IMAGE], SEED_KERNEL)[0][0]
    array([-4.,  2.,  4.])
    """
    return [conv2d(img, kernel, stride=stride, padding=padding) for img in images]


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
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D (kh, kw); got shape {kernel.shape}")
    if len(images) != len(targets) or not len(images):
        raise ValueError(f"need one target per image and at least one image; got {len(images)} images and "
                         f"{len(targets)} targets")
    kh, kw = kernel.shape
    count = sum(np.size(t) for t in targets)
    loss = 0.0
    grad = np.zeros_like(kernel)
    for image, target in zip(images, targets):
        prediction = conv2d(image, kernel, stride=stride, padding=padding)  # forward pass
        target = np.asarray(target, dtype=np.float64)
        if target.shape != prediction.shape:
            raise ValueError(f"target shape {target.shape} does not match the feature map's {prediction.shape}")
        error = prediction - target
        loss += float(np.sum(error**2))
        # backward pass: the image correlated with the error map (error cells `stride` apart)
        grad += conv2d(image, error, padding=padding, dilation=stride)[:kh, :kw]
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
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer; got {steps!r}")
    if not (isinstance(learning_rate, (int, float)) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number; got {learning_rate!r}")
    kh, kw = size if isinstance(size, (tuple, list)) else (size, size)
    if init is None:
        kernel = np.random.default_rng(seed).normal(0.0, 0.1, size=(kh, kw))
    else:
        kernel = np.array(init, dtype=np.float64)
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
    return LearningRun(np.array(kernels), np.array(losses), float(learning_rate))
