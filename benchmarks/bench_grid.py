"""conv2d (method="auto") against the best of its peers over a grid of sizes: a script, not a test.

    python benchmarks/bench_grid.py          # a short grid: N in {128, 512}, k in {3, 7, 15, 31} (about a minute)
    python benchmarks/bench_grid.py --full   # N in 128..2048, k in 3..31 (tens of minutes on a busy box)

For every image side N, kernel side k, grey or RGB (channels last) and stride 1 or 2, it prints
``convlab / best peer``, where the peers are what a numpy/scipy user would call for the same feature map:

* ``scipy.ndimage.correlate`` (direct, compiled), per channel and summed, then sliced for the stride;
* ``scipy.signal.fftconvolve`` with the kernel rotated, mode "valid", per channel and summed, then sliced.

A ratio below 1 means convlab is faster than the faster peer. Every time is the fastest of several runs
after a warm-up (on a shared machine the minimum is the least noisy); convlab and its peers are timed in
turns, one run of each per round, so every ratio divides two times measured in the same seconds of this
run; the results are checked to agree first.
``ndimage.correlate`` is not timed where it would take more than ``SKIP_SLOWER`` times fftconvolve's
time (predicted from its multiply-adds at 1 ns each); such a cell says "fft" for its best peer.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_conv import machine  # noqa: E402

from convlab import conv2d  # noqa: E402
from convlab.core._engine import _plan  # noqa: E402  (only to print which path auto took)

SKIP_SLOWER = 20.0


def best_time(fn, budget: float = 0.3) -> float:
    """The fastest of up to 15 runs (at least 3) after a warm-up, within about ``budget`` seconds."""
    return best_times([fn], budget)[0]


def best_times(fns, budget: float = 0.3) -> list[float]:
    """The fastest run of each of ``fns``, timed in turns (one run of each per round, at least 3 and at most
    15 rounds, within about ``budget`` seconds per function) after a warm-up of each: a slow spell of the
    machine then falls on every function alike instead of on whichever was being timed."""
    times = [[] for _ in fns]
    for fn, ts in zip(fns, times):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    rounds = max(3, min(15, int(budget / max(max(ts[0] for ts in times), 1e-6))))
    for _ in range(rounds):
        for fn, ts in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
    return [min(ts) for ts in times]


def peers(image, kernel, stride):
    from scipy import ndimage, signal

    planes = [image] if image.ndim == 2 else [image[..., c] for c in range(image.shape[2])]
    kernels = [kernel] if kernel.ndim == 2 else [kernel[..., c] for c in range(kernel.shape[2])]
    k = kernel.shape[0]
    lo, hi = k // 2, k // 2 - (k - 1)  # the "valid" part of ndimage's same-size output (odd k)

    def nd():
        out = sum(ndimage.correlate(p, q) for p, q in zip(planes, kernels))
        return out[lo:out.shape[0] + hi or None, lo:out.shape[1] + hi or None][::stride, ::stride]

    def fft():
        return sum(signal.fftconvolve(p, q[::-1, ::-1], mode="valid") for p, q in zip(planes, kernels))[::stride, ::stride]

    return nd, fft


def fmt(t: float) -> str:
    return f"{t * 1e3:.3g} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the whole grid, N up to 2048")
    args = parser.parse_args()
    sides = (128, 256, 512, 1024, 2048) if args.full else (128, 512)
    ks = (3, 5, 7, 11, 15, 21, 31) if args.full else (3, 7, 15, 31)
    rng = np.random.default_rng(0)
    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    rows, ratios = [], []
    for n in sides:
        for channels in (None, 3):
            image = rng.random((n, n) if channels is None else (n, n, channels))
            for k in ks:
                kernel = rng.random((k, k) if channels is None else (k, k, channels))
                for stride in (1, 2):
                    ours = lambda: conv2d(image, kernel, stride=stride)  # noqa: E731
                    path = _plan(image, kernel, stride=stride, padding=0, dilation=1, flip=False,
                                 padding_mode="zeros", own=False).method
                    nd, fft = peers(image, kernel, stride)
                    expected = fft()
                    scale = 1e-12 * float(np.abs(image).max()) * float(np.abs(kernel).sum())
                    assert np.allclose(ours(), expected, rtol=0, atol=max(scale, 1e-9)), (n, k, channels, stride)
                    t0 = time.perf_counter()
                    fft()
                    macs = n * n * k * k * (channels or 1)
                    if macs * 1e-9 > SKIP_SLOWER * (time.perf_counter() - t0):
                        (t_ours, t_fft), t_nd, best = best_times([ours, fft]), float("inf"), "fft"
                    else:
                        t_ours, t_fft, t_nd = best_times([ours, fft, nd])
                        best = "ndimage" if t_nd < t_fft else "fft"
                    t_best = min(t_nd, t_fft)
                    ratios.append(t_ours / t_best)
                    rows.append((n, k, "RGB" if channels else "grey", stride, fmt(t_ours), path,
                                 fmt(t_best), best, f"{t_ours / t_best:.2f}"))
                    print(f"N={n} k={k} {'RGB' if channels else 'grey'} s={stride}: {t_ours / t_best:.2f}",
                          file=sys.stderr, flush=True)
    load_after = os.getloadavg()
    print(f"Run {started:%Y-%m-%d %H:%M} UTC; load average (1, 5, 15 min) {load_before[0]:.1f}, "
          f"{load_before[1]:.1f}, {load_before[2]:.1f} before and {load_after[0]:.1f}, {load_after[1]:.1f}, "
          f"{load_after[2]:.1f} after; {'full' if args.full else 'short'} grid.")
    print()
    print("| N | k | image | stride | convlab (auto) | path | best peer | which | ratio |")
    print("| ---: | ---: | --- | ---: | ---: | --- | ---: | --- | ---: |")
    for r in rows:
        print("| " + " | ".join(str(x) for x in r) + " |")
    print()
    worse = [r for r, q in zip(rows, ratios) if q > 1.0]
    print(f"{len(rows)} cells; median ratio {np.median(ratios):.2f}, worst {max(ratios):.2f}; "
          f"{len(worse)} cells above 1.")
    print()
    print("\n".join(machine()))


if __name__ == "__main__":
    main()
