"""The one entry point for simulations: :func:`simulate` (and :func:`simulate_model`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from vle.model.learning import LearningRule
from vle.model.model import Model, check_taus_against_dt
from vle.model.network import Network
from vle.model.settings import SimulationSettings
from vle.sim.backend import RunRequest, get_backend
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
    **options: Any,
) -> Result:
    """Simulate ``network`` driven by ``stimuli`` from t = 0 to ``t_stop`` with step ``dt``.

    ``stimuli`` maps each input population to a :class:`~vle.model.stimulus.Stimulus` or an
    array on the grid (``(n_steps + 1, size)`` or ``(n_steps + 1, batch, size)``). Times are in
    model time units. ``record`` selects traces (default: all ``u``, ``ub``, ``r``); see
    :func:`~vle.sim.recording.resolve_record`. ``batch`` adds a batch axis even when every
    stimulus is shared. With ``targets`` (signals for output populations) the error neurons of
    ``learning`` (default: GLE) run and ``v``, ``e`` and ``loss`` can be recorded; ``plastic``
    lets the rule change the parameters during the run. Returns a
    :class:`~vle.sim.result.Result`.
    """
    targets = dict(targets or {})
    rule = learning or LearningRule()
    errors = bool(targets) and rule.active
    settings = SimulationSettings(dt=dt, t_stop=t_stop, scheme=scheme)
    check_taus_against_dt(network, settings.dt)
    request = RunRequest(
        network=network,
        signals=stimuli,
        dt=settings.dt,
        n_steps=settings.n_steps,
        scheme=settings.scheme,
        record=resolve_record(network, record, errors),
        record_every=record_every,
        batch=batch,
        progress=progress,
        learning=rule,
        targets=targets,
        plastic=plastic,
        options=options,
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
        kwargs["targets"] = model_targets(model, dt=kwargs["dt"], n_steps=n_steps,
                                          scheme=kwargs["scheme"])
        kwargs.setdefault("learning", model.learning)
    return simulate(model.network, model.stimuli, **kwargs)
