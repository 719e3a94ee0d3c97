"""Benchmark convlab's engine against its references: a script, not a test.

    python benchmarks/bench_conv.py            # prints a Markdown table of ratios measured in this run

Every time is the median of repeated runs (after one warm-up call) — the ndimage rows take the fastest
run instead, the least disturbed on a loaded machine, for both sides — and every ratio divides two times
measured in this same run on this same machine, so the table is comparable across machines only as
ratios. A ratio below 1 means convlab is faster. No threshold is asserted anywhere: timings on a shared
2-core box are too noisy for a pass/fail test; the "target" column says what the issue asks for.

PyTorch is optional: its rows appear only when ``import torch`` works. Its time includes the
channels-last -> channels-first conversion (NHWC numpy array -> contiguous NCHW tensor) and the
conversion of the result back to numpy, because a convlab user starts and ends with numpy arrays.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from convlab import conv2d  # noqa: E402
from convlab.core.steps import iter_steps  # noqa: E402


def run_times(fn, repeat: int, warmup: int = 1) -> list[float]:
    """Seconds of each of ``repeat`` calls of ``fn``, after ``warmup`` calls that are not timed."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def median_time(fn, repeat: int, warmup: int = 1) -> float:
    return statistics.median(run_times(fn, repeat, warmup))


def best_time(fn, repeat: int, warmup: int = 1) -> float:
    """The fastest of ``repeat`` runs: on a shared, loaded machine the least disturbed one."""
    return min(run_times(fn, repeat, warmup))


def seed_loop(image, kernel):
    """The seed lesson's double loop, sized to the image."""
    k = kernel.shape[0]
    oh, ow = image.shape[0] - k + 1, image.shape[1] - k + 1
    output = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            region = image[i:i + k, j:j + k]
            output[i, j] = np.sum(region * kernel)
    return output


def fmt_time(t: float) -> str:
    return f"{t * 1e3:.2f} ms" if t >= 1e-3 else f"{t * 1e6:.0f} µs"


