"""Which traces to record: names ``'<population>.<quantity>'`` resolved against a network."""

from __future__ import annotations

from collections.abc import Iterable

from vle.model.network import Network

NEURON_QUANTITIES: tuple[str, ...] = ("u", "ub", "r")
"""Quantities of a non-input population (membrane, prospective potential, rate)."""
INPUT_QUANTITIES: tuple[str, ...] = ("r",)
"""Quantities of an input population (its rate is the stimulus)."""


def available_traces(network: Network) -> tuple[str, ...]:
    """Every trace name the forward dynamics of ``network`` can record."""
    out = []
    for p in network.populations:
        for q in INPUT_QUANTITIES if p.is_input else NEURON_QUANTITIES:
            out.append(f"{p.name}.{q}")
    return tuple(out)


def resolve_record(network: Network, record: Iterable[str] | None) -> tuple[str, ...]:
    """Expand a record request into trace names, in network order.

    ``None`` means everything; an entry is a trace name (``'h1.ub'``), a quantity (``'ub'``: for
    every population that has it) or a population name (all of its quantities).
    """
    everything = available_traces(network)
    if record is None:
        return everything
    wanted: set[str] = set()
    pops = {p.name for p in network.populations}
    for item in record:
        if item in everything:
            wanted.add(item)
        elif item in pops:
            wanted.update(t for t in everything if t.split(".")[0] == item)
        elif item in NEURON_QUANTITIES:
            wanted.update(t for t in everything if t.split(".")[1] == item)
        else:
            raise ValueError(f"cannot record {item!r}: name a trace ({', '.join(everything)}), "
                             "a population or a quantity (u, ub, r)")
    return tuple(t for t in everything if t in wanted)
