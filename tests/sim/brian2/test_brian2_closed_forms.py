"""Brian2 against the closed forms of equations.md section 3: the step response (3.1) and the
LE identity (3.2), each on the numpy target and (slow) on cpp_standalone."""

from __future__ import annotations

import numpy as np
import pytest

from vle import Network, Population, Projection, Sine, Step, simulate
from vle.sim.brian2.env import brian2_problem

if brian2_problem():
    pytest.skip(f"brian2 backend unavailable: {brian2_problem()}", allow_module_level=True)

pytestmark = pytest.mark.brian2

# Exact exponential integration of a constant input differs from the closed form only by
# rounding of exp() and a few multiply-adds per step, accumulated over the run.
EXACT_ROUNDING = 1e-12


def step_response(t: np.ndarray, tau_m: float, tau_r: float) -> tuple[np.ndarray, np.ndarray]:
    """u and ub of one neuron after a unit step at t = 0 (equations.md 3.1)."""
    decay = np.exp(-t / tau_m)
    return 1 - decay, 1 - (1 - tau_r / tau_m) * decay


# (tau_m, tau_r): a lagging unit, an LE unit and a unit with tau_r > tau_m.
STEP_TAUS = ((1.0, 0.1), (2.0, 2.0), (0.5, 1.5))
TARGETS = ["numpy", pytest.param("cpp_standalone", marks=pytest.mark.slow)]


def _step_units() -> Network:
    """One input driving a unit of each :data:`STEP_TAUS` pair through weight 1 (one
    population, so one cpp_standalone build checks all three)."""
    tau_m, tau_r = zip(*STEP_TAUS, strict=True)
    return Network("steps", (
        Population("x", 1, "input"),
        Population("n", len(STEP_TAUS), "output", tau_m=tau_m, tau_r=tau_r, phi="linear"),
    ), (Projection("x", "n", np.ones((len(STEP_TAUS), 1))),))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("dt", [0.1, 0.01])
def test_step_response_exact_scheme(dt, target):
    res = simulate(_step_units(), {"x": Step(1.0)}, t_stop=5.0, dt=dt, backend="brian2",
                   brian2_target=target)
    assert res.metadata["scheme"] == "exact"
    for k, (tau_m, tau_r) in enumerate(STEP_TAUS):
        u, ub = step_response(res.time, tau_m, tau_r)
        msg = f"unit {k}: tau_m = {tau_m}, tau_r = {tau_r}"
        np.testing.assert_allclose(res["n.u"][:, k], u, atol=EXACT_ROUNDING, err_msg=msg)
        np.testing.assert_allclose(res["n.ub"][:, k], ub, atol=EXACT_ROUNDING, err_msg=msg)


def _two_facts() -> Network:
    """A step-driven neuron (tau_m = 1, tau_r = 0.3) and a sine-driven LE neuron (1.3, 1.3)."""
    one = np.ones((1, 1))
    return Network("facts", (
        Population("xs", 1, "input"), Population("xl", 1, "input"),
        Population("step", 1, "output", tau_m=1.0, tau_r=0.3),
        Population("le", 1, "output", tau_m=1.3, tau_r=1.3),
    ), (Projection("xs", "step", one), Projection("xl", "le", one)))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("scheme", ["exact", "euler"])
def test_step_response_and_le_identity(scheme, target):
    """3.1 in the exact scheme; 3.2 in both: ub equals the input at the same instant (exact) or
    one step later (euler: one step of delay per layer)."""
    stim = {"xs": Step(1.0), "xl": Sine(amplitude=(1.0, 0.5), omega=(0.7, 2.3),
                                       phase=(0.1, 1.0))}
    res = simulate(_two_facts(), stim, t_stop=6.0, dt=0.01, scheme=scheme, backend="brian2",
                   brian2_target=target, record=["xl.r", "step.u", "step.ub", "le.ub"])
    x, ub = res["xl.r"][:, 0], res["le.ub"][:, 0]
    if scheme == "exact":
        np.testing.assert_allclose(ub, x, atol=EXACT_ROUNDING)
        u, ubs = step_response(res.time, 1.0, 0.3)
        np.testing.assert_allclose(res["step.u"][:, 0], u, atol=EXACT_ROUNDING)
        np.testing.assert_allclose(res["step.ub"][:, 0], ubs, atol=EXACT_ROUNDING)
    else:
        np.testing.assert_allclose(ub[1:], x[:-1], atol=EXACT_ROUNDING)
        assert ub[0] == 0.0
