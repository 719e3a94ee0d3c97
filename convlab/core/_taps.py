"""Where a step's window lies (shared by the step records of the compute layer)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, eq=False)
class Placed:
    """Where a window was placed and where its result lands: the fields every window record starts with."""

    index: int
    out_row: int
    out_col: int
    top: int
    left: int
    window: np.ndarray = field(repr=False)


class Taps:
    """Mixin for a step record with ``top``, ``left``, ``dilation`` and a grid of ``taps_shape`` cells.

    ``rows``/``cols`` are the cells the grid covers: ``top``, ``top + d``, ... (dilation spreads them).
    For a convolution window they are the input cells the kernel reads; for a transposed-convolution
    pixel, the output cells its block is added to.
    """

    top: int
    left: int
    dilation: tuple[int, int]

    @property
    def taps_shape(self) -> tuple[int, int]:  # pragma: no cover - every record defines it
        raise NotImplementedError

    @property
    def rows(self) -> np.ndarray:
        """Rows the grid covers (``top``, ``top + d``, ...)."""
        return self.top + self.dilation[0] * np.arange(self.taps_shape[0])

    @property
    def cols(self) -> np.ndarray:
        """Columns the grid covers (``left``, ``left + d``, ...)."""
        return self.left + self.dilation[1] * np.arange(self.taps_shape[1])
