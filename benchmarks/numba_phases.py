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
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

import numba
import numpy as np
from numpy.typing import DTypeLike
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
