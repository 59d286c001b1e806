"""Independent runs in parallel (one ngspice per worker process): the numbers of serial runs,
batches as one circuit per element, and per-run time limits."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from conftest import EXAMPLES
from spice_cases import SPICE_MARKS, processes_in

from vle import load_model, simulate
from vle.sim.spice.backend import simulate_models
from vle.sim.spice.errors import SpiceTimeout
from vle.sim.spice.pool import Job, run_jobs

pytestmark = SPICE_MARKS


def _variants() -> list:
    """LagLine with three different weights of its second projection (a small sweep)."""
    model = load_model(EXAMPLES / "lagline.toml").with_simulation(t_stop=8.0)
    return [model.with_parameters({"h1->out.W": np.array([[w]])}) for w in (1.0, 2.0, 3.0)]


@pytest.mark.parametrize("runner", ["batch", "pyspice"])
def test_parallel_equals_serial(runner: str) -> None:
    serial = simulate_models(_variants(), runner=runner, workers=1)
    parallel = simulate_models(_variants(), runner=runner, workers=2)
    for s, p in zip(serial, parallel, strict=True):
        np.testing.assert_array_equal(p.raw.time, s.raw.time)
        for name in s.raw.traces:
            np.testing.assert_array_equal(p.raw[name], s.raw[name])
    finals = [float(s.raw["out.r"][-1, 0]) for s in serial]
    assert len(set(finals)) == 3  # three different circuits


def test_batch_elements_are_circuits_of_their_own() -> None:
    net = load_model(EXAMPLES / "lagline.toml").network
    dt, n = 0.01, 300
    t = np.arange(n + 1) * dt
    x = np.stack([np.sin(w * t) for w in (0.5, 1.0, 2.0)], axis=1)[:, :, None]
    batched = simulate(net, {"x": x}, t_stop=n * dt, dt=dt, backend="spice", workers=2)
    assert batched["out.ub"].shape == (n + 1, 3, 1) and batched.metadata["batched"]
    for k in range(3):
        one = simulate(net, {"x": x[:, k, :]}, t_stop=n * dt, dt=dt, backend="spice")
        np.testing.assert_array_equal(batched["out.ub"][:, k, :], one["out.ub"])


def test_learning_over_a_batch_is_refused() -> None:
    model = load_model(EXAMPLES / "lagline_gle.toml")
    with pytest.raises(ValueError, match="cannot learn over a batch"):
        simulate(model.network, model.stimuli, t_stop=1.0, dt=0.01, backend="spice", batch=2,
                 learning=model.learning, targets={"out": np.zeros((101, 2, 1))},
                 plastic=True)


def test_time_limit_per_run(tmp_path: Path) -> None:
    quick = "quick\nV1 a 0 DC 1\nR1 a b 1k\nC1 b 0 1u\n.tran 1u 1m\n.end\n"
    slow = quick.replace(".tran 1u 1m", ".tran 1n 1 0 1n")
    jobs = [Job(quick, "quick", str(tmp_path / "a")), Job(slow, "slow", str(tmp_path / "b")),
            Job(quick, "quick2", str(tmp_path / "c"))]
    start = time.perf_counter()
    with pytest.raises(SpiceTimeout, match=r"slow\.cir.*no result within 1 s"):
        run_jobs(jobs, workers=2, timeout=1.0)
    assert time.perf_counter() - start < 30
    for folder in ("a", "b", "c"):
        assert processes_in(tmp_path / folder) == []
