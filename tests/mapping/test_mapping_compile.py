"""compile(): the pass list, the probe map, learning variants, stimuli as sources, weights."""

import math

import numpy as np
import pytest

from vle.circuits import Dc, Instance, Pulse, Pwl, Sin, VoltageSource, write_netlist
from vle.mapping import PASSES, MappingError, compile
from vle.model import (
    Model,
    Network,
    Population,
    Projection,
    SimulationSettings,
    Sine,
    Square,
    Step,
    load_model,
)
from vle.model import Pwl as PwlStimulus
from vle.model.learning import LearningRule, Optimizer


def lagline() -> Model:
    return load_model("examples/lagline.toml")


def gle() -> Model:
    return load_model("examples/lagline_gle.toml")


def test_passes_are_an_ordered_visible_list() -> None:
    names = [n for n, _ in PASSES]
    assert names == ["learning variant", "time scaling", "value selection", "weight mapping",
                     "cell selection", "netlisting"]
    _, report = compile(lagline())
    assert list(report.passes) == names


def test_probe_map_of_a_forward_model() -> None:
    circuit, _ = compile(lagline(), "onchip")
    probes = circuit.probes
    assert probes is not None
    assert probes.time_scale == 1e-6
    assert probes.traces == ("x.r", "h1.u", "h1.ub", "h1.r", "out.u", "out.ub", "out.r")
    assert probes["h1.ub"].nodes == ("h1_ub_0",)
    assert probes["h1.ub"].scale == 0.1 and probes["h1.ub"].offset == 0.0
    text = write_netlist(circuit)
    assert ".save v(x_r_0) v(h1_u_0) v(h1_ub_0) v(h1_r_0) v(out_u_0) v(out_ub_0) v(out_r_0)" in text


def test_probe_map_with_learning() -> None:
    circuit, _ = compile(gle(), "ideal")
    probes = circuit.probes
    assert probes is not None
    for trace in ("h1.v", "h1.e", "out.v", "out.e", "out.y", "x->h1.W", "h1->out.W"):
        assert trace in probes
    assert probes["out.y"].nodes == ("teacher_out_r_0",)
    assert probes["h1->out.W"].nodes == ("w1_0_0",) and probes["h1->out.W"].shape == (1, 1)
    ics = dict(circuit.initial_conditions)
    assert ics["w0_0_0"] == 0.5 and ics["w1_0_0"] == 1.0 and ics["h1_v_0"] == 0.0


def _with_rule(model: Model, **kw: object) -> Model:
    from dataclasses import replace

    return replace(model, learning=LearningRule(**kw))  # type: ignore[arg-type]


def test_bp_has_no_error_neuron_dynamics() -> None:
    circuit, report = compile(_with_rule(gle(), rule="bp"), "ideal")
    assert circuit.probes is not None and "out.v" not in circuit.probes
    assert not any("esec" in s.name for s in circuit.subcircuits)
    assert any("no error-neuron dynamics" in n for n in report.notes)


def test_le_makes_every_section_a_wire() -> None:
    _, report = compile(_with_rule(gle(), rule="le"), "ideal")
    taus = [r for r in report.rows if r.quantity.endswith("tau_r") and r.item[0] != "t"]
    assert taus and all("R1=wire" in r.detail for r in taus)
    assert all(r.requested == pytest.approx(m.requested) for r, m in zip(
        report.select("tau_r")[:2], report.select("tau_m")[:2], strict=True))


def test_unrealisable_learning_features_are_stated_or_refused() -> None:
    _, report = compile(_with_rule(gle(), optimizer=Optimizer("adam", 1e-3), learn_tau_m=True),
                        "ideal")
    text = " ".join(report.notes)
    assert "optimizer 'adam' has no physical realisation" in text
    assert "learn_tau_m has no realisation" in text
    with pytest.raises(MappingError, match="feedback = 'random' has no circuit realisation"):
        compile(_with_rule(gle(), feedback="random"), "ideal")


