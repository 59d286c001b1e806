"""The numba reference against the closed forms of equations.md section 3 (facts 3.1-3.4)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import linear_chain, single_neuron

from vle import Sine, Step, simulate

# Exact exponential integration of a constant input differs from the closed form only by
# floating-point rounding of exp() and a few multiply-adds per step, accumulated over the run.
EXACT_ROUNDING = 1e-12
# Both schemes are first order for inputs that are not piecewise constant: the zero-order hold
# shifts a layer's (smooth) input by up to dt/2, so a measured delay is right to O(dt).
DELAY_TOL_PER_DT = 1.0
# Gain and phase of the sinusoidal steady state in units of omega dt: the zero-order hold
# delays the membrane by dt/2 (exact scheme), the euler scheme adds one step of delay and its
# first-order truncation error; both are O(omega dt): measured up to 0.67 omega dt (exact)
# and 1.25 omega dt (euler).
SINE_TOL_PER_OMEGA_DT = 2.0


@pytest.mark.parametrize("dt", [0.1, 0.025, 0.01])
@pytest.mark.parametrize("tau_m,tau_r", [(1.0, 0.1), (2.0, 2.0), (0.5, 1.5)])
def test_step_response_exact_scheme_any_dt(dt, tau_m, tau_r):
    """3.1: u = 1 - exp(-t/tau_m), ub = 1 - (1 - tau_r/tau_m) exp(-t/tau_m), at any dt."""
    res = simulate(single_neuron(tau_m, tau_r), {"x": Step(1.0)}, t_stop=10.0, dt=dt)
    t = res.time
    np.testing.assert_allclose(res["n.u"][:, 0], 1 - np.exp(-t / tau_m), atol=EXACT_ROUNDING)
    ub = 1 - (1 - tau_r / tau_m) * np.exp(-t / tau_m)
    np.testing.assert_allclose(res["n.ub"][:, 0], ub, atol=EXACT_ROUNDING)


def test_step_response_with_later_onset_on_grid():
    """A step that switches on at a grid point is piecewise constant: still exact."""
    tau_m, tau_r, t_on = 1.0, 0.3, 2.0
    res = simulate(single_neuron(tau_m, tau_r), {"x": Step(2.0, t_on=t_on)}, t_stop=8.0,
                   dt=0.25)
    s = np.clip(res.time - t_on, 0.0, None)
    on = res.time >= t_on
    ub = np.where(on, 2.0 * (1 - (1 - tau_r / tau_m) * np.exp(-s / tau_m)), 0.0)
    np.testing.assert_allclose(res["n.ub"][:, 0], ub, atol=EXACT_ROUNDING)


@pytest.mark.parametrize("scheme", ["exact", "euler"])
def test_le_identity(scheme):
    """3.2: with tau_r = tau_m, ub equals the input current at every time.

    In the exact scheme to rounding at the same instant; in the euler scheme ub[n+1] equals the
    input current of step n (one step of delay per layer), also to rounding."""
    stim = Sine(amplitude=(1.0, 0.5), omega=(0.7, 2.3), phase=(0.1, 1.0))
    res = simulate(single_neuron(1.3, 1.3), {"x": stim}, t_stop=20.0, dt=0.01, scheme=scheme)
    x = res["x.r"][:, 0]
    ub = res["n.ub"][:, 0]
    if scheme == "exact":
        np.testing.assert_allclose(ub, x, atol=EXACT_ROUNDING)
    else:
        np.testing.assert_allclose(ub[1:], x[:-1], atol=EXACT_ROUNDING)


@pytest.mark.parametrize("scheme", ["exact", "euler"])
@pytest.mark.parametrize("tau_m,tau_r,omega", [(1.0, 0.1, 1.0), (2.0, 0.5, 0.3), (0.5, 1.5, 2.0)])
def test_sinusoidal_steady_state(tau_m, tau_r, omega, scheme):
    """3.3: in steady state ub / I = (1 + i w tau_r) / (1 + i w tau_m)."""
    dt = 1e-3
    periods = 6
    t_stop = round((30 * tau_m + periods * 2 * np.pi / omega) / dt) * dt
    res = simulate(single_neuron(tau_m, tau_r), {"x": Sine((1.0,), (omega,))}, t_stop=t_stop,
                   dt=dt, record=["n.ub"], scheme=scheme)
    t = res.time
    keep = t >= t_stop - periods * 2 * np.pi / omega
    # least-squares fit of a sin + b cos at omega over whole periods
    basis = np.stack([np.sin(omega * t[keep]), np.cos(omega * t[keep])], axis=1)
    (a, b), *_ = np.linalg.lstsq(basis, res["n.ub"][keep, 0], rcond=None)
    measured = complex(a, b)  # a sin + b cos = Im((a + i b) e^{i w t})
    expected = (1 + 1j * omega * tau_r) / (1 + 1j * omega * tau_m)
    tol = SINE_TOL_PER_OMEGA_DT * omega * dt
    assert abs(abs(measured) - abs(expected)) < tol
    assert abs(np.angle(measured) - np.angle(expected)) < tol


@pytest.mark.parametrize("scheme", ["exact", "euler"])
def test_chain_delay(scheme):
    """3.4: a chain of linear DC-gain-1 units delays the envelope by sum(tau_m - tau_r).

    The delay is the impulse-response centroid, the integral of (1 - step response). Example
    of equations.md: tau_m = (1, 2), tau_r = 0.1 gives 2.8. The euler scheme adds one step per
    layer."""
    dt = 2e-4
    res = simulate(linear_chain((1.0, 2.0), (0.1, 0.1)), {"x": Step(1.0)}, t_stop=60.0, dt=dt,
                   scheme=scheme, record=["n1.ub"])
    y = res["n1.ub"][:, 0]
    gap = 1.0 - y
    delay = float(np.sum((gap[1:] + gap[:-1]) / 2) * dt)
    expected = 2.8 + (2 * dt if scheme == "euler" else 0.0)
    assert delay == pytest.approx(expected, abs=DELAY_TOL_PER_DT * dt)
