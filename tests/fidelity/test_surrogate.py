"""The surrogate's parameters from a plan: time constants from the sections, weights from the
conductances, the summing amplifiers' finite gain and their op-amps' offsets against the closed
form; on onchip the nominal surrogate against ngspice."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import EXAMPLES
from spice_cases import needs_ngspice

from vle import load_model
from vle.circuits.nonidealities import get_nonideality
from vle.fidelity import realised_network
from vle.fidelity.montecarlo import sample_result
from vle.fidelity.surrogate import noise_gains, offset_bias, summing_gains
from vle.mapping import Variation, compile_plan
from vle.mapping.variation import opamp_offsets
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


def test_opamp_offsets_shift_the_bias_by_the_closed_form() -> None:
    model = load_model(EXAMPLES / "lagline.toml")
    nominal, _ = compile_plan(model, "onchip")
    plan, _ = compile_plan(model, "onchip", variation=Variation(5, (
        get_nonideality("opamp-offset"),)))
    tech = plan.technology
    assert tech.opamp is not None
    a, rf, v_unit = tech.opamp.dc_gain, tech.feedback_resistance, plan.v_unit
    g = plan.conductances["h1->out"].conductance[0, 0]
    n1, n2 = 1 + rf * g, 2.0  # one positive synapse, no bias
    got1, got2 = noise_gains(plan, "out", 1)
    assert got1[0] == pytest.approx(n1, rel=1e-15) and got2[0] == n2
    v1, v2 = opamp_offsets(plan)[("", "out", 0)]
    g1, g2 = 1 / (1 + n1 / a), 1 / (1 + n2 / a)
    want = g2 * (n2 * v2 - g1 * n1 * v1) / v_unit  # about 2 mV * 2 / 0.1 V: 0.04
    assert offset_bias(plan, "out", 1)[0] == pytest.approx(want, rel=1e-14)
    assert 1e-3 < abs(want) < 0.3
    net, plain = realised_network(plan), realised_network(nominal)
    assert net.population("out").bias_array[0] == offset_bias(plan, "out", 1)[0]  # no own bias
    assert not offset_bias(nominal, "out", 1).any()
    assert np.array_equal(plain.population("out").bias_array, [0.0])
    assert not offset_bias(compile_plan(model, "ideal")[0], "out", 1).any()


@needs_ngspice
def test_nominal_surrogate_against_ngspice_on_onchip() -> None:
    model = load_model(EXAMPLES / "lagline.toml")
    num = sample_result(model, "onchip", None)
    spi = sample_result(model, "onchip", None, backend="spice")
    row, = compare_results(spi, num, traces=["out.r"]).rows
    assert row.nrmse < SURROGATE_VS_SPICE_ONCHIP
