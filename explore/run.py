"""A sweep run: one task per point on the shared execution layer, results in a store.

:func:`run_sweep` runs every point of a :class:`~vle.explore.spec.SweepSpec` not yet in the
store at ``OUT`` (a :class:`~vle.execution.ResultStore` with a ``point`` dimension) on Dask
(:func:`vle.execution.run_tasks`: a LocalCluster of one process per core by default, or the
scheduler at ``scheduler``), with the spec's per-point timeout and retries. Each point's
outputs are written as it finishes (a SIGKILL loses only the points in flight; a rerun skips
the finished ones), consolidated into ``OUT/results.nc``; a changed spec on an existing store
is refused unless ``new``. A point that fails (a design the technology refuses, an ngspice
run that does not converge) is recorded ``failed`` with its message.

:func:`sweep_dataset` reads a store back with each swept parameter as a coordinate along
``point``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from vle.execution import ResultStore, RunSummary, Task, Variable, read_results, run_tasks
from vle.explore.evaluate import evaluate_point
from vle.explore.spec import METRICS, SweepSpec

DIM = "point"
"""The task dimension of a sweep's store."""


def point_variables() -> dict[str, Variable]:
    """Metadata of the metrics a point records."""
    return {k: Variable(long, units) for k, (long, units) in METRICS.items()}


def open_store(out: str | Path, spec_json: Mapping[str, Any], attrs: Mapping[str, Any],
               new: bool = False) -> ResultStore:
    """The store of a sweep (or search) at ``out`` for the JSON spec ``spec_json``."""
    return ResultStore(out, dict(spec_json), dim=DIM, variables=point_variables(),
                       attrs={k: v for k, v in attrs.items() if v is not None}, new=new)


def spec_attrs(spec: SweepSpec) -> dict[str, Any]:
    """Global attributes of a sweep's dataset."""
    return {"model": spec.model, "technology": spec.technology, "backend": spec.backend,
            "samples": spec.samples, "seed": spec.seed, "sampling": spec.sampling,
            "parameters": " ".join(a.path for a in spec.axes),
            "objectives": " ".join(f"{n}:{d}" for n, d in spec.objectives),
            "constraints": " ".join(f"{n}:{o}:{v:g}" for n, o, v in spec.constraints)}


def point_tasks(spec: SweepSpec, values: Sequence[Mapping[str, Any]], *, first: int = 0,
                prefix: str = "point") -> list[Task]:
    """One task per point of ``values``, numbered from ``first``; keys ``PREFIX-NNNNNN``;
    seeds derived from the spec's seed and the point's number."""
    from vle.execution import derive_seed

    data = spec.to_json()
    return [Task(first + i, f"{prefix}-{first + i:06d}", derive_seed(spec.seed, first + i),
                 {"spec": data, "values": dict(v)}) for i, v in enumerate(values)]


def run_sweep(spec: SweepSpec, out: str | Path, *, workers: int | None = None,
              scheduler: str | None = None, new: bool = False, progress: bool = True,
              rerun_failed: bool = False) -> tuple[RunSummary, xr.Dataset]:
    """Run every point of ``spec`` not yet in the store at ``out``; returns the run's
    summary and :func:`sweep_dataset` of the store."""
    spec.check()
    tasks = point_tasks(spec, spec.point_values())
    with open_store(out, spec.to_json(), spec_attrs(spec), new=new) as store:
        summary = run_tasks(evaluate_point, tasks, store,
                            workers=workers, scheduler=scheduler, timeout=spec.timeout,
                            retries=spec.retries, rerun_failed=rerun_failed,
                            progress=progress)
    return summary, sweep_dataset(out)


def run_batch(spec: SweepSpec, store: ResultStore, values: Sequence[Mapping[str, Any]], *,
              first: int, prefix: str, scheduler: str | None = None,
              workers: int | None = None, progress: bool = True) -> xr.Dataset:
    """Run the points ``values`` (numbered from ``first``, keys ``PREFIX-NNNNNN``) into
    ``store`` (skipping those it holds) and return their rows of the store, in order: the
    step of a search or a sensitivity analysis, whose next points depend on these."""
    tasks = point_tasks(spec, values, first=first, prefix=prefix)
    run_tasks(evaluate_point, tasks, store, workers=workers, scheduler=scheduler,
              timeout=spec.timeout, retries=spec.retries, progress=progress)
    ds = store.to_dataset()
    return ds.isel(point=np.isin(ds["point"].values, [t.index for t in tasks]))


def _coordinate(values: list[Any]) -> np.ndarray:
    if all(isinstance(v, bool) for v in values if v is not None):
        return np.array(values, dtype=object)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.float64)
    return np.array([str(v) for v in values], dtype=object)


def sweep_dataset(out: str | Path) -> xr.Dataset:
    """The store at ``out`` as a dataset along ``point``, with every swept parameter (from the
    points' ``values``) as a coordinate named by its path."""
    ds = read_results(out)
    if ds.sizes.get(DIM, 0) == 0:
        return ds
    vals = [json.loads(p)["values"] for p in ds["params"].values]
    paths = list(vals[0])
    coords = {p: (DIM, _coordinate([v.get(p) for v in vals]), {"long_name": f"swept {p}"})
              for p in paths}
    return ds.assign_coords(coords)
