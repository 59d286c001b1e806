"""Part variation (between weight mapping and cell selection, only when a draw is asked for):
one Monte Carlo draw of every part value, which makes a concrete circuit out of the nominal one.

A :class:`Variation` names a seed and the non-idealities to draw
(:mod:`vle.circuits.nonidealities`). Every physical part of the student gets its own relative
error, in a fixed order: the sections' resistors and capacitors (sections sorted by
population, unit and role; lag ``R1``, ``R2``, ``C``; lead ``R``, ``C``, ``Ra``, ``Rb``), then
every synapse, bias, nudging and target-error conductance (blocks sorted by name, synapses
row-major), which are resistors ``1/|G|``. Each part has a role
(:data:`~vle.circuits.nonidealities.ROLES`): a section's ``R1``, ``R2``, ``R`` and ``C`` set
time constants (``time``); a lead section's ``Ra``, ``Rb`` and every conductance set ratios
(``ratio``), which a non-ideality common to all resistors (``temperature``) leaves alone.
Each non-ideality draws from a stream of its own, ``SeedSequence([seed, crc32(name)])``, so
the same seed gives the same bits on any machine and any number of workers, and switching one
non-ideality on does not change another's draw.

A non-ideality that varies op-amps (``opamp-offset``) draws, after the resistors and
capacitors, the input offset of the two op-amps of every student unit's summing amplifier
(units sorted by population and index; stage 1 then stage 2), each ``V_os = nominal +
deviation`` in volts, rounded to 12 significant digits. They are kept on the plan
(:class:`VariedPlan`, read with :func:`opamp_offsets`); the cell-selection pass realises them
as a DC source per op-amp in series with its non-inverting input.

A non-ideality that varies the op-amps' swing (``opamp-swing``) draws, after the offsets, the
output limits of the same two op-amps of every student unit (units in the same order; per unit
``(V_low1, V_high1, V_low2, V_high2)``, each nominal plus deviation in volts, rounded to 12
significant digits), from its own stream. They are kept on the plan (read with
:func:`opamp_swings`); cell selection realises them as four DC sources per summing amplifier
into the limit ports of its op-amps.

A non-ideality that adds noise (``thermal-noise``) draws nothing here: it gives every student
unit's neuron section the white noise densities of its resistors (V^2/Hz, one per section
resistor in the fixed order, from the drawn values), kept on the plan with the draw's seed
(:func:`section_noise`, :func:`noise_seed`). Cell selection realises each as a transient noise
source in series with its resistor, and the netlist carries ``.options seed=``
:func:`spice_seed` of that seed, so the same seed gives the same bits; the numba surrogate
draws its own realisation of the same process from the stream of the non-ideality.

Realised time constants follow from the parts (lag ``a = R2 C``, ``b = (R1 + R2) C``; lead
``b = R C``, ``a = (1 + Rb/Ra) b``) and weights from the conductances (``W = R_f G``; a
resistor ``R (1 + d)`` conducts ``G / (1 + d)``). The teacher (test bench), the summing
stages' feedback resistors, the other op-amps (followers, lead sections, the error path) and
the plastic weights' and biases' capacitor voltages stay nominal. The report rows state every
varied time constant, weight and op-amp offset (``V_os1``, ``V_os2``, volts) against its
nominal value.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

import numpy as np

from vle.circuits.engineering import significant
from vle.circuits.nonidealities import NonIdeality
from vle.circuits.technology import Technology
from vle.mapping.plan import Conductances, Plan, SectionValues
from vle.mapping.report import Row

Unit = tuple[str, str, int]
"""A unit of a part: ``(prefix, population, index)``."""

_LAG = ("r1", "r2", "c")
_LEAD = ("r", "c", "ra", "rb")
_TIME = ("r1", "r2", "r", "c")
"""The section parts whose values set time constants (role ``time``); a lead section's ``Ra``
and ``Rb`` set its gain as a ratio (role ``ratio``, as every conductance)."""


@dataclass(frozen=True)
class Variation:
    """One draw: ``seed`` (an integer >= 0, derived per Monte Carlo sample by the caller) and
    the ``nonidealities`` to apply (none: the nominal circuit)."""

    seed: int
    nonidealities: tuple[NonIdeality, ...]

    def __post_init__(self) -> None:
        if not (isinstance(self.seed, int | np.integer) and self.seed >= 0):
            raise ValueError(f"a variation seed must be an integer >= 0, got {self.seed!r}")
        names = [n.name for n in self.nonidealities]
        if len(set(names)) != len(names):
            raise ValueError(f"each non-ideality once per variation, got {names}")


@dataclass(frozen=True)
class VariedPlan(Plan):
    """A plan after a draw that varied op-amps: ``opamp_offsets`` maps every student unit
    ``(prefix, population, index)`` to the input offsets ``(V_os1, V_os2)`` (volts, nominal
    included) of the two op-amps of its summing amplifier. Later passes keep it (they
    :func:`~dataclasses.replace` the plan). A subclass made only by this pass, rather than a
    field every plan carries, so that a plan without such a draw is the plain :class:`Plan`
    it always was (the plan module belongs to every pass)."""

    opamp_offsets: Mapping[Unit, tuple[float, float]] = field(default_factory=dict)
    section_noise: Mapping[Unit, tuple[float, ...]] = field(default_factory=dict)
    """Per student unit, the one-sided white noise densities (V^2/Hz) of its neuron section's
    resistors, in the fixed part order (lag: ``R1`` unless a wire, ``R2``; lead: ``R``)."""
    noise_seed: int | None = None
    """The draw's seed when ``section_noise`` is drawn (the ngspice and surrogate noise)."""
    opamp_swings: Mapping[Unit, tuple[float, float, float, float]] = field(
        default_factory=dict)
    """Per student unit, the output limits ``(V_low1, V_high1, V_low2, V_high2)`` (volts) of
    the two op-amps of its summing amplifier (op-amp 2's output is the unit's drive)."""


