"""Receptive fields: the formula r_out = r_in + (k−1)·j_in against brute force with the real conv2d and max_pool2d.

The brute force perturbs one input pixel at a time and sees which cells of the last layer change. With
positive images and positive kernels (and ReLU on positive numbers), a large bump of any pixel a cell can
see raises that cell — through every convolution window and every max — so "the pixels that change this
cell" is exactly its receptive field, clipped to the image.
"""

import numpy as np
import pytest

from convlab.core.conv import conv2d
from convlab.core.ops import max_pool2d, relu
from convlab.lessons.receptive import (ReceptiveField, Stage, check_receptive_field, check_shift, conv_stage, field_in_every_layer, field_of_cell, pointwise_stage, pool_stage,
                                    receptive_fields, stage_sizes)


def _run(stages, image, kernels):
    x = image
    for stage, kernel in zip(stages, kernels):
        if stage.kind == "conv":
            x = conv2d(x, kernel, stride=stage.stride, padding=stage.padding, dilation=stage.dilation)
        elif stage.kind == "max pool":
            x = max_pool2d(x, stage.kernel, stride=stage.stride, padding=stage.padding)
        else:
            x = relu(x)
    return x


def _brute_force_fields(stages, shape, seed=0):
    """For every output cell, the boolean mask of input pixels whose bump changes it."""
    rng = np.random.default_rng(seed)
    image = rng.uniform(1.0, 2.0, size=shape)
    kernels = [rng.uniform(0.5, 1.0, size=(s.kernel, s.kernel)) if s.kind == "conv" else None
               for s in stages]
    base = _run(stages, image, kernels)
    changed = np.zeros(base.shape + shape, dtype=bool)
    for r, c in np.ndindex(shape):
        bumped = image.copy()
        bumped[r, c] += 1000.0
        changed[:, :, r, c] = _run(stages, bumped, kernels) != base
    return changed


STACKS = [
    ([conv_stage(3)], (7, 8)),  # one layer: the 3×3 window itself
    ([conv_stage(3, padding=1)], (6, 6)),  # padding: the corner cell's window starts outside the image
    ([conv_stage(3), pool_stage(2)], (10, 9)),  # pooling after a conv: 4×4, jump 2
    ([conv_stage(3, padding=1), pointwise_stage("ReLU"), pool_stage(2), conv_stage(3, padding=1)], (12, 12)),  # the lesson's stack
    ([conv_stage(3), pool_stage(2), conv_stage(3), pool_stage(2)], (16, 14)),  # two blocks: the jump doubles twice
    ([conv_stage(5, stride=2, padding=2), conv_stage(3)], (13, 11)),  # a strided conv spreads the next layer's taps
    ([conv_stage(3, padding=1), pool_stage(3, stride=2, padding=1)], (11, 10)),  # overlapping, padded pooling
    ([conv_stage(2), conv_stage(2), conv_stage(2)], (8, 8)),  # even kernels: the field grows by one per layer
]


@pytest.mark.parametrize("stages, shape", STACKS)
def test_formula_matches_brute_force_for_every_output_cell(stages, shape):
    changed = _brute_force_fields(stages, shape)
    out_h, out_w = changed.shape[:2]
    assert (stage_sizes(stages, shape[0])[-1], stage_sizes(stages, shape[1])[-1]) == (out_h, out_w)
    for row, col in np.ndindex(out_h, out_w):
        rows, cols = field_of_cell(stages, row, col, shape)
        expected = np.zeros(shape, dtype=bool)
        expected[rows.start:rows.stop, cols.start:cols.stop] = True
        np.testing.assert_array_equal(changed[row, col], expected, err_msg=f"cell ({row}, {col})")


