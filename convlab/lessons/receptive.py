"""Receptive fields (numpy only): which input pixels can change one cell deep in a stack of layers.

One output cell of a 3×3 convolution sees 3×3 input pixels. Put a 2×2 max pool after it and one pooled
cell sees 4×4 pixels; another 3×3 convolution on top sees 8×8. Along one axis, each layer with kernel
``k`` (span ``d·(k−1) + 1`` with dilation ``d``), stride ``s`` and padding ``p`` turns the field of the
layer below — its size ``r``, the *jump* ``j`` between neighbouring cells (in input pixels) and the input
position ``start`` of cell 0's first pixel — into::

    r_out = r_in + (span − 1)·j_in        j_out = j_in·s        start_out = start_in − p·j_in

Cell ``i`` of a layer then covers input positions ``start + i·j`` to ``start + i·j + r − 1`` (clipped to
the image: a negative ``start`` is padding). With dilation the field has holes; these are its outer bounds.
ReLU and other cell-by-cell operations are 1×1 layers: they leave the field as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .._shared import validate as v
from ._answers import _ask, _unanswered, _unreadable, _wrong
from .exercises import Feedback, check_number
from ..core.sizes import output_size
from ..nets.stages import KINDS, Stage, conv_stage, pointwise_stage, pool_stage  # noqa: F401 - re-exported here

__all__ = ["Stage", "conv_stage", "pool_stage", "pointwise_stage", "ReceptiveField", "receptive_fields",
           "field_of_cell", "field_in_every_layer", "stage_sizes", "describe_field", "check_receptive_field",
           "check_shift", "read_stack", "check_stack_design"]


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field of every cell of one layer, along one axis (the same along both for square stages).

    Attributes
    ----------
    size : int   input pixels one cell sees (r)
    jump : int   input pixels between neighbouring cells (j)
    start : int  input position of cell 0's first pixel (negative: it starts in the padding)
    """

    size: int
    jump: int
    start: int

    def span_of_cell(self, index: int, n: int | None = None) -> range:
        """Input positions that cell ``index`` covers; with ``n`` (input length) clipped to ``0 … n−1``."""
        first = self.start + index * self.jump
        last = first + self.size - 1
        if n is not None:
            first, last = max(first, 0), min(last, n - 1)
        return range(first, last + 1)


def stages_arg(stages, name: str = "stages") -> list[Stage]:
    """A list (or tuple) of :class:`Stage` objects; anything else is refused, naming ``name``."""
    if not isinstance(stages, (list, tuple)):
        raise TypeError(f"{name} must be a list of Stage objects (conv_stage, pool_stage, ...); got {v.short(stages)}")
    for stage in stages:
        if not isinstance(stage, Stage):
            raise TypeError(f"{name} must be Stage objects (conv_stage, pool_stage, ...); got {v.short(stage)}")
    return list(stages)


def _image_hw(image_shape) -> tuple[int, int]:
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) not in (2, 3):
        raise ValueError(f"image_shape must be (rows, cols) or (rows, cols, channels); got {v.short(image_shape)}")
    return tuple(v.size_arg(x, "image_shape") for x in image_shape[:2])


def receptive_fields(stages) -> list[ReceptiveField]:
    """The receptive field after each stage, the input itself first (size 1, jump 1, start 0).

    Examples
    --------
    conv 3×3 → max pool 2×2 → conv 3×3: fields of 3, 4 and 8 pixels.

    >>> fields = receptive_fields([conv_stage(3), pool_stage(2), conv_stage(3)])
    >>> [(f.size, f.jump) for f in fields]
    [(1, 1), (3, 1), (4, 2), (8, 2)]
    >>> fields[-1].span_of_cell(1)      # the second cell of the last layer reads input rows 2 to 9
    range(2, 10)
    """
    field = ReceptiveField(1, 1, 0)
    fields = [field]
    for stage in stages_arg(stages):
        field = ReceptiveField(field.size + (stage.span - 1) * field.jump, field.jump * stage.stride,
                               field.start - stage.padding * field.jump)
        fields.append(field)
    return fields


def stage_sizes(stages, n: int) -> list[int]:
    """Length of each layer's map along one axis, the input's ``n`` first (the output-size formula, layer by layer).

    >>> stage_sizes([conv_stage(3, padding=1), pool_stage(2), conv_stage(3, padding=1)], 32)
    [32, 32, 16, 16]
    """
    sizes = [v.size_arg(n, "n")]
    for stage in stages_arg(stages):
        sizes.append(output_size(sizes[-1], stage.kernel, stride=stage.stride, padding=stage.padding,
                                 dilation=stage.dilation))
    return sizes


