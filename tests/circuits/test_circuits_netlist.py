"""The netlist writer: fixed section order, one card per element, exact values, validation of
the circuit as a whole."""

import pytest

from vle.circuits import (
    Behavioral,
    Capacitor,
    Circuit,
    CircuitError,
    CurrentSource,
    Dc,
    Instance,
    Options,
    Probe,
    ProbeMap,
    Pulse,
    Pwl,
    Resistor,
    Section,
    Sin,
    Subcircuit,
    Transient,
    Vccs,
    Vcvs,
    VoltageSource,
    parse_value,
    write_netlist,
)
from vle.circuits.netlist import LINE_WIDTH, element_card


def _circuit() -> Circuit:
    cell = Subcircuit("lag", ("inp", "out", "cap"), (
        Resistor("R1", "inp", "out", 900.0), Resistor("R2", "out", "cap", 100.0),
        Capacitor("C1", "cap", "0", 1e-6)), description=("a lag network",))
    return Circuit(
        "test circuit",
        (Section("sources", (VoltageSource("Vin", "a", "0", Sin(0.0, 0.5, 1e3, 90.0)),)),
         Section("cells", (Instance("X1", "lag", ("a", "ub", "u")),
                           Behavioral("Bphi", "r", "0", "v", "tanh(v(ub))")))),
        subcircuits=(cell,),
        initial_conditions=(("u", 0.0),),
        options=Options(reltol=1e-6, abstol=1e-12, vntol=1e-9, method="gear"),
        analyses=(Transient(1e-5, 4e-2, max_step=1e-6),),
        probes=ProbeMap(1e-3, (Probe("h.u", ("u",), 1.0), Probe("h.ub", ("ub",), 1.0))),
        header=("first header line",),
    )


def test_fixed_section_order_and_content() -> None:
    text = write_netlist(_circuit())
    lines = text.splitlines()
    assert lines[0] == "test circuit"
    assert lines[1] == "* first header line"
    assert lines[2] == ".options reltol=1u abstol=1p vntol=1n chgtol=10f method=gear"
    order = [lines.index(x) for x in (".subckt lag inp out cap", "* a lag network",
                                      ".ends lag", "* sources", "* cells",
                                      ".ic v(u)=0", ".tran 10u 40m 0 1u", ".save v(u) v(ub)",
                                      ".end")]
    assert order == sorted(order)
    assert "Vin a 0 SIN(0 500m 1k 0 0 90)" in lines
    assert "X1 a ub u lag" in lines
    assert "Bphi r 0 V=tanh(v(ub))" in lines
    assert text.endswith(".end\n")


def test_output_is_deterministic() -> None:
    assert write_netlist(_circuit()) == write_netlist(_circuit())


@pytest.mark.parametrize(("element", "card"), [
    (Resistor("R1", "a", "b", 4990.0), "R1 a b 4.99k"),
    (Capacitor("C1", "a", "0", 2.2e-9), "C1 a 0 2.2n"),
    (VoltageSource("V1", "a", "0", Dc(-1.5)), "V1 a 0 DC -1.5"),
    (CurrentSource("I1", "0", "a", Dc(1e-3)), "I1 0 a DC 1m"),
    (VoltageSource("V2", "a", "0", Pwl((0.0, 1e-3), (0.0, 2.0))), "V2 a 0 PWL(0 0 1m 2)"),
    (VoltageSource("V3", "a", "0", Pulse(0.0, 1.0, 1e-3, 1e-9, 1e-9, 1e-3, 2e-3)),
     "V3 a 0 PULSE(0 1 1m 1n 1n 1m 2m)"),
    (Vccs("G1", "0", "s", "r", "0", -2e-3), "G1 0 s r 0 -2m"),
    (Vcvs("E1", "o", "0", "a", "b", 10.0), "E1 o 0 a b 10"),
    (Behavioral("B1", "0", "w", "i", "5e-05*v(e)*v(r)"), "B1 0 w I=5e-05*v(e)*v(r)"),
    (Instance("Xa", "cell", ("n1", "n2")), "Xa n1 n2 cell"),
])
def test_one_card_per_element(element: object, card: str) -> None:
    assert element_card(element) == [card]  # type: ignore[arg-type]


def test_long_cards_continue_between_tokens() -> None:
    times = tuple(i * 1e-4 for i in range(60))
    values = tuple((-1) ** i * 0.123456789 for i in range(60))
    lines = element_card(VoltageSource("V1", "a", "0", Pwl(times, values)))
    assert len(lines) > 1
    assert all(len(x) <= LINE_WIDTH for x in lines)
    assert all(x.startswith("+ ") for x in lines[1:])
    tokens = " ".join(x.removeprefix("+ ") for x in lines)
    numbers = tokens.split("PWL(")[1].rstrip(")").split()
    read = [parse_value(n) for n in numbers]
    assert read[0::2] == list(times) and read[1::2] == list(values)


