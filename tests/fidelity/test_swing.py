"""The issue's closed form for the op-amps' output swing: a unit driven beyond the rail
integrates the rail, in ngspice and on the numba surrogate.

One input, one linear neuron on discrete parts (v_unit = 1 V). A negative weight's
conductance goes to the second op-amp of the summing amplifier alone (the first carries only
positive weights), so with ``W = -2`` and a step ``x = -8`` the drive would be 16 V; op-amp 2
stops at its upper limit ``V_high2`` and the membrane potential follows
``u(t) = V_high2 / v_unit (1 - exp(-t / tau_m))`` with the drawn section's ``tau_m``. A
positive weight's conductance goes to op-amp 1, whose output ``V(o1) = -16 V`` stops at
``V_low1`` and which op-amp 2 inverts at its noise gain 2: the drive is
``min(V_high2, -V_low1 / (1 + 2 / A))``. The prediction is written from the plan's drawn limits
and section and the technology's ``A``, not through the surrogate.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from helpers import stepped_unit
from spice_cases import needs_ngspice

from vle import Model
from vle.circuits import get_technology, write_netlist
from vle.circuits.nonidealities import NonIdeality, NonIdealityError, get_nonideality
from vle.fidelity import realised_network, sample_variation
from vle.fidelity.montecarlo import sample_result
from vle.fidelity.run import parse_nonideality
from vle.mapping import Variation, compile_plan
from vle.mapping.variation import opamp_swings
from vle.sim import simulate

T_STOP = 5.0
"""Five membrane time constants: the rail is reached from the first step, so the whole
trace is the closed form; a short run keeps the ngspice cases small."""
RAIL_SURROGATE = 1e-12
"""The surrogate against the closed form, relative, at every step after t = 0: the exact
scheme integrates a constant drive exactly, so this is rounding over 500 steps (measured
1e-14 at most)."""
RAIL_SPICE = 1e-5
"""ngspice against the closed form, relative, at t_stop. Measured 7e-8 in all five cases
(9e-7 at most over t >= 1): the clamp of the macro-model's output is exact, so what is left is
the op-amps' start (the pole node reaches the rail through the closed-loop bandwidth,
N / (2 pi GBW) = 0.1 us against tau_m = 1 ms) and the transient's truncation error under
discrete's reltol 1e-4; 1e-5 leaves room for other ngspice builds and steps, and a drive
that did not rail (16 V) would miss by 25 % or more."""

EXACT = get_nonideality("opamp-swing", value=5.0, sigma=0.0)
"""Every summing-stage op-amp swings in [-5, 5] V (``opamp-swing=5``)."""
DRAWN = get_nonideality("opamp-swing")
"""The technology's rails (+-12 V on discrete) and spread (0.5 V), read back from the plan."""


def _one_unit(weight: float, amplitude: float) -> Model:
    return stepped_unit("swing", weight, amplitude, T_STOP)


def predicted(model: Model, variation: Variation) -> np.ndarray:
    """``u`` on the grid when op-amp 2 sits at its rail: the upper one for a positive drive,
    the lower one for a negative drive."""
    plan, _ = compile_plan(model, "discrete", variation=variation)
    low1, high1, low2, high2 = opamp_swings(plan)[("", "n", 0)]
    w = model.network.projections[0].weights[0, 0]
    amplitude = model.stimuli["x"].amplitude  # type: ignore[union-attr]
    rail = high2 if w * amplitude > 0 else low2
    if w > 0:  # op-amp 1 first, then op-amp 2 inverting it at noise gain 2
        assert plan.technology.opamp is not None
        g2 = 1 / (1 + 2 / plan.technology.opamp.dc_gain)
        rail = min(high2, -g2 * low1) if amplitude > 0 else max(low2, -g2 * high1)
    tau_m = plan.values[("", "n", 0, "neuron")].b / plan.time_scale
    t = np.arange(model.simulation.n_steps + 1) * model.simulation.dt
    return rail / plan.v_unit * -np.expm1(-t / tau_m)


CASES = [
    pytest.param(-2.0, -8.0, EXACT, 0, id="W=-2,x=-8,5V"),  # +16 V into a 5 V rail
    pytest.param(-2.0, 8.0, EXACT, 0, id="W=-2,x=+8,5V"),  # -16 V into the -5 V rail
    pytest.param(-2.0, -8.0, DRAWN, 3, id="W=-2,x=-8,drawn"),  # +16 V, rail near 12 V
    pytest.param(2.0, 8.0, DRAWN, 4, id="W=+2,x=+8,drawn"),  # op-amp 1's -11.54 V rail
    pytest.param(2.0, -8.0, DRAWN, 3, id="W=+2,x=-8,drawn"),  # op-amp 1's 11.78 V rail
]


@pytest.mark.parametrize(("weight", "amplitude", "ni", "seed"), CASES)
def test_surrogate_rails_at_the_predicted_limit(weight: float, amplitude: float,
                                                ni: NonIdeality, seed: int) -> None:
    model = _one_unit(weight, amplitude)
    var = sample_variation((ni,), seed, 0)
    res = sample_result(model, "discrete", var, record=["n.u"])
    np.testing.assert_allclose(res["n.u"][:, 0], predicted(model, var), rtol=RAIL_SURROGATE,
                               atol=1e-15)


