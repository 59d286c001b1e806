"""Subcircuits, circuits and their analyses: the data the netlist writer turns into text."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from vle.circuits.elements import Behavioral, Element, Instance
from vle.circuits.errors import CircuitError
from vle.circuits.expression import nodes_of
from vle.circuits.names import check_name, check_node, check_text
from vle.circuits.probes import ProbeMap


@dataclass(frozen=True)
class Subcircuit:
    """A reusable block: ``elements`` between named ``ports`` (ground ``0`` is global).

    ``description`` holds comment lines (a cell states its equation and topology there);
    ``requires`` holds the definitions its instances use, so a circuit can collect them.
    """

    name: str
    ports: tuple[str, ...]
    elements: tuple[Element, ...]
    description: tuple[str, ...] = ()
    requires: tuple[Subcircuit, ...] = ()

    def __post_init__(self) -> None:
        check_name(self.name, "subcircuit name")
        for attr in ("ports", "elements", "description", "requires"):
            object.__setattr__(self, attr, tuple(getattr(self, attr)))
        where = f"subcircuit {self.name!r}"
        for p in self.ports:
            if check_node(p, f"{where}: port") == "0":
                raise CircuitError(where, "ground '0' is listed as a port",
                                   "ports other than ground (it is global)")
        _unique([p.lower() for p in self.ports], f"{where}: port")
        for line in self.description:
            check_text(line, f"{where}: description")
        _check_scope(self.elements, {s.name: s for s in self.requires}, where)

    def content_key(self) -> Subcircuit:
        """This definition without its name, for recognising identical definitions."""
        return replace(self, name="unnamed")


@dataclass(frozen=True)
class Section:
    """Top-level elements under one comment heading (``title``)."""

    title: str
    elements: tuple[Element, ...]

    def __post_init__(self) -> None:
        check_text(self.title, "section title")
        object.__setattr__(self, "elements", tuple(self.elements))


@dataclass(frozen=True)
class Transient:
    """``.tran step stop start max_step``: transient analysis over ``[0, stop]`` seconds;
    ``step`` is the output step, ``max_step`` bounds the internal step."""

    step: float
    stop: float
    max_step: float | None = None
    start: float = 0.0

    def __post_init__(self) -> None:
        for name in ("step", "stop") + (("max_step",) if self.max_step is not None else ()):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise CircuitError(".tran", f"{name} got {v!r}", "a number > 0 (seconds)")
        if not (0 <= self.start < self.stop):
            raise CircuitError(".tran", f"start got {self.start!r}", "0 <= start < stop")


METHODS = ("trap", "gear")


@dataclass(frozen=True)
class Options:
    """Simulator options written as ``.options``: relative tolerance, absolute current and
    voltage tolerances (amperes, volts), charge tolerance (coulombs), integration method, and
    the seed of ngspice's random numbers (an integer in ``[1, 2^31 - 1]``; ``None``: no seed
    is written, as in every circuit without transient noise sources)."""

    reltol: float = 1e-3
    abstol: float = 1e-12
    vntol: float = 1e-6
    chgtol: float = 1e-14
    method: str = "trap"
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("reltol", "abstol", "vntol", "chgtol"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise CircuitError(".options", f"{name} got {v!r}", "a number > 0")
        if self.method not in METHODS:
            raise CircuitError(".options", f"method got {self.method!r}",
                               "one of " + ", ".join(METHODS))
        if self.seed is not None and not (isinstance(self.seed, int)
                                          and not isinstance(self.seed, bool)
                                          and 1 <= self.seed <= 2**31 - 1):
            raise CircuitError(".options", f"seed got {self.seed!r}",
                               "an integer in [1, 2^31 - 1] (ngspice's seed)")


@dataclass(frozen=True)
class Circuit:
    """A complete circuit: title, comment header, options, subcircuit definitions, top-level
    sections of elements, initial node voltages (volts, applied as ``.ic``), analyses and the
    probe map. Validated on construction (names unique, instances match their definitions,
    initial conditions and probes on existing nodes)."""

    title: str
    sections: tuple[Section, ...]
    subcircuits: tuple[Subcircuit, ...] = ()
    initial_conditions: tuple[tuple[str, float], ...] = ()
    options: Options = field(default_factory=Options)
    analyses: tuple[Transient, ...] = ()
    probes: ProbeMap | None = None
    header: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_text(self.title, "circuit title")
        for attr in ("sections", "subcircuits", "initial_conditions", "analyses", "header"):
            object.__setattr__(self, attr, tuple(getattr(self, attr)))
        for line in self.header:
            check_text(line, "circuit header")
        defs = _collect(self.subcircuits)
        object.__setattr__(self, "subcircuits", tuple(defs.values()))
        nodes = _check_scope(self.elements, defs, "circuit")
        for node, volts in self.initial_conditions:
            check_node(node, ".ic node")
            if node.lower() not in nodes:
                raise CircuitError(".ic", f"node {node!r} is not in the circuit",
                                   "initial conditions on top-level nodes")
            if not math.isfinite(volts):
                raise CircuitError(".ic", f"v({node}) got {volts!r}", "a finite voltage")
        if self.probes is not None:
            for node in self.probes.nodes:
                if node.lower() not in nodes:
                    raise CircuitError("probe map", f"node {node!r} is not in the circuit",
                                       "probes on top-level nodes")

    @property
    def elements(self) -> tuple[Element, ...]:
        """Every top-level element, in section order."""
        return tuple(el for s in self.sections for el in s.elements)

    def definition(self, name: str) -> Subcircuit:
        """The subcircuit definition called ``name``."""
        for s in self.subcircuits:
            if s.name == name:
                return s
        raise KeyError(f"no subcircuit {name!r}")

    def flatten(self) -> Iterator[Flat]:
        """Every primitive element with its hierarchical name and a map from its node names
        to global node names.

        Inside instance ``X1``, element ``R1`` is ``x1.R1`` and internal node ``n`` is
        ``x1.n`` (the ngspice convention); ports map to the connected nodes; ground stays
        ``0``.
        """
        defs = {s.name: s for s in self.subcircuits}
        for el in self.elements:
            yield from _flatten(el, {}, "", defs)


class Flat(NamedTuple):
    """A primitive element of a flattened circuit."""

    element: Element
    nodes: dict[str, str]
    """Local node name -> global node name."""
    path: str
    """The instance path (``x1.x2``), empty at top level."""

    @property
    def name(self) -> str:
        """The hierarchical element name, unique in the circuit."""
        return f"{self.path}.{self.element.name}" if self.path else self.element.name


def _flatten(el: Element, outer: dict[str, str], path: str,
             defs: dict[str, Subcircuit]) -> Iterator[Flat]:
    def glob(n: str) -> str:
        return outer.get(n, n if not path or n == "0" else f"{path}.{n}")

    if isinstance(el, Instance):
        sub = defs[el.subcircuit]
        inner = dict(zip(sub.ports, (glob(c) for c in el.connections), strict=True))
        inner_path = f"{path}.{el.name}".lstrip(".").lower()
        for child in sub.elements:
            yield from _flatten(child, inner, inner_path, defs)
        return
    nodes = list(el.nodes) + (list(nodes_of(el.expr)) if isinstance(el, Behavioral) else [])
    yield Flat(el, {n: glob(n) for n in nodes}, path)


def _collect(subs: tuple[Subcircuit, ...]) -> dict[str, Subcircuit]:
    """Definitions in dependency order (required ones first), each name once."""
    out: dict[str, Subcircuit] = {}

    def add(s: Subcircuit) -> None:
        for r in s.requires:
            add(r)
        if s.name in out:
            if out[s.name] != s:
                raise CircuitError(f"subcircuit {s.name!r}", "two different definitions",
                                   "one definition per subcircuit name")
            return
        out[s.name] = s

    for s in subs:
        add(s)
    _unique([n.lower() for n in out], "subcircuit name")
    return out


def _check_scope(elements: tuple[Element, ...], defs: dict[str, Subcircuit],
                 where: str) -> set[str]:
    """Check element names, instance connections and node spellings; return the nodes
    (lower case)."""
    _unique([el.name.lower() for el in elements], f"{where}: element name")
    spelling: dict[str, str] = {}
    for el in elements:
        if isinstance(el, Instance):
            sub = defs.get(el.subcircuit)
            if sub is None:
                raise CircuitError(f"{where}: element {el.name!r}",
                                   f"no subcircuit named {el.subcircuit!r}",
                                   "an instance of a defined (or required) subcircuit")
            if len(el.connections) != len(sub.ports):
                raise CircuitError(f"{where}: element {el.name!r}",
                                   f"{len(el.connections)} connections for subcircuit "
                                   f"{sub.name!r} with {len(sub.ports)} ports",
                                   "one connection per port")
        for n in el.nodes:
            seen = spelling.setdefault(n.lower(), n)
            if seen != n:
                raise CircuitError(f"{where}: node {n!r}", f"also written {seen!r}; SPICE "
                                   "ignores case, so they would be one node",
                                   "node names that differ in more than case")
    return set(spelling)


def _unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise CircuitError(what, f"{n!r} is used twice (SPICE ignores case)",
                               "unique names")
        seen.add(n)
