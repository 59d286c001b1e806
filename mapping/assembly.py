"""Pass 6, netlisting: sources, the rail, analyses, options, initial conditions and the probe
map around the cells of pass 5, as one :class:`~vle.circuits.circuit.Circuit`.

The transient analysis covers the model's ``t_stop`` (scaled to seconds) with the output step
``dt`` (scaled) and a maximum internal step of a hundredth of the shortest realised time
constant. Every capacitor of a section starts at 0 V, as the reference starts from rest, and
every weight capacitor (plastic weights and biases) at its initial value: all through ``.ic``
(so ngspice also reports the state at t = 0, which ``uic`` would not). A plan with section
noise carries its seed as ``.options seed=`` (:func:`~vle.mapping.variation.spice_seed`) and
says so in the header.
"""

from __future__ import annotations

import math
from dataclasses import replace

from vle.circuits.circuit import Circuit, Section, Transient
from vle.circuits.elements import Element, Instance, VoltageSource
from vle.circuits.engineering import format_value as fv
from vle.circuits.engineering import significant
from vle.circuits.errors import CircuitError
from vle.circuits.names import check_text
from vle.circuits.probes import Probe, ProbeMap
from vle.circuits.waveforms import Dc
from vle.mapping.errors import MappingError
from vle.mapping.plan import ONE, Plan, bias_node, node, weight_node
from vle.mapping.report import Row
from vle.mapping.stimuli import EDGE_FRACTION, Scales, source_elements
from vle.mapping.synapses import target_nodes
from vle.mapping.variation import noise_seed, spice_seed
from vle.model.learning import Teacher

MAX_STEP_FRACTION = 0.01
"""The largest internal time step as a fraction of the shortest realised time constant."""
MIN_BREAK_FRACTION = 5e-5
"""ngspice's smallest spacing of breakpoints as a fraction of the maximum step (its
``CKTminBreak = 5e-5 CKTmaxStep``): breakpoints closer than this are merged, so the two
corners of a shorter edge get no time points of their own."""
EDGE_MIN_BREAKS = 10
"""An edge of a step or square wave lasts at least this many of ngspice's smallest
breakpoint spacings, so both of its corners are time points (see :data:`MIN_BREAK_FRACTION`;
at dt = 1e-4 a thousandth of dt is otherwise shorter than that spacing, and the edge falls
between two time points)."""


def _round_down(x: float) -> float:
    """``x`` rounded down to 3 significant digits (a bound reads better as ``996n``)."""
    scale = 10.0 ** (math.floor(math.log10(x)) - 2)
    return float(f"{math.floor(x / scale * (1 + 1e-12)) * scale:.3g}")


def _probes(plan: Plan) -> ProbeMap:
    part, v = plan.student, plan.v_unit
    probes: list[Probe] = []

    def add(pop: str, q: str, nodes: tuple[str, ...]) -> None:
        probes.append(Probe(f"{pop}.{q}", nodes, v))

    for pop in part.network.populations:
        quantities: tuple[str, ...] = ("r",) if pop.is_input else ("u", "ub", "r")
        if part.learning and not pop.is_input:
            quantities += ("e",) if plan.rule == "bp" else ("v", "e")
        for q in quantities:
            add(pop.name, q, tuple(node(part.prefix, pop.name, q, i) for i in range(pop.size)))
        if part.learning and pop.kind == "output":
            add(pop.name, "y", target_nodes(plan, pop.name, pop.size))
        if plan.plastic_biases and not pop.is_input:
            add(pop.name, "b", tuple(bias_node(part.prefix, pop.name, i)
                                     for i in range(pop.size)))
    if part.learning:
        for k, pr in enumerate(part.network.projections):
            if pr.plastic:
                m, n = pr.shape
                probes.append(Probe(f"{pr.name}.W", tuple(
                    weight_node(k, i, j) for i in range(m) for j in range(n)), v, 0.0, (m, n)))
    return ProbeMap(plan.time_scale, tuple(probes))


def _max_step(plan: Plan) -> float:
    """The transient analysis's maximum step (seconds)."""
    taus = [t for v in plan.values.values() for t in (v.a, v.b) if t > 0]
    return _round_down(MAX_STEP_FRACTION * min(taus))


