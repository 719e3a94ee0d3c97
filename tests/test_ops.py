"""conv_transpose2d, max_pool2d, avg_pool2d and relu, their size helpers and their step walks.

Oracles are written here from the definitions in issue 12, as plain Python loops over pixels, and share
nothing with ``convlab.core``:

* transposed convolution: every input pixel (and channel) adds ``value × kernel[a, b]`` at
  ``(row·s + a·d, col·s + b·d)`` of a canvas; the output is the canvas read from ``(p, p)`` on, zeros
  beyond it (output_padding). A second, unrelated check: it is the adjoint of :func:`conv2d`;
* pooling: the largest / the mean of the in-bounds pixels of each window, the mean divided by the full
  window size (padded zeros counted), the max never looking at padding at all;
* ReLU: ``x if x > 0 else 0``.

Whole-number data makes every sum exact in float64, so those properties compare with ``==``.
PyTorch (when installed) is the reference for semantics: same results and the same refusals.
"""

from __future__ import annotations

import dataclasses
import itertools
import re

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from convlab import (PoolStep, TransposeStep, avg_pool2d, conv2d, conv_transpose2d, iter_pool_steps,
                     iter_transpose_steps, max_pool2d, pool_output_size, pool_output_size_formula, relu,
                     transpose_output_size, transpose_output_size_formula)
from strategies import (FAST, THOROUGH, arrays, pair, pool_cases, pool_size, transpose_cases,
                        transpose_size)

E = re.escape


# --------------------------------------------------------------------------------------------------
# oracles: brute-force loops from the definitions
# --------------------------------------------------------------------------------------------------

def channels_last(a):
    a = np.asarray(a, dtype=float)
    return a[:, :, None] if a.ndim == 2 else a


def transpose_loop(image, kernel, *, stride=1, padding=0, output_padding=0, dilation=1):
    x, k = channels_last(image), channels_last(kernel)
    (sr, sc), (pr, pc), (opr, opc), (dr, dc) = map(pair, (stride, padding, output_padding, dilation))
    h, w, c = x.shape
    kh, kw = k.shape[:2]
    oh = transpose_size(h, kh, sr, pr, opr, dr)
    ow = transpose_size(w, kw, sc, pc, opc, dc)
    canvas = {}
    for i in range(h):
        for j in range(w):
            for a in range(kh):
                for b in range(kw):
                    for ch in range(c):
                        key = (i * sr + a * dr, j * sc + b * dc)
                        canvas[key] = canvas.get(key, 0.0) + x[i, j, ch] * k[a, b, ch]
    out = np.zeros((oh, ow))
    for y in range(oh):
        for z in range(ow):
            out[y, z] = canvas.get((y + pr, z + pc), 0.0)
    return out


def pool_loop(image, size, *, stride=None, padding=0, kind):
    x = np.asarray(image, dtype=float)
    gray = x.ndim == 2
    x = channels_last(x)
    (kh, kw) = pair(size)
    (sr, sc) = pair(size if stride is None else stride)
    (pr, pc) = pair(padding)
    h, w, c = x.shape
    oh, ow = pool_size(h, kh, sr, pr), pool_size(w, kw, sc, pc)
    out = np.zeros((oh, ow, c))
    for y in range(oh):
        for z in range(ow):
            for ch in range(c):
                real = [x[y * sr + a - pr, z * sc + b - pc, ch] for a in range(kh) for b in range(kw)
                        if 0 <= y * sr + a - pr < h and 0 <= z * sc + b - pc < w]
                out[y, z, ch] = max(real) if kind == "max" else sum(real) / (kh * kw)
    return out[:, :, 0] if gray else out


def relu_loop(x):
    a = np.asarray(x, dtype=float)
    return np.array([v if v > 0 else 0.0 for v in a.ravel()]).reshape(a.shape)


# --------------------------------------------------------------------------------------------------
# transposed convolution
# --------------------------------------------------------------------------------------------------

@THOROUGH
@given(transpose_cases())
def test_conv_transpose2d_matches_the_scatter_loop_exactly_on_whole_numbers(case):
    assert_array_equal(conv_transpose2d(case.image, case.kernel, **case.kwargs),
                       transpose_loop(case.image, case.kernel, **case.kwargs))


