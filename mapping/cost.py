"""What a compiled circuit costs: area, static power, energy and speed, per population and
projection, from the parts the compiler realised and the technology's
:class:`~vle.circuits.technology.CostModel`.

Parts are counted in ``plan.circuit``, the netlist itself: every resistor and capacitor of the
student's cells (section, summing-stage, crossbar and weight capacitors; those of plastic
biases count with their population) and every instance of
the op-amp macro-model (counted whole; its inner pole network is a model, not parts).
Behavioural sources (the nonlinearities ``phi`` and ``phi'``, multipliers, the plastic
crossbars' multiplying synapses, the softmax error) have no part-level realisation yet: they
are counted, not costed. Left out as test bench: the stimulus sources, the 1-unit bias rail
and a teacher network. A plasticity element's leakage resistor models its capacitor's own
insulation, so it is not a part.

Equations (SI units)::

    area  A = sum over parts of the part's area                          (m^2)
    power P = n_opamps * V_supply * I_q(GBW)                             (W)
    energy per model time unit  E_t = P * time_scale                     (J)
    energy per step of dt model time units  E_step = P * dt * time_scale (J)
    speed  = 1 / time_scale         (model time units per second of circuit time)

The resistors' own dissipation is left out of ``P``: even with one model unit (``v_unit``
volts) across every resistor it is about 1 % of the op-amps' quiescent power or less for the
example models on ``discrete`` (0.3-1.2 %) and under 0.1 % on ``onchip``;
:attr:`CostReport.resistor_power` gives that bound for each circuit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from vle.circuits.circuit import Subcircuit
from vle.circuits.elements import (
    Behavioral,
    Capacitor,
    CurrentSource,
    Element,
    Instance,
    Resistor,
    VoltageSource,
)
from vle.circuits.technology import CostModel, Technology, get_technology, technology_names
from vle.mapping.builder import Kit, instance_name
from vle.mapping.errors import MappingError
from vle.mapping.plan import Part, Plan

UNIT_ROLES = ("sum", "sec", "phi", "dphi", "fsum", "mul", "esec")
"""Instance roles of one unit (:mod:`~vle.mapping.cell_selection`): ``X<role>_<pop>_<i>``."""
COLUMN_ROLES = ("bias", "nudge", "target")
"""Instance roles of a population's columns (:mod:`~vle.mapping.synapses`): ``X<role>_<pop>``."""
PLASTIC_BIAS_ROLE = "pbias"
"""Instance role of a plastic bias's plasticity element (:mod:`~vle.mapping.synapses`):
``Xpbias_<pop>_<i>``, part of its population."""
OTHER = "other"
"""The block of student elements no population or projection claims (none, for the compiler
as it is; kept so that nothing is dropped silently)."""


@dataclass(frozen=True)
class PopulationCost:
    """The parts of one block of the circuit and what they cost: a population (its units'
    summing stages, sections, nonlinearities, error neurons and its bias, nudging and
    target-error columns) or a projection (``kind`` ``projection``: its crossbar, transposed
    read and plasticity elements).

    Counts of ``resistors``, ``capacitors``, ``opamps`` and uncosted ``behavioural`` sources;
    areas in m^2 (``area`` is their sum), static ``power`` in W.
    """

    name: str
    resistors: int
    capacitors: int
    opamps: int
    resistor_area: float
    capacitor_area: float
    opamp_area: float
    power: float
    kind: str = "population"
    behavioural: int = 0

    @property
    def area(self) -> float:
        """Total area (m^2): resistors, capacitors and op-amps."""
        return self.resistor_area + self.capacitor_area + self.opamp_area


