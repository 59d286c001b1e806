"""The memory a run needs, estimated from its request before any work starts.

Counted: the recorded traces (time points x values x batch), the loss of every step (when it
is recorded), targets
sampled on the whole grid (teachers), and the state and parameters of the network. Signals
given as stimuli are sampled chunk by chunk (:data:`vle.sim.array_run._CHUNK_VALUES` bounds
them) and are not counted. :func:`check_run_memory` refuses a run above the budget
(:mod:`vle.model.budget`) with one :class:`~vle.model.errors.ModelError` naming the key that
makes the run large.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vle.model.budget import check_memory, format_bytes
from vle.model.network import Network

VALUE_BYTES = 8
"""float64, the reference's type."""
RECORD_COPIES = 2
"""The kernel's recording buffer and the result's time-major copy of it exist together when a
run ends (:meth:`vle.sim.array_run.ArrayRun.traces`)."""
STATE_ARRAYS = 16
"""Arrays per unit and batch element in the kernel's state (u, ub, r, v, e, inputs, their
previous values, plasticity traces): a generous bound, so a run that passes fits."""
PARAMETER_COPIES = 4
"""Copies of each weight, bias and tau_m (the values, their updates and two optimiser
moments, as Adam keeps)."""


@dataclass(frozen=True)
class Part:
    """One part of an estimate: the model key it grows with, what it is, its bytes."""

    key: str
    what: str
    bytes: float


def trace_values(network: Network, name: str) -> int:
    """Values per time point (and batch element) of trace ``name``."""
    if name == "loss":
        return 1
    owner, _, quantity = name.rpartition(".")
    if quantity == "W":
        pre, post = owner.split("->")
        return network.population(pre).size * network.population(post).size
    return network.population(owner).size


def run_estimate(network: Network, *, n_steps: int, batch: int = 1,
                 record: Iterable[str] = (), record_every: int = 1,
                 target_units: int = 0) -> list[Part]:
    """The parts of the memory a run of ``network`` over ``n_steps`` needs (see the module
    docstring); ``target_units`` counts the units of targets sampled on the whole grid."""
    record = tuple(record)
    points = n_steps // max(1, record_every) + 1
    per_point = sum(trace_values(network, t) * (1 if t == "loss" or "->" in t else batch)
                    for t in record)
    steps = f"t_stop / dt = {n_steps:.4g} steps"
    parts = [
        Part("simulation.t_stop", f"{steps}: {points:.4g} recorded points x {per_point} "
             f"values of {len(record)} traces x {RECORD_COPIES} copies",
             float(points) * per_point * VALUE_BYTES * RECORD_COPIES),
    ]
    if "loss" in record:
        parts.append(Part("simulation.t_stop", f"{steps}: the loss of every step",
                          float(n_steps) * VALUE_BYTES))
    if target_units:
        parts.append(Part("simulation.t_stop", f"{steps}: targets of {target_units} units "
                          "sampled on the grid", float(n_steps + 1) * target_units * batch
                          * VALUE_BYTES))
    units = sum(p.size for p in network.populations)
    weights = sum(pr.weights.size for pr in network.projections)
    largest = max(network.populations, key=lambda p: p.size)
    key = "batch" if batch > largest.size else f"population.{largest.name}.size"
    parts.append(Part(key, f"the state of {units} units x "
                      f"batch {batch} and {weights} weights",
                      (float(units) * batch * STATE_ARRAYS + (weights + 2 * units)
                       * PARAMETER_COPIES) * VALUE_BYTES))
    return parts


def check_run_memory(network: Network, *, n_steps: int, batch: int = 1,
                     record: Iterable[str] = (), record_every: int = 1, target_units: int = 0,
                     budget: int | None = None) -> float:
    """Refuse (:class:`~vle.model.errors.ModelError`) a run whose estimate exceeds
    ``budget`` (default: :func:`vle.model.budget.default_budget`), naming the key of its
    largest part; returns the estimate in bytes."""
    parts = run_estimate(network, n_steps=n_steps, batch=batch, record=record,
                         record_every=record_every, target_units=target_units)
    total = sum(p.bytes for p in parts)
    top = max(parts, key=lambda p: p.bytes)
    check_memory(top.key, total, f"{top.what}: {format_bytes(top.bytes)}", budget)
    return total
