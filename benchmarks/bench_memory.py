"""Kernel memory, cell by cell: the RSS of a lesson's kernel after each code cell, and its peak.

    python benchmarks/bench_memory.py notebooks/07_from_one_filter_to_a_network.ipynb [more.ipynb ...]

Each notebook runs in a fresh ``python3`` kernel (jupyter_client), one code cell at a time, as a learner
runs it. After every cell the kernel reports its own ``VmRSS`` (resident now) and ``VmHWM`` (the highest
resident size so far, Linux's peak) from ``/proc/self/status``; the table lists the cells that grew the
peak the most. Linux only (``/proc``). Memory is not timing: a loaded machine does not change it much,
but numbers differ a few MB between runs (allocator, imported modules).

Sizes are in MiB (2**20 bytes; ``/proc`` counts in KiB, which it calls kB); the summary line gives the
peak in decimal MB (10**6 bytes) too.
"""

from __future__ import annotations

import json
import queue
import sys
import time
from pathlib import Path

from jupyter_client.manager import start_new_kernel

PROBE = (
    "import re as __re\n"
    "print({k: int(v) for k, v in __re.findall(r'^(VmRSS|VmHWM):\\s+(\\d+) kB', "
    "open('/proc/self/status').read(), __re.M)})"
)


def _run(client, code: str, timeout: float = 600, store_history: bool = False) -> tuple[str, str | None]:
    """Execute ``code``; return (stdout, error name or None)."""
    msg_id = client.execute(code, store_history=store_history)
    out, error = [], None
    while True:
        try:
            msg = client.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no answer from the kernel in {timeout} s") from None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream" and content["name"] == "stdout":
            out.append(content["text"])
        elif kind == "error":
            error = content["ename"]
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out), error


def profile(path: Path) -> list[tuple[int, str, float, float]]:
    """[(cell index, first line, RSS MiB, peak MiB)] after each code cell, and once more after the last."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(path.parent))
    rows = []
    try:
        for index, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            _, error = _run(client, source, store_history=True)  # as a learner runs it: Out[n] keeps results
            if error:
                raise RuntimeError(f"{path.name} cell {index} raised {error}")
            stats = eval(_run(client, PROBE)[0])  # a dict the probe printed
            first = next((line for line in source.splitlines() if not line.startswith("#")), "")
            rows.append((index, first[:60], stats["VmRSS"] / 1024, stats["VmHWM"] / 1024))
        # once more, a second after the last cell: whatever the kernel still does for it (its output sent,
        # a widget's messages) counts too
        time.sleep(1)
        stats = eval(_run(client, PROBE)[0])
        rows.append((len(nb["cells"]), "(probed again after the last cell)", stats["VmRSS"] / 1024,
                     stats["VmHWM"] / 1024))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return rows


def main(paths: list[str]) -> None:
    for name in paths:
        rows = profile(Path(name))
        peak = max(r[3] for r in rows)
        print(f"{name}: peak {peak:.1f} MiB ({peak * 2**20 / 1e6:.1f} MB), after the last cell "
              f"{rows[-1][2]:.1f} MiB RSS")
        growth = [(rows[i][3] - (rows[i - 1][3] if i else 0), rows[i]) for i in range(len(rows))]
        print("  cells that raised the peak most (MiB, cell, RSS after, peak after):")
        for grew, (index, first, rss, hwm) in sorted(growth, reverse=True)[:8]:
            print(f"    +{grew:5.1f}  [{index:3d}] {first:60s} {rss:6.0f} {hwm:6.0f}")


if __name__ == "__main__":
    main(sys.argv[1:] or sorted(str(p) for p in Path("notebooks").glob("0*.ipynb")))
