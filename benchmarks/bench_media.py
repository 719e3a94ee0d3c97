"""Benchmark what a teacher waits for outside the Explorer: a script, not a test.

    python benchmarks/bench_media.py             # both parts, a Markdown table each
    python benchmarks/bench_media.py gif         # GIF export only
    python benchmarks/bench_media.py viewer      # LearningViewer only

**GIF export** (``save_animation``): the seed lesson's 5×5 walk with ``phases=True`` (45 frames) and
without (9 frames), at several widths; the time of one export, the time per frame and the file size.
The same walk is also exported with Pillow's median-cut colour reduction (what ``save_animation`` used
before), so the table compares two quantizers measured in this run.

**LearningViewer at 25 steps/s** (lesson 06): the slider moves one step every 40 ms for 3 s inside an
asyncio event loop; moves that arrive while a drawing blocks the loop wait and are then taken one by
one, as comm messages are in a kernel. Reported: moves, pictures drawn, the largest number of steps the
picture was behind the learner's slider, and the time from the last move until the picture shows it. Compared with
a viewer that draws every move as it arrives (the behaviour before coalescing).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import convlab.figures.animation as animation  # noqa: E402
from convlab.nets.learn import learn_kernel, make_targets  # noqa: E402
from convlab.images import stripes  # noqa: E402
from convlab.kernels import VERTICAL_EDGE  # noqa: E402
from convlab.widgets.lesson_widgets import LearningViewer  # noqa: E402

MOVE_EVERY = 0.040  # s: 25 steps a second
MOVES = 75          # 3 s of moving


def _median_cut(sf, frames):
    """The old colour reduction, for comparison: each frame drawn as RGB, then Pillow's median cut."""
    canvas = sf.figure.canvas
    for index, phase in frames:
        sf.show(index, phase)
        canvas.draw()
        rgb = np.ascontiguousarray(np.asarray(canvas.buffer_rgba())[..., :3])
        yield Image.fromarray(rgb, "RGB").quantize(colors=256)


_octree = animation._render


def export(folder: Path, *, phases: bool, width: int, quantizer=None) -> tuple[float, int, tuple[int, int], int]:
    path = folder / f"walk-{width}-{phases}.gif"
    if quantizer is not None:
        animation._render = quantizer
    try:
        t0 = time.perf_counter()
        animation.save_animation(path, phases=phases, width=width, progress=False)
        seconds = time.perf_counter() - t0
    finally:
        animation._render = _octree
    with Image.open(path) as gif:
        return seconds, gif.n_frames, gif.size, path.stat().st_size


def gif_table() -> None:
    print("| frames | width × height | colours | export | per frame | file |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        export(folder, phases=False, width=400)  # warm-up: fonts, imports
        rows = [(True, 1280, None, "octree"), (True, 1280, _median_cut, "median cut (before)"),
                (False, 1280, None, "octree"), (True, 600, None, "octree"), (True, 1920, None, "octree")]
        for phases, width, quantizer, name in rows:
            seconds, frames, size, nbytes = export(folder, phases=phases, width=width, quantizer=quantizer)
            print(f"| {frames} | {size[0]} × {size[1]} | {name} | {seconds:.1f} s | {seconds / frames * 1e3:.0f} ms "
                  f"| {nbytes / 1e6:.2f} MB |")


class _DrawsEveryMove(LearningViewer):
    """The viewer before coalescing: every slider move is drawn as it arrives."""

    def _request(self) -> None:
        self._show()


def keep_up(viewer_class) -> dict:
    imgs = [stripes(8, 2)]
    run = learn_kernel(imgs, make_targets(imgs, VERTICAL_EDGE), steps=MOVES, learning_rate=0.2)

    async def scenario():
        v = viewer_class(run, imgs[0], make_targets(imgs, VERTICAL_EDGE)[0])
        drawn = [0]
        behind = []
        v.image_widget.observe(lambda change: drawn.append(v._drawn), names="value")
        loop = asyncio.get_running_loop()
        start = loop.time()

        def slider_now() -> int:  # where the learner's slider is: one step every 40 ms
            return min(MOVES, int((loop.time() - start) / MOVE_EVERY))

        step = 0
        while step < MOVES:
            # the messages that arrived by now wait in the socket and are taken one by one (a FIFO)
            for _ in range(slider_now() - step):
                behind.append(slider_now() - drawn[-1])
                step += 1
                v.step.value = step
            await asyncio.sleep(max(0.0, start + (step + 1) * MOVE_EVERY - loop.time()))
        last_move = start + MOVES * MOVE_EVERY
        while drawn[-1] != MOVES:
            await asyncio.sleep(0.005)
        return {"moves": MOVES, "pictures": len(drawn) - 1, "most_behind": max(behind),
                "catch_up_s": loop.time() - last_move}

    return asyncio.run(scenario())


def viewer_table() -> None:
    print("| viewer | slider moves | pictures drawn | most steps behind the slider | last step shown after the "
          "last move |")
    print("|---|---|---|---|---|")
    for name, cls in (("draws every move (before)", _DrawsEveryMove), ("latest step only (now)", LearningViewer)):
        r = keep_up(cls)
        print(f"| {name} | {r['moves']} | {r['pictures']} | {r['most_behind']} | {r['catch_up_s']:.2f} s |")


def main(argv: list[str]) -> None:
    parts = argv or ["gif", "viewer"]
    if "gif" in parts:
        print("GIF export, the seed lesson's 5×5 walk\n")
        gif_table()
        print()
    if "viewer" in parts:
        print(f"LearningViewer, slider moving one step every {MOVE_EVERY * 1e3:.0f} ms\n")
        viewer_table()


if __name__ == "__main__":
    main(sys.argv[1:])
