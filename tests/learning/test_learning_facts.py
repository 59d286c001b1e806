"""Learning against closed forms and exact gradients (equations.md 3.5-3.7)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import linear_chain, mixed_network, single_neuron

from vle import Network, Population, Projection, Sine, simulate
from vle.learning.adjoint import adjoint_gradients
from vle.learning.alignment import rule_alignment
from vle.model.learning import LearningRule, Optimizer
from vle.model.nonlinearity import phi, phi_prime

# The adjoint is the exact gradient of the recorded discrete loss; central differences with
# step H have truncation error O(H^2) (~1e-10 relative) and rounding error ~1e-16 / H.
FD_STEP = 1e-5
ADJOINT_VS_FD = 1e-6
# Rounding of the loss (~1e-16 relative, loss ~1) divided by the step: the floor of a
# finite difference, for gradient entries near zero.
FD_ATOL = 1e-9
# Entries must be well above that floor, or matching them would prove nothing.
FD_NOT_ZERO = 1e-6
# Steady-state gain and phase from first-order schemes: the error neuron's lead (q = tau_m /
# tau_r = 10) amplifies the half-step delay of its integrator, error about q omega dt / 2.
FILTER_TOL = 1e-3
# Same arithmetic as static backprop (products and sums in a different order): rounding.
BACKPROP_ROUNDING = 1e-12


def _fd_gradient(net: Network, name: str, stim, targets, **kw) -> np.ndarray:
    pr = net.projection(*name.split("->"))
    grad = np.zeros_like(pr.weights)
    for idx in np.ndindex(*pr.weights.shape):
        vals = []
        for sign in (1, -1):
            w = pr.weights.copy()
            w[idx] += sign * FD_STEP
            vals.append(adjoint_gradients(net.with_weights({name: w}), stim, targets, **kw).loss)
        grad[idx] = (vals[0] - vals[1]) / (2 * FD_STEP)
    return grad


def _with_bias(net: Network, name: str, bias: np.ndarray) -> Network:
    pops = tuple(dataclasses.replace(p, bias=bias) if p.name == name else p
                 for p in net.populations)
    return Network(net.name, pops, net.projections)


def _fd_bias_gradient(net: Network, name: str, stim, targets, **kw) -> np.ndarray:
    b0 = net.population(name).bias_array
    grad = np.zeros_like(b0)
    for i in range(b0.size):
        vals = []
        for sign in (1, -1):
            b = b0.copy()
            b[i] += sign * FD_STEP
            vals.append(adjoint_gradients(_with_bias(net, name, b), stim, targets, **kw).loss)
        grad[i] = (vals[0] - vals[1]) / (2 * FD_STEP)
    return grad


def test_adjoint_matches_finite_differences_linear_chain():
    """3.6 on a linear two-layer chain (tau_m = (1, 2), tau_r = 0.1), dt = 1e-3."""
    net = linear_chain((1.0, 2.0), (0.1, 0.1)).with_weights({"x->n0": [[0.8]], "n0->n1": [[1.5]]})
    stim = {"x": Sine((1.0, 0.5), (0.9, 2.3), (0.0, 1.0))}
    targets = {"n1": Sine((0.7,), (0.9,), (0.4,))}
    kw = dict(t_stop=6.0, dt=1e-3)
    adj = adjoint_gradients(net, stim, targets, **kw)
    for name in ("x->n0", "n0->n1"):
        fd = _fd_gradient(net, name, stim, targets, **kw)
        np.testing.assert_allclose(adj.weights[name], fd, rtol=ADJOINT_VS_FD)


def _mixed_case() -> tuple[np.ndarray, dict, dict]:
    """A random-walk input (400 steps of 0.01, batch 2, 4 channels) and a sine target for
    :func:`mixed_network`, with the run's keyword arguments."""
    rng = np.random.default_rng(1)
    n_steps, dt = 400, 1e-2
    x = np.cumsum(rng.normal(0, 0.2, (n_steps + 1, 2, 4)), axis=0)
    return x, {"c": Sine((0.3,), (1.3,))}, dict(t_stop=n_steps * dt, dt=dt, batch=2)


def test_adjoint_matches_finite_differences_nonlinear_batched():
    """The same for a network with every nonlinearity, mixed tau, biases and a batch."""
    net = mixed_network(seed=4)
    x, targets, kw = _mixed_case()
    adj = adjoint_gradients(net, {"x": x}, targets, **kw)
    for name in ("b->c", "a->b"):
        fd = _fd_gradient(net, name, {"x": x}, targets, **kw)
        np.testing.assert_allclose(adj.weights[name], fd, rtol=1e-5, atol=1e-9)
    for pop in ("a", "b", "c"):
        fd = _fd_bias_gradient(net, pop, {"x": x}, targets, **kw)
        assert np.all(np.abs(fd) > FD_NOT_ZERO), "a vanishing bias gradient would test nothing"
        np.testing.assert_allclose(adj.biases[pop], fd, rtol=ADJOINT_VS_FD, atol=FD_ATOL)