def field_of_cell(stages, row: int, col: int, image_shape) -> tuple[range, range]:
    """The input rows and columns that the output cell ``(row, col)`` of the last stage covers.

    Parameters
    ----------
    stages : sequence of Stage
        The layers from the input to the layer of the cell.
    row, col : int
        The cell, in the last layer's map.
    image_shape : (int, int)
        The input's rows and columns (the field is clipped to them).

    Returns
    -------
    rows, cols : range

    Raises
    ------
    ValueError
        If the cell is outside the last layer's map.

    Examples
    --------
    >>> stages = [conv_stage(3, padding=1), pool_stage(2), conv_stage(3, padding=1)]
    >>> field_of_cell(stages, 0, 3, (32, 32))    # the corner cell's field is cut by the padding
    (range(0, 5), range(3, 11))
    """
    h, w = _image_hw(image_shape)
    out_h, out_w = stage_sizes(stages, h)[-1], stage_sizes(stages, w)[-1]
    for value, limit, name in ((row, out_h, "row"), (col, out_w, "col")):
        if v.seed_arg(value, name) >= limit:
            raise ValueError(f"{name} must be a cell of the last layer's {out_h}×{out_w} map (0 to {limit - 1}); "
                             f"got {value!r}")
    field = receptive_fields(stages)[-1]
    return field.span_of_cell(row, h), field.span_of_cell(col, w)


def field_in_every_layer(stages, row: int, col: int, image_shape) -> list[tuple[range, range]]:
    """The cells of every earlier layer that the cell ``(row, col)`` of the last stage depends on.

    Entry ``m`` is a (rows, cols) pair in layer ``m``'s map (entry 0: the input image; the last entry: the
    cell itself), found with :func:`field_of_cell` on the stages between layer ``m`` and the last one.

    Examples
    --------
    >>> stages = [conv_stage(3, padding=1), pool_stage(2), conv_stage(3, padding=1)]
    >>> for rows, cols in field_in_every_layer(stages, 2, 2, (16, 16)):
    ...     print(rows, cols)
    range(1, 9) range(1, 9)
    range(2, 8) range(2, 8)
    range(1, 4) range(1, 4)
    range(2, 3) range(2, 3)
    """
    stages = stages_arg(stages)
    h, w = _image_hw(image_shape)
    rows_per_layer, cols_per_layer = stage_sizes(stages, h), stage_sizes(stages, w)
    return [field_of_cell(stages[m:], row, col, (rows_per_layer[m], cols_per_layer[m]))
            for m in range(len(stages) + 1)]


def describe_field(stages, row: int, col: int, image_shape) -> str:
    """One cell's receptive field in words, with the size worked out layer by layer.

    >>> stages = [conv_stage(3, padding=1), pointwise_stage(), pool_stage(2), conv_stage(3, padding=1)]
    >>> print(describe_field(stages, 2, 2, (16, 16)))
    cell (2, 2) of conv 3×3 sees input rows 1–8 and columns 1–8: 8×8 pixels.
    size layer by layer: 1 → 3 (conv 3×3: + 2·1) → 3 (ReLU) → 4 (max pool 2×2: + 1·1) → 8 (conv 3×3: + 2·2)
    """
    stages = stages_arg(stages)
    rows, cols = field_of_cell(stages, row, col, image_shape)
    fields = receptive_fields(stages)
    steps = [str(fields[0].size)]
    for stage, before, after in zip(stages, fields, fields[1:]):
        grow = f": + {stage.span - 1}·{before.jump}" if stage.span > 1 else ""
        steps.append(f"{after.size} ({stage.name}{grow})")
    name = stages[-1].name if stages else "the input"
    return (f"cell ({row}, {col}) of {name} sees input rows {rows.start}–{rows.stop - 1} and columns "
            f"{cols.start}–{cols.stop - 1}: {len(rows)}×{len(cols)} pixels.\n"
            f"size layer by layer: " + " → ".join(steps))


# --------------------------------------------------------------------------- predict-then-check (lesson 07)