@pytest.mark.parametrize("budget", [None, 8 * 40 * 30, 8 * 40 * 4])  # the default; blocks of rows; parts of rows
@pytest.mark.parametrize("shape, kernel_shape, kwargs", [
    ((9, 11, 3), (4, 4, 3), dict(stride=2, padding=1)),                        # phases as wide as a row + 1
    ((9, 11), (3, 3), dict(stride=1, padding=1)),                             # grey, one phase
    ((9, 11), (3, 3), dict(stride=2)),                                        # grey at a stride: one canvas
    ((7, 5, 2), (3, 4, 2), dict(stride=(3, 2), output_padding=(2, 1), padding=(1, 2))),
    ((6, 3, 3), (3, 5, 3), dict(stride=1, dilation=(1, 4))),                 # a phase wider than 2 rows
    ((8, 8, 1), (5, 5, 1), dict(stride=2, dilation=3, output_padding=2)),    # cells in every phase, shifted
    ((4, 3), (2, 3), dict(stride=(9, 7), padding=(1, 2), output_padding=3)),  # most phases empty: zeros
    ((4, 3, 2), (3, 2, 2), dict(stride=(5, 8), dilation=(2, 3))),
])
def test_every_path_of_the_transpose_engine_is_exact_and_the_walks_bits(shape, kernel_shape, kwargs, budget,
                                                                          monkeypatch):
    # the engine adds whole blocks of rows into each stride phase (one add per kernel cell when a phase is
    # at most twice as wide as a row, a row at a time when wider), parts of rows when one row passes the
    # budget, and keeps a grey image at a stride on one canvas: every path equals the definition on whole
    # numbers and the walk bit for bit on floats
    from convlab.core import _ops_engine
    if budget is not None:
        monkeypatch.setattr(_ops_engine, "_BLOCK_BYTES", budget)
    rng = np.random.default_rng(sum(shape) + len(kwargs))
    image, kernel = rng.integers(-9, 10, shape).astype(float), rng.integers(-9, 10, kernel_shape).astype(float)
    assert_array_equal(conv_transpose2d(image, kernel, **kwargs), transpose_loop(image, kernel, **kwargs))
    image, kernel = rng.normal(size=shape), rng.normal(size=kernel_shape)
    steps = list(iter_transpose_steps(image, kernel, **kwargs))
    assert_array_equal(steps[-1].running, conv_transpose2d(image, kernel, **kwargs))
    assert conv_transpose2d(image, kernel, **kwargs).flags.c_contiguous


def test_a_stride_far_beyond_the_kernel_visits_only_the_phases_its_cells_land_in():
    # stride 1000 has a million phases, all but nine of them empty: a loop over every phase took seconds
    from convlab.core import _ops_engine
    for image, kernel in (np.ones((4, 4)), np.ones((3, 3))), (np.ones((4, 4, 3)), np.ones((3, 3, 3))):
        plan = _ops_engine._transpose_plan(image, kernel, 1000, 0, 0, 1)
        assert _ops_engine._phases_with_cells(plan) == ([0, 1, 2], [0, 1, 2])
        assert len(list(_ops_engine._phases(plan))) == 9
        out = conv_transpose2d(image, kernel, stride=1000)
        assert out.shape == (3003, 3003) and out.sum() == 16 * 9 * image[0, 0].size
        assert_array_equal(out[1000:1003, 2000:2003], 3 * np.ones((3, 3)) if image.ndim == 3 else np.ones((3, 3)))
    plan = _ops_engine._transpose_plan(np.ones((3, 3)), np.ones((3, 3)), 4, 0, 0, 2)  # dilation 2: rows 0, 2, 4
    assert _ops_engine._phases_with_cells(plan) == ([0, 2], [0, 2])


def test_a_phase_wider_than_two_rows_is_added_row_by_row():
    # stride 1 with a dilated 5-wide kernel on a 3-wide image: the canvas is 19 wide, the rows 3; padding
    # the blocks to 19 would do six times the work, so the engine adds unpadded rows
    from convlab.core import _ops_engine
    plan = _ops_engine._transpose_plan(np.ones((6, 3)), np.ones((3, 5)), 1, 0, 0, (1, 4))
    assert _ops_engine._phase_shape(plan) == (8, 19) and _ops_engine._block_width(plan) == 3
    plan = _ops_engine._transpose_plan(np.ones((9, 11, 3)), np.ones((4, 4, 3)), 2, 1, 0, 1)
    assert _ops_engine._phase_shape(plan) == (10, 12) and _ops_engine._block_width(plan) == 12


@FAST
@given(transpose_cases(integers=False))
def test_conv_transpose2d_matches_the_scatter_loop_on_floats(case):
    assert_allclose(conv_transpose2d(case.image, case.kernel, **case.kwargs),
                    transpose_loop(case.image, case.kernel, **case.kwargs), rtol=1e-12, atol=1e-12)


