"""docs/hub_settings.md: the block a teacher pastes into ``jupyterhub_config.py`` configures what it says.

The block is run as a hub would run it (traitlets' ``c``), and a spawner made from that configuration is
read back: a line that stops working, or a key misspelt, fails here rather than in a class.
"""

from __future__ import annotations

import re
from pathlib import Path

from traitlets.config import Config

SETTINGS = Path(__file__).resolve().parents[1] / "docs" / "hub_settings.md"


def _configured() -> Config:
    block = re.search(r"```python\n(.*?)```", SETTINGS.read_text(encoding="utf-8"), re.S).group(1)
    c = Config()
    exec(compile(block, str(SETTINGS), "exec"), {"c": c, "get_config": lambda: c})
    return c


def test_the_pasted_block_gives_each_kernel_one_blas_thread_and_keeps_the_other_settings():
    from jupyterhub.app import JupyterHub
    from jupyterhub.spawner import LocalProcessSpawner

    c = _configured()
    spawner = LocalProcessSpawner(config=c)
    # a big matrix product waits for cores the other students' kernels hold (benchmarks/README.md, "OpenBLAS")
    assert spawner.environment["OPENBLAS_NUM_THREADS"] == "1"
    assert spawner.environment["OMP_NUM_THREADS"] == "1"
    assert "--KernelManager.transport=ipc" in spawner.args
    assert "--MappingKernelManager.cull_idle_timeout=1800" in spawner.args
    assert (spawner.http_timeout, spawner.start_timeout) == (120, 120)
    assert (spawner.mem_limit, spawner.mem_guarantee) == (1 << 30, 512 << 20)
    hub = JupyterHub(config=c)
    assert hub.concurrent_spawn_limit == 10
    assert [s["name"] for s in hub.services] == ["idle-culler"]
