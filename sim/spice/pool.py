"""Independent SPICE runs in parallel: a process pool, one ngspice per worker process.

For sweeps, Monte Carlo samples and the elements of a batch. Each job is a netlist; every
worker runs its jobs with the chosen runner (``batch``: an ngspice subprocess each;
``pyspice``: the worker's own in-process ngspice), each job under the runner's time limit.
A run's numbers do not depend on where it ran: the results equal those of serial runs.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from vle.sim.spice.errors import SpiceError
from vle.sim.spice.runner import SpiceRun, get_runner


@dataclass(frozen=True)
class Job:
    """One netlist to run: its text, a ``name`` (files and messages), an optional
    ``workdir`` that keeps its files, and ``keep`` to keep the temporary folder of a run
    without one."""

    netlist: str
    name: str = "circuit"
    workdir: str | None = None
    keep: bool = False


_BUSY: list[bool] = []
"""Non-empty while this process runs a job (read by a worker's SIGTERM handler)."""


def _run_job(runner: str, job: Job, timeout: float | None) -> SpiceRun:
    """Run one job (in a worker process, or in this one)."""
    _BUSY.append(True)
    try:
        return get_runner(runner).run(job.netlist, name=job.name, workdir=job.workdir,
                                      timeout=timeout, keep=job.keep)
    finally:
        _BUSY.pop()


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised as an interruption so that ``finally`` blocks (which stop ngspice and
    remove temporary folders) run; the CLI installs it for ``vle`` itself."""


def raise_terminated(signum: int, frame: object) -> None:
    """A SIGTERM handler raising :class:`Terminated`."""
    raise Terminated(f"terminated by signal {signum}")


def _worker_sigterm(signum: int, frame: object) -> None:
    if _BUSY:
        raise_terminated(signum, frame)  # the running job cleans up and reports it
    raise SystemExit(128 + signum)  # idle: leave quietly


def _worker_init() -> None:
    signal.signal(signal.SIGTERM, _worker_sigterm)


def default_workers(jobs: int) -> int:
    """One worker per job, at most one per CPU."""
    return max(1, min(jobs, os.cpu_count() or 1))


def run_jobs(jobs: Sequence[Job], *, runner: str = "batch", workers: int | None = None,
             timeout: float | None = None) -> list[SpiceRun]:
    """Run ``jobs`` with ``runner`` on ``workers`` processes (default
    :func:`default_workers`; 1 runs them here, one after the other) and return their runs
    in job order. ``timeout`` (seconds) limits each run. Every job runs to its end or its
    time limit; then the failure of the first failed job (in job order) is raised.
    """
    get_runner(runner)  # an unavailable runner is reported here, once
    count = workers or default_workers(len(jobs))
    if count < 1:
        raise ValueError(f"workers must be >= 1, got {count}")
    if count == 1 or len(jobs) <= 1:
        return [_run_job(runner, job, timeout) for job in jobs]
    # forkserver: workers fork from a clean server process, not from this one (which may
    # hold numba's or ngspice's threads, unsafe to fork)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    outcomes: list[SpiceRun | BaseException] = []
    with ProcessPoolExecutor(max_workers=count, mp_context=context,
                             initializer=_worker_init) as pool:
        futures = [pool.submit(_run_job, runner, job, timeout) for job in jobs]
        try:
            for job, future in zip(jobs, futures, strict=True):
                try:
                    outcomes.append(future.result())
                except BrokenProcessPool:
                    outcomes.append(SpiceError(_where(job), "the worker process running it "
                                               "died (out of memory, or killed)"))
                except Exception as exc:  # raised below, in job order
                    outcomes.append(exc)
        except BaseException:
            # interrupted here: stop the workers' runs now (each cleans up on SIGTERM)
            # rather than waiting for them to end; the executor has no public way to
            # signal its workers before Python 3.14
            for future in futures:
                future.cancel()
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            raise
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return [o for o in outcomes if isinstance(o, SpiceRun)]


def _where(job: Job) -> str:
    return str(Path(job.workdir) / f"{job.name}.cir") if job.workdir else job.name
