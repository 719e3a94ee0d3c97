"""Benchmark the operations beyond one convolution: a script, not a test.

    python benchmarks/bench_ops.py            # prints a Markdown table of ratios measured in this run

``conv_transpose2d``, ``max_pool2d``, ``avg_pool2d`` and ``relu`` against (1) the brute-force Python loop
that defines them and (2) PyTorch float64 on the CPU, when ``import torch`` works (never a dependency).
The method is that of ``bench_conv.py``: medians of repeated calls after a warm-up, every ratio divides
two times measured in this run, results are checked for agreement before they are timed, and torch's
time includes the channels-last numpy -> NCHW tensor conversion and ``.numpy()`` on the way back.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_conv import fmt_time, machine, median_time  # noqa: E402

from convlab import (avg_pool2d, conv_transpose2d, iter_pool_steps, iter_transpose_steps,  # noqa: E402
                     max_pool2d, relu)


# ------------------------------------------------------------------ the definitions, as Python loops

def transpose_loop(image, kernel, stride):
    """Every input pixel adds value × kernel at (row·s, col·s); channels summed (no padding)."""
    x = image[:, :, None] if image.ndim == 2 else image
    k = kernel[:, :, None] if kernel.ndim == 2 else kernel
    h, w, c = x.shape
    kh, kw = k.shape[:2]
    out = np.zeros(((h - 1) * stride + kh, (w - 1) * stride + kw))
    for i in range(h):
        for j in range(w):
            for ch in range(c):
                out[i * stride:i * stride + kh, j * stride:j * stride + kw] += x[i, j, ch] * k[:, :, ch]
    return out


def pool_loop(image, size, reduce):
    """One reduction per window, windows side by side (stride = size), per channel."""
    h, w = image.shape[0] // size, image.shape[1] // size
    out = np.zeros((h, w) + image.shape[2:])
    for i in range(h):
        for j in range(w):
            out[i, j] = reduce(image[i * size:(i + 1) * size, j * size:(j + 1) * size], axis=(0, 1))
    return out


def relu_loop(x):
    return np.array([v if v > 0 else 0.0 for v in x.ravel()]).reshape(x.shape)


def main() -> None:
    rng = np.random.default_rng(0)
    rows = []

    def add(what, ours, theirs):
        rows.append((what, fmt_time(ours), fmt_time(theirs), f"{ours / theirs:.3g}×"))

    gray128 = rng.random((128, 128))
    rgb128 = rng.random((128, 128, 3))
    gray512, rgb512 = rng.random((512, 512)), rng.random((512, 512, 3))
    k3, k4rgb = rng.random((3, 3)), rng.random((4, 4, 3))
    maps = rng.random((256, 256, 16))        # a CNN layer's 16 feature maps, channels-last
    signed = rng.normal(size=(256, 256, 16))

    # 1. the brute-force loops that define each operation
    assert np.allclose(conv_transpose2d(gray128, k3, stride=2), transpose_loop(gray128, k3, 2))
    add("conv_transpose2d vs its scatter loop, 128×128, 3×3, stride 2",
        median_time(lambda: conv_transpose2d(gray128, k3, stride=2), 21), median_time(lambda: transpose_loop(gray128, k3, 2), 3))
    assert np.allclose(conv_transpose2d(rgb128, k4rgb, stride=2), transpose_loop(rgb128, k4rgb, 2))
    add("conv_transpose2d vs its scatter loop, 128×128×3, 4×4, stride 2",
        median_time(lambda: conv_transpose2d(rgb128, k4rgb, stride=2), 21), median_time(lambda: transpose_loop(rgb128, k4rgb, 2), 3))
    assert np.array_equal(max_pool2d(maps, 2), pool_loop(maps, 2, np.max))
    add("max_pool2d vs its window loop, 256×256×16, 2×2",
        median_time(lambda: max_pool2d(maps, 2), 21), median_time(lambda: pool_loop(maps, 2, np.max), 3))
    assert np.allclose(avg_pool2d(maps, 2), pool_loop(maps, 2, np.mean))
    add("avg_pool2d vs its window loop, 256×256×16, 2×2",
        median_time(lambda: avg_pool2d(maps, 2), 21), median_time(lambda: pool_loop(maps, 2, np.mean), 3))
    small = signed[:64, :64]
    assert np.array_equal(relu(small), relu_loop(small))
    add("relu vs its element loop, 64×64×16",
        median_time(lambda: relu(small), 51), median_time(lambda: relu_loop(small), 5))

    # numpy's own ReLU, the bar issue 22 sets: relu checks its input too, so this is the price of the check
    assert np.array_equal(relu(signed), np.maximum(signed, 0) + 0.0)
    add("relu vs np.maximum(x, 0), 256×256×16", median_time(lambda: relu(signed), 51),
        median_time(lambda: np.maximum(signed, 0), 51))

    # 2. PyTorch float64 on the CPU (optional)
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        torch = None
    if torch is not None:
        def nchw(a):
            a = a[:, :, None] if a.ndim == 2 else a
            return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))[None]

        w3 = torch.from_numpy(k3)[None, None]
        w4 = torch.from_numpy(np.ascontiguousarray(k4rgb.transpose(2, 0, 1)))[:, None]
        cases = [
            ("conv_transpose2d, 128×128, 3×3, stride 2", lambda: conv_transpose2d(gray128, k3, stride=2),
             lambda: F.conv_transpose2d(nchw(gray128), w3, stride=2)[0, 0].numpy()),
            ("conv_transpose2d, 128×128×3, 4×4, stride 2, padding 1",
             lambda: conv_transpose2d(rgb128, k4rgb, stride=2, padding=1),
             lambda: F.conv_transpose2d(nchw(rgb128), w4, stride=2, padding=1)[0, 0].numpy()),
            ("conv_transpose2d, 512×512, 3×3, stride 2", lambda: conv_transpose2d(gray512, k3, stride=2),
             lambda: F.conv_transpose2d(nchw(gray512), w3, stride=2)[0, 0].numpy()),
            ("conv_transpose2d, 512×512×3, 4×4, stride 2, padding 1",
             lambda: conv_transpose2d(rgb512, k4rgb, stride=2, padding=1),
             lambda: F.conv_transpose2d(nchw(rgb512), w4, stride=2, padding=1)[0, 0].numpy()),
            ("max_pool2d, 256×256×16, 2×2", lambda: max_pool2d(maps, 2),
             lambda: F.max_pool2d(nchw(maps), 2)[0].permute(1, 2, 0).numpy()),
            ("max_pool2d, 256×256×16, 3×3, stride 2, padding 1", lambda: max_pool2d(maps, 3, stride=2, padding=1),
             lambda: F.max_pool2d(nchw(maps), 3, stride=2, padding=1)[0].permute(1, 2, 0).numpy()),
            ("avg_pool2d, 256×256×16, 2×2", lambda: avg_pool2d(maps, 2),
             lambda: F.avg_pool2d(nchw(maps), 2)[0].permute(1, 2, 0).numpy()),
            ("relu, 256×256×16", lambda: relu(signed), lambda: torch.relu(torch.from_numpy(signed)).numpy()),
        ]
        with torch.inference_mode():
            for what, ours, theirs in cases:
                assert np.allclose(ours(), theirs())
            for threads in sorted({torch.get_num_threads(), 1}, reverse=True):
                previous = torch.get_num_threads()
                torch.set_num_threads(threads)
                for what, ours, theirs in cases:
                    add(f"{what} vs torch ({threads} thr)", median_time(ours, 21), median_time(theirs, 21))
                torch.set_num_threads(previous)

    # 3. the step walks: absolute times
    pool_walk = median_time(lambda: sum(1 for _ in iter_pool_steps(gray128[:64, :64], 2)), 11)
    transpose_walk = median_time(lambda: sum(1 for _ in iter_transpose_steps(gray128[:16, :16], k3, stride=2)), 11)

    print("| comparison | convlab | other | ratio (convlab / other) |")
    print("| --- | ---: | ---: | ---: |")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print(f"| iter_pool_steps, 64×64, 2×2: all 1,024 steps | {fmt_time(pool_walk)} | | |")
    print(f"| iter_transpose_steps, 16×16, 3×3, stride 2: all 256 steps | {fmt_time(transpose_walk)} | | |")
    print()
    print("\n".join(machine()))


if __name__ == "__main__":
    main()
