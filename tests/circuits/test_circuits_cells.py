"""Each cell implements its equation: transfer functions derived by nodal analysis from the
generated element values (never by hand), compared with the time constants and gains the cell
was asked for; behavioural formulas compared with vle.model.nonlinearity."""

import numpy as np
import pytest

from vle.circuits import Circuit, Dc, Instance, OpAmpSpec, Section, Subcircuit, VoltageSource
from vle.circuits.cells import (
    crossbar,
    follower,
    lag_section,
    lead_section,
    multiplier,
    opamp,
    phi_cell,
    phi_prime_cell,
    plastic_crossbar,
    plasticity_element,
    summing_amplifier,
    summing_node,
    transposed_crossbar,
)
from vle.circuits.cells.softmax import softmax_error
from vle.circuits.expression import evaluate
from vle.circuits.smallsignal import TransferFunction, transfer_function
from vle.model.nonlinearity import PHI_NAMES, phi, phi_prime

IDEAL = 1e-9
"""Ideal cells match to rounding: eigenvalues of a pencil scaled like 1e3..1e7 rad/s come out
to about 1e-12 relative; 1e-9 leaves margin for the pole-zero pencils."""
SPEC = OpAmpSpec(dc_gain=1e5, gbw=5e6, v_low=-12.0, v_high=12.0)
OPAMP = 1e-3
"""Cells with op-amps of DC gain 1e5 and 5 MHz GBW: DC gains are off by about (noise gain) /
A0 <= 1e-4 and corners below 2 kHz move by about f / (GBW / noise gain) <= 1e-4; 1e-3 bounds
both with margin."""
LINEARISE = 1e-8
"""Behavioural sources are linearised by central differences of 1 uV: truncation ~1e-13 and
rounding ~1e-10 relative."""


def bench(cell: Subcircuit, drive: str, fixed: dict[str, float] | None = None) -> Circuit:
    """The cell with every port on node ``n_<port>``, a 0 V input source ``Vin`` on
    ``drive`` and DC sources on the ``fixed`` ports (their values set the operating point)."""
    els: list = [VoltageSource("Vin", f"n_{drive}", "0", Dc(0.0))]
    for port, value in (fixed or {}).items():
        els.append(VoltageSource(f"V{port}", f"n_{port}", "0", Dc(value)))
    els.append(Instance("Xcell", cell.name, tuple(f"n_{p}" for p in cell.ports)))
    return Circuit("bench", (Section("bench", tuple(els)),), (cell,))


def tf(cell: Subcircuit, drive: str, out: str, fixed: dict[str, float] | None = None,
       op: dict[str, float] | None = None) -> TransferFunction:
    return transfer_function(bench(cell, drive, fixed), "Vin", f"n_{out}",
                             operating_point={f"n_{k}": v for k, v in (op or {}).items()})


def dominant(values: np.ndarray) -> complex:
    return complex(values[np.argmin(np.abs(values))])


@pytest.mark.parametrize(("tau_m", "tau_r"), [(1e-3, 1e-4), (2e-3, 1e-4), (5e-6, 4.9e-6),
                                              (1e-2, 1e-6)])
def test_lag_section_ideal(tau_m: float, tau_r: float) -> None:
    c = 1e-6
    r2, r1 = tau_r / c, (tau_m - tau_r) / c
    cell = lag_section("lag", r1, r2, c)
    h = tf(cell, "inp", "out")
    assert h.poles == pytest.approx([-1 / tau_m], rel=IDEAL)
    assert h.zeros == pytest.approx([-1 / tau_r], rel=IDEAL)
    assert h.dc_gain == pytest.approx(1.0, rel=IDEAL)
    u = tf(cell, "inp", "cap")
    assert u.poles == pytest.approx([-1 / tau_m], rel=IDEAL) and len(u.zeros) == 0


def test_lag_section_wire_is_the_le_case() -> None:
    cell = lag_section("lag", 0.0, 1e3, 1e-6)
    h = tf(cell, "inp", "out")
    assert len(h.poles) == 0 and len(h.zeros) == 0 and h.dc_gain == pytest.approx(1.0)
    assert tf(cell, "inp", "cap").poles == pytest.approx([-1e3], rel=IDEAL)


