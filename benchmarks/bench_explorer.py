"""How fast the Explorer answers a learner: moving the step slider vs building a fresh figure.

Run:  python benchmarks/bench_explorer.py   (headless, Agg; prints a Markdown table)

Measures, for a few settings, the median time of
  * moving the step slider: ``explorer.step.value = i`` (artists updated in place) + ``canvas.draw()``;
  * building and drawing a fresh figure for the same settings (``draw_step_figure`` + ``canvas.draw()``);
and counts how often the steps are computed (walks of the engine, ``steps._steps_from_plan`` calls) while the step slider moves and when
stride/padding change. Targets (issue 4): step move ≤ 50 ms and ≤ 0.5× a fresh figure; one walk per setting.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's convlab, not an installed one

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from convlab import Explorer  # noqa: E402
from convlab.figures import step_figure as drawing  # noqa: E402
from convlab.images import sample_photo  # noqa: E402
from convlab.kernels import make_kernel  # noqa: E402

CASES = [
    ("seed 5×5, 3×3 filter", dict(image=None), {}),
    ("seed 5×5, padding 1", dict(image=None), dict(padding=1)),
    ("seed 5×5, 7×7 filter, padding 3", dict(image=None, kernel=make_kernel("vertical edge", 7)), dict(padding=3)),
    ("RGB photo 8×8, padding 1", dict(image=sample_photo((8, 8), rgb=True)), dict(padding=1)),
    ("photo 48×41 (no numbers)", dict(image=sample_photo(48)), {}),
]


def timed_ms(fn, i) -> float:
    t0 = time.perf_counter()
    fn(i)
    return (time.perf_counter() - t0) * 1000


def bench_case(label, data, settings, repeat=15):
    ex = Explorer(data.get("image"), data.get("kernel"), **settings)
    canvas = ex.figure.canvas
    canvas.draw()
    n = ex.step.max + 1

    def move(i):
        ex.step.value = (i * 7 + 1) % n
        canvas.draw()

    def fresh(i):
        fig = drawing.draw_step_figure(data.get("image"), data.get("kernel"), step=(i * 7 + 1) % n,
                                         width=ex._drawer.width, **settings)
        fig.canvas.draw()

    # interleaved, so that both see the same load (the machine is shared): 3 moves per fresh figure
    moves, freshes = [], []
    for i in range(repeat):
        moves.extend(timed_ms(move, 3 * i + j) for j in range(3))
        freshes.append(timed_ms(fresh, i))
    return label, n, statistics.median(moves), statistics.median(freshes)


def count_walks():
    """How many times the steps are computed: while moving the step slider, and per stride/padding change."""
    real = drawing._steps_from_plan  # what compute_walk calls; iter_steps is the same path behind a _plan
    with mock.patch.object(drawing, "_steps_from_plan", side_effect=real) as spy:
        ex = Explorer()
        built = spy.call_count
        for i in range(9):
            ex.step.value = i
        for phase in drawing.PHASES:
            ex.phase.value = phase
        after_steps = spy.call_count - built
        ex.stride.value = 2
        after_stride = spy.call_count - built - after_steps
        ex.padding.value = 1
        after_padding = spy.call_count - built - after_steps - after_stride
        ex.padding.value = 1  # same value again: nothing to do
        repeat = spy.call_count - built - after_steps - after_stride - after_padding
    return built, after_steps, after_stride, after_padding, repeat


def main() -> int:
    rows = [bench_case(*case) for case in CASES]
    walks = count_walks()
    import convlab

    print(f"convlab from {Path(convlab.__file__).parent}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, matplotlib {matplotlib.__version__} (Agg), load average {load:.1f}\n")
    print("| setting | windows | step slider: update + draw (median ms) | fresh figure: build + draw (median ms) "
          "| ratio | targets met (≤ 50 ms, ≤ 0.5×) |")
    print("|---|---:|---:|---:|---:|:---:|")
    ok = True
    for label, n, move_ms, fresh_ms in rows:
        ratio = move_ms / fresh_ms
        good = move_ms <= 50 and ratio <= 0.5
        ok &= good
        print(f"| {label} | {n} | {move_ms:.1f} | {fresh_ms:.1f} | {ratio:.2f} | {'yes' if good else 'NO'} |")
    built, steps, stride, padding, repeat = walks
    print("\n| event | step computations (walks of the engine) |\n|---|---:|")
    print(f"| build the Explorer | {built} |")
    print(f"| move the step slider through 9 windows and all 5 phases | {steps} |")
    print(f"| change stride 1 → 2 | {stride} |")
    print(f"| change padding 0 → 1 | {padding} |")
    print(f"| set padding to 1 again (no change) | {repeat} |")
    ok &= (built, steps, stride, padding, repeat) == (1, 0, 1, 1, 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
