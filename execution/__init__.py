"""The shared execution layer: many independent tasks (Monte Carlo samples, sweep points) run
on Dask distributed, their results streamed into a store that a rerun resumes.

- :mod:`~vle.execution.seeds`: :func:`derive_seed`, a task's seed from the run's root seed and
  the task's index (the same bits on any number of workers, in any order);
- :mod:`~vle.execution.task`: :class:`Task` (index, key, seed, params, a scratch folder on the
  worker) and :func:`make_tasks`; a task function takes a Task and returns a flat dict of
  numbers and numeric arrays, or raises;
- :mod:`~vle.execution.record`: :class:`TaskRecord`, a finished task with its status (ok,
  failed, timeout, lost), message and outputs;
- :mod:`~vle.execution.store`: :class:`ResultStore`, a folder of atomic per-task fragments
  (a SIGKILL at any moment loses only the tasks in flight) with the spec's fingerprint,
  consolidated into netCDF; :func:`read_results` gives an xarray Dataset along the task
  dimension;
- :mod:`~vle.execution.executor`: :func:`run_tasks` on a LocalCluster or an existing
  scheduler, with per-task timeout and retry after worker death, :class:`RunSummary`, and
  :func:`local_cluster` to share one LocalCluster between runs.

In one line: ``run_tasks(fn, make_tasks(params, root_seed), ResultStore(folder, spec,
dim="sample"), workers=2, timeout=600)``, then ``read_results(folder)``.

The layer knows nothing of models, circuits or simulators: the fidelity and exploration rooms
bring the task functions and specs.

May import: nothing else of :mod:`vle` (dask.distributed, numpy, xarray and tqdm only).
"""

from vle.execution.executor import RunSummary, default_workers, local_cluster, run_tasks
from vle.execution.record import STATUSES, TaskRecord
from vle.execution.seeds import derive_seed
from vle.execution.store import (
    ResultStore,
    StoreBusyError,
    StoreMismatchError,
    Variable,
    fingerprint,
    read_results,
)
from vle.execution.task import Outputs, Task, TaskFunction, make_tasks

__all__ = [
    "STATUSES",
    "Outputs",
    "ResultStore",
    "RunSummary",
    "StoreBusyError",
    "StoreMismatchError",
    "Task",
    "TaskFunction",
    "TaskRecord",
    "Variable",
    "default_workers",
    "derive_seed",
    "fingerprint",
    "local_cluster",
    "make_tasks",
    "read_results",
    "run_tasks",
]
