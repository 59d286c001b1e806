"""Cost models: area, static power, energy and speed of a compiled circuit, per population and
projection, held to closed forms written out from the technologies' stated numbers and to
part counts made independently from the flattened netlist."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import EXAMPLES
from helpers import single_neuron

from vle.circuits import Capacitor, Resistor, get_technology
from vle.circuits.technology import CostModel, Technology
from vle.mapping import CostReport, MappingError, PopulationCost, compile_plan, plan_cost
from vle.model import Model, load_model
from vle.model.loader import model_files

ROUNDING = 1e-12
"""Relative difference allowed between a closed form and the report: both sum the same few
floating-point terms in different orders (about 1e-16 each)."""
MODELS = [p for p in model_files(EXAMPLES) if load_model(p).dataset is None]
"""The example models with a netlist (a dataset-fed input has no netlist source)."""
PHYSICAL = ("discrete", "onchip")

# the onchip numbers as circuits/builtin_technologies.py states them, written out again
CHIP_SUPPLY = 1.8  # V
OTA_CC, OTA_V_OV, OTA_RATIO = 0.5e-12, 0.2, 3.0  # F, V, total / tail current
OTA_AREA = 2000e-12 + 0.5e-12 / 2e-3  # m^2: devices plus C_c at 2 fF/um^2
SHEET, WIDTH, HEADS = 1e3, 1e-6, 4e-12  # ohm/sq, m, m^2


def _cost(model: Model, tech: str | Technology, **options: float) -> CostReport:
    plan, _ = compile_plan(model, tech, **options)
    return plan_cost(plan)


def _block(report: CostReport, name: str) -> PopulationCost:
    (block,) = [p for p in report.populations if p.name == name]
    return block


def _onchip_resistor(r: float) -> float:
    """(1 + 1) W L + heads with L = (R / R_sheet) W."""
    return 2 * WIDTH * (r / SHEET * WIDTH) + HEADS


def _ota_power(gbw: float) -> float:
    """V_supply * 3 * I_tail, I_tail = 2 pi GBW C_c V_ov (Miller OTA, strong inversion)."""
    return CHIP_SUPPLY * OTA_RATIO * 2 * math.pi * gbw * OTA_CC * OTA_V_OV


def test_one_neuron_on_chip_matches_the_closed_form() -> None:
    tech = get_technology("onchip")
    plan, _ = compile_plan(single_neuron(1.0, 0.1), tech)
    report = plan_cost(plan)
    v = plan.values[("", "n", 0, "neuron")]
    assert v.kind == "lag" and v.r1 > 0
    n = _block(report, "n")
    # capacitor: the section's C at the MIM density, exactly
    assert n.capacitors == 1 and n.capacitor_area == v.c / 2e-3
    # resistors: the summing amplifier's three R_f, then R1 and R2 of the lag section
    rf = tech.feedback_resistance
    expected = sum(_onchip_resistor(r) for r in (rf, rf, rf, v.r1, v.r2))
    assert n.resistors == 5 and n.resistor_area == pytest.approx(expected, rel=ROUNDING)
    # op-amps: two in the summing amplifier, one following the section
    assert n.opamps == 3 and n.opamp_area == pytest.approx(3 * OTA_AREA, rel=ROUNDING)
    assert n.power == pytest.approx(3 * _ota_power(200e6), rel=ROUNDING)
    assert n.behavioural == 1  # phi
    (g,) = plan.conductances["x->n"].conductance.ravel()
    syn = _block(report, "x->n")
    assert (syn.kind, syn.resistors, syn.capacitors, syn.opamps) == ("projection", 1, 0, 0)
    assert syn.area == pytest.approx(_onchip_resistor(1 / abs(g)), rel=ROUNDING)
    assert syn.power == 0
    assert report.area == pytest.approx(n.area + syn.area, rel=ROUNDING)
    # about 0.68 mW per 200 MHz OTA
    assert report.power == pytest.approx(3 * 0.6786e-3, rel=1e-4)


@pytest.mark.parametrize("tech", PHYSICAL)
def test_doubling_gbw_doubles_power_and_nothing_else(tech: str) -> None:
    base = get_technology(tech)
    assert base.opamp is not None
    fast = replace(base, opamp=replace(base.opamp, gbw=2 * base.opamp.gbw))
    model = load_model(EXAMPLES / "lagline.toml")
    slow_cost, fast_cost = _cost(model, base), _cost(model, fast)
    assert fast_cost.power == pytest.approx(2 * slow_cost.power, rel=ROUNDING)
    assert fast_cost.area == slow_cost.area
    for a, b in zip(slow_cost.populations, fast_cost.populations, strict=True):
        assert (a.name, a.resistors, a.capacitors, a.opamps) == \
            (b.name, b.resistors, b.capacitors, b.opamps)


@pytest.mark.parametrize("tech", PHYSICAL)
@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_counts_match_the_flattened_netlist(path: Path, tech: str) -> None:
    try:
        plan, _ = compile_plan(load_model(path), tech)
    except MappingError:
        pytest.skip(f"{path.stem} is refused on {tech} (netlists/*.refused)")
    report = plan_cost(plan)
    assert plan.circuit is not None
    flat = [f for f in plan.circuit.flatten() if "teacher" not in f.name]
    # one transconductance Gm per op-amp macro-model
    assert report.opamps == sum(f.element.name == "Gm" for f in flat) > 0
    # parts: every R and C but the macro-model's pole network and the weight's leakage model
    assert report.resistors == sum(isinstance(f.element, Resistor) and
                                   f.element.name not in ("Rp", "Rleak") for f in flat)
    assert report.capacitors == sum(isinstance(f.element, Capacitor) and
                                    f.element.name != "Cp" for f in flat)
    # every student element belongs to a population or a projection
    names = {p.name for p in report.populations}
    net = plan.student.network
    assert names == {p.name for p in net.neurons} | {p.name for p in net.projections}


@pytest.mark.parametrize("tech", PHYSICAL)
def test_totals_are_the_sums_of_the_blocks(tech: str) -> None:
    report = _cost(load_model(EXAMPLES / "twolayer.toml"), tech)
    assert len(report.populations) > 2
    assert report.area == pytest.approx(
        sum(p.resistor_area + p.capacitor_area + p.opamp_area for p in report.populations),
        rel=ROUNDING)
    assert report.power == pytest.approx(sum(p.power for p in report.populations),
                                         rel=ROUNDING)
    cost = get_technology(tech).cost
    assert cost is not None
    opamp = get_technology(tech).opamp
    assert opamp is not None
    assert report.power == pytest.approx(report.opamps * cost.opamp_power(opamp.gbw),
                                         rel=ROUNDING)


def test_energy_and_speed_follow_the_time_scale() -> None:
    report = _cost(load_model(EXAMPLES / "lagline.toml"), "onchip", time_scale=1e-5)
    assert report.time_scale == 1e-5
    assert report.energy_per_time_unit == pytest.approx(report.power * 1e-5, rel=ROUNDING)
    assert report.energy_per_step(0.01) == pytest.approx(report.power * 0.01 * 1e-5,
                                                         rel=ROUNDING)
    assert report.speed == pytest.approx(1e5, rel=ROUNDING)


def test_metrics_are_the_sweep_keys_in_si_units() -> None:
    report = _cost(load_model(EXAMPLES / "lagline.toml"), "discrete")
    m = report.metrics()
    assert list(m) == ["area", "power", "energy_per_time_unit", "speed", "opamps",
                       "resistors", "capacitors"]
    assert all(isinstance(v, float) and math.isfinite(v) for v in m.values())
    assert m == {"area": report.area, "power": report.power,
                 "energy_per_time_unit": report.energy_per_time_unit, "speed": 1e3,
                 "opamps": 6.0, "resistors": 12.0, "capacitors": 2.0}


def test_discrete_weight_capacitors_are_film_bodies() -> None:
    # lagline_student learns both weights: each is a 1 uF capacitor, a 5 mm pitch box film
    report = _cost(load_model(EXAMPLES / "lagline_student.toml"), "discrete")
    for name in ("x->h1", "h1->out"):
        block = _block(report, name)
        assert (block.resistors, block.capacitors, block.opamps) == (0, 1, 0)
        assert block.capacitor_area == pytest.approx(7.2e-3 * 5.5e-3, rel=ROUNDING)
    assert any("teacher" in a for a in report.assumptions)


def test_ideal_has_no_cost_model() -> None:
    plan, _ = compile_plan(load_model(EXAMPLES / "lagline.toml"), "ideal")
    with pytest.raises(MappingError, match="technology 'ideal': has no cost model .*; use "
                                           "discrete or onchip"):
        plan_cost(plan)


def test_cost_model_is_validated() -> None:
    with pytest.raises(ValueError, match="opamp_area must be > 0"):
        CostModel(supply_voltage=1.0, opamp_current_per_gbw=1e-12, opamp_area=0.0)
    with pytest.raises(ValueError, match="ascending order"):
        CostModel(1.0, 1e-12, 1e-9, capacitor_footprints=((1e-6, 1.0), (1e-9, 1.0)))
    onchip = get_technology("onchip")
    with pytest.raises(ValueError, match="needs mismatch"):
        replace(onchip, mismatch=None)
    with pytest.raises(ValueError, match="needs capacitor_density"):
        replace(onchip, capacitor_density=None)


def test_a_capacitor_beyond_every_footprint_is_refused() -> None:
    discrete = get_technology("discrete")
    assert discrete.cost is not None
    small = replace(discrete, cost=replace(discrete.cost, capacitor_footprints=((1e-9, 1e-6),)))
    with pytest.raises(MappingError, match="larger than the largest footprint"):
        _cost(load_model(EXAMPLES / "lagline.toml"), small)