def test_dilated_field_has_holes_inside_its_bounds():
    # dilation 2: the taps are two pixels apart, so the bounds are right but the pixels between are not seen
    stages = [conv_stage(3, dilation=2)]
    changed = _brute_force_fields(stages, (9, 9))
    rows, cols = field_of_cell(stages, 1, 2, (9, 9))
    seen = np.argwhere(changed[1, 2])
    assert (seen[:, 0].min(), seen[:, 0].max()) == (rows.start, rows.stop - 1)
    assert (seen[:, 1].min(), seen[:, 1].max()) == (cols.start, cols.stop - 1)
    assert changed[1, 2].sum() == 9 < len(rows) * len(cols)


@pytest.mark.parametrize("stages, expected", [
    ([conv_stage(3)], [(1, 1, 0), (3, 1, 0)]),  # a single 3×3 conv sees 3 pixels
    ([conv_stage(3), conv_stage(3)], [(1, 1, 0), (3, 1, 0), (5, 1, 0)]),  # stacked 3×3 convs: +2 each
    ([conv_stage(3, padding=1), pool_stage(2), conv_stage(3, padding=1)],
     [(1, 1, 0), (3, 1, -1), (4, 2, -1), (8, 2, -3)]),  # after the pool each kernel step is 2 input pixels
    ([pointwise_stage(), conv_stage(1)], [(1, 1, 0), (1, 1, 0), (1, 1, 0)]),  # ReLU and 1×1 conv: no growth
    ([conv_stage(7, stride=2, padding=3), pool_stage(3, stride=2, padding=1)],
     [(1, 1, 0), (7, 2, -3), (11, 4, -5)]),  # a ResNet stem
])
def test_size_jump_and_start_per_layer(stages, expected):
    assert [(f.size, f.jump, f.start) for f in receptive_fields(stages)] == expected


def test_span_of_cell_clips_to_the_image():
    field = ReceptiveField(size=8, jump=2, start=-3)
    assert field.span_of_cell(0) == range(-3, 5)
    assert field.span_of_cell(0, 6) == range(0, 5)
    assert field.span_of_cell(3, 6) == range(3, 6)


@pytest.mark.parametrize("call, match", [
    (lambda: field_of_cell([conv_stage(3)], 3, 0, (5, 5)), "row must be a cell of the last layer's 3×3 map"),
    (lambda: field_of_cell([conv_stage(3)], 0, -1, (5, 5)), "col"),
    (lambda: conv_stage(0), "kernel"),
    (lambda: pool_stage(2, stride=0), "stride"),
    (lambda: conv_stage(3, padding=-1), "padding"),
    (lambda: receptive_fields([(3, 1, 0)]), "Stage"),
    (lambda: Stage("x", 3, kind="softmax"), "kind"),
    (lambda: field_of_cell([conv_stage(7)], 0, 0, (5, 5)), "kernel"),  # does not fit: conv2d's own message
])
def test_bad_arguments_are_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_stage_is_plain_data():
    assert pool_stage(2) == Stage("max pool 2×2", 2, 2, 0, 1, "max pool")
    assert pointwise_stage().kind == "pointwise" and conv_stage(3).kind == "conv"
    assert conv_stage(3, padding=1).span == 3 and conv_stage(3, dilation=2).span == 5


def test_field_in_every_layer_starts_at_the_image_and_ends_at_the_cell():
    stages = [conv_stage(3, padding=1), pointwise_stage(), pool_stage(2), conv_stage(3, padding=1), pool_stage(2),
              conv_stage(3, padding=1)]
    layers = field_in_every_layer(stages, 3, 1, (24, 20))
    assert len(layers) == len(stages) + 1
    assert layers[0] == field_of_cell(stages, 3, 1, (24, 20))
    assert layers[-1] == (range(3, 4), range(1, 2))
    # every layer's block is what brute force finds for the stages above it, on that layer's map
    sizes = [(r, c) for r, c in zip(stage_sizes(stages, 24), stage_sizes(stages, 20))]
    for m in (2, 3):
        changed = _brute_force_fields(stages[m:], sizes[m])
        rows, cols = layers[m]
        seen = np.argwhere(changed[3, 1])
        assert (seen[:, 0].min(), seen[:, 0].max(), seen[:, 1].min(), seen[:, 1].max()) == \
            (rows.start, rows.stop - 1, cols.start, cols.stop - 1)


