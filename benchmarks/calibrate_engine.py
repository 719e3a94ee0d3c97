"""Measure the constants of conv2d's cost model (``convlab/core/_fft.py``): a script, not a test.

    python benchmarks/calibrate_engine.py          # a short grid (about a minute)
    python benchmarks/calibrate_engine.py --full   # N up to 2048

For every case it times ``conv2d(..., method="direct")`` and ``conv2d(..., method="fft")`` (the fastest of
five runs after a warm-up: on a shared machine the minimum is the least noisy) and fits, by non-negative least squares on relative error, the model of each path:

* direct: ``DIRECT_PER_TAP * calls * values * span``
* FFT:    ``FFT_FIXED + FFT_PER_POINT * transforms * M * log2(M) + DFT_PER_PRODUCT * products`` (the
  kernels' spectra made by matrix products, see ``_fft.fft_terms``)

and prints the constants next to the ones in the module, and how often ``auto`` picks the faster path
with each set. Only ratios between the constants matter for the choice.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_conv import best_time  # noqa: E402

from convlab import conv2d  # noqa: E402
from convlab.core import _fft  # noqa: E402


def features(n, k, c, s):
    """The terms of both models for an n x n image (c channels or grey), a k x k kernel, stride s."""
    channels = c or 1
    oh = (n - k) // s + 1
    values = oh * (n if s == 1 else n - k + 1)
    point_logs, products = _fft.fft_terms((n, n), (s, s), channels, 1, (k, k))
    return [channels * k * values * k], [1.0, point_logs, products]


def nnls_relative(rows, times):
    """Non-negative least squares on the relative error: every row divided by its measured time."""
    from scipy.optimize import nnls

    a = np.array(rows, dtype=float) / np.array(times)[:, None]
    scale = a.max(axis=0)  # columns of similar size, for a well-conditioned fit
    scale[scale == 0] = 1.0
    coef, _ = nnls(a / scale, np.ones(len(times)))
    return coef / scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="image sides up to 2048")
    args = parser.parse_args()
    sides = (128, 256, 512, 1024, 2048) if args.full else (128, 256, 512)
    rng = np.random.default_rng(0)
    drows, dtimes, frows, ftimes, cases = [], [], [], [], []
    for n in sides:
        for c in (None, 3):
            img = rng.random((n, n) if c is None else (n, n, c))
            for k in (3, 5, 7, 11, 15, 21, 31):
                ker = rng.random((k, k) if c is None else (k, k, c))
                for s in (1, 2):
                    try:
                        d = best_time(lambda: conv2d(img, ker, stride=s, method="direct"), 5)
                    except ValueError:  # beyond the direct path's work limit
                        continue
                    f = best_time(lambda: conv2d(img, ker, stride=s, method="fft"), 5)
                    dx, fx = features(n, k, c, s)
                    drows.append(dx), dtimes.append(d), frows.append(fx), ftimes.append(f)
                    cases.append((n, k, c, s, d, f))
                    print(f"N={n:5d} k={k:2d} {'RGB ' if c else 'grey'} s={s}: direct {d * 1e3:8.2f} ms, "
                          f"fft {f * 1e3:8.2f} ms", flush=True)
    dcoef = nnls_relative(drows, dtimes)
    fcoef = nnls_relative(frows, ftimes)
    print()
    print(f"DIRECT_PER_TAP   = {dcoef[0]:.3g}   (module: {_fft.DIRECT_PER_TAP:.3g})")
    print(f"FFT_FIXED        = {fcoef[0]:.3g}   (module: {_fft.FFT_FIXED:.3g})")
    print(f"FFT_PER_POINT    = {fcoef[1]:.3g}   (module: {_fft.FFT_PER_POINT:.3g})")
    print(f"DFT_PER_PRODUCT  = {fcoef[2]:.3g}   (module: {_fft.DFT_PER_PRODUCT:.3g})")
    module = (np.array([_fft.DIRECT_PER_TAP]),
              np.array([_fft.FFT_FIXED, _fft.FFT_PER_POINT, _fft.DFT_PER_PRODUCT]))
    for name, (dc, fc) in (("fitted", (dcoef, fcoef)), ("module", module)):
        right = sum((np.dot(dx, dc) <= np.dot(fx, fc)) == (d <= f)
                    for dx, fx, (*_, d, f) in zip(drows, frows, cases))
        loss = max(min(d, f) and (d if np.dot(dx, dc) <= np.dot(fx, fc) else f) / min(d, f)
                   for dx, fx, (*_, d, f) in zip(drows, frows, cases))
        print(f"{name} constants: auto picks the faster path in {right}/{len(cases)} cases; "
              f"worst slowdown from a wrong pick {loss:.2f}x")
        for dx, fx, (n, k, c, s, d, f) in zip(drows, frows, cases):
            if (np.dot(dx, dc) <= np.dot(fx, fc)) != (d <= f):
                print(f"    wrong pick: N={n} k={k} {'RGB' if c else 'grey'} s={s} (direct/fft {d / f:.2f})")


if __name__ == "__main__":
    main()
