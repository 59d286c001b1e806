"""The brian2 API for Brian2 users: times as Brian2 quantities, and the Brian2 objects
themselves.

:func:`simulate_brian2` is :func:`~vle.sim.simulate.simulate` on the brian2 backend with
``t_stop`` and ``dt`` given as numbers (model time units) or Brian2 times (one model time unit
is one second, :mod:`vle.sim.brian2.env`). :func:`brian2_network` builds the Brian2 objects of a
network without running them (runtime targets), to inspect them or to run and extend them in
Brian2::

    model = brian2_network(net, {"x": Step(1.0)}, t_stop=2 * second, dt=10 * ms)
    run_steps(model, 200)                 # the grid t_0 .. t_200, as the reference
    model.monitors["n"].ub                # Brian2's StateMonitor of population n
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from vle.model.learning import LearningRule
from vle.model.network import Network
from vle.model.settings import SimulationSettings
from vle.sim.backend import RunRequest
from vle.sim.brian2.build import Brian2Model
from vle.sim.brian2.device import target_session
from vle.sim.brian2.env import model_time
from vle.sim.brian2.run import Brian2Run
from vle.sim.inputs import Signal
from vle.sim.recording import resolve_record
from vle.sim.result import Result
from vle.sim.simulate import simulate


def simulate_brian2(
    network: Network, stimuli: Mapping[str, Signal], *, t_stop: Any, dt: Any, **kwargs: Any
) -> Result:
    """:func:`~vle.sim.simulate.simulate` with ``backend="brian2"``; ``t_stop`` and ``dt`` may
    be Brian2 times. Other keyword arguments as there (``brian2_target=...`` too)."""
    return simulate(network, stimuli, t_stop=model_time(t_stop, "t_stop"),
                    dt=model_time(dt, "dt"), backend="brian2", **kwargs)


def brian2_network(
    network: Network,
    stimuli: Mapping[str, Signal],
    *,
    t_stop: Any,
    dt: Any,
    scheme: str = "exact",
    record: Iterable[str] | None = None,
    record_every: int = 1,
    batch: int | None = None,
    learning: LearningRule | None = None,
    targets: Mapping[str, Signal] | None = None,
    plastic: bool = False,
    target: str = "numpy",
) -> Brian2Model:
    """The Brian2 objects of ``network`` (not yet run) on a runtime ``target`` (``numpy`` or
    ``cython``), with stimuli (and targets) sampled on the grid up to ``t_stop``; arguments as
    :func:`~vle.sim.simulate.simulate`, times as numbers or Brian2 times. Monitors are keyed by
    population (``model.monitors['h1'].ub``) or projection name; Brian2 calls the error ``e``
    ``err``."""
    if target == "cpp_standalone":
        raise ValueError("brian2_network builds runtime objects; for cpp_standalone use "
                         "simulate(..., backend='brian2', brian2_target='cpp_standalone')")
    rule = learning or LearningRule()
    targets = dict(targets or {})
    settings = SimulationSettings(dt=model_time(dt, "dt"), t_stop=model_time(t_stop, "t_stop"),
                                  scheme=scheme)
    request = RunRequest(network, stimuli, settings.dt, settings.n_steps, settings.scheme,
                         resolve_record(network, record, bool(targets) and rule.active),
                         record_every, batch, learning=rule, targets=targets, plastic=plastic)
    with target_session(target) as session:
        return Brian2Run.prepare(request).build(session.codeobj_class)
