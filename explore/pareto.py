"""The non-dominated designs of a sweep.

A point is *feasible* when it finished ``ok``, its objectives are finite and it meets every
constraint (``metric <= max``, ``metric >= min``). Among the feasible points, ``a`` dominates
``b`` when ``a`` is no worse than ``b`` on every objective and better on at least one
(objectives to maximise are negated first); the Pareto front is the set no feasible point
dominates. The sorting is pymoo's (:class:`pymoo.util.nds.non_dominated_sorting.
NonDominatedSorting`, the same code NSGA-II uses in :mod:`vle.explore.search`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

from vle.explore.parameters import SweepError


@dataclass(frozen=True)
class Front:
    """The result of :func:`pareto_front`: indices along ``point`` (positions in the dataset)
    of the feasible points and of the front (sorted by the first objective)."""

    objectives: tuple[tuple[str, str], ...]
    constraints: tuple[tuple[str, str, float], ...]
    feasible: np.ndarray
    front: np.ndarray
    failed: int
    infeasible: int


def objective_matrix(ds: xr.Dataset, objectives: Sequence[tuple[str, str]]) -> np.ndarray:
    """``(points, objectives)``: each objective's values, negated where it is maximised."""
    cols = []
    for name, direction in objectives:
        if name not in ds:
            raise SweepError(f"objective {name!r} is not in the results (variables: "
                             f"{', '.join(str(v) for v in ds.data_vars if v not in _OWN)})")
        v = np.asarray(ds[name].values, dtype=np.float64)
        cols.append(-v if direction == "max" else v)
    return np.stack(cols, axis=1) if cols else np.zeros((ds.sizes.get("point", 0), 0))


_OWN = ("status", "message", "attempts", "elapsed", "params")


def pareto_front(ds: xr.Dataset, objectives: Sequence[tuple[str, str]],
                 constraints: Sequence[tuple[str, str, float]] = ()) -> Front:
    """The front of the sweep results ``ds`` for ``objectives`` under ``constraints``."""
    if not objectives:
        raise SweepError("a Pareto front needs at least one objective")
    n = ds.sizes.get("point", 0)
    ok = np.asarray(ds["status"].values == "ok", dtype=bool) if n else np.zeros(0, bool)
    f = objective_matrix(ds, objectives)
    good = ok & np.all(np.isfinite(f), axis=1)
    meets = np.ones(n, dtype=bool)
    for name, op, bound in constraints:
        if name not in ds:
            raise SweepError(f"constraint on {name!r}: not in the results")
        v = np.asarray(ds[name].values, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            meets &= (v <= bound) if op == "max" else (v >= bound)
    feasible = np.flatnonzero(good & meets)
    if feasible.size:
        front = feasible[NonDominatedSorting().do(f[feasible], only_non_dominated_front=True)]
        front = front[np.lexsort(f[front].T[::-1])]
    else:
        front = np.zeros(0, dtype=np.int64)
    return Front(tuple(objectives), tuple(constraints), feasible, front,
                 failed=int(n - ok.sum()), infeasible=int((good & ~meets).sum()))


def dataset_objectives(ds: xr.Dataset) -> tuple[tuple[tuple[str, str], ...],
                                                tuple[tuple[str, str, float], ...]]:
    """The objectives and constraints a sweep's dataset was run with (its attributes)."""
    objs = tuple(tuple(o.split(":")) for o in str(ds.attrs.get("objectives", "")).split())
    cons = tuple((c.split(":")[0], c.split(":")[1], float(c.split(":")[2]))
                 for c in str(ds.attrs.get("constraints", "")).split())
    return objs, cons  # type: ignore[return-value]
