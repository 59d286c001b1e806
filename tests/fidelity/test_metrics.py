"""Fidelity metrics against closed forms: amplitudes of a known sinusoid, and the gain and
phase error of a low-pass whose time constant is off."""

from __future__ import annotations

import math

import numpy as np

from vle import Network, Population, Projection, Sine, simulate
from vle.fidelity.metrics import amplitudes, gain_phase_errors, metric_kind, trace_metrics

GRID_ERROR = 2e-3
"""The exact scheme holds the input constant over a step (dt = 1e-3): a delay of dt / 2, so
phases are off by about omega dt / 2 = 5e-4 at omega = 1, gains by far less."""


def test_amplitudes_of_a_known_sinusoid() -> None:
    t = np.linspace(0, 40, 4001)
    y = 0.3 + 2.0 * np.cos(1.3 * t + 0.4) + 0.5 * np.sin(0.7 * t)
    a = amplitudes(t, y[:, None], [1.3, 0.7])
    assert np.isclose(a[0, 0], 2.0 * np.exp(0.4j), atol=1e-12)
    assert np.isclose(a[1, 0], 0.5 * np.exp(-0.5j * np.pi), atol=1e-12)


def _unit(tau_m: float) -> Network:
    return Network("lp", (Population("x", 1, "input"),
                          Population("n", 1, "output", tau_m=tau_m, tau_r=tau_m / 4,
                                     phi="linear")),
                   (Projection("x", "n", np.ones((1, 1))),))


def test_gain_and_phase_error_of_a_low_pass_with_tau_off() -> None:
    w, tau, d = 1.0, 1.0, 0.05
    stim = {"x": Sine((1.0,), (w,))}
    ref = simulate(_unit(tau), stim, t_stop=40.0, dt=1e-3, record=["n.u"])
    val = simulate(_unit(tau * (1 + d)), stim, t_stop=40.0, dt=1e-3, record=["n.u"])
    (g, p), = gain_phase_errors(ref.time, val["n.u"], ref["n.u"], [w])
    want_g = math.hypot(1, w * tau) / math.hypot(1, w * tau * (1 + d)) - 1
    want_p = math.atan(w * tau) - math.atan(w * tau * (1 + d))
    assert abs(g - want_g) < GRID_ERROR * abs(want_g)
    assert abs(p - want_p) < GRID_ERROR
    m = trace_metrics(val, ref, ["n.u"], [w])
    assert m["n.u:gain@1"] == g and m["n.u:phase@1"] == p
    assert m["n.u:delay"] > 0 and 0 < m["n.u:nrmse"] < 0.05
    assert {metric_kind(k) for k in m} == {"nrmse", "max_abs", "delay", "gain", "phase"}
