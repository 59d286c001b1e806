"""Gradient fidelity of one sample: does the drawn circuit's local learning rule still point
where the ideal model's does?

For a model that learns (a ``[learning]`` rule and targets), per projection ``P``:

- ``dW_s``: the rule's accumulated update ``sum_n dt e r_pre^T`` on the sample's realised
  network (:func:`~vle.fidelity.surrogate.realised_network`) over one pass of the model's
  stimuli, parameters held fixed (:func:`vle.learning.alignment.accumulated_updates`);
- ``dW_0``: the same on the ideal network;
- ``g_s``: ``-beta dL/dW`` of the circuit's own loss from the exact adjoint over the same
  forward pass (what a perfect learning rule on that circuit would do).

``P.W:grad_cos_ideal`` and ``P.W:grad_ratio_ideal`` are the cosine and norm ratio
``|dW_s| / |dW_0|`` against the ideal update, ``P.W:grad_cos_adjoint`` and
``P.W:grad_ratio_adjoint`` against ``g_s``. All with ``gamma = 0`` (no error nudging into the
membranes, so the rule's forward pass is the one the adjoint differentiates) and the exact
scheme; the targets are the model's (a teacher is simulated on the ideal parameters).
"""

from __future__ import annotations

from dataclasses import replace

from vle.circuits.technology import Technology
from vle.fidelity.surrogate import realised_network
from vle.learning.alignment import accumulated_updates, compare
from vle.mapping import Variation, compile_plan
from vle.model.learning import LearningRule
from vle.model.model import Model
from vle.sim.targets import model_targets

KINDS = ("grad_cos_ideal", "grad_ratio_ideal", "grad_cos_adjoint", "grad_ratio_adjoint")
"""The gradient metrics of each projection (``P.W:KIND``)."""


def learns(model: Model) -> bool:
    """True when the model has a learning rule that updates weights and targets to learn."""
    return model.learning is not None and model.learning.rule != "none" and bool(model.targets)


def _rule(model: Model) -> LearningRule:
    assert model.learning is not None
    return replace(model.learning, gamma=0.0)


def gradient_metrics(model: Model, technology: str | Technology,
                     variation: Variation | None,
                     ideal: dict[str, tuple] | None = None) -> dict[str, float]:
    """Every gradient metric of the sample ``variation`` (see the module docstring);
    ``ideal`` is :func:`ideal_updates` of the model when already computed."""
    if not learns(model):
        raise ValueError(f"model {model.network.name}: gradient fidelity needs a [learning] "
                         "rule and targets")
    sim = model.simulation
    plan, _ = compile_plan(model, technology, variation=variation)
    net = realised_network(plan)
    targets = model_targets(model, dt=sim.dt, n_steps=sim.n_steps, scheme="exact")
    ups = accumulated_updates(net, model.stimuli, targets, _rule(model), t_stop=sim.t_stop,
                              dt=sim.dt)
    base = ideal if ideal is not None else ideal_updates(model)
    out: dict[str, float] = {}
    for name, (local, exact) in ups.items():
        out[f"{name}.W:grad_cos_ideal"], out[f"{name}.W:grad_ratio_ideal"] = compare(
            local, base[name][0])
        out[f"{name}.W:grad_cos_adjoint"], out[f"{name}.W:grad_ratio_adjoint"] = compare(
            local, exact)
    return out


def ideal_updates(model: Model) -> dict[str, tuple]:
    """The ideal network's accumulated updates and adjoint gradients, per projection."""
    sim = model.simulation
    targets = model_targets(model, dt=sim.dt, n_steps=sim.n_steps, scheme="exact")
    return accumulated_updates(model.network, model.stimuli, targets, _rule(model),
                               t_stop=sim.t_stop, dt=sim.dt)