@pytest.mark.parametrize(("a", "b"), [(1e-3, 1e-4), (2e-3, 1e-4), (8e-4, 5e-4)])
def test_lead_section_ideal(a: float, b: float) -> None:
    cell = lead_section("lead", 1e3, b / 1e3, a / b)
    h = tf(cell, "inp", "out")
    assert h.poles == pytest.approx([-1 / b], rel=IDEAL)
    assert h.zeros == pytest.approx([-1 / a], rel=IDEAL)
    assert h.dc_gain == pytest.approx(1.0, rel=IDEAL)
    assert tf(cell, "inp", "cap").poles == pytest.approx([-1 / b], rel=IDEAL)


def test_error_neuron_sections_swap_the_time_constants() -> None:
    # the error neuron is (1 + s tau_m)/(1 + s tau_r): a lead when tau_r < tau_m (q > 1) ...
    tau_m, tau_r = 2e-3, 1e-4
    h = tf(lead_section("err", 1e3, tau_r / 1e3, tau_m / tau_r), "inp", "out")
    assert dominant(h.poles) == pytest.approx(-1 / tau_r, rel=IDEAL)
    assert dominant(h.zeros) == pytest.approx(-1 / tau_m, rel=IDEAL)
    # ... and a passive lag when tau_r > tau_m (q < 1): e = (1 - q) v + q eps
    tau_m, tau_r = 5e-4, 8e-4
    h = tf(lag_section("err", (tau_r - tau_m) / 1e-6, tau_m / 1e-6, 1e-6), "inp", "out")
    assert h.poles == pytest.approx([-1 / tau_r], rel=IDEAL)
    assert h.zeros == pytest.approx([-1 / tau_m], rel=IDEAL)


def test_lag_section_physical_with_follower() -> None:
    amp = opamp("opamp", SPEC)
    cell = lag_section("lag", 13.3e3, 1.47e3, 68e-9, follower("follower", amp))
    a, b = 1.47e3 * 68e-9, 14.77e3 * 68e-9
    h = tf(cell, "inp", "out")
    assert dominant(h.poles) == pytest.approx(-1 / b, rel=OPAMP)
    assert dominant(h.zeros) == pytest.approx(-1 / a, rel=OPAMP)
    assert h.dc_gain == pytest.approx(1.0, rel=OPAMP)
    assert all(abs(p) > 1e6 for p in h.poles if abs(p) > 2 / b)


def test_lead_section_physical_difference_amplifier() -> None:
    amp = opamp("opamp", SPEC)
    r, c, ra, rb = 10e3, 10e-9, 11.3e3, 102e3
    g = 1 + rb / ra
    cell = lead_section("lead", r, c, g, amp=amp, buffer=follower("follower", amp), ra=ra, rb=rb)
    h = tf(cell, "inp", "out")
    assert dominant(h.poles) == pytest.approx(-1 / (r * c), rel=OPAMP)
    assert dominant(h.zeros) == pytest.approx(-1 / (g * r * c), rel=OPAMP)
    assert h.dc_gain == pytest.approx(1.0, rel=OPAMP)


def test_opamp_macro_model() -> None:
    amp = opamp("opamp", SPEC)
    h = tf(amp, "inp", "out", fixed={"inn": 0.0})
    assert h.dc_gain == pytest.approx(SPEC.dc_gain, rel=IDEAL)
    assert h.poles == pytest.approx([-2 * np.pi * SPEC.pole], rel=IDEAL)
    f = tf(follower("follower", amp), "inp", "out")
    # unity feedback: A0 / (1 + A0), pole at the open-loop pole times (1 + A0) = GBW + pole
    assert f.dc_gain == pytest.approx(SPEC.dc_gain / (1 + SPEC.dc_gain), rel=IDEAL)
    assert f.poles == pytest.approx([-2 * np.pi * (SPEC.gbw + SPEC.pole)], rel=IDEAL)
    with_offset = opamp("opamp", OpAmpSpec(1e5, 5e6, -1.0, 1.0, offset=1e-3))
    assert any(el.name == "Vos" for el in with_offset.elements)
    out = [el for el in amp.elements if el.name == "Bout"][0]
    assert evaluate(out.expr, {"p": np.array([-20.0, 0.3, 20.0])}).tolist() == [-12, 0.3, 12]


