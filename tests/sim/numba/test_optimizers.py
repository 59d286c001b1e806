"""The optimisers (sgd, momentum, adam) against an independent numpy implementation.

The formulas are those documented in :class:`vle.model.learning.Optimizer` and
:mod:`vle.sim.schemes`: per step the gradient of a weight is ``g = -dt <e_post r_pre^T>_batch``
(``r_pre`` at the new time for ``exact``, the old one for ``euler``), of a bias ``-dt <e>``,
of a membrane time constant ``dt <e du/dt>``; then

- sgd: ``p -= lr g``
- momentum: ``m = momentum m + g; p -= lr m``
- adam: ``m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr (m / (1 - b1^t)) /
  (sqrt(v / (1 - b2^t)) + eps)``, t the step count from 1

with ``tau_lr`` in place of ``lr`` for time constants, ``tau_m`` clipped at ``tau_m_min`` and
the weight decay ``W -= decay dt W`` after the step. The kernel is run on a small network with
every parameter plastic; the gradient of each step is formed here from the recorded errors and
rates, fed to the numpy optimiser, and the parameter trajectories are compared.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import sum_of_sines

from vle import Network, Population, Projection, simulate
from vle.model.learning import LearningRule, Optimizer
from vle.sim.numba._kernel_ops import ADAM, MOMENTUM, SGD, optimizer_step

TRAJECTORY_TOL = 1e-13
"""Parameters are of order one and move by about lr per step. The kernel and this module sum
the same products in a different order, and du/dt is recovered here as (ub - u) / tau_r (one
cancellation); measured over 60 steps: 1.1e-14 at most, so 1e-13 is rounding, while a wrong
formula (no bias correction, a (1 - momentum) factor) is off by more than 1e-4."""
STEP_TOL = {np.float64: 4 * float(np.finfo(np.float64).eps),
            np.float32: 4 * float(np.finfo(np.float32).eps)}
"""Allowed drift per optimiser step, accumulated over the steps: each step rounds a few times
on values of order one (measured: below 0.5 eps of the type per step). The mirror sits 3
above the parameter, so its offset is rounded at magnitude ~4 (measured 2-4 eps per step) and
gets four times this."""


class NumpyOptimizer:
    """The documented update rules, written from the formulas (not from the kernel)."""

    def __init__(self, opt: Optimizer, lr: float, shape: tuple[int, ...]) -> None:
        self.opt, self.lr = opt, lr
        self.m = np.zeros(shape)
        self.v = np.zeros(shape)
        self.t = 0

    def step(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        o = self.opt
        self.t += 1
        if o.kind == "sgd":
            return p - self.lr * g
        if o.kind == "momentum":
            self.m = o.momentum * self.m + g
            return p - self.lr * self.m
        self.m = o.beta1 * self.m + (1 - o.beta1) * g
        self.v = o.beta2 * self.v + (1 - o.beta2) * g**2
        mhat = self.m / (1 - o.beta1**self.t)
        vhat = self.v / (1 - o.beta2**self.t)
        return p - self.lr * mhat / (np.sqrt(vhat) + o.eps)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("kind", ["sgd", "momentum", "adam"])
def test_optimizer_step_matches_formula(kind, dtype):
    """The kernel's optimiser step alone, for 30 steps of random gradients of both signs and
    widely different sizes; the mirror (learned feedback) receives the same change."""
    rng = np.random.default_rng(0)
    opt = Optimizer(kind, lr=0.05, momentum=0.7, beta1=0.8, beta2=0.95, eps=1e-6)
    code = {"sgd": SGD, "momentum": MOMENTUM, "adam": ADAM}[kind]
    hyper = (opt.lr, opt.momentum, opt.beta1, opt.beta2, opt.eps)
    p0 = rng.normal(0, 1, 8)
    param, mirror = p0.astype(dtype), (p0 + 3.0).astype(dtype)
    m1, m2 = np.zeros(8, dtype), np.zeros(8, dtype)
    ref = NumpyOptimizer(opt, opt.lr, (8,))
    expect = p0.copy()
    scale = -0.3
    for t in range(1, 31):
        grad = (rng.normal(0, 1, 8) * 10.0 ** rng.integers(-4, 2, 8)).astype(dtype)
        optimizer_step(code, param, grad, scale, m1, m2, hyper, t, mirror, True)
        expect = ref.step(expect, scale * grad.astype(np.float64))
        np.testing.assert_allclose(param, expect, rtol=0, atol=STEP_TOL[dtype] * t)
        np.testing.assert_allclose(mirror - param, 3.0, rtol=0, atol=STEP_TOL[dtype] * 4 * t)
        assert param.dtype == dtype and m1.dtype == dtype


def _net() -> Network:
    rng = np.random.default_rng(3)
    return Network("opt", (
        Population("x", 2, "input"),
        Population("h", 3, "hidden", tau_m=[1.2, 1.5, 2.0], tau_r=[0.1, 0.8, 0.3], phi="tanh",
                   bias=[0.1, -0.2, 0.0]),
        Population("o", 2, "output", tau_m=[1.0, 1.3], tau_r=0.2, phi="linear"),
    ), (Projection("x", "h", rng.normal(0, 1, (3, 2))),
        Projection("h", "o", rng.normal(0, 1, (2, 3)))))


CASES = {
    "sgd": (Optimizer("sgd", lr=0.5), 0.0),
    "momentum_decay": (Optimizer("momentum", lr=0.2, momentum=0.8), 0.7),
    "adam": (Optimizer("adam", lr=0.01, beta1=0.8, beta2=0.9, eps=1e-7), 0.0),
    "adam_decay": (Optimizer("adam", lr=0.01), 0.3),
}


@pytest.mark.parametrize("scheme", ["exact", "euler"])
@pytest.mark.parametrize("case", list(CASES))
def test_kernel_parameter_trajectories_match_numpy_optimizer(case, scheme):
    """Weights, biases and time constants of a 2 -> 3 -> 2 GLE network over 60 steps (batch 2,
    smooth inputs and targets), against the numpy optimiser fed the gradients of the
    recorded errors and rates."""
    opt, decay = CASES[case]
    net = _net()
    dt, n_steps, nb = 0.05, 60, 2
    tau_lr, tau_min = 0.3 * opt.lr, 0.6
    rule = LearningRule(rule="gle", beta=1.0, optimizer=opt, learn_bias=True, learn_tau_m=True,
                        tau_lr=tau_lr, tau_m_min=tau_min, decay=decay)
    x = sum_of_sines(n_steps, dt, 2 * nb, seed=4).reshape(n_steps + 1, nb, 2)
    y = 0.5 * sum_of_sines(n_steps, dt, 2 * nb, seed=5).reshape(n_steps + 1, nb, 2)
    res = simulate(net, {"x": x}, t_stop=n_steps * dt, dt=dt, scheme=scheme, batch=nb,
                   learning=rule, targets={"o": y}, plastic=True,
                   record=["r", "u", "ub", "e", "W", "b", "tau_m"])
    lag = 0 if scheme == "exact" else 1  # euler: r_pre and u of step n -> n+1 are at t[n]
    pops = {p.name: p for p in net.neurons}
    opts = {}
    params = {}
    for pr in net.projections:
        opts[f"{pr.name}.W"] = NumpyOptimizer(opt, opt.lr, pr.shape)
        params[f"{pr.name}.W"] = pr.weights.copy()
    for name, pop in pops.items():
        opts[f"{name}.b"] = NumpyOptimizer(opt, opt.lr, (pop.size,))
        opts[f"{name}.tau_m"] = NumpyOptimizer(opt, tau_lr, (pop.size,))
        params[f"{name}.b"] = pop.bias_array.copy()
        params[f"{name}.tau_m"] = pop.taus[0].copy()
    clipped = False
    for n in range(n_steps):
        new, old = n + 1, n + 1 - lag
        for pr in net.projections:
            e, r_pre = res[f"{pr.post}.e"][new], res[f"{pr.pre}.r"][old]
            g = -dt * np.einsum("bi,bj->ij", e, r_pre) / nb
            w = opts[f"{pr.name}.W"].step(params[f"{pr.name}.W"], g)
            params[f"{pr.name}.W"] = w - decay * dt * w
        for name, pop in pops.items():
            e = res[f"{name}.e"][new]
            du = (res[f"{name}.ub"][new] - res[f"{name}.u"][old]) / pop.taus[1]
            params[f"{name}.b"] = opts[f"{name}.b"].step(params[f"{name}.b"],
                                                        -dt * e.sum(axis=0) / nb)
            tau = opts[f"{name}.tau_m"].step(params[f"{name}.tau_m"],
                                             dt * (e * du).sum(axis=0) / nb)
            clipped |= bool(np.any(tau < tau_min))
            params[f"{name}.tau_m"] = np.maximum(tau, tau_min)
        for key, value in params.items():
            np.testing.assert_allclose(res[key][new], value, rtol=0, atol=TRAJECTORY_TOL,
                                       err_msg=f"{key} after step {new}")
    moved = {k: float(np.abs(res[k][-1] - res[k][0]).max()) for k in params}
    assert min(moved.values()) > 1e-3, f"every parameter must move to test anything: {moved}"
    # sgd drives h's first tau_m from 1.2 towards zero: the clip at tau_m_min must act
    assert clipped or case != "sgd", "tau_m_min never clipped: the clip is not tested"


@pytest.mark.parametrize("scheme", ["exact", "euler"])
def test_tau_m_floor_is_at_least_dt(scheme):
    """tau_m_min below dt is accepted and the floor is dt (schemes.py: "clipped at tau_m_min
    (at least dt)"): the sgd case drives h's first tau_m down onto dt and no further."""
    opt, _ = CASES["sgd"]
    dt, n_steps, nb = 0.05, 60, 2
    rule = LearningRule(rule="gle", optimizer=opt, learn_tau_m=True, tau_lr=0.3 * opt.lr,
                        tau_m_min=0.001)
    x = sum_of_sines(n_steps, dt, 2 * nb, seed=4).reshape(n_steps + 1, nb, 2)
    y = 0.5 * sum_of_sines(n_steps, dt, 2 * nb, seed=5).reshape(n_steps + 1, nb, 2)
    res = simulate(_net(), {"x": x}, t_stop=n_steps * dt, dt=dt, scheme=scheme, batch=nb,
                   learning=rule, targets={"o": y}, plastic=True, record=["tau_m"])
    tau = np.concatenate([res["h.tau_m"], res["o.tau_m"]], axis=1)
    assert tau.min() == dt
