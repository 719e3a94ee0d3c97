"""A layer's geometry, as a record both the networks and the receptive-field lessons read.

A :class:`Stage` says what one layer computes (``kind``) and how it moves over its input (kernel,
stride, padding, dilation). :func:`convlab.nets.network.run_stack` runs a stack of them on an image;
:mod:`convlab.lessons.receptive` follows a cell's receptive field through the same stack, and re-exports
these names (``from convlab.lessons.receptive import conv_stage`` keeps working).

>>> conv_stage(3, padding=1), pool_stage(2).stride, pointwise_stage().kernel
(Stage(name='conv 3×3', kernel=3, stride=1, padding=1, dilation=1, kind='conv'), 2, 1)
"""

from __future__ import annotations

from dataclasses import dataclass

from .._shared import validate as v

__all__ = ["KINDS", "Stage", "conv_stage", "pool_stage", "pointwise_stage"]


KINDS = ("conv", "max pool", "avg pool", "pointwise")


@dataclass(frozen=True)
class Stage:
    """One layer's geometry along both axes (square kernels and windows): what moves the receptive field.

    Attributes
    ----------
    name : str        e.g. "conv 3×3", "max pool 2×2", "ReLU"
    kernel : int      window size (1 for a cell-by-cell operation such as ReLU)
    stride : int
    padding : int
    dilation : int
    kind : {"conv", "max pool", "avg pool", "pointwise"}
        What the layer computes (:func:`convlab.nets.network.run_stack` reads it; the field does not).
    """

    name: str
    kernel: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    kind: str = "conv"

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a string (the layer's label); got {v.short(self.name)}")
        v.one_of(self.kind, "kind", KINDS)
        v.size_arg(self.kernel, "kernel")
        v.size_arg(self.stride, "stride")
        v.size_arg(self.dilation, "dilation")
        v.seed_arg(self.padding, "padding")

    @property
    def span(self) -> int:
        return self.dilation * (self.kernel - 1) + 1


def conv_stage(kernel: int = 3, *, stride: int = 1, padding: int = 0, dilation: int = 1, name: str | None = None) -> Stage:
    """A convolution layer's geometry. ``conv_stage(3, padding=1)`` keeps the size."""
    return Stage(f"conv {kernel}×{kernel}" if name is None else name, kernel, stride, padding, dilation)


def pool_stage(size: int = 2, *, stride: int | None = None, padding: int = 0, name: str | None = None,
               kind: str = "max pool") -> Stage:
    """A pooling layer's geometry (max pooling unless ``kind="avg pool"``); the stride defaults to the window size."""
    size = v.size_arg(size, "size")
    return Stage(f"{kind} {size}×{size}" if name is None else name, size, size if stride is None else stride, padding,
                 1, kind)


def pointwise_stage(name: str = "ReLU") -> Stage:
    """A cell-by-cell layer (ReLU, a 1×1 convolution): the field does not grow."""
    return Stage(name, 1, kind="pointwise")
