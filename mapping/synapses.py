"""Crossbars, transposed reads, plasticity elements and the per-population columns (bias,
nudging ``gamma e``, target error) of one part; used by the cell-selection pass.

Projection number ``k`` (its index in the network) has the forward crossbar ``Xw<k>`` (the
teacher's: ``Xtw<k>``) into the ``s`` summing nodes of its target; with learning, the
transposed read ``Xwt<k>`` carries ``W^T e`` into the ``fs`` summing nodes of its source
(unless the source is an input). A plastic projection's weights are the nodes
``w<k>_<i>_<j>``, each charged by a plasticity element ``Xp<k>_<i>_<j>``.

A plastic bias (the rule learns biases, ``db/dt = lr e``) is the same pair with the 1-unit
rail as its pre-synaptic rate: the node ``<pop>_b_<i>`` is a weight capacitor charged by the
plasticity element ``Xpbias_<pop>_<i>`` with ``k_w V(e_i) V(one)``, and the plastic column
``Xbias_<pop>`` injects ``V(b_i) V(one) / (v_unit R_f)``, i.e. ``b_i`` model units, into the
summing node. A fixed bias is a column of conductances from the rail.
"""

from __future__ import annotations

import numpy as np

from vle.circuits.cells import (
    crossbar,
    plastic_crossbar,
    plasticity_element,
    softmax_error,
    transposed_crossbar,
)
from vle.circuits.elements import Element, Instance
from vle.circuits.engineering import significant
from vle.mapping.builder import Builder, Kit, instance_name
from vle.mapping.plan import ONE, Part, Plan, bias_node, node, weight_node
from vle.mapping.weights import plasticity_gain
from vle.model.learning import Teacher
from vle.model.network import Network


def target_nodes(plan: Plan, pop: str, size: int) -> tuple[str, ...]:
    """The nodes holding the target of output ``pop``: its own ``y`` nodes (driven by sources)
    or the teacher's rate nodes."""
    target = plan.targets[pop]
    if isinstance(target, Teacher):
        return tuple(node("teacher_", target.population, "r", i) for i in range(size))
    return tuple(node("", pop, "y", i) for i in range(size))


def _rates(part: Part, net: Network, pop: str) -> tuple[str, ...]:
    p = net.population(pop)
    return tuple(node("" if p.is_input else part.prefix, pop, "r", j) for j in range(p.size))


def _errors(part: Part, net: Network, pop: str) -> tuple[str, ...]:
    return tuple(node(part.prefix, pop, "e", i) for i in range(net.population(pop).size))


def _plastic(b: Builder, plan: Plan, part: Part, kit: Kit, k: int) -> list[Element]:
    net = part.network
    pr = net.projections[k]
    m, n = pr.shape
    tech = plan.technology
    w = tuple(weight_node(k, i, j) for i in range(m) for j in range(n))
    fwd = plastic_crossbar(f"pxbar{k}", m, n, tech.feedback_resistance, plan.v_unit)
    out: list[Element] = [Instance(f"Xw{k}", b.define(fwd), (
        *_rates(part, net, pr.pre), *kit.sum_nodes(part, pr.post, m, "s", plastic=True), *w))]
    cell = _plasticity_cell(b, plan)
    errs, rates = _errors(part, net, pr.post), _rates(part, net, pr.pre)
    for i in range(m):
        for j in range(n):
            out.append(Instance(f"Xp{k}_{i}_{j}", cell, (errs[i], rates[j], w[i * n + j])))
            b.initial_conditions.append((w[i * n + j],
                                         significant(plan.v_unit * float(pr.weights[i, j]))))
    if not net.population(pr.pre).is_input:
        bwd = plastic_crossbar(f"pxbart{k}", m, n, tech.feedback_resistance, plan.v_unit,
                               transposed=True)
        out.append(Instance(f"Xwt{k}", b.define(bwd), (
            *errs, *kit.sum_nodes(part, pr.pre, n, "fs", plastic=True), *w)))
    return out


def _plasticity_cell(b: Builder, plan: Plan) -> str:
    """The shared plasticity element of the technology (with its capacitor's leakage)."""
    tech = plan.technology
    r_leak = (tech.weight_leak_tau / tech.weight_capacitance
              if tech.weight_leak_tau is not None else None)
    return b.define(plasticity_element("plasticity", tech.weight_capacitance,
                                       plasticity_gain(plan), r_leak))


