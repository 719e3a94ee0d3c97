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
from dataclasses import dataclass, field

import numpy as np

from .._shared import validate as v
from .._shared.files import write_atomically
from ..core.conv import conv2d, feature_maps
from .layer import count_parameters
from ..core.ops import avg_pool2d, max_pool2d, relu

__all__ = ["TinyCNN", "Activations", "TrainingRun", "conv_forward", "conv_backward", "relu_backward",
           "maxpool_forward", "maxpool_backward", "dense_forward", "dense_backward", "softmax",
           "softmax_cross_entropy", "loss_and_gradients", "init_network", "train", "save_network",
           "load_network", "run_stack", "nearest_neighbour_accuracy", "linear_accuracy"]


# --------------------------------------------------------------------------- layers, forward and backward


PREDICT_CHUNK = 256
"""Images per feature-map call in :func:`conv_forward`, and per forward pass in :meth:`TinyCNN.predict` and
:meth:`TinyCNN.accuracy`: about 3 MB of maps at a time, whatever the batch."""


def _as_batch(images) -> np.ndarray:
    x = np.asarray(images, dtype=np.float64)
    if x.ndim != 3 or 0 in x.shape:
        raise ValueError(f"images must be a batch of grayscale images, shape (B, H, W); got shape {x.shape}")
    return x


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
    k = np.asarray(kernels, dtype=np.float64)
    b, h, w = x.shape
    kh, kw = k.shape[1:3]
    oh = h - kh + 1
    maps = np.empty((b, oh, w - kw + 1, k.shape[0]))
    for start in range(0, b, PREDICT_CHUNK):  # a chunk of images at a time: the mosaic's map stays small
        n = min(b, start + PREDICT_CHUNK) - start
        tall = feature_maps(x[start:start + n].reshape(n * h, w), k, method="direct")  # exact sums
        maps[start:start + n - 1] = tall[: (n - 1) * h].reshape(n - 1, h, *tall.shape[1:])[:, :oh]
        maps[start + n - 1] = tall[(n - 1) * h:]  # each image's rows of the mosaic's map
    maps += np.asarray(bias, dtype=np.float64)
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
    k = np.asarray(kernels, dtype=np.float64)
    b, h, w = x.shape
    kh = k.shape[1]
    g = np.asarray(grad_maps, dtype=np.float64)
    tall = _grad_mosaic(g, h, kh)
    mosaic = x.reshape(b * h, w)
    # dL/dK[i, j] = Σ G[r, c] · X[r + i, c + j]: the input correlated with the output gradient
    grad_kernels = np.stack([conv2d(mosaic, tall[:, :, f], method="direct") for f in range(k.shape[0])])
    # dL/dX = Σ_f G_f ⋆full rot180(K_f): one call, the filters as channels of the gradient (summed)
    grad_mosaic = conv2d(tall, np.moveaxis(k, 0, -1), padding="full", flip=True, method="direct")
    return grad_kernels, g.sum(axis=(0, 1, 2)), grad_mosaic.reshape(b, h, w)


def relu_backward(x, grad) -> np.ndarray:
    """ReLU passes the gradient where its input was positive and stops it elsewhere."""
    return np.asarray(grad, dtype=np.float64) * (np.asarray(x) > 0)


def _windows(maps, size: int) -> np.ndarray:
    """(B, h, w, F) → (B, h//s, w//s, F, s·s): the cells of every pooling window (the ragged edge dropped)."""
    b, h, w, f = maps.shape
    h2, w2 = h // size, w // size
    cut = maps[:, : h2 * size, : w2 * size]
    return cut.reshape(b, h2, size, w2, size, f).transpose(0, 1, 3, 5, 2, 4).reshape(b, h2, w2, f, size * size)