def opamp_offsets(plan: Plan) -> Mapping[Unit, tuple[float, float]]:
    """The drawn summing-stage op-amp offsets of ``plan`` (volts; empty when none were
    drawn: every op-amp then has the technology's nominal offset)."""
    return plan.opamp_offsets if isinstance(plan, VariedPlan) else {}


def opamp_swings(plan: Plan) -> Mapping[Unit, tuple[float, float, float, float]]:
    """The drawn summing-stage op-amp output limits of ``plan`` (volts; empty when none were
    drawn: every op-amp then has the technology's nominal ``v_low``, ``v_high``)."""
    return plan.opamp_swings if isinstance(plan, VariedPlan) else {}


def section_noise(plan: Plan) -> Mapping[Unit, tuple[float, ...]]:
    """The section resistors' noise densities of ``plan`` (V^2/Hz; empty without noise)."""
    return plan.section_noise if isinstance(plan, VariedPlan) else {}


def noise_seed(plan: Plan) -> int | None:
    """The seed of ``plan``'s noise (the variation's seed; ``None`` without noise)."""
    return plan.noise_seed if isinstance(plan, VariedPlan) else None


SPICE_SEED_MAX = 2**31 - 1
"""ngspice reads ``.options seed`` as a C ``int`` > 0."""


def spice_seed(seed: int) -> int:
    """The ngspice seed (in ``[1, 2^31 - 1]``) of the variation seed ``seed``: one to one on
    ``[0, 2^31 - 2]``, folded above."""
    return 1 + int(seed) % (SPICE_SEED_MAX - 1)


def section_resistances(v: SectionValues) -> tuple[float, ...]:
    """The resistors of a section that carry its capacitor's current, in the fixed order
    (ohms): the noisy ones of ``thermal-noise``."""
    return tuple(x for f, kind, x in _section_parts(v) if kind == "resistor"
                 and f in ("r1", "r2", "r"))


def source_offsets(plan: Plan, offsets: tuple[float, float]) -> tuple[float, float]:
    """What the series sources of a summing stage carry (volts): the drawn offsets less the
    nominal one the op-amp macro-model already has."""
    opamp = plan.technology.opamp
    nominal = opamp.offset if opamp is not None else 0.0
    return (significant(offsets[0] - nominal), significant(offsets[1] - nominal))


def stream(seed: int, name: str) -> np.random.Generator:
    """The random stream of non-ideality ``name`` in the draw ``seed``."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(name.encode())]))


def _factors(variation: Variation, kind: str, values: np.ndarray, tech: Technology,
             roles: np.ndarray) -> np.ndarray:
    """``prod (1 + d)`` over the non-idealities, per part of ``kind`` (``roles``: what each
    part sets, :data:`~vle.circuits.nonidealities.ROLES`)."""
    out = np.ones(values.size)
    for ni in variation.nonidealities:
        out *= 1.0 + ni.relative_errors(stream(variation.seed, ni.name), kind, values, tech,
                                        roles)
    return out


def _section_parts(v: SectionValues) -> list[tuple[str, str, float]]:
    """``(field, kind, value)`` of a section's parts, in the fixed order."""
    names = _LAG if v.kind == "lag" else _LEAD
    out = []
    for f in names:
        x = getattr(v, f)
        if x is None or (f == "r1" and x == 0.0):
            continue
        out.append((f, "capacitor" if f == "c" else "resistor", float(x)))
    return out