@FAST
@given(transpose_cases(), st.data())
def test_conv_transpose2d_is_the_adjoint_of_conv2d(case, data):
    # <conv2d(y), x> == <y, conv_transpose2d(x)> for the same stride, padding and dilation: the identity
    # that makes the transposed convolution the gradient of a convolution with respect to its input.
    # output_padding at least the stride adds rows that a convolution with that stride reads into an
    # extra output row, so those axes drop it.
    kw = dict(case.kwargs)
    kw["output_padding"] = tuple(o if o < s else 0 for o, s in zip(pair(kw["output_padding"]), pair(kw["stride"])))
    assume(all(transpose_size(n, k, s, p, o, d) >= 1 for n, k, s, p, o, d in zip(
        case.image.shape[:2], case.kernel.shape[:2], *map(pair, (kw["stride"], kw["padding"], kw["output_padding"], kw["dilation"])))))
    t = conv_transpose2d(case.image, case.kernel, **kw)
    y = data.draw(arrays(t.shape))
    x, k = channels_last(case.image), channels_last(case.kernel)
    forward = np.stack([conv2d(y, k[:, :, c], stride=kw["stride"], padding=kw["padding"], dilation=kw["dilation"])
                        for c in range(x.shape[2])], axis=-1)
    assert forward.shape == x.shape
    assert np.sum(forward * x) == np.sum(y * t)  # whole numbers: exact


def test_stride_two_places_blocks_two_apart_and_overlaps_add():
    # the checkerboard in one line: a 3-tap kernel at stride 2 overlaps its neighbour in every other column
    out = conv_transpose2d([[1, 1, 1]], [[1, 1, 1]], stride=2)
    assert_array_equal(out, [[1, 1, 2, 1, 2, 1, 1]])


def test_channels_are_summed_into_one_map():
    image = np.arange(12.0).reshape(2, 2, 3)
    kernel = np.arange(1.0, 13.0).reshape(2, 2, 3)
    per_channel = sum(conv_transpose2d(image[:, :, c], kernel[:, :, c], stride=2) for c in range(3))
    assert_array_equal(conv_transpose2d(image, kernel, stride=2), per_channel)


def test_output_padding_adds_zero_rows_when_padding_is_smaller():
    out = conv_transpose2d([[1.0]], [[1.0]], stride=3, output_padding=2)
    assert_array_equal(out, [[1, 0, 0], [0, 0, 0], [0, 0, 0]])


def test_transpose_undoes_the_size_of_a_strided_convolution():
    # a 7x7 input, 3x3 kernel, stride 2, padding 1 -> 4x4; the transposed convolution maps 4 back to 7
    # (and output_padding=1 to 8, the other size that convolves to 4)
    small = conv2d(np.ones((7, 7)), np.ones((3, 3)), stride=2, padding=1)
    assert conv_transpose2d(small, np.ones((3, 3)), stride=2, padding=1).shape == (7, 7)
    assert conv_transpose2d(small, np.ones((3, 3)), stride=2, padding=1, output_padding=1).shape == (8, 8)
    assert conv2d(np.ones((8, 8)), np.ones((3, 3)), stride=2, padding=1).shape == (4, 4)


@pytest.mark.parametrize("n, k, s, p, op, d", [
    (2, 3, 2, 0, 0, 1),   # two copies of a 3-tap kernel, 2 apart
    (4, 3, 2, 1, 1, 1),   # the size a stride-2, padding-1 convolution came from
    (3, 3, 1, 0, 0, 2),   # dilation spreads the taps
    (1, 1, 5, 0, 4, 1),   # output_padding up to stride - 1
    (1, 1, 1, 0, 2, 3),   # ... or up to dilation - 1
    (5, 4, 3, 2, 0, 2),
])
def test_transpose_output_size_is_the_issues_formula(n, k, s, p, op, d):
    want = (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    assert transpose_output_size(n, k, stride=s, padding=p, output_padding=op, dilation=d) == want
    assert transpose_output_size_formula(n, k, stride=s, padding=p, output_padding=op, dilation=d).endswith(f"= {want}")
    assert conv_transpose2d(np.ones((n, 2)), np.ones((k, 1)), stride=(s, 1), padding=(p, 0),
                            output_padding=(op, 0), dilation=(d, 1)).shape[0] == want


# --------------------------------------------------------------------------------------------------
# pooling
# --------------------------------------------------------------------------------------------------

@THOROUGH
@given(pool_cases(), st.sampled_from(["max", "mean"]))
def test_pooling_matches_the_window_loop(case, kind):
    fn = max_pool2d if kind == "max" else avg_pool2d
    got = fn(case.image, case.size, **case.kwargs)
    want = pool_loop(case.image, case.size, kind=kind, **case.kwargs)
    if kind == "max":
        assert_array_equal(got, want)  # a maximum is one of the values: exact
    else:
        assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@FAST
@given(pool_cases(integers=False))
def test_max_pooling_never_picks_padding_even_when_every_value_is_negative(case):
    got = max_pool2d(-np.abs(case.image) - 1, case.size, **case.kwargs)
    assert np.all(got <= -1) and np.all(np.isfinite(got))


def test_stride_defaults_to_the_size():
    x = np.arange(36.0).reshape(6, 6)
    assert_array_equal(max_pool2d(x, 2), max_pool2d(x, 2, stride=2))
    assert_array_equal(avg_pool2d(x, (3, 2)), avg_pool2d(x, (3, 2), stride=(3, 2)))
    assert max_pool2d(x, (3, 2)).shape == (2, 3)


def test_channels_last_input_is_pooled_channel_by_channel():
    x = np.random.default_rng(0).normal(size=(6, 5, 3))
    out = max_pool2d(x, 2, stride=1, padding=1)
    assert out.shape == (7, 6, 3)
    for c in range(3):
        assert_array_equal(out[:, :, c], max_pool2d(x[:, :, c], 2, stride=1, padding=1))


def test_average_pooling_counts_padded_zeros():
    # torch's count_include_pad=True: the corner window of a 3x3 pool with padding 1 holds 4 real ones
    out = avg_pool2d(np.ones((4, 4)), 3, stride=1, padding=1)
    assert out[0, 0] == pytest.approx(4 / 9)
    assert out[1, 1] == 1.0


@pytest.mark.parametrize("n, k, s, p", [(4, 2, 2, 0), (5, 2, 2, 0), (5, 3, 1, 1), (7, 3, 2, 1), (1, 1, 1, 0)])
def test_pool_output_size_is_the_formula(n, k, s, p):
    want = (n + 2 * p - k) // s + 1
    assert pool_output_size(n, k, stride=s, padding=p) == want
    assert pool_output_size_formula(n, k, stride=s, padding=p).endswith(f"= {want}")
    assert max_pool2d(np.ones((n, 1)), (k, 1), stride=(s, 1), padding=(p, 0)).shape[0] == want


# --------------------------------------------------------------------------------------------------
# ReLU
# --------------------------------------------------------------------------------------------------

@FAST
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=0, max_size=30))
def test_relu_matches_the_definition(values):
    assert_array_equal(relu(values), relu_loop(values))


