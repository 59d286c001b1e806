"""Global sensitivity of one metric to the swept parameters (SALib), evaluated on the executor.

Every axis is a factor on [0, 1] (its position: a range on its own linear or log scale, or a
choice among listed values, :meth:`~vle.explore.sampling.Axis.at`), so indices are per unit of
the axis's position, which makes a log-scaled GBW and a linear tau_r comparable.

``morris``
    Morris elementary effects (``SALib.sample.morris``, ``SALib.analyze.morris``) on
    ``trajectories`` trajectories of a ``levels``-level grid: ``trajectories (d + 1)`` points;
    reports ``mu_star`` (mean absolute effect: importance), ``sigma`` (spread of the effects:
    interactions or non-linearity) and ``mu_star_conf`` (95 % bootstrap half-width).
``sobol``
    Sobol' indices from Saltelli's scheme (``SALib.sample.sobol``, ``SALib.analyze.sobol``,
    first and total order): ``base (d + 2)`` points (``base`` a power of two); reports ``S1``
    (the share of the metric's variance due to the factor alone), ``ST`` (with all its
    interactions) and their 95 % confidence half-widths.

The points run as one batch into a store at ``OUT`` (resumable like a sweep); a failed point
leaves the indices undefined, so any failure is an error naming the points (narrow the ranges
or fix the design), after all points ran. The indices are written to ``OUT/sensitivity.nc``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from vle.explore.parameters import SweepError
from vle.explore.run import open_store, run_batch, spec_attrs
from vle.explore.spec import METRICS, SweepSpec
from vle.fidelity.run import cluster

SENSITIVITY_METHODS = ("morris", "sobol")
MORRIS_LEVELS = 4
"""Grid levels of the Morris design: SALib's default, and the usual choice (Saltelli et al.,
Global Sensitivity Analysis: The Primer, 2008, section 3.3)."""


def _problem(spec: SweepSpec) -> dict[str, Any]:
    return {"num_vars": len(spec.axes), "names": [a.path for a in spec.axes],
            "bounds": [[0.0, 1.0]] * len(spec.axes)}


def design(spec: SweepSpec, method: str, n: int) -> np.ndarray:
    """The factor positions ``(points, d)`` of the ``method`` design of size ``n``
    (trajectories for morris, base samples for sobol)."""
    if method not in SENSITIVITY_METHODS:
        raise SweepError(f"sensitivity method {method!r} is not one of "
                         f"{', '.join(SENSITIVITY_METHODS)}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise SweepError(f"sensitivity size {n!r} must be an integer >= 2")
    if len(spec.axes) < 2:
        raise SweepError("sensitivity needs at least two swept parameters")
    problem = _problem(spec)
    if method == "morris":
        return morris_sample.sample(problem, n, num_levels=MORRIS_LEVELS, seed=spec.seed)
    if n & (n - 1):
        raise SweepError(f"sobol base samples {n} must be a power of two (Saltelli's scheme "
                         "keeps its balance only then), e.g. 64")
    return sobol_sample.sample(problem, n, calc_second_order=False, seed=spec.seed)


def run_sensitivity(spec: SweepSpec, metric: str, out: str | Path, *, method: str = "morris",
                    n: int = 10, workers: int | None = None, scheduler: str | None = None,
                    new: bool = False, progress: bool = True) -> xr.Dataset:
    """The sensitivity indices of ``metric`` (a dataset along ``parameter``), also written to
    ``OUT/sensitivity.nc``."""
    if metric not in METRICS:
        raise SweepError(f"sensitivity metric {metric!r} is not one of {', '.join(METRICS)}")
    spec.check()
    x = np.clip(design(spec, method, n), 0.0, 1.0 - 1e-12)
    values = [{a.path: a.at(x[i:i + 1, j])[0] for j, a in enumerate(spec.axes)}
              for i in range(len(x))]
    meta = {"sensitivity": {"method": method, "n": n}, "sweep": spec.to_json()}
    attrs = {**spec_attrs(spec), "sampling": f"{method} (n = {n})"}
    with open_store(out, meta, attrs, new=new) as store, cluster(workers, scheduler) as addr:
        ds = run_batch(spec, store, values, first=0, prefix=method, scheduler=addr,
                       progress=progress)
    bad = ds["point"].values[ds["status"].values != "ok"]
    if bad.size:
        listed = ", ".join(str(int(i)) for i in bad[:8]) + (", ..." if bad.size > 8 else "")
        raise SweepError(f"sensitivity: {bad.size} of {len(values)} points failed (points "
                         f"{listed}"
                         f"; see {out}); the indices need every point: narrow the ranges")
    y = np.asarray(ds[metric].values, dtype=np.float64)
    problem = _problem(spec)
    if method == "morris":
        si = morris_analyze.analyze(problem, x, y, num_levels=MORRIS_LEVELS, seed=spec.seed)
        fields = {"mu_star": "mean absolute elementary effect",
                  "sigma": "standard deviation of the elementary effects",
                  "mu_star_conf": "95 % confidence half-width of mu_star"}
    else:
        si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=spec.seed)
        fields = {"S1": "first-order Sobol' index", "ST": "total-order Sobol' index",
                  "S1_conf": "95 % confidence half-width of S1",
                  "ST_conf": "95 % confidence half-width of ST"}
    units = METRICS[metric][1] if method == "morris" else "1"
    res = xr.Dataset(
        {k: ("parameter", np.asarray(si[k], dtype=np.float64),
             {"long_name": f"{v} of {metric}", "units": units if k != "mu_star_conf" or
              method == "morris" else "1"}) for k, v in fields.items()},
        coords={"parameter": problem["names"]},
        attrs={"metric": metric, "method": method, "n": n, "points": len(values),
               "model": spec.model, "technology": spec.technology})
    path = Path(out) / "sensitivity.nc"
    tmp = path.with_name(".tmp-sensitivity.nc")
    res.to_netcdf(tmp)
    os.replace(tmp, path)
    return res
