"""Collects what the cell-selection pass produces: subcircuit definitions (identical ones
shared under the first name), top-level sections and initial conditions."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from vle.circuits.cells import follower, opamp, summing_amplifier, summing_node
from vle.circuits.circuit import Section, Subcircuit
from vle.circuits.elements import Element, Instance, VoltageSource
from vle.circuits.technology import Technology
from vle.circuits.waveforms import Dc
from vle.mapping.plan import Part, node


@dataclass
class Builder:
    """Mutable collector used inside one pass (never shared between passes)."""

    definitions: dict[Subcircuit, Subcircuit] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    initial_conditions: list[tuple[str, float]] = field(default_factory=list)

    def define(self, sub: Subcircuit) -> str:
        """Register ``sub`` (or find an identical definition); returns the name to use."""
        key = sub.content_key()
        if key not in self.definitions:
            taken = {s.name.lower() for s in self.definitions.values()}
            name, k = sub.name, 2
            while name.lower() in taken:
                name, k = f"{sub.name}_{k}", k + 1
            self.definitions[key] = replace(sub, name=name)
        return self.definitions[key].name

    def section(self, title: str, elements: list[Element]) -> None:
        """Add a top-level section (skipped when empty)."""
        if elements:
            self.sections.append(Section(title, tuple(elements)))


@dataclass(frozen=True)
class Kit:
    """The building blocks one technology offers: its op-amp and follower (physical), and
    whether crossbars are differential."""

    tech: Technology
    amp: Subcircuit | None
    buf: Subcircuit | None

    @classmethod
    def of(cls, tech: Technology) -> Kit:
        if tech.behavioural or tech.opamp is None:
            return cls(tech, None, None)
        amp = opamp("opamp", tech.opamp)
        return cls(tech, amp, follower("follower", amp))

    @property
    def differential(self) -> bool:
        return self.amp is not None

    def summing(self, b: Builder, name: str, part: Part, pop: str, i: int, inputs: str,
                out: str, offsets: tuple[float, float] | None = None,
                swings: tuple[float, float, float, float] | None = None) -> list[Element]:
        """A summing stage of unit ``i`` whose inputs are nodes ``inputs`` (``s``: ``h1_s_0``;
        physical: ``h1_sp_0``, ``h1_sn_0``) and whose output is node ``out``.

        ``offsets`` (physical only): the input offsets (volts) of its two op-amps beyond the
        macro-model's nominal one, realised as two DC sources of this instance
        (``Vos1_h1_0`` drives node ``h1_vos1_0``, ``Vos2_h1_0`` node ``h1_vos2_0``) into the
        op-amps' non-inverting inputs of the shared definition ``summing_amp_os``
        (:func:`~vle.circuits.cells.summing_amplifier` with ``offset_inputs``). Without,
        the stage is the plain shared ``summing_amp``.

        ``swings`` (physical only): the output limits ``(low1, high1, low2, high2)`` (volts)
        of its two op-amps, realised as four DC sources of this instance (``Vlo1_h1_0`` on
        node ``h1_vlo1_0``, ``Vhi1_h1_0``, ``Vlo2_h1_0``, ``Vhi2_h1_0``) into the limit ports
        of the shared definition ``summing_amp_sw`` (or ``summing_amp_os_sw`` with offsets),
        whose op-amps are the shared ``opamp_sw`` (:func:`~vle.circuits.cells.opamp` with
        ``limit_inputs``).
        """
        rf = self.tech.feedback_resistance
        conns: tuple[str, ...]
        if self.amp is None:
            sub = b.define(summing_node("summing", rf))
            conns = (node(part.prefix, pop, inputs, i), node(part.prefix, pop, out, i))
            return [Instance(name, sub, conns)]
        conns = (node(part.prefix, pop, inputs + "p", i),
                 node(part.prefix, pop, inputs + "n", i), node(part.prefix, pop, out, i))
        if offsets is None and swings is None:
            sub = b.define(summing_amplifier("summing_amp", rf, self.amp))
            return [Instance(name, sub, conns)]
        tail = f"{part.prefix}{pop}_{i}".lower()
        sources: list[tuple[str, float]] = []
        if offsets is not None:
            sources += [(f"os{k}", v) for k, v in enumerate(offsets, start=1)]
        if swings is not None:
            sources += [(f"{side}{k}", v) for (k, side), v in
                        zip(((1, "lo"), (1, "hi"), (2, "lo"), (2, "hi")), swings, strict=True)]
        amp = self.amp
        if swings is not None:
            assert self.tech.opamp is not None
            amp = opamp("opamp_sw", self.tech.opamp, limit_inputs=True)
        kind = "summing_amp" + ("_os" if offsets is not None else "") + \
            ("_sw" if swings is not None else "")
        sub = b.define(summing_amplifier(kind, rf, amp, offset_inputs=offsets is not None,
                                         limit_inputs=swings is not None))
        refs = tuple(node(part.prefix, pop, f"v{what}", i) for what, _ in sources)
        els: list[Element] = [VoltageSource(f"V{what}_{tail}", ref, "0", Dc(v))
                              for ref, (what, v) in zip(refs, sources, strict=True)]
        return [*els, Instance(name, sub, conns + refs)]

    def sum_nodes(self, part: Part, pop: str, size: int, inputs: str,
                  plastic: bool = False) -> tuple[str, ...]:
        """The crossbar output connections into the summing stages of a population:
        single-ended ``s`` nodes, or ``sp`` then ``sn`` nodes (plastic crossbars: ``sp``)."""
        if self.amp is None:
            return tuple(node(part.prefix, pop, inputs, i) for i in range(size))
        pos = tuple(node(part.prefix, pop, inputs + "p", i) for i in range(size))
        if plastic:
            return pos
        return pos + tuple(node(part.prefix, pop, inputs + "n", i) for i in range(size))


def instance_name(role: str, part: Part, pop: str, index: int | str = "") -> str:
    """``X<role>_<prefix><pop>[_<index>]``, lower case after the type letter."""
    tail = f"_{index}" if index != "" else ""
    return "X" + f"{role}_{part.prefix}{pop}{tail}".lower()
