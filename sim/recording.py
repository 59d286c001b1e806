"""Which traces to record: names resolved against a network and its learning set-up.

Trace names: ``'<population>.<quantity>'`` for dynamics (``u``, ``ub``, ``r``; ``v`` and ``e``
when error neurons run), ``'<pre>-><post>.W'``, ``'<population>.b'`` and
``'<population>.tau_m'`` for parameters, and ``'loss'``.
"""

from __future__ import annotations

from collections.abc import Iterable

from vle.model.network import Network

NEURON_QUANTITIES: tuple[str, ...] = ("u", "ub", "r")
"""Quantities of a non-input population (membrane, prospective potential, rate)."""
ERROR_QUANTITIES: tuple[str, ...] = ("v", "e")
"""Error-neuron state and the error that drives plasticity (when error neurons run)."""
INPUT_QUANTITIES: tuple[str, ...] = ("r",)
"""Quantities of an input population (its rate is the stimulus)."""
PARAMETER_QUANTITIES: tuple[str, ...] = ("W", "b", "tau_m")


def available_traces(network: Network, errors: bool = False) -> tuple[str, ...]:
    """Every dynamic trace the network can record (with error neurons if ``errors``)."""
    out: list[str] = []
    for p in network.populations:
        if p.is_input:
            out.extend(f"{p.name}.{q}" for q in INPUT_QUANTITIES)
        else:
            qs = NEURON_QUANTITIES + (ERROR_QUANTITIES if errors else ())
            out.extend(f"{p.name}.{q}" for q in qs)
    return tuple(out)


def parameter_traces(network: Network) -> tuple[str, ...]:
    """Names of every parameter trace (recorded on request or when parameters change)."""
    out = [f"{pr.name}.W" for pr in network.projections]
    for p in network.neurons:
        out.extend((f"{p.name}.b", f"{p.name}.tau_m"))
    return tuple(out)


def resolve_record(
    network: Network, record: Iterable[str] | None, errors: bool = False
) -> tuple[str, ...]:
    """Expand a record request into trace names.

    ``None`` means every dynamic trace (plus ``loss`` when errors run); an entry is a trace
    name (``'h1.ub'``, ``'x->h1.W'``, ``'loss'``), a quantity (``'ub'``: for every population
    that has it; ``'W'``, ``'b'``, ``'tau_m'``: every parameter of that kind) or a population
    name (all of its dynamic quantities).
    """
    dynamic = available_traces(network, errors)
    params = parameter_traces(network)
    extra = ("loss",) if errors else ()
    everything = dynamic + params + extra
    if record is None:
        return dynamic + extra
    wanted: set[str] = set()
    pops = {p.name for p in network.populations}
    quantities = NEURON_QUANTITIES + ERROR_QUANTITIES + PARAMETER_QUANTITIES
    for item in record:
        if item in everything:
            wanted.add(item)
        elif item in pops:
            wanted.update(t for t in dynamic if t.split(".")[0] == item)
        elif item in quantities:
            wanted.update(t for t in everything if t.rsplit(".", 1)[-1] == item)
        else:
            raise ValueError(f"cannot record {item!r}: name a trace ({', '.join(everything)}), "
                             "a population or a quantity (u, ub, r, v, e, W, b, tau_m)")
    return tuple(t for t in everything if t in wanted)