def _plastic_bias(b: Builder, plan: Plan, part: Part, kit: Kit, pop: str) -> list[Element]:
    """The plastic bias column of ``pop`` and one plasticity element per unit (the rail as
    the pre-synaptic rate), each capacitor starting at the model's bias."""
    size = part.network.population(pop).size
    nodes = tuple(bias_node(part.prefix, pop, i) for i in range(size))
    col = plastic_crossbar(f"pbias{size}", size, 1, plan.technology.feedback_resistance,
                           plan.v_unit)
    out: list[Element] = [Instance(instance_name("bias", part, pop), b.define(col), (
        ONE, *kit.sum_nodes(part, pop, size, "s", plastic=True), *nodes))]
    cell = _plasticity_cell(b, plan)
    errs = _errors(part, part.network, pop)
    bias = part.network.population(pop).bias_array
    for i in range(size):
        out.append(Instance(instance_name("pbias", part, pop, i), cell, (errs[i], ONE, nodes[i])))
        b.initial_conditions.append((nodes[i], significant(plan.v_unit * float(bias[i]))))
    return out


def _fixed(b: Builder, plan: Plan, part: Part, kit: Kit, k: int) -> list[Element]:
    net = part.network
    pr = net.projections[k]
    g = plan.conductances[part.label + pr.name].conductance
    tag = "t" if part.prefix else ""
    fwd = crossbar(f"{tag}xbar{k}", g, differential=kit.differential)
    out: list[Element] = [Instance(f"X{tag}w{k}", b.define(fwd), (
        *_rates(part, net, pr.pre), *kit.sum_nodes(part, pr.post, pr.shape[0], "s")))]
    if part.learning and not net.population(pr.pre).is_input:
        bwd = transposed_crossbar(f"xbart{k}", g, differential=kit.differential)
        out.append(Instance(f"Xwt{k}", b.define(bwd), (
            *_errors(part, net, pr.post), *kit.sum_nodes(part, pr.pre, pr.shape[1], "fs"))))
    return out


def _columns(b: Builder, plan: Plan, part: Part, kit: Kit, pop: str) -> list[Element]:
    """Bias, nudging and target-error blocks of one population."""
    net = part.network
    p = net.population(pop)
    out: list[Element] = []
    prefix = part.prefix
    bias = plan.conductances.get(f"{part.label}bias:{pop}")
    if part is plan.student and plan.plastic_biases:
        out += _plastic_bias(b, plan, part, kit, pop)
    elif bias is not None:
        sub = crossbar(f"bias_{prefix}{pop}".lower(), bias.conductance,
                       differential=kit.differential, note="bias conductances from the rail")
        out.append(Instance(instance_name("bias", part, pop), b.define(sub),
                            (ONE, *kit.sum_nodes(part, pop, p.size, "s"))))
    if not part.learning or plan.learning is None:
        return out
    gamma = plan.conductances.get(f"gamma:{pop}")
    if gamma is not None:
        sub = crossbar(f"nudge_{pop}".lower(), np.diag(gamma.conductance[:, 0]),
                       differential=kit.differential, note="nudging: gamma e into the membrane")
        out.append(Instance(instance_name("nudge", part, pop), b.define(sub),
                            (*_errors(part, net, pop), *kit.sum_nodes(part, pop, p.size, "s"))))
    if p.kind != "output":
        return out
    y, r = target_nodes(plan, pop, p.size), _rates(part, net, pop)
    if plan.learning.loss == "ce":
        sub = softmax_error(f"softmax_{pop}".lower(), p.size, plan.learning.beta,
                            kit.tech.feedback_resistance, plan.v_unit)
        sums = kit.sum_nodes(part, pop, p.size, "fs", plastic=True)
    else:
        g = plan.conductances[f"beta:{pop}"].conductance[:, 0]
        sub = crossbar(f"target_{pop}".lower(), np.hstack([np.diag(g), -np.diag(g)]),
                       differential=kit.differential, note="target error: beta (y - r)")
        sums = kit.sum_nodes(part, pop, p.size, "fs")
    out.append(Instance(instance_name("target", part, pop), b.define(sub), (*y, *r, *sums)))
    return out


def synapse_blocks(b: Builder, plan: Plan, part: Part, kit: Kit) -> None:
    """Add every projection's and population's synapse blocks of ``part`` to ``b``."""
    net = part.network
    who = "teacher projection" if part.prefix else "projection"
    for k, pr in enumerate(net.projections):
        plastic = part.learning and pr.plastic
        els = _plastic(b, plan, part, kit, k) if plastic else _fixed(b, plan, part, kit, k)
        title = f"{who} {pr.name} (number {k}): {'plastic' if plastic else 'fixed'} " \
                f"{pr.shape[0]} x {pr.shape[1]} crossbar"
        if plastic:
            title += ", plasticity elements"
        if part.learning and not net.population(pr.pre).is_input:
            title += ", transposed read"
        b.section(title, els)
    for pop in net.neurons:
        b.section(f"{'teacher ' if part.prefix else ''}population {pop.name}: bias, nudging and "
                  "target-error columns", _columns(b, plan, part, kit, pop.name))
