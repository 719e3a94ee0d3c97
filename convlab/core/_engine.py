"""The one private engine (numpy only): ``_plan`` checks and pads, ``_correlate`` computes.

* ``_plan`` checks every argument (see ``_validate``), pads the image and works out the output shape —
  before any arithmetic is done;
* ``_correlate`` computes the feature map by *shift-and-add*: for each kernel cell ``(i, j)`` it adds
  ``kernel[i, j] * (the strided slice of the padded image that this cell sees in every window)``. That is
  ``kh * kw`` whole-array operations instead of one Python step per window, and with a stride it only
  touches the windows that are kept.

Public modules of :mod:`convlab.core` (``conv``, ``steps``, ``walk``) sit on this module; nothing outside
``convlab.core`` imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._shared import validate as v
from .sizes import check_fits, span_of

@dataclass(frozen=True)
class _Plan:
    padded: np.ndarray  # (Hp, Wp) or (Hp, Wp, C), float64
    kernel: np.ndarray  # (kh, kw[, C]) or a stack (N, kh, kw[, C]); already flipped when flip=True
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]
    out_shape: tuple[int, int]


def _flip(kernel: np.ndarray, stack: bool) -> np.ndarray:
    """Rotate by 180 degrees in the two spatial axes (channels and the stack axis are left alone)."""
    return kernel[:, ::-1, ::-1] if stack else kernel[::-1, ::-1]


def _plan(image, kernel, *, stride, padding, dilation, flip, padding_mode, stack=False) -> _Plan:
    """Validate every argument, then pad. Raises before any arithmetic is done."""
    img = v.as_image(image)
    ker = v.as_kernel_stack(kernel, img) if stack else v.as_kernel(kernel, img)
    stride = v.positive_pair(stride, "stride")
    dilation = v.positive_pair(dilation, "dilation")
    flip = v.check_flip(flip)
    mode = v.check_padding_mode(padding_mode)
    khw = ker.shape[1:3] if stack else ker.shape[:2]
    span = span_of(khw, dilation)
    pads = v.padding_amounts(padding, span, stride)
    if mode != "zeros":
        v.check_mode_fits(mode, pads, img.shape[:2])
    padded_hw = (img.shape[0] + sum(pads[0]), img.shape[1] + sum(pads[1]))
    v.check_image_values(img.shape, "image", pads)
    check_fits(img.shape[:2], khw, dilation, pads)
    out_shape = tuple((n - s) // st + 1 for n, s, st in zip(padded_hw, span, stride))
    kernel_values = int(np.prod(ker.shape[1:] if stack else ker.shape))
    v.check_work(out_shape[0] * out_shape[1], kernel_values, ker.shape[0] if stack else 1)
    if any(sum(p) for p in pads):
        width = list(pads) + [(0, 0)] * (img.ndim - 2)
        img = np.pad(img, width, mode=v._NUMPY_PAD_MODE[mode])
    elif isinstance(image, np.ndarray) and np.may_share_memory(img, image):
        img = img.copy()  # our own copy: changing the caller's array later cannot change a step's window
    ker = np.array(_flip(ker, stack) if flip else ker)  # likewise, never a view of the caller's kernel
    img.flags.writeable = False
    ker.flags.writeable = False
    return _Plan(img, ker, stride, dilation, pads, out_shape)


_BLOCK_BYTES = 1 << 18  # rows of output handled together, so `out` and `tmp` stay in the CPU cache


def _correlate(padded: np.ndarray, kernel: np.ndarray, stride, dilation, out_shape) -> np.ndarray:
    """Cross-correlate one (already flipped, validated) kernel with a padded image: the engine.

    Shift-and-add, one block of output rows at a time: for every kernel cell, multiply the strided slice
    of the input that this cell sees into ``tmp`` and add it to the block. Blocking keeps the working set
    in cache, which makes this several times faster than a whole-array pass per kernel cell.
    """
    (sr, sc), (dr, dc), (oh, ow) = stride, dilation, out_shape
    kh, kw = kernel.shape[:2]
    # channels first and contiguous, so every slice below is a plain 2-D strided view
    planes = padded[None] if padded.ndim == 2 else np.ascontiguousarray(np.moveaxis(padded, -1, 0))
    weights = kernel[..., None] if kernel.ndim == 2 else kernel
    cells = [(c, i, j, weights[i, j, c]) for c in range(planes.shape[0]) for i in range(kh) for j in range(kw)
             if weights[i, j, c] != 0.0]  # zero weights (common in teaching kernels) add nothing
    out = np.zeros((oh, ow))
    block = max(1, _BLOCK_BYTES // (8 * ow))
    tmp = np.empty((min(block, oh), ow))
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, in words
        for r0 in range(0, oh, block):
            r1 = min(oh, r0 + block)
            acc, t = out[r0:r1], tmp[: r1 - r0]
            for c, i, j, w in cells:
                rows = slice(i * dr + r0 * sr, i * dr + (r1 - 1) * sr + 1, sr)
                cols = slice(j * dc, j * dc + (ow - 1) * sc + 1, sc)
                np.multiply(planes[c, rows, cols], w, out=t)
                acc += t
    return v.check_finite_result(out, "the feature map", padded, kernel)

