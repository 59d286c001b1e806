"""The temperature non-ideality: parts at T degC are x (1 + alpha (T - 25)); the closed form of
a section's time constant (plan, numba surrogate and ngspice), ratios of resistors (weights,
lead gains) left alone by the common shift, the per-part spread within its rating."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import EXAMPLES
from spice_cases import needs_ngspice
from test_montecarlo import TAU_FIT_NUMBA, TAU_FIT_SPICE, _fit_tau, _one_unit

from vle import load_model
from vle.circuits.nonidealities import (
    REFERENCE_TEMPERATURE,
    NonIdealityError,
    get_nonideality,
)
from vle.circuits.technology import get_technology
from vle.fidelity import realised_network, sample_variation
from vle.fidelity.montecarlo import sample_result
from vle.mapping import Variation, compile_plan

ROUNDING = 1e-15
"""A few float64 operations apart (R C with both scaled, a ratio of two resistors)."""

HOT = get_nonideality("temperature", value=125.0, resistor_tc=-1e-3, capacitor_tc=30e-6)
"""100 K above the rating: every resistor 10 % low, every capacitor 0.3 % high (no spread on
the ideal technology, which has no coefficients of its own)."""
HOT_FACTOR = (1 - 1e-3 * 100) * (1 + 30e-6 * 100)


def test_every_time_constant_moves_by_the_closed_form_and_weights_stay_on_onchip() -> None:
    model = load_model(EXAMPLES / "lagnet.toml")
    nominal, _ = compile_plan(model, "onchip")
    hot = get_nonideality("temperature", value=85.0)
    drawn, report = compile_plan(model, "onchip", variation=Variation(3, (hot,)))
    tech = get_technology("onchip")
    dt = 85.0 - REFERENCE_TEMPERATURE
    factor = (1 + tech.resistor_tc * dt) * (1 + tech.capacitor_tc * dt)  # 0.9418
    assert 0.94 < factor < 0.945
    student = nominal.student.prefix  # the teacher (test bench) stays nominal
    for key, v in nominal.values.items():
        w = drawn.values[key]
        if key[0] != student:
            assert w == v
            continue
        assert abs(w.b / v.b - factor) < ROUNDING and abs(w.a / v.a - factor) < ROUNDING
        if v.kind == "lead":  # its gain 1 + Rb/Ra is a ratio
            assert abs(w.gain / v.gain - 1) < ROUNDING
    for name, block in nominal.conductances.items():
        np.testing.assert_allclose(drawn.conductances[name].realised, block.realised,
                                   rtol=ROUNDING, atol=0)
    assert any("temperature: parts at 85 degC" in n for n in report.notes)


def test_discrete_parts_spread_within_their_rating_around_zero() -> None:
    model = load_model(EXAMPLES / "twolayer.toml")
    nominal, _ = compile_plan(model, "discrete")
    hot = get_nonideality("temperature", value=125.0)  # +-100 and +-30 ppm/K over 100 K
    drawn, _ = compile_plan(model, "discrete", variation=Variation(4, (hot,)))
    d_c = np.array([drawn.values[k].c / v.c - 1 for k, v in nominal.values.items()
                    if k[0] == nominal.student.prefix])
    assert np.all(np.abs(d_c) <= 30e-6 * 100) and np.any(d_c != 0)
    d_w = np.concatenate([(drawn.conductances[k].realised[b.realised != 0]
                           / b.realised[b.realised != 0] - 1).ravel()
                          for k, b in nominal.conductances.items()
                          if not k.startswith("teacher.")])
    # a weight W = R_f G with G = 1 / (R (1 + d)): within 1 / (1 +- 1 %) of nominal
    assert np.all(np.abs(d_w) <= 1 / (1 - 100e-6 * 100) - 1) and d_w.std() > 1e-3


def test_hot_unit_has_the_predicted_tau_in_numba() -> None:
    model = _one_unit()
    var = sample_variation((HOT,), 5, 0)
    nominal, _ = compile_plan(model, "ideal")
    tau = nominal.values[("", "n", 0, "neuron")].b / nominal.time_scale
    plan, _ = compile_plan(model, "ideal", variation=var)
    realised = float(realised_network(plan).population("n").taus[0][0])
    assert abs(realised / (tau * HOT_FACTOR) - 1) < ROUNDING
    res = sample_result(model, "ideal", var, record=["n.u"])
    assert abs(_fit_tau(res.time, res["n.u"][:, 0]) / (tau * HOT_FACTOR) - 1) < TAU_FIT_NUMBA


@needs_ngspice
def test_hot_unit_has_the_predicted_tau_in_spice() -> None:
    model = _one_unit()
    nominal, _ = compile_plan(model, "ideal")
    tau = nominal.values[("", "n", 0, "neuron")].b / nominal.time_scale
    res = sample_result(model, "ideal", sample_variation((HOT,), 5, 0), backend="spice",
                        record=["n.u"])
    assert abs(_fit_tau(res.time, res["n.u"][:, 0]) / (tau * HOT_FACTOR) - 1) < TAU_FIT_SPICE


def test_the_rating_temperature_changes_nothing_and_scaling_moves_the_difference() -> None:
    model = load_model(EXAMPLES / "lagline.toml")
    nominal, _ = compile_plan(model, "onchip")
    at_rating = get_nonideality("temperature", value=REFERENCE_TEMPERATURE)
    same, _ = compile_plan(model, "onchip", variation=Variation(1, (at_rating,)))
    assert all(same.values[k].b == v.b for k, v in nominal.values.items())
    doubled = HOT.scaled(2.0, get_technology("ideal"))
    assert doubled.params()["value"] == REFERENCE_TEMPERATURE + 2 * (125.0 - 25.0)


@pytest.mark.parametrize(("params", "tech", "fragment"), [
    ({"value": -300.0}, None, "above absolute zero"),
    ({"spread": -1e-6}, None, "spread -1e-06 must be >= 0"),
    ({"resistor_tc": float("nan")}, None, "resistor_tc nan must be a finite"),
    ({}, "ideal", "technology 'ideal' has no temperature coefficients"),
])
def test_bad_temperatures_are_one_clear_error(params, tech, fragment) -> None:
    with pytest.raises(NonIdealityError) as info:
        ni = get_nonideality("temperature", **params)
        assert tech is not None
        ni.check(get_technology(tech))
    assert fragment in str(info.value)
