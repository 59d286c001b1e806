"""Tasks per hour of the execution layer on 1 and on 2 workers, for a CPU-bound task.

Each task runs the same fixed amount of numpy work (elementwise, no BLAS: one core),
calibrated in this process to about ``--seconds`` per task. For each worker count the script
starts a LocalCluster as ``run_tasks`` does, warms every worker up (the first task on a worker
imports vle), then times ``run_tasks`` over ``--tasks`` tasks into a fresh store: from the
call to the last record written, so submission, transfer and the store's writes are included
but not the cluster's start. Both figures come from the same run; with ``--repeats`` the pair
is measured that many times, alternating, and the last line gives the median ratio.

    python benchmarks/execution.py [--tasks 16] [--seconds 0.4] [--repeats 3]

One JSON line per measurement (``workers``, ``tasks_per_hour``, the mean task time on the
worker and the workers' busy fraction), then one with the ratios and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from common import emit

from vle.execution import ResultStore, Task, local_cluster, make_tasks, run_tasks

SIZE = 20_000


def work(task: Task) -> dict[str, float]:
    """``params["iterations"]`` rounds of elementwise numpy on 20 000 doubles."""
    x = np.linspace(0.0, 1.0, SIZE)
    for _ in range(task.params["iterations"]):
        x = np.sin(x) * 0.999 + 0.001
    return {"checksum": float(x.sum())}


def calibrate(seconds: float) -> int:
    """Iterations of :func:`work` that take about ``seconds`` here."""
    probe = Task(0, "probe", 0, {"iterations": 200})
    work(probe)
    t0 = time.perf_counter()
    work(probe)
    per = (time.perf_counter() - t0) / 200
    return max(1, round(seconds / per))


def measure(workers: int, iterations: int, n_tasks: int, folder: Path) -> dict[str, float]:
    """Tasks per hour of ``run_tasks`` on a fresh LocalCluster of ``workers`` processes, the
    mean time a task took on its worker, and the fraction of the wall time the workers spent
    in tasks (below 1: the layer's overhead; a longer task time at 2 workers: the machine)."""
    with local_cluster(workers) as cluster:
        address = cluster.scheduler_address
        with ResultStore(folder / f"warm{workers}", {"warm": workers}) as store:
            run_tasks(work, make_tasks([{"iterations": 1}] * (2 * workers), 0), store,
                      scheduler=address, progress=False)
        with ResultStore(folder / f"run{workers}", {"iterations": iterations}) as store:
            summary = run_tasks(work, make_tasks([{"iterations": iterations}] * n_tasks, 0),
                                store, scheduler=address, progress=False)
        elapsed = store.to_dataset()["elapsed"].values
    assert summary.ok == n_tasks, summary
    return {"tasks_per_hour": round(summary.tasks_per_hour, 1),
            "task_seconds_mean": round(float(elapsed.mean()), 4),
            "busy_fraction": round(float(elapsed.sum()) / (workers * summary.seconds), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=0.4, help="target CPU time per task")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    iterations = calibrate(args.seconds)
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            rates = {}
            for workers in (1, 2):
                figures = measure(workers, iterations, args.tasks, Path(tmp) / str(repeat))
                rates[workers] = figures["tasks_per_hour"]
                emit({"benchmark": "execution", "repeat": repeat, "workers": workers,
                      "tasks": args.tasks, "seconds_per_task_target": args.seconds,
                      "iterations": iterations, **figures,
                      "load_average": os.getloadavg()}, "dask", "distributed")
            ratios.append(rates[2] / rates[1])
    emit({"benchmark": "execution", "figure": "tasks per hour, 2 workers / 1 worker",
          "ratios": [round(r, 3) for r in ratios], "median_ratio": round(
              statistics.median(ratios), 3), "tasks": args.tasks,
          "seconds_per_task_target": args.seconds, "cpus_usable": len(os.sched_getaffinity(0)),
          "load_average": os.getloadavg()}, "dask", "distributed")


if __name__ == "__main__":
    main()
