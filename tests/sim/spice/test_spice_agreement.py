"""The SPICE backend against the numba reference: ideal technology, exact scheme, small dt.

The ideal netlist follows the continuous equations; the reference is first order in dt, so
what remains is the reference's error, which halves with dt (checked below). Bounds are the
issue's: normalised RMS error (vle.sim.trace_comparison.nrmse: RMS error / range of the reference
trace) at most 1e-3 on every trace.
"""

from __future__ import annotations

import numpy as np
from conftest import EXAMPLES
from spice_cases import SPICE_MARKS, three_layer_model

from vle import load_model, simulate_model
from vle.sim.trace_comparison import compare_results

pytestmark = SPICE_MARKS

AGREEMENT = 1e-3
"""The issue's bound on the normalised RMS error for the ideal technology at small dt
(measured: LagLine 1.1e-4 at dt = 1e-3; 8 -> 16 -> 8 -> 4 forward 1.1e-4, with error neurons
2.2e-4 at dt = 1e-3; LagLine learning 5.5e-4 on the weights, 4.1e-4 on e at dt = 2.5e-4)."""


def _check(spice, numba, traces: list[str]) -> None:
    comparison = compare_results(spice, numba, tolerance=AGREEMENT, traces=traces)
    assert comparison.passed, "\n" + comparison.table()


def test_lagline(lagline_path) -> None:
    model = load_model(lagline_path).with_simulation(dt=1e-3)
    numba, spice = simulate_model(model), simulate_model(model, backend="spice")
    assert spice.time.shape == numba.time.shape and spice.metadata["backend"] == "spice"
    _check(spice, numba, [f"{p}.{q}" for p in ("h1", "out") for q in ("u", "ub", "r")])
    # the input is the same signal (a sum of sines sampled at ngspice's time points)
    np.testing.assert_allclose(spice["x.r"], numba["x.r"], atol=1e-7)


def test_three_layers_forward() -> None:
    model = three_layer_model(dt=1e-3, t_stop=10.0)
    numba, spice = simulate_model(model), simulate_model(model, backend="spice")
    assert spice["h1.u"].shape == (10001, 16)
    _check(spice, numba, [f"{p}.{q}" for p in ("h1", "h2", "out") for q in ("u", "ub", "r")])


def test_three_layers_with_error_neurons() -> None:
    model = three_layer_model(dt=1e-3, t_stop=10.0, errors=True)
    numba, spice = simulate_model(model), simulate_model(model, backend="spice")
    assert not spice.metadata["plastic"] and spice.metadata["errors"]
    _check(spice, numba, [f"{p}.{q}" for p in ("h1", "h2", "out")
                          for q in ("u", "ub", "r", "v", "e")] + ["loss"])


def _learning(dt: float, t_stop: float):
    model = load_model(EXAMPLES / "lagline_gle.toml").with_simulation(dt=dt, t_stop=t_stop)
    record = ["u", "ub", "r", "v", "e", "W", "loss"]
    numba = simulate_model(model, plastic=True, record=record)
    spice = simulate_model(model, backend="spice", plastic=True, record=record)
    return numba, spice


def test_lagline_learning_weight_trajectories() -> None:
    numba, spice = _learning(dt=2.5e-4, t_stop=10.0)
    for w in ("x->h1.W", "h1->out.W"):
        assert np.ptp(numba[w]) > 0.05, f"{w} hardly moved: nothing to compare"
    _check(spice, numba, ["x->h1.W", "h1->out.W"] + [
        f"{p}.{q}" for p in ("h1", "out") for q in ("u", "ub", "r", "v", "e")])


def test_remaining_difference_is_the_references_first_order_error() -> None:
    errors = []
    for dt in (1e-3, 5e-4):
        numba, spice = _learning(dt=dt, t_stop=6.0)
        comparison = compare_results(spice, numba)
        errors.append({r.trace: r.nrmse for r in comparison.rows})
    for trace in ("h1.u", "out.r", "h1.e", "out.e", "x->h1.W", "h1->out.W"):
        ratio = errors[0][trace] / errors[1][trace]
        assert 1.8 < ratio < 2.2, f"{trace}: halving dt divided the difference by {ratio:.2f}"


def test_grid_and_metadata_follow_the_reference(lagline_path) -> None:
    model = load_model(lagline_path).with_simulation(t_stop=4.0)
    numba = simulate_model(model, record_every=7)
    spice = simulate_model(model, backend="spice", record_every=7)
    np.testing.assert_array_equal(spice.time, numba.time)
    assert set(spice.traces) == set(numba.traces)
    for key in ("dt", "t_stop", "n_steps", "record_every", "batched", "network", "errors"):
        assert spice.metadata[key] == numba.metadata[key], key
    meta = spice.metadata
    assert meta["technology"] == "ideal" and meta["runner"] == "batch"
    assert meta["versions"]["ngspice"] not in ("unknown", "not installed")
    assert meta["spice_points"][0] > len(spice.time) and meta["ngspice_warnings"] == []


PHYSICAL_FLOOR = 5e-4
"""Five times the ideal technology's LagLine residual (1.1e-4; measured discrete 1.6e-3, onchip
4.2e-3): parts within 1-5 % and finite op-amps must show above it, or the technology is not in
effect."""


def test_physical_technologies_within_their_default_bounds(lagline_path) -> None:
    """``vle compare``'s defaults for discrete and onchip hold on LagLine (measured 1.6e-3 and
    4.2e-3), and the technologies really are physical: well above the ideal residual."""
    from vle.sim.trace_comparison import TECHNOLOGY_TOLERANCE

    model = load_model(lagline_path).with_simulation(dt=1e-3)
    numba = simulate_model(model)
    traces = [f"{p}.{q}" for p in ("h1", "out") for q in ("u", "ub", "r")]
    for tech in ("discrete", "onchip"):
        spice = simulate_model(model, backend="spice", technology=tech)
        comparison = compare_results(spice, numba, tolerance=TECHNOLOGY_TOLERANCE[tech],
                                     traces=traces)
        assert comparison.passed, f"{tech}\n" + comparison.table()
        worst = comparison.worst()
        assert worst is not None and worst.nrmse > PHYSICAL_FLOOR, f"{tech}\n" + comparison.table()