def test_adjoint_matches_finite_differences_with_saturating_inputs():
    """The same with every population's input clipped to [-0.4, 0.5] (the op-amps' swing of
    the fidelity surrogate), so that each unit spends part of the run at a limit."""
    base = mixed_network(seed=4)
    net = Network(base.name, tuple(p if p.is_input else dataclasses.replace(
        p, drive_limits=(-0.4, 0.5)) for p in base.populations), base.projections)
    x, targets, kw = _mixed_case()
    free = adjoint_gradients(base, {"x": x}, targets, **kw)
    adj = adjoint_gradients(net, {"x": x}, targets, **kw)
    for name in ("b->c", "a->b", "x->a"):
        fd = _fd_gradient(net, name, {"x": x}, targets, **kw)
        np.testing.assert_allclose(adj.weights[name], fd, rtol=1e-5, atol=1e-9)
        assert not np.allclose(adj.weights[name], free.weights[name])  # the clip mattered


def _switching_labels(n_steps: int, batch: int, size: int, seed: int) -> np.ndarray:
    """One-hot labels on the grid that change class a few times, ``(n_steps + 1, batch,
    size)``."""
    rng = np.random.default_rng(seed)
    cls = rng.integers(0, size, (4, batch))
    seg = np.minimum(np.arange(n_steps + 1) * 4 // (n_steps + 1), 3)
    return np.eye(size)[cls[seg]]


def test_adjoint_cross_entropy_matches_finite_differences():
    """The same with loss = "ce" (C = -sum y log softmax(r)) and one-hot labels that switch
    class: weights and biases."""
    net = mixed_network(seed=7)
    rng = np.random.default_rng(2)
    n_steps, dt = 300, 1e-2
    x = np.cumsum(rng.normal(0, 0.3, (n_steps + 1, 2, 4)), axis=0)
    targets = {"c": _switching_labels(n_steps, 2, 3, seed=3)}
    kw = dict(t_stop=n_steps * dt, dt=dt, batch=2, loss="ce")
    adj = adjoint_gradients(net, {"x": x}, targets, **kw)
    assert adj.loss > 0
    for name in ("b->c", "a->b", "x->a"):
        fd = _fd_gradient(net, name, {"x": x}, targets, **kw)
        np.testing.assert_allclose(adj.weights[name], fd, rtol=ADJOINT_VS_FD, atol=FD_ATOL)
    for pop in ("a", "c"):
        fd = _fd_bias_gradient(net, pop, {"x": x}, targets, **kw)
        assert np.all(np.abs(fd) > FD_NOT_ZERO)
        np.testing.assert_allclose(adj.biases[pop], fd, rtol=ADJOINT_VS_FD, atol=FD_ATOL)


def _fit(t: np.ndarray, y: np.ndarray, omega: float) -> complex:
    basis = np.stack([np.sin(omega * t), np.cos(omega * t)], axis=1)
    (a, b), *_ = np.linalg.lstsq(basis, y, rcond=None)
    return complex(a, b)


def test_error_neuron_and_adjoint_filters_phase_identity():
    """3.5: e / eps = (1 + i w tau_m)/(1 + i w tau_r) measured on a simulated error neuron, and
    the adjoint's lam / g = (1 - i w tau_r)/(1 - i w tau_m): same phase, reciprocal gains.
    tau_m = 1, tau_r = 0.1, w = 1: phase 0.6857 rad, gains 1.4072 and 0.7106."""
    tau_m, tau_r, w = 1.0, 0.1, 1.0
    net = single_neuron(tau_m, tau_r).with_weights({"x->n": [[0.0]]})  # r = 0, so eps = target
    stim, target = {"x": Sine((0.0,), (1.0,))}, {"n": Sine((1.0,), (w,))}
    res = simulate(net, stim, t_stop=60.0, dt=1e-4, targets=target, record=["n.e"],
                   record_every=10)
    late = res.time > 20.0
    gle = _fit(res.time[late], res["n.e"][late, 0], w) / _fit(res.time[late], np.sin(
        w * res.time[late]), w)
    dt, t_stop = 1e-3, 125.0
    adj = adjoint_gradients(net, stim, target, t_stop=t_stop, dt=dt)
    t = np.arange(adj.lam["n"].shape[0]) * dt
    mid = (t > 20.0) & (t < t_stop - 20.0)
    g = -dt * np.sin(w * t[mid])  # dt dC/dr with C = |y - r|^2 / 2 and r = 0
    ratio = _fit(t[mid], adj.lam["n"][mid, 0, 0], w) / _fit(t[mid], g, w)
    assert np.angle(gle) == pytest.approx(0.6857, abs=FILTER_TOL)
    assert abs(gle) == pytest.approx(1.4072, abs=FILTER_TOL)
    assert np.angle(ratio) == pytest.approx(0.6857, abs=FILTER_TOL)
    assert abs(ratio) == pytest.approx(0.7106, abs=FILTER_TOL)


def _static_backprop(net: Network, x: np.ndarray, y: np.ndarray, beta: float):
    """Static network: r_l = phi(W r_{l-1} + b); delta_L = r'_L beta (y - r_L)."""
    rs, rps = {"x": x}, {}
    for pop in net.neurons:
        (pr,) = [p for p in net.projections if p.post == pop.name]
        ub = rs[pr.pre] @ pr.weights.T + pop.bias_array
        rs[pop.name], rps[pop.name] = phi(pop.phi, ub), phi_prime(pop.phi, ub)
    deltas = {}
    names = [p.name for p in net.neurons]
    for i, name in enumerate(reversed(names)):
        if i == 0:
            deltas[name] = rps[name] * beta * (y - rs[name])
        else:
            above = names[len(names) - i]
            w = net.projection(name, above).weights
            deltas[name] = rps[name] * (deltas[above] @ w)
    return rs, deltas


def test_le_updates_equal_static_backprop_at_every_instant():
    """3.7: tau_r = tau_m everywhere, exact transport: e equals the backprop error of the
    static network for the current input, and each SGD step adds lr dt delta r^T."""
    net = mixed_network(seed=5)
    lr, dt, beta = 0.05, 0.01, 0.7
    rule = LearningRule(rule="le", beta=beta, optimizer=Optimizer("sgd", lr), learn_bias=False)
    stim = {"x": Sine((1.0, 0.6), (0.8, 1.9), (0.0, 0.3))}
    target = {"c": Sine((0.4,), (1.1,))}
    res = simulate(net, stim, t_stop=3.0, dt=dt, learning=rule, targets=target, plastic=True,
                   record=["r", "e", "W"])
    y = target["c"].sample(res.time, 3)
    for n in range(1, len(res.time)):
        weights = {pr.name: res[f"{pr.name}.W"][n - 1] for pr in net.projections}
        current = net.with_weights(weights)
        rs, deltas = _static_backprop(current, res["x.r"][n], y[n], beta)
        for pop in net.neurons:
            np.testing.assert_allclose(res[f"{pop.name}.r"][n], rs[pop.name],
                                       atol=BACKPROP_ROUNDING)
            np.testing.assert_allclose(res[f"{pop.name}.e"][n], deltas[pop.name],
                                       atol=BACKPROP_ROUNDING)
        for pr in net.projections:
            step = res[f"{pr.name}.W"][n] - res[f"{pr.name}.W"][n - 1]
            expect = lr * dt * np.outer(deltas[pr.post], rs[pr.pre])
            np.testing.assert_allclose(step, expect, atol=BACKPROP_ROUNDING)


def test_gle_aligns_with_adjoint_and_bp_does_not():
    """The GLE update of a lagging hidden layer, accumulated over a window, points along the
    exact gradient; the instantaneous-error rule points against it (measured: 0.875 and
    -0.881). Both get the output layer right."""
    net = Network("lag", (
        Population("x", 2, "input"),
        Population("h", 6, "hidden", tau_m=np.linspace(0.5, 2.0, 6), tau_r=0.1, phi="tanh"),
        Population("o", 2, "output", tau_m=1.5, tau_r=0.1, phi="linear"),
    ), (Projection("x", "h", np.random.default_rng(0).normal(0, 1, (6, 2))),
        Projection("h", "o", np.random.default_rng(1).normal(0, 1, (2, 6)))))
    stim = {"x": Sine((1.0, 0.5), (1.3, 2.1), (0.0, 1.0))}
    target = {"o": Sine((0.5,), (1.7,))}
    al = {rule: rule_alignment(net, stim, target, LearningRule(rule=rule), t_stop=60.0,
                               dt=0.01, window=(10.0, 50.0)) for rule in ("gle", "bp")}
    assert al["gle"]["x->h"].cosine > 0.8
    assert al["bp"]["x->h"].cosine < 0.0
    assert al["gle"]["h->o"].cosine > 0.95 and al["bp"]["h->o"].cosine > 0.95
