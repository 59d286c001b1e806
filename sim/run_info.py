"""What every backend derives from a :class:`~vle.sim.backend.RunRequest` the same way: the
grid signals with their batch size, and the metadata a result records about its run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vle.sim.backend import RunRequest
from vle.sim.inputs import GridSignals
from vle.sim.layout import Layout
from vle.sim.provenance import versions
from vle.sim.schemes import SCHEME_PROPERTIES


@dataclass(frozen=True, eq=False)
class RequestSignals:
    """Stimuli of the input populations and targets of the output populations (in layout
    order) on the grid; ``batch`` is their common batch size, ``batched`` whether results carry
    a batch axis."""

    inputs: GridSignals
    targets: GridSignals
    batch: int
    batched: bool


def request_signals(request: RunRequest, layout: Layout) -> RequestSignals:
    """The grid signals of ``request`` (replayed every ``request.period_steps`` if given)."""
    net = request.network
    period_steps = request.period_steps
    inputs = GridSignals(net.inputs, request.signals, request.dt, request.n_steps,
                         request.batch, "stimulus", period_steps)
    tpops = [net.population(n) for n in layout.names if n in request.targets]
    targets = GridSignals(tpops, request.targets, request.dt, request.n_steps, request.batch,
                          "target", period_steps)
    batches = {inputs.batch, targets.batch} - {1}
    if len(batches) > 1:
        raise ValueError(f"inputs and targets have different batch sizes {sorted(batches)}")
    return RequestSignals(inputs, targets, batches.pop() if batches else 1,
                          inputs.batched or targets.batched)


def run_metadata(
    request: RunRequest,
    backend: str,
    *,
    batch: int,
    batched: bool,
    errors: bool,
    plastic: bool,
    extra_versions: tuple[str, ...] = (),
) -> dict[str, Any]:
    """What a result records about how it was made (backends add their own entries)."""
    order, delayed = request.network.update_order()
    rule = request.learning
    return {
        "backend": backend,
        "scheme": request.scheme,
        "dt": request.dt,
        "t_stop": request.n_steps * request.dt,
        "n_steps": request.n_steps,
        "record_every": request.record_every,
        "batched": batched,
        "batch": batch,
        "network": request.network.name,
        "update_order": list(order),
        "delayed_projections": sorted(delayed),
        "loop_cut": SCHEME_PROPERTIES[request.scheme].loop_cut,
        "errors": errors,
        "learning_rule": rule.rule if (rule and errors) else "none",
        "plastic": plastic,
        "versions": versions(*extra_versions),
    }
