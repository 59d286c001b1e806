"""Whole compiled circuits implement the model: transfer functions of the generated netlist
(nodal analysis of every element the compiler emitted) against tau_m, tau_r, q and W."""

import numpy as np
import pytest

from vle.mapping import compile
from vle.model import Model, Network, Population, Projection, SimulationSettings, Step
from vle.model.learning import LearningRule, Optimizer
from vle.model.nonlinearity import phi_prime

OWN = {"ideal": 1e-9, "discrete": 1e-3, "onchip": 5e-3}
"""Circuits against their own realised element values. Ideal: exact to the rounding of the
eigenvalue solver. Physical: op-amps move DC gains by about noise gain / A0 (discrete
10 / 1e5, on-chip 5 / 1e4) and a corner f by about f * noise gain / GBW (discrete
160 Hz x 20 / 5 MHz = 6e-4; on-chip 160 kHz x 5 / 200 MHz = 4e-3)."""
TOLERANCE = {"ideal": 1e-9, "discrete": 0.015, "onchip": 0.01}
"""Realised against requested values: the technologies' acceptance limits."""


def model(tau_m: float, tau_r: float, w: float, *, learning: bool = False) -> Model:
    net = Network("n", (Population("x", 1, kind="input"),
                        Population("out", 1, kind="output", tau_m=tau_m, tau_r=tau_r,
                                   phi="linear")),
                  (Projection("x", "out", np.array([[w]]), plastic=False),))
    # biases fixed: a plastic bias integrates e and would close a loop around the error
    # neuron, whose transfer function alone is checked here
    rule = LearningRule("gle", beta=0.5, optimizer=Optimizer("sgd", 0.01),
                        learn_bias=False) if learning else None
    targets = {"out": Step(amplitude=1.0)} if learning else {}
    return Model(net, {"x": Step(amplitude=0.0)}, SimulationSettings(dt=0.01, t_stop=1.0),
                 learning=rule, targets=targets)


def dominant(values: np.ndarray) -> complex:
    return complex(values[np.argmin(np.abs(values))])


@pytest.mark.parametrize("tech", ["ideal", "discrete", "onchip"])
@pytest.mark.parametrize(("tau_m", "tau_r"), [(1.0, 0.1), (0.5, 0.8), (2.0, 2.0)])
def test_neuron_transfer_function(tech: str, tau_m: float, tau_r: float) -> None:
    from vle.circuits import transfer_function

    w = 1.5
    circuit, report = compile(model(tau_m, tau_r, w), tech)
    s = report.time_scale
    rows = {r.quantity: r for r in report.rows if r.item == "out[0]"}
    tm, tr = rows["tau_m"].realised, rows["tau_r"].realised
    (wrow,) = report.select("W")
    tol = OWN[tech]
    ub = transfer_function(circuit, "Vx_x_0_0", "out_ub_0")
    u = transfer_function(circuit, "Vx_x_0_0", "out_u_0")
    assert ub.dc_gain == pytest.approx(wrow.realised, rel=tol)
    assert u.dc_gain == pytest.approx(wrow.realised, rel=tol)
    assert dominant(u.poles) == pytest.approx(-1 / tm, rel=tol)
    if tau_r != tau_m:
        assert dominant(ub.poles) == pytest.approx(-1 / tm, rel=tol)
        assert dominant(ub.zeros) == pytest.approx(-1 / tr, rel=tol)
    else:  # LE: ub follows the input at once (pole and zero cancel)
        assert all(abs(p) > 100 / (tau_m * s) for p in ub.poles)
    for realised, requested in ((tm, tau_m * s), (tr, tau_r * s)):
        assert realised == pytest.approx(requested, rel=TOLERANCE[tech] + 1e-12)


@pytest.mark.parametrize("tech", ["ideal", "discrete", "onchip"])
def test_error_neuron_transfer_function(tech: str) -> None:
    """From the target y to the output error e: beta (1 + s tau_m)/(1 + s tau_r), r' = 1."""
    from vle.circuits import transfer_function

    tau_m, tau_r = 1.0, 0.2
    circuit, report = compile(model(tau_m, tau_r, 1.0, learning=True), tech)
    v = report.v_unit
    rows = {r.quantity: r for r in report.rows if r.item == "out[0]"}
    a, b = rows["error tau_m"].realised, rows["error tau_r"].realised
    (beta,) = report.select("beta")
    op = {"out_rp_0": v * float(phi_prime("linear", np.array(0.0)))}
    e = transfer_function(circuit, "Vy_out_0_0", "out_e_0", operating_point=op)
    tol = OWN[tech]
    assert e.dc_gain == pytest.approx(beta.realised, rel=tol)
    assert dominant(e.poles) == pytest.approx(-1 / b, rel=tol)
    assert dominant(e.zeros) == pytest.approx(-1 / a, rel=tol)
    q = rows["gain q"]
    assert q.requested == pytest.approx(tau_m / tau_r)
    assert q.realised == pytest.approx(a / b, rel=1e-9)


STAGE_POLE = 1e-3
"""The lead stage's closed-loop pole against ``2 pi GBW / g`` (single-pole op-amp, noise gain
g): the finite DC gain and the other stages' poles (a decade further out) move it by ~2e-4."""


@pytest.mark.parametrize("time_scale", [1e-3, 1e-4])
def test_lead_stage_pole_is_where_the_bandwidth_check_puts_it(time_scale: float) -> None:
    """tau_r / tau_m = 20 on discrete op-amps: the generated circuit has its dominant pole at
    1 / tau_m and the next at 2 pi GBW / g, the pole the mapping's bandwidth check reasons
    about (mapping.values.bandwidth_ratio)."""
    from vle.circuits import get_technology, transfer_function
    from vle.mapping.value_selection import BANDWIDTH_MARGIN

    circuit, report = compile(model(0.1, 2.0, 1.5), "discrete", time_scale=time_scale)
    (gain,) = [r.realised for r in report.rows if r.quantity == "gain k"]
    tm = {r.quantity: r.realised for r in report.rows if r.item == "out[0]"}["tau_m"]
    gbw = get_technology("discrete").opamp.gbw  # type: ignore[union-attr]
    poles = np.sort(np.abs(transfer_function(circuit, "Vx_x_0_0", "out_ub_0").poles))
    assert poles[0] == pytest.approx(1 / tm, rel=OWN["discrete"])
    assert poles[1] == pytest.approx(2 * np.pi * gbw / gain, rel=STAGE_POLE)
    assert poles[1] * tm >= BANDWIDTH_MARGIN
    assert any("op-amp bandwidth: tightest lead stage out[0]" in n for n in report.notes)


def test_a_lead_stage_beyond_the_op_amp_is_refused() -> None:
    """gain 1000 on a 5 MHz op-amp: the stage would close its loop at 5 kHz, below the
    section's 16 kHz corner, and the op-amp would set the neuron's time constant."""
    from vle.mapping import MappingError

    with pytest.raises(MappingError, match=r"population out unit 0: tau_r / tau_m = 1000 needs "
                       r"a difference stage .* only 0\.314x .* use a larger --time-scale"):
        compile(model(0.01, 10.0, 1.0), "discrete")
    compile(model(0.01, 10.0, 1.0), "discrete", time_scale=0.1)