def test_values_in_the_netlist_read_back_exactly() -> None:
    values = [1e-6, 0.1 + 0.2, 1 / 3, 4990.0, 2.2e-9, 123456.789]
    els = tuple(Resistor(f"R{i}", "a", "0", v) for i, v in enumerate(values))
    text = write_netlist(Circuit("t", (Section("s", els),)))
    cards = [x for x in text.splitlines() if x.startswith("R")]
    assert [parse_value(c.split()[-1]) for c in cards] == values


def test_circuit_validation() -> None:
    r = Resistor("R1", "a", "0", 1.0)
    with pytest.raises(CircuitError, match="used twice"):
        Circuit("t", (Section("s", (r, Resistor("R1", "b", "0", 1.0))),))
    with pytest.raises(CircuitError, match="no subcircuit named 'nope'"):
        Circuit("t", (Section("s", (Instance("X1", "nope", ("a",)),)),))
    cell = Subcircuit("cell", ("p", "q"), (Resistor("R1", "p", "q", 1.0),))
    with pytest.raises(CircuitError, match="1 connections for subcircuit 'cell' with 2 ports"):
        Circuit("t", (Section("s", (Instance("X1", "cell", ("a",)),)),), (cell,))
    with pytest.raises(CircuitError, match="two different definitions"):
        other = Subcircuit("cell", ("p", "q"), (Resistor("R1", "p", "q", 2.0),))
        Circuit("t", (), (cell, other))
    with pytest.raises(CircuitError, match="is not in the circuit"):
        Circuit("t", (Section("s", (r,)),), initial_conditions=(("zz", 0.0),))
    with pytest.raises(CircuitError, match="is not in the circuit"):
        Circuit("t", (Section("s", (r,)),), probes=ProbeMap(1.0, (Probe("a.u", ("zz",), 1.0),)))
    with pytest.raises(CircuitError, match="ground"):
        Subcircuit("cell", ("0", "q"), ())
    with pytest.raises(CircuitError, match="resistance"):
        Resistor("R1", "a", "0", 0.0)
    with pytest.raises(CircuitError, match="rise \\+ width \\+ fall"):
        Pulse(0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 2.0)
    with pytest.raises(CircuitError, match="strictly increasing"):
        Pwl((0.0, 0.0), (1.0, 2.0))


def test_required_subcircuits_come_first_once() -> None:
    amp = Subcircuit("amp", ("a", "b"), (Resistor("R1", "a", "b", 1.0),))
    user = Subcircuit("user", ("x",), (Instance("X1", "amp", ("x", "0")),), requires=(amp,))
    user2 = Subcircuit("user2", ("x",), (Instance("X1", "amp", ("x", "0")),), requires=(amp,))
    c = Circuit("t", (Section("s", (Instance("X1", "user", ("n",)),
                                    Instance("X2", "user2", ("n",)))),), (user, user2))
    assert [s.name for s in c.subcircuits] == ["amp", "user", "user2"]
    flat = {f.name: f.nodes for f in c.flatten()}
    assert flat == {"x1.x1.R1": {"a": "n", "b": "0"}, "x2.x1.R1": {"a": "n", "b": "0"}}


def test_probe_map_round_trip() -> None:
    pm = ProbeMap(1e-3, (Probe("h.u", ("h_u_0", "h_u_1"), 0.1),
                         Probe("x->h.W", ("w0_0_0", "w0_1_0"), 0.1, 0.0, (2, 1))))
    again = ProbeMap.from_dict(pm.to_dict())
    assert again == pm
    assert pm["h.u"].vectors == ("v(h_u_0)", "v(h_u_1)")
    assert pm["h.u"].to_model([0.05, -0.2]).tolist() == pytest.approx([0.5, -2.0])
    assert "x->h.W" in pm and "h.ub" not in pm
    with pytest.raises(KeyError, match="probed: h.u, x->h.W"):
        pm["h.ub"]


def test_transient_noise_source_and_seed_option() -> None:
    from vle.circuits import TrRandom

    src = VoltageSource("Vn1", "a", "b", TrRandom(1e-3, 1e-8))
    assert element_card(src) == ["Vn1 a b TRRANDOM(2 10n 0 1m 0)"]
    text = write_netlist(Circuit("t", (Section("s", (src, Resistor("R1", "b", "0", 1.0))),),
                                 options=Options(seed=7)))
    assert " method=trap seed=7\n" in text
    assert "seed" not in write_netlist(Circuit("t", (Section("s", (Resistor(
        "R1", "a", "0", 1.0),)),)))  # no seed written unless set: nominal netlists as before
    for bad in (0, -3, 2**31, 1.5, True):
        with pytest.raises(CircuitError, match="seed got"):
            Options(seed=bad)  # type: ignore[arg-type]
    with pytest.raises(CircuitError, match="hold got 0"):
        TrRandom(1e-3, 0.0)
    with pytest.raises(CircuitError, match="sigma got -1"):
        TrRandom(-1.0, 1e-8)
