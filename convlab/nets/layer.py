"""From one filter to a CNN layer (compute layer, no deep-learning library needed).

A convolution layer in PyTorch or Keras is the lesson's multiply-sum with the same settings: a stack of
filters, each with one ``kh × kw`` kernel per input channel. This module counts its parameters and writes
the equivalent library code **as text**, so a learner can carry what they chose in the Explorer into a
real network — without torch or TensorFlow being installed.
"""

from __future__ import annotations

from .._shared.validate import check_bool, padding_amounts, positive_pair, size_arg

__all__ = ["count_parameters", "torch_conv2d_code", "keras_conv2d_code"]


def _pair(value, name):
    a, b = positive_pair(value, name)
    return a if a == b else (a, b)


def _layer_args(in_channels, out_channels, kernel_size, stride, dilation, bias):
    """The arguments every layer-code writer takes, checked by name: (c, n, bias, k, s, d)."""
    return (size_arg(in_channels, "in_channels"), size_arg(out_channels, "out_channels"),
            check_bool(bias, "bias", "one bias per filter, or none"), _pair(kernel_size, "kernel_size"),
            _pair(stride, "stride"), _pair(dilation, "dilation"))


def count_parameters(kernel_size, in_channels, out_channels, *, bias=True) -> int:
    """Learnable numbers in a convolution layer: ``kh·kw·C·N`` weights plus ``N`` biases.

    Examples
    --------
    The lesson's filter as a layer (1 input channel, 1 filter, no bias): 9 weights.

    >>> count_parameters(3, 1, 1, bias=False)
    9
    >>> count_parameters(3, 3, 16)        # 16 filters on an RGB image: 3·3·3·16 + 16
    448
    >>> count_parameters((5, 3), 3, 2)
    92
    """
    kh, kw = positive_pair(kernel_size, "kernel_size")
    c = size_arg(in_channels, "in_channels")
    n = size_arg(out_channels, "out_channels")
    bias = check_bool(bias, "bias", "one bias per filter, or none")
    return kh * kw * c * n + (n if bias else 0)


def _torch_padding(padding, stride, kernel_size, dilation):
    if isinstance(padding, str):
        if isinstance(padding, str) and padding == "full":
            kh, kw = positive_pair(kernel_size, "kernel_size")
            dh, dw = positive_pair(dilation, "dilation")
            full = (dh * (kh - 1), dw * (kw - 1))
            return repr(full[0] if full[0] == full[1] else full), "'full' is not a PyTorch name: it is padding d·(k−1)"
        padding_amounts(padding, (3, 3), positive_pair(stride, "stride"))  # raises for 'same' with stride > 1
        return repr(padding), None
    (t, b), (l, r) = padding_amounts(padding, (1, 1), (1, 1))
    return repr(t if t == l else (t, l)), None


def torch_conv2d_code(in_channels=1, out_channels=1, kernel_size=3, *, stride=1, padding=0, dilation=1,
                      bias=False, flip=False) -> str:
    """The ``torch.nn.Conv2d`` that computes what these settings compute, as code text.

    Parameters
    ----------
    in_channels : int
        Channels of the input (1 for grayscale, 3 for RGB).
    out_channels : int
        Number of filters, i.e. feature maps produced.
    kernel_size, stride, dilation : int or (int, int)
    padding : int, (int, int), "valid", "same" or "full"
    bias : bool, default False
        The lesson's multiply-sum has no bias; real layers usually add one per filter.
    flip : bool, default False
        True if the learner chose convolution (kernel rotated): PyTorch computes cross-correlation, so
        the code then notes how to rotate the weights.

    Examples
    --------
    >>> print(torch_conv2d_code(1, 1, 3))
    import torch
    <BLANKLINE>
    layer = torch.nn.Conv2d(in_channels=1, out_channels=1, kernel_size=3, stride=1, padding=0, dilation=1, bias=False)
    # 9 learnable numbers (3·3·1·1 weights)
    # input (batch, 1, H, W) -> output (batch, 1, H', W')
    >>> print(torch_conv2d_code(3, 8, 5, stride=2, padding="same"))
    Traceback (most recent call last):
    ...
    ValueError: padding="same" keeps the output the size of the input, which needs stride 1; got stride=(2, 2). Give the padding as a number instead
    """
    c, n, bias, k, s, d = _layer_args(in_channels, out_channels, kernel_size, stride, dilation, bias)
    flip = check_bool(flip, "flip", "convolution, or cross-correlation as PyTorch computes")
    pad, note = _torch_padding(padding, stride, kernel_size, dilation)
    kh, kw = positive_pair(kernel_size, "kernel_size")
    params = count_parameters(kernel_size, c, n, bias=bias)
    counted = f"{kh}·{kw}·{c}·{n} weights" + (f" + {n} biases" if bias else "")
    lines = [
        "import torch",
        "",
        f"layer = torch.nn.Conv2d(in_channels={c}, out_channels={n}, kernel_size={k!r}, stride={s!r}, "
        f"padding={pad}, dilation={d!r}, bias={bias})",
        f"# {params} learnable numbers ({counted})",
        f"# input (batch, {c}, H, W) -> output (batch, {n}, H', W')",
    ]
    if note:
        lines.append(f"# {note}")
    if flip:
        lines.append("# PyTorch computes cross-correlation; for convolution rotate the kernel by 180°:")
        lines.append("# with torch.no_grad(): layer.weight.copy_(kernel.flip(-1, -2))")
    return "\n".join(lines)


def keras_conv2d_code(in_channels=1, out_channels=1, kernel_size=3, *, stride=1, padding=0, dilation=1,
                      bias=False) -> str:
    """The Keras ``Conv2D`` for these settings, as code text.

    Keras names only two paddings, ``"valid"`` (none) and ``"same"``; any other amount is a
    ``ZeroPadding2D`` layer in front.

    Examples
    --------
    >>> print(keras_conv2d_code(3, 16, 3, padding=1))
    import keras
    <BLANKLINE>
    layers = [
        keras.Input(shape=(None, None, 3)),  # channels last: (H, W, C)
        keras.layers.ZeroPadding2D(padding=1),
        keras.layers.Conv2D(filters=16, kernel_size=3, strides=1, padding="valid", dilation_rate=1, use_bias=False),
    ]
    """
    c, n, bias, k, s, d = _layer_args(in_channels, out_channels, kernel_size, stride, dilation, bias)
    lines = ["import keras", "", "layers = [", f"    keras.Input(shape=(None, None, {c})),  # channels last: (H, W, C)"]
    if isinstance(padding, str) and padding in ("valid", "same"):
        padding_amounts(padding, (3, 3), positive_pair(stride, "stride"))
        name = padding
    else:
        if isinstance(padding, str) and padding == "full":
            kh, kw = positive_pair(kernel_size, "kernel_size")
            dh, dw = positive_pair(dilation, "dilation")
            amount = (dh * (kh - 1), dw * (kw - 1))
        else:
            (t, _), (l, _) = padding_amounts(padding, (1, 1), (1, 1))
            amount = (t, l)
        if amount != (0, 0):
            lines.append(f"    keras.layers.ZeroPadding2D(padding={amount[0] if amount[0] == amount[1] else amount!r}),")
        name = "valid"
    lines.append(f'    keras.layers.Conv2D(filters={n}, kernel_size={k!r}, strides={s!r}, padding="{name}", '
                 f"dilation_rate={d!r}, use_bias={bias}),")
    lines.append("]")
    return "\n".join(lines)