@dataclass(frozen=True)
class CostReport:
    """The cost of one compiled circuit on ``technology``: one :class:`PopulationCost` per
    block (populations in network order, then projections), ``time_scale`` (s per model time
    unit), ``resistor_power`` (W, the bound on resistor dissipation left out of ``power``)
    and ``assumptions`` (sentences for the report: sources and what is left out)."""

    technology: str
    populations: tuple[PopulationCost, ...]
    time_scale: float
    resistor_power: float = 0.0
    assumptions: tuple[str, ...] = ()

    @property
    def area(self) -> float:
        """Total area (m^2)."""
        return sum(p.area for p in self.populations)

    @property
    def power(self) -> float:
        """Total static power (W): the op-amps' quiescent power."""
        return sum(p.power for p in self.populations)

    @property
    def opamps(self) -> int:
        """Number of op-amps."""
        return sum(p.opamps for p in self.populations)

    @property
    def resistors(self) -> int:
        """Number of resistors."""
        return sum(p.resistors for p in self.populations)

    @property
    def capacitors(self) -> int:
        """Number of capacitors (weight capacitors included)."""
        return sum(p.capacitors for p in self.populations)

    @property
    def energy_per_time_unit(self) -> float:
        """``P * time_scale`` (J per model time unit)."""
        return self.power * self.time_scale

    def energy_per_step(self, dt: float) -> float:
        """``P * dt * time_scale`` (J per step of ``dt`` model time units: one learning step
        of a model simulated at ``dt``)."""
        return self.power * dt * self.time_scale

    @property
    def speed(self) -> float:
        """``1 / time_scale``: model time units per second."""
        return 1.0 / self.time_scale

    def metrics(self) -> dict[str, float]:
        """The figures a design-space sweep records per point, SI units: ``area`` (m^2),
        ``power`` (W), ``energy_per_time_unit`` (J), ``speed`` (1/s) and the counts
        ``opamps``, ``resistors``, ``capacitors``."""
        return {"area": self.area, "power": self.power,
                "energy_per_time_unit": self.energy_per_time_unit, "speed": self.speed,
                "opamps": float(self.opamps), "resistors": float(self.resistors),
                "capacitors": float(self.capacitors)}

    def table(self, dt: float | None = None) -> str:
        """The report as aligned text: a row per block, the totals, energy and speed (per step
        of ``dt`` too, when given) and the assumptions."""
        head = ("block", "kind", "R", "C", "op-amps", "behavioural", "area (mm^2)",
                "power (mW)")

        def row(name: str, kind: str, r: int, c: int, o: int, b: int, a: float,
                p: float) -> tuple[str, ...]:
            return (name, kind, str(r), str(c), str(o), str(b), f"{a * 1e6:.4g}",
                    f"{p * 1e3:.4g}")

        body = [row(p.name, p.kind, p.resistors, p.capacitors, p.opamps, p.behavioural,
                    p.area, p.power) for p in self.populations]
        body.append(row("total", "", self.resistors, self.capacitors, self.opamps,
                        sum(p.behavioural for p in self.populations), self.area, self.power))
        widths = [max(len(x[k]) for x in [head, *body]) for k in range(len(head))]
        lines = [f"cost on technology {self.technology} (estimates; area and static power "
                 "per block)", ""]
        for cells in [head, *body]:
            lines.append("  ".join(x.ljust(w) for x, w in zip(cells, widths, strict=True))
                         .rstrip())
        energy = (f"speed {self.speed:.4g} model time units per s ({self.time_scale:g} s "
                  f"each); energy {self.energy_per_time_unit:.4g} J per model time unit")
        if dt is not None:
            energy += f", {self.energy_per_step(dt):.4g} J per step of dt = {dt:g}"
        lines += ["", energy]
        lines += [f"assumption: {a}" for a in self.assumptions]
        return "\n".join(lines)


@dataclass
class _Tally:
    """Parts found while walking one block (mutable, private to one call)."""

    resistors: list[float] = field(default_factory=list)
    capacitors: list[float] = field(default_factory=list)
    opamps: int = 0
    behavioural: int = 0


def _owners(part: Part) -> tuple[dict[str, str], set[str], dict[str, str]]:
    """Top-level instance name -> block name for the instances of ``part`` (cell selection
    and :mod:`~vle.mapping.synapses` name them); the plasticity instances; block -> kind."""
    owners: dict[str, str] = {}
    kinds: dict[str, str] = {}
    plastic: set[str] = set()
    for pop in part.network.neurons:
        kinds[pop.name] = "population"
        for i in range(pop.size):
            owners.update({instance_name(r, part, pop.name, i): pop.name for r in UNIT_ROLES})
        owners.update({instance_name(r, part, pop.name): pop.name for r in COLUMN_ROLES})
        if part.learning:
            names = {instance_name(PLASTIC_BIAS_ROLE, part, pop.name, i)
                     for i in range(pop.size)}
            owners.update(dict.fromkeys(names, pop.name))
            plastic |= names
    tag = "t" if part.prefix else ""
    for k, pr in enumerate(part.network.projections):
        kinds[pr.name] = "projection"
        owners[f"X{tag}w{k}"] = pr.name
        if part.learning:
            owners[f"Xwt{k}"] = pr.name
            m, n = pr.shape
            names = {f"Xp{k}_{i}_{j}" for i in range(m) for j in range(n)}
            owners.update(dict.fromkeys(names, pr.name))
            plastic |= names
    return owners, plastic, kinds


def _walk(el: Element, defs: dict[str, Subcircuit], amps: set[Subcircuit], tally: _Tally,
          leak: bool) -> None:
    """Add the parts of ``el`` to ``tally``; ``leak``: resistors model leakage, not parts."""
    if isinstance(el, Instance):
        sub = defs[el.subcircuit]
        if sub.content_key() in amps:
            tally.opamps += 1
            return
        for child in sub.elements:
            _walk(child, defs, amps, tally, leak)
    elif isinstance(el, Resistor):
        if not leak:
            tally.resistors.append(el.resistance)
    elif isinstance(el, Capacitor):
        tally.capacitors.append(el.capacitance)
    elif isinstance(el, Behavioral):
        tally.behavioural += 1