def maxpool_forward(maps, size: int = 2) -> np.ndarray:
    """``max_pool2d`` (window ``size``, stride ``size``) on every image of a (B, h, w, F) batch, in one call.

    >>> maxpool_forward(np.arange(16.0).reshape(1, 4, 4, 1))[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    """
    m = np.asarray(maps, dtype=np.float64)
    size = v.size_arg(size, "size")
    b, h, w, f = m.shape
    h2, w2 = h // size, w // size
    mosaic = m[:, : h2 * size, : w2 * size].reshape(b * h2 * size, w2 * size, f)
    return max_pool2d(mosaic, size).reshape(b, h2, w2, f)


def maxpool_backward(maps, grad_pooled, size: int = 2) -> np.ndarray:
    """The gradient goes to the one cell that was the maximum of each window (the first, on a tie)."""
    m = np.asarray(maps, dtype=np.float64)
    cells = _windows(m, size)
    winner = cells.argmax(axis=-1)
    routed = np.zeros_like(cells)
    np.put_along_axis(routed, winner[..., None], np.asarray(grad_pooled, dtype=np.float64)[..., None], axis=-1)
    b, h2, w2, f, _ = routed.shape
    back = routed.reshape(b, h2, w2, f, size, size).transpose(0, 1, 4, 2, 5, 3).reshape(b, h2 * size, w2 * size, f)
    out = np.zeros_like(m)
    out[:, : h2 * size, : w2 * size] = back
    return out


def dense_forward(x, weights, bias) -> np.ndarray:
    """Every output is a weighted sum of every input: ``x @ weights + bias``."""
    return np.asarray(x, dtype=np.float64) @ weights + bias


