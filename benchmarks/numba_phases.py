"""Where the numba reference's training step spends its time, by phase and by projection.

The kernel fuses every phase into one step loop (and runs populations in parallel threads),
so phases are measured by switching them off with the kernel's own flags and taking
differences of medians over the same batches:

    forward         errors off (F_ERRORS = 0): membranes, rates, W r
    errors          + error neurons and the target error (F_PLASTIC = 0), minus forward
    outer_products  + plasticity with plain SGD (F_OPT = sgd): e r^T per projection, the sum
                    of e per population and the one-line SGD update, minus errors
    optimiser       Adam (the configured optimiser) in place of SGD: the moment updates

and each projection's learning (its outer product and Adam step) as the full step less the
step where that projection alone is not plastic (``j_plastic`` table).
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
J_PLASTIC = 11
"""Position of the per-projection plasticity table in ``KernelArgs.tables``."""


def _variant(model: Model, dtype: DTypeLike, seqs: np.ndarray, labels: np.ndarray,
             change: Callable[[NumbaTrainer], None]) -> NumbaTrainer:
    t = NumbaTrainer(model, dtype, seqs, labels)
    change(t)
    return t


def phase_times(model: Model, dtype: DTypeLike, threads: int, seqs: np.ndarray,
                labels: np.ndarray, repeats: int) -> dict[str, object]:
    """ms per step of each phase and of each projection's learning (module docstring):
    medians over ``repeats`` rounds, each round running every variant on the next batch."""

    def flags(**values: int) -> Callable[[NumbaTrainer], None]:
        def change(t: NumbaTrainer) -> None:
            for k, v in values.items():
                t.args.flags[{"errors": F_ERRORS, "plastic": F_PLASTIC, "opt": F_OPT}[k]] = v
        return change

    def frozen(j: int) -> Callable[[NumbaTrainer], None]:
        def change(t: NumbaTrainer) -> None:
            t.args.tables[J_PLASTIC][j] = 0
        return change

    n_proj = len(NumbaTrainer(model, dtype, seqs[:1], labels[:1]).pops)
    variants = {"forward": flags(errors=0, plastic=0), "errors": flags(plastic=0),
                "sgd": flags(opt=SGD), "full": flags()}
    variants.update({f"frozen{j}": frozen(j) for j in range(n_proj)})
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        runners = {k: _variant(model, dtype, seqs, labels, c) for k, c in variants.items()}
        for t in runners.values():
            t.run(0)  # compiles or loads the kernels; the state leaves rest
        times: dict[str, list[float]] = {k: [] for k in runners}
        for rep in range(repeats):
            i = 1 + rep % (len(seqs) - 1)
            for k, t in runners.items():
                times[k].append(t.run(i)[0])
    finally:
        numba.set_num_threads(before)
    med = {k: statistics.median(v) for k, v in times.items()}
    names = runners["full"].layout.j_names
    return {"method": "kernel flags switched off, differences of medians over "
                      f"{repeats} batches (benchmarks/numba_phases.py)",
            "forward": round(med["forward"], 4),
            "errors": round(med["errors"] - med["forward"], 4),
            "outer_products": round(med["sgd"] - med["errors"], 4),
            "optimiser": round(med["full"] - med["sgd"], 4),
            "total": round(med["full"], 4),
            "learning_per_projection": {names[j]: round(med["full"] - med[f"frozen{j}"], 4)
                                        for j in range(n_proj)}}
