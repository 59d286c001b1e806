"""``compile``: a model (or a bare network) and a technology in, a circuit and a report out.

Compilation is this ordered list of small passes, each a pure function
``Plan -> (Plan, report rows, notes)`` (:data:`PASSES`):

1. learning variant (:mod:`~vle.mapping.variant`): ``le`` sets ``tau_r = tau_m``; what has no
   realisation is stated or refused;
2. time scaling (:mod:`~vle.mapping.timescale`): the sections to realise, in seconds;
3. value selection (:mod:`~vle.mapping.value_selection`): R and C for every section;
4. weight mapping (:mod:`~vle.mapping.weights`): conductances, ranges, quantisation;
5. cell selection (:mod:`~vle.mapping.cell_selection`): cells and their connections;
6. netlisting (:mod:`~vle.mapping.assembly`): sources, analyses, options, probes.

With a :class:`~vle.mapping.variation.Variation` (one Monte Carlo draw), the part-variation pass
(:mod:`~vle.mapping.variation`) runs between weight mapping and cell selection, and the report
lists it among the passes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from vle.circuits.circuit import Circuit
from vle.circuits.technology import Technology, get_technology
from vle.mapping.assembly import build_netlist
from vle.mapping.cell_selection import select_cells
from vle.mapping.errors import MappingError
from vle.mapping.plan import Part, Plan
from vle.mapping.report import MappingReport, Row
from vle.mapping.timescale import scale_time
from vle.mapping.value_selection import select_values
from vle.mapping.variant import learning_variant
from vle.mapping.variation import Variation, vary_parts
from vle.mapping.weights import map_weights
from vle.model.learning import Teacher
from vle.model.model import Model
from vle.model.network import Network

Pass = Callable[[Plan], tuple[Plan, list[Row], list[str]]]

PASSES: tuple[tuple[str, Pass], ...] = (
    ("learning variant", learning_variant),
    ("time scaling", scale_time),
    ("value selection", select_values),
    ("weight mapping", map_weights),
    ("cell selection", select_cells),
    ("netlisting", build_netlist),
)
"""The compiler passes, in order."""


def _teacher(model: Model) -> Network | None:
    teachers = [t for t in model.targets.values() if isinstance(t, Teacher)]
    if not teachers:
        return None
    if len({t.source for t in teachers}) > 1 or len({id(t.network) for t in teachers}) > 1 \
            and not all(t.source for t in teachers):
        raise MappingError("target", "model", "names more than one teacher network",
                           hint="use one teacher model file for every output")
    return teachers[0].network


def plan_for(model_or_network: Model | Network, technology: str | Technology = "ideal", *,
             time_scale: float | None = None, v_unit: float | None = None,
             prune_below: float | None = None) -> Plan:
    """The initial plan, before any pass."""
    tech = get_technology(technology)
    for name, value in (("time_scale", time_scale), ("v_unit", v_unit),
                        ("prune_below", prune_below)):
        if value is not None and not (isinstance(value, (int, float)) and value > 0):
            raise ValueError(f"{name} must be a number > 0, got {value!r}")
    if isinstance(model_or_network, Network):
        model = None
        network = model_or_network
    else:
        model = model_or_network
        network = model.network
    for pop in network.neurons:
        if pop.saturating:
            raise MappingError(f"population {pop.name}", "drive_limits",
                               "has no circuit: a circuit's swing comes from its op-amps",
                               hint="compile the population without drive_limits; the "
                               "technology's op-amps clip the drive (opamp-swing)")
    learning = model.learning if model is not None and model.learning is not None and \
        model.learning.active else None
    parts = [Part("", "", network, tech, learning is not None)]
    teacher = _teacher(model) if model is not None and learning is not None else None
    if teacher is not None:
        parts.append(Part("teacher_", "teacher.", teacher, get_technology("ideal"), False))
    source = Path(model.source).name if model is not None and model.source else ""
    return Plan(
        name=network.name, source=source, technology=tech,
        time_scale=float(time_scale or tech.time_scale), v_unit=float(v_unit or tech.v_unit),
        parts=tuple(parts), stimuli=model.stimuli if model else None,
        settings=model.simulation if model else None, learning=learning,
        targets=model.targets if model else {}, prune_below=prune_below)


def compile(model_or_network: Model | Network, technology: str | Technology = "ideal", *,
            time_scale: float | None = None, v_unit: float | None = None,
            prune_below: float | None = None,
            variation: Variation | None = None) -> tuple[Circuit, MappingReport]:
    """Compile a model (or a network: inputs become 0 V sources, no analysis) into a circuit
    in ``technology`` (a registered name or a :class:`Technology`).

    ``time_scale`` (seconds per model time unit) and ``v_unit`` (volts per model unit) default
    to the technology's. ``prune_below`` leaves out fixed weights with ``|W|`` below it
    instead of refusing them when they are too small to realise. ``variation`` makes the
    circuit one Monte Carlo sample (:mod:`vle.mapping.variation`). Raises
    :class:`~vle.mapping.errors.MappingError` for anything the technology cannot realise.
    """
    plan, report = compile_plan(model_or_network, technology, time_scale=time_scale,
                                v_unit=v_unit, prune_below=prune_below, variation=variation)
    assert plan.circuit is not None
    return plan.circuit, report


def passes(variation: Variation | None = None) -> tuple[tuple[str, Pass], ...]:
    """The passes a compilation runs: :data:`PASSES`, with part variation when asked for."""
    if variation is None:
        return PASSES
    return PASSES[:4] + (("part variation", partial(vary_parts, variation=variation)),) + \
        PASSES[4:]


def compile_plan(model_or_network: Model | Network, technology: str | Technology = "ideal",
                 *, time_scale: float | None = None, v_unit: float | None = None,
                 prune_below: float | None = None,
                 variation: Variation | None = None) -> tuple[Plan, MappingReport]:
    """:func:`compile`, returning the final :class:`~vle.mapping.plan.Plan` (every realised
    part value, with the circuit in ``plan.circuit``) instead of the circuit alone."""
    if isinstance(model_or_network, Model) and model_or_network.dataset is not None:
        ds = model_or_network.dataset
        raise MappingError(f"model {model_or_network.network.name}", "input",
                           f"population {ds.input!r} is fed by the {ds.name!r} dataset, which "
                           "has no netlist source", hint="netlist the network alone "
                           "(vle.mapping.compile(model.network, ...)) or give the model "
                           "[stimulus] and [target] tables")
    plan = plan_for(model_or_network, technology, time_scale=time_scale, v_unit=v_unit,
                    prune_below=prune_below)
    rows: list[Row] = []
    notes: list[str] = []
    steps = passes(variation)
    for _, step in steps:
        plan, new_rows, new_notes = step(plan)
        rows += new_rows
        notes += new_notes
    report = MappingReport(plan.technology.name, plan.time_scale, plan.v_unit,
                           tuple(name for name, _ in steps), tuple(rows), tuple(notes))
    return plan, report