def test_nudging_and_cross_entropy_blocks() -> None:
    circuit, report = compile(_with_rule(gle(), gamma=0.3, loss="ce"), "discrete")
    names = {s.name for s in circuit.subcircuits}
    assert {"nudge_h1", "softmax_out"} <= names  # out's nudge is identical, so shared
    instances = {el.name for el in circuit.elements}
    assert {"Xnudge_h1", "Xnudge_out", "Xtarget_out"} <= instances
    assert len(report.select("gamma")) == 2 and not report.select("beta")


def test_network_without_stimuli() -> None:
    circuit, _ = compile(lagline().network, "ideal")
    assert circuit.analyses == ()
    sources = [el for el in circuit.elements if isinstance(el, VoltageSource)]
    assert [(s.pos, s.waveform) for s in sources] == [("x_r_0", Dc(0.0))]


def test_time_scale_and_transient() -> None:
    circuit, report = compile(lagline(), "ideal", time_scale=2e-3)
    (tran,) = circuit.analyses
    assert tran.stop == pytest.approx(80e-3) and tran.step == pytest.approx(20e-6)
    assert tran.max_step == pytest.approx(2e-6)  # a hundredth of tau_r = 0.1 units
    assert report.time_scale == 2e-3


def _weights_model(w: float, *, plastic: bool = False) -> Model:
    net = Network("n", (Population("x", 1, kind="input"),
                        Population("h", 2, tau_m=1.0, tau_r=0.2, phi="tanh", bias=[0.5, 0.0])),
                  (Projection("x", "h", np.array([[1.0], [w]]), plastic),))
    return Model(net, {"x": Sine()}, SimulationSettings(dt=0.01, t_stop=1.0))


def test_weights_out_of_range_are_errors_never_clamps() -> None:
    with pytest.raises(MappingError) as err:
        compile(_weights_model(1e-4), "discrete")
    assert str(err.value).startswith("projection x->h synapse [1,0]: W = 0.0001 needs a 100Meg")
    assert "limit: 0.01 <= |W| <= 100" in str(err.value)
    assert "prune_below" in str(err.value)
    with pytest.raises(MappingError, match=r"W = 500 needs a 20 ohm resistor, below"):
        compile(_weights_model(500.0), "discrete")
    with pytest.raises(MappingError, match=r"W = 5 is above .* limit: \|W\| <= 4"):
        compile(_weights_model(5.0), "onchip")
    # below half an 8-bit level of 4/255: it would silently become no conductance
    with pytest.raises(MappingError, match=r"W = 0.005 rounds to no conductance .* "
                       r"limit: \|W\| >= 0.007843; pass prune_below"):
        compile(_weights_model(0.005), "onchip")
    circuit, report = compile(_weights_model(1e-4), "discrete", prune_below=1e-3)
    assert any("1 weight(s) left out" in n for n in report.notes)
    (row,) = [r for r in report.select("W") if r.item == "x->h[1,0]"]
    assert row.realised == 0.0 and row.detail == "none"


def test_weight_quantisation_and_bias_rows() -> None:
    _, report = compile(_weights_model(-0.3), "onchip")
    lsb = 4.0 / 255
    (row,) = [r for r in report.select("W") if r.item == "x->h[1,0]"]
    assert row.realised == pytest.approx(-round(0.3 / lsb) * lsb)
    assert [r.item for r in report.select("bias")] == ["h[0]"]
    _, report = compile(_weights_model(-0.3), "discrete")
    assert all(r.rel_error <= 0.015 for r in report.select("W") + report.select("bias"))


def test_signed_weights_use_the_negative_column_on_physical_technologies() -> None:
    circuit, _ = compile(_weights_model(-0.3), "discrete")
    xbar = circuit.definition("xbar0")
    assert [el.nodes[1] for el in xbar.elements] == ["outp0", "outn1"]


