"""Hypothesis strategies and independent oracles shared by the engine's tests.

Everything here is written from the definitions in the issue, *not* from ``convlab._shared.validate``: the
padding arithmetic, the output size and the reference correlations are recomputed so that a bug in the
engine cannot hide behind the same bug in the test.

Sizes stay small (images up to 9x9, kernels up to 4x4) so that a few hundred examples run in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from hypothesis import assume, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# One profile for every property test: no deadline (a noisy 2-core box must not make tests flaky),
# a modest number of examples (the whole engine suite runs in seconds).
FAST = settings(max_examples=60, deadline=None)
THOROUGH = settings(max_examples=150, deadline=None)

NUMPY_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
PADDING_MODES = tuple(NUMPY_PAD_MODE)


# --------------------------------------------------------------------------------------------------
# independent arithmetic: padding amounts, spans, output sizes
# --------------------------------------------------------------------------------------------------

def pair(x):
    """An int or an (rows, cols) pair, as a pair."""
    return tuple(x) if isinstance(x, (tuple, list)) else (x, x)


def span(k: int, d: int) -> int:
    """Extent of a kernel of length ``k`` with dilation ``d``."""
    return d * (k - 1) + 1


def pad_amounts(padding, kernel_hw, dilation):
    """((top, bottom), (left, right)) from the issue's definitions (PyTorch's rule for "same")."""
    spans = [span(k, d) for k, d in zip(kernel_hw, pair(dilation))]
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "full":
        return tuple((s - 1, s - 1) for s in spans)
    if padding == "same":  # total s - 1; an odd total puts the extra pixel at the bottom/right
        return tuple(((s - 1) // 2, (s - 1) - (s - 1) // 2) for s in spans)
    pr, pc = pair(padding)
    return (pr, pr), (pc, pc)


def size_formula(n: int, k: int, s: int, p: int, d: int) -> int:
    """The lesson's formula, floor((n + 2p - d(k-1) - 1)/s) + 1, written as in the issue."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def pad_image(image: np.ndarray, pads, mode: str) -> np.ndarray:
    """np.pad with the numpy name of each PyTorch padding mode (channels are never padded)."""
    width = list(pads) + [(0, 0)] * (image.ndim - 2)
    return np.pad(image, width, mode=NUMPY_PAD_MODE[mode])


def dilate(kernel: np.ndarray, dilation) -> np.ndarray:
    """Zero-inserted kernel: ``d - 1`` zeros between neighbouring taps (channels left alone)."""
    dr, dc = pair(dilation)
    kh, kw = kernel.shape[:2]
    out = np.zeros((span(kh, dr), span(kw, dc)) + kernel.shape[2:])
    out[::dr, ::dc] = kernel
    return out


# --------------------------------------------------------------------------------------------------
# oracles
# --------------------------------------------------------------------------------------------------

def oracle_scipy(image, kernel, *, stride=1, padding=0, dilation=1, flip=False, padding_mode="zeros"):
    """scipy.signal.correlate2d/convolve2d at stride 1 on the padded input, with a zero-inserted kernel
    for dilation, a sum of per-channel calls for channels, and slicing for the stride."""
    from scipy import signal

    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    padded = pad_image(image, pad_amounts(padding, kernel.shape[:2], dilation), padding_mode)
    big = dilate(kernel, dilation)
    # scipy's "valid" mode silently swaps its inputs when the second is the larger: never let it
    assert big.shape[0] <= padded.shape[0] and big.shape[1] <= padded.shape[1], "kernel must fit"
    fn = signal.convolve2d if flip else signal.correlate2d
    if image.ndim == 2:
        full = fn(padded, big, mode="valid")
    else:
        full = sum(fn(padded[..., c], big[..., c], mode="valid") for c in range(image.shape[2]))
    sr, sc = pair(stride)
    return full[::sr, ::sc]