def _resection(v: SectionValues, new: dict[str, float]) -> SectionValues:
    """The section with its parts replaced and its time constants recomputed."""
    v = replace(v, **new)  # type: ignore[arg-type]
    if v.kind == "lag":
        return replace(v, a=v.r2 * v.c, b=(v.r1 + v.r2) * v.c)
    gain = 1.0 + v.rb / v.ra if v.ra is not None and v.rb is not None else v.gain
    b = v.r * v.c
    return replace(v, gain=gain, a=gain * b, b=b)


def vary_parts(plan: Plan, variation: Variation) -> tuple[Plan, list[Row], list[str]]:
    """Apply one draw of ``variation`` to the student's parts (see the module docstring)."""
    tech = plan.technology
    for ni in variation.nonidealities:
        ni.check(tech)
    student = plan.student
    section_keys = sorted(k for k in plan.values if k[0] == student.prefix)
    block_keys = sorted(k for k in plan.conductances if not k.startswith("teacher."))
    # (kind, where, field) in the fixed order; where: a section key or a block name
    slots: list[tuple[str, tuple[str, str, int, str] | str, str]] = []
    nominal: list[float] = []
    for key in section_keys:
        for f, kind, x in _section_parts(plan.values[key]):
            slots.append((kind, key, f))
            nominal.append(x)
    for bkey in block_keys:
        g = plan.conductances[bkey].conductance
        for (i, j), x in np.ndenumerate(g):
            if x != 0.0:
                slots.append(("resistor", bkey, f"{i},{j}"))
                nominal.append(1.0 / abs(float(x)))
    values = np.array(nominal)
    roles = np.array(["time" if isinstance(where, tuple) and f in _TIME else "ratio"
                      for _, where, f in slots])
    factor = np.ones(values.size)
    for kind in ("resistor", "capacitor"):
        pick = np.array([s[0] == kind for s in slots], dtype=bool)
        if pick.any():
            factor[pick] = _factors(variation, kind, values[pick], tech, roles[pick])
    realised = values * factor

    new_values = dict(plan.values)
    section_new: dict[tuple[str, str, int, str], dict[str, float]] = {}
    block_new = {k: plan.conductances[k].conductance.copy() for k in block_keys}
    for (_kind, where, f), x in zip(slots, realised, strict=True):
        if isinstance(where, tuple):
            section_new.setdefault(where, {})[f] = float(x)
        else:
            i, j = (int(s) for s in f.split(","))
            g = block_new[str(where)]
            g[i, j] = np.sign(g[i, j]) / x
    rows: list[Row] = []
    label = f"part variation, seed {variation.seed}"
    for key, new in section_new.items():
        old = plan.values[key]
        v = _resection(old, new)
        new_values[key] = v
        req = next(r for r in plan.sections if r.key == key)
        item = req.part.item(req.pop, req.index)
        qa, qb = req.names
        rows += [Row(item, qa, old.a, v.a, "s", f"{label}: {v.detail()}"),
                 Row(item, qb, old.b, v.b, "s", f"{label}: {v.detail()}")]
    new_blocks = dict(plan.conductances)
    rf = tech.feedback_resistance
    for bkey, g in block_new.items():
        old_block = plan.conductances[bkey]
        new_blocks[bkey] = Conductances(old_block.requested, g * rf, g)
        for (i, j), x in np.ndenumerate(g):
            if x != 0.0:
                rows.append(Row(f"{bkey}[{i},{j}]", "W", float(old_block.realised[i, j]),
                                float(x * rf), "", label))
    varied = replace(plan, values=new_values, conductances=new_blocks)
    drawn = ""
    extra: dict[str, object] = {}
    if any("opamp" in ni.parts for ni in variation.nonidealities):
        offsets = _draw_offsets(plan, variation)
        extra["opamp_offsets"] = offsets
        assert tech.opamp is not None
        for (_, pop, i), pair in offsets.items():
            item = plan.student.item(pop, i)
            for k, volts in enumerate(pair, start=1):
                rows.append(Row(item, f"V_os{k}", tech.opamp.offset, volts, "V",
                                f"{label}: op-amp {k} of the summing amplifier"))
        drawn = f", {2 * len(offsets)} op-amp offsets"
    if any("swing" in ni.parts for ni in variation.nonidealities):
        swings = _draw_swings(plan, variation)
        extra["opamp_swings"] = swings
        assert tech.opamp is not None
        rails = (tech.opamp.v_low, tech.opamp.v_high) * 2
        names = ("V_low1", "V_high1", "V_low2", "V_high2")
        for (_, pop, i), limits in swings.items():
            item = plan.student.item(pop, i)
            for quantity, rail, volts in zip(names, rails, limits, strict=True):
                rows.append(Row(item, quantity, rail, volts, "V",
                                f"{label}: op-amp {quantity[-1]} of the summing amplifier"))
        drawn += f", {2 * len(swings)} op-amp output swings"
    noisy = [ni for ni in variation.nonidealities if "noise" in ni.parts]
    if noisy:
        noise = _noise_densities(varied, noisy)
        extra.update(section_noise=noise, noise_seed=variation.seed)
        for (_, pop, i), dens in noise.items():
            rows.append(Row(plan.student.item(pop, i), "S_n", 0.0, float(sum(dens)), "V^2/Hz",
                            f"{label}: white noise of the section resistors"))
        drawn += (f", noise on {len(noise)} sections (ngspice seed "
                  f"{spice_seed(variation.seed)})")
    if extra:
        varied = VariedPlan(**{f.name: getattr(varied, f.name) for f in fields(Plan)},
                            **extra)  # type: ignore[arg-type]
    notes = [f"{label}: " + "; ".join(ni.describe(tech) for ni in variation.nonidealities)
             + f" ({len(slots)} parts drawn{drawn})"]
    return varied, rows, notes


