"""The part-variation pass: one draw per physical part, the same bits for the same seed, a
stream per non-ideality, time constants and weights recomputed from the drawn parts, op-amp
offsets realised per summing-amplifier instance."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import EXAMPLES

from vle import load_model
from vle.circuits import format_value, write_netlist
from vle.circuits.engineering import significant
from vle.circuits.nonidealities import get_nonideality
from vle.mapping import Variation, compile, compile_plan
from vle.mapping.variation import (
    noise_seed,
    opamp_offsets,
    section_noise,
    section_resistances,
    spice_seed,
    stream,
)

ROUNDING = 4e-16
"""Two float64 multiplications apart (a time constant R C with C scaled by 1 + d)."""

CAP = get_nonideality("capacitor-tolerance")
RES = get_nonideality("resistor-tolerance")


@pytest.fixture(scope="module")
def lagline():
    return load_model(EXAMPLES / "lagline.toml")


def _plans(model, seed: int, *nis):
    """The nominal plan of ``model`` on discrete, and the plan and report of one draw."""
    nominal, _ = compile_plan(model, "discrete")
    drawn, report = compile_plan(model, "discrete", variation=Variation(seed, nis))
    return nominal, drawn, report


def test_a_capacitor_off_by_d_puts_both_time_constants_off_by_d(lagline) -> None:
    nominal, drawn, report = _plans(lagline, 7, CAP)
    for key, v in nominal.values.items():
        w = drawn.values[key]
        d = w.c / v.c - 1
        assert d != 0 and abs(d) <= 0.05
        assert abs(w.b / v.b - 1 - d) < ROUNDING and abs(w.a / v.a - 1 - d) < ROUNDING
        assert (w.r1, w.r2) == (v.r1, v.r2)
    assert "part variation" in report.passes
    rows = [r for r in report.rows if "part variation" in r.detail]
    assert {r.quantity for r in rows} == {"tau_m", "tau_r", "W"}
    assert all(r.rel_error < 0.051 for r in rows)


def test_same_seed_same_bits_and_other_seeds_differ(lagline) -> None:
    var = Variation(11, (RES, CAP))
    a = write_netlist(compile(lagline, "discrete", variation=var)[0])
    b = write_netlist(compile(lagline, "discrete", variation=Variation(11, (RES, CAP)))[0])
    c = write_netlist(compile(lagline, "discrete", variation=Variation(12, (RES, CAP)))[0])
    assert a == b and a != c
    assert a != write_netlist(compile(lagline, "discrete")[0])


def test_each_nonideality_draws_from_its_own_stream(lagline) -> None:
    _, alone, _ = _plans(lagline, 3, CAP)
    _, both, _ = _plans(lagline, 3, RES, CAP)
    for key, v in alone.values.items():
        assert both.values[key].c == v.c  # the capacitors drew the same values
        assert both.values[key].r2 != v.r2  # and the resistors moved too
    assert stream(3, "mismatch").random() != stream(3, "capacitor-tolerance").random()


def test_weights_follow_their_resistors(lagline) -> None:
    nominal, drawn, _ = _plans(lagline, 5, RES)
    for key, block in nominal.conductances.items():
        new = drawn.conductances[key]
        rel = new.realised / block.realised - 1
        assert np.all(np.abs(1 / (1 + rel) - 1) <= 0.01 * (1 + 1e-12))  # R (1 + d), |d| <= 1 %
        assert np.allclose(new.realised, new.conductance * 10e3, rtol=1e-15)


def test_the_teacher_stays_nominal() -> None:
    model = load_model(EXAMPLES / "lagline_student.toml")
    nominal, drawn, _ = _plans(model, 1, RES, CAP)
    teacher = [k for k in nominal.values if k[0] == "teacher_"]
    assert teacher and all(drawn.values[k] == nominal.values[k] for k in teacher)
    assert any(drawn.values[k] != nominal.values[k] for k in nominal.values if k[0] == "")


def test_bad_variations_are_refused(lagline) -> None:
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        Variation(-1, (CAP,))
    with pytest.raises(ValueError, match="each non-ideality once"):
        Variation(1, (CAP, CAP))
    with pytest.raises(ValueError, match="has no Pelgrom mismatch"):
        compile(lagline, "discrete", variation=Variation(1, (get_nonideality("mismatch"),)))


OFFSET = get_nonideality("opamp-offset")


def test_opamp_offsets_are_drawn_two_per_unit_and_realised_per_instance(lagline) -> None:
    plan, report = compile_plan(lagline, "discrete", variation=Variation(3, (OFFSET,)))
    offsets = opamp_offsets(plan)
    assert set(offsets) == {("", "h1", 0), ("", "out", 0)}
    values = [v for pair in offsets.values() for v in pair]
    assert len(set(values)) == 4 and all(0 < abs(v) < 6e-3 for v in values)  # sigma 1 mV
    text = write_netlist(plan.circuit)
    assert text.count(".subckt summing_amp_os sp sn out os1 os2") == 1
    assert "\n.subckt summing_amp " not in text
    v1, v2 = offsets[("", "h1", 0)]
    assert f"Vos1_h1_0 h1_vos1_0 0 DC {format_value(v1)}\n" in text
    assert f"Vos2_h1_0 h1_vos2_0 0 DC {format_value(v2)}\n" in text
    assert "Xsum_h1_0 h1_sp_0 h1_sn_0 h1_i_0 h1_vos1_0 h1_vos2_0 summing_amp_os" in text
    rows = {(r.item, r.quantity): r for r in report.rows if r.unit == "V"}
    assert rows[("h1[0]", "V_os1")].realised == v1 and rows[("h1[0]", "V_os2")].realised == v2
    assert rows[("out[0]", "V_os1")].requested == 0.0
    assert any("4 op-amp offsets" in n for n in report.notes)


def test_opamp_offsets_same_seed_same_bits_and_their_own_stream(lagline) -> None:
    a = opamp_offsets(compile_plan(lagline, "discrete", variation=Variation(8, (OFFSET,)))[0])
    b = opamp_offsets(compile_plan(lagline, "discrete", variation=Variation(8, (OFFSET,)))[0])
    c = opamp_offsets(compile_plan(lagline, "discrete", variation=Variation(9, (OFFSET,)))[0])
    assert a == b and a != c
    with_parts, _ = compile_plan(lagline, "discrete", variation=Variation(8, (RES, CAP, OFFSET)))
    parts_only, _ = compile_plan(lagline, "discrete", variation=Variation(8, (RES, CAP)))
    assert opamp_offsets(with_parts) == a  # the parts' draws do not move the offsets
    assert with_parts.values == parts_only.values  # nor the offsets the parts
    assert not opamp_offsets(parts_only)
    assert "summing_amp_os" not in write_netlist(parts_only.circuit)


def test_a_known_offset_on_every_summing_opamp(lagline) -> None:
    exact = get_nonideality("opamp-offset", value=0.0, offset=2.5e-3)
    plan, _ = compile_plan(lagline, "onchip", variation=Variation(0, (exact,)))
    assert set(opamp_offsets(plan).values()) == {(2.5e-3, 2.5e-3)}
    with pytest.raises(ValueError, match="technology 'ideal' has no op-amps"):
        compile(lagline, "ideal", variation=Variation(1, (OFFSET,)))


NOISE = get_nonideality("thermal-noise")


def test_thermal_noise_is_a_seeded_source_per_section_resistor(lagline) -> None:
    mismatch = get_nonideality("mismatch")
    plan, report = compile_plan(lagline, "onchip", variation=Variation(41, (mismatch, NOISE)))
    noise = section_noise(plan)
    assert set(noise) == {("", "h1", 0), ("", "out", 0)} and noise_seed(plan) == 41
    v = plan.values[("", "h1", 0, "neuron")]
    r = section_resistances(v)
    assert r == (v.r1, v.r2)  # the drawn values
    assert noise[("", "h1", 0)] == pytest.approx([4 * 1.380649e-23 * 300 * x for x in r],
                                                 rel=1e-15)
    text = write_netlist(plan.circuit)
    hold = significant(lagline.simulation.dt * plan.time_scale)
    sigma = significant((noise[("", "h1", 0)][0] / (2 * hold)) ** 0.5)  # about 0.39 mV
    assert text.count("TRRANDOM(2 ") == 4 and 3e-4 < sigma < 5e-4
    assert f"Vn1 inp n1 TRRANDOM(2 {format_value(hold)} 0 {format_value(sigma)} 0)\n" in text
    assert f" seed={spice_seed(41)}\n" in text and "variation seed 41" in text
    assert any(r.quantity == "S_n" and r.unit == "V^2/Hz" for r in report.rows)
    assert any(f"ngspice seed {spice_seed(41)}" in n for n in report.notes)
    again, _ = compile_plan(lagline, "onchip", variation=Variation(41, (mismatch, NOISE)))
    assert write_netlist(again.circuit) == text
    quiet, _ = compile_plan(lagline, "onchip", variation=Variation(41, (mismatch,)))
    assert quiet.values == plan.values  # noise draws no part
    assert "TRRANDOM" not in write_netlist(quiet.circuit) and "seed=" not in write_netlist(
        quiet.circuit)
    assert not section_noise(quiet) and noise_seed(quiet) is None


def test_noise_and_offsets_together(lagline) -> None:
    plan, _ = compile_plan(lagline, "discrete", variation=Variation(2, (OFFSET, NOISE)))
    alone, _ = compile_plan(lagline, "discrete", variation=Variation(2, (OFFSET,)))
    assert opamp_offsets(plan) == opamp_offsets(alone) and section_noise(plan)
    text = write_netlist(plan.circuit)
    assert "summing_amp_os" in text and "TRRANDOM" in text


def test_spice_seed_is_a_positive_c_int() -> None:
    assert spice_seed(0) == 1 and spice_seed(41) == 42
    assert all(1 <= spice_seed(s) <= 2**31 - 1 for s in (2**31 - 2, 2**31, 2**64 - 1))
