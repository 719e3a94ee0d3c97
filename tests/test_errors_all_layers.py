"""The error table of every layer: each public function refuses a bad argument with a TypeError/ValueError
whose message names that argument — before any work (issue 13).

One row per case, each with a comment saying why it matters. ``test_every_public_function_has_a_row``
reads the modules' ``__all__`` and fails when a public function or class has no row here, so a new
public function cannot ship without its error rows.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import convlab
from convlab import (conv2d, feature_maps, format_number, iter_steps, output_shape, output_size,
                     output_size_formula, unvisited)
from convlab.lessons import exercises as ex
from convlab.core import limits, sizes
from convlab.nets import layer, learn
from convlab.views import op_views, walk
from convlab.core.sizes import span_of
from convlab.data import images, kernels, userdata
from convlab.images import SEED_IMAGE, SEED_KERNEL
from convlab.data import digits
from convlab.lessons import questions, receptive
from convlab.nets import network as nw
from convlab.nets import trained
from convlab.views import palette

IMG = np.arange(25.0).reshape(5, 5)
K3 = np.ones((3, 3))
RGB = np.ones((5, 5, 3))
BIG = np.broadcast_to(0.0, (5000, 5000))  # 25 million values, no memory: over MAX_IMAGE_PIXELS
EXAMPLES = [SEED_IMAGE]
TARGETS = learn.make_targets(EXAMPLES, SEED_KERNEL)


def _fig():
    from matplotlib.figure import Figure

    return Figure()


def _ax():
    return _fig().subplots()


def _run():
    return learn.learn_kernel(EXAMPLES, TARGETS, steps=2)


def _figures():
    from convlab import figures

    return figures


def _configured():
    sf = _figures().StepFigure()
    sf.configure(walk.view_model(walk.compute_walk(IMG, K3)))
    return sf


def _figures_network():
    from convlab.figures import network

    return network


def _widgets():
    from convlab import widgets

    return widgets


def row(name, call, exc, match, id_):
    """One row: ``name`` is the public function it covers (checked by the coverage test)."""
    return pytest.param(call, exc, match, id=f"{name}: {id_}")



TABLE = [
    # ================================================================ core.conv
    row("conv2d", lambda: conv2d(None, K3), TypeError, "image", "no image at all"),  # a forgotten argument
    row("conv2d", lambda: conv2d("photo.png", K3), TypeError, "image", "a file name is not an image"),  # load it first
    row("conv2d", lambda: conv2d(IMG + 1j, K3), TypeError, "image", "complex values"),  # silently dropped before
    row("conv2d", lambda: conv2d(np.ones((2, 2, 2, 2)), K3), ValueError, "image", "4-D batch"),  # channels-last only
    row("conv2d", lambda: conv2d(np.ones((0, 5)), K3), ValueError, "image", "empty image"),
    row("conv2d", lambda: conv2d([[1, 2], [3]], K3), ValueError, "image", "ragged rows"),  # numpy >= 1.24
    row("conv2d", lambda: conv2d(IMG, [[1, np.nan]]), ValueError, "kernel", "NaN in the kernel"),  # would spread
    row("conv2d", lambda: conv2d(BIG, K3), ValueError, "image", "over MAX_IMAGE_PIXELS"),  # before the float64 copy
    row("conv2d", lambda: conv2d(IMG, K3, padding=10**4), ValueError, "padding", "padding 10**4"),  # np.pad's MemoryError
    row("conv2d", lambda: conv2d(IMG, K3, padding=10**12), ValueError, "padding", "padding 10**12"),  # "array too big"
    row("conv2d", lambda: conv2d(IMG, K3, stride=0), ValueError, "stride", "stride 0"),  # an endless loop elsewhere
    row("conv2d", lambda: conv2d(IMG, K3, dilation=-1), ValueError, "dilation", "negative dilation"),
    row("conv2d", lambda: conv2d(IMG, K3, flip="no"), TypeError, "flip", "a truthy string"),  # "no" would flip
    row("conv2d", lambda: conv2d(IMG, K3, padding_mode="mirror"), ValueError, "padding_mode", "unknown mode"),
    row("conv2d", lambda: conv2d(np.full((3, 3), 1e308), np.full((3, 3), 10.0)), ValueError, "image",
        "overflow to infinity"),  # was an inf feature map and OverflowError in the text
    row("conv2d", lambda: conv2d(RGB, K3), ValueError, "kernel", "2-D kernel on RGB"),  # one slice per channel
    row("feature_maps", lambda: feature_maps(IMG, K3), ValueError, "kernels", "one kernel, not a stack"),
    row("feature_maps", lambda: feature_maps(IMG, [K3], stride=(1, 2, 3)), ValueError, "stride", "three strides"),
    row("feature_maps", lambda: feature_maps(IMG, "edges"), TypeError, "kernels", "a name, not arrays"),
    row("feature_maps", lambda: feature_maps(IMG, [K3], padding=5000), ValueError, "padding", "padding limit"),
    # ================================================================ core.sizes
    row("span_of", lambda: span_of((3, 0), (1, 1)), ValueError, "kernel_hw", "a zero-sized kernel"),
    row("span_of", lambda: span_of((3, 3), (1, 0)), ValueError, "dilation", "dilation 0"),
    row("span_of", lambda: span_of("3x3", (1, 1)), TypeError, "kernel_hw", "a string size"),
    row("output_size", lambda: output_size(0, 3), ValueError, r"\bn\b", "empty input"),
    row("output_size", lambda: output_size(5, 2.5), TypeError, r"\bk\b", "fractional kernel"),
    row("output_size", lambda: output_size(5, 3, stride=0), ValueError, "stride", "stride 0"),
    row("output_size", lambda: output_size(5, 3, padding=-1), ValueError, "padding", "negative padding"),
    row("output_size", lambda: output_size(5, 3, padding=10**12), ValueError, "padding", "padding limit"),
    row("output_size", lambda: output_size(5, 3, stride=(1, 2)), TypeError, "stride", "a pair on one axis"),
    row("output_shape", lambda: output_shape((5, 5, 3), (3, 3)), ValueError, "kernel_shape",
        "2-D kernel for RGB"),  # conv2d refuses it, so must this
    row("output_shape", lambda: output_shape((5, 5), (3, 3, 3)), ValueError, "kernel_shape", "3-D kernel, gray image"),
    row("output_shape", lambda: output_shape((5, 5, 3), (3, 3, 2)), ValueError, "kernel_shape", "channel mismatch"),
    row("output_shape", lambda: output_shape(5, (3, 3)), ValueError, "image_shape", "a number, not a shape"),
    row("output_shape", lambda: output_shape((5, 5), (3, 3), padding=10**4), ValueError, "padding", "padding limit"),
    row("output_shape", lambda: output_shape((5, 5), (3, 3), dilation=0), ValueError, "dilation", "dilation 0"),
    row("output_size_formula", lambda: output_size_formula(5, 0), ValueError, r"\bk\b", "kernel length 0"),
    row("output_size_formula", lambda: output_size_formula("5", 3), TypeError, r"\bn\b", "a string length"),
    row("output_size_formula", lambda: output_size_formula(5, 3, padding="half"), ValueError, "padding", "unknown name"),
    row("unvisited", lambda: unvisited(10**8, 1), ValueError, r"\bn\b", "n over MAX_AXIS_LENGTH"),  # was 84 s
    row("unvisited", lambda: unvisited(5, 3, stride=-1), ValueError, "stride", "negative stride"),
    row("unvisited", lambda: unvisited(5, 3, dilation=1.5), TypeError, "dilation", "fractional dilation"),
    row("unvisited", lambda: unvisited(2, 3), ValueError, "padding", "kernel longer than the input"),  # says the fix
    # ================================================================ core.steps
    row("iter_steps", lambda: iter_steps(IMG, K3, stride=0), ValueError, "stride", "on the call, not at next()"),
    row("iter_steps", lambda: iter_steps(BIG, K3), ValueError, "image", "over MAX_IMAGE_PIXELS"),
    row("iter_steps", lambda: iter_steps(IMG, K3, padding=10**4), ValueError, "padding", "padding limit"),
    row("iter_steps", lambda: iter_steps(np.full((3, 3), 1e308), np.full((3, 3), 0.5)), ValueError, "kernel",
        "the sum overflows"),  # step.arithmetic() raised OverflowError before
    row("iter_steps", lambda: iter_steps(IMG, {"a": 1}), TypeError, "kernel", "a dict kernel"),
    row("WindowStep", lambda: next(iter_steps(IMG, K3)).arithmetic(max_terms=0), ValueError, "max_terms",
        "no terms at all"),
    row("WindowStep", lambda: next(iter_steps(IMG, K3)).arithmetic(max_terms="5"), TypeError, "max_terms", "a string"),
    row("WindowStep", lambda: next(iter_steps(RGB, np.ones((3, 3, 3)))).arithmetic(channel_names=["R"]), ValueError,
        "channel_names", "one name for three channels"),  # was an IndexError
    row("format_number", lambda: format_number("4"), TypeError, r"\bx\b", "a string"),  # float("4") hid the slip
    row("format_number", lambda: format_number(None), TypeError, r"\bx\b", "None"),
    row("format_number", lambda: format_number(1.5, digits=-1), ValueError, "digits", "negative digits"),
    row("format_number", lambda: format_number(1.5, digits=2.5), TypeError, "digits", "fractional digits"),
    # ================================================================ core.walk (the lead's module)
    row("compute_walk", lambda: walk.compute_walk(IMG, K3, stride=0), ValueError, "stride", "stride 0"),
    row("compute_walk", lambda: walk.compute_walk(None, K3), TypeError, "image", "no image"),
    row("compute_walk", lambda: walk.compute_walk(IMG, K3, padding=10**4), ValueError, "padding", "padding limit"),
    row("compute_walk", lambda: walk.compute_walk(np.zeros((400, 400)), K3), ValueError, "windows",
        "more windows than MAX_WINDOWS"),  # every step is kept
    row("explain_settings", lambda: walk.explain_settings("5x5", (3, 3)), ValueError, "image_shape",
        "a string shape"),
    row("explain_settings", lambda: walk.explain_settings((5, 5), (3, 3), stride=0), ValueError, "stride", "stride 0"),
    row("step_caption", lambda: walk.step_caption(walk.compute_walk(IMG, K3), 99), ValueError, "index",
        "past the last window"),  # was an IndexError
    row("step_caption", lambda: walk.step_caption(walk.compute_walk(IMG, K3), 0, "dance"), ValueError, "phase",
        "unknown phase"),
    row("step_caption", lambda: walk.step_caption("walk", 0), TypeError, "walk", "not a Walk"),
    # ================================================================ core.ops, core.op_steps, core.op_views
    row("conv_transpose2d", lambda: convlab.conv_transpose2d(IMG, K3, stride=2, output_padding=2), ValueError,
        "output_padding", "output_padding not below the stride"),  # torch's rule
    row("conv_transpose2d", lambda: convlab.conv_transpose2d(IMG, K3, padding=10), ValueError, "padding",
        "padding that crops the whole output"),
    row("max_pool2d", lambda: convlab.max_pool2d(IMG, 0), ValueError, "size", "a window of size 0"),
    row("max_pool2d", lambda: convlab.max_pool2d(IMG, 2, padding=2), ValueError, "padding", "padding over size // 2"),
    row("avg_pool2d", lambda: convlab.avg_pool2d(IMG, 2, stride=0), ValueError, "stride", "stride 0"),
    row("relu", lambda: convlab.relu("x"), TypeError, r"\bx\b", "a string"),
    row("iter_pool_steps", lambda: convlab.iter_pool_steps(IMG, 2, kind="median"), ValueError, "kind",
        "an unknown reduction"),  # refused on the call, not at the first next()
    row("iter_transpose_steps", lambda: convlab.iter_transpose_steps(IMG, np.ones(3)), ValueError, "kernel",
        "a 1-D kernel"),
    row("pool_output_size", lambda: convlab.pool_output_size(5, 2, padding=3), ValueError, "padding",
        "padding over size // 2"),
    row("pool_output_size_formula", lambda: convlab.pool_output_size_formula(0, 2), ValueError, r"\bn\b", "n 0"),
    row("transpose_output_size", lambda: convlab.transpose_output_size(2, 3, stride=(1, 2)), TypeError, "stride",
        "a pair for one axis"),
    row("transpose_output_size_formula", lambda: convlab.transpose_output_size_formula(2, 3, output_padding=1),
        ValueError, "output_padding", "output_padding with stride 1"),
    row("view_model", lambda: walk.view_model("walk"), TypeError, "walk", "not a Walk"),
    row("operation_view", lambda: op_views.operation_view("max pooling", IMG, size=(1, 2, 3)), ValueError, "size",
        "three numbers for a window"),
    row("pool_view_model", lambda: op_views.pool_view_model(IMG, 2, stride=0), ValueError, "stride", "stride 0"),
    row("pool_view_model", lambda: op_views.pool_view_model(np.zeros((300, 300)), 1), ValueError, "windows",
        "more windows than can be shown"),
    row("transpose_view_model", lambda: op_views.transpose_view_model(IMG, K3, dilation=0), ValueError, "dilation",
        "dilation 0"),
    row("message_view", lambda: walk.message_view(""), ValueError, "message", "an empty message"),
    row("message_view", lambda: walk.message_view("no", parts="pool"), TypeError, "parts",
        "parts that are not an operation's"),
    row("operation_message_view", lambda: op_views.operation_message_view("pooling", "no"), ValueError, "operation",
        "an operation the Explorer does not offer"),
    row("frame", lambda: walk.frame(walk.view_model(walk.compute_walk(IMG, K3)), 0, "max"), ValueError, "phase",
        "a pooling phase for a convolution"),
    row("frame", lambda: walk.frame(walk.view_model(walk.compute_walk(IMG, K3)), 10**9, "sum"), ValueError, "index",
        "past the last window"),
    row("frame", lambda: walk.frame({"kind": "convlab.walk", "version": 1}, 0, "sum"), TypeError, "view model",
        "an earlier schema's dict"),
    row("does_not_fit", lambda: sizes.does_not_fit((5, 5), (3, 3, 3, 3), (1, 1), ((0, 0), (0, 0))), ValueError,
        "kernel_hw", "four numbers for a kernel's height and width"),
    row("check_fits", lambda: sizes.check_fits((2, 2), (3, 3), (1, 1), ((0, 0), (0, 0))), ValueError,
        "padding of at least 1", "a kernel larger than the image"),
    # ================================================================ core.exercises (the lessons' checkers)
    row("check_landing", lambda: ex.check_landing("1, 1: 0", IMG, K3, 0), ValueError, "window",
        "window 0 (windows count from 1)"),
    row("check_kernel_design", lambda: ex.check_kernel_design("1 0 -1", IMG, "target"), TypeError, "target",
        "a target that is not a grid"),
    row("check_matching", lambda: ex.check_matching("A1", {"A": 1}, [], {}), ValueError, "options", "no options"),
    row("keras_same_padding", lambda: ex.keras_same_padding(6, 3, stride=0), ValueError, "stride", "stride 0"),
    row("check_keras_same_padding", lambda: ex.check_keras_same_padding("0, 1", 0, 3, stride=2), ValueError,
        r"\bn\b", "n 0"),
    row("Question", lambda: ex.Question("check_output_size", 7, 3), TypeError, "check", "a name, not a checker"),
    # ================================================================ widgets.network
    row("ReceptiveFieldViewer", lambda: _widgets().ReceptiveFieldViewer(IMG, "layers"), TypeError, "layers",
        "layers as a string"),
    # ================================================================ core.learn
    row("make_targets", lambda: learn.make_targets(SEED_IMAGE, SEED_KERNEL), TypeError, "images",
        "one image, not a list"),  # iterating a 2-D array gave rows
    row("make_targets", lambda: learn.make_targets([SEED_IMAGE], SEED_KERNEL, stride=0), ValueError, "stride",
        "stride 0"),
    row("make_targets", lambda: learn.make_targets([], SEED_KERNEL), ValueError, "images", "no examples"),
    row("loss_and_gradient", lambda: learn.loss_and_gradient(np.ones(3), EXAMPLES, TARGETS), ValueError, "kernel",
        "a 1-D kernel"),
    row("loss_and_gradient", lambda: learn.loss_and_gradient(SEED_KERNEL, EXAMPLES, []), ValueError, "targets",
        "no targets"),
    row("loss_and_gradient", lambda: learn.loss_and_gradient(SEED_KERNEL, EXAMPLES, [np.zeros((2, 2))]),
        ValueError, "targets", "target of the wrong shape"),
    row("loss_and_gradient", lambda: learn.loss_and_gradient(SEED_KERNEL, EXAMPLES, TARGETS, padding=-2),
        ValueError, "padding", "negative padding"),
    row("loss_and_gradient", lambda: learn.loss_and_gradient(SEED_KERNEL, [None], TARGETS), TypeError, "images",
        "None as an image"),
    row("learn_kernel", lambda: learn.learn_kernel(EXAMPLES, TARGETS, size=-1), ValueError, "size",
        "negative size"),  # was numpy's "negative dimensions are not allowed"
    row("learn_kernel", lambda: learn.learn_kernel(EXAMPLES, TARGETS, size=2.5), TypeError, "size", "fractional size"),
    row("learn_kernel", lambda: learn.learn_kernel(EXAMPLES, TARGETS, size=1000), ValueError, "size",
        "over MAX_KERNEL_SIZE"),
    row("learn_kernel", lambda: learn.learn_kernel(EXAMPLES, TARGETS, steps=-1), ValueError, "steps", "negative steps"),
    row("learn_kernel", lambda: learn.learn_kernel(EXAMPLES, TARGETS, steps=10**9), ValueError, "steps",
        "over MAX_LEARN_STEPS"),  # the history would not fit in memory
    row("learn_kernel", lambda: learn.learn_kernel(EXAMPLES, TARGETS, steps=2.0), TypeError, "steps", "float steps"),
    row("learn_kernel", lambda: learn.learn_kernel(EXAMPLES, TARGETS, learning_rate=0), ValueError, "learning_rate",
        "zero rate never moves"),
    row("learn_kernel", lambda: learn.learn_kernel(EXAMPLES, TARGETS, learning_rate=float("nan")), ValueError,
        "learning_rate", "NaN rate"),  # every kernel would be NaN
    row("learn_kernel", lambda: learn.learn_kernel(EXAMPLES, TARGETS, learning_rate="0.1"), TypeError,
        "learning_rate", "a string rate"),
    row("learn_kernel", lambda: learn.learn_kernel(EXAMPLES, TARGETS, seed=-1), ValueError, "seed", "negative seed"),
    row("learn_kernel", lambda: learn.learn_kernel(EXAMPLES, TARGETS, seed=1.5), TypeError, "seed", "float seed"),
    row("learn_kernel", lambda: learn.learn_kernel(EXAMPLES, TARGETS, init=[[1, 2], [3]]), ValueError, "init",
        "ragged start"),
    row("learn_kernel", lambda: learn.learn_kernel(EXAMPLES, TARGETS, steps=50, learning_rate=50.0), ValueError,
        "learning_rate", "diverges"),  # explained, not a wall of NaN
    row("LearningRun", lambda: learn.learn_kernel(EXAMPLES, TARGETS, stride=0), ValueError, "stride",
        "a run with stride 0"),  # the record itself is built only by learn_kernel
    # ================================================================ core.layer
    row("count_parameters", lambda: layer.count_parameters(0, 1, 1), ValueError, "kernel_size", "kernel size 0"),
    row("count_parameters", lambda: layer.count_parameters(3, -1, 1), ValueError, "in_channels", "negative channels"),
    row("count_parameters", lambda: layer.count_parameters(3, 1, 1.5), TypeError, "out_channels", "float filters"),
    row("count_parameters", lambda: layer.count_parameters(3, 1, 1, bias="yes"), TypeError, "bias", "string bias"),
    row("torch_conv2d_code", lambda: layer.torch_conv2d_code(0), ValueError, "in_channels", "no input channels"),
    row("torch_conv2d_code", lambda: layer.torch_conv2d_code(1, 1, 3, stride=0), ValueError, "stride", "stride 0"),
    row("torch_conv2d_code", lambda: layer.torch_conv2d_code(1, 1, 3, padding=10**4), ValueError, "padding",
        "padding limit"),
    row("torch_conv2d_code", lambda: layer.torch_conv2d_code(1, 1, 3, bias=1), TypeError, "bias", "int bias"),
    row("keras_conv2d_code", lambda: layer.keras_conv2d_code(1, 0), ValueError, "out_channels", "no filters"),
    row("keras_conv2d_code", lambda: layer.keras_conv2d_code(1, 1, 3, padding=-1), ValueError, "padding",
        "negative padding"),
    row("keras_conv2d_code", lambda: layer.keras_conv2d_code(1, 1, "3"), TypeError, "kernel_size", "a string size"),
    # ================================================================ core.exercises
    row("check_output_size", lambda: ex.check_output_size("3", 0, 3), ValueError, r"\bn\b", "empty input"),
    row("check_output_size", lambda: ex.check_output_size("3", 5, 3, stride=0), ValueError, "stride", "stride 0"),
    row("check_output_size", lambda: ex.check_output_size("3", 5, 3, padding=10**4), ValueError, "padding",
        "padding limit"),
    row("check_output_shape", lambda: ex.check_output_shape("3x3", (5, 5, 3), (3, 3)), ValueError, "kernel_shape",
        "a question conv2d would refuse"),
    row("check_output_shape", lambda: ex.check_output_shape("3x3", 5, (3, 3)), ValueError, "image_shape",
        "a number, not a shape"),
    row("check_same_padding", lambda: ex.check_same_padding("1", 0), ValueError, r"\bk\b", "kernel size 0"),
    row("check_same_padding", lambda: ex.check_same_padding("1", 3, dilation=0), ValueError, "dilation",
        "dilation 0"),
    row("check_unvisited", lambda: ex.check_unvisited("[]", 10**8, 1), ValueError, r"\bn\b", "n over the limit"),
    row("check_unvisited", lambda: ex.check_unvisited("[]", 5, 3, stride=0), ValueError, "stride", "stride 0"),
    row("check_window_value", lambda: ex.check_window_value("4", IMG, K3, row=9), ValueError, "row",
        "a window that does not exist"),
    row("check_window_value", lambda: ex.check_window_value("4", IMG, K3, col=-1), ValueError, "col",
        "negative column"),
    row("check_window_value", lambda: ex.check_window_value("4", IMG, K3, row=1.5), TypeError, "row",
        "fractional row"),
    row("check_window_value", lambda: ex.check_window_value("4", None, K3), TypeError, "image", "no image"),
    row("check_window_value", lambda: ex.check_window_value("4", IMG, K3, stride=0), ValueError, "stride", "stride 0"),
    row("check_parameter_count", lambda: ex.check_parameter_count("28", 3, 0, 1), ValueError, "in_channels",
        "no input channels"),
    row("check_parameter_count", lambda: ex.check_parameter_count("28", 3, 1, 1, bias=None), TypeError, "bias",
        "None bias"),
    row("check_choice", lambda: ex.check_choice("a", "z", {"a": "why a"}), ValueError, "correct",
        "the right answer is not among the choices"),
    row("check_choice", lambda: ex.check_choice("a", "a", ["a", "b"]), TypeError, "explanations", "a list"),
    row("check_number", lambda: ex.check_number("4", "x", why="because"), TypeError, "expected", "a string expected"),
    row("check_number", lambda: ex.check_number("4", 4, why="because", tol=-1), ValueError, "tol", "negative tol"),
    row("check_number", lambda: ex.check_number("4", 4, why=3), TypeError, "why", "why must be words"),
    row("Feedback", lambda: ex.check_number("4", float("nan"), why="w"), ValueError, "expected", "a NaN expected"),
    # ================================================================ data.kernels
    row("make_kernel", lambda: kernels.make_kernel("gaussian blur", 1100), ValueError, "size",
        "over MAX_KERNEL_SIZE"),  # was all NaN
    row("make_kernel", lambda: kernels.make_kernel("gaussian blur", 0), ValueError, "size", "size 0"),
    row("make_kernel", lambda: kernels.make_kernel("gaussian blur", 3.0), TypeError, "size", "float size"),
    row("make_kernel", lambda: kernels.make_kernel("sobel", 3), ValueError, "family", "not a family"),
    row("make_kernel", lambda: kernels.make_kernel("random", 3, seed=-1), ValueError, "seed", "negative seed"),
    row("make_kernel", lambda: kernels.make_kernel("random", 3, seed="1"), TypeError, "seed", "string seed"),
    row("make_kernel", lambda: kernels.make_kernel("random", 3, seed=2**64), ValueError, "seed", "over MAX_SEED"),
    # ================================================================ data.images
    row("stripes", lambda: images.stripes(0), ValueError, "size", "size 0"),
    row("stripes", lambda: images.stripes(10**6), ValueError, "size", "over MAX_GENERATED_SIZE"),  # 8 TB of float64
    row("stripes", lambda: images.stripes(8, width=0), ValueError, "width", "width 0"),
    row("stripes", lambda: images.stripes(8, vertical="yes"), TypeError, "vertical", "a string flag"),
    row("checkerboard", lambda: images.checkerboard(-3), ValueError, "size", "negative size"),
    row("checkerboard", lambda: images.checkerboard(10**5), ValueError, "size", "over MAX_GENERATED_SIZE"),
    row("checkerboard", lambda: images.checkerboard(8, square=2.5), TypeError, "square", "fractional square"),
    row("cross", lambda: images.cross(0), ValueError, "size", "size 0"),
    row("cross", lambda: images.cross(5, thickness=6), ValueError, "thickness", "thicker than the image"),
    row("cross", lambda: images.cross(10**5), ValueError, "size", "over MAX_GENERATED_SIZE"),
    row("digit", lambda: images.digit(10), ValueError, r"\bn\b", "not a digit"),
    row("digit", lambda: images.digit(1.0), TypeError, r"\bn\b", "a float digit"),
    row("digit", lambda: images.digit(1, border=-1), ValueError, "border", "negative border"),
    row("digit", lambda: images.digit(1, border=10**6), ValueError, "border", "over MAX_PADDING"),  # np.pad
    row("sample_photo", lambda: images.sample_photo(0), ValueError, "size", "size 0"),
    row("sample_photo", lambda: images.sample_photo((0, 5)), ValueError, "size", "a zero side"),
    row("sample_photo", lambda: images.sample_photo(64, rgb="yes"), TypeError, "rgb", "a string flag"),
    row("to_grayscale", lambda: images.to_grayscale(IMG), ValueError, "image", "already grayscale"),
    row("to_grayscale", lambda: images.to_grayscale(BIG[..., None].repeat(3, axis=2) if False else
                                                    np.broadcast_to(0.0, (3000, 3000, 3))), ValueError, "image",
        "over MAX_IMAGE_PIXELS"),
    row("downscale", lambda: images.downscale(IMG, 0), ValueError, "size", "size 0"),
    row("downscale", lambda: images.downscale(IMG, (2, 2, 2)), ValueError, "size", "three sizes"),
    row("downscale", lambda: images.downscale("img", 2), TypeError, "image", "a string image"),
    # ================================================================ data.userdata
    row("parse_kernel", lambda: userdata.parse_kernel(None), TypeError, "text", "None is not text"),
    row("parse_kernel", lambda: userdata.parse_kernel("1 2", max_size=0), ValueError, "max_size", "max_size 0"),
    row("parse_kernel", lambda: userdata.parse_kernel("1 2 3", max_size=2), ValueError, "2x2", "over max_size"),
    row("format_kernel", lambda: userdata.format_kernel(np.ones(3)), ValueError, "kernel", "1-D kernel"),
    row("format_kernel", lambda: userdata.format_kernel("1 0 -1"), TypeError, "kernel", "text, not an array"),
    row("load_image", lambda: userdata.load_image(b"", size=0), ValueError, "size", "size 0"),
    row("load_image", lambda: userdata.load_image(b"", grayscale="yes"), TypeError, "grayscale", "a string flag"),
    row("load_image", lambda: userdata.load_image(b"", max_bytes=-1), ValueError, "max_bytes", "negative limit"),
    row("load_image", lambda: userdata.load_image(b"", max_pixels=0), ValueError, "max_pixels", "zero limit"),
    row("load_image", lambda: userdata.load_image(42), ValueError, "value", "not an upload"),
    row("upload_contents", lambda: userdata.upload_contents(42), ValueError, "value", "an int"),
    row("upload_contents", lambda: userdata.upload_contents([{"name": "a"}]), ValueError, "value", "no content"),
    row("sniff_image_type", lambda: userdata.sniff_image_type(42), TypeError, "data", "an int, not bytes"),
    row("sniff_image_type", lambda: userdata.sniff_image_type("x.png"), TypeError, "data", "a file name"),
    # ================================================================ figures.lesson
    row("setup", lambda: _figures().setup(dpi=0), ValueError, "dpi", "dpi 0"),
    row("setup", lambda: _figures().setup(dpi="72"), TypeError, "dpi", "a string dpi"),
    row("show", lambda: _figures().show("figure", "a picture"), TypeError, "fig", "not a Figure"),
    row("show", lambda: _figures().show(_fig(), "a picture", dpi=10**4), ValueError, "dpi", "dpi over MAX_DPI"),
    row("show", lambda: _figures().show(_fig(), ""), ValueError, "alt", "no alternative text"),
    row("figure_html", lambda: _figures().figure_html(_fig(), None), TypeError, "alt", "alt None"),
    row("png_bytes", lambda: _figures().png_bytes(None), TypeError, "fig", "None"),
    row("draw_grid", lambda: _figures().draw_grid(None, K3), TypeError, r"\bax\b", "no axes"),
    row("draw_grid", lambda: _figures().draw_grid(_ax(), np.ones(3)), ValueError, "values", "1-D values"),
    row("draw_grid", lambda: _figures().draw_grid(_ax(), K3, digits=-1), ValueError, "digits", "negative digits"),
    row("draw_grid", lambda: _figures().draw_grid(_ax(), K3, percentile=0), ValueError, "percentile", "percentile 0"),
    row("draw_grid", lambda: _figures().draw_grid(_ax(), K3, limit=-1), ValueError, "limit", "negative limit"),
    row("draw_grid", lambda: _figures().draw_grid(_ax(), K3, signed="yes"), TypeError, "signed", "a string flag"),
    row("draw_grid", lambda: _figures().draw_grid(_ax(), K3, title=5), TypeError, "title", "a number title"),
    row("grids", lambda: _figures().grids(), ValueError, "panels", "no panels"),
    row("grids", lambda: _figures().grids(K3), TypeError, "panels", "an array, not a pair"),
    row("grids", lambda: _figures().grids(("a", K3), width=0), ValueError, "width", "width 0"),
    row("grids", lambda: _figures().grids(("a", K3), signed=[True, False]), ValueError, "signed", "two flags, one panel"),
    row("grids", lambda: _figures().grids(("a", K3), symbols="=") , TypeError, "symbols", "a string, not a list"),
    row("picture", lambda: _figures().picture(IMG, box=(4, 4, 3)), ValueError, "box", "a box past the edge"),
    row("picture", lambda: _figures().picture(IMG, box=(1, 1)), TypeError, "box", "two numbers"),
    row("picture", lambda: _figures().picture(IMG, width=10**3), ValueError, "width", "over MAX_FIGURE_INCHES"),
    row("picture", lambda: _figures().picture(None), TypeError, "image", "no image"),
    row("rgb_channels", lambda: _figures().rgb_channels(IMG), ValueError, "image", "a gray image"),
    row("rgb_channels", lambda: _figures().rgb_channels(np.ones((4, 4, 4))), ValueError, "image", "RGBA"),
    row("rgb_channels", lambda: _figures().rgb_channels(RGB, width=-1), ValueError, "width", "negative width"),
    row("gallery", lambda: _figures().gallery(IMG, [], {}), TypeError, "kernels", "a list"),
    row("gallery", lambda: _figures().gallery(IMG, {}, {"a": np.ones(3)}), ValueError, "maps", "a 1-D map"),
    row("gallery", lambda: _figures().gallery(IMG, {}, {}, columns=0), ValueError, "columns", "no columns"),
    row("learning_progress", lambda: _figures().learning_progress("run", IMG), TypeError, "run", "not a run"),
    row("learning_progress", lambda: _figures().learning_progress(_run(), IMG, steps=[5]), ValueError, "steps",
        "a step past the end"),  # was an IndexError
    row("learning_progress", lambda: _figures().learning_progress(_run(), None), TypeError, "image", "no image"),
    row("GridPanel", lambda: _figures().GridPanel(None), TypeError, r"\bax\b", "no axes"),
    row("GridPanel", lambda: _figures().GridPanel(_ax(), digits=99), ValueError, "digits", "too many digits"),
    row("GridPanel", lambda: _figures().GridPanel(_ax()).update([[1, np.inf]]), ValueError, "values",
        "an infinite value"),
    row("GridPanel", lambda: _figures().GridPanel(_ax(), label="x"), TypeError, "label", "a string, not a function"),
    row("KernelResultFigure", lambda: _figures().KernelResultFigure(dpi=0), ValueError, "dpi", "dpi 0"),
    row("KernelResultFigure", lambda: _figures().KernelResultFigure(width=0), ValueError, "width", "width 0"),
    row("KernelResultFigure", lambda: _figures().KernelResultFigure(dpi=600, width=60, height=60), ValueError,
        "dpi", "a 36000x36000-pixel figure"),
    row("LearningFigure", lambda: _figures().LearningFigure([], kernel_limit=1), ValueError, "losses", "no losses"),
    row("LearningFigure", lambda: _figures().LearningFigure([1.0], kernel_limit=-1), ValueError, "kernel_limit",
        "negative limit"),
    row("LearningFigure", lambda: _figures().LearningFigure([1.0, 0.5], kernel_limit=1).update(5, K3, K3),
        ValueError, "step", "a step past the end"),  # was an IndexError
    # ================================================================ figures.step_figure (the lead's module)
    row("draw_step_figure", lambda: _figures().draw_step_figure(IMG, K3, phase="dance"), ValueError, "phase",
        "unknown phase"),  # settings that do not fit are drawn as a message instead, by design
    row("draw_step_figure", lambda: _figures().draw_step_figure(IMG, K3, step="a"), TypeError, "step", "a string step"),
    row("draw_step_figure", lambda: _figures().draw_step_figure(IMG, K3, step=0), ValueError, "step",
        "step 0: windows count from 1, as the Explorer's"),
    row("draw_step_figure", lambda: _figures().draw_step_figure(IMG, K3, dpi=0), ValueError, "dpi", "dpi 0"),
    row("draw_step_figure", lambda: _figures().draw_step_figure(IMG, K3, width=0), ValueError, "width", "width 0"),
    row("draw_step_figure", lambda: _figures().draw_step_figure(IMG, K3 + 1j), TypeError, "kernel",
        "a complex kernel"),  # the imaginary part was dropped
    row("StepFigure", lambda: _configured().show(0, "dance"), ValueError, "phase", "unknown phase"),
    row("StepFigure", lambda: _figures().StepFigure().configure("walk"), TypeError, "view model",
        "configure with something that is not a view model"),
    row("StepFigure", lambda: _figures().StepFigure(dpi=0), ValueError, "dpi", "dpi 0"),
    row("StepFigure", lambda: _figures().StepFigure(figure="fig"), TypeError, "figure", "not a Figure"),
    row("frame_png", lambda: _figures().step_figure.frame_png(walk.view_model(walk.compute_walk(IMG, K3)), 0, "dance"),
        ValueError, "phase", "unknown phase"),
    row("frame_png", lambda: _figures().step_figure.frame_png({"steps": []}), TypeError, "view model",
        "not a view model"),
    # ================================================================ figures.animation
    row("save_animation", lambda: _figures().save_animation("walk.png"), ValueError, "path", "not a .gif"),
    row("save_animation", lambda: _figures().save_animation(None), TypeError, "path", "no path"),
    row("save_animation", lambda: _figures().save_animation("x.gif", dpi=0), ValueError, "dpi", "dpi 0"),
    row("save_animation", lambda: _figures().save_animation("x.gif", fps=-1), ValueError, "fps", "negative fps"),
    row("save_animation", lambda: _figures().save_animation("x.gif", phases=1), TypeError, "phases", "an int flag"),
    row("save_animation", lambda: _figures().save_animation("x.gif", progress="yes"), TypeError, "progress",
        "a string progress"),
    row("save_animation", lambda: _figures().save_animation("x.gif", np.zeros((60, 60)), phases=True), ValueError,
        "frames", "over MAX_FRAMES"),
    # ================================================================ widgets
    row("Explorer", lambda: _widgets().Explorer(stride=0), ValueError, "stride", "stride 0"),
    row("Explorer", lambda: _widgets().Explorer(flip="x"), TypeError, "flip", "a truthy string"),
    row("Explorer", lambda: _widgets().Explorer(operation="deconvolution"), ValueError, "operation",
        "an operation it does not offer"),
    row("Explorer", lambda: _widgets().Explorer(padding=-1), ValueError, "padding", "negative padding"),
    row("Quiz", lambda: _widgets().Quiz("check_output_size", "How big?"), TypeError, "check", "a name, not a checker"),
    row("Quiz", lambda: _widgets().Quiz(ex.check_output_size, "How big?", 5, 0), ValueError, r"\bk\b",
        "an impossible question fails where it is built"),  # not when a learner presses Check
    row("BringYourOwn", lambda: _widgets().BringYourOwn(dpi=0), ValueError, "dpi", "dpi 0"),
    row("LearningViewer", lambda: _widgets().LearningViewer(_run(), IMG, dpi=0), ValueError, "dpi", "dpi 0"),
    row("LearningViewer", lambda: _widgets().LearningViewer("run", IMG), TypeError, "run", "not a run"),
    row("BringYourOwn", lambda: _widgets().BringYourOwn(size=0), ValueError, "size", "an image of 0 pixels"),
    row("BringYourOwn", lambda: _widgets().BringYourOwn(size=4.5), TypeError, "size", "a fractional size"),
    # ================================================================ issue 21: the rest of the new surface
    row("conv_stage", lambda: receptive.conv_stage(0), ValueError, "kernel", "a 0-wide kernel"),
    row("pool_stage", lambda: receptive.pool_stage("2"), TypeError, "size", "a size as text"),  # named "kernel" before
    row("pointwise_stage", lambda: receptive.pointwise_stage(np.ones(3)), TypeError, "name", "an array as name"),
    row("receptive_fields", lambda: receptive.receptive_fields("conv"), TypeError, "stages", "a string of stages"),
    row("stage_sizes", lambda: receptive.stage_sizes([1, 2], 8), TypeError, "stages", "numbers, not stages"),  # AttributeError
    row("field_of_cell", lambda: receptive.field_of_cell([receptive.conv_stage(3)], 0, 0, []), ValueError,
        "image_shape", "an empty shape"),  # IndexError before
    row("field_in_every_layer", lambda: receptive.field_in_every_layer(None, 0, 0, (8, 8)), TypeError, "stages",
        "no stages"),
    row("describe_field", lambda: receptive.describe_field([receptive.conv_stage(3)], 0, 0, (8, 10**400)),
        ValueError, "image_shape", "a 401-digit side"),
    row("check_receptive_field", lambda: receptive.check_receptive_field(5, {"a": 1}), TypeError, "stages",
        "a dict of stages"),
    row("check_shift", lambda: receptive.check_shift(1, [receptive.conv_stage(3)], 10**400), ValueError, "shift",
        "a 401-digit shift"),  # OverflowError before
    row("question", lambda: questions.question(["05"], "blur"), ValueError, "lesson", "a list as lesson"),
    row("match_maps", lambda: questions.match_maps("photo.png"), TypeError, "image", "a file name"),
    row("conv_forward", lambda: nw.conv_forward(np.ones((2, 8, 8)), np.ones((1, 3, 3)), [0.0, 0.0]), ValueError,
        "bias", "two biases for one filter"),
    row("conv_backward", lambda: nw.conv_backward(np.ones((1, 8, 8)), np.ones((1, 3, 3)), np.ones((1, 5, 5, 1))),
        ValueError, "grad_maps", "a gradient of the wrong shape"),
    row("relu_backward", lambda: nw.relu_backward(np.ones(3), np.ones(4)), ValueError, "grad", "shapes differ"),
    row("maxpool_forward", lambda: nw.maxpool_forward(np.ones((1, 4, 4, 1)), 0), ValueError, "size", "pool 0"),
    row("maxpool_backward", lambda: nw.maxpool_backward(np.ones((1, 4, 4, 1)), np.ones((1, 3, 3, 1))), ValueError,
        "grad_pooled", "a pooled gradient of the wrong shape"),
    row("dense_forward", lambda: nw.dense_forward(np.ones((2, 3)), np.ones((4, 10)), np.zeros(10)), ValueError,
        "weights", "numpy's matmul message before"),
    row("dense_backward", lambda: nw.dense_backward(np.ones((2, 3)), np.ones((3, 10)), np.ones((2, 9))), ValueError,
        "grad", "a gradient of the wrong shape"),
    row("softmax", lambda: nw.softmax([]), ValueError, "logits", "no scores"),  # numpy's zero-size message
    row("softmax_cross_entropy", lambda: nw.softmax_cross_entropy(np.zeros((1, 10)), [-1]), ValueError, "labels",
        "label -1 (indexed the last class)"),
    row("loss_and_gradients", lambda: nw.loss_and_gradients(nw.init_network(), np.ones((1, 12, 12)), [0]),
        ValueError, "images", "images of another size than the network's"),
    row("init_network", lambda: nw.init_network(image_size=2), ValueError, "kernel_size",
        "an image smaller than the filter (ZeroDivisionError)"),
    row("init_network", lambda: nw.init_network(pool=0), ValueError, "pool", "pool 0 (ZeroDivisionError)"),
    row("train", lambda: nw.train(np.ones((2, 8, 8)), [-1, 0]), ValueError, "labels", "a label of -1"),
    row("train", lambda: nw.train(np.ones((2, 8, 8)), [0.5, 1]), ValueError, "labels", "a fractional label"),
    row("save_network", lambda: nw.save_network("net.npz", "run", settings={}, data_digest="x"), TypeError, "run",
        "not a run"),
    row("load_network", lambda: nw.load_network(42), TypeError, "path", "a number as path"),
    row("run_stack", lambda: nw.run_stack(IMG, [("conv", [K3])]), TypeError, "layers", "a name, not a stage"),
    row("training_data", lambda: trained.training_data({"epoch": 3}), ValueError, "settings", "a misspelt setting"),
    row("training_data", lambda: trained.training_data({"unseen_font": "Comic.ttf"}), ValueError, "unseen_font",
        "a font the digits are not drawn in"),
    row("training_data", lambda: trained.training_data({"unseen_font": 3}), TypeError, "unseen_font",
        "a number as the unseen font"),
    row("trained_cnn", lambda: trained.trained_cnn(42), TypeError, "path", "a number as path"),
    row("train_and_cache", lambda: trained.train_and_cache("net.txt"), ValueError, "path",
        "not .npz: refused before half a minute of training"),
    row("make_digits", lambda: digits.make_digits(size=2000), ValueError, "size", "no glyphs of that size ship"),
    row("digit_templates", lambda: digits.digit_templates(10**400), ValueError, "size", "a 401-digit size"),
    row("data_digest", lambda: digits.data_digest("images"), TypeError, "images", "a string"),
    row("symmetric_limit", lambda: palette.symmetric_limit("x"), TypeError, "values", "a string"),
    row("signed_fill", lambda: palette.signed_fill(IMG, 0), ValueError, "limit", "a 0 limit (a division by 0)"),
    row("gray_fill", lambda: palette.gray_fill(IMG, None, 1), TypeError, "low", "no low"),
    row("relative_luminance", lambda: palette.relative_luminance(np.ones((2, 2))), ValueError, "rgb",
        "two channels (numpy's matmul message before)"),
    row("contrast_ratio", lambda: palette.contrast_ratio("white", "#000000"), ValueError, r"\ba\b", "a colour name"),
    row("ink", lambda: palette.ink(None), TypeError, "fills", "no fills"),
    row("filter_bank", lambda: _figures_network().filter_bank(np.ones((2, 3, 3)), names=["a"]), ValueError, "names",
        "one name for two filters (IndexError before)"),
    row("digit_examples", lambda: _figures_network().digit_examples(np.zeros((2, 8, 8)), [1]), ValueError, "labels",
        "one label for two images"),
    row("network_maps", lambda: _figures_network().network_maps(None), TypeError, "activations", "no activations"),
    row("training_summary", lambda: _figures_network().training_summary([1.0, np.nan], []), ValueError, "losses",
        "a NaN loss"),
    row("stack_maps", lambda: _figures_network().stack_maps(IMG, [("conv", np.ones((3, 3, 2)))], width=50),
        ValueError, "width", "a 150-inch figure"),
    row("ReceptiveFieldFigure", lambda: _figures_network().ReceptiveFieldFigure(IMG, [("conv", IMG)], dpi=0),
        ValueError, "dpi", "dpi 0"),
    row("check_stack_design", lambda: receptive.check_stack_design("conv 3", field=0), ValueError, "field",
        "a field of 0 pixels"),  # accepted before: every stack was right
    row("nearest_neighbour_accuracy", lambda: nw.nearest_neighbour_accuracy(np.ones((2, 4)), [0, 1], np.ones((2, 5)),
                                                                          [0, 1]), ValueError, "x_test",
        "test images of another size (numpy's matmul message before)"),
    row("linear_accuracy", lambda: nw.linear_accuracy(np.ones((2, 4)), [-1, 1], np.ones((2, 4)), [0, 1]), ValueError,
        "y_train", "a label of -1 (indexed the last class)"),
    row("linear_accuracy", lambda: nw.linear_accuracy(np.broadcast_to(1.0, (2, 60000)), [0, 1], np.ones((2, 60000)),
                                                      [0, 1]), ValueError, "normal equations", "26.8 GiB of normal equations"),
]


@pytest.mark.parametrize("call, exc, match", TABLE)
def test_every_layer_refuses_a_bad_argument_naming_it(call, exc, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # save_animation rows never write into the repository
    with pytest.raises(exc, match=match):
        call()
    assert not list(tmp_path.glob("*.gif"))  # refused before any file was written


def test_explorer_and_step_figure_explain_an_overflow_in_words():
    # values whose sums overflow float64 raised OverflowError from Explorer(...) and the captions before
    image, kernel = np.full((5, 5), 1e308), np.full((3, 3), 10.0)
    assert "overflowed" in _widgets().Explorer(image=image, kernel=kernel).caption
    assert "overflowed" in _figures().draw_step_figure(image, kernel).convlab_caption


def test_the_table_has_at_least_150_rows():
    assert len(TABLE) >= 150


# public records built only by the functions above: their rows go through those functions
_RECORDS = {"Walk": "compute_walk", "WindowStep": "iter_steps", "Feedback": "check_number",
            "LearningRun": "learn_kernel", "PoolStep": "iter_pool_steps", "TransposeStep": "iter_transpose_steps",
            "Stage": "conv_stage", "ReceptiveField": "receptive_fields", "TinyCNN": "init_network",
            "Activations": "loss_and_gradients", "TrainingRun": "train",
            "Values": "view_model", "PhaseRule": "view_model"}  # the view model's schema: built by view_model
_MODULES = ["convlab", "convlab.core.conv", "convlab.core.sizes", "convlab.core.steps", "convlab.views.walk",
            "convlab.core.ops", "convlab.core.op_steps", "convlab.views.op_views",
            "convlab.nets.learn", "convlab.nets.layer", "convlab.lessons.exercises", "convlab.data.kernels",
            "convlab.data.images", "convlab.data.userdata", "convlab.figures", "convlab.figures.lesson", "convlab.figures.panels",
            "convlab.figures.step_figure", "convlab.figures.animation", "convlab.widgets",
            # issue 21: the rest of the new surface
            "convlab.lessons.tasks", "convlab.lessons.receptive", "convlab.lessons.questions", "convlab.nets.network",
            "convlab.nets.trained", "convlab.data.digits", "convlab.views.palette", "convlab.figures.network"]


def _public_callables():
    names = set()
    for name in _MODULES:
        module = importlib.import_module(name)
        for public in module.__all__:
            if callable(getattr(module, public)):
                names.add(public)
    return names


# no argument can be wrong: functions without parameters, and a reader that answers None for what it cannot read
_NOTHING_TO_REFUSE = {"pulse_on", "pulse_off", "pulse_status", "glyph_sizes", "read_stack",
                      "unseen_font_cnn"}  # no arguments


@pytest.mark.parametrize("answer", [10**400, "x" * 100_000, None, [[1, 2], [3]], {"a": 1}, np.ones((2, 2)) * 1j])
def test_read_stack_reads_anything_a_learner_types_as_a_stack_or_none(answer):
    assert receptive.read_stack(answer) is None


def test_every_public_function_has_a_row():
    covered = {p.id.split(":")[0] for p in TABLE} | _NOTHING_TO_REFUSE
    missing = sorted(n for n in _public_callables() if n not in covered and _RECORDS.get(n) not in covered)
    assert missing == [], f"public functions with no error row: {missing}"


def test_the_limits_module_documents_every_limit():
    for name in limits.__all__:
        assert isinstance(getattr(limits, name), (int, float))
    assert set(limits.__all__) == {n for n in vars(limits) if n.isupper()}


def test_the_explorer_explains_a_padding_too_large_to_walk_in_words_without_allocating_it():
    # Explorer(padding=700) was a MemoryError from the constructor; now the widget says why, at once
    ex = _widgets().Explorer(padding=700)
    assert "windows" in ex.caption and "at most" in ex.caption
