"""How well a local learning rule follows the exact gradient: its accumulated update against the
adjoint gradient over the same recorded forward pass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from vle.learning.adjoint import adjoint_gradients
from vle.model.learning import LearningRule, rule_network
from vle.model.network import Network
from vle.sim.inputs import Signal
from vle.sim.simulate import simulate


@dataclass(frozen=True)
class Alignment:
    """Local update ``dW = sum_n dt <e r_pre^T>`` against ``-beta dL/dW`` from the adjoint:
    cosine similarity (1 = same direction) and norm ratio ``|dW| / |beta dL/dW|``."""

    projection: str
    cosine: float
    norm_ratio: float


def accumulated_updates(
    network: Network,
    stimuli: Mapping[str, Signal],
    targets: Mapping[str, Signal],
    rule: LearningRule,
    *,
    t_stop: float,
    dt: float,
    window: tuple[float, float] | None = None,
    batch: int | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per projection ``(dW, -beta dL/dW)``: the rule's accumulated update
    ``dW = sum_n dt <e r_pre^T>`` over ``window`` (model times, default the whole run), and the
    adjoint's over the same forward pass, parameters held fixed (exact scheme, ``gamma = 0``,
    so the rule's forward pass is the adjoint's)."""
    if rule.gamma != 0:
        raise ValueError("rule_alignment needs gamma = 0 (error nudging changes the forward "
                         "pass the adjoint differentiates)")
    network = rule_network(network, rule)  # the adjoint differentiates what the rule runs
    res = simulate(network, stimuli, t_stop=t_stop, dt=dt, scheme="exact", batch=batch,
                   learning=rule, targets=targets, record=["r", "e"])
    adj = adjoint_gradients(network, stimuli, targets, t_stop=t_stop, dt=dt, loss=rule.loss,
                            batch=batch)
    t0, t1 = window if window is not None else (0.0, t_stop)
    keep = (res.time > t0 - dt / 2) & (res.time < t1 + dt / 2) & (res.time > 0)
    batched = res.metadata["batched"]
    out = {}
    for pr in network.projections:
        e = res[f"{pr.post}.e"]
        r = res[f"{pr.pre}.r"]
        if not batched:
            e, r = e[:, None, :], r[:, None, :]
        local = dt * np.einsum("tbi,tbj->ij", e[keep], r[keep]) / e.shape[1]
        lam = adj.lam[pr.post]
        exact = -rule.beta * np.einsum("tbi,tbj->ij", lam[keep], r[keep]) / e.shape[1]
        out[pr.name] = (local, exact)
    return out


def compare(update: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """``(cosine, |update| / |reference|)`` of two updates (NaN cosine when either is zero,
    infinite ratio when the reference is)."""
    na, nb = float(np.linalg.norm(update)), float(np.linalg.norm(reference))
    cos = float(np.sum(update * reference) / (na * nb)) if na and nb else float("nan")
    return cos, (na / nb if nb else float("inf"))


def rule_alignment(
    network: Network,
    stimuli: Mapping[str, Signal],
    targets: Mapping[str, Signal],
    rule: LearningRule,
    *,
    t_stop: float,
    dt: float,
    window: tuple[float, float] | None = None,
    batch: int | None = None,
) -> dict[str, Alignment]:
    """Per projection, the alignment of the rule's accumulated update over ``window`` (model
    times, default the whole run) with the adjoint gradient, parameters held fixed
    (:func:`accumulated_updates`).

    Exact scheme, ``gamma = 0`` (so the rule's forward pass is the adjoint's).
    """
    ups = accumulated_updates(network, stimuli, targets, rule, t_stop=t_stop, dt=dt,
                              window=window, batch=batch)
    return {name: Alignment(name, *compare(local, exact))
            for name, (local, exact) in ups.items()}
