"""The exact adjoint (continuous-time BPTT): the gradient every local rule is measured against.

For a recorded forward pass of the ``exact`` scheme, the loss

    L = dt * sum_{n=1..N} < C(r_out[n], y[n]) >_batch,
    C = 0.5 |y - r|^2 (mse)  or  -sum y log softmax(r) (ce)

(no ``beta``: the GLE target error is ``e_target = -beta dC/dr``) has the gradient, for each
population p and grid index n,

    g_p[n]   = r'_p[n] * ( sum_{p->q} W_qp^T lam_q[n] + dt dC/dr_p[n] )
    z_p[n]   = (1 - a) g_p[n+1] + a z_p[n+1],   z_p[N] = 0,   a = exp(-dt / tau_m)
    lam_p[n] = (1 - k) z_p[n] + k g_p[n],       k = tau_r / tau_m

which is ``lambda = I+_{tau_m} D-_{tau_r} [r' * W^T lambda]`` of equations.md solved backward in
time, discretised exactly as the forward scheme (so it is the exact gradient of the recorded
discrete loss), and ``dL/dW_qp = sum_n <lam_q[n] r_p[n]^T>``, ``dL/db_q = sum_n <lam_q[n]>``.
``lam / dt`` is the continuous-time adjoint. Feed-forward networks, ``gamma = 0``, ``exact``
scheme.

A population with a saturating input (``drive_limits``) integrates ``c = clip(I, low, high)``
of its summed input ``I = W r_pre + b``, so the recursion above gives ``dL/dc``, and
``lam_p[n] = 1[low <= I_p[n] <= high] dL/dc_p[n]``: nothing passes where the input sits
beyond a limit (the forward kernels clip only outside ``[low, high]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from vle.model.network import Network
from vle.model.nonlinearity import phi_prime
from vle.sim.inputs import Signal
from vle.sim.simulate import simulate


@dataclass
class AdjointResult:
    """Gradients of the recorded loss: ``weights['pre->post']`` (shape of W), ``biases[pop]``;
    ``lam[pop]`` the adjoint per grid point ``(T, batch, size)``; ``loss`` the value of L."""

    weights: dict[str, np.ndarray]
    biases: dict[str, np.ndarray]
    lam: dict[str, np.ndarray]
    loss: float


def _as_batched(arr: np.ndarray, batched: bool) -> np.ndarray:
    return arr if batched else arr[:, None, :]


def _inside(network: Network, name: str, r: Mapping[str, np.ndarray]) -> np.ndarray:
    """1.0 where population ``name``'s summed input ``I = W r_pre + b`` lies within its
    ``drive_limits`` and 0.0 where it is clipped, shape ``(T, batch, size)``."""
    pop = network.population(name)
    total = np.broadcast_to(pop.bias_array, r[name].shape).copy()
    for pr in network.projections:
        if pr.post == name:
            total += r[pr.pre] @ pr.weights.T
    low, high = pop.drive_range
    return ((total >= low) & (total <= high)).astype(np.float64)


def adjoint_gradients(
    network: Network,
    stimuli: Mapping[str, Signal],
    targets: Mapping[str, Signal],
    *,
    t_stop: float,
    dt: float,
    loss: str = "mse",
    batch: int | None = None,
) -> AdjointResult:
    """Run the forward pass (numba, exact scheme) and solve the adjoint backward in time."""
    order, delayed = network.update_order()
    if delayed:
        raise ValueError(f"the adjoint supports feed-forward networks; {network.name!r} has the "
                         f"cycle-closing projections {sorted(delayed)}")
    if loss not in ("mse", "ce"):
        raise ValueError(f"unknown loss {loss!r}; use 'mse' or 'ce'")
    res = simulate(network, stimuli, t_stop=t_stop, dt=dt, scheme="exact", batch=batch,
                   record=["ub", "r"])
    batched = bool(res.metadata["batched"])
    r = {p.name: _as_batched(res[f"{p.name}.r"], batched) for p in network.populations}
    ub = {p.name: _as_batched(res[f"{p.name}.ub"], batched) for p in network.neurons}
    n_t, nb = next(iter(r.values())).shape[:2]
    # targets on the grid
    from vle.sim.inputs import GridSignals

    tpops = [network.population(n) for n in targets]
    grid = GridSignals(tpops, targets, dt, n_t - 1, batch).chunk(0, n_t - 1)  # (T, size, B)
    y: dict[str, np.ndarray] = {}
    lo = 0
    for p in tpops:
        y[p.name] = np.broadcast_to(grid[:, lo:lo + p.size, :].transpose(0, 2, 1),
                                    (n_t, nb, p.size))
        lo += p.size
    dcdr: dict[str, np.ndarray] = {}
    total = 0.0
    for name, yy in y.items():
        out = r[name]
        if loss == "mse":
            diff = out - yy
            c = 0.5 * np.sum(diff**2, axis=2)
            dcdr[name] = diff
        else:
            z = out - out.max(axis=2, keepdims=True)
            logp = z - np.log(np.sum(np.exp(z), axis=2, keepdims=True))
            c = -np.sum(yy * logp, axis=2)
            dcdr[name] = np.exp(logp) - yy
        dcdr[name][0] = 0.0  # the loss sums n = 1..N
        total += dt * float(np.sum(c[1:])) / nb
    rprime = {n: phi_prime(network.population(n).phi, ub[n]) for n in ub}
    lam = {n: np.zeros_like(ub[n]) for n in ub}
    z = {n: np.zeros((nb, ub[n].shape[2])) for n in ub}
    g_next = {n: np.zeros((nb, ub[n].shape[2])) for n in ub}
    outgoing = {n: [pr for pr in network.projections if pr.pre == n] for n in ub}
    inside = {n: _inside(network, n, r) for n in ub if network.population(n).saturating}
    for t in range(n_t - 1, -1, -1):
        for name in reversed(order):
            pop = network.population(name)
            tau_m, tau_r = pop.taus
            a = np.exp(-dt / tau_m)
            k = tau_r / tau_m
            back = dt * dcdr[name][t] if name in dcdr else np.zeros((nb, pop.size))
            for pr in outgoing[name]:
                back = back + lam[pr.post][t] @ pr.weights
            g = rprime[name][t] * back
            if t < n_t - 1:
                z[name] = (1 - a) * g_next[name] + a * z[name]
            lam[name][t] = (1 - k) * z[name] + k * g
            if name in inside:
                lam[name][t] *= inside[name][t]
            g_next[name] = g
    weights = {}
    for pr in network.projections:
        weights[pr.name] = np.einsum("tbi,tbj->ij", lam[pr.post], r[pr.pre]) / nb
    biases = {n: lam[n].sum(axis=(0, 1)) / nb for n in lam}
    return AdjointResult(weights, biases, lam, total)
