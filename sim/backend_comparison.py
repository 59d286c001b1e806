"""One model simulated by several backends and compared with the first (the reference)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from vle.model.model import Model
from vle.sim.recording import available_traces
from vle.sim.result import Result
from vle.sim.simulate import simulate_model
from vle.sim.trace_comparison import (
    NRMSE_TOLERANCE,
    ROUNDING_TOLERANCE,
    SCHEME_BACKENDS,
    TECHNOLOGY_TOLERANCE,
    Comparison,
    compare_results,
)


@dataclass(frozen=True, eq=False)
class BackendComparison:
    """The results by backend name (the first is the reference) and one comparison per
    other backend."""

    results: dict[str, Result]
    comparisons: tuple[Comparison, ...]

    @property
    def passed(self) -> bool:
        """True when every trace of every comparison is within its tolerance."""
        return all(c.passed for c in self.comparisons)


def default_tolerance(backend: str, options: Mapping[str, Any], reference: str = "numba") -> float:
    """The bound ``backend`` is held to against ``reference``: rounding
    (:data:`~vle.sim.trace_comparison.ROUNDING_TOLERANCE`) when both compute the schemes themselves
    (:data:`~vle.sim.trace_comparison.SCHEME_BACKENDS`, e.g. brian2 against numba), the technology's
    for spice (:data:`~vle.sim.trace_comparison.TECHNOLOGY_TOLERANCE`), else
    :data:`~vle.sim.trace_comparison.NRMSE_TOLERANCE`."""
    if backend in SCHEME_BACKENDS and reference in SCHEME_BACKENDS:
        return ROUNDING_TOLERANCE
    if backend == "spice":
        return TECHNOLOGY_TOLERANCE.get(str(options.get("technology", "ideal")),
                                        NRMSE_TOLERANCE)
    return NRMSE_TOLERANCE


def comparison_record(model: Model, plastic: bool) -> list[str]:
    """What to record for a comparison: every dynamic trace (with error neurons when the
    model has targets and a rule), the loss, and the plastic weights when ``plastic``."""
    errors = bool(model.targets) and model.learning is not None and model.learning.active
    record = list(available_traces(model.network, errors))
    if errors:
        record.append("loss")
        if plastic:
            record += [f"{pr.name}.W" for pr in model.network.projections if pr.plastic]
    return record


def compare_backends(
    model: Model,
    backends: Sequence[str] = ("numba", "spice"),
    *,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    tolerance: float | Mapping[str, float] | None = None,
    record: Sequence[str] | None = None,
    plastic: bool = False,
    progress: bool = False,
    max_memory: int | None = None,
) -> BackendComparison:
    """Simulate ``model`` with every backend (``options`` maps a backend name to its own
    options, e.g. ``{"spice": {"technology": "discrete"}}``) and compare each with the first.

    ``tolerance`` defaults per backend (:func:`default_tolerance`); ``record`` to
    :func:`comparison_record`; ``plastic`` lets a learning rule change the weights;
    ``max_memory`` is each run's memory budget (bytes).
    """
    if len(backends) < 2 or len(set(backends)) != len(backends):
        raise ValueError(f"compare needs two or more different backends, got {list(backends)}")
    options = options or {}
    wanted = list(record) if record is not None else comparison_record(model, plastic)
    results = {b: simulate_model(model, backend=b, record=wanted, plastic=plastic,
                                 progress=progress, max_memory=max_memory,
                                 **dict(options.get(b, {})))
               for b in backends}
    reference = backends[0]
    comparisons = tuple(
        compare_results(results[b], results[reference], name=b, reference_name=reference,
                        tolerance=tolerance if tolerance is not None
                        else default_tolerance(b, options.get(b, {}), reference))
        for b in backends[1:])
    return BackendComparison(results, comparisons)
