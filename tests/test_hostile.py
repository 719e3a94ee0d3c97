"""Hostile arguments for every public function of every layer (issue 21): only a ValueError or TypeError that
names the argument comes out — quickly, within a memory cap — and a learner-facing checker answers a hostile
answer with feedback.

The cases (function × parameter × hostile value) and the capped worker process are in ``tests/hostile.py``;
hypothesis draws from them. The full sweep (every case, about 13,000) runs with ``python tests/hostile.py``.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile

CASES = hostile.cases()
DRAWN = [c for c in CASES if not c[0].startswith(("convlab.figures", "convlab.widgets"))]
PAINTED = [c for c in CASES if c[0].startswith(("convlab.figures", "convlab.widgets"))]


@pytest.fixture(scope="module")
def runner():
    r = hostile.Runner()
    yield r
    r.close()


def _check(runner, case):
    verdict, detail = runner.run(case)
    assert verdict == "ok", f"{case[0]}({case[1]}={case[2]}): {verdict}: {detail}"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(DRAWN))
def test_engine_data_lessons_and_nets_refuse_hostile_arguments_by_name(runner, case):
    _check(runner, case)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(PAINTED))
def test_figures_and_widgets_refuse_hostile_arguments_by_name(runner, case):
    _check(runner, case)


def test_every_layer_has_cases():
    layers = {c[0].split(".")[1] if c[0].count(".") > 1 else "convlab" for c in CASES}
    assert {"core", "views", "data", "lessons", "nets", "figures", "widgets", "convlab"} <= layers


@pytest.mark.parametrize("case, verdict", [
    (("convlab.core.ops.relu", "x", "str"), "ok"),  # a TypeError naming x
    (("convlab.core.ops.relu", "x", "broadcast view"), "ok"),  # refused on its shape, before the 28 GB copy
])
def test_the_worker_tells_a_named_refusal(runner, case, verdict):
    assert runner.run(case)[0] == verdict


def test_the_worker_catches_a_hang_and_a_crash():
    # a function that sleeps and one that raises KeyError, run through the same worker
    r = hostile.Runner()
    try:
        assert r.probe("import time; time.sleep(60)")[0] == "hang"
        assert r.probe("{}['x']")[0] == "crash"
        assert r.probe("bytearray(3 << 30)")[0] == "memory"  # over the address-space cap
    finally:
        r.close()
