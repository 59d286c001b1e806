"""Task functions for the execution tests, importable by worker processes (by module name).

Each returns the same names and shapes for every task: ``y`` (a scalar from the params),
``noise`` (three draws from the task's seed) and ``pid`` (the worker process, to check that
work was spread and that no process outlives its run).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from vle.execution import Task


def outputs(task: Task) -> dict[str, float | int | np.ndarray]:
    rng = np.random.default_rng(task.seed)
    return {"y": float(task.params["x"]) ** 2, "noise": rng.normal(size=3), "pid": os.getpid()}


def quick(task: Task) -> dict[str, float | int | np.ndarray]:
    """Sleeps ``params["sleep"]`` seconds (default 0), then returns; writes ``pid`` files to
    ``params["pids"]`` when given."""
    time.sleep(task.params.get("sleep", 0.0))
    if "pids" in task.params:
        (Path(task.params["pids"]) / str(os.getpid())).touch()
    assert task.scratch is not None and task.scratch.is_dir() and not any(task.scratch.iterdir())
    (task.scratch / "build.txt").write_text("a worker-local file")
    return outputs(task)


def fails_on_two(task: Task) -> dict[str, float | int | np.ndarray]:
    if task.params["x"] == 2:
        raise ValueError("no convergence at x = 2")
    return outputs(task)


def kills_its_worker_once(task: Task) -> dict[str, float | int | np.ndarray]:
    """The task with x = 1 kills its worker process on its first attempt (a marker file in
    ``params["marker_dir"]`` remembers it)."""
    marker = Path(task.params["marker_dir"]) / f"killed-{task.key}"
    if task.params["x"] == 1 and not marker.exists():
        marker.touch()
        os._exit(1)
    return outputs(task)


def hangs_on_one(task: Task) -> dict[str, float | int | np.ndarray]:
    if task.params["x"] == 1:
        time.sleep(3600)
    return outputs(task)
