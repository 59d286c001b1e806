"""The surrogate's parameters from a plan: time constants from the sections, weights from the
conductances, and the summing amplifiers' finite gain against the closed form; on onchip the
nominal surrogate against ngspice."""

from __future__ import annotations

import numpy as np
from conftest import EXAMPLES
from spice_cases import needs_ngspice

from vle import load_model
from vle.fidelity import realised_network
from vle.fidelity.montecarlo import sample_result
from vle.fidelity.surrogate import summing_gains
from vle.mapping import compile_plan
from vle.sim.trace_comparison import compare_results

SURROGATE_VS_SPICE_ONCHIP = 3e-4
"""NRMSE of out.r, nominal LagLine on onchip, surrogate against ngspice: measured 1.5e-4 with
the summing amplifiers' finite gain (A = 1e4) in the surrogate and 7.1e-4 without it."""


def test_time_constants_and_weights_come_from_the_parts() -> None:
    model = load_model(EXAMPLES / "lagline.toml")
    plan, _ = compile_plan(model, "discrete")
    net = realised_network(plan)
    v = plan.values[("", "out", 0, "neuron")]
    tau_m, tau_r = net.population("out").taus
    assert tau_m[0] == v.b / plan.time_scale and tau_r[0] == v.a / plan.time_scale
    w = plan.conductances["h1->out"].realised
    g1, g2 = summing_gains(plan, "out", 1)
    assert np.allclose(net.projection("h1", "out").weights, w * g1[0], rtol=1e-15)
    assert 0.9999 < g1[0] < 1 and g2[0] < 1


def test_summing_gain_closed_form_on_onchip() -> None:
    plan, _ = compile_plan(load_model(EXAMPLES / "lagline.toml"), "onchip")
    tech = plan.technology
    assert tech.opamp is not None
    a, rf = tech.opamp.dc_gain, tech.feedback_resistance
    g = plan.conductances["h1->out"].conductance[0, 0]
    assert g > 0  # one positive synapse, no bias: N1 = 1 + R_f G, N2 = 2
    g1, g2 = summing_gains(plan, "out", 1)
    assert np.isclose(g1[0], 1 / ((1 + (1 + rf * g) / a) * (1 + 2 / a)), rtol=1e-15)
    assert np.isclose(g2[0], 1 / (1 + 2 / a), rtol=1e-15)
    ideal, _ = compile_plan(load_model(EXAMPLES / "lagline.toml"), "ideal")
    assert all(np.all(x == 1) for x in summing_gains(ideal, "out", 1))


@needs_ngspice
def test_nominal_surrogate_against_ngspice_on_onchip() -> None:
    model = load_model(EXAMPLES / "lagline.toml")
    num = sample_result(model, "onchip", None)
    spi = sample_result(model, "onchip", None, backend="spice")
    row, = compare_results(spi, num, traces=["out.r"]).rows
    assert row.nrmse < SURROGATE_VS_SPICE_ONCHIP