def _growth(stages) -> str:
    fields = receptive_fields(stages)
    parts = [str(fields[0].size)]
    for stage, before, after in zip(stages, fields, fields[1:]):
        if stage.span > 1:
            parts.append(f"{after.size} ({stage.name} adds {stage.span - 1}·{before.jump})")
    return " → ".join(parts)


def check_receptive_field(answer, stages) -> Feedback:
    """Check a predicted receptive-field size (input pixels along one axis) for a stack of stages.

    The worked answer is computed from the stages, so a notebook that asks the question never shows it.

    Examples
    --------
    >>> stages = [conv_stage(3), conv_stage(3)]
    >>> check_receptive_field(5, stages)
    ✓ Right: 1 → 3 (conv 3×3 adds 2·1) → 5 (conv 3×3 adds 2·1).
    >>> check_receptive_field(6, stages)
    ✗ Not quite: 1 → 3 (conv 3×3 adds 2·1) → 5 (conv 3×3 adds 2·1). Your 6: adding the kernel sizes counts the rows that neighbouring windows share twice; each layer adds (k−1)·jump.
    """
    stages = stages_arg(stages)
    expected = receptive_fields(stages)[-1].size
    no_jump = 1 + sum(s.span - 1 for s in stages)          # forgot that strides spread later taps
    kernel_sum = sum(s.span for s in stages if s.span > 1)  # added whole kernel sizes
    slips = {}
    if no_jump != expected:
        slips[no_jump] = ("forgot-jump", "a stride or pool spreads the next layer's taps: after it, each kernel step "
                                         "is the jump (2, 4, …) input pixels, not 1")
    if kernel_sum not in (expected, no_jump):
        slips[kernel_sum] = ("added-kernel-sizes", "adding the kernel sizes counts the rows that neighbouring "
                             "windows share twice; each layer adds (k−1)·jump")
    return check_number(answer, expected, why=_growth(stages), slips=slips)


