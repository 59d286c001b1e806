"""Shared helpers for the benchmark scripts: timing medians and JSON lines."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from vle.model import Network, Population, Projection
from vle.sim.provenance import machine, versions


def without_script_dir(script: str) -> None:
    """Drop the benchmarks folder from ``sys.path`` (after its helpers are imported), so that a
    script named like a package (``mnist1d.py``) does not shadow that package."""
    here = Path(script).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]


def median_seconds(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    """Median wall time of ``runs`` calls of ``fn`` (after one untimed warm-up call)."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def emit(record: dict[str, Any], *extra_versions: str) -> None:
    """Print one JSON line with the machine and versions appended."""
    record = dict(record)
    record["machine"] = machine()
    record["blas_env"] = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                     "OMP_NUM_THREADS") if k in os.environ}
    record["versions"] = versions(*extra_versions)
    print(json.dumps(record), flush=True)


def layered(width: int, layers: int = 3, seed: int = 0) -> Network:
    """An input of ``width`` units and ``layers`` dense tanh layers of ``width`` units
    (tau_m uniform in [0.5, 2], tau_r = 0.2, weights normal with std 1 / sqrt(width))."""
    rng = np.random.default_rng(seed)
    pops = [Population("x", width, "input")]
    for i in range(layers):
        pops.append(Population(f"h{i}", width, "hidden", tau_m=rng.uniform(0.5, 2, width),
                               tau_r=0.2, phi="tanh"))
    projs = [Projection(a.name, b.name, rng.normal(0, 1 / np.sqrt(width), (width, width)))
             for a, b in zip(pops[:-1], pops[1:], strict=True)]
    return Network(f"layered{width}", tuple(pops), tuple(projs))
