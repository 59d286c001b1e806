"""Multi-objective search beyond grids: NSGA-II (pymoo) with its evaluations on the Dask
executor.

Why pymoo rather than optuna: NSGA-II proposes a whole generation at a time (``ask``), which
is a batch of independent points, exactly what :func:`~vle.explore.run.run_batch` runs in
parallel on a cluster and streams into the sweep's store; pymoo's constraint handling takes
the sweep's constraints as inequalities ``g(x) <= 0``, and its non-dominated sorting is the one
:mod:`vle.explore.pareto` uses. optuna's multi-objective samplers are built around one trial at
a time and a database of trials, a second store beside ours.

Every swept axis becomes a variable on [0, 1] (its position: a range on its own linear or log
scale, or a choice among listed values, :meth:`~vle.explore.sampling.Axis.at`). Generation
``g``'s points are numbered on from the previous generations' and keyed ``gGGG-NNNNNN``; the
algorithm is seeded with the spec's seed, so a rerun proposes the same points, finds them in
the store and goes on where it stopped (a killed search resumes). A failed point is
infeasible (constraint violation :data:`FAILED_VIOLATION`) with objectives
:data:`FAILED_OBJECTIVE`, so it never enters the front and NSGA-II moves away from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.evaluator import Evaluator
from pymoo.core.problem import Problem
from pymoo.problems.static import StaticProblem

from vle.explore.parameters import SweepError
from vle.explore.pareto import objective_matrix
from vle.explore.run import open_store, run_batch, spec_attrs, sweep_dataset
from vle.explore.spec import SweepSpec
from vle.fidelity.run import cluster

FAILED_OBJECTIVE = 1e30
"""Objective value of a failed point: worse than any real one on every objective."""

FAILED_VIOLATION = 1e30
"""Constraint violation of a failed point: it ranks after every point that ran."""


@dataclass(frozen=True)
class SearchSpec:
    """NSGA-II settings: ``generations`` (>= 1) of ``population`` points (>= 4)."""

    generations: int = 10
    population: int = 20

    def __post_init__(self) -> None:
        for name, low in (("generations", 1), ("population", 4)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise SweepError(f"search {name} = {v!r} must be an integer >= {low}")

    def to_json(self) -> dict[str, Any]:
        return {"algorithm": "nsga2", "generations": self.generations,
                "population": self.population}


def _constraint_matrix(ds: xr.Dataset, spec: SweepSpec) -> np.ndarray:
    cols = []
    for name, op, bound in spec.constraints:
        v = np.asarray(ds[name].values, dtype=np.float64)
        cols.append(v - bound if op == "max" else bound - v)
    return np.stack(cols, axis=1) if cols else np.zeros((ds.sizes["point"], 0))


def run_search(spec: SweepSpec, search: SearchSpec, out: str | Path, *,
               workers: int | None = None, scheduler: str | None = None, new: bool = False,
               progress: bool = True) -> xr.Dataset:
    """NSGA-II over the axes of ``spec`` for its objectives under its constraints; every
    evaluated point goes to the store at ``out``; returns :func:`sweep_dataset` of it."""
    spec.check()
    d, k = len(spec.axes), len(spec.objectives)
    problem = Problem(n_var=d, n_obj=k, n_ieq_constr=len(spec.constraints), xl=0.0, xu=1.0)
    algorithm = NSGA2(pop_size=search.population)
    algorithm.setup(problem, termination=("n_gen", search.generations), seed=spec.seed,
                    verbose=False)
    meta = {"search": search.to_json(), "sweep": spec.to_json()}
    attrs = {**spec_attrs(spec), "sampling": "nsga2",
             "search": f"nsga2, {search.generations} generations of {search.population}"}
    with open_store(out, meta, attrs, new=new) as store, \
            cluster(workers, scheduler) as address:
        first, gen = 0, 0
        while algorithm.has_next():
            pop = algorithm.ask()
            x = np.clip(pop.get("X"), 0.0, 1.0 - 1e-12)
            values = [{a.path: a.at(x[i:i + 1, j])[0] for j, a in enumerate(spec.axes)}
                      for i in range(len(x))]
            ds = run_batch(spec, store, values, first=first, prefix=f"g{gen:03d}",
                           scheduler=address, progress=progress)
            ok = ds["status"].values == "ok"
            f = objective_matrix(ds, spec.objectives)
            g = _constraint_matrix(ds, spec)
            bad = ~ok | ~np.all(np.isfinite(f), axis=1)
            f[bad] = FAILED_OBJECTIVE
            g[bad] = FAILED_VIOLATION
            kw: dict[str, Any] = {"F": f}
            if g.shape[1]:
                kw["G"] = np.nan_to_num(g, nan=FAILED_VIOLATION)
            Evaluator().eval(StaticProblem(problem, **kw), pop)
            algorithm.tell(infills=pop)
            first += len(x)
            gen += 1
    return sweep_dataset(out)
