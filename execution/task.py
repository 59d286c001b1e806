"""One unit of work: a task, and the shape of what a task function returns.

A run is a list of :class:`Task` objects and one function ``fn(task) -> Outputs``. The function
runs on a worker process; it reads ``task.params`` (JSON-able values: the sample's or sweep
point's settings), draws random values from ``numpy.random.default_rng(task.seed)``, may write
temporary files under ``task.scratch`` and returns a flat mapping of names to numbers or
arrays. Every task of a run returns the same names with the same shapes (a sample's traces,
a sweep point's costs), so the results stack along the task dimension. A function that cannot
produce its outputs raises: the task is recorded as failed with the exception's message and the
run goes on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vle.execution.seeds import derive_seed

Outputs = Mapping[str, float | int | np.ndarray]
"""What a task function returns: name -> number or array (fixed shape per name)."""

TaskFunction = Callable[["Task"], Outputs]
"""A task function: picklable (defined at a module's top level), run on a worker."""

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._=+-]{0,199}")


@dataclass(frozen=True)
class Task:
    """A task of a run.

    - ``index``: its position in the run (>= 0), the coordinate of its row in the results;
    - ``key``: its identity across runs (letters, digits and ``._=+-``, at most 200
      characters, first a letter or digit): a rerun skips the keys the store has finished;
    - ``seed``: the integer in [0, 2**64) that seeds all its random draws
      (:func:`~vle.execution.seeds.derive_seed`);
    - ``params``: JSON-able settings for the task function;
    - ``scratch``: a fresh, empty folder on the worker's local disk for this attempt, removed
      when the attempt ends (a Brian2 ``cpp_standalone`` build folder, ngspice netlists and
      rawfiles); None outside a worker. Not part of the task's identity.
    """

    index: int
    key: str
    seed: int
    params: Mapping[str, Any] = field(default_factory=dict)
    scratch: Path | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.index, bool) or not isinstance(self.index, int) or self.index < 0:
            raise ValueError(f"Task: index must be an integer >= 0, got {self.index!r}")
        if not isinstance(self.key, str) or not _KEY.fullmatch(self.key):
            raise ValueError(f"Task {self.index}: key {self.key!r} must be 1-200 letters, "
                             "digits or ._=+- starting with a letter or digit (it names a file)")
        if (isinstance(self.seed, bool) or not isinstance(self.seed, int)
                or not 0 <= self.seed < 2**64):
            raise ValueError(f"Task {self.key}: seed must be an integer in [0, 2**64), got "
                             f"{self.seed!r}")
        try:
            json.dumps(dict(self.params), allow_nan=False)
        except (TypeError, ValueError) as err:
            raise ValueError(f"Task {self.key}: params must be JSON-able (numbers, strings, "
                             f"lists, dicts): {err}") from None
        object.__setattr__(self, "params", dict(self.params))


def make_tasks(params: Iterable[Mapping[str, Any]], root_seed: int,
               key: Callable[[int, Mapping[str, Any]], str] | None = None) -> list[Task]:
    """One task per entry of ``params``, numbered from 0, seeded by
    :func:`~vle.execution.seeds.derive_seed` from ``root_seed``; keys are ``key(index,
    params)``, by default the index written with six digits (``"000042"``)."""
    out = []
    for index, p in enumerate(params):
        name = key(index, p) if key is not None else f"{index:06d}"
        out.append(Task(index, name, derive_seed(root_seed, index), p))
    return out
