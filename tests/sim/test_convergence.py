"""Convergence orders declared in vle.sim.schemes, measured."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import single_neuron

from vle import Sine, Step, simulate
from vle.sim.schemes import SCHEME_PROPERTIES

# A first-order method's log-log slope approaches 1 as dt -> 0; at these dt the next term
# still contributes a few per cent.
ORDER_TOL = 0.1
DTS = (0.04, 0.02, 0.01, 0.005)


def _error_closed_form_step(scheme: str, dt: float) -> float:
    tau_m, tau_r = 1.0, 0.2
    res = simulate(single_neuron(tau_m, tau_r), {"x": Step(1.0)}, t_stop=4.0, dt=dt,
                   scheme=scheme, record=["n.ub"])
    exact = 1 - (1 - tau_r / tau_m) * np.exp(-res.time / tau_m)
    return float(np.max(np.abs(res["n.ub"][1:, 0] - exact[1:])))


def _error_closed_form_sine(scheme: str, dt: float) -> float:
    tau, k, w = 1.0, 0.2, 1.5
    res = simulate(single_neuron(tau, k * tau), {"x": Sine((1.0,), (w,))}, t_stop=4.0, dt=dt,
                   scheme=scheme, record=["n.u"])
    t = res.time
    wt = w * tau
    u = (np.sin(w * t) - wt * np.cos(w * t) + wt * np.exp(-t / tau)) / (1 + wt**2)
    return float(np.max(np.abs(res["n.u"][:, 0] - u)))


def _order(errors: list[float]) -> float:
    slope = np.polyfit(np.log(DTS), np.log(errors), 1)[0]
    return float(slope)


@pytest.mark.parametrize("scheme", ["exact", "euler"])
def test_order_smooth_input(scheme):
    """Both schemes are first order for smooth inputs, as they declare."""
    errors = [_error_closed_form_sine(scheme, dt) for dt in DTS]
    assert _order(errors) == pytest.approx(SCHEME_PROPERTIES[scheme].order, abs=ORDER_TOL)


def test_euler_order_step_input():
    """Euler's error on the step response falls with order 1 in dt."""
    errors = [_error_closed_form_step("euler", dt) for dt in DTS]
    assert _order(errors) == pytest.approx(SCHEME_PROPERTIES["euler"].order, abs=ORDER_TOL)


def test_exact_scheme_exact_for_piecewise_constant():
    """The exact scheme declares exactness for piecewise-constant input: error at rounding
    level at every dt, not falling with dt."""
    assert SCHEME_PROPERTIES["exact"].exact_for_piecewise_constant
    for dt in DTS + (0.2,):
        assert _error_closed_form_step("exact", dt) < 1e-13
