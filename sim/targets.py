"""Targets of a model on the simulation grid: signals as they are, teachers simulated."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from vle.model.learning import Teacher
from vle.model.model import Model
from vle.model.stimulus import Stimulus
from vle.sim.backend import RunRequest, get_backend
from vle.sim.inputs import Signal


def teacher_signal(
    teacher: Teacher,
    stimuli: Mapping[str, Signal],
    *,
    dt: float,
    n_steps: int,
    scheme: str,
    period_steps: int | None = None,
) -> np.ndarray:
    """The teacher population's rate on the grid, shape ``(n_steps + 1, size)``, from the
    numba reference (through the backend registry) driven by ``stimuli`` (replayed every
    ``period_steps`` if given, with the teacher's state carried on, as the student sees
    them)."""
    trace = f"{teacher.population}.r"
    request = RunRequest(teacher.network, stimuli, dt, n_steps, scheme, (trace,),
                         period_steps=period_steps)
    return get_backend("numba").run(request)[trace]


def model_targets(
    model: Model,
    *,
    dt: float,
    n_steps: int,
    scheme: str,
    period_steps: int | None = None,
) -> dict[str, Signal]:
    """Every target of ``model`` as a grid signal (teachers simulated)."""
    out: dict[str, Signal] = {}
    for name, target in model.targets.items():
        if isinstance(target, Stimulus):
            out[name] = target
        else:
            out[name] = teacher_signal(target, model.stimuli, dt=dt, n_steps=n_steps,
                                       scheme=scheme, period_steps=period_steps)
    return out
