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

MODEL_UNITS = "1"
"""CF ``units`` of every trace and of time: model quantities are dimensionless (CF's "1"); a
circuit realises one model unit as ``v_unit`` volts and one model time unit as ``time_scale``
seconds (:mod:`vle.mapping`), so no SI unit would be true of them all."""
TIME_LONG_NAME = "time in model time units"
QUANTITY_NAMES: dict[str, str] = {
    "u": "membrane potential u",
    "ub": "prospective potential ub = u + tau_r du/dt",
    "r": "rate r = phi(ub)",
    "v": "error-neuron state v",
    "e": "error e",
    "b": "bias b",
    "tau_m": "membrane time constant tau_m (model time units)",
}
"""The CF ``long_name`` of each quantity (weights and the loss are named in
:func:`trace_attrs`)."""


def trace_attrs(name: str) -> dict[str, str]:
    """The CF attributes (``long_name``, ``units``) of trace ``name``."""
    owner, _, quantity = name.rpartition(".")
    if not owner:
        long_name = "loss" if name == "loss" else name
    elif quantity == "W":
        pre, _, post = owner.partition("->")
        long_name = f"weight W from population {pre} to population {post}"
    else:
        long_name = f"{QUANTITY_NAMES.get(quantity, quantity)} of population {owner}"
    return {"long_name": long_name, "units": MODEL_UNITS}


def unit_coordinate(dim: str) -> dict[str, str]:
    """The CF attributes of the index coordinate of dimension ``dim`` (``h1_unit``,
    ``batch``)."""
    if dim == "batch":
        return {"long_name": "batch element", "units": "1"}
    owner = dim.removesuffix("_unit").removesuffix("_pre")
    return {"long_name": f"unit index in population {owner}", "units": "1"}


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
