"""The outcome of one task: its status, message and outputs, as the store keeps it.

A task ends in one of four statuses:

- ``ok``: the function returned its outputs;
- ``failed``: the function raised (the message is the exception's type and text, with the
  file and line it came from) or returned something that is not a flat mapping of numbers and
  numeric arrays, or the cluster lost the task otherwise;
- ``timeout``: it ran longer than the run's per-task time limit and was stopped;
- ``lost``: the worker running it died (crash, out of memory, killed) more often than the
  run's ``retries`` allow.

Every status but ``ok`` has no outputs. A finished task, whatever its status, is skipped when
the run is repeated (unless it asks to rerun the ones that did not succeed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from vle.execution.task import Task

STATUSES = ("ok", "failed", "timeout", "lost")
"""The statuses a finished task can have."""

RESERVED = frozenset({"key", "seed", "status", "message", "attempts", "elapsed", "params"})
"""Names of the store's own variables: a task function's outputs may not use them."""


def check_outputs(outputs: Any) -> dict[str, np.ndarray]:
    """``outputs`` as name -> numeric array, or ValueError saying what is wrong."""
    if not isinstance(outputs, Mapping):
        raise ValueError(f"the task function returned {type(outputs).__name__}; it must return "
                         "a dict of name -> number or numeric array")
    out: dict[str, np.ndarray] = {}
    for name, value in outputs.items():
        if not isinstance(name, str) or not name or "/" in name or name in RESERVED:
            raise ValueError(f"output name {name!r} is not usable: names are non-empty "
                             f"strings without '/', other than {sorted(RESERVED)}")
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"output {name!r} has dtype {arr.dtype}; outputs are booleans, "
                             "integers, floats or arrays of them")
        out[name] = arr
    return out


@dataclass(frozen=True)
class TaskRecord:
    """A finished task: the task (without its scratch folder), ``status`` (one of
    :data:`STATUSES`), ``message`` (empty when ok), ``values`` (the outputs, empty unless ok),
    ``attempts`` (how many times it was started: 1 plus the retries after its worker died),
    ``elapsed`` (wall seconds of the last attempt on its worker, NaN when unknown) and
    ``worker`` (that worker's address, for diagnosis)."""

    task: Task
    status: str
    message: str = ""
    values: Mapping[str, np.ndarray] = field(default_factory=dict)
    attempts: int = 1
    elapsed: float = math.nan
    worker: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"TaskRecord {self.task.key}: status {self.status!r} is not one "
                             f"of {STATUSES}")
        if self.status != "ok" and self.values:
            raise ValueError(f"TaskRecord {self.task.key}: a {self.status} task has no outputs")
        if self.attempts < 1:
            raise ValueError(f"TaskRecord {self.task.key}: attempts must be >= 1")
        object.__setattr__(self, "values", check_outputs(self.values))
        if self.task.scratch is not None:
            object.__setattr__(self, "task", replace(self.task, scratch=None))