def dense_backward(x, weights, grad) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dL/dweights, dL/dbias, dL/dx) of a dense layer."""
    x = np.asarray(x, dtype=np.float64)
    return x.T @ grad, grad.sum(axis=0), grad @ np.asarray(weights).T


def softmax(logits) -> np.ndarray:
    """Scores → probabilities that sum to 1 (shifted by the largest score first, so nothing overflows)."""
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(logits, labels) -> tuple[float, np.ndarray]:
    """Mean of −log(probability of the right label), and its gradient with respect to the scores.

    >>> loss, grad = softmax_cross_entropy(np.zeros((1, 10)), [3])   # no idea yet: 1/10 for every digit
    >>> round(loss, 4), round(float(grad[0, 3]), 2)
    (2.3026, -0.9)
    """
    p = softmax(logits)
    y = np.asarray(labels, dtype=np.intp)
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
        x = _as_batch(images)
        return np.concatenate([self.forward(x[i:i + PREDICT_CHUNK]).logits.argmax(axis=1)
                               for i in range(0, len(x), PREDICT_CHUNK)])

    def accuracy(self, images, labels) -> float:
        """Fraction of images whose predicted digit is the label."""
        return float(np.mean(self.predict(images) == np.asarray(labels)))

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


def loss_and_gradients(net: TinyCNN, images, labels) -> tuple[float, dict]:
    """Cross-entropy loss of a batch and the gradient of every parameter (the backward pass, layer by layer)."""
    a = net.forward(images)
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
    """Random starting weights (He initialisation, from ``seed``); biases start at zero."""
    filters = v.size_arg(filters, "filters")
    kernel_size = v.size_arg(kernel_size, "kernel_size")
    rng = np.random.default_rng(v.seed_arg(seed))
    side = (image_size - kernel_size + 1) // pool
    d = side * side * filters
    return TinyCNN(kernels=rng.normal(0.0, np.sqrt(2.0 / kernel_size**2), size=(filters, kernel_size, kernel_size)),
                   conv_bias=np.zeros(filters),
                   weights=rng.normal(0.0, np.sqrt(1.0 / d), size=(d, classes)),
                   bias=np.zeros(classes), pool=pool)


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
    y = np.asarray(labels, dtype=np.intp)
    if y.shape != (len(x),):
        raise ValueError(f"labels must hold one label per image ({len(x)}); got shape {y.shape}")
    epochs = v.size_arg(epochs, "epochs")
    batch_size = v.size_arg(batch_size, "batch_size")
    if not (isinstance(learning_rate, (int, float)) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number; got {learning_rate!r}")
    if not (isinstance(momentum, (int, float)) and 0 <= momentum < 1):
        raise ValueError(f"momentum must be a number from 0 up to (not including) 1; got {momentum!r}")
    if not (isinstance(weight_decay, (int, float)) and weight_decay >= 0):
        raise ValueError(f"weight_decay must be a non-negative number; got {weight_decay!r}")
    net = init_network(filters=filters, kernel_size=kernel_size, image_size=x.shape[1], seed=seed,
                       classes=int(max(10, y.max() + 1)))
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
    return TinyCNN(*(np.array(data[f"{prefix}{n}"]) for n in TinyCNN.PARAMETERS), pool=pool)


def save_network(path, run: TrainingRun, *, settings: dict, data_digest: str) -> None:
    """Write a trained run to ``path`` (``.npz``) atomically: a temporary file in the same folder, then rename."""
    meta = dict(settings=settings, data_digest=data_digest, train_accuracy=run.train_accuracy,
                test_accuracy=run.test_accuracy, checkpoint_step=run.checkpoint_step, pool=run.network.pool)
    arrays = dict(_arrays("", run.network), losses=run.losses, epoch_test_accuracy=run.epoch_test_accuracy,
                  meta=np.array(json.dumps(meta, sort_keys=True)))
    if run.checkpoint is not None:
        arrays.update(_arrays("checkpoint_", run.checkpoint))
    write_atomically(path, lambda fh: np.savez_compressed(fh, **arrays), suffix=".npz")


def load_network(path) -> tuple[TinyCNN, dict]:
    """Read what :func:`save_network` wrote: the network and a dict of what is recorded about it."""
    with np.load(os.fspath(path), allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        net = _network("", data, meta["pool"])
        info = dict(meta, losses=np.array(data["losses"]), epoch_test_accuracy=np.array(data["epoch_test_accuracy"]))
        info["checkpoint"] = _network("checkpoint_", data, meta["pool"]) if "checkpoint_kernels" in data else None
    return net, info


# --------------------------------------------------------------------------- a stack of layers on one image


def nearest_neighbour_accuracy(x_train, y_train, x_test, y_test, *, chunk: int = 200) -> float:
    """Accuracy of the simplest baseline: give each test image the label of the closest training image
    (Euclidean distance between raw pixels). Computed ``chunk`` test images at a time, so memory stays small.

    >>> x = np.eye(4).reshape(4, 2, 2); y = np.arange(4)
    >>> nearest_neighbour_accuracy(x, y, x + 0.1, y)
    1.0
    """
    a = np.asarray(x_train, dtype=np.float64).reshape(len(x_train), -1)
    b = np.asarray(x_test, dtype=np.float64).reshape(len(x_test), -1)
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    a2 = (a * a).sum(axis=1)
    right = 0
    for start in range(0, len(b), chunk):
        part = b[start:start + chunk]
        dist = a2[None, :] - 2 * part @ a.T   # |a − b|² without the |b|² that every row shares
        right += int(np.sum(y_train[dist.argmin(axis=1)] == y_test[start:start + chunk]))
    return right / len(b)


def linear_accuracy(x_train, y_train, x_test, y_test, *, ridge: float = 1.0) -> float:
    """Accuracy of a linear model on raw pixels: least squares from pixels (and a bias) to one-hot labels,
    with a small ridge penalty; the class with the largest output wins.

    >>> x = np.eye(4).reshape(4, 2, 2); y = np.arange(4)
    >>> linear_accuracy(x, y, x, y, ridge=0.01)
    1.0
    """
    def design(x):
        x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
        return np.hstack([x, np.ones((len(x), 1))])

    a = design(x_train)
    targets = np.eye(int(np.max(y_train)) + 1)[np.asarray(y_train)]
    weights = np.linalg.solve(a.T @ a + ridge * np.eye(a.shape[1]), a.T @ targets)
    return float(np.mean((design(x_test) @ weights).argmax(axis=1) == np.asarray(y_test)))


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
    x = np.asarray(image, dtype=np.float64)
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
