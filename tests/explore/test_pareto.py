"""The Pareto front against fronts worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from vle.explore import SweepError, pareto_front


def results(rows: list[tuple[float, float]], status: list[str] | None = None) -> xr.Dataset:
    a = np.array(rows, dtype=np.float64)
    n = len(rows)
    return xr.Dataset({"nrmse": ("point", a[:, 0]), "area": ("point", a[:, 1]),
                       "status": ("point", np.array(status or ["ok"] * n, dtype=object))},
                      coords={"point": np.arange(n)})


# (nrmse, area): 0, 1 and 3 trade off; 2 is dominated by 1; 4 equals 3 on area, worse on nrmse
ROWS = [(0.01, 5.0), (0.02, 2.0), (0.03, 3.0), (0.05, 1.0), (0.06, 1.0)]


def test_the_front_is_the_non_dominated_set() -> None:
    f = pareto_front(results(ROWS), [("nrmse", "min"), ("area", "min")])
    assert f.front.tolist() == [0, 1, 3]  # sorted by the first objective
    assert f.feasible.tolist() == [0, 1, 2, 3, 4]


def test_maximised_objectives_are_negated() -> None:
    ds = results(ROWS)
    ds["accuracy"] = ("point", -ds["nrmse"].values)
    f = pareto_front(ds, [("accuracy", "max"), ("area", "min")])
    assert sorted(f.front.tolist()) == [0, 1, 3]


def test_constraints_and_failures_leave_points_out() -> None:
    ds = results(ROWS, ["ok", "failed", "ok", "ok", "ok"])
    ds["nrmse"].values[1] = np.nan
    f = pareto_front(ds, [("nrmse", "min"), ("area", "min")], [("nrmse", "max", 0.04)])
    # 1 failed, 3 and 4 break the constraint: 2 is no longer dominated
    assert f.front.tolist() == [0, 2]
    assert (f.failed, f.infeasible) == (1, 2)


def test_an_unknown_objective_is_named() -> None:
    with pytest.raises(SweepError, match="objective 'power' is not in the results"):
        pareto_front(results(ROWS), [("power", "min")])
