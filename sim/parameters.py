"""Initial parameters as every backend starts them from a network and its learning rule.

Two rules live here so that the reference and Brian2 (and anything after them) start from the
same numbers: the per-unit ``tau_r`` the rule runs with (:func:`unit_tau_r`, from
:func:`vle.model.learning.rule_network`), and the feedback matrices of the error path
(:func:`feedback_weights`, seeded, so two backends draw the same random F).
"""

from __future__ import annotations

import numpy as np

from vle.model.learning import LearningRule, rule_network
from vle.sim.layout import Layout


def unit_tau_r(layout: Layout, rule: LearningRule | None) -> np.ndarray:
    """``tau_r`` per unit of ``layout`` (model time units) as ``rule`` runs it (``le``:
    ``tau_r = tau_m``); input units hold 1 (unused)."""
    tau_r = layout.tau_r.copy()
    for pop in rule_network(layout.network, rule).neurons:
        tau_r[layout.units(pop.name)] = pop.taus[1]
    return tau_r


def feedback_weights(layout: Layout, rule: LearningRule) -> np.ndarray:
    """The flat feedback weights F (shape of W per projection) for the rule's feedback mode.

    ``transpose``: F is W itself (the same array). ``random`` and ``learned``: F drawn once from
    a normal distribution with the standard deviation of the projection's initial weights (or
    ``1/sqrt(pre size)`` if they are all equal), seeded by ``feedback_seed``.
    """
    if rule.feedback == "transpose":
        return layout.wflat
    rng = np.random.default_rng(rule.feedback_seed)
    out = np.empty_like(layout.wflat)
    for j in range(len(layout.j_names)):
        w = layout.weights(j)
        std = float(w.std()) or 1.0 / np.sqrt(w.shape[1])
        o = int(layout.j_woff[j])
        out[o:o + w.size] = rng.normal(0.0, std, w.size)
    return out
