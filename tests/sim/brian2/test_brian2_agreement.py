"""The brian2 backend against the numba reference under the same scheme (issue 6).

LagLine forward (examples/lagline.toml), the LagLine student with its teacher's target (error
neurons), the 8 -> 16 -> 8 -> 4 tanh network forward and with error neurons, and the weights of
a short LagLine learning run, every one on the numpy target and (slow) on cpp_standalone (the
learning run also on cython).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import EXAMPLES
from helpers import sum_of_sines, wide_network

from vle import load_model, simulate
from vle.model.learning import LearningRule
from vle.sim.backend_comparison import compare_backends
from vle.sim.brian2.env import brian2_problem
from vle.sim.targets import model_targets
from vle.sim.trace_comparison import ROUNDING_TOLERANCE

if brian2_problem():
    pytest.skip(f"brian2 backend unavailable: {brian2_problem()}", allow_module_level=True)

pytestmark = pytest.mark.brian2

# Relative error of a trace: max over time, batch and units of |brian2 - numba|, divided by the
# max of |numba| over the same trace (absolute when the reference trace is zero everywhere).
# Both backends do the same arithmetic in a different order (Brian2's exact updater writes
# I - I exp(-dt/tau) + u exp(-dt/tau), sums over synapses instead of BLAS dot products, a
# readout as u + tau_r ((I - u) / tau_m) instead of u + (tau_r / tau_m) (I - u)): measured
# 1e-14 at most; 1e-9 is the bound for "to rounding".
ROUNDING = 1e-9
# Weight trajectories of a learning run (the bound; measured about 1e-15).
WEIGHTS = 1e-6

SCHEMES = ["exact", "euler"]
TARGETS = ["numpy", pytest.param("cpp_standalone", marks=pytest.mark.slow)]


def rel_error(value: np.ndarray, reference: np.ndarray) -> float:
    """max |value - reference| / max |reference| (see ROUNDING)."""
    scale = float(np.max(np.abs(reference)))
    diff = np.abs(np.asarray(value) - reference)
    return float(np.nanmax(diff)) / (scale if scale > 0 else 1.0)


def assert_same(brian2, numba, tol: float = ROUNDING) -> None:
    assert brian2.traces.keys() == numba.traces.keys()
    np.testing.assert_allclose(brian2.time, numba.time, rtol=0, atol=1e-12)
    for name, ref in numba.traces.items():
        if name == "loss":
            ref, value = ref[1:], brian2[name][1:]  # no loss at t = 0 (nan)
        else:
            value = brian2[name]
        assert value.shape == ref.shape, name
        assert rel_error(value, ref) <= tol, f"{name}: {rel_error(value, ref):.3g}"


def both(network, stimuli, target: str, **kw):
    ref = simulate(network, stimuli, backend="numba", **kw)
    res = simulate(network, stimuli, backend="brian2", brian2_target=target, **kw)
    assert res.metadata["brian2_target"] == target
    return res, ref


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_lagline_forward(scheme, target):
    model = load_model(EXAMPLES / "lagline.toml")
    res, ref = both(model.network, model.stimuli, target, t_stop=8.0, dt=0.01, scheme=scheme)
    assert set(res.traces) == {"x.r", "h1.u", "h1.ub", "h1.r", "out.u", "out.ub", "out.r"}
    assert_same(res, ref)


def _student(scheme: str, n_steps: int, dt: float = 0.01):
    model = load_model(EXAMPLES / "lagline_student.toml")
    targets = model_targets(model, dt=dt, n_steps=n_steps, scheme=scheme)
    return model, dict(t_stop=n_steps * dt, dt=dt, scheme=scheme, targets=targets,
                       learning=model.learning)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_lagline_student_error_neurons(scheme, target):
    """Error neurons driven by the teacher's output; parameters fixed."""
    model, kw = _student(scheme, 800)
    res, ref = both(model.network, model.stimuli, target, **kw)
    assert {"h1.v", "h1.e", "out.v", "out.e", "loss"} <= set(res.traces)
    assert_same(res, ref)


@pytest.mark.parametrize("target", [*TARGETS, pytest.param("cython", marks=pytest.mark.slow)])
@pytest.mark.parametrize("scheme", SCHEMES)
def test_lagline_learning_weights(scheme, target):
    """The student learns w and tau_m (Adam, as in its model file): every trace to rounding,
    the weight trajectories within WEIGHTS."""
    model, kw = _student(scheme, 400)
    res, ref = both(model.network, model.stimuli, target, plastic=True,
                    record=["u", "ub", "r", "v", "e", "W", "tau_m", "loss"], **kw)
    for name in ("x->h1.W", "h1->out.W"):
        assert res[name].shape == (401, 1, 1)
        assert rel_error(res[name], ref[name]) <= WEIGHTS
        assert abs(res[name][-1] - res[name][0]).max() > 1e-4  # the weights did move
    assert_same(res, ref)


def _wide(errors: bool, n_steps: int = 300, dt: float = 0.01):
    stim = {"x": sum_of_sines(n_steps, dt, 8)}
    kw: dict = dict(t_stop=n_steps * dt, dt=dt)
    if errors:
        kw.update(targets={"out": 0.5 * sum_of_sines(n_steps, dt, 4, seed=1)},
                  learning=LearningRule(beta=0.5, gamma=0.2))
    return wide_network(), stim, kw


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_wide_network_forward(scheme, target):
    net, stim, kw = _wide(errors=False)
    res, ref = both(net, stim, target, scheme=scheme, **kw)
    assert_same(res, ref)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_wide_network_error_neurons(scheme, target):
    """Error neurons on every layer, the target on the 4-unit output, nudging gamma = 0.2."""
    net, stim, kw = _wide(errors=True)
    res, ref = both(net, stim, target, scheme=scheme, **kw)
    assert {"h1.e", "h2.e", "out.e", "h1.v"} <= set(res.traces)
    assert np.abs(res["h1.e"]).max() > 1e-3  # errors reach the first layer
    assert_same(res, ref)


def test_compare_holds_brian2_to_rounding():
    """``vle compare --backends numba,brian2`` defaults to ROUNDING_TOLERANCE, and a student
    run with learning passes it on every trace, the weights included."""
    model = load_model(EXAMPLES / "lagline_student.toml").with_simulation(t_stop=4.0, dt=0.01)
    (comp,) = compare_backends(model, ("numba", "brian2"), plastic=True).comparisons
    assert {r.tolerance for r in comp.rows} == {ROUNDING_TOLERANCE}
    assert {"x->h1.W", "out.e", "loss"} <= {r.trace for r in comp.rows}
    assert comp.passed, comp.table()
