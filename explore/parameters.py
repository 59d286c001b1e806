"""Parameter paths of a sweep: what a point changes, checked before anything runs.

A path names one number (or choice) of the model file or of the technology:

``population.NAME.KEY``
    a population's ``tau_m``, ``tau_r``, ``bias`` or ``size`` (model time units, model units);
``projection.PRE->POST.KEY``
    a projection's ``plastic`` flag, or ``init.KEY`` of its initialiser (``std``, ``seed``, ...);
``simulation.KEY``, ``learning.KEY``, ``learning.optimizer.KEY``, ``stimulus.POP.KEY``
    the model file's tables (``simulation.dt``, ``learning.rule``, ``learning.feedback``, ...);
``technology.KEY``, ``technology.opamp.KEY``, ``technology.mismatch.KEY``, ``technology.cost.KEY``
    a field of the :class:`~vle.circuits.technology.Technology` and its parts (SI units:
    ``technology.opamp.gbw`` in Hz, ``technology.weight_bits``, ``technology.time_scale`` in
    seconds per model time unit, ...);
``technology.section_capacitance``
    the capacitance (F) of a neuron section of time constant one model time unit: it sets the
    unit resistance ``R_u = time_scale / C_1`` (so a section of time constant ``tau`` gets
    ``C = tau C_1``), which is how a designer trades capacitor area against mismatch and
    resistor size;
``nonideality.NAME.KEY``
    a parameter of a drawn non-ideality (``nonideality.mismatch.scale``,
    ``nonideality.resistor-tolerance.value``).

:func:`check_paths` resolves every path against the base model and technology and refuses a
typo with one :class:`SweepError` naming the path and the nearest valid ones.
:func:`apply_point` builds the model and technology of one point.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vle.circuits.nonidealities import get_nonideality, nonideality_names
from vle.circuits.technology import Technology
from vle.model.errors import ModelError
from vle.model.loader import model_from_dict
from vle.model.model import Model

SECTION_CAPACITANCE = "technology.section_capacitance"
"""The derived technology parameter (see the module docstring)."""

_TECH_PARTS = ("opamp", "mismatch", "cost")
_POPULATION_KEYS = ("tau_m", "tau_r", "bias", "size")
_INIT_KEYS = ("mean", "std", "low", "high", "value", "seed", "kind")


class SweepError(ValueError):
    """A sweep spec that cannot run: one message naming the key, what was found and what to do."""


def _fail(path: str, what: str, valid: Sequence[str]) -> SweepError:
    near = difflib.get_close_matches(path, list(valid), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(v) for v in near)}?" if near else ""
    listed = ", ".join(sorted(valid)[:12]) + (", ..." if len(valid) > 12 else "")
    return SweepError(f"sweep parameter {path!r}: {what}{hint} (valid here: {listed})")


def _number_fields(obj: object) -> list[str]:
    out = []
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        v = getattr(obj, f.name)
        if isinstance(v, int | float) and not isinstance(v, bool) or (
                v is None and f.name not in ("resistor", "capacitor")):
            out.append(f.name)
    return out


def valid_paths(raw: Mapping[str, Any], tech: Technology) -> list[str]:
    """Every path a sweep over the model file ``raw`` (parsed TOML) and ``tech`` can set."""
    out = [f"technology.{k}" for k in _number_fields(tech)] + [SECTION_CAPACITANCE]
    for part in _TECH_PARTS:
        sub = getattr(tech, part, None)
        if sub is not None:
            out += [f"technology.{part}.{k}" for k in _number_fields(sub)]
    for pop in raw.get("population", []):
        if pop.get("kind") != "input":
            out += [f"population.{pop.get('name')}.{k}" for k in _POPULATION_KEYS]
        else:
            out.append(f"population.{pop.get('name')}.size")
    for proj in raw.get("projection", []):
        name = f"{proj.get('pre')}->{proj.get('post')}"
        out.append(f"projection.{name}.plastic")
        if isinstance(proj.get("init"), Mapping):
            out += [f"projection.{name}.init.{k}" for k in _INIT_KEYS]
    for table in ("simulation", "learning"):
        if table in raw:
            out += [f"{table}.{k}" for k in raw[table] if not isinstance(raw[table][k], dict)]
    if isinstance(raw.get("learning", {}).get("optimizer"), Mapping):
        out += [f"learning.optimizer.{k}" for k in ("lr", "momentum", "beta1", "beta2", "eps")]
    for pop, stim in raw.get("stimulus", {}).items():
        out += [f"stimulus.{pop}.{k}" for k in stim if k != "kind"]
    out += [f"nonideality.{n}.{f.name}" for n in nonideality_names()
            for f in dataclasses.fields(get_nonideality(n))]
    return out


def check_paths(paths: Sequence[str], raw: Mapping[str, Any], tech: Technology) -> None:
    """Raise :class:`SweepError` for the first path that names nothing, or a path given twice."""
    valid = valid_paths(raw, tech)
    seen: set[str] = set()
    for p in paths:
        if p in seen:
            raise SweepError(f"sweep parameter {p!r} is given twice; give each path once")
        seen.add(p)
        if p not in valid:
            head = p.split(".")[0]
            what = ("names no parameter of the model or technology" if head in
                    ("population", "projection", "simulation", "learning", "stimulus",
                     "technology", "nonideality")
                    else f"starts with {head!r}, which is none of population, projection, "
                         "simulation, learning, stimulus, technology, nonideality")
            raise _fail(p, what, valid)


def _replace_tech(tech: Technology, key: str, value: Any) -> Technology:
    parts = key.split(".")
    if parts == ["section_capacitance"]:
        return dataclasses.replace(tech, unit_resistance=tech.time_scale / float(value))
    if len(parts) == 2:
        sub = getattr(tech, parts[0])
        part = dataclasses.replace(sub, **{parts[1]: value})
        return dataclasses.replace(tech, **{parts[0]: part})
    if key == "weight_bits":
        value = int(value)
    return dataclasses.replace(tech, **{key: value})


def _set_model(raw: dict[str, Any], path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if head == "population":
        name, key = rest.rsplit(".", 1)
        pop = next(p for p in raw["population"] if p.get("name") == name)
        pop[key] = int(value) if key == "size" else value
    elif head == "projection":
        name, _, key = rest.partition(".")
        pre, post = name.split("->")
        proj = next(p for p in raw["projection"] if p.get("pre") == pre and p.get("post") == post)
        if key.startswith("init."):
            proj["init"][key[5:]] = value
        else:
            proj[key] = value
    elif head == "stimulus":
        pop, key = rest.split(".", 1)
        raw["stimulus"][pop][key] = value
    else:
        table = raw.setdefault(head, {})
        *inner, key = rest.split(".")
        for k in inner:
            table = table.setdefault(k, {})
        table[key] = value


def apply_point(raw: Mapping[str, Any], tech: Technology, values: Mapping[str, Any], *,
                base_dir: Path, source: Path | None = None
                ) -> tuple[Model, Technology, dict[str, dict[str, Any]]]:
    """The model, technology and non-ideality parameters (name -> params) of one point.

    Technology fields are replaced in path order, except ``technology.section_capacitance``,
    which is applied last so that it uses the point's time scale. A value the model or the
    technology refuses raises :class:`SweepError` naming the path."""
    data = copy.deepcopy(dict(raw))
    ni: dict[str, dict[str, Any]] = {}
    tech_items = sorted((p for p in values if p.startswith("technology.")),
                        key=lambda p: p == SECTION_CAPACITANCE)
    for path in tech_items:
        try:
            tech = _replace_tech(tech, path.removeprefix("technology."), values[path])
        except (ValueError, TypeError) as err:
            raise SweepError(f"sweep parameter {path!r} = {values[path]!r}: the technology "
                             f"refuses it ({err})") from None
        if path == SECTION_CAPACITANCE and not (
                isinstance(values[path], int | float) and math.isfinite(values[path])
                and values[path] > 0):
            raise SweepError(f"sweep parameter {path!r} = {values[path]!r}: a capacitance "
                             "must be a number > 0 (farads)")
    for path, v in values.items():
        if path.startswith("nonideality."):
            _, name, key = path.split(".", 2)
            ni.setdefault(name, {})[key] = v
        elif not path.startswith("technology."):
            _set_model(data, path, v)
    try:
        model = model_from_dict(data, base_dir=base_dir, source=source)
    except ModelError as err:
        bad = ", ".join(f"{p} = {v!r}" for p, v in values.items()
                        if not p.startswith(("technology.", "nonideality.")))
        raise SweepError(f"sweep point ({bad}): the model refuses it: {err}") from None
    return model, tech, ni
