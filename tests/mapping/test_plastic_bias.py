"""Plastic biases: with ``learn_bias`` a bias is a weight capacitor charged by ``lr e`` from the
1-unit rail and read by a plastic column from the rail; without, a fixed conductance."""

from dataclasses import replace

import numpy as np
import pytest
from conftest import EXAMPLES

from vle.circuits import Behavioral, Capacitor, Instance
from vle.mapping import compile, compile_plan, plan_cost
from vle.model import Model, load_model


def student(**rule: object) -> Model:
    model = load_model(EXAMPLES / "hidden_student.toml")
    assert model.learning is not None
    h = replace(model.network.population("h"), bias=np.array([0.25, -0.5, 0.0, 0.125]))
    net = replace(model.network, populations=tuple(
        h if p.name == "h" else p for p in model.network.populations))
    return replace(model, network=net, learning=replace(model.learning, **rule))


@pytest.mark.parametrize("tech", ["ideal", "discrete", "onchip"])
def test_every_bias_of_the_student_is_a_capacitor_with_a_plasticity_element(tech: str) -> None:
    circuit, report = compile(student(), tech)
    v = report.v_unit
    ics = dict(circuit.initial_conditions)
    assert [ics[f"h_b_{i}"] for i in range(4)] == pytest.approx([0.25 * v, -0.5 * v, 0.0,
                                                                 0.125 * v])
    assert ics["out_b_0"] == 0.0
    top = {el.name: el for el in circuit.elements if isinstance(el, Instance)}
    for i in range(4):
        assert top[f"Xpbias_h_{i}"].connections == (f"h_e_{i}", "one", f"h_b_{i}")
    column = top["Xbias_h"]
    assert column.connections[0] == "one" and column.connections[-4:] == tuple(
        f"h_b_{i}" for i in range(4))
    # the teacher's biases stay fixed conductances
    assert top["Xbias_teacher_h"].connections[0] == "one"
    assert circuit.probes is not None
    assert circuit.probes["h.b"].nodes == tuple(f"h_b_{i}" for i in range(4))
    assert circuit.probes["out.b"].nodes == ("out_b_0",)
    assert [r.item for r in report.select("b0")] == [f"h[{i}]" for i in range(4)] + ["out[0]"]
    assert not [r for r in report.select("bias") if not r.item.startswith("teacher.")]
    lr = [r for r in report.select("lr") if r.item.endswith(" bias")]
    assert [r.item for r in lr] == ["h bias", "out bias"]
    assert all(r.realised == pytest.approx(0.5, rel=1e-12) for r in lr)
    assert any(n.startswith("learn_bias: every bias is a weight capacitor") for n in report.notes)


def test_the_plasticity_element_of_a_bias_is_that_of_the_weights() -> None:
    """Same cell, rail as the rate: ``C_w dV(b)/dt = k_w V(e) V(one)``, so ``db/dt = lr e``
    with the weights' ``k_w`` (the rail is 1 model unit)."""
    circuit, _ = compile(student(), "discrete")
    top = {el.name: el for el in circuit.elements if isinstance(el, Instance)}
    assert top["Xpbias_h_0"].subcircuit == top["Xp0_0_0"].subcircuit
    cell = {s.name: s for s in circuit.subcircuits}[top["Xpbias_h_0"].subcircuit]
    assert any(isinstance(el, Capacitor) for el in cell.elements)
    assert any(isinstance(el, Behavioral) and "v(e)*v(r)" in el.expr
               for el in cell.elements)


def test_without_learn_bias_the_biases_are_conductances() -> None:
    circuit, report = compile(student(learn_bias=False), "ideal")
    assert [r.item for r in report.select("bias") if not r.item.startswith("teacher.")] == [
        "h[0]", "h[1]", "h[3]"]
    assert not report.select("b0")
    assert circuit.probes is not None and "h.b" not in circuit.probes
    assert not any(el.name.startswith("Xpbias") for el in circuit.elements)
    assert "learn_bias = false: biases are fixed conductances from the rail" in report.notes


def test_bias_capacitors_are_costed_with_their_population() -> None:
    with_bias = plan_cost(compile_plan(student(), "discrete")[0])
    without = plan_cost(compile_plan(student(learn_bias=False), "discrete")[0])
    count = {p.name: p.capacitors for p in with_bias.populations}
    base = {p.name: p.capacitors for p in without.populations}
    assert count["h"] == base["h"] + 4 and count["out"] == base["out"] + 1
    assert count["x->h"] == base["x->h"] and count["h->out"] == base["h->out"]
