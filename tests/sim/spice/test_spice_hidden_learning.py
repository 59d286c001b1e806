"""Learning on the circuit with a hidden layer: examples/hidden_student.toml (1 -> 4 -> 1 tanh,
GLE, plain SGD on both projections and on every bias) learns in ngspice as in the numba
reference.

The ideal circuit is continuous in time and the reference's exact scheme is first order in
dt, so the difference between their learned weights and biases is the reference's own error:
it stays within :data:`LEARNED_PER_DT` times dt and halves when dt halves. (Both backends
learn from the same target, the teacher's rate simulated by the reference on the grid, which
the circuit plays as a PWL source; so ngspice's learned values move with dt too, through the
target: 7.5e-4 between dt = 1e-3 and 5e-4. With the teacher in the circuit instead, ngspice
over 20 time units is within 4e-6 of the reference's Richardson extrapolation, 2 n(dt/4) -
n(dt/2), and within 1.3e-6 at half its maximum step.) The hidden layer's
error reaches it through the transposed read of the plastic output crossbar; the biases are
plastic too (weight capacitors charged from the 1-unit rail). The discrete technology's parts
(E96 / E12 values, op-amps) move the learned values by a dt-independent amount, bounded by
:data:`DISCRETE_LEARNED`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import EXAMPLES
from helpers import load_script
from spice_cases import SPICE_MARKS

from vle import load_model, simulate_model
from vle.sim.trace_comparison import compare_results

pytestmark = SPICE_MARKS

LEARNED = ("x->h.W", "h->out.W", "h.b", "out.b")
"""The learned parameters: both projections' weights and both populations' biases."""
T_STOP = 40.0
"""Time units of learning (the example's epoch): the per-step loss falls elevenfold."""

LEARNED_PER_DT = 10.0
"""Bound on the largest difference, over the whole trajectory, of any learned weight or bias
(model units) between ngspice on the ideal circuit and numba, per model time unit of dt: the
reference's first-order error. Measured over 40 time units: 5.76e-3 at dt = 1e-3 and
2.87e-3 at 5e-4 (5.7 dt; at the end 5.61e-3 and 2.80e-3); a margin of about 1.7."""
DISCRETE_LEARNED = 1e-2
"""Bound on the largest difference, over 40 time units, of a learned weight or bias between
the discrete and the ideal circuit in ngspice (same target, dt = 1e-3): the parts' realised
time constants (within 0.44 % here) and finite op-amps. Measured 3.3e-3: 3.1e-3 by t = 0.3,
where the input's value at t = 0 steps the error neurons' lead sections (gain up to 10)
through op-amps of finite bandwidth, 1.2e-3 from t = 1 to 20, 2.9e-3 at the end (also 2.9e-3
at the end at dt = 5e-4); a margin of about 3. The discrete circuit is held against the ideal
one, not against numba on its realised values (vle.fidelity.realised_network): that surrogate
ties each error neuron's time constants to its neuron's (the circuit realises them with parts
of their own) and took 7.5e-3 from the discrete circuit's learned values at the end, where
nominal numba took 3.5e-3."""
DISCRETE_FLOOR = 1e-3
"""The discrete circuit must learn measurably differently from the ideal one (3.3e-3, with the
same target signal), or the technology is not in effect; ngspice's own step control moves
learned values by far less (4e-6, see the module docstring)."""
LOSS_FALL = 5.0
"""The mean per-step loss over the last quarter of the run must be this many times below the
first quarter's (measured: 1.06e-2 and 9.5e-4, 11x, in both simulators)."""

RECORD = ["u", "ub", "r", "v", "e", "W", "b", "loss"]


def _runs(dt: float, technology: str = "ideal") -> tuple[Any, Any]:
    model = load_model(EXAMPLES / "hidden_student.toml").with_simulation(dt=dt, t_stop=T_STOP)
    numba = simulate_model(model, plastic=True, record=RECORD)
    spice = simulate_model(model, backend="spice", plastic=True, record=RECORD,
                           technology=technology)
    return numba, spice


@pytest.fixture(scope="module")
def runs() -> dict[str, Any]:
    """numba and ngspice (ideal) at dt = 1e-3 and 5e-4, ngspice (discrete) at 1e-3."""
    out: dict[str, Any] = {}
    for dt in (1e-3, 5e-4):
        out[f"numba {dt:g}"], out[f"ideal {dt:g}"] = _runs(dt)
    out["discrete 0.001"] = simulate_model(
        load_model(EXAMPLES / "hidden_student.toml").with_simulation(dt=1e-3, t_stop=T_STOP),
        backend="spice", plastic=True, record=RECORD, technology="discrete")
    return out


def largest_difference(a: Any, b: Any, trace: str) -> float:
    """The largest difference of a learned trace over the whole run (model units)."""
    return float(np.max(np.abs(np.asarray(a[trace]) - np.asarray(b[trace]))))


def _quarters(loss: np.ndarray) -> tuple[float, float]:
    k = len(loss) // 4
    return float(np.nanmean(loss[:k])), float(np.nanmean(loss[-k:]))


@pytest.mark.slow
def test_hidden_layer_learns_weights_and_biases_as_the_reference(runs: dict[str, Any]) -> None:
    for dt in (1e-3, 5e-4):
        numba, spice = runs[f"numba {dt:g}"], runs[f"ideal {dt:g}"]
        for trace in LEARNED:
            moved = float(np.max(np.ptp(np.asarray(numba[trace]), axis=0)))
            assert moved > 0.05, f"{trace} hardly moved: nothing to compare"
            diff = largest_difference(spice, numba, trace)
            assert diff <= LEARNED_PER_DT * dt, (
                f"{trace} at dt = {dt:g}: ngspice and numba differ by {diff:.3g} "
                f"> {LEARNED_PER_DT:g} dt")
        for result in (numba, spice):
            first, last = _quarters(np.asarray(result["loss"]))
            assert last * LOSS_FALL < first, (result.metadata["backend"], first, last)


@pytest.mark.slow
def test_dt_halving_halves_the_difference(runs: dict[str, Any]) -> None:
    """The difference is the reference's first-order error: halving dt halves it, for every
    learned parameter and for the rates and errors of both layers."""
    diffs = [{t: largest_difference(runs[f"ideal {dt:g}"], runs[f"numba {dt:g}"], t)
              for t in LEARNED} for dt in (1e-3, 5e-4)]
    for trace in LEARNED:
        ratio = diffs[0][trace] / diffs[1][trace]
        assert 1.8 < ratio < 2.2, f"{trace}: halving dt divided the difference by {ratio:.2f}"
    nrmse = [{r.trace: r.nrmse for r in compare_results(runs[f"ideal {dt:g}"],
                                                        runs[f"numba {dt:g}"]).rows}
             for dt in (1e-3, 5e-4)]
    for trace in ("h.r", "out.r", "h.e", "out.e"):
        ratio = nrmse[0][trace] / nrmse[1][trace]
        assert 1.8 < ratio < 2.2, f"{trace}: halving dt divided the difference by {ratio:.2f}"


@pytest.mark.slow
def test_discrete_circuit_learns_within_its_bound(runs: dict[str, Any]) -> None:
    discrete, ideal, numba = runs["discrete 0.001"], runs["ideal 0.001"], runs["numba 0.001"]
    assert discrete.metadata["technology"] == "discrete"
    worst = max(largest_difference(discrete, ideal, t) for t in LEARNED)
    assert DISCRETE_FLOOR < worst <= DISCRETE_LEARNED, worst
    for trace in LEARNED:
        diff = largest_difference(discrete, numba, trace)
        assert diff <= LEARNED_PER_DT * 1e-3 + DISCRETE_LEARNED, (trace, diff)
    first, last = _quarters(np.asarray(discrete["loss"]))
    assert last * LOSS_FALL < first, (first, last)


def test_without_plasticity_the_biases_are_fixed() -> None:
    model = load_model(EXAMPLES / "hidden_student.toml").with_simulation(dt=1e-2, t_stop=1.0)
    spice = simulate_model(model, backend="spice", record=["e", "b"])
    assert "h.e" in spice.traces and "h.b" not in spice.traces
    assert "fixed bias" in spice.metadata["absent_traces"]["h.b"]
    plastic = simulate_model(model, backend="spice", plastic=True, record=["b"])
    assert plastic["h.b"].shape == (101, 4)


def test_example_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = load_script(EXAMPLES / "spice_hidden_learning.py")
    png = tmp_path / "loss.png"
    assert module.main(["--t-stop", "2", "--technology", "ideal", "--window", "0.5",
                        "--out", str(png)]) == 0
    text = capsys.readouterr().out
    assert "[ngspice ideal] dt = 0.001, 2 time units" in text and f"plot: {png}" in text
    line = next(ln for ln in text.splitlines() if "largest difference" in ln)
    assert float(line.split(":")[1].split()[0]) <= LEARNED_PER_DT * 1e-3
    assert png.stat().st_size > 10_000
