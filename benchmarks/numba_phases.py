"""Where the numba reference's training step spends its time, by phase.

The kernel fuses every phase into one step loop (and runs populations in parallel threads),
so phases are measured by switching them off with the kernel's own flags and taking
differences of medians over the same batches:

    forward         errors off (F_ERRORS = 0): membranes, rates, W r
    errors          + error neurons and the target error (F_PLASTIC = 0), minus forward
    outer_products  + plasticity with plain SGD (F_OPT = sgd): e r^T per projection, the sum
                    of e per population and the one-line SGD update, minus errors
    optimiser       Adam (the configured optimiser) in place of SGD: the moment updates

Per population the kernel's time is not additive (populations share the threads), and
switching one projection's learning off changes the step by less than the noise of a shared
machine (differences came out negative at load average 9), so per population the PyTorch
step's profile is the breakdown (benchmarks/torch_gle.py); the arithmetic is the same.

:func:`blas_floor` times the step's matrix products alone (W r, W^T e, e r^T for every
projection, the same BLAS calls from numba, one thread): no implementation that calls BLAS
for them can be faster on one core.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numba
import numpy as np
from numpy.typing import DTypeLike
from threadpoolctl import threadpool_limits
from torch_compare import NumbaTrainer

from vle.model.learning import OPTIMIZERS
from vle.model.model import Model
from vle.sim.kernel_args import F_ERRORS, F_OPT, F_PLASTIC

SGD = OPTIMIZERS.index("sgd")
"""Code of plain SGD in ``flags[F_OPT]``."""
CLOCKS = ("ms_per_step", "cpu_ms_per_step")
"""Wall time, and the process's CPU time (not inflated by a loaded machine on one thread)."""


def _variant(model: Model, dtype: DTypeLike, seqs: np.ndarray, labels: np.ndarray,
             change: Callable[[NumbaTrainer], None]) -> NumbaTrainer:
    t = NumbaTrainer(model, dtype, seqs, labels)
    change(t)
    return t


def phase_times(model: Model, dtype: DTypeLike, threads: int, seqs: np.ndarray,
                labels: np.ndarray, repeats: int) -> dict[str, object]:
    """ms per step of each phase (module docstring), wall and CPU time: medians over
    ``repeats`` rounds, each round running every variant on the next batch."""

    def flags(**values: int) -> Callable[[NumbaTrainer], None]:
        def change(t: NumbaTrainer) -> None:
            for k, v in values.items():
                t.args.flags[{"errors": F_ERRORS, "plastic": F_PLASTIC, "opt": F_OPT}[k]] = v
        return change

    variants = {"forward": flags(errors=0, plastic=0), "errors": flags(plastic=0),
                "sgd": flags(opt=SGD), "full": flags()}
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        runners = {k: _variant(model, dtype, seqs, labels, c) for k, c in variants.items()}
        for t in runners.values():
            t.run(0)  # compiles or loads the kernels; the state leaves rest
        times: dict[str, dict[str, list[float]]] = {
            clock: {k: [] for k in runners} for clock in CLOCKS}
        for rep in range(repeats):
            i = 1 + rep % (len(seqs) - 1)
            for k, t in runners.items():
                row = t.run(i)
                for clock in CLOCKS:
                    times[clock][k].append(row[clock])
    finally:
        numba.set_num_threads(before)
    out: dict[str, object] = {"method": "kernel flags switched off, differences of medians "
                              f"over {repeats} batches (benchmarks/numba_phases.py)"}
    for clock in CLOCKS:
        med = {k: statistics.median(v) for k, v in times[clock].items()}
        out[clock] = {"forward": round(med["forward"], 4),
                      "errors": round(med["errors"] - med["forward"], 4),
                      "outer_products": round(med["sgd"] - med["errors"], 4),
                      "optimiser": round(med["full"] - med["sgd"], 4),
                      "total": round(med["full"], 4)}
    return out


@numba.njit(cache=False, nogil=True)
def _products(ws, rs, es, rts, gs, fbs, steps):
    for _ in range(steps):
        for j in range(len(ws)):
            np.dot(ws[j], rs[j], es[j])
        for j in range(1, len(ws)):
            np.dot(ws[j].T, es[j], fbs[j])
        for j in range(len(ws)):
            rts[j][:] = rs[j].T
            np.dot(es[j], rts[j], gs[j])


def blas_floor(model: Model, dtype: DTypeLike, batch: int, repeats: int) -> dict[str, float]:
    """ms per step of the step's matrix products alone (module docstring) on one thread:
    wall and CPU time, medians over ``repeats`` runs of 360 steps."""
    t = NumbaTrainer(model, dtype, np.zeros((1, batch, 1)), np.zeros((1, batch), np.int64))
    lay = t.layout
    rng = np.random.default_rng(0)
    shapes = [(int(lay.p_size[lay.j_post[j]]), int(lay.p_size[lay.j_pre[j]]))
              for j in range(len(lay.j_names))]

    def arrays(rows_cols: list[tuple[int, int]]) -> numba.typed.List:
        return numba.typed.List([rng.normal(size=s).astype(dtype) for s in rows_cols])

    ws = arrays(shapes)
    rs = arrays([(n, batch) for _, n in shapes])
    es = arrays([(m, batch) for m, _ in shapes])
    rts = arrays([(batch, n) for _, n in shapes])
    gs = arrays(shapes)
    fbs = arrays([(n, batch) for _, n in shapes])
    steps = 360
    walls, cpus = [], []
    with threadpool_limits(1, user_api="blas"):
        _products(ws, rs, es, rts, gs, fbs, 2)
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            _products(ws, rs, es, rts, gs, fbs, steps)
            walls.append(1e3 * (time.perf_counter() - t0) / steps)
            cpus.append(1e3 * (time.process_time() - c0) / steps)
    return {"ms_per_step": round(statistics.median(walls), 4),
            "cpu_ms_per_step": round(statistics.median(cpus), 4)}