def test_relu_keeps_any_shape_and_never_writes_negative_zero():
    x = np.array([[[-0.0, -1.0], [2.0, 0.0]]])
    out = relu(x)
    assert out.shape == x.shape and out.dtype == np.float64
    assert not np.any(np.signbit(out))
    assert isinstance(relu(np.int64(-3)), np.ndarray) and relu(np.int64(-3)).shape == ()
    assert not np.shares_memory(relu(x), x)


# --------------------------------------------------------------------------------------------------
# step walks
# --------------------------------------------------------------------------------------------------

@FAST
@given(pool_cases(integers=False), st.sampled_from(["max", "mean"]))
def test_pool_steps_read_the_vectorised_result(case, kind):
    fn = max_pool2d if kind == "max" else avg_pool2d
    result = fn(case.image, case.size, **case.kwargs)
    steps = list(iter_pool_steps(case.image, case.size, kind=kind, **case.kwargs))
    assert [s.index for s in steps] == list(range(result.shape[0] * result.shape[1]))
    kh, kw = pair(case.size)
    for s in steps:
        assert_array_equal(s.value, result[s.out_row, s.out_col])
        assert s.window.shape[:2] == (kh, kw) and not s.window.flags.writeable
        if kind == "max":
            chosen = [s.chosen] if s.window.ndim == 2 else list(s.chosen)
            for ch, (r, c) in enumerate(chosen):
                w = s.window if s.window.ndim == 2 else s.window[:, :, ch]
                v = s.value if s.window.ndim == 2 else s.value[ch]
                assert w[r, c] == v and np.isfinite(w[r, c])
                assert not np.any(w.ravel()[: r * kw + c] == v)  # the first maximum in reading order
        else:
            assert s.chosen is None
            assert_allclose(s.value, s.window.mean(axis=(0, 1)), rtol=1e-12, atol=1e-12)


def test_pool_step_arithmetic_texts():
    x = [[1, 3, 0, 2], [4, 2, 1, 1], [0, 1, 5, 0], [2, 2, 0, 3]]
    assert [s.arithmetic() for s in iter_pool_steps(x, 2)] == [
        "max(1, 3, 4, 2) = 4", "max(0, 2, 1, 1) = 2", "max(0, 1, 2, 2) = 2", "max(5, 0, 0, 3) = 5"]
    assert next(iter_pool_steps(x, 2, kind="mean")).arithmetic() == "mean(1, 3, 4, 2) = 2.5"
    padded = next(iter_pool_steps(x, 2, padding=1))
    assert padded.arithmetic() == "max(\u2212\u221e, \u2212\u221e, \u2212\u221e, 1) = 1"
    assert (padded.top, padded.left, padded.padding, padded.chosen) == (0, 0, (1, 1), (1, 1))
    rgb = next(iter_pool_steps(np.dstack([np.array(x)] * 3) * [1, 2, 3], 2))
    assert rgb.arithmetic().splitlines() == ["R: max(1, 3, 4, 2) = 4", "G: max(2, 6, 8, 4) = 8",
                                            "B: max(3, 9, 12, 6) = 12"]
    assert rgb.chosen == ((1, 0), (1, 0), (1, 0))