def _sources(plan: Plan) -> list[Section]:
    sections = []
    sc = None
    if plan.settings is not None:
        edge = significant(max(plan.settings.dt * plan.time_scale * EDGE_FRACTION,
                               EDGE_MIN_BREAKS * MIN_BREAK_FRACTION * _max_step(plan)))
        sc = Scales(plan.time_scale, plan.v_unit, edge, plan.settings.t_stop)
    for pop in plan.student.network.inputs:
        nodes = tuple(node("", pop.name, "r", i) for i in range(pop.size))
        signal = (plan.stimuli or {}).get(pop.name)
        if signal is None or sc is None:
            els: list[Element] = [VoltageSource("V" + f"x_{pop.name}_{i}".lower(), n, "0", Dc(0.0))
                                  for i, n in enumerate(nodes)]
            title = f"input {pop.name}: 0 V sources (no stimulus given)"
        else:
            els = source_elements(signal, "x", pop.name, nodes, sc)
            title = f"input {pop.name}: {_describe(signal, f'stimulus.{pop.name}')}"
        sections.append(Section(title, tuple(els)))
    if plan.student.learning and sc is not None:
        for name, target in plan.targets.items():
            if not isinstance(target, Teacher):
                size = plan.student.network.population(name).size
                title = f"target of {name}: {_describe(target, f'target.{name}')}"
                sections.append(Section(title, tuple(
                    source_elements(target, "y", name, target_nodes(plan, name, size), sc))))
    return sections


def _describe(signal: object, key: str) -> str:
    """``'<kind> stimulus [from file <file>]'``; a file name that could not be a comment
    line (a newline, a control word) is a :class:`MappingError` naming ``key``."""
    kind = getattr(signal, "kind", type(signal).__name__)
    source = getattr(signal, "source", "")
    if source:
        try:
            check_text(source, f"{key}.file")
        except CircuitError as exc:
            raise MappingError(key, "file", f"name {exc.problem}", hint="use a plain file "
                               "name (it is written into the netlist as a comment)") from None
    return f"{kind} stimulus" + (f" from file {source}" if source else "")


def build_netlist(plan: Plan) -> tuple[Plan, list[Row], list[str]]:
    """The complete circuit."""
    sections = _sources(plan)
    uses_rail = any(isinstance(el, Instance) and ONE in el.connections
                    for s in plan.blocks for el in s.elements)
    if uses_rail:
        what = "bias columns (plastic biases)" if plan.plastic_biases else "bias conductances"
        sections.append(Section(f"rail: 1 model unit for the {what}", (
            VoltageSource("Vone", ONE, "0", Dc(plan.v_unit)),)))
    sections += plan.blocks
    analyses: tuple[Transient, ...] = ()
    if plan.settings is not None:
        analyses = (Transient(significant(plan.settings.dt * plan.time_scale),
                              significant(plan.settings.t_stop * plan.time_scale),
                              _max_step(plan)),)
    states = [node(p.prefix, pop.name, q, i) for p in plan.parts for pop in p.network.neurons
              for i in range(pop.size) for q in (("u", "v") if p.learning and plan.rule != "bp"
                                                 else ("u",))]
    ics = tuple((n, 0.0) for n in states) + plan.initial_conditions
    probes = _probes(plan)
    tech = plan.technology
    header: tuple[str, ...] = (
        f"vle netlist of network {plan.name}" + (f" ({plan.source})" if plan.source else "")
        + f" for technology {tech.name}",
        f"time: {fv(plan.time_scale)}s per model time unit; signals: {fv(plan.v_unit)}V per "
        "model unit (model value = V(node) / that)",
        "unit i of population p: nodes p_u_i (membrane), p_ub_i (prospective), p_r_i (rate)"
        + (", p_v_i, p_e_i (error neuron)" if plan.student.learning else "")
        + (", p_b_i (plastic bias)" if plan.plastic_biases else ""),
        "probed traces: " + " ".join(probes.traces),
    )
    options = tech.options
    seed = noise_seed(plan)
    if seed is not None:
        options = replace(options, seed=spice_seed(seed))
        header += (f"transient noise: TRRANDOM sources seeded with .options seed="
                   f"{options.seed} (variation seed {seed})",)
    circuit = Circuit(f"vle {plan.name} {tech.name}", tuple(sections), plan.definitions, ics,
                      options, analyses, probes, header)
    n_elements = sum(1 for _ in circuit.flatten())
    note = (f"circuit: {len(circuit.elements)} top-level elements, {n_elements} primitive "
            f"elements, {len(probes.nodes)} probed nodes")
    if tech.capacitor_density:
        caps = sum(v.c for k, v in plan.values.items() if k[0] == plan.student.prefix)
        caps += tech.weight_capacitance * sum(1 for n, _ in plan.initial_conditions)
        note += f"; capacitor area {caps / tech.capacitor_density * 1e12:.4g} um^2"
    return replace(plan, circuit=circuit), [], [note]