def machine() -> list[str]:
    lines = []
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lines.append(f"- CPU: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}")
    import scipy

    versions = f"numpy {np.__version__}, scipy {scipy.__version__}"
    try:
        import torch

        versions += f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
    except ImportError:
        versions += ", torch not installed"
    lines.append(f"- {versions}")
    try:
        from threadpoolctl import threadpool_info

        blas = [f"{i['internal_api']} {i['version']} ({i['architecture']} kernel, {i['num_threads']} threads)"
                for i in threadpool_info() if i.get("user_api") == "blas"]
        lines.append(f"- BLAS: {', '.join(blas) or 'none loaded'} (convlab itself does not call BLAS)")
    except ImportError:
        pass
    env = {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")}
    lines.append(f"- OPENBLAS_* environment: {env or 'none set'}")
    return lines


def main() -> None:
    from scipy.signal import correlate2d

    rng = np.random.default_rng(0)
    rows = []  # (comparison, convlab time, other time, ratio, target)

    def add(what, ours, theirs, target):
        rows.append((what, fmt_time(ours), fmt_time(theirs), f"{ours / theirs:.3g}×", target))

    # 1. the seed's Python double loop, 256x256 with 3x3
    img = rng.random((256, 256))
    k3 = rng.random((3, 3))
    ours = median_time(lambda: conv2d(img, k3), 21)
    loop = median_time(lambda: seed_loop(img, k3), 3)
    assert np.allclose(conv2d(img, k3), seed_loop(img, k3))
    add("vs seed double loop, 256×256, 3×3", ours, loop, "≤ 0.01× (≥ 100× faster)")

    # 2. scipy.ndimage.correlate (compiled, the fastest direct peer), 512x512: issue 22 asks for <= 0.7
    from scipy import ndimage

    img = rng.random((512, 512))
    rgb = rng.random((512, 512, 3))
    for k in (3, 5):
        ker = rng.random((k, k))
        inner = slice(k // 2, 512 - k // 2)
        assert np.allclose(conv2d(img, ker), ndimage.correlate(img, ker)[inner, inner])
        ours = best_time(lambda: conv2d(img, ker), 51)
        theirs = best_time(lambda: ndimage.correlate(img, ker), 51)
        add(f"vs scipy.ndimage.correlate, 512×512, {k}×{k}, stride 1 (fastest of 51)", ours, theirs, "≤ 0.7×")

    # 3. scipy.signal.correlate2d(..., "valid"), 512x512
    for k in (3, 5):
        ker = rng.random((k, k))
        ker_rgb = rng.random((k, k, 3))
        ours = median_time(lambda: conv2d(img, ker), 31)
        theirs = median_time(lambda: correlate2d(img, ker, "valid"), 31)
        add(f"vs scipy correlate2d, 512×512, {k}×{k}, stride 1", ours, theirs, "≤ 1×")
        ours = median_time(lambda: conv2d(rgb, ker_rgb), 21)
        theirs = median_time(lambda: sum(correlate2d(rgb[..., c], ker_rgb[..., c], "valid") for c in range(3)), 21)
        add(f"vs scipy (sum of 3 channels), 512×512×3, {k}×{k}, stride 1", ours, theirs, "≤ 1×")
        ours = median_time(lambda: conv2d(img, ker, stride=2), 31)
        theirs = median_time(lambda: correlate2d(img, ker, "valid")[::2, ::2], 31)
        assert np.allclose(conv2d(img, ker, stride=2), correlate2d(img, ker, "valid")[::2, ::2])
        add(f"vs scipy + slicing, 512×512, {k}×{k}, stride 2", ours, theirs, "≤ 0.5×")

    # 4. PyTorch (optional), float64 on the CPU
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        torch = None
    if torch is not None:
        for k in (3, 5):
            ker = rng.random((k, k))
            ker_rgb = rng.random((k, k, 3))
            w1 = torch.from_numpy(ker)[None, None]
            w3 = torch.from_numpy(np.ascontiguousarray(ker_rgb.transpose(2, 0, 1)))[None]

            def torch_gray():
                return F.conv2d(torch.from_numpy(img)[None, None], w1)[0, 0].numpy()

            def torch_rgb():  # NHWC numpy -> contiguous NCHW tensor, convolve, back to numpy
                x = torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)))[None]
                return F.conv2d(x, w3)[0, 0].numpy()

            assert np.allclose(torch_gray(), conv2d(img, ker)) and np.allclose(torch_rgb(), conv2d(rgb, ker_rgb))
            with torch.inference_mode():
                for threads in sorted({torch.get_num_threads(), 1}, reverse=True):
                    previous = torch.get_num_threads()
                    torch.set_num_threads(threads)
                    ours = median_time(lambda: conv2d(img, ker), 31)
                    add(f"vs torch conv2d ({threads} thr), 512×512, {k}×{k}", ours, median_time(torch_gray, 31),
                        "≤ 1.5×")
                    ours = median_time(lambda: conv2d(rgb, ker_rgb), 21)
                    add(f"vs torch conv2d ({threads} thr), 512×512×3 channels-last, {k}×{k}", ours,
                        median_time(torch_rgb, 21), "< 1×")
                    torch.set_num_threads(previous)

    # 5. the step-by-step walk: absolute time, not a ratio
    small = rng.random((64, 64))
    walk = median_time(lambda: sum(1 for _ in iter_steps(small, k3)), 11)
    assert sum(1 for _ in iter_steps(small, k3)) == 3844

    print("| comparison | convlab | other | ratio (convlab / other) | target |")
    print("| --- | ---: | ---: | ---: | --- |")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print(f"| iter_steps, 64×64 image, 3×3: all 3,844 steps | {fmt_time(walk)} | | | ≪ 100 ms |")
    print()
    print("\n".join(machine()))


if __name__ == "__main__":
    main()
