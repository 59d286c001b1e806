"""The behavioural surrogate: a circuit's realised part values as a model network for numba.

A compiled plan (:func:`vle.mapping.compile_plan`, nominal or one Monte Carlo draw) holds the
value of every part. :func:`realised_network` turns them back into model parameters, so the
numba reference simulates what the parts realise, thousands of samples a minute:

- per unit, ``tau_m = b / s`` and ``tau_r = a / s`` of its neuron section (``s`` seconds per
  model time unit; lag ``a = R2 C``, ``b = (R1 + R2) C``; lead ``b = R C``, ``a = g b``);
- per fixed projection, ``W = R_f G`` of its conductances, and the bias ``b = R_f G`` of the
  bias conductances from the 1-unit rail;
- on technologies with op-amps, the finite DC gain ``A`` of each unit's summing amplifier
  (:func:`summing_gains`): its first stage sums the positive conductances into a virtual ground
  with noise gain ``N_1 = 1 + R_f sum G+``, its second the first stage's output and the negative
  conductances with ``N_2 = 2 + R_f sum |G-|``; an inverting stage of noise gain ``N`` realises
  ``1 / (1 + N / A)`` of its ideal gain, so positive weights and biases are scaled by
  ``1 / ((1 + N_1/A)(1 + N_2/A))`` and negative ones by ``1 / (1 + N_2/A)``.

What the surrogate leaves out, by construction: the op-amps' bandwidth, swing and the followers'
``A / (1 + A)``, SPICE's continuous time against the reference's scheme, and the error
neurons' own sections (the reference ties an error neuron's time constants to its neuron's).
Its error against ngspice on the same draws is measured, not assumed
(``benchmarks/fidelity.py``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from vle.mapping.plan import Plan
from vle.model.network import Network


def summing_gains(plan: Plan, pop: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per unit of population ``pop``: the factors (dimensionless) by which the finite DC gain
    of its summing amplifier scales its positive and its negative inputs (ones on behavioural
    technologies); see the module docstring."""
    tech = plan.technology
    ones = np.ones(size)
    if tech.behavioural or tech.opamp is None:
        return ones, ones
    part = plan.student
    pos, neg = np.zeros(size), np.zeros(size)
    keys = [part.label + pr.name for pr in part.network.projections if pr.post == pop]
    keys.append(f"{part.label}bias:{pop}")
    for key in keys:
        block = plan.conductances.get(key)
        if block is None:
            continue
        g = block.conductance
        pos += np.where(g > 0, g, 0.0).sum(axis=1)
        neg += np.where(g < 0, -g, 0.0).sum(axis=1)
    a, rf = tech.opamp.dc_gain, tech.feedback_resistance
    stage1 = 1.0 / (1.0 + (1.0 + rf * pos) / a)
    stage2 = 1.0 / (1.0 + (2.0 + rf * neg) / a)
    return stage1 * stage2, stage2


def _scaled(w: np.ndarray, gains: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Weights ``(post, pre)`` with the positive and negative summing gains of each row."""
    return np.where(w > 0, w * gains[0][:, None], w * gains[1][:, None])


def realised_network(plan: Plan) -> Network:
    """The student network of ``plan`` with the time constants, weights and biases its parts
    realise (model units)."""
    part = plan.student
    net = part.network
    s = plan.time_scale
    gains = {p.name: summing_gains(plan, p.name, p.size) for p in net.neurons}
    pops = []
    for p in net.populations:
        if p.is_input:
            pops.append(p)
            continue
        sec = [plan.values[(part.prefix, p.name, i, "neuron")] for i in range(p.size)]
        bias = plan.conductances.get(f"{part.label}bias:{p.name}")
        pops.append(replace(
            p, tau_m=np.array([v.b for v in sec]) / s, tau_r=np.array([v.a for v in sec]) / s,
            bias=_scaled(bias.realised, gains[p.name])[:, 0] if bias is not None
            else p.bias_array))
    projs = []
    for pr in net.projections:
        block = plan.conductances.get(part.label + pr.name)
        projs.append(pr if block is None else replace(
            pr, weights=_scaled(block.realised, gains[pr.post])))
    return Network(net.name, tuple(pops), tuple(projs))