@THOROUGH
@given(transpose_cases(integers=False))
def test_transpose_walk_ends_on_the_vectorised_result_bit_for_bit(case):
    result = conv_transpose2d(case.image, case.kernel, **case.kwargs)
    steps = list(iter_transpose_steps(case.image, case.kernel, **case.kwargs))
    h, w = case.image.shape[:2]
    assert [(s.in_row, s.in_col) for s in steps] == list(itertools.product(range(h), range(w)))
    assert_array_equal(steps[-1].running, result)  # the same blocks, added in the same order


@pytest.mark.parametrize("layout", ["every other channel", "reversed channels", "fortran order"])
def test_transpose_walk_is_bit_for_bit_whatever_the_kernels_memory_layout(layout):
    # the walk keeps its own (contiguous) copy of the kernel; the engine reads the caller's array (a strided
    # 1x1 kernel made numpy's matmul take its own loop instead of BLAS: 4.4e-16 apart, for most seeds)
    make = {"every other channel": lambda rng: rng.standard_normal((1, 1, 6))[:, :, ::2],
            "reversed channels": lambda rng: rng.standard_normal((2, 3, 3))[:, :, ::-1],
            "fortran order": lambda rng: np.asfortranarray(rng.standard_normal((3, 2, 3)))}[layout]
    for seed in range(5):
        rng = np.random.default_rng(seed)
        image, kernel = rng.standard_normal((4, 4, 3)), make(rng)
        for stride in (1, 2):
            result = conv_transpose2d(image, kernel, stride=stride)
            assert_array_equal(list(iter_transpose_steps(image, kernel, stride=stride))[-1].running, result)
            assert_array_equal(result, conv_transpose2d(image, np.ascontiguousarray(kernel), stride=stride))