def oracle_einsum(image, kernel, *, stride=1, padding=0, dilation=1, flip=False, padding_mode="zeros"):
    """np.einsum over sliding_window_view of the padded input, per channel."""
    from numpy.lib.stride_tricks import sliding_window_view

    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    if flip:
        kernel = kernel[::-1, ::-1]
    kh, kw = kernel.shape[:2]
    (dr, dc), (sr, sc) = pair(dilation), pair(stride)
    padded = pad_image(image, pad_amounts(padding, (kh, kw), (dr, dc)), padding_mode)
    views = sliding_window_view(padded, (span(kh, dr), span(kw, dc)), axis=(0, 1))
    views = views[::sr, ::sc, ..., ::dr, ::dc]  # (oh, ow, [C,] kh, kw)
    if image.ndim == 2:
        return np.einsum("yxij,ij->yx", views, kernel)
    return np.einsum("yxcij,ijc->yx", views, kernel)


def oracle_seed_loop(image, kernel, *, stride=1, padding=0, dilation=1, flip=False, padding_mode="zeros"):
    """The seed lesson's double loop, grown only by what each parameter means."""
    image, kernel = np.asarray(image, float), np.asarray(kernel, float)
    if flip:
        kernel = kernel[::-1, ::-1]
    kh, kw = kernel.shape[:2]
    (dr, dc), (sr, sc) = pair(dilation), pair(stride)
    image = pad_image(image, pad_amounts(padding, (kh, kw), (dr, dc)), padding_mode)
    oh = (image.shape[0] - span(kh, dr)) // sr + 1
    ow = (image.shape[1] - span(kw, dc)) // sc + 1
    output = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            region = image[i * sr:i * sr + span(kh, dr):dr, j * sc:j * sc + span(kw, dc):dc]
            output[i, j] = np.sum(region * kernel)
    return output


# --------------------------------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------------------------------

@dataclass
class Case:
    """One generated call: ``conv2d(image, kernel, **kwargs)``."""

    image: np.ndarray
    kernel: np.ndarray
    kwargs: dict = field(default_factory=dict)

    def __repr__(self) -> str:  # what hypothesis prints for a failing example
        return (f"Case(image={self.image.tolist()!r}, kernel={self.kernel.tolist()!r}, "
                f"kwargs={self.kwargs!r})")


def values(integers: bool):
    """Whole numbers (every sum is exact in float64) or moderate finite floats."""
    if integers:
        return st.integers(-5, 5)
    return st.floats(-10, 10, allow_nan=False, allow_infinity=False, width=64)


def arrays(shape, integers: bool = True):
    return hnp.arrays(np.float64, shape, elements=values(integers))


paddings = st.one_of(
    st.integers(0, 3),                                   # one number for both axes
    st.tuples(st.integers(0, 3), st.integers(0, 3)),     # (rows, cols)
    st.sampled_from(["valid", "same", "full"]),          # the names
)