def resistor_area(tech: Technology, r: float) -> float:
    """The area (m^2) of a resistor of ``r`` ohms: the cost model's footprint, or
    ``(1 + overhead) W L + heads`` with ``L = (r / R_sheet) W``."""
    cost = _cost_model(tech)
    if cost.resistor_footprint is not None:
        return cost.resistor_footprint
    assert tech.mismatch is not None  # Technology.__post_init__ holds it to this
    w = tech.mismatch.resistor_width
    length = r / tech.mismatch.resistor_sheet * w
    return (1 + cost.resistor_overhead) * w * length + cost.resistor_head_area


def capacitor_area(tech: Technology, c: float) -> float:
    """The area (m^2) of a capacitor of ``c`` farads: the first footprint that holds it, or
    the plate area ``c / capacitor_density``."""
    cost = _cost_model(tech)
    if not cost.capacitor_footprints:
        assert tech.capacitor_density  # Technology.__post_init__ holds it to this
        return c / tech.capacitor_density
    for largest, area in cost.capacitor_footprints:
        if c <= largest * (1 + 1e-12):
            return area
    raise MappingError(f"technology {tech.name!r}", "capacitor", f"of {c:g} F is larger than "
                       "the largest footprint of its cost model",
                       limit=f"{cost.capacitor_footprints[-1][0]:g} F")


def _cost_model(tech: Technology) -> CostModel:
    if tech.cost is None:
        costed = [n for n in technology_names() if get_technology(n).cost is not None]
        raise MappingError(f"technology {tech.name!r}", "has", "no cost model" + (
            " (its parts are ideal, behavioural sources)" if tech.behavioural else ""),
            hint="use " + " or ".join(costed) if costed else None)
    return tech.cost


def plan_cost(plan: Plan) -> CostReport:
    """The cost of the circuit of a compiled ``plan`` (from
    :func:`~vle.mapping.compiler.compile_plan`) on its technology; raises
    :class:`~vle.mapping.errors.MappingError` for a technology without a cost model."""
    tech = plan.technology
    cost = _cost_model(tech)
    circuit = plan.circuit
    if circuit is None or tech.opamp is None:
        raise ValueError("plan_cost needs a compiled plan (compile_plan) on a physical "
                         "technology")
    kit = Kit.of(tech)
    assert kit.amp is not None
    amps = {kit.amp.content_key()}
    defs = {s.name: s for s in circuit.subcircuits}
    owners, plastic, kinds = _owners(plan.student)
    bench = {name for part in plan.parts[1:] for name in _owners(part)[0]}
    tallies: dict[str, _Tally] = {name: _Tally() for name in kinds}
    for el in circuit.elements:
        if isinstance(el, VoltageSource | CurrentSource) or el.name in bench:
            continue  # test bench: stimulus sources, the rail, the teacher
        owner = owners.get(el.name, OTHER)
        kinds.setdefault(owner, OTHER)
        _walk(el, defs, amps, tallies.setdefault(owner, _Tally()), leak=el.name in plastic)
    p_amp = cost.opamp_power(tech.opamp.gbw)
    blocks = tuple(PopulationCost(
        name=name, resistors=len(t.resistors), capacitors=len(t.capacitors), opamps=t.opamps,
        resistor_area=math.fsum(resistor_area(tech, r) for r in t.resistors),
        capacitor_area=math.fsum(capacitor_area(tech, c) for c in t.capacitors),
        opamp_area=t.opamps * cost.opamp_area, power=t.opamps * p_amp, kind=kinds[name],
        behavioural=t.behavioural) for name, t in tallies.items())
    resistor_power = math.fsum(plan.v_unit ** 2 / r for t in tallies.values()
                               for r in t.resistors)
    return CostReport(tech.name, blocks, plan.time_scale, resistor_power,
                      _assumptions(plan, cost, blocks, resistor_power))


def _assumptions(plan: Plan, cost: CostModel, blocks: tuple[PopulationCost, ...],
                 resistor_power: float) -> tuple[str, ...]:
    tech = plan.technology
    assert tech.opamp is not None
    amps = sum(b.opamps for b in blocks)
    power = amps * cost.opamp_power(tech.opamp.gbw)
    lines = [f"static power: {amps} op-amps x {cost.supply_voltage:g} V x "
             f"{cost.opamp_current(tech.opamp.gbw) * 1e6:.4g} uA quiescent at GBW "
             f"{tech.opamp.gbw:g} Hz"]
    share = f" ({resistor_power / power:.2%} of the op-amps')" if power > 0 else ""
    lines.append(f"resistor dissipation, at most {resistor_power:.3g} W with one model unit "
                 f"({plan.v_unit:g} V) across every resistor{share}, is not in the power")
    behavioural = sum(b.behavioural for b in blocks)
    if behavioural:
        lines.append(f"{behavioural} behavioural sources (nonlinearities, multipliers, plastic "
                     "synapses) have no part-level realisation yet and are not costed")
    lines.append("not costed (test bench): stimulus sources, the bias rail"
                 + (", the teacher network" if len(plan.parts) > 1 else ""))
    return tuple(lines) + cost.assumptions
