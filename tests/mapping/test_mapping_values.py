"""Value selection: every discrete realisation of a time constant from 1 us to 10 ms is
within 1.5 % and uses in-range E96 resistors and E12 capacitors; what cannot be realised is an
error naming the population, the quantity and the limit."""

import itertools

import numpy as np
import pytest

from vle.circuits import get_technology
from vle.circuits.eseries import series_values
from vle.mapping import MappingError, compile
from vle.mapping.plan import Part, SectionRequest
from vle.mapping.value_selection import select_section
from vle.model import Model, Network, Population, Projection, SimulationSettings, Sine

ROUNDING = 1e-11
"""Ideal values are rounded to 12 significant digits (5e-13 relative each); a time constant is
a product of two of them."""
DISCRETE_TOLERANCE = 0.015
"""The issue's requirement for discrete parts: each tau within 1.5 %."""
TAUS = np.geomspace(1e-6, 1e-2, 13)
"""A spread of time constants in seconds, 1 us to 10 ms (a factor of 2.15 apart)."""


def _request(tech: str, a: float, b: float, role: str = "neuron") -> SectionRequest:
    net = Network("n", (Population("x", 1, kind="input"), Population("h", 1, tau_m=1.0)),
                  (Projection("x", "h", np.ones((1, 1))),))
    return SectionRequest(Part("", "", net, get_technology(tech), False), "h", 0, role, a, b)


def _in_series(value: float, series: str, low: float, high: float) -> bool:
    return any(abs(value / v - 1) < 1e-12 for v in series_values(series, low, high))


PAIRS = [(m, r) for m, r in itertools.product(TAUS, TAUS)]


@pytest.mark.parametrize(("tau_m", "tau_r"), PAIRS)
def test_discrete_realisations_within_tolerance_and_range(tau_m: float, tau_r: float) -> None:
    tech = get_technology("discrete")
    assert tech.resistor is not None and tech.capacitor is not None
    for role, (a, b) in (("neuron", (tau_r, tau_m)), ("error", (tau_m, tau_r))):
        v = select_section(_request("discrete", a, b, role))
        assert abs(v.a / a - 1) <= DISCRETE_TOLERANCE
        assert abs(v.b / b - 1) <= DISCRETE_TOLERANCE
        assert _in_series(v.c, "E12", tech.capacitor.low, tech.capacitor.high)
        resistors = [v.r2, v.r1] if v.kind == "lag" else [v.r, v.ra, v.rb]
        for r in resistors:
            assert r == 0 or _in_series(r, "E96", tech.resistor.low, tech.resistor.high), r
        if v.kind == "lag":
            assert v.r1 > 0 or abs(a / b - 1) <= DISCRETE_TOLERANCE
            assert a <= b * (1 + DISCRETE_TOLERANCE)
        else:
            assert v.gain == pytest.approx(1 + v.rb / v.ra)  # type: ignore[operator]
            assert a > b


@pytest.mark.parametrize(("tau_m", "tau_r"), PAIRS)
def test_ideal_realisations_are_exact(tau_m: float, tau_r: float) -> None:
    v = select_section(_request("ideal", tau_r, tau_m))
    assert v.a == pytest.approx(tau_r, rel=ROUNDING) and v.b == pytest.approx(tau_m, rel=ROUNDING)


@pytest.mark.parametrize(("tau_m", "tau_r"), list(itertools.product(TAUS[:7] / 100,
                                                                     TAUS[:7] / 100)))
def test_onchip_realisations_in_range(tau_m: float, tau_r: float) -> None:
    # on-chip time constants span 10 ns to 10 us here (R <= 10 Meg, C <= 20 pF)
    tech = get_technology("onchip")
    assert tech.resistor is not None and tech.capacitor is not None
    assert tech.capacitor_unit is not None
    v = select_section(_request("onchip", tau_r, tau_m))
    assert abs(v.a / tau_r - 1) <= tech.tolerance and abs(v.b / tau_m - 1) <= tech.tolerance
    assert v.c in tech.capacitor
    assert v.c / tech.capacitor_unit == pytest.approx(round(v.c / tech.capacitor_unit))
    for r in ([v.r1, v.r2] if v.kind == "lag" else [v.r, v.ra, v.rb]):
        assert r == 0 or r in tech.resistor


def _model(tau_m: float, tau_r: float, time_scale_hint: str = "") -> Model:
    net = Network("n", (Population("x", 1, kind="input"),
                        Population("h1", 1, tau_m=tau_m, tau_r=tau_r, phi="tanh")),
                  (Projection("x", "h1", np.ones((1, 1))),))
    return Model(net, {"x": Sine()}, SimulationSettings(dt=min(tau_m, tau_r), t_stop=1.0))


def test_too_short_a_time_constant_names_population_quantity_and_limit() -> None:
    with pytest.raises(MappingError) as err:
        compile(_model(1.0, 0.1), "discrete", time_scale=1e-8)
    text = str(err.value)
    assert text.startswith("population h1 unit 0: tau_r = 1e-09 s is below")
    assert "limit: R C >= 100 ohm x 100pF = 10ns" in text
    assert "larger --time-scale" in text
    assert (err.value.item, err.value.quantity) == ("population h1 unit 0", "tau_r")


def test_too_long_a_time_constant_names_the_limit() -> None:
    with pytest.raises(MappingError) as err:
        compile(_model(1.0, 0.5), "discrete", time_scale=100.0)
    assert err.value.quantity == "tau_m"
    assert "above what technology 'discrete' can realise" in str(err.value)
    assert "limit: (R1 + R2) C <= 2 x 1Meg ohm x 10uF = 20s" in str(err.value)
    with pytest.raises(MappingError, match="population h1 unit 0: tau_m"):
        compile(_model(1.0, 0.5), "onchip", time_scale=1e-2)


def test_error_neurons_are_named_in_errors() -> None:
    with pytest.raises(MappingError, match=r"\(error neuron\): tau_r"):
        select_section(_request("discrete", 1.0, 1e-9, role="error"))


def test_report_lists_requested_against_realised() -> None:
    _, report = compile(_model(1.0, 0.25), "discrete")
    rows = {r.quantity: r for r in report.rows if r.item == "h1[0]"}
    assert rows["tau_m"].requested == pytest.approx(1e-3)
    assert rows["tau_r"].requested == pytest.approx(2.5e-4)
    assert 0 < rows["tau_m"].rel_error <= DISCRETE_TOLERANCE
    assert rows["tau_m"].unit == "s" and rows["tau_m"].detail.startswith("lag R1=")
    assert report.max_rel_error("tau_m") == rows["tau_m"].rel_error
