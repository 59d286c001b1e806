"""Time signals that drive input populations (and, later, serve as targets).

Every kind is a frozen dataclass with ``sample(t, size) -> array [len(t), size]`` (model units
at model times ``t``) and is registered by its ``kind`` name, which is how model files name it.
A stimulus applies the same signal to every unit of its population, except a ``pwl`` stimulus
whose values carry one column per unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from vle.model import converters
from vle.model.errors import ModelError


class Stimulus:
    """Base class of the signal kinds; subclasses register themselves by ``kind``."""

    kind: ClassVar[str] = ""
    registry: ClassVar[dict[str, type[Stimulus]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind in Stimulus.registry:
            raise TypeError(f"stimulus kind {cls.kind!r} is registered twice")
        Stimulus.registry[cls.kind] = cls

    def sample(self, t: np.ndarray, size: int) -> np.ndarray:
        """The signal at times ``t`` (model time units) as an array ``[len(t), size]``."""
        v = np.asarray(self._values(np.asarray(t, dtype=np.float64)), dtype=np.float64)
        if v.ndim == 1:
            return np.repeat(v[:, None], size, axis=1)
        return v

    def _values(self, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def check_size(self, key: str, size: int) -> None:
        """Raise :class:`ModelError` if this signal cannot drive ``size`` units."""


@dataclass(frozen=True)
class Step(Stimulus):
    """``offset + amplitude`` for ``t >= t_on``, ``offset`` before."""

    kind: ClassVar[str] = "step"
    amplitude: float = 1.0
    t_on: float = 0.0
    offset: float = 0.0

    def __post_init__(self) -> None:
        converters.number("stimulus.amplitude", self.amplitude)
        converters.number("stimulus.t_on", self.t_on, nonneg=True)
        converters.number("stimulus.offset", self.offset)

    def _values(self, t: np.ndarray) -> np.ndarray:
        return self.offset + np.where(t >= self.t_on, self.amplitude, 0.0)


def _tuple(key: str, value: object, *, positive: bool = False) -> tuple[float, ...]:
    seq = value if isinstance(value, (list, tuple, np.ndarray)) else [value]
    if len(seq) == 0:
        raise ModelError(key, "got an empty list", "a number or a non-empty list of numbers")
    return tuple(converters.number(key, v, positive=positive) for v in seq)


@dataclass(frozen=True)
class Sine(Stimulus):
    """``offset + sum_k amplitude[k] sin(omega[k] t + phase[k])``.

    ``omega`` is an angular frequency (radians per model time unit), ``phase`` in radians.
    Scalars or equal-length lists; a missing ``phase`` is zero for every component.
    """

    kind: ClassVar[str] = "sine"
    amplitude: tuple[float, ...] = (1.0,)
    omega: tuple[float, ...] = (1.0,)
    phase: tuple[float, ...] = field(default=())
    offset: float = 0.0

    def __post_init__(self) -> None:
        amp = _tuple("stimulus.amplitude", self.amplitude)
        omega = _tuple("stimulus.omega", self.omega, positive=True)
        phase = _tuple("stimulus.phase", self.phase) if len(np.atleast_1d(self.phase)) else (
            (0.0,) * len(amp))
        if not len(amp) == len(omega) == len(phase):
            raise ModelError("stimulus", f"amplitude, omega and phase have lengths {len(amp)}, "
                             f"{len(omega)}, {len(phase)}", "lists of equal length")
        object.__setattr__(self, "amplitude", amp)
        object.__setattr__(self, "omega", omega)
        object.__setattr__(self, "phase", phase)
        converters.number("stimulus.offset", self.offset)

    def _values(self, t: np.ndarray) -> np.ndarray:
        out = np.full(t.shape, float(self.offset))
        for a, w, p in zip(self.amplitude, self.omega, self.phase, strict=True):
            out += a * np.sin(w * t + p)
        return out


@dataclass(frozen=True)
class Square(Stimulus):
    """A square wave: ``offset + amplitude`` in the first half of each period, ``offset -
    amplitude`` in the second; ``phase`` (radians) shifts it like ``sign(sin(2 pi t / period +
    phase))``, with the value at a switching instant taken from the half that starts there."""

    kind: ClassVar[str] = "square"
    amplitude: float = 1.0
    period: float = 1.0
    phase: float = 0.0
    offset: float = 0.0

    def __post_init__(self) -> None:
        converters.number("stimulus.amplitude", self.amplitude)
        converters.number("stimulus.period", self.period, positive=True)
        converters.number("stimulus.phase", self.phase)
        converters.number("stimulus.offset", self.offset)

    def _values(self, t: np.ndarray) -> np.ndarray:
        cycles = t / self.period + self.phase / (2 * np.pi)
        frac = cycles - np.floor(cycles)
        return self.offset + np.where(frac < 0.5, self.amplitude, -self.amplitude)


@dataclass(frozen=True, eq=False)
class Pwl(Stimulus):
    """Piecewise-linear in time through the points ``(t[k], values[k])``.

    ``t`` strictly increasing (model time units); ``values`` of shape ``[len(t)]`` (every unit
    the same) or ``[len(t)][size]``. Held at the first value before ``t[0]`` and at the last
    after ``t[-1]``. ``source`` records where the arrays came from (for messages and netlists).
    """

    kind: ClassVar[str] = "pwl"
    t: np.ndarray = field(default_factory=lambda: np.zeros(1))
    values: np.ndarray = field(default_factory=lambda: np.zeros(1))
    source: str = ""

    def __post_init__(self) -> None:
        t = converters.real_array("stimulus.t", self.t)
        v = converters.real_array("stimulus.values", self.values)
        if t.ndim != 1 or t.size < 1:
            raise ModelError("stimulus.t", f"got shape {list(t.shape)}",
                             "a one-dimensional array of time points")
        if np.any(np.diff(t) <= 0):
            raise ModelError("stimulus.t", "time points are not strictly increasing",
                             "strictly increasing time points")
        if v.ndim not in (1, 2) or v.shape[0] != t.size:
            raise ModelError("stimulus.values", f"got shape {list(v.shape)}",
                             f"shape [{t.size}] or [{t.size}][size] (one row per time point)")
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "values", v)

    def check_size(self, key: str, size: int) -> None:
        if self.values.ndim == 2 and self.values.shape[1] != size:
            raise ModelError(f"{key}.values", f"got {self.values.shape[1]} columns",
                             f"{size} columns (one per unit) or a one-dimensional array")

    def _values(self, t: np.ndarray) -> np.ndarray:
        if self.values.ndim == 1:
            return np.interp(t, self.t, self.values)
        return np.stack([np.interp(t, self.t, col) for col in self.values.T], axis=1)

    def sample(self, t: np.ndarray, size: int) -> np.ndarray:
        self.check_size("stimulus", size)
        return super().sample(t, size)


STIMULUS_KINDS: tuple[str, ...] = tuple(Stimulus.registry)
"""The registered kind names, in definition order."""
