"""The behavioural surrogate: a circuit's realised part values as a model network for numba.

A compiled plan (:func:`vle.mapping.compile_plan`, nominal or one Monte Carlo draw) holds the
value of every part. :func:`realised_network` turns them back into model parameters, so the
numba reference simulates what the parts realise, thousands of samples a minute:

- per unit, ``tau_m = b / s`` and ``tau_r = a / s`` of its neuron section (``s`` seconds per
  model time unit; lag ``a = R2 C``, ``b = (R1 + R2) C``; lead ``b = R C``, ``a = g b``);
- per fixed projection, ``W = R_f G`` of its conductances, and the bias ``b = R_f G`` of the
  bias conductances from the 1-unit rail.

What the surrogate leaves out, by construction: the op-amps (finite gain and bandwidth,
swing), SPICE's continuous time against the reference's scheme, and the error neurons' own
sections (the reference ties an error neuron's time constants to its neuron's). Its error
against ngspice on the same draws is measured, not assumed (``benchmarks/fidelity.py``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from vle.mapping.plan import Plan
from vle.model.network import Network


def realised_network(plan: Plan) -> Network:
    """The student network of ``plan`` with the time constants, weights and biases its parts
    realise (model units)."""
    part = plan.student
    net = part.network
    s = plan.time_scale
    pops = []
    for p in net.populations:
        if p.is_input:
            pops.append(p)
            continue
        sec = [plan.values[(part.prefix, p.name, i, "neuron")] for i in range(p.size)]
        bias = plan.conductances.get(f"{part.label}bias:{p.name}")
        pops.append(replace(
            p, tau_m=np.array([v.b for v in sec]) / s, tau_r=np.array([v.a for v in sec]) / s,
            bias=bias.realised[:, 0].copy() if bias is not None else p.bias_array))
    projs = []
    for pr in net.projections:
        block = plan.conductances.get(part.label + pr.name)
        projs.append(pr if block is None else replace(pr, weights=block.realised.copy()))
    return Network(net.name, tuple(pops), tuple(projs))