def test_a_wide_image_with_a_big_kernel_keeps_its_blocks_to_a_budget():
    # one row of 20000 RGB pixels' 21x21 blocks would be 70 MB; the engine makes them a part of a row at a time
    import tracemalloc

    image = np.random.default_rng(0).random((2, 20000, 3))
    tracemalloc.start()
    try:
        out = conv_transpose2d(image, np.ones((21, 21, 3)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.shape == (22, 20020)
    assert peak < out.nbytes + (4 << 20), f"peak {peak / 2**20:.1f} MB for a {out.nbytes / 2**20:.1f} MB output"
    assert_allclose(out.sum(), 21 * 21 * image.sum(), rtol=1e-12)  # every pixel's block of ones landed once


@pytest.mark.parametrize("channels", [None, 1, 3])
@pytest.mark.parametrize("pixels, starts", [
    # two rows per block, each 6 wide (5 pixels, then the zero that pads a row to its stride phase's width)
    (12, [(0, 0), (2, 0), (4, 0), (6, 0)]),
    (3, [(r, c) for r in range(7) for c in (0, 3)]),  # a row's blocks pass the budget: parts of rows
])
def test_transpose_walk_and_view_model_take_the_engines_blocks_block_by_block(channels, pixels, starts, monkeypatch):
    # a 7x5 image computed a few pixels at a time, each block written into the same buffers: the walk,
    # the view model and the engine must still hold the same values bit for bit, in reading order
    from convlab import format_number
    from convlab.core import _ops_engine
    from convlab.views.op_views import transpose_view_model
    from convlab.views.walk import frame

    rng = np.random.default_rng(5)
    shape = (7, 5) if channels is None else (7, 5, channels)
    image, kernel = rng.normal(size=shape), rng.normal(size=(3, 4) + shape[2:])
    monkeypatch.setattr(_ops_engine, "_BLOCK_BYTES", 8 * (12 + (channels or 1)) * pixels)
    width = _ops_engine._block_width(_ops_engine._transpose_plan(image, kernel, 2, 1, 0, 1))
    assert width == 6  # the engine adds each block of whole rows into its phase in one piece per kernel cell
    assert [(r0, c0) for r0, _, c0, _, _ in _ops_engine._block_rows(image, kernel, width)] == starts
    result = conv_transpose2d(image, kernel, stride=2, padding=1)
    steps = list(iter_transpose_steps(image, kernel, stride=2, padding=1))
    assert_array_equal(steps[-1].running, result)
    k = kernel if kernel.ndim == 3 else kernel[:, :, None]
    for s in steps:  # every step's block is its own pixel's (not a later block of rows' in a reused buffer)
        assert_allclose(s.block, np.tensordot(k, np.atleast_1d(s.value), axes=([2], [0])), rtol=1e-13, atol=1e-13)
    vm = transpose_view_model(image, kernel, stride=2, padding=1)
    for s in steps:  # the view model shows each step's own block and running output, as format_number writes them
        assert frame(vm, s.index, "multiply")["grids"]["products"][0]["labels"] == [
            format_number(x, 2) for x in s.block.ravel()]
        assert frame(vm, s.index, "add")["grids"]["map"][0]["labels"] == [
            format_number(x, 2) for x in s.running.ravel()]


@FAST
@given(transpose_cases())
def test_each_transpose_step_adds_its_block_where_it_says(case):
    steps = list(iter_transpose_steps(case.image, case.kernel, **case.kwargs))
    before = np.zeros_like(steps[0].canvas)
    k = case.kernel if case.kernel.ndim == 3 else case.kernel[:, :, None]
    for s in steps:
        value = np.atleast_1d(s.value)
        assert_array_equal(s.block, np.tensordot(k, value, axes=([2], [0])))  # value × kernel, channels summed
        expected = before.copy()
        for a, r in enumerate(s.rows):
            for b, c in enumerate(s.cols):
                expected[r, c] += s.block[a, b]
        assert_array_equal(s.canvas, expected)
        assert (s.top, s.left) == (s.rows[0], s.cols[0])
        assert not s.canvas.flags.writeable and not s.block.flags.writeable
        before = s.canvas
    sr, sc = pair(case.kwargs["stride"])
    assert (steps[-1].top, steps[-1].left) == ((case.image.shape[0] - 1) * sr, (case.image.shape[1] - 1) * sc)
    assert (steps[0].crop_top, steps[0].crop_left) == pair(case.kwargs["padding"])


def test_transpose_step_arithmetic_texts():
    steps = list(iter_transpose_steps([[1, 2], [3, 4]], np.ones((3, 3)), stride=2))
    assert steps[0].arithmetic() == "1 \u00d7 kernel added at rows 0\u20132, columns 0\u20132"
    assert steps[3].arithmetic() == "4 \u00d7 kernel added at rows 2\u20134, columns 2\u20134"
    dil = next(iter_transpose_steps([[2]], np.ones((2, 3)), dilation=2))
    assert dil.arithmetic() == "2 \u00d7 kernel added at rows 0, 2, columns 0, 2, 4"
    rgb = next(iter_transpose_steps(np.ones((1, 1, 3)) * [1, 2, -1], np.ones((1, 1, 3))))
    assert rgb.arithmetic() == "(R 1, G 2, B \u22121) \u00d7 kernel added at row 0, column 0"
    assert rgb.block.tolist() == [[2.0]]


def test_step_records_are_frozen():
    step = next(iter_pool_steps(np.ones((2, 2)), 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.value = 3.0
    tstep = next(iter_transpose_steps(np.ones((2, 2)), np.ones((2, 2))))
    with pytest.raises(dataclasses.FrozenInstanceError):
        tstep.top = 1
    assert isinstance(step, PoolStep) and isinstance(tstep, TransposeStep)


# --------------------------------------------------------------------------------------------------
# bad arguments: named, with the value received, before any work
# --------------------------------------------------------------------------------------------------

IMG = np.arange(16.0).reshape(4, 4)
K3 = np.ones((3, 3))
RGB = np.ones((4, 4, 3))

# (function, positional arguments, keyword arguments, exception, message pattern)
BAD = [
    # ---- conv_transpose2d
    pytest.param(conv_transpose2d, (IMG, K3), {"stride": 0}, ValueError, r"stride must be a positive integer.*got 0$", id="transpose stride zero"),
    pytest.param(conv_transpose2d, (IMG, K3), {"stride": 1.5}, TypeError, r"stride .*got 1\.5$", id="transpose stride fractional"),
    pytest.param(conv_transpose2d, (IMG, K3), {"dilation": (1, 0)}, ValueError, r"dilation .*got \(1, 0\)$", id="transpose dilation pair with a zero"),
    pytest.param(conv_transpose2d, (IMG, K3), {"padding": -1}, ValueError, r"padding must be a non-negative integer.*got -1$", id="transpose padding negative"),
    pytest.param(conv_transpose2d, (IMG, K3), {"padding": "same"}, TypeError, r"padding .*got 'same'$", id="transpose padding has no names"),
    pytest.param(conv_transpose2d, (IMG, K3), {"padding": (1, 2, 3)}, ValueError, r"padding .*with 3 entries", id="transpose padding three entries"),
    pytest.param(conv_transpose2d, (IMG, K3), {"output_padding": 1}, ValueError,
                 r"output_padding must be smaller than the stride or the dilation: 1 extra rows with stride 1 and dilation 1; use at most 0",
                 id="output_padding needs a stride or dilation above 1"),
    pytest.param(conv_transpose2d, (IMG, K3), {"output_padding": 2, "stride": 2}, ValueError, r"output_padding .*got output_padding=2$", id="output_padding equal to the stride"),
    pytest.param(conv_transpose2d, (IMG, K3), {"output_padding": (0, 3), "stride": 2, "dilation": 3}, ValueError,
                 r"output_padding .*3 extra columns with stride 2 and dilation 3; use at most 2", id="output_padding equal to the dilation"),
    pytest.param(conv_transpose2d, (IMG, K3), {"output_padding": -1, "stride": 2}, ValueError, r"output_padding must be a non-negative integer.*got -1$", id="output_padding negative"),
    pytest.param(conv_transpose2d, (IMG, K3), {"output_padding": 0.5}, TypeError, r"output_padding .*got 0\.5$", id="output_padding fractional"),
    pytest.param(conv_transpose2d, (np.ones((1, 1)), np.ones((1, 1))), {"padding": 1}, ValueError,
                 r"padding=1 crops 2 rows from a transposed-convolution output of 1 rows, leaving -1.*use padding at most 0",
                 id="padding crops the whole output"),
    pytest.param(conv_transpose2d, (IMG, np.ones((3, 3, 3))), {}, ValueError, r"kernel must be \(kh, kw\) for a grayscale", id="transpose 3-D kernel on a grayscale image"),
    pytest.param(conv_transpose2d, (RGB, np.ones((3, 3, 2))), {}, ValueError, r"kernel has 2 channels but the image has 3", id="transpose channels differ"),
    pytest.param(conv_transpose2d, (RGB, K3), {}, ValueError, r"kernel must have one slice per image channel", id="transpose 2-D kernel on an RGB image"),
    pytest.param(conv_transpose2d, ([[1, np.nan]], K3), {}, ValueError, r"image must contain only finite numbers; got nan", id="transpose NaN pixel"),
    pytest.param(conv_transpose2d, ("abc", K3), {}, TypeError, r"image must be an array of numbers", id="transpose image string"),
    # ---- pooling
    pytest.param(max_pool2d, (IMG, 0), {}, ValueError, r"size must be a positive integer.*got 0$", id="pool size zero"),
    pytest.param(avg_pool2d, (IMG, 2.0), {}, TypeError, r"size .*got 2\.0$", id="pool size float"),
    pytest.param(max_pool2d, (IMG, None), {}, TypeError, r"size .*got None$", id="pool size missing"),
    pytest.param(max_pool2d, (IMG, (2, 2, 2)), {}, ValueError, r"size .*with 3 entries", id="pool size three entries"),
    pytest.param(max_pool2d, (IMG, 2), {"stride": 0}, ValueError, r"stride must be a positive integer.*got 0$", id="pool stride zero"),
    pytest.param(avg_pool2d, (IMG, 2), {"stride": "2"}, TypeError, r"stride .*got '2'$", id="pool stride string"),
    pytest.param(max_pool2d, (IMG, 2), {"padding": 2}, ValueError,
                 r"padding must be at most half the pooling size: 2 rows of padding with size 2 \(at most 1\); got padding=2$",
                 id="pool padding more than half the window"),
    pytest.param(avg_pool2d, (IMG, 1), {"padding": 1}, ValueError, r"padding must be at most half .*size 1 \(at most 0\)", id="pool padding with a 1x1 window"),
    pytest.param(max_pool2d, (IMG, (4, 2)), {"padding": (1, 2)}, ValueError, r"padding .*2 columns of padding with size 2", id="pool padding columns too large"),
    pytest.param(max_pool2d, (IMG, 2), {"padding": -1}, ValueError, r"padding must be a non-negative integer.*got -1$", id="pool padding negative"),
    pytest.param(avg_pool2d, (IMG, 2), {"padding": "same"}, TypeError, r"padding .*got 'same'$", id="pool padding name"),
    pytest.param(max_pool2d, (np.ones((2, 2)), 5), {}, ValueError, E("size (5x5) is larger than the padded input (2x2"), id="pool window larger than the image"),
    pytest.param(avg_pool2d, (np.ones((2, 6)), (5, 2)), {"padding": (1, 0)}, ValueError, E("size (5x2) is larger than the padded input (4x6"), id="pool window larger even with padding"),
    pytest.param(max_pool2d, (np.ones((2, 2, 2, 2)), 2), {}, ValueError, r"image must be \(H, W\) grayscale or \(H, W, C\).*4-D", id="pool 4-D image"),
    pytest.param(iter_pool_steps, (IMG, 2), {"kind": "min"}, ValueError, r"kind must be one of 'max', 'mean'; got 'min'", id="walk kind unknown"),
    # ---- relu
    pytest.param(relu, ("1",), {}, TypeError, r"x must be a number or an array of numbers; got '1'", id="relu string"),
    pytest.param(relu, (None,), {}, TypeError, r"x must be .*got None", id="relu None"),
    pytest.param(relu, ([1, np.inf],), {}, ValueError, r"x must contain only finite numbers; got inf at index \(1,\)", id="relu infinity"),
    pytest.param(relu, ([[1, 2], [3]],), {}, ValueError, r"x must be a rectangular array", id="relu ragged"),
    pytest.param(relu, ([1j],), {}, TypeError, r"x must contain only real numbers; got dtype complex128", id="relu complex"),
    # ---- one-axis size helpers
    pytest.param(transpose_output_size, (3, 3), {"stride": (2, 2)}, TypeError, r"stride must be a single integer", id="transpose size helper takes one axis"),
    pytest.param(transpose_output_size, (0, 3), {}, ValueError, r"n must be a positive integer; got 0", id="transpose size helper n zero"),
    pytest.param(pool_output_size, (4, 2), {"padding": 2}, ValueError, r"padding must be at most half", id="pool size helper padding"),
    pytest.param(pool_output_size_formula, (4, 2), {"stride": 0}, ValueError, r"stride must be a positive integer", id="pool formula stride zero"),
]


@pytest.mark.parametrize("fn, args, kwargs, exc, pattern", BAD)
def test_bad_arguments_are_named(fn, args, kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fn(*args, **kwargs)


WALKS = {conv_transpose2d: iter_transpose_steps, max_pool2d: iter_pool_steps, avg_pool2d: iter_pool_steps}


@pytest.mark.parametrize("fn, args, kwargs, exc, pattern", [p for p in BAD if p.values[0] in WALKS])
def test_walks_refuse_the_same_arguments_on_the_call(fn, args, kwargs, exc, pattern):
    walk = WALKS[fn]
    extra = {"kind": "mean"} if fn is avg_pool2d else {}
    with pytest.raises(exc, match=pattern):
        walk(*args, **kwargs, **extra)  # raised here, not at the first next()


# --------------------------------------------------------------------------------------------------
# PyTorch: the same numbers, the same refusals
# --------------------------------------------------------------------------------------------------

def _nchw(torch, x):
    return torch.tensor(np.asarray(x, dtype=np.float64)).permute(2, 0, 1)[None]


@FAST
@given(transpose_cases(channels=(1, 3), integers=False))
def test_conv_transpose2d_agrees_with_torch(case):
    torch = pytest.importorskip("torch")
    want = torch.nn.functional.conv_transpose2d(_nchw(torch, case.image), _nchw(torch, case.kernel)[0][:, None],
                                                **case.kwargs)[0, 0].numpy()
    got = conv_transpose2d(case.image, case.kernel, **case.kwargs)
    assert got.shape == want.shape
    assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@FAST
@given(pool_cases(channels=(1, 3), integers=False), st.sampled_from(["max", "mean"]))
def test_pooling_agrees_with_torch(case, kind):
    torch = pytest.importorskip("torch")
    fn, tfn = (max_pool2d, torch.nn.functional.max_pool2d) if kind == "max" else (avg_pool2d, torch.nn.functional.avg_pool2d)
    want = tfn(_nchw(torch, case.image), case.size, **case.kwargs)[0].permute(1, 2, 0).numpy()
    got = fn(case.image, case.size, **case.kwargs)
    assert got.shape == want.shape
    assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_relu_agrees_with_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).normal(size=(5, 4, 3))
    assert_array_equal(relu(x), torch.relu(torch.tensor(x)).numpy())


def _t(*shape):
    import torch

    return torch.zeros(shape, dtype=torch.float64)


# (torch's call, convlab's call): the same settings, the same refusal
REFUSALS = [
    pytest.param(lambda F: F.conv_transpose2d(_t(1, 1, 4, 4), _t(1, 1, 3, 3), stride=2, output_padding=2),
                 lambda: conv_transpose2d(np.zeros((4, 4)), np.zeros((3, 3)), stride=2, output_padding=2),
                 id="output_padding equal to the stride"),
    pytest.param(lambda F: F.conv_transpose2d(_t(1, 1, 1, 1), _t(1, 1, 1, 1), padding=1),
                 lambda: conv_transpose2d(np.zeros((1, 1)), np.zeros((1, 1)), padding=1),
                 id="padding crops the whole output"),
    pytest.param(lambda F: F.max_pool2d(_t(1, 1, 4, 4), 2, padding=2),
                 lambda: max_pool2d(np.zeros((4, 4)), 2, padding=2), id="max pool padding over half"),
    pytest.param(lambda F: F.avg_pool2d(_t(1, 1, 4, 4), 3, padding=2),
                 lambda: avg_pool2d(np.zeros((4, 4)), 3, padding=2), id="avg pool padding over half"),
    pytest.param(lambda F: F.max_pool2d(_t(1, 1, 2, 2), 5),
                 lambda: max_pool2d(np.zeros((2, 2)), 5), id="pool window larger than the input"),
]


@pytest.mark.parametrize("theirs, ours", REFUSALS)
def test_torch_refuses_what_convlab_refuses(theirs, ours):
    torch = pytest.importorskip("torch")
    with pytest.raises((RuntimeError, ValueError)):
        theirs(torch.nn.functional)
    with pytest.raises(ValueError):
        ours()
