"""One sweep point: its model and technology, its circuit's cost, and its fidelity.

:func:`evaluate_point` is what a point's task runs on a worker:

1. the point's model and technology (:func:`~vle.explore.parameters.apply_point`);
2. the nominal circuit (:func:`vle.mapping.compile_plan`): a design the technology cannot
   realise raises :class:`~vle.mapping.MappingError`, and the point is recorded ``failed`` with
   that message (the sweep goes on);
3. its cost (:func:`vle.mapping.cost.plan_cost`): area, power, energy per model time unit and
   per step of the model's simulation (a learning step when it learns), speed, part counts;
4. its fidelity: the NRMSE of the traced output (default: the rate of the last output
   population) against the ideal model on the numba reference, for the nominal circuit and
   for ``samples`` Monte Carlo draws (:mod:`vle.fidelity`), on the numba surrogate or in
   ngspice. Draw ``i`` is seeded :func:`~vle.execution.derive_seed` ``(seed, i)`` with the
   sweep's seed, the same for every point: common random numbers, so two designs with the
   same parts are compared on the same draws and their difference is not sampling noise
   (and a point draws the same circuits on any number of workers).

Outputs are the :data:`~vle.explore.spec.METRICS` of the point, as floats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from vle.execution import Task, derive_seed
from vle.explore.parameters import apply_point
from vle.explore.spec import COST_METRICS, SweepSpec, read_model_table
from vle.fidelity.metrics import trace_metrics
from vle.fidelity.montecarlo import reference_result, sample_result
from vle.fidelity.run import output_trace
from vle.mapping import Variation, compile_plan
from vle.mapping.cost import plan_cost


def evaluate(spec: SweepSpec, values: dict[str, Any],
             scratch: Path | None = None) -> dict[str, float]:
    """The metrics of the point with parameter ``values``."""
    raw = read_model_table(spec.model)
    model, tech, ni_params = apply_point(raw, spec.base_technology, values,
                                         base_dir=Path(spec.model).parent)
    trace = spec.trace or output_trace(model)
    plan, _ = compile_plan(model, tech)
    out: dict[str, float] = {}
    if not tech.behavioural:
        report = plan_cost(plan)
        cost = {**report.metrics(), "energy_per_step": report.energy_per_step(
            model.simulation.dt)}
        out.update({k: float(cost[k]) for k in COST_METRICS})
    reference = reference_result(model, record=[trace])
    options: dict[str, object] | None = (
        {"workdir": str(scratch)} if spec.backend == "spice" and scratch else None)

    def nrmse(variation: Variation | None) -> float:
        res = sample_result(model, tech, variation, backend=spec.backend,
                            record=[trace], spice_options=options)
        return trace_metrics(res, reference, [trace])[f"{trace}:nrmse"]

    out["nrmse_nominal"] = nrmse(None)
    if spec.samples:
        nis = spec.build_nonidealities(ni_params)
        draws = np.array([nrmse(Variation(derive_seed(spec.seed, i), nis))
                          for i in range(spec.samples)])
        out.update(nrmse=float(draws.mean()), nrmse_std=float(draws.std()),
                   nrmse_max=float(draws.max()))
    else:
        out.update(nrmse=out["nrmse_nominal"], nrmse_std=0.0, nrmse_max=out["nrmse_nominal"])
    return out


def evaluate_point(task: Task) -> dict[str, float]:
    """The task function of a sweep point (params: ``spec`` as JSON, ``values``)."""
    spec = _spec(task.params["spec"])
    return evaluate(spec, dict(task.params["values"]), task.scratch)


_SPECS: dict[str, SweepSpec] = {}


def _spec(data: dict[str, Any]) -> SweepSpec:
    """The spec of a task (built once per worker process: it samples the points)."""
    import json

    key = json.dumps(data, sort_keys=True)
    if key not in _SPECS:
        _SPECS.clear()
        _SPECS[key] = SweepSpec.from_json(data)
    return _SPECS[key]
