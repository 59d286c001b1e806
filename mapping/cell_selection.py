"""Pass 5, cell selection: a cell for every block of every unit, and their connections.

Per unit ``i`` of a population ``p`` (nodes ``p_<quantity>_i``)::

    crossbars -> s (sp, sn) -> summing stage -> i -> section (neuron) -> ub, cap u
    ub -> phi -> r

(on a draw with op-amp offsets, :func:`~vle.mapping.variation.opamp_offsets`, the summing
stage also has two DC sources ``Vos1``, ``Vos2`` driving its op-amps' non-inverting inputs;
on a draw with op-amp swings, :func:`~vle.mapping.variation.opamp_swings`, four DC sources
``Vlo1``, ``Vhi1``, ``Vlo2``, ``Vhi2`` setting its op-amps' output limits;
on a draw with noise, :func:`~vle.mapping.variation.section_noise`, the neuron section has a
``TRRANDOM`` source in series with each resistor, a new Gaussian value every step ``dt``)

and, with a learning rule (student only)::

    ub -> phi' -> rp;   transposed crossbars / target error -> fs (fsp, fsn) -> summing -> fb
    rp, fb -> multiplier -> eps -> section (error neuron) -> e, cap v    (bp: multiplier -> e)
    e -> crossbar (gamma) into s,  e and pre-synaptic r -> plasticity elements -> w

The section of a unit is a lag network or a lead section (chosen with its values in pass
3); the technology decides ideal amplifiers or op-amps, single-ended or differential
crossbars. Crossbars and plasticity elements come from :mod:`vle.mapping.synapses`.
"""

from __future__ import annotations

import math
from dataclasses import replace

from vle.circuits.cells import (
    lag_section,
    lead_section,
    multiplier,
    phi_cell,
    phi_prime_cell,
)
from vle.circuits.circuit import Subcircuit
from vle.circuits.elements import Element, Instance
from vle.circuits.engineering import significant
from vle.circuits.waveforms import TrRandom
from vle.mapping.builder import Builder, Kit, instance_name
from vle.mapping.plan import Part, Plan, SectionValues, node
from vle.mapping.report import Row
from vle.mapping.synapses import synapse_blocks
from vle.mapping.variation import opamp_offsets, opamp_swings, section_noise, source_offsets
from vle.model.population import Population


def section_cell(name: str, v: SectionValues, kit: Kit,
                 noise: tuple[TrRandom, ...] = ()) -> Subcircuit:
    """The lag or lead section realising ``v`` (with ``noise``: one series noise source per
    resistor carrying its capacitor's current)."""
    if v.kind == "lag":
        return lag_section(name, v.r1, v.r2, v.c, kit.buf, noise=noise)
    return lead_section(name, v.r, v.c, v.gain, amp=kit.amp, buffer=kit.buf, ra=v.ra, rb=v.rb,
                        noise=noise)


def noise_waveforms(plan: Plan, densities: tuple[float, ...]) -> tuple[TrRandom, ...]:
    """White noise of one-sided densities ``densities`` (V^2/Hz) held for the simulation step
    ``hold = dt s``: ``sigma = sqrt(S / (2 hold))`` (volts), so the held values carry the
    density ``S`` up to ``1 / (2 hold)`` (:class:`~vle.circuits.waveforms.TrRandom`)."""
    if plan.settings is None:
        raise ValueError("section noise needs the simulation settings (its step is dt)")
    hold = significant(plan.settings.dt * plan.time_scale)
    return tuple(TrRandom(significant(math.sqrt(s / (2.0 * hold))), hold) for s in densities)


def _neuron(b: Builder, plan: Plan, part: Part, kit: Kit, pop: Population,
            i: int) -> list[Element]:
    """The instances of unit ``i``: summing stage, section, phi; with learning also phi',
    the feedback summing stage, the multiplier and the error section."""
    def n(q: str) -> str:
        return node(part.prefix, pop.name, q, i)

    def inst(role: str, sub: str, *conns: str) -> Instance:
        return Instance(instance_name(role, part, pop.name, i), sub, conns)

    dens = section_noise(plan).get((part.prefix, pop.name, i))
    sec = section_cell(f"sec_{part.prefix}{pop.name}_{i}".lower(),
                       plan.values[(part.prefix, pop.name, i, "neuron")], kit,
                       noise_waveforms(plan, dens) if dens is not None else ())
    drawn = opamp_offsets(plan).get((part.prefix, pop.name, i))
    out: list[Element] = [
        *kit.summing(b, instance_name("sum", part, pop.name, i), part, pop.name, i, "s", "i",
                     offsets=source_offsets(plan, drawn) if drawn is not None else None,
                     swings=opamp_swings(plan).get((part.prefix, pop.name, i))),
        inst("sec", b.define(sec), n("i"), n("ub"), n("u")),
        inst("phi", b.define(phi_cell(f"phi_{pop.phi}", pop.phi, plan.v_unit)), n("ub"), n("r")),
    ]
    if not part.learning:
        return out
    dphi = phi_prime_cell(f"dphi_{pop.phi}", pop.phi, plan.v_unit)
    mult = b.define(multiplier("multiplier", plan.v_unit))
    out += [
        inst("dphi", b.define(dphi), n("ub"), n("rp")),
        *kit.summing(b, instance_name("fsum", part, pop.name, i), part, pop.name, i, "fs",
                     "fb"),
    ]
    if plan.rule == "bp":
        out.append(inst("mul", mult, n("rp"), n("fb"), n("e")))
        return out
    esec = section_cell(f"esec_{part.prefix}{pop.name}_{i}".lower(),
                        plan.values[(part.prefix, pop.name, i, "error")], kit)
    out += [inst("mul", mult, n("rp"), n("fb"), n("eps")),
            inst("esec", b.define(esec), n("eps"), n("e"), n("v"))]
    return out


def select_cells(plan: Plan) -> tuple[Plan, list[Row], list[str]]:
    """Definitions and top-level instances for every neuron, error neuron and synapse."""
    b = Builder()
    notes: list[str] = []
    for part in plan.parts:
        kit = Kit.of(part.technology)
        who = "teacher population" if part.prefix else "population"
        for pop in part.network.neurons:
            elements: list[Element] = []
            for i in range(pop.size):
                elements += _neuron(b, plan, part, kit, pop, i)
            b.section(f"{who} {pop.name}: {pop.kind}, {pop.size} unit(s), phi = {pop.phi}"
                      + (", with error neurons" if part.learning else ""), elements)
        synapse_blocks(b, plan, part, kit)
    kinds: dict[str, int] = {}
    for v in plan.values.values():
        kinds[v.kind] = kinds.get(v.kind, 0) + 1
    notes.append("sections: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
                 + f"; {len(b.definitions)} subcircuit definitions")
    return replace(plan, definitions=tuple(b.definitions.values()), blocks=tuple(b.sections),
                   initial_conditions=tuple(b.initial_conditions)), [], notes