def _waveform_at(w: object, t: np.ndarray) -> np.ndarray:
    if isinstance(w, Dc):
        return np.full_like(t, w.value)
    if isinstance(w, Pwl):
        return np.interp(t, w.times, w.values)
    if isinstance(w, Sin):
        return w.offset + w.amplitude * np.sin(2 * np.pi * w.frequency * t
                                               + math.radians(w.phase))
    assert isinstance(w, Pulse)
    tau = np.mod(t - w.delay, w.period)
    up = np.interp(tau, [0, w.rise, w.rise + w.width, w.rise + w.width + w.fall],
                   [w.initial, w.pulsed, w.pulsed, w.initial])
    return np.where(t < w.delay, w.initial, up)


@pytest.mark.parametrize("stimulus", [
    Step(amplitude=0.7, t_on=1.3, offset=-0.2), Step(amplitude=0.5),
    Sine(amplitude=(0.6, 0.4), omega=(0.49, 1.98), phase=(0.0, 2.0), offset=0.1),
    Square(amplitude=0.8, period=1.7, phase=1.0, offset=0.2),
    Square(amplitude=0.5, period=2.0, phase=4.0),
    PwlStimulus(t=np.array([-1.0, 0.5, 2.0, 9.0]), values=np.array([[0.0, 1.0], [1.0, -1.0],
                                                                    [0.5, 0.0], [2.0, 3.0]])),
])
def test_stimuli_become_sources_with_the_same_signal(stimulus: object) -> None:
    net = Network("n", (Population("x", 2, kind="input"), Population("h", 1, tau_m=1.0)),
                  (Projection("x", "h", np.ones((1, 2))),))
    model = Model(net, {"x": stimulus}, SimulationSettings(dt=0.01, t_stop=6.0))  # type: ignore[dict-item]
    circuit, _ = compile(model, "onchip")
    t = np.linspace(0, 6, 6001)
    sources = [el for el in circuit.elements if isinstance(el, VoltageSource)]
    # the node voltage of each unit: the sum of its stack of sources (0 V copies included)
    volts: dict[str, np.ndarray] = {"0": np.zeros_like(t)}
    for _ in range(len(sources)):
        for s in sources:
            if s.neg in volts and s.pos not in volts:
                volts[s.pos] = volts[s.neg] + _waveform_at(s.waveform, t * 1e-6)
    want = stimulus.sample(t, 2)  # type: ignore[attr-defined]
    # edges take a thousandth of dt and end at each switching instant, where the stimulus
    # takes its new value: no point of this grid falls inside an edge
    for i in range(2):
        np.testing.assert_allclose(volts[f"x_r_{i}"] / 0.1, want[:, i], atol=1e-9)


def test_teacher_is_compiled_ideal_into_the_same_netlist() -> None:
    circuit, report = compile(gle(), "discrete")
    teacher = [r for r in report.rows if r.item.startswith("teacher.")]
    assert teacher and all(r.rel_error < 1e-12 for r in teacher)
    instances = [el for el in circuit.elements if isinstance(el, Instance)]
    assert any(el.name == "Xtw0" and el.connections[0] == "x_r_0" for el in instances)
    assert any(el.name == "Xtarget_out" and "teacher_out_r_0" in el.connections
               for el in instances)


def test_compilation_is_deterministic() -> None:
    a = write_netlist(compile(gle(), "discrete")[0])
    b = write_netlist(compile(gle(), "discrete")[0])
    assert a == b


def test_report_table_lists_every_row() -> None:
    _, report = compile(gle(), "discrete")
    table = report.table()
    assert table.splitlines()[0].startswith("technology discrete: 0.001 s per model time unit")
    assert len([x for x in table.splitlines() if x.startswith(("h1[", "out[", "x->", "h1->",
                                                               "teacher."))]) == len(report.rows)
    assert "note: plasticity: weight capacitors leak" in table
