"""The backend interface and the name registry.

A backend turns a :class:`RunRequest` into a :class:`~vle.sim.result.Result`. Backends register
a factory under a unique name; a backend that cannot run here (no ngspice, no compiler) says
what to install through :meth:`Backend.unavailable`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vle.model.learning import LearningRule
from vle.model.network import Network
from vle.sim.inputs import Signal
from vle.sim.result import Result


class BackendUnavailable(RuntimeError):
    """The backend cannot run on this machine; the message says what to install."""


@dataclass(frozen=True, eq=False)
class RunRequest:
    """Everything a backend needs for one run.

    ``record`` lists trace names (``'<population>.<quantity>'``, parameters
    ``'<pre>-><post>.W'``, ``'<population>.b'``, ``'<population>.tau_m'``, and ``'loss'``);
    ``record_every`` keeps every k-th grid point. With ``targets`` (signals for output
    populations) the error neurons of ``learning`` run; ``plastic`` lets them change the
    parameters. With ``period_steps`` the stimuli and targets are replayed every that many grid
    steps while the state carries on (training epochs of a continuous task). ``options`` holds
    backend-specific settings; ``max_memory`` is the memory budget in bytes (None: the
    default of :mod:`vle.model.budget`) for what a backend estimates itself (a SPICE rawfile).
    """

    network: Network
    signals: Mapping[str, Signal]
    dt: float
    n_steps: int
    scheme: str
    record: tuple[str, ...]
    record_every: int = 1
    batch: int | None = None
    progress: bool = False
    learning: LearningRule | None = None
    targets: Mapping[str, Signal] = field(default_factory=dict)
    plastic: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)
    period_steps: int | None = None
    max_memory: int | None = None


class Backend(ABC):
    """A simulator that runs a :class:`RunRequest`."""

    name: str = ""

    def unavailable(self) -> str | None:
        """None when the backend can run here, else a message saying what to install."""
        return None

    @abstractmethod
    def run(self, request: RunRequest) -> Result:
        """Simulate and return a :class:`~vle.sim.result.Result`."""


_REGISTRY: dict[str, Callable[[], Backend]] = {}


def register_backend(name: str, factory: Callable[[], Backend]) -> None:
    """Register ``factory`` (called once per use) under ``name``; names are unique."""
    if name in _REGISTRY:
        raise ValueError(f"a backend named {name!r} is already registered")
    _REGISTRY[name] = factory


def backend_names() -> tuple[str, ...]:
    """The registered backend names."""
    return tuple(_REGISTRY)


def get_backend(name: str) -> Backend:
    """A ready backend called ``name``; :class:`BackendUnavailable` if it cannot run here."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown backend {name!r}; available: "
                         f"{', '.join(_REGISTRY)}") from None
    backend = factory()
    problem = backend.unavailable()
    if problem:
        raise BackendUnavailable(f"backend {name!r} cannot run here: {problem}")
    return backend
