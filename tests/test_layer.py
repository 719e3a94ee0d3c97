"""From a filter to a CNN layer: parameter counts and the library code shown as text."""

import pytest

from convlab.nets.layer import count_parameters, keras_conv2d_code, torch_conv2d_code


@pytest.mark.parametrize("args, bias, expected", [
    ((3, 1, 1), False, 9),  # the seed's filter
    ((3, 3, 1), False, 27),  # one filter on RGB: a 3x3 slice per channel
    ((3, 3, 16), True, 448),  # 16 filters + 16 biases
    (((5, 3), 3, 2), True, 92),  # rectangular kernel
    ((1, 64, 32), True, 2080),  # 1x1 convolution mixes channels
])
def test_count_parameters_table(args, bias, expected):
    assert count_parameters(*args, bias=bias) == expected


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(), "kernel_size=3, stride=1, padding=0, dilation=1, bias=False)"),
    (dict(in_channels=3, out_channels=8, kernel_size=5, stride=2, padding=2), "in_channels=3, out_channels=8, kernel_size=5, stride=2, padding=2"),
    (dict(padding="same"), "padding='same'"),
    (dict(padding="valid"), "padding='valid'"),
    (dict(padding="full", kernel_size=3), "padding=2"),  # PyTorch has no 'full': it is d·(k−1)
    (dict(padding=(1, 2)), "padding=(1, 2)"),
    (dict(stride=(1, 2)), "stride=(1, 2)"),
    (dict(dilation=2), "dilation=2"),
    (dict(bias=True, out_channels=4), "# 40 learnable numbers (3·3·1·4 weights + 4 biases)"),
    (dict(flip=True), "layer.weight.copy_(kernel.flip(-1, -2))"),
])
def test_torch_code_table(kwargs, fragment):
    code = torch_conv2d_code(**kwargs)
    assert fragment in code
    compile(code, "<torch code>", "exec")  # it is valid Python (torch itself is not needed to check that)


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(), 'padding="valid"'),
    (dict(padding="same"), 'padding="same"'),
    (dict(padding=1), "ZeroPadding2D(padding=1)"),  # Keras names no integer padding
    (dict(padding="full", kernel_size=5), "ZeroPadding2D(padding=4)"),
    (dict(stride=2, dilation=1), "strides=2"),
])
def test_keras_code_table(kwargs, fragment):
    code = keras_conv2d_code(**kwargs)
    assert fragment in code
    compile(code, "<keras code>", "exec")


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(padding="same", stride=2), "needs stride 1"),
    (dict(in_channels=0), "in_channels must be a positive integer"),
    (dict(kernel_size=-3), "kernel_size"),
    (dict(padding="half"), "padding must be"),
])
def test_torch_code_refuses_impossible_settings(kwargs, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        torch_conv2d_code(**kwargs)
