"""Run tasks on Dask distributed and stream their records into a store as they finish.

:func:`run_tasks` skips the tasks the store has finished, starts a ``LocalCluster`` (one
single-threaded worker process per core by default) or connects to an existing scheduler,
submits the rest, and writes each task's record into the store in this (the parent) process
the moment its future completes (``distributed.as_completed``). A task is done only once its
record is in the store, so killing the run at any moment loses at most the tasks in flight;
running it again does the rest.

What the worker runs (:func:`_attempt`): it announces the start on an event topic of the run,
gives the task a fresh scratch folder under the worker's ``local_directory`` (removed
afterwards), calls the task function and returns a :class:`~vle.execution.record.TaskRecord`.
An exception from the function, or outputs that are not numbers and numeric arrays, become a
``failed`` record carrying the message: recorded, not fatal, and not retried (a simulation that
fails once fails again with the same seed).

Timeout (``timeout`` seconds per task): enforced by the parent, from the moment the worker
announced the start, so it holds even when the function is stuck in compiled code that never
returns to Python. A task past its limit is recorded ``timeout``, its future is cancelled and
its worker is restarted through its nanny (which kills whatever the task was doing); on a
cluster whose workers have no nanny the worker cannot be restarted, and a warning says that it
stays busy until the function returns.

Retry (``retries`` per task): a task whose worker died (a crash, the OOM killer, SIGKILL, a
machine gone, or a restart after another task's timeout) is submitted again, up to ``retries``
times, then recorded ``lost``. Dask counts a death against every task assigned to that worker,
including one queued there but not yet started, so such a task may use a retry too. Dask's
own per-submit ``retries=`` re-runs tasks that raised, which is not wanted here, and its
scheduler setting ``distributed.scheduler.allowed-failures`` re-runs tasks whose worker died
without telling the client; a LocalCluster is started with that setting at 0 so that every
retry is counted here. A user's scheduler keeps its own setting (Dask's default: 3), which
retries first.

Workers must be able to import ``vle`` and the task function's module (for a LocalCluster
they share this process's ``sys.path``). Dask starts worker processes with one BLAS / OpenMP
thread each.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import sys
import threading
import time
import traceback
import uuid
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import dask
import distributed
from distributed.scheduler import KilledWorker
from tqdm import tqdm

from vle.execution.record import TaskRecord, check_outputs
from vle.execution.store import ResultStore
from vle.execution.task import Task, TaskFunction


@dataclass(frozen=True)
class RunSummary:
    """What one call of :func:`run_tasks` did: ``total`` tasks given, ``skipped`` because the
    store had finished them, and of the ones run: ``ok``, ``failed``, ``timeout``, ``lost``;
    ``retried``: resubmissions after a worker died; ``workers``: the cluster's worker count at
    the start; ``seconds``: wall time of the call (a LocalCluster's start and close included;
    pass a running cluster's address as ``scheduler`` to leave them out)."""

    total: int
    skipped: int
    ok: int = 0
    failed: int = 0
    timeout: int = 0
    lost: int = 0
    retried: int = 0
    workers: int = 0
    seconds: float = 0.0

    @property
    def finished(self) -> int:
        """Tasks of this call that ended with a record (any status)."""
        return self.ok + self.failed + self.timeout + self.lost

    @property
    def tasks_per_hour(self) -> float:
        """Finished tasks per hour of this call's wall time."""
        return 3600.0 * self.finished / self.seconds if self.seconds > 0 else math.nan


def _where(err: BaseException) -> str:
    frames = traceback.extract_tb(err.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f" (at {Path(last.filename).name}:{last.lineno} in {last.name})"


def _attempt(fn: TaskFunction, task: Task, topic: str, attempt_key: str) -> TaskRecord:
    """Run ``fn`` on ``task`` in a Dask worker; never raises for the function's errors."""
    worker = distributed.get_worker()
    worker.log_event(topic, {"attempt": attempt_key, "worker": worker.address})
    scratch = Path(worker.local_directory) / "vle-scratch" / attempt_key
    shutil.rmtree(scratch, ignore_errors=True)  # left by an attempt the scheduler re-ran
    scratch.mkdir(parents=True)
    t0 = time.perf_counter()
    try:
        values = check_outputs(fn(replace(task, scratch=scratch)))
        status, message = "ok", ""
    except Exception as err:
        values, status, message = {}, "failed", f"{type(err).__name__}: {err}{_where(err)}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return TaskRecord(task, status, message, values, elapsed=time.perf_counter() - t0,
                      worker=worker.address)


def default_workers() -> int:
    """One worker per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


@contextlib.contextmanager
def local_cluster(workers: int | None = None) -> Iterator[distributed.LocalCluster]:
    """The LocalCluster that :func:`run_tasks` starts: ``workers`` single-threaded worker
    processes (default one per core) under nannies, on 127.0.0.1 (no dashboard), with
    ``allowed-failures`` at 0 (see the module docstring). Closed on exit. Pass its
    ``scheduler_address`` to several runs to start the workers only once."""
    n = default_workers() if workers is None else workers
    if n < 1:
        raise ValueError(f"local_cluster: workers must be >= 1, got {n}")
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = distributed.LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, silence_logs=logging.ERROR,
            # the scheduler's HTTP routes (health, metrics) stay on loopback, on a free port
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
    try:
        yield cluster
    finally:
        cluster.close()


@contextlib.contextmanager
def _client(workers: int | None, scheduler: str | None) -> Iterator[distributed.Client]:
    if scheduler is None:
        with local_cluster(workers) as cluster, \
                distributed.Client(cluster, set_as_default=False) as client:
            yield client
        return
    if workers is not None:
        raise ValueError("run_tasks: workers= starts a LocalCluster; with scheduler= the "
                         "cluster has the workers it has")
    with distributed.Client(scheduler, timeout=30, set_as_default=False) as client:
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            raise RuntimeError(f"the scheduler at {scheduler} has no worker after 60 s; start "
                               f"one with 'dask worker {scheduler}'") from None
        yield client


def run_tasks(fn: TaskFunction, tasks: Iterable[Task], store: ResultStore, *,
              workers: int | None = None, scheduler: str | None = None,
              timeout: float | None = None, retries: int = 2, rerun_failed: bool = False,
              progress: bool = True, consolidate_every: float = 60.0) -> RunSummary:
    """Run ``fn`` on every task that ``store`` has not finished and record each outcome.

    The run's client is not made dask's default (``set_as_default=False``): a run, also one in
    a thread beside another client, leaves ``dask.config`` as it found it.

    ``workers``: processes of the LocalCluster (default one per core); ``scheduler``: the
    address of an existing Dask scheduler instead (``tcp://host:8786``). ``timeout``: seconds
    a task may run (None: no limit); ``retries``: resubmissions of a task after its worker
    died; ``rerun_failed``: also run the tasks recorded ``failed``, ``timeout`` or ``lost``.
    ``progress``: a progress bar on stderr (done / failed / running), shown only when stderr
    is a terminal. ``results.nc`` is rewritten every ``consolidate_every`` seconds while
    records arrive, and at the end. The cluster is closed on return, on an error and on
    KeyboardInterrupt.
    """
    tasks = list(tasks)
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys) or len({t.index for t in tasks}) != len(tasks):
        raise ValueError("run_tasks: task keys and indices must be unique")
    if retries < 0 or (timeout is not None and timeout <= 0):
        raise ValueError("run_tasks: retries must be >= 0 and timeout > 0 (or None)")
    store.check_tasks(tasks)
    done = store.statuses()
    pending = [t for t in tasks
               if t.key not in done or (rerun_failed and done[t.key] != "ok")]
    counts = {"ok": 0, "failed": 0, "timeout": 0, "lost": 0, "retried": 0}
    n_workers = 0
    t0 = time.perf_counter()
    try:
        if pending:
            with _client(workers, scheduler) as client:
                n_workers = len(client.scheduler_info()["workers"])
                _Run(client, fn, store, timeout, retries, counts, progress,
                     consolidate_every).run(pending)
    finally:
        with contextlib.suppress(Exception):
            store.consolidate()
    return RunSummary(total=len(tasks), skipped=len(tasks) - len(pending),
                      ok=counts["ok"], failed=counts["failed"], timeout=counts["timeout"],
                      lost=counts["lost"], retried=counts["retried"], workers=n_workers,
                      seconds=time.perf_counter() - t0)


class _Run:
    """The parent's loop: submit, receive, write, watch deadlines."""

    def __init__(self, client: distributed.Client, fn: TaskFunction, store: ResultStore,
                 timeout: float | None, retries: int, counts: dict[str, int], progress: bool,
                 consolidate_every: float) -> None:
        self.client, self.fn, self.store = client, fn, store
        self.timeout, self.retries, self.counts = timeout, retries, counts
        self.consolidate_every = consolidate_every
        self.run_id = uuid.uuid4().hex[:10]
        self.topic = f"vle-execution-{self.run_id}"
        self.live: dict[str, tuple[Task, int, distributed.Future]] = {}
        self.started: dict[str, tuple[float, str]] = {}
        self.lock = threading.Lock()
        self.restarts: list[threading.Thread] = []
        self.unrecorded = 0
        self.received: set[str] = set()
        self.ac = distributed.as_completed(loop=client.loop)
        self.bar = tqdm(total=0, unit="task", disable=not (progress and sys.stderr.isatty()))

    def _on_start(self, event: tuple[float, dict[str, str]]) -> None:
        msg = event[1]
        with self.lock:
            if msg["attempt"] not in self.received:  # not a late event of a finished attempt
                self.started[msg["attempt"]] = (time.monotonic(), msg["worker"])

    def submit(self, task: Task, attempt: int) -> None:
        key = f"vle-{task.key}-{attempt}-{self.run_id}"
        fut = self.client.submit(_attempt, self.fn, task, self.topic, key, key=key, pure=False)
        self.live[key] = (task, attempt, fut)
        self.ac.add(fut)

    def run(self, pending: list[Task]) -> None:
        self.client.subscribe_topic(self.topic, self._on_start)
        self.bar.reset(total=len(pending))
        last = time.monotonic()
        written = 0
        try:
            for task in pending:
                self.submit(task, 1)
            while self.live:
                batch = self.ac.next_batch(block=False)
                for fut in batch:
                    self.receive(fut)
                self.check_deadlines()
                self.show()
                if not batch:
                    time.sleep(0.05)
                finished = sum(self.counts[s] for s in ("ok", "failed", "timeout", "lost"))
                if finished > written and time.monotonic() - last > self.consolidate_every:
                    self.store.consolidate()
                    last, written = time.monotonic(), finished
        finally:
            self.bar.close()
            for restart in self.restarts:
                restart.join(timeout=60)
            with contextlib.suppress(Exception):
                self.client.unsubscribe_topic(self.topic)
            if self.live:
                with contextlib.suppress(Exception):
                    self.client.cancel([f for _, _, f in self.live.values()], force=True)
        if self.unrecorded:
            raise RuntimeError(f"the cluster cancelled {self.unrecorded} tasks (a scheduler "
                               "restart or a lost connection?); they are not recorded: run "
                               "again to do them")

    def record(self, record: TaskRecord) -> None:
        written = self.store.put(record)
        self.counts[written.status] += 1
        self.bar.update(1)

    def receive(self, fut: distributed.Future) -> None:
        key = str(fut.key)  # the string submit() gave it
        entry = self.live.pop(key, None)
        with self.lock:
            self.received.add(key)
            self.started.pop(key, None)
        if entry is None:
            return  # cancelled after a timeout, already recorded
        task, attempt, _ = entry
        if fut.status == "finished":
            self.record(replace(fut.result(), attempts=attempt))
        elif fut.status == "error":
            err = fut.exception()
            if isinstance(err, KilledWorker):
                if attempt <= self.retries:
                    self.counts["retried"] += 1
                    self.submit(task, attempt + 1)
                else:
                    self.record(TaskRecord(task, "lost", f"its worker died {attempt} times "
                                           f"while it ran or waited there ({err})",
                                           attempts=attempt))
            else:
                self.record(TaskRecord(task, "failed", f"{type(err).__name__}: {err}",
                                       attempts=attempt))
        else:
            self.unrecorded += 1  # cancelled by the cluster: not done, so a rerun does it
        fut.release()

    def check_deadlines(self) -> None:
        if self.timeout is None:
            return
        now = time.monotonic()
        with self.lock:
            expired = [(k, w) for k, (t, w) in self.started.items() if now - t > self.timeout]
        for key, worker in expired:
            if key not in self.live:
                continue  # received or cancelled meanwhile
            task, attempt, fut = self.live[key]
            if fut.done():
                continue  # finished in time; received next round
            self.client.cancel([fut], force=True)
            self.live.pop(key)
            with self.lock:
                self.received.add(key)
                self.started.pop(key, None)
            self.record(TaskRecord(task, "timeout", f"still running after {self.timeout:g} s "
                                   f"on {worker}; stopped", attempts=attempt, worker=worker))
            restart = threading.Thread(target=self._restart, args=(worker,), daemon=True)
            restart.start()
            self.restarts.append(restart)

    def _restart(self, worker: str) -> None:
        """Restart ``worker`` (in a thread of its own: records keep flowing meanwhile)."""
        try:
            self.client.restart_workers([worker], timeout=60)
        except Exception as err:
            warnings.warn(f"worker {worker} could not be restarted after a timeout "
                          f"({type(err).__name__}: {err}); it stays busy until the task "
                          "function returns", RuntimeWarning, stacklevel=2)

    def show(self) -> None:
        c = self.counts
        with self.lock:
            running = len(self.started)
        self.bar.set_postfix_str(f"ok={c['ok']} failed={c['failed'] + c['timeout'] + c['lost']}"
                                 f" running={running}", refresh=False)