@st.composite
def conv_cases(draw, *, channels=(None, 1, 3), integers=True, modes=PADDING_MODES,
               stride=True, dilation=True, padding=True, flip=(False, True), max_side=9, max_k=4):
    """A valid call to conv2d: the (dilated) kernel fits the padded input and the padding mode can fill it."""
    c = draw(st.sampled_from(channels))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    pad = draw(paddings) if padding else 0
    mode = draw(st.sampled_from(modes))
    dil = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))) if dilation else 1
    dr, dc = pair(dil)
    # the largest kernel that fits each axis once padded (names: "same"/"full" always fit)
    fixed = pair(pad) if not isinstance(pad, str) else (None, None)

    def k_max(n, p, d):
        room = max_k if p is None else (n + 2 * (p or 0) - 1) // d + 1
        return max(1, min(max_k, room))

    kh = draw(st.integers(1, k_max(h, fixed[0] if pad != "valid" else 0, dr)))
    kw = draw(st.integers(1, k_max(w, fixed[1] if pad != "valid" else 0, dc)))
    assume(span(kh, dr) <= h + sum(pad_amounts(pad, (kh, kw), dil)[0]))
    assume(span(kw, dc) <= w + sum(pad_amounts(pad, (kh, kw), dil)[1]))
    pads = pad_amounts(pad, (kh, kw), dil)
    if mode == "reflect":
        assume(max(pads[0]) < h and max(pads[1]) < w)
    if mode == "circular":
        assume(max(pads[0]) <= h and max(pads[1]) <= w)
    strd = 1
    if stride and pad != "same":
        strd = draw(st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    image = draw(arrays((h, w) if c is None else (h, w, c), integers))
    kernel = draw(arrays((kh, kw) if c is None else (kh, kw, c), integers))
    kwargs = {"stride": strd, "padding": pad, "dilation": dil, "padding_mode": mode,
              "flip": draw(st.sampled_from(flip))}
    return Case(image, kernel, kwargs)


@st.composite
def filter_banks(draw, *, integers=False):
    """An image and a stack of N kernels for feature_maps, with the usual arguments."""
    case = draw(conv_cases(integers=integers))
    n = draw(st.integers(1, 4))
    others = [draw(arrays(case.kernel.shape, integers)) for _ in range(n - 1)]
    return case.image, np.stack([case.kernel] + others), case.kwargs


# --------------------------------------------------------------------------------------------------
# transposed convolution and pooling (issue 12)
# --------------------------------------------------------------------------------------------------

def transpose_size(n: int, k: int, s: int, p: int, op: int, d: int) -> int:
    """(n−1)·s − 2p + d·(k−1) + output_padding + 1, as written in the issue."""
    return (n - 1) * s - 2 * p + d * (k - 1) + op + 1


def pool_size(n: int, k: int, s: int, p: int) -> int:
    """floor((n + 2p − k)/s) + 1: the convolution formula with no dilation."""
    return (n + 2 * p - k) // s + 1


ints_or_pairs = lambda lo, hi: st.one_of(st.integers(lo, hi), st.tuples(st.integers(lo, hi), st.integers(lo, hi)))  # noqa: E731


@st.composite
def transpose_cases(draw, *, channels=(None, 1, 3), integers=True, max_side=6, max_k=4):
    """A valid call to conv_transpose2d: output_padding below max(stride, dilation), output at least 1."""
    c = draw(st.sampled_from(channels))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    kh, kw = draw(st.integers(1, max_k)), draw(st.integers(1, max_k))
    strd, dil, pad = draw(ints_or_pairs(1, 3)), draw(ints_or_pairs(1, 3)), draw(ints_or_pairs(0, 3))
    (sr, sc), (dr, dc), (pr, pc) = pair(strd), pair(dil), pair(pad)
    opr = draw(st.integers(0, max(sr, dr) - 1))
    opc = draw(st.integers(0, max(sc, dc) - 1))
    op = opr if opr == opc and draw(st.booleans()) else (opr, opc)
    assume(transpose_size(h, kh, sr, pr, opr, dr) >= 1 and transpose_size(w, kw, sc, pc, opc, dc) >= 1)
    image = draw(arrays((h, w) if c is None else (h, w, c), integers))
    kernel = draw(arrays((kh, kw) if c is None else (kh, kw, c), integers))
    return Case(image, kernel, {"stride": strd, "padding": pad, "output_padding": op, "dilation": dil})


@dataclass
class PoolCase:
    """One generated call: ``max_pool2d(image, size, **kwargs)`` (or avg_pool2d)."""

    image: np.ndarray
    size: object
    kwargs: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"PoolCase(image={self.image.tolist()!r}, size={self.size!r}, kwargs={self.kwargs!r})"


@st.composite
def pool_cases(draw, *, channels=(None, 1, 3), integers=True, max_side=8, max_k=4):
    """A valid call to a pooling function: padding at most size // 2, the window fits the padded input."""
    c = draw(st.sampled_from(channels))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    size = draw(ints_or_pairs(1, max_k))
    kh, kw = pair(size)
    pad = draw(st.one_of(st.just(0), st.tuples(st.integers(0, kh // 2), st.integers(0, kw // 2))))
    pr, pc = pair(pad)
    assume(kh <= h + 2 * pr and kw <= w + 2 * pc)
    kwargs = {"padding": pad}
    if draw(st.booleans()):
        kwargs["stride"] = draw(ints_or_pairs(1, 3))
    image = draw(arrays((h, w) if c is None else (h, w, c), integers))
    return PoolCase(image, size, kwargs)
