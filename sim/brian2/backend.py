"""The ``brian2`` backend: the same model emitted as Brian2 equations and run by Brian2.

Both schemes of :mod:`vle.sim.schemes` are reproduced to rounding (the numba reference is the
contract): ``euler`` with every summed variable evaluated before any population moves, and
``exact`` by updating the populations one by one within a step (each population's summed
variables are scheduled right before it) with Brian2's ``exact`` (linear) state updater. The
step plans are in :mod:`vle.sim.brian2.program`, the equations in :mod:`vle.sim.brian2.code`.
Nothing of
``exact`` is out of Brian2's reach, on any target. Brian2's natural ordering (summed variables
from the previous step's rates, a one-step lag per projection) is the loop cut of ``euler``,
so no third scheme is offered.

Options (``simulate(..., backend="brian2", brian2_target=...)``): ``brian2_target`` is
``numpy`` (default, no compiler), ``cython`` or ``cpp_standalone``; ``brian2_build_dir`` keeps
the cpp_standalone project in that folder (see :mod:`vle.sim.brian2.device`). One model time
unit is one second of Brian2 time (:mod:`vle.sim.brian2.env`).

Limits: parameters learn with batch 1 only (a batch would need the batch mean of ``e r^T``
across neuron copies); stimuli and targets are held as whole-run TimedArrays (memory grows with
``n_steps * units``).
"""

from __future__ import annotations

import time

import numpy as np

from vle.sim.backend import Backend, RunRequest
from vle.sim.brian2.build import run_steps
from vle.sim.brian2.device import target_session
from vle.sim.brian2.env import TIME_UNIT_NAME, brian2_problem
from vle.sim.brian2.run import Brian2Run
from vle.sim.result import Result
from vle.sim.run_info import run_metadata

OPTIONS: tuple[str, ...] = ("brian2_target", "brian2_build_dir")
"""Backend options accepted in :attr:`RunRequest.options`."""


class Brian2Backend(Backend):
    """Brian2 on the ``numpy``, ``cython`` or ``cpp_standalone`` target; schemes ``exact``
    and ``euler`` as the numba reference, to rounding.

    Result metadata adds ``brian2_target``, ``time_unit``, ``setup_time_s`` (creating the
    objects), ``simulate_time_s`` (code generation, compilation and the run) and, for
    cpp_standalone, ``build_time_s`` (generate and compile) and ``binary_run_time_s``."""

    name = "brian2"

    def unavailable(self) -> str | None:
        return brian2_problem()

    def run(self, request: RunRequest) -> Result:
        start = time.perf_counter()
        unknown = set(request.options) - set(OPTIONS)
        if unknown:
            raise ValueError(f"unknown brian2 option(s) {sorted(unknown)}; known: "
                             f"{', '.join(OPTIONS)}")
        clipped = [p.name for p in request.network.neurons if p.saturating]
        if clipped:
            raise ValueError(f"population(s) {', '.join(clipped)}: drive_limits (a saturating "
                             "input) run on the numba and numpy backends only")
        prepared = Brian2Run.prepare(request)
        target = str(request.options.get("brian2_target", "numpy"))
        with target_session(target, request.options.get("brian2_build_dir")) as session:
            t0 = time.perf_counter()
            model = prepared.build(session.codeobj_class)
            t1 = time.perf_counter()
            run_steps(model, request.n_steps)
            session.finish()
            t2 = time.perf_counter()
            traces = prepared.traces(model)
        meta = run_metadata(request, self.name, batch=prepared.batch, batched=prepared.batched,
                            errors=prepared.errors, plastic=prepared.plastic,
                            extra_versions=("brian2",))
        meta.update({
            "brian2_target": target,
            "time_unit": f"1 model time unit = 1 {TIME_UNIT_NAME} of Brian2 time",
            "setup_time_s": t1 - t0,
            "simulate_time_s": t2 - t1,
            "wall_time_s": time.perf_counter() - start,
        })
        if "build" in session.timings:
            meta["build_time_s"] = session.timings["build"]
            meta["binary_run_time_s"] = session.timings["run"]
        every = int(request.record_every)
        return Result(np.arange(request.n_steps // every + 1) * (every * request.dt), traces,
                      meta)
