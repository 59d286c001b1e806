"""Points per hour of a CPU-bound design-space sweep on 1 and on 2 workers.

The sweep (a :class:`vle.explore.SweepSpec` built here) is LagLine
(``examples/lagline.toml``) on ``onchip`` with the numba surrogate: ``--points`` points, a
Latin hypercube over ``technology.section_capacitance`` (0.25-4 pF, log) and
``technology.weight_bits`` (3-8), each point its cost and ``--samples`` Monte Carlo mismatch
draws (about 16 ms each here: 100 draws make a point of about 1.6 s of numba work on one
core). For each worker count the script starts a LocalCluster as ``run_sweep`` does, warms
every worker on a throwaway store (a point of one draw each: the worker imports vle and loads
or compiles the numba kernels), checks that every worker ran a warm-up point, then times
``run_sweep(spec, OUT, scheduler=ADDRESS)`` into a fresh store. The rate is
``RunSummary.tasks_per_hour``: finished points over the call's wall time (submission, the
store's per-point writes and the final consolidation included; the cluster's start and close
and the warm-up not). Both figures come from the same run; with ``--runs`` the pair is
measured that many times (1 worker, then 2) and the last line gives the median ratio.

    python benchmarks/sweep.py [--points 16] [--samples 100] [--runs 3]

One JSON line per run (both worker counts, their points per hour, seconds per point on the
worker, the workers' busy fraction, the ratio, the load average), then a summary line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from common import emit

from vle.execution import local_cluster
from vle.explore import Axis, SweepSpec, run_sweep

ROOT = Path(__file__).resolve().parent.parent
TIMING = ("RunSummary.tasks_per_hour of run_sweep on a running LocalCluster (scheduler=): "
          "cluster start and close excluded, every worker warmed first on a throwaway store")


def make_spec(points: int, samples: int) -> SweepSpec:
    """The benchmark's sweep: ``points`` LHS points of LagLine on onchip, ``samples`` draws."""
    return SweepSpec(
        str(ROOT / "examples" / "lagline.toml"), "onchip",
        (Axis("technology.section_capacitance", low=0.25e-12, high=4e-12, scale="log"),
         Axis("technology.weight_bits", low=3, high=8, integer=True)),
        sampling="lhs", points=points, seed=0, backend="numba", samples=samples,
        nonidealities=("mismatch",), timeout=600)


def _workers_of(store: Path) -> set[str]:
    """The worker addresses recorded in a store's task fragments."""
    out = set()
    for frag in (store / "tasks").glob("*.npz"):
        with np.load(frag) as f:
            out.add(json.loads(str(f["__meta__"]))["worker"])
    return out


def measure(spec: SweepSpec, workers: int, folder: Path) -> dict[str, Any]:
    """Points per hour of ``run_sweep`` over ``spec`` on ``workers`` warm worker processes."""
    warm = dataclasses.replace(spec, samples=1, points=max(2, 3 * workers), seed=1)
    with local_cluster(workers) as cluster:
        address = cluster.scheduler_address
        for attempt in range(3):
            run_sweep(warm, folder / f"warm{workers}-{attempt}", scheduler=address,
                      progress=False)
            warmed = _workers_of(folder / f"warm{workers}-{attempt}")
            if len(warmed) >= workers:
                break
        summary, ds = run_sweep(spec, folder / f"run{workers}", scheduler=address,
                                progress=False)
    ok = int((ds["status"].values == "ok").sum())
    assert summary.finished == len(spec.point_values()) and ok == summary.finished, summary
    elapsed = ds["elapsed"].values
    return {"points_per_hour": round(summary.tasks_per_hour, 1),
            "wall_seconds": round(summary.seconds, 3),
            "point_seconds_mean": round(float(elapsed.mean()), 4),
            "point_seconds_max": round(float(elapsed.max()), 4),
            "busy_fraction": round(float(elapsed.sum()) / (workers * summary.seconds), 3),
            "warmed_workers": len(warmed)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 epilog="Prints JSON lines: one per run, then a summary.")
    ap.add_argument("--points", type=int, default=16, help="sweep points (default 16)")
    ap.add_argument("--samples", type=int, default=100,
                    help="Monte Carlo draws per point (default 100: about 1.6 s per point)")
    ap.add_argument("--runs", type=int, default=3, help="1-vs-2-worker pairs (default 3)")
    args = ap.parse_args()
    if args.points < 2 or args.samples < 1 or args.runs < 1:
        ap.error("--points must be >= 2, --samples and --runs >= 1")
    spec = make_spec(args.points, args.samples)
    spec.check()
    load_before = os.getloadavg()
    common: dict[str, Any] = {"points": args.points, "samples": args.samples,
                              "model": "examples/lagline.toml", "technology": "onchip",
                              "backend": "numba", "sampling": "lhs", "timing": TIMING}
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="vle-bench-sweep-") as tmp:
        for run in range(args.runs):
            figures = {w: measure(spec, w, Path(tmp) / str(run)) for w in (1, 2)}
            ratio = figures[2]["points_per_hour"] / figures[1]["points_per_hour"]
            rec = {"benchmark": "sweep", "run": run,
                   "workers_1_points_per_hour": figures[1]["points_per_hour"],
                   "workers_2_points_per_hour": figures[2]["points_per_hour"],
                   "ratio": round(ratio, 3), **common,
                   "seconds_per_point": {w: f["point_seconds_mean"] for w, f in figures.items()},
                   "workers_1": figures[1], "workers_2": figures[2],
                   "load_average": os.getloadavg()}
            runs.append(rec)
            emit(rec, "numba", "dask", "distributed")
    ratios = [r["ratio"] for r in runs]
    median = statistics.median(ratios)
    emit({"benchmark": "sweep", "figure": "points per hour, 2 workers / 1 worker",
          "workers_1_points_per_hour": statistics.median(
              r["workers_1_points_per_hour"] for r in runs),
          "workers_2_points_per_hour": statistics.median(
              r["workers_2_points_per_hour"] for r in runs),
          "ratio": round(median, 3), "ratios": ratios, "runs": args.runs, **common,
          "seconds_per_point": {
              w: round(statistics.median(r["seconds_per_point"][w] for r in runs), 4)
              for w in (1, 2)},
          "cpus_usable": len(os.sched_getaffinity(0)), "load_average_before": load_before,
          "load_average": os.getloadavg()}, "numba", "dask", "distributed")


if __name__ == "__main__":
    main()
