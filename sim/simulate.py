"""The one entry point for simulations: :func:`simulate` (and :func:`simulate_model`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from vle.model.learning import LearningRule, Teacher
from vle.model.model import Model, check_taus_against_dt
from vle.model.network import Network
from vle.model.settings import SimulationSettings
from vle.model.stimulus import Stimulus
from vle.sim.backend import RunRequest, get_backend
from vle.sim.budget import check_run_memory
from vle.sim.inputs import Signal
from vle.sim.recording import resolve_record
from vle.sim.result import Result
from vle.sim.targets import model_targets


def simulate(
    network: Network,
    stimuli: Mapping[str, Signal],
    *,
    t_stop: float,
    dt: float,
    backend: str = "numba",
    scheme: str = "exact",
    record: Iterable[str] | None = None,
    record_every: int = 1,
    batch: int | None = None,
    progress: bool = False,
    learning: LearningRule | None = None,
    targets: Mapping[str, Signal] | None = None,
    plastic: bool = False,
    max_memory: int | None = None,
    **options: Any,
) -> Result:
    """Simulate ``network`` driven by ``stimuli`` from t = 0 to ``t_stop`` with step ``dt``.

    ``stimuli`` maps each input population to a :class:`~vle.model.stimulus.Stimulus` or an
    array on the grid (``(n_steps + 1, size)`` or ``(n_steps + 1, batch, size)``). Times are in
    model time units. ``record`` selects traces (default: all ``u``, ``ub``, ``r``); see
    :func:`~vle.sim.recording.resolve_record`. ``batch`` adds a batch axis even when every
    stimulus is shared. With ``targets`` (signals for output populations) the error neurons of
    ``learning`` (default: GLE) run and ``v``, ``e`` and ``loss`` can be recorded; ``plastic``
    lets the rule change the parameters during the run. A run whose memory estimate
    (:mod:`vle.sim.budget`) exceeds ``max_memory`` bytes (default: half of the machine's) is
    refused before it starts. Returns a :class:`~vle.sim.result.Result`.
    """
    targets = dict(targets or {})
    rule = learning or LearningRule()
    errors = bool(targets) and rule.active
    settings = SimulationSettings(dt=dt, t_stop=t_stop, scheme=scheme)
    check_taus_against_dt(network, settings.dt)
    wanted = resolve_record(network, record, errors)
    check_run_memory(network, n_steps=settings.n_steps, batch=_batch(stimuli, targets, batch),
                     record=wanted, record_every=record_every, budget=max_memory)
    request = RunRequest(
        network=network,
        signals=stimuli,
        dt=settings.dt,
        n_steps=settings.n_steps,
        scheme=settings.scheme,
        record=wanted,
        record_every=record_every,
        batch=batch,
        progress=progress,
        learning=rule,
        targets=targets,
        plastic=plastic,
        options=options,
        max_memory=max_memory,
    )
    return get_backend(backend).run(request)


def simulate_model(model: Model, **overrides: Any) -> Result:
    """Simulate a loaded model file with its own stimuli and settings.

    Keyword arguments override :func:`simulate`'s (``t_stop``, ``dt``, ``scheme``, ``backend``,
    ``record``, ...). When the model has targets, its error neurons run (teachers are simulated
    first) but parameters never change: that is training (:mod:`vle.learning.train`).
    """
    kwargs: dict[str, Any] = {
        "t_stop": model.simulation.t_stop,
        "dt": model.simulation.dt,
        "scheme": model.simulation.scheme,
    }
    kwargs.update({k: v for k, v in overrides.items() if v is not None})
    if model.targets and "targets" not in kwargs:
        n_steps = SimulationSettings(kwargs["dt"], kwargs["t_stop"], kwargs["scheme"]).n_steps
        rule = kwargs.get("learning", model.learning) or LearningRule()
        check_run_memory(model.network, n_steps=n_steps, batch=kwargs.get("batch") or 1,
                         record=resolve_record(model.network, kwargs.get("record"),
                                               rule.active),
                         record_every=kwargs.get("record_every", 1),
                         target_units=teacher_units(model), budget=kwargs.get("max_memory"))
        kwargs["targets"] = model_targets(model, dt=kwargs["dt"], n_steps=n_steps,
                                          scheme=kwargs["scheme"])
        kwargs.setdefault("learning", model.learning)
    return simulate(model.network, model.stimuli, **kwargs)


def teacher_units(model: Model) -> int:
    """Units of the model's teacher targets, which are simulated and sampled on the whole
    grid before the run."""
    return sum(t.network.population(t.population).size for t in model.targets.values()
               if isinstance(t, Teacher))


def _batch(stimuli: Mapping[str, Signal], targets: Mapping[str, Signal],
           batch: int | None) -> int:
    """The batch size a run will have (the backends check the shapes themselves)."""
    sizes = [np.shape(s)[1] for s in (*stimuli.values(), *targets.values())
             if not isinstance(s, Stimulus) and np.ndim(s) == 3]
    return max([batch or 1, *sizes])