@pytest.mark.parametrize("answer, correct, slip", [
    (10, True, None),  # 1 → 3 → 5 → 6 → 10
    (8, False, "spreads the next layer's taps"),  # forgot the jump after the pool
    (11, False, "adding the kernel sizes"),  # 3 + 3 + 2 + 3
    (12, False, None),  # a wrong answer with no known slip still gets the worked answer
])
def test_check_receptive_field_names_the_slip(answer, correct, slip):
    fb = check_receptive_field(answer, [conv_stage(3), conv_stage(3), pool_stage(2), conv_stage(3)])
    assert fb.correct is correct and "→ 10 (conv 3×3 adds 2·2)" in fb.message
    assert slip is None or slip in fb.message
    assert not check_receptive_field(None, [conv_stage(3)]).answered


def test_a_shift_by_the_jump_moves_the_last_map_by_one_cell():
    # the claim behind check_shift, by brute force with the real conv2d and max_pool2d
    stages = [conv_stage(3, padding=1), pool_stage(2), conv_stage(3, padding=1), pool_stage(2)]
    rng = np.random.default_rng(3)
    kernels = [rng.normal(size=(3, 3)) if s.kind == "conv" else None for s in stages]
    image = np.pad(rng.uniform(size=(16, 16)), 8)             # zeros around: nothing enters or leaves
    shifted = np.pad(image, ((0, 0), (4, 0)))[:, :-4]
    a, b = _run(stages, image, kernels), _run(stages, shifted, kernels)
    np.testing.assert_allclose(b[:, 1:], a[:, :-1], atol=1e-12)
    assert check_shift(1, stages, 4).correct and not check_shift(2, stages, 4).correct
    assert "shift after the first pools only" in check_shift(2, stages, 4).message
    with pytest.raises(ValueError, match="multiple of the last layer's jump"):
        check_shift(None, stages, 3)


# --------------------------------------------------------------------------- the design task of lesson 07


@pytest.mark.parametrize("stack, right", [
    ("conv 3, pool 2, conv 3, pool 2, conv 3, pool 2, conv 3", True),   # the guide's answer: field 38, 1,832
    ("conv 3 → pool 2 → conv 3 → pool 2 → conv 3 → pool 2 → conv 5", False),  # field 54 but 2,856 parameters
    ("conv 3, pool 2, conv 1, pool 2, conv 1, pool 2, conv 5", True),   # cheap 1×1s between pools: 42, 1,832
    ("conv 5, pool 2, conv 3, pool 2, conv 3, pool 2, conv 1", False),  # 1×1 last: field 5→6→10→12→20→24, short
    ("conv 31", False),                                                  # one big kernel: 7,696 parameters, field 31
    ("conv 3, pool 2, pool 2", False),                                   # two pools in a row
])
def test_stack_design_checks_field_budget_and_rules_against_a_brute_force_count(stack, right):
    from convlab.lessons.receptive import check_stack_design, read_stack

    fb = check_stack_design(stack)
    stages = read_stack(stack)
    # independent count: r grows by (k − 1)·j, j multiplies by the stride; 8 filters per conv, 1 grey input
    r, j, params, c_in, n = 1, 1, 0, 1, 64
    for s in stages:
        r, j = r + (s.kernel - 1) * j, j * s.stride
        if s.kind == "conv":
            params, c_in = params + s.kernel ** 2 * c_in * 8 + 8, 8
        else:
            n //= s.stride
    legal = stages[0].kind == "conv" and all(a.kind == "conv" or b.kind == "conv" for a, b in zip(stages, stages[1:]))
    assert fb.correct == (legal and r >= 32 and params <= 2000 and n >= 8) == right, (str(fb), r, params, n)