def _noise_densities(plan: Plan, noisy: list[NonIdeality]) -> dict[Unit, tuple[float, ...]]:
    """Per student unit, its neuron section resistors' noise densities (V^2/Hz), the sum over
    the noise non-idealities (independent sources add in power)."""
    part = plan.student
    out: dict[Unit, tuple[float, ...]] = {}
    for pop in part.network.neurons:
        for i in range(pop.size):
            r = np.array(section_resistances(plan.values[(part.prefix, pop.name, i, "neuron")]))
            total = np.zeros(r.size)
            for ni in noisy:
                total += ni.noise_densities(r)
            out[(part.prefix, pop.name, i)] = tuple(float(x) for x in total)
    return out


def _student_units(plan: Plan) -> list[Unit]:
    """Every student unit, sorted by population and index (the order of the op-amp draws)."""
    part = plan.student
    return sorted((part.prefix, pop.name, i) for pop in part.network.neurons
                  for i in range(pop.size))


def _draw_swings(plan: Plan, variation: Variation
                 ) -> dict[Unit, tuple[float, float, float, float]]:
    """``(V_low1, V_high1, V_low2, V_high2)`` (volts) of every student unit's summing
    amplifier: the nominal limits plus the deviations every non-ideality draws from its own
    stream, two op-amps per unit in the fixed order (see the module docstring)."""
    tech = plan.technology
    assert tech.opamp is not None
    units = _student_units(plan)
    total = np.tile([tech.opamp.v_low, tech.opamp.v_high], (2 * len(units), 1))
    for ni in variation.nonidealities:
        total += ni.swing_errors(stream(variation.seed, ni.name), 2 * len(units), tech)
    rows = total.reshape(len(units), 4)
    out: dict[Unit, tuple[float, float, float, float]] = {}
    for u, row in zip(units, rows, strict=True):
        a, b, c, d = (significant(float(x)) for x in row)
        out[u] = (a, b, c, d)
    return out


def _draw_offsets(plan: Plan, variation: Variation) -> dict[Unit, tuple[float, float]]:
    """``(V_os1, V_os2)`` (volts) of every student unit's summing amplifier: the nominal
    offset plus the deviations every non-ideality draws from its own stream, two per unit in
    the fixed order (see the module docstring)."""
    tech = plan.technology
    assert tech.opamp is not None
    part = plan.student
    units = sorted((part.prefix, pop.name, i) for pop in part.network.neurons
                   for i in range(pop.size))
    total = np.full(2 * len(units), tech.opamp.offset)
    for ni in variation.nonidealities:
        total += ni.offset_errors(stream(variation.seed, ni.name), total.size, tech)
    pairs = total.reshape(len(units), 2)
    return {u: (significant(float(a)), significant(float(b)))
            for u, (a, b) in zip(units, pairs, strict=True)}