@needs_ngspice
@pytest.mark.parametrize(("weight", "amplitude", "ni", "seed"), CASES)
def test_spice_rails_at_the_predicted_limit(weight: float, amplitude: float, ni: NonIdeality,
                                            seed: int) -> None:
    model = _one_unit(weight, amplitude)
    var = sample_variation((ni,), seed, 0)
    want = predicted(model, var)[-1]
    res = sample_result(model, "discrete", var, backend="spice", record=["n.u"])
    assert float(res["n.u"][-1, 0]) == pytest.approx(want, rel=RAIL_SPICE)


def test_a_drive_inside_the_rails_is_unchanged_bit_for_bit() -> None:
    model = _one_unit(-0.5, -0.8)  # 0.4 V, far inside +-5 V
    var = sample_variation((EXACT,), 0, 0)
    plan, _ = compile_plan(model, "discrete", variation=var)
    net = realised_network(plan)
    assert net.population("n").saturating
    free = dataclasses.replace(net, populations=tuple(
        p if p.is_input else dataclasses.replace(p, drive_limits=None)
        for p in net.populations))
    sim = model.simulation
    runs = [simulate(n, model.stimuli, t_stop=sim.t_stop, dt=sim.dt, record=["n.u", "n.r"])
            for n in (net, free)]
    nominal = sample_result(model, "discrete", None, record=["n.u", "n.r"])
    for trace in ("n.u", "n.r"):
        assert np.array_equal(runs[0][trace], runs[1][trace])
        assert np.array_equal(runs[0][trace], nominal[trace])


def test_each_rail_spreads_by_the_technology_sigma() -> None:
    n = 200_000
    bound = 5.0 / np.sqrt(n)  # 7 standard errors of a sample standard deviation
    for tech, sigma in (("discrete", 0.5), ("onchip", 0.02)):
        d = DRAWN.swing_errors(np.random.default_rng(1), n, get_technology(tech))
        assert d.shape == (n, 2)
        assert np.std(d, axis=0) == pytest.approx([sigma, sigma], rel=bound)
        assert np.abs(np.mean(d, axis=0)).max() < 5 * sigma / np.sqrt(n)
    d = EXACT.swing_errors(np.random.default_rng(1), 3, get_technology("discrete"))
    assert np.array_equal(d, np.tile([7.0, -7.0], (3, 1)))  # [-12, 12] V to [-5, 5] V


def test_same_seed_same_limits_and_bits() -> None:
    model = _one_unit(-2.0, -8.0)
    limits = [opamp_swings(compile_plan(model, "discrete",
                                        variation=sample_variation((DRAWN,), 9, i))[0])
              for i in (4, 4, 5)]
    assert limits[0] == limits[1] != limits[2]
    assert all(len(v) == 4 for v in limits[0].values())
    runs = [sample_result(model, "discrete", sample_variation((DRAWN,), 9, i), record=["n.u"])
            for i in (4, 4, 5)]
    assert np.array_equal(runs[0]["n.u"], runs[1]["n.u"])
    assert not np.array_equal(runs[0]["n.u"], runs[2]["n.u"])


def test_other_draws_keep_their_bits_with_swing_named() -> None:
    model = _one_unit(-2.0, -8.0)
    tol = get_nonideality("resistor-tolerance")
    alone = compile_plan(model, "discrete", variation=Variation(2, (tol,)))[0]
    both = compile_plan(model, "discrete", variation=Variation(2, (tol, DRAWN)))[0]
    assert alone.values == both.values


@pytest.mark.parametrize(("text", "message"), [
    ("opamp-swing=-1", "must be a voltage > 0"),
    ("opamp-swing=0", "must be a voltage > 0"),
])
def test_a_bad_limit_is_one_clear_message(text: str, message: str) -> None:
    with pytest.raises(NonIdealityError, match=message):
        parse_nonideality(text, "discrete")


def test_a_technology_without_op_amps_is_refused_by_name() -> None:
    model = _one_unit(-2.0, -8.0)
    refusal = "opamp-swing: technology 'ideal' has no op-amps"
    with pytest.raises(NonIdealityError, match=refusal):
        parse_nonideality("opamp-swing", "ideal")
    with pytest.raises(NonIdealityError, match=refusal):
        compile_plan(model, "ideal", variation=Variation(0, (DRAWN,)))


def test_the_netlist_realises_each_op_amp_limit() -> None:
    model = _one_unit(-2.0, -8.0)
    var = sample_variation((DRAWN,), 3, 0)
    plan, _ = compile_plan(model, "discrete", variation=var)
    assert plan.circuit is not None
    text = write_netlist(plan.circuit)
    limits = opamp_swings(plan)[("", "n", 0)]
    assert "Bout out 0 V=min(max(v(p),v(lo)),v(hi))" in text
    for name, volts in zip(("Vlo1_n_0", "Vhi1_n_0", "Vlo2_n_0", "Vhi2_n_0"), limits,
                           strict=True):
        line = next(x for x in text.splitlines() if x.startswith(name + " "))
        assert math.isclose(float(line.split()[-1]), volts, rel_tol=1e-11)
