"""The probe map: which node voltages hold which model traces, and how to convert them.

A compiled circuit carries a :class:`ProbeMap` so a simulator of its netlist can turn node
voltages back into model traces without knowing the circuit::

    model value = (node voltage - offset) / scale         (scale in volts per model unit)
    model time  = simulator time / time_scale            (time_scale in seconds per model unit)

Trace names follow the reference backend: ``'<population>.<quantity>'`` (``u``, ``ub``, ``r``;
``v``, ``e`` with a learning rule; ``y`` for an output's target) and ``'<pre>-><post>.W'`` for
plastic weights. ``nodes`` lists one node per unit (weights: row-major over ``(post, pre)``,
``shape`` says which). Node names are lower case, as ngspice writes them into its raw file,
where the vector of node ``n`` is ``v(n)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from vle.circuits.errors import CircuitError
from vle.circuits.names import check_node


@dataclass(frozen=True)
class Probe:
    """One trace: its node per unit and the conversion back to model units."""

    trace: str
    nodes: tuple[str, ...]
    scale: float
    offset: float = 0.0
    shape: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        nodes = tuple(self.nodes)
        object.__setattr__(self, "nodes", nodes)
        for n in nodes:
            check_node(n, f"probe {self.trace!r}: node")
        shape = tuple(self.shape) or (len(nodes),)
        if int(np.prod(shape)) != len(nodes):
            raise CircuitError(f"probe {self.trace!r}", f"shape {shape} for {len(nodes)} nodes",
                               "a shape with as many entries as nodes")
        object.__setattr__(self, "shape", shape)
        if not self.scale or not np.isfinite(self.scale):
            raise CircuitError(f"probe {self.trace!r}", f"scale got {self.scale!r}",
                               "a finite non-zero number of volts per model unit")

    @property
    def vectors(self) -> tuple[str, ...]:
        """The raw-file vector names, ``v(node)``, one per unit."""
        return tuple(f"v({n})" for n in self.nodes)

    def to_model(self, volts: Any) -> np.ndarray:
        """Node voltages (last axis: the nodes in order) in model units."""
        return (np.asarray(volts, dtype=np.float64) - self.offset) / self.scale


@dataclass(frozen=True)
class ProbeMap:
    """Every probed trace of a circuit and the time scale (seconds per model time unit)."""

    time_scale: float
    probes: tuple[Probe, ...]

    def __post_init__(self) -> None:
        probes = tuple(self.probes)
        object.__setattr__(self, "probes", probes)
        names = [p.trace for p in probes]
        if len(set(names)) != len(names):
            raise CircuitError("probe map", "a trace is listed twice", "unique trace names")

    def __getitem__(self, trace: str) -> Probe:
        for p in self.probes:
            if p.trace == trace:
                return p
        raise KeyError(f"no probe for {trace!r}; probed: {', '.join(self.traces)}")

    def __contains__(self, trace: object) -> bool:
        return any(p.trace == trace for p in self.probes)

    @property
    def traces(self) -> tuple[str, ...]:
        """The trace names, in circuit order."""
        return tuple(p.trace for p in self.probes)

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every probed node, in order, without repeats."""
        return tuple(dict.fromkeys(n for p in self.probes for n in p.nodes))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (the format is documented in this module)."""
        return {
            "time_scale": self.time_scale,
            "traces": {p.trace: {"nodes": list(p.nodes), "shape": list(p.shape),
                                 "scale": p.scale, "offset": p.offset} for p in self.probes},
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text."""
        return json.dumps(self.to_dict(), indent=1)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProbeMap:
        """The inverse of :meth:`to_dict`."""
        return cls(float(data["time_scale"]), tuple(
            Probe(name, tuple(d["nodes"]), float(d["scale"]), float(d["offset"]),
                  tuple(d["shape"])) for name, d in data["traces"].items()))
