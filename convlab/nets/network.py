"""A tiny convolutional network trained in plain numpy (compute layer): learned filters, for real.

The network is the smallest one whose first-layer filters are worth looking at::

    image (16×16) → conv 3×3, F filters (+ bias) → ReLU → 2×2 max pool → dense → softmax over 10 digits

Every convolution — forward *and* backward — is the suite's own :func:`convlab.conv2d` /
:func:`convlab.feature_maps`; pooling and ReLU come from :mod:`convlab.core.ops`. A batch goes through
in one call: its images are stacked on top of each other into one tall picture (a *mosaic*), the filter
slides over the whole mosaic, and the windows that straddle two images are thrown away.

The backward pass of a convolution layer is two more convolutions (``G`` is the gradient of the loss
with respect to the feature map, ``X`` the input, ``K`` the kernel):

* **kernel gradient** — each weight ``K[i, j]`` multiplied the pixel ``X[r + i, c + j]`` for every output
  cell ``(r, c)``, so ``dL/dK[i, j] = Σ G[r, c] · X[r + i, c + j]``: the input correlated with the output
  gradient, ``conv2d(X, G)``;
* **input gradient** — pixel ``X[a, b]`` was seen by every window that covers it, through the weight
  ``K[a − r, b − c]``, so ``dL/dX[a, b] = Σ G[r, c] · K[a − r, b − c]``: a *full* correlation (lesson 3's
  ``padding="full"``: every partial overlap) with the kernel rotated by 180° (lesson 6's ``flip=True``),
  ``conv2d(G, K, padding="full", flip=True)``.

:func:`train` runs mini-batch gradient descent with momentum from a fixed seed; :func:`save_network`
writes a trained network atomically; :func:`load_network` reads it back.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field

import numpy as np

from .._shared import validate as v
from .._shared.files import check_write_path, write_atomically
from ..core import limits
from ..core.conv import conv2d, feature_maps
from .layer import count_parameters
from .stages import Stage
from ..core.ops import avg_pool2d, max_pool2d, relu

__all__ = ["TinyCNN", "Activations", "TrainingRun", "conv_forward", "conv_backward", "relu_backward",
           "maxpool_forward", "maxpool_backward", "dense_forward", "dense_backward", "softmax",
           "softmax_cross_entropy", "loss_and_gradients", "init_network", "train", "save_network",
           "load_network", "run_stack", "nearest_neighbour_accuracy", "linear_accuracy"]


# --------------------------------------------------------------------------- layers, forward and backward


PREDICT_CHUNK = 64
"""Images per feature-map call in :func:`conv_forward`, and per forward pass in :meth:`TinyCNN.predict`,
:meth:`TinyCNN.accuracy` and :meth:`TinyCNN.strongest_responses`: under 1 MB of 16×16 maps at a time,
whatever the batch (a learner's kernel keeps what its largest temporary once took)."""


def _as_batch(images, name: str = "images") -> np.ndarray:
    return v.as_array(images, name, ndims=(3,), shape_hint="a batch of grayscale images, shape (B, H, W)")


def _grid(value, name: str, ndims: int, hint: str) -> np.ndarray:
    """A finite float64 array of ``ndims`` dimensions (``hint`` says which shape), named ``name`` if not."""
    return v.as_array(value, name, ndims=(ndims,), shape_hint=hint)


def _same_shape(arr: np.ndarray, want: tuple, name: str, why: str) -> np.ndarray:
    if arr.shape != tuple(want):
        raise ValueError(f"{name} must have shape {tuple(want)} ({why}); got shape {arr.shape}")
    return arr


def _filters(kernels, image_hw) -> np.ndarray:
    """(F, k, k) filters no larger than the images (``image_hw``)."""
    k = _grid(kernels, "kernels", 3, "(F, k, k), one k×k filter per feature map")
    if k.shape[1] > image_hw[0] or k.shape[2] > image_hw[1]:
        raise ValueError(f"kernels of {k.shape[1]}x{k.shape[2]} are larger than the images "
                         f"({image_hw[0]}x{image_hw[1]}); use smaller filters")
    return k


def _labels(labels, count: int, classes: int, name: str = "labels", images: str = "images") -> np.ndarray:
    """One whole-number label per example, from 0 to ``classes − 1`` (a −1 would silently train as the last class)."""
    y = v.as_numbers(labels, name)
    if y.shape != (count,):
        raise ValueError(f"{name} must hold one label per image of {images} ({count}); got shape {y.shape}")
    if np.any(y != np.round(y)):
        bad = y[y != np.round(y)][0]
        raise ValueError(f"{name} must be whole numbers (digit classes); got {bad:g}")
    if np.any(y < 0) or np.any(y >= classes):
        bad = y[(y < 0) | (y >= classes)][0]
        raise ValueError(f"{name} must be class numbers from 0 to {classes - 1}; got {bad:g}")
    return y.astype(np.intp)


def conv_forward(images, kernels, bias) -> np.ndarray:
    """Every filter on every image (valid padding, stride 1), plus one bias per filter.

    The batch is one ``feature_maps`` call per chunk of ``PREDICT_CHUNK`` images: the images stacked into
    a ``(B·H, W)`` mosaic.

    Parameters
    ----------
    images : (B, H, W) array
    kernels : (F, k, k) array
    bias : (F,) array

    Returns
    -------
    numpy.ndarray, shape (B, H − k + 1, W − k + 1, F)

    Examples
    --------
    >>> from convlab.images import SEED_IMAGE, SEED_KERNEL
    >>> maps = conv_forward([SEED_IMAGE, SEED_IMAGE], [SEED_KERNEL], [0.0])
    >>> maps.shape, maps[1, 0, :, 0]
    ((2, 3, 3, 1), array([-4.,  2.,  4.]))
    """
    x = _as_batch(images)
    k = _filters(kernels, x.shape[1:])
    b, h, w = x.shape
    kh, kw = k.shape[1:3]
    bias = _same_shape(v.as_numbers(bias, "bias"), (k.shape[0],), "bias", "one per filter")
    oh = h - kh + 1
    maps = np.empty((b, oh, w - kw + 1, k.shape[0]))
    for start in range(0, b, PREDICT_CHUNK):  # a chunk of images at a time: the mosaic's map stays small
        n = min(b, start + PREDICT_CHUNK) - start
        tall = feature_maps(x[start:start + n].reshape(n * h, w), k, method="direct")  # exact sums
        maps[start:start + n - 1] = tall[: (n - 1) * h].reshape(n - 1, h, *tall.shape[1:])[:, :oh]
        maps[start + n - 1] = tall[(n - 1) * h:]  # each image's rows of the mosaic's map
    maps += bias
    return maps


def _grad_mosaic(grad_maps, h: int, kh: int) -> np.ndarray:
    """The output gradient laid out like the forward mosaic: zeros where windows straddled two images."""
    g = np.asarray(grad_maps, dtype=np.float64)
    b, oh, ow, f = g.shape
    tall = np.zeros((b, h, ow, f))
    tall[:, :oh] = g
    return tall.reshape(b * h, ow, f)[: b * h - kh + 1]


def conv_backward(images, kernels, grad_maps) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a convolution layer from the gradient of its feature maps — two more convolutions.

    Parameters
    ----------
    images : (B, H, W) array
        The layer's input.
    kernels : (F, k, k) array
    grad_maps : (B, H − k + 1, W − k + 1, F) array
        dL/d(feature maps).

    Returns
    -------
    grad_kernels : (F, k, k) — ``conv2d(input, output gradient)``, summed over the batch
    grad_bias : (F,) — the output gradient summed over every cell
    grad_images : (B, H, W) — ``conv2d(output gradient, kernel, padding="full", flip=True)``

    Examples
    --------
    One image, one filter, a gradient of 1 on the first output cell only: the kernel's gradient is the
    first 3×3 window, and the image's gradient is the kernel itself, put where that window was.

    >>> from convlab.images import SEED_IMAGE, SEED_KERNEL
    >>> g = np.zeros((1, 3, 3, 1)); g[0, 0, 0, 0] = 1
    >>> gk, gb, gx = conv_backward([SEED_IMAGE], [SEED_KERNEL], g)
    >>> bool(np.array_equal(gk[0], SEED_IMAGE[:3, :3])), gb
    (True, array([1.]))
    >>> gx[0, :3, :3]
    array([[ 1.,  0., -1.],
           [ 1.,  0., -1.],
           [ 1.,  0., -1.]])
    """
    x = _as_batch(images)
    k = _filters(kernels, x.shape[1:])
    b, h, w = x.shape
    kh = k.shape[1]
    g = _same_shape(_grid(grad_maps, "grad_maps", 4, "(B, H − k + 1, W − k + 1, F)"),
                    (b, h - kh + 1, w - k.shape[2] + 1, k.shape[0]), "grad_maps", "the feature maps' shape")
    tall = _grad_mosaic(g, h, kh)
    mosaic = x.reshape(b * h, w)
    # dL/dK[i, j] = Σ G[r, c] · X[r + i, c + j]: the input correlated with the output gradient
    grad_kernels = np.stack([conv2d(mosaic, tall[:, :, f], method="direct") for f in range(k.shape[0])])
    # dL/dX = Σ_f G_f ⋆full rot180(K_f): one call, the filters as channels of the gradient (summed)
    grad_mosaic = conv2d(tall, np.moveaxis(k, 0, -1), padding="full", flip=True, method="direct")
    return grad_kernels, g.sum(axis=(0, 1, 2)), grad_mosaic.reshape(b, h, w)


def relu_backward(x, grad) -> np.ndarray:
    """ReLU passes the gradient where its input was positive and stops it elsewhere."""
    x = v.as_numbers(x, "x")
    grad = _same_shape(v.as_numbers(grad, "grad"), x.shape, "grad", "the shape of x")
    return grad * (x > 0)


def _windows(maps, size: int) -> np.ndarray:
    """(B, h, w, F) → (B, h//s, w//s, F, s·s): the cells of every pooling window (the ragged edge dropped)."""
    b, h, w, f = maps.shape
    h2, w2 = h // size, w // size
    cut = maps[:, : h2 * size, : w2 * size]
    return cut.reshape(b, h2, size, w2, size, f).transpose(0, 1, 3, 5, 2, 4).reshape(b, h2, w2, f, size * size)


def _pool_maps(maps, size) -> tuple[np.ndarray, int]:
    """(B, h, w, F) maps and a pooling size that fits in them."""
    m = _grid(maps, "maps", 4, "(B, h, w, F), a batch of feature maps")
    size = v.size_arg(v.scalar(size), "size")
    if size > min(m.shape[1:3]):
        raise ValueError(f"size {size} is larger than the maps ({m.shape[1]}x{m.shape[2]}); use at most "
                         f"{min(m.shape[1:3])}")
    return m, size


def maxpool_forward(maps, size: int = 2) -> np.ndarray:
    """``max_pool2d`` (window ``size``, stride ``size``) on every image of a (B, h, w, F) batch, in one call.

    >>> maxpool_forward(np.arange(16.0).reshape(1, 4, 4, 1))[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    m, size = _pool_maps(maps, size)
    b, h, w, f = m.shape
    h2, w2 = h // size, w // size
    mosaic = m[:, : h2 * size, : w2 * size].reshape(b * h2 * size, w2 * size, f)
    return max_pool2d(mosaic, size).reshape(b, h2, w2, f)


def maxpool_backward(maps, grad_pooled, size: int = 2) -> np.ndarray:
    """The gradient goes to the one cell that was the maximum of each window (the first, on a tie)."""
    m, size = _pool_maps(maps, size)
    cells = _windows(m, size)
    grad_pooled = _same_shape(_grid(grad_pooled, "grad_pooled", 4, "(B, h // size, w // size, F)"), cells.shape[:4],
                              "grad_pooled", "the pooled maps' shape")
    winner = cells.argmax(axis=-1)
    routed = np.zeros_like(cells)
    np.put_along_axis(routed, winner[..., None], grad_pooled[..., None], axis=-1)
    b, h2, w2, f, _ = routed.shape
    back = routed.reshape(b, h2, w2, f, size, size).transpose(0, 1, 4, 2, 5, 3).reshape(b, h2 * size, w2 * size, f)
    out = np.zeros_like(m)
    out[:, : h2 * size, : w2 * size] = back
    return out


def dense_forward(x, weights, bias) -> np.ndarray:
    """Every output is a weighted sum of every input: ``x @ weights + bias``."""
    x, weights = _dense(x, weights)
    bias = _same_shape(v.as_numbers(bias, "bias"), weights.shape[1:], "bias", "one per output, a column of weights")
    return _finite(x @ weights + bias, "dense_forward", "x times weights")


def _dense(x, weights) -> tuple[np.ndarray, np.ndarray]:
    """(B, D) inputs and (D, C) weights whose D agree (numpy's matmul message names neither)."""
    x = _grid(x, "x", 2, "(B, D), one row of D inputs per example")
    weights = _grid(weights, "weights", 2, "(D, C), D inputs to C outputs")
    if weights.shape[0] != x.shape[1]:
        raise ValueError(f"weights must have one row per input: x has {x.shape[1]} inputs per example, weights "
                         f"has shape {weights.shape}; want ({x.shape[1]}, C)")
    return x, weights


def _finite(result: np.ndarray, what: str, inputs: str) -> np.ndarray:
    return v.check_finite_output(result, what, f"the products of {inputs}", "scale the values down")


def dense_backward(x, weights, grad) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dL/dweights, dL/dbias, dL/dx) of a dense layer."""
    x, weights = _dense(x, weights)
    grad = _same_shape(_grid(grad, "grad", 2, "(B, C)"), (x.shape[0], weights.shape[1]), "grad",
                       "a row per example of x, a column per column of weights")
    return (_finite(x.T @ grad, "dense_backward", "x times grad"), grad.sum(axis=0),
            _finite(grad @ weights.T, "dense_backward", "grad times weights"))


def softmax(logits) -> np.ndarray:
    """Scores → probabilities that sum to 1 (shifted by the largest score first, so nothing overflows)."""
    z = v.as_numbers(logits, "logits")
    if z.ndim == 0 or z.size == 0:
        raise ValueError(f"logits must hold at least one score per example, shape (C,) or (B, C); got shape {z.shape}")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(logits, labels) -> tuple[float, np.ndarray]:
    """Mean of −log(probability of the right label), and its gradient with respect to the scores.

    >>> loss, grad = softmax_cross_entropy(np.zeros((1, 10)), [3])   # no idea yet: 1/10 for every digit
    >>> round(loss, 4), round(float(grad[0, 3]), 2)
    (2.3026, -0.9)
    """
    p = softmax(logits)
    if p.ndim != 2:
        raise ValueError(f"logits must have shape (B, C), one row of scores per example; got shape {p.shape}")
    y = _labels(labels, p.shape[0], p.shape[1], images="logits")
    n = len(y)
    loss = float(-np.mean(np.log(p[np.arange(n), y] + 1e-300)))
    grad = p.copy()
    grad[np.arange(n), y] -= 1.0
    return loss, grad / n


# --------------------------------------------------------------------------- the network


@dataclass(frozen=True)
class Activations:
    """Everything a forward pass computed, layer by layer (kept for the backward pass and for figures)."""

    images: np.ndarray   # (B, H, W)
    maps: np.ndarray     # (B, H', W', F) conv + bias
    rectified: np.ndarray  # ReLU(maps)
    pooled: np.ndarray   # (B, H'/2, W'/2, F)
    logits: np.ndarray   # (B, 10)

    @property
    def probabilities(self) -> np.ndarray:
        return softmax(self.logits)


@dataclass
class TinyCNN:
    """conv k×k, F filters → ReLU → max pool → dense → 10 scores. Arrays are float64.

    Attributes
    ----------
    kernels : (F, k, k)      the first-layer filters
    conv_bias : (F,)
    weights : (D, classes)   D = (pooled rows) · (pooled columns) · F
    bias : (classes,)
    pool : int               size (and stride) of the max pooling
    """

    kernels: np.ndarray
    conv_bias: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    pool: int = 2

    PARAMETERS = ("kernels", "conv_bias", "weights", "bias")

    def forward(self, images) -> Activations:
        """Run a batch (B, H, W) through every layer."""
        x = _as_batch(images)
        _check_image_size(self, x.shape[1:])
        maps = conv_forward(x, self.kernels, self.conv_bias)
        rectified = relu(maps)
        pooled = maxpool_forward(rectified, self.pool)
        logits = dense_forward(pooled.reshape(len(x), -1), self.weights, self.bias)
        return Activations(x, maps, rectified, pooled, logits)

    def predict(self, images) -> np.ndarray:
        """The digit with the highest score, for each image.

        The batch goes through in chunks of ``PREDICT_CHUNK`` images, so the activations held at once
        stay small (3,000 digits would otherwise hold about 100 MB of feature maps); every image's
        scores are computed exactly as in :meth:`forward`.
        """
        return np.concatenate([acts.logits.argmax(axis=1) for acts in self._forward_in_chunks(images)])

    def accuracy(self, images, labels) -> float:
        """Fraction of images whose predicted digit is the label."""
        return float(np.mean(self.predict(images) == np.asarray(labels)))

    def strongest_responses(self, images) -> np.ndarray:
        """The largest value each filter's map takes after ReLU, over every cell of every image.

        A filter whose strongest response is 0 never fires on these images (its weighted sum plus bias
        is never positive): nothing flows through it, so training cannot change it. Computed in chunks
        of ``PREDICT_CHUNK`` images, as :meth:`predict`; the values are those of :meth:`forward`.

        >>> net, x = init_network(filters=2, seed=0), np.random.default_rng(0).random((5, 16, 16))
        >>> np.array_equal(net.strongest_responses(x), net.forward(x).rectified.max(axis=(0, 1, 2)))
        True
        """
        return np.max([acts.rectified.max(axis=(0, 1, 2)) for acts in self._forward_in_chunks(images)], axis=0)

    def _forward_in_chunks(self, images):
        """:meth:`forward` on ``PREDICT_CHUNK`` images at a time (the batch checked first, once)."""
        x = _as_batch(images)
        _check_image_size(self, x.shape[1:])
        for i in range(0, len(x), PREDICT_CHUNK):
            yield self.forward(x[i:i + PREDICT_CHUNK])

    def parameter_counts(self) -> dict:
        """Learnable numbers per layer (the conv layer counted by :func:`convlab.nets.layer.count_parameters`).

        >>> net = init_network(filters=8)
        >>> net.parameter_counts()
        {'conv 3×3, 8 filters': 80, 'ReLU': 0, 'max pool 2×2': 0, 'dense 392 → 10': 3930}
        """
        f, k = self.kernels.shape[0], self.kernels.shape[1]
        d, c = self.weights.shape
        return {f"conv {k}×{k}, {f} filters": count_parameters(k, 1, f), "ReLU": 0,
                f"max pool {self.pool}×{self.pool}": 0, f"dense {d} → {c}": d * c + c}

    def copy(self) -> "TinyCNN":
        return TinyCNN(*(getattr(self, n).copy() for n in self.PARAMETERS), pool=self.pool)


def _check_image_size(net: "TinyCNN", image_hw) -> None:
    """The images must give the pooled maps the dense layer was made for (``init_network``'s image_size)."""
    k, f = net.kernels.shape[1], net.kernels.shape[0]
    sides = [(n - k + 1) // net.pool if n >= k else 0 for n in image_hw]
    if sides[0] * sides[1] * f != net.weights.shape[0]:
        raise ValueError(f"images of {image_hw[0]}x{image_hw[1]} do not fit this network: its dense layer takes "
                         f"{net.weights.shape[0]} inputs, and {image_hw[0]}x{image_hw[1]} images give "
                         f"{sides[0]}x{sides[1]}x{f} = {sides[0] * sides[1] * f}; use the image size it was made for")


def _network_arg(net) -> "TinyCNN":
    if not isinstance(net, TinyCNN):
        raise TypeError(f"net must be a TinyCNN (from init_network, train or load_network); got {v.short(net)}")
    return net


def loss_and_gradients(net: TinyCNN, images, labels) -> tuple[float, dict]:
    """Cross-entropy loss of a batch and the gradient of every parameter (the backward pass, layer by layer)."""
    a = _network_arg(net).forward(images)
    loss, g_logits = softmax_cross_entropy(a.logits, labels)
    flat = a.pooled.reshape(len(a.images), -1)
    g_w, g_b, g_flat = dense_backward(flat, net.weights, g_logits)
    g_pooled = g_flat.reshape(a.pooled.shape)
    g_rect = maxpool_backward(a.rectified, g_pooled, net.pool)
    g_maps = relu_backward(a.maps, g_rect)
    g_k, g_cb, _ = conv_backward(a.images, net.kernels, g_maps)
    return loss, {"kernels": g_k, "conv_bias": g_cb, "weights": g_w, "bias": g_b}


def init_network(*, filters: int = 8, kernel_size: int = 3, image_size: int = 16, pool: int = 2,
                 classes: int = 10, seed: int = 0) -> TinyCNN:
    """Random starting weights (He initialisation, from ``seed``); biases start at zero.

    Every size is checked first: the filters must fit in the image, the pooled maps must keep at least one
    cell, and the network holds at most ``MAX_NETWORK_VALUES`` numbers.

    >>> init_network(image_size=2)
    Traceback (most recent call last):
    ...
    ValueError: kernel_size 3 is larger than image_size 2: the filter must fit in the image
    """
    filters, kernel_size, image_size, pool, classes = (
        v.size_arg(v.scalar(value), name) for value, name in
        ((filters, "filters"), (kernel_size, "kernel_size"), (image_size, "image_size"), (pool, "pool"),
         (classes, "classes")))
    v.check_at_most(image_size, limits.MAX_GENERATED_SIZE, "image_size", " pixels")
    if kernel_size > image_size:
        raise ValueError(f"kernel_size {kernel_size} is larger than image_size {image_size}: the filter must fit in "
                         "the image")
    if pool > image_size - kernel_size + 1:
        raise ValueError(f"pool {pool} is larger than the feature maps ({image_size - kernel_size + 1} pixels across "
                         f"for image_size {image_size} and kernel_size {kernel_size}); use at most "
                         f"{image_size - kernel_size + 1}")
    rng = np.random.default_rng(v.seed_arg(seed))
    side = (image_size - kernel_size + 1) // pool
    d = side * side * filters
    v.check_at_most(filters * kernel_size**2 + d * classes, limits.MAX_NETWORK_VALUES,
                    "the network's size (filters x kernel_size² + pooled cells x filters x classes)", " numbers")
    return TinyCNN(kernels=rng.normal(0.0, np.sqrt(2.0 / kernel_size**2), size=(filters, kernel_size, kernel_size)),
                   conv_bias=np.zeros(filters),
                   weights=rng.normal(0.0, np.sqrt(1.0 / d), size=(d, classes)),
                   bias=np.zeros(classes), pool=pool)


CLASSES = 10
"""Digits 0 to 9: the network's outputs, and the labels :func:`train` accepts."""


def _check_training_work(net: "TinyCNN", n: int, epochs: int, batch_size: int, max_steps) -> None:
    """Multiply-adds of the whole run (forward and backward, about 3x the forward pass) at most the limit."""
    f, k = net.kernels.shape[:2]
    d, c = net.weights.shape
    side = int(round((d // f) ** 0.5)) * net.pool + k - 1  # the feature map's side, before pooling
    per_image = 3 * ((side - k + 1) ** 2 * f * k * k + d * c)
    images = epochs * n if max_steps is None else min(epochs * n, max_steps * batch_size)
    work = images * per_image
    if work > limits.MAX_TRAIN_MULTIPLY_ADDS:
        raise ValueError(f"training would take {work:,} multiply-adds ({images:,} images x {per_image:,} each); the "
                         f"limit is {limits.MAX_TRAIN_MULTIPLY_ADDS:,}: use fewer epochs, images or filters, or max_steps")


@dataclass
class TrainingRun:
    """What :func:`train` produced: the network, the loss at every step, and a checkpoint to replay."""

    network: TinyCNN
    losses: np.ndarray                  # training loss of each mini-batch, in order
    checkpoint: TinyCNN | None          # the network after `checkpoint_step` steps
    checkpoint_step: int
    train_accuracy: float = float("nan")
    test_accuracy: float = float("nan")
    epoch_test_accuracy: np.ndarray = field(default_factory=lambda: np.zeros(0))
    initial: TinyCNN | None = None      # the random start


def train(images, labels, *, filters: int = 8, kernel_size: int = 3, epochs: int = 10, batch_size: int = 32,
          learning_rate: float = 0.05, momentum: float = 0.9, weight_decay: float = 0.0, seed: int = 0, max_steps: int | None = None,
          checkpoint_step: int = 0, x_test=None, y_test=None) -> TrainingRun:
    """Mini-batch gradient descent with momentum: the same numbers for the same seed.

    Every step: forward a batch, :func:`loss_and_gradients`, then for every parameter
    ``velocity ← momentum·velocity − learning_rate·(gradient + weight_decay·weight)`` and
    ``parameter ← parameter + velocity`` (weight decay pulls the weights, not the biases, towards 0).

    Parameters
    ----------
    images : (N, H, W) array, labels : (N,) ints from 0 to 9
    filters, kernel_size : int
        The first layer's size.
    epochs, batch_size : int
        Passes over the data (shuffled from ``seed`` each time), and examples per step.
    learning_rate, momentum, weight_decay : float
    seed : int
        Starting weights and the order of the examples.
    max_steps : int, optional
        Stop after this many steps (a short replay in the tests).
    checkpoint_step : int
        Keep a copy of the network after this many steps (0: none).
    x_test, y_test : optional
        A held-out set: its accuracy is recorded after every epoch and at the end.
    """
    x = _as_batch(images)
    if x.shape[1] != x.shape[2]:
        raise ValueError(f"images must be square, (N, H, H); got shape {x.shape}")
    y = _labels(labels, len(x), CLASSES)
    epochs = v.size_arg(v.scalar(epochs), "epochs")
    batch_size = v.size_arg(v.scalar(batch_size), "batch_size")
    learning_rate = v.real_number(learning_rate, "learning_rate", minimum=0, inclusive_min=False)
    momentum = v.real_number(momentum, "momentum", minimum=0)
    if momentum >= 1:
        raise ValueError(f"momentum must be a number from 0 up to (not including) 1; got {momentum!r}")
    weight_decay = v.real_number(weight_decay, "weight_decay", minimum=0)
    if max_steps is not None:
        max_steps = v.size_arg(v.scalar(max_steps), "max_steps")
    checkpoint_step = v.seed_arg(v.scalar(checkpoint_step), "checkpoint_step")
    if (x_test is None) != (y_test is None):
        raise ValueError("x_test and y_test go together: give both or neither")
    if x_test is not None:
        x_test = _as_batch(x_test, "x_test")
        if x_test.shape[1:] != x.shape[1:]:
            raise ValueError(f"x_test must hold images of the training images' size {x.shape[1:]}; got shape "
                             f"{x_test.shape}")
        y_test = _labels(y_test, len(x_test), CLASSES, "y_test", "x_test")
    net = init_network(filters=filters, kernel_size=kernel_size, image_size=x.shape[1], seed=seed, classes=CLASSES)
    _check_training_work(net, len(x), epochs, batch_size, max_steps)
    initial = net.copy()
    order_rng = np.random.default_rng(v.seed_arg(seed) + 1)
    velocity = {n: np.zeros_like(getattr(net, n)) for n in net.PARAMETERS}
    losses, epoch_acc, checkpoint, step = [], [], None, 0
    for _ in range(epochs):
        order = order_rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = loss_and_gradients(net, x[batch], y[batch])
            if not np.isfinite(loss):
                raise ValueError(f"the loss blew up after {step} steps: learning_rate {learning_rate} is too large")
            losses.append(loss)
            for n in net.PARAMETERS:
                if weight_decay and n in ("kernels", "weights"):
                    grads[n] = grads[n] + weight_decay * getattr(net, n)
                velocity[n] = momentum * velocity[n] - learning_rate * grads[n]
                setattr(net, n, getattr(net, n) + velocity[n])
            step += 1
            if step == checkpoint_step:
                checkpoint = net.copy()
            if max_steps is not None and step >= max_steps:
                break
        if x_test is not None:
            epoch_acc.append(net.accuracy(x_test, y_test))
        if max_steps is not None and step >= max_steps:
            break
    test_acc = net.accuracy(x_test, y_test) if x_test is not None else float("nan")
    return TrainingRun(net, np.array(losses), checkpoint, checkpoint_step, net.accuracy(x, y), test_acc,
                       np.array(epoch_acc), initial)


# --------------------------------------------------------------------------- storing a trained network


def _arrays(prefix: str, net: TinyCNN) -> dict:
    return {f"{prefix}{n}": getattr(net, n) for n in net.PARAMETERS}


def _network(prefix: str, data, pool: int) -> TinyCNN:
    net = TinyCNN(*(np.array(data[f"{prefix}{n}"]) for n in TinyCNN.PARAMETERS), pool=pool)
    k, cb, w, b = net.kernels, net.conv_bias, net.weights, net.bias
    if (k.ndim != 3 or k.shape[1] != k.shape[2] or cb.shape != k.shape[:1] or w.ndim != 2 or b.shape != w.shape[1:]
            or any(a.dtype.kind != "f" or not np.all(np.isfinite(a)) for a in (k, cb, w, b))):
        raise ValueError(f"its {prefix or 'network'} arrays do not make a network (kernels {k.shape}, conv_bias "
                         f"{cb.shape}, weights {w.shape}, bias {b.shape})")
    return net


NETWORK_KEYS = ("kernels", "conv_bias", "weights", "bias", "losses", "epoch_test_accuracy", "meta")
"""The arrays a file written by :func:`save_network` holds (plus ``checkpoint_*`` for a checkpoint)."""


def save_network(path, run: TrainingRun, *, settings: dict, data_digest: str) -> None:
    """Write a trained run to ``path`` (``.npz``) atomically: a temporary file in the same folder, then rename.

    A file that is replaced keeps its permissions (a new one is readable by all, 0644); temporary files that an
    interrupted save left behind in the folder are removed.
    """
    target = check_write_path(path, ".npz")
    if not isinstance(run, TrainingRun):
        raise TypeError(f"run must be a TrainingRun (from train); got {v.short(run)}")
    if not isinstance(settings, dict):
        raise TypeError(f"settings must be a dict of the training settings; got {v.short(settings)}")
    if not isinstance(data_digest, str):
        raise TypeError(f"data_digest must be a string (from data_digest(images)); got {v.short(data_digest)}")
    meta = dict(settings=settings, data_digest=data_digest, train_accuracy=run.train_accuracy,
                test_accuracy=run.test_accuracy, checkpoint_step=run.checkpoint_step, pool=run.network.pool)
    try:
        text = json.dumps(meta, sort_keys=True)
    except (TypeError, ValueError) as err:
        raise TypeError(f"settings must hold only numbers, strings, lists and dicts (stored as JSON); {err}") from None
    arrays = dict(_arrays("", run.network), losses=run.losses, epoch_test_accuracy=run.epoch_test_accuracy,
                  meta=np.array(text))
    if run.checkpoint is not None:
        arrays.update(_arrays("checkpoint_", run.checkpoint))
    write_atomically(target, lambda fh: np.savez_compressed(fh, **arrays), suffix=".npz")


def load_network(path) -> tuple[TinyCNN, dict]:
    """Read what :func:`save_network` wrote: the network and a dict of what is recorded about it.

    A file that is not one (truncated, another program's ``.npz``, missing arrays, too large) gives a
    ``ValueError`` naming the file and what is wrong, before anything large is read.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name (str or pathlib.Path); got {v.short(path)}")
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise v.MissingFileError(f"path {path!r} is not a file" + ("" if not os.path.exists(path) else " (a folder?)"))

    def bad(why: str) -> ValueError:
        return ValueError(f"path {path!r} is not a network saved by save_network: {why}")

    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info.file_size for info in archive.infolist()}
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise bad(f"not a readable .npz file ({type(err).__name__}); it may be truncated") from None
    missing = [k for k in NETWORK_KEYS if f"{k}.npy" not in members]
    if missing:
        raise bad(f"it has no {', '.join(missing)} array(s)")
    if sum(members.values()) > limits.MAX_NETWORK_FILE_BYTES:
        raise bad(f"its arrays hold {sum(members.values()):,} bytes; the limit is {limits.MAX_NETWORK_FILE_BYTES:,}")
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if not isinstance(meta, dict) or not v.is_int(meta.get("pool")) or meta["pool"] < 1:
                raise ValueError("its meta has no pool size")
            net = _network("", data, meta["pool"])
            info = dict(meta, losses=np.array(data["losses"]), epoch_test_accuracy=np.array(data["epoch_test_accuracy"]))
            info["checkpoint"] = _network("checkpoint_", data, meta["pool"]) if "checkpoint_kernels.npy" in members else None
    except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile) as err:  # numpy's own words name no file
        raise bad(f"{err}" if isinstance(err, ValueError) and str(err).startswith("its") else
                  f"{type(err).__name__} while reading it (damaged, or written by another program)") from None
    return net, info


# --------------------------------------------------------------------------- a stack of layers on one image


def _baseline_data(x_train, y_train, x_test, y_test):
    """Images as rows of pixels (``(N, H, W)`` or ``(N, D)``), labels 0–9 one per image, the same pixels in both sets."""
    sets = []
    for x, y, xn, yn in ((x_train, y_train, "x_train", "y_train"), (x_test, y_test, "x_test", "y_test")):
        x = v.as_array(x, xn, ndims=(2, 3), shape_hint="(N, H, W) images or (N, D) rows of pixels")
        sets += [x.reshape(len(x), -1), _labels(y, len(x), CLASSES, yn, xn)]
    if sets[0].shape[1] != sets[2].shape[1]:
        raise ValueError(f"x_test must have the training images' {sets[0].shape[1]} pixels each; got "
                         f"{sets[2].shape[1]}")
    return tuple(sets)


def nearest_neighbour_accuracy(x_train, y_train, x_test, y_test, *, chunk: int = 32) -> float:
    """Accuracy of the simplest baseline: give each test image the label of the closest training image
    (Euclidean distance between raw pixels). Computed ``chunk`` test images at a time, so memory stays small.

    >>> x = np.eye(4).reshape(4, 2, 2); y = np.arange(4)
    >>> nearest_neighbour_accuracy(x, y, x + 0.1, y)
    1.0
    """
    a, y_train, b, y_test = _baseline_data(x_train, y_train, x_test, y_test)
    chunk = v.size_arg(chunk, "chunk")
    a2 = np.einsum("ij,ij->i", a, a)        # each training image's |a|², without an (N, pixels) square
    right = 0
    for start in range(0, len(b), chunk):
        part = b[start:start + chunk]
        dist = part @ a.T                     # |a − b|² without the |b|² that every row shares:
        dist *= -2                            # |a|² − 2 a·b, made in place (one chunk × train array)
        dist += a2
        right += int(np.sum(y_train[dist.argmin(axis=1)] == y_test[start:start + chunk]))
    return right / len(b)


def linear_accuracy(x_train, y_train, x_test, y_test, *, ridge: float = 1.0) -> float:
    """Accuracy of a linear model on raw pixels: least squares from pixels (and a bias) to one-hot labels,
    with a small ridge penalty; the class with the largest output wins.

    >>> x = np.eye(4).reshape(4, 2, 2); y = np.arange(4)
    >>> linear_accuracy(x, y, x, y, ridge=0.01)
    1.0
    """
    x_train, y_train, x_test, y_test = _baseline_data(x_train, y_train, x_test, y_test)
    ridge = v.real_number(ridge, "ridge", minimum=0, inclusive_min=False)
    # the normal equations are (pixels + 1)² numbers: bounded before they are made
    v.check_output_values((x_train.shape[1] + 1, x_train.shape[1] + 1), "linear_accuracy's normal equations",
                          "use smaller images")

    # The design matrix is the pixels and a column of ones; its normal equations are built block by block
    # (pixels·pixels, pixels·1, 1·1), never the (N, pixels + 1) copy with the ones column.
    n, d = x_train.shape
    targets = np.eye(int(np.max(y_train)) + 1)[np.asarray(y_train)]
    gram = np.empty((d + 1, d + 1))
    gram[:d, :d] = x_train.T @ x_train
    gram[:d, d] = gram[d, :d] = x_train.sum(axis=0)
    gram[d, d] = n
    gram[np.diag_indices(d + 1)] += ridge
    weights = np.linalg.solve(gram, np.vstack([x_train.T @ targets, targets.sum(axis=0)]))
    scores = x_test @ weights[:d] + weights[d]
    return float(np.mean(scores.argmax(axis=1) == np.asarray(y_test)))


def run_stack(image, layers) -> list[np.ndarray]:
    """Run one image through a stack of layers; return every layer's output, channels last.

    Parameters
    ----------
    image : (H, W) or (H, W, C) array
    layers : sequence of (Stage, kernels)
        A :class:`~convlab.nets.stages.Stage` (its ``kind``, kernel size, stride, padding, dilation say
        what to compute) and, for a conv stage, its filters ``(N, k, k[, C])`` (else None).

    Returns
    -------
    list of numpy.ndarray, one (h, w, channels) array per layer

    Examples
    --------
    >>> from convlab.nets.stages import conv_stage, pointwise_stage, pool_stage
    >>> from convlab.images import SEED_IMAGE, SEED_KERNEL
    >>> outs = run_stack(SEED_IMAGE, [(conv_stage(3, padding=1), [SEED_KERNEL]), (pointwise_stage(), None),
    ...                               (pool_stage(2), None)])
    >>> [o.shape for o in outs]
    [(5, 5, 1), (5, 5, 1), (2, 2, 1)]
    """
    x = v.as_image(image)
    if not isinstance(layers, (list, tuple)) or not all(
            isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[0], Stage) for pair in layers):
        raise TypeError(f"layers must be a list of (Stage, kernels) pairs, e.g. [(conv_stage(3), [kernel])]; got "
                        f"{v.short(layers)}")
    outputs = []
    for stage, kernels in layers:
        if stage.kind == "conv":
            if kernels is None:
                raise ValueError(f"the conv stage {stage.name!r} needs its kernels; got None")
            if x.ndim == 3 and x.shape[-1] == 1 and np.ndim(kernels) == 3:
                x = x[:, :, 0]  # one channel and 2-D filters: the plain grayscale case
            x = feature_maps(x, kernels, stride=stage.stride, padding=stage.padding, dilation=stage.dilation)
        elif stage.kind == "pointwise":
            x = relu(x)
        else:
            pool = max_pool2d if stage.kind == "max pool" else avg_pool2d
            x = pool(x, stage.kernel, stride=stage.stride, padding=stage.padding)
        if x.ndim == 2:
            x = x[:, :, None]
        outputs.append(x)
    return outputs
