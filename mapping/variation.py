"""Part variation (between weight mapping and cell selection, only when a draw is asked for):
one Monte Carlo draw of every part value, which makes a concrete circuit out of the nominal one.

A :class:`Variation` names a seed and the non-idealities to draw
(:mod:`vle.circuits.nonidealities`). Every physical part of the student gets its own relative
error, in a fixed order: the sections' resistors and capacitors (sections sorted by
population, unit and role; lag ``R1``, ``R2``, ``C``; lead ``R``, ``C``, ``Ra``, ``Rb``), then
every synapse, bias, nudging and target-error conductance (blocks sorted by name, synapses
row-major), which are resistors ``1/|G|``. Each non-ideality draws from a stream of its own,
``SeedSequence([seed, crc32(name)])``, so the same seed gives the same bits on any machine and
any number of workers, and switching one non-ideality on does not change another's draw.

Realised time constants follow from the parts (lag ``a = R2 C``, ``b = (R1 + R2) C``; lead
``b = R C``, ``a = (1 + Rb/Ra) b``) and weights from the conductances (``W = R_f G``; a
resistor ``R (1 + d)`` conducts ``G / (1 + d)``). The teacher (test bench), the summing
stages' feedback resistors, the op-amps and the plastic weights' capacitor voltages stay
nominal. The report rows state every varied time constant and weight against its nominal
value.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace

import numpy as np

from vle.circuits.nonidealities import NonIdeality
from vle.circuits.technology import Technology
from vle.mapping.plan import Conductances, Plan, SectionValues
from vle.mapping.report import Row

_LAG = ("r1", "r2", "c")
_LEAD = ("r", "c", "ra", "rb")


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


def stream(seed: int, name: str) -> np.random.Generator:
    """The random stream of non-ideality ``name`` in the draw ``seed``."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(name.encode())]))


def _factors(variation: Variation, kind: str, values: np.ndarray,
             tech: Technology) -> np.ndarray:
    """``prod (1 + d)`` over the non-idealities, per part of ``kind``."""
    out = np.ones(values.size)
    for ni in variation.nonidealities:
        out *= 1.0 + ni.relative_errors(stream(variation.seed, ni.name), kind, values, tech)
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
    factor = np.ones(values.size)
    for kind in ("resistor", "capacitor"):
        pick = np.array([s[0] == kind for s in slots], dtype=bool)
        if pick.any():
            factor[pick] = _factors(variation, kind, values[pick], tech)
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
    notes = [f"{label}: " + "; ".join(ni.describe(tech) for ni in variation.nonidealities)
             + f" ({len(slots)} parts drawn)"]
    return replace(plan, values=new_values, conductances=new_blocks), rows, notes