@pytest.mark.parametrize("name", PHI_NAMES)
@pytest.mark.parametrize("v_unit", [1.0, 0.1])
def test_phi_cells_match_the_model_formulas(name: str, v_unit: float) -> None:
    x = np.concatenate([np.linspace(-40, 40, 4001), [-1.0, 0.0, 1.0]])
    for cell, ref in ((phi_cell("p", name, v_unit), phi),
                      (phi_prime_cell("d", name, v_unit), phi_prime)):
        expr = cell.elements[0].expr  # type: ignore[union-attr]
        got = evaluate(expr, {"inp": x * v_unit}) / v_unit * np.ones_like(x)
        np.testing.assert_allclose(got, ref(name, x), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", PHI_NAMES)
@pytest.mark.parametrize("x0", [-1.7, -0.3, 0.4, 2.5])
def test_phi_cell_small_signal_gain_is_phi_prime(name: str, x0: float) -> None:
    h = tf(phi_cell("p", name, 1.0), "inp", "out", op={"inp": x0})
    assert h.dc_gain == pytest.approx(float(phi_prime(name, np.array(x0))), rel=LINEARISE,
                                      abs=LINEARISE)
    assert len(h.poles) == 0


def test_crossbar_and_summing_node_realise_w() -> None:
    rf = 1e3
    w = np.array([[0.5, -2.0], [0.0, 1.25]])
    xbar = crossbar("xbar", w / rf, differential=False)
    assert len(xbar.elements) == 3
    top = Subcircuit("top", ("in0", "in1", "o0", "o1"), (
        Instance("Xx", "xbar", ("in0", "in1", "s0", "s1")),
        Instance("Xs0", "sum", ("s0", "o0")), Instance("Xs1", "sum", ("s1", "o1"))),
        requires=(xbar, summing_node("sum", rf)))
    for i in range(2):
        for j in range(2):
            h = tf(top, f"in{j}", f"o{i}", fixed={f"in{1 - j}": 0.0})
            assert h.dc_gain == pytest.approx(w[i, j], rel=IDEAL, abs=1e-15)
            assert len(h.poles) == 0


def test_transposed_crossbar_reads_w_transpose() -> None:
    g = np.array([[1e-3, -2e-3, 3e-3]])
    t = transposed_crossbar("t", g, differential=False)
    assert t.ports == ("in0", "out0", "out1", "out2")
    top = Subcircuit("top", ("in0", "o0", "o1", "o2"), (
        Instance("Xt", "t", ("in0", "s0", "s1", "s2")),
        *(Instance(f"Xs{j}", "sum", (f"s{j}", f"o{j}")) for j in range(3))),
        requires=(t, summing_node("sum", 1e3)))
    for j in range(3):
        assert tf(top, "in0", f"o{j}").dc_gain == pytest.approx(g[0, j] * 1e3, rel=IDEAL)


def test_differential_crossbar_with_summing_amplifier() -> None:
    rf, w = 10e3, np.array([[0.5, -2.0]])
    amp = opamp("opamp", SPEC)
    xbar = crossbar("xbar", w / rf, differential=True)
    assert {el.nodes[1] for el in xbar.elements} == {"outp0", "outn0"}
    top = Subcircuit("top", ("in0", "in1", "o"), (
        Instance("Xx", "xbar", ("in0", "in1", "sp", "sn")),
        Instance("Xs", "sum", ("sp", "sn", "o"))), requires=(xbar, summing_amplifier("sum", rf,
                                                                                      amp)))
    for j in range(2):
        h = tf(top, f"in{j}", "o", fixed={f"in{1 - j}": 0.0})
        assert h.dc_gain == pytest.approx(w[0, j], rel=OPAMP)
        assert all(abs(p) > 2 * np.pi * 1e5 for p in h.poles)


def test_summing_amplifier_offset_inputs_see_the_noise_gains() -> None:
    rf, w = 10e3, np.array([[0.5, -2.0]])
    amp = opamp("opamp", SPEC)
    xbar = crossbar("xbar", w / rf, differential=True)
    cell = summing_amplifier("sum_os", rf, amp, offset_inputs=True)
    assert cell.ports == ("sp", "sn", "out", "os1", "os2")
    assert summing_amplifier("sum", rf, amp).ports == ("sp", "sn", "out")
    top = Subcircuit("top", ("in0", "in1", "os1", "os2", "o"), (
        Instance("Xx", "xbar", ("in0", "in1", "sp", "sn")),
        Instance("Xs", "sum_os", ("sp", "sn", "o", "os1", "os2"))), requires=(xbar, cell))
    grounded = {"in0": 0.0, "in1": 0.0}
    n1, n2 = 1 + 0.5, 2 + 2.0  # 1 + R_f G+ and 2 + R_f |G-|
    h1 = tf(top, "os1", "o", fixed={**grounded, "os2": 0.0})
    h2 = tf(top, "os2", "o", fixed={**grounded, "os1": 0.0})
    assert h1.dc_gain == pytest.approx(-n1, rel=OPAMP)
    assert h2.dc_gain == pytest.approx(n2, rel=OPAMP)
    a = SPEC.dc_gain  # and to the finite-gain factors the surrogate uses
    g1, g2 = 1 / (1 + n1 / a), 1 / (1 + n2 / a)
    assert h1.dc_gain == pytest.approx(-g2 * g1 * n1, rel=IDEAL)
    assert h2.dc_gain == pytest.approx(g2 * n2, rel=IDEAL)


def test_plastic_crossbar_multiplies_by_the_weight_voltage() -> None:
    v_unit, rf = 0.1, 1e3
    for transposed in (False, True):
        cell = plastic_crossbar("pxb", 1, 1, rf, v_unit, transposed=transposed)
        top = Subcircuit("top", ("in0", "w0_0", "o"), (
            Instance("Xp", "pxb", ("in0", "s", "w0_0")), Instance("Xs", "sum", ("s", "o"))),
            requires=(cell, summing_node("sum", rf)))
        weight, rate = 1.5, 0.7
        op = {"in0": rate * v_unit, "w0_0": weight * v_unit}
        assert tf(top, "in0", "o", {"w0_0": op["w0_0"]}, op).dc_gain == pytest.approx(
            weight, rel=LINEARISE)
        assert tf(top, "w0_0", "o", {"in0": op["in0"]}, op).dc_gain == pytest.approx(
            rate, rel=LINEARISE)


def test_plasticity_element_integrates_e_times_r() -> None:
    c_w, k_w, r_leak, v_r = 1e-6, 5e-5, 1e10, 0.8
    cell = plasticity_element("pl", c_w, k_w, r_leak)
    h = tf(cell, "e", "w", {"r": v_r}, {"r": v_r})
    assert h.poles == pytest.approx([-1 / (r_leak * c_w)], rel=IDEAL)
    assert h.dc_gain == pytest.approx(k_w * v_r * r_leak, rel=LINEARISE)
    free = tf(plasticity_element("pl", c_w, k_w), "e", "w", {"r": v_r}, {"r": v_r})
    assert len(free.poles) == 1 and abs(free.poles[0]) < 1e-9
    s = 1j * 100.0
    assert free(s) == pytest.approx(k_w * v_r / (s * c_w), rel=LINEARISE)


def test_multiplier_and_softmax_error() -> None:
    m = multiplier("mul", 0.1)
    h = tf(m, "a", "out", {"b": 0.05}, {"a": 0.02, "b": 0.05})
    assert h.dc_gain == pytest.approx(0.05 / 0.1, rel=LINEARISE)
    beta, rf, v = 2.0, 1e3, 0.1
    cell = softmax_error("sm", 3, beta, rf, v)
    y, r = np.array([0.0, 1.0, 0.0]), np.array([0.3, -1.2, 2.0])
    volts = {f"y{i}": y[i] * v for i in range(3)} | {f"r{i}": r[i] * v for i in range(3)}
    soft = np.exp(r) / np.exp(r).sum()
    for i, el in enumerate(cell.elements):
        current = evaluate(el.expr, volts)  # type: ignore[union-attr]
        assert current * rf / v == pytest.approx(beta * (y[i] - soft[i]), rel=1e-12)


def test_sections_put_a_noise_source_in_series_with_each_resistor() -> None:
    from vle.circuits import TrRandom
    from vle.circuits.errors import CircuitError

    n1, n2 = TrRandom(1e-3, 1e-8), TrRandom(2e-3, 1e-8)
    lag = lag_section("lag", 900.0, 100.0, 1e-6, noise=(n1, n2))
    by_name = {el.name: el for el in lag.elements}
    assert (by_name["Vn1"].nodes, by_name["R1"].nodes) == (("inp", "n1"), ("n1", "out"))
    assert (by_name["Vn2"].nodes, by_name["R2"].nodes) == (("out", "n2"), ("n2", "cap"))
    assert "thermal noise" in lag.description[-1]
    wire = lag_section("le", 0.0, 100.0, 1e-6, noise=(n2,))
    assert [el.name for el in wire.elements] == ["Vr1", "Vn1", "R2", "C1"]
    lead = lead_section("lead", 1e3, 1e-6, 2.0, noise=(n1,))
    assert [el.name for el in lead.elements][:2] == ["Vn1", "R1"]
    with pytest.raises(CircuitError, match="1 noise waveforms"):
        lag_section("lag", 900.0, 100.0, 1e-6, noise=(n1,))
    plain = lag_section("lag", 900.0, 100.0, 1e-6)
    assert [el.name for el in plain.elements] == ["R1", "R2", "C1"]