def check_shift(answer, stages, shift: int) -> Feedback:
    """Check by how many cells of the last map a shift of the input by ``shift`` pixels moves it.

    A shift by a multiple of the last layer's jump moves the map by ``shift / jump`` cells (equivariance at
    that layer's scale).

    Examples
    --------
    >>> stages = [conv_stage(3, padding=1), pool_stage(2)]
    >>> check_shift(1, stages, 2)
    ✓ Right: the jump of the last layer is 2 input pixels per cell, so 2 pixels move it 2/2 = 1 cell.
    >>> check_shift(4, stages + stages, 4)
    ✗ Not quite: the jump of the last layer is 2·2 = 4 input pixels per cell, so 4 pixels move it 4/4 = 1 cell. Your 4: convolutions with stride 1 keep the shift, but every pool (stride 2) divides it by 2.
    """
    stages = stages_arg(stages)
    shift = v.size_arg(shift, "shift")
    jumps = [f.jump for f in receptive_fields(stages)]
    jump = jumps[-1]
    if shift % jump:
        raise ValueError(f"shift must be a multiple of the last layer's jump ({jump} pixels) for a whole-cell answer; "
                         f"got {shift}")
    strides = [str(s.stride) for s in stages if s.stride > 1]
    product = f"{'·'.join(strides)} = {jump}" if len(strides) > 1 else f"{jump}"
    why = (f"the jump of the last layer is {product} input pixels per cell, so {shift} pixels move it "
           f"{shift}/{jump} = {shift // jump} cell{'s' if shift // jump != 1 else ''}")
    slips = {shift: ("forgot-stride", "convolutions with stride 1 keep the shift, but every pool (stride 2) divides it by 2")}
    for j in jumps[1:-1]:
        if j not in (1, jump) and shift % j == 0 and shift // j != shift // jump:
            slips.setdefault(shift // j, ("forgot-stride", "that is the shift after the first pools only; count every stride"))
    return check_number(answer, shift // jump, why=why, slips=slips)


# --------------------------------------------------------------------------- a design task: build a stack

_LAYER = re.compile(r"^(conv|pool)\s*(\d+)(?:\s*[x×]\s*\d+)?$")


def read_stack(answer) -> list[Stage] | None:
    """Stages from typed text such as ``"conv 3, pool 2, conv 5"`` (or ``→`` between layers); None if unreadable.

    A ``conv k`` keeps the map's size (padding ``(k − 1)/2``, so ``k`` must be odd); a ``pool k`` is a k×k max
    pool with stride k.

    >>> [s.name for s in read_stack("conv 3 → pool 2 → conv 5x5")]
    ['conv 3×3', 'max pool 2×2', 'conv 5×5']
    >>> read_stack("conv 4") is None    # an even kernel cannot keep the size
    True
    """
    if isinstance(answer, (list, tuple)) and all(isinstance(s, Stage) for s in answer):
        return list(answer)
    if not isinstance(answer, str):
        return None
    stages = []
    for part in re.split(r"\s*(?:,|;|->|→|\n)\s*", answer.strip().lower()):
        if not part:
            continue
        m = _LAYER.match(part)
        if m is None:
            return None
        kind, k = m.group(1), int(m.group(2))
        if k < 1 or k > 64 or (kind == "conv" and k % 2 == 0) or (kind == "pool" and k < 2):
            return None
        stages.append(conv_stage(k, padding=(k - 1) // 2) if kind == "conv" else pool_stage(k))
    return stages or None


def _stack_parameters(stages, channels: int) -> int:
    """Weights and biases of the stack's convolutions: one grey input channel, ``channels`` filters per conv."""
    total, c_in = 0, 1
    for stage in stages:
        if stage.kind == "conv":
            total += stage.kernel * stage.kernel * c_in * channels + channels
            c_in = channels
    return total


def check_stack_design(answer, *, field: int = 32, budget: int = 2000, channels: int = 8, size: int = 64,
                       smallest_output: int = 8) -> Feedback:
    """Check a designed stack of layers: receptive field at least ``field`` pixels, at most ``budget`` parameters.

    The input is a ``size``×``size`` grey image; every convolution has ``channels`` filters (with biases) and
    keeps the size; the last map must still have at least ``smallest_output`` cells per side (so the stack
    cannot just pool everything away); the stack starts with a convolution and never pools twice in a row
    (two pools are one bigger pool). Many stacks are right.

    Examples
    --------
    >>> check_stack_design("conv 3, pool 2, conv 3, pool 2, conv 3, pool 2, conv 3")
    ✓ Right: your stack sees 38×38 pixels (1 → 3 → 4 → 8 → 10 → 18 → 22 → 38) with 1,832 parameters, and its last map is 8×8.
    >>> check_stack_design("conv 3, conv 3, conv 3").category
    'field-too-small'
    """
    field, budget, channels, size, smallest_output = (
        v.size_arg(value, name) for value, name in ((field, "field"), (budget, "budget"), (channels, "channels"),
                                                   (size, "size"), (smallest_output, "smallest_output")))
    rules = (f"the field must reach {field} pixels with at most {budget:,} parameters, and the last map keep at "
             f"least {smallest_output}×{smallest_output} cells of the {size}×{size} input")
    if _unanswered(answer):
        return _ask("Type the layers in order, e.g. conv 5, pool 2, conv 3 (convs keep the size; pools halve it).")
    stages = read_stack(answer)
    if not stages:  # None (unreadable) or no layers at all
        return _unreadable(answer, "layers such as 'conv 3, pool 2, conv 5' (odd conv sizes)")
    if stages[0].kind != "conv":
        return _wrong(rules + ".", "Start with a convolution: pooling the raw pixels throws detail away before any "
                      "filter has seen it.", "broke-a-rule")
    if any(a.kind != "conv" and b.kind != "conv" for a, b in zip(stages, stages[1:])):
        return _wrong(rules + ".", "Two pools in a row are one bigger pool; put a convolution between them.", "broke-a-rule")
    fields = receptive_fields(stages)
    reach = fields[-1].size
    params = _stack_parameters(stages, channels)
    last = stage_sizes(stages, size)[-1]
    growth = " → ".join(str(f.size) for f in fields)
    mine = (f"your stack sees {reach}×{reach} pixels ({growth}) with {params:,} parameters, and its last map is "
            f"{last}×{last}")
    if reach >= field and params <= budget and last >= smallest_output:
        return Feedback(True, mine + ".")
    if last < smallest_output:
        return _wrong(f"{rules}; {mine}.", "Too much pooling: the last map is too small.", "wrong-size")
    if reach < field:
        also = " (and the stack is over the budget)" if params > budget else ""
        return _wrong(f"{rules}; {mine}.", f"The field falls short{also}: which layers make it grow fastest, and "
                      "where?", "field-too-small")
    return _wrong(f"{rules}; {mine}.", "Over the budget: where do most of the parameters sit?", "over-budget")
