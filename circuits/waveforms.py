"""Waveforms of independent sources (values in volts or amperes, times in seconds)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from vle.circuits.errors import CircuitError


def _finite(where: str, name: str, value: float, *, positive: bool = False,
            nonneg: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (not positive or value > 0) and (not nonneg or value >= 0)
    if not ok:
        need = "> 0" if positive else ">= 0" if nonneg else "finite"
        raise CircuitError(where, f"{name} got {value!r}", f"a number {need}")
    return float(value)


@dataclass(frozen=True)
class Dc:
    """A constant: ``value``."""

    value: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _finite("DC source", "value", self.value))


@dataclass(frozen=True)
class Pwl:
    """Piecewise-linear through ``(times[k], values[k])``; held at the first value before
    ``times[0]`` and at the last after ``times[-1]``. Times >= 0, strictly increasing."""

    times: tuple[float, ...]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        times = tuple(_finite("PWL source", "time", t, nonneg=True) for t in self.times)
        values = tuple(_finite("PWL source", "value", v) for v in self.values)
        if not times or len(times) != len(values):
            raise CircuitError("PWL source", f"{len(times)} times and {len(values)} values",
                               "at least one point and as many values as times")
        if any(b <= a for a, b in zip(times, times[1:], strict=False)):
            raise CircuitError("PWL source", "times are not strictly increasing",
                               "strictly increasing times")
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "values", values)


@dataclass(frozen=True)
class Sin:
    """``offset + amplitude sin(2 pi frequency t + phase)`` (``phase`` in degrees, as SPICE
    writes it; no delay, no damping)."""

    offset: float
    amplitude: float
    frequency: float
    phase: float = 0.0

    def __post_init__(self) -> None:
        for name in ("offset", "amplitude", "phase"):
            object.__setattr__(self, name, _finite("SIN source", name, getattr(self, name)))
        object.__setattr__(self, "frequency", _finite("SIN source", "frequency",
                                                      self.frequency, positive=True))


@dataclass(frozen=True)
class Pulse:
    """A periodic pulse: ``initial`` until ``delay``, a ramp of ``rise`` to ``pulsed``, held for
    ``width``, a ramp of ``fall`` back, repeated every ``period`` (SPICE ``PULSE``)."""

    initial: float
    pulsed: float
    delay: float
    rise: float
    fall: float
    width: float
    period: float

    def __post_init__(self) -> None:
        for name in ("initial", "pulsed"):
            object.__setattr__(self, name, _finite("PULSE source", name, getattr(self, name)))
        object.__setattr__(self, "delay", _finite("PULSE source", "delay", self.delay,
                                                  nonneg=True))
        for name in ("rise", "fall", "width", "period"):
            object.__setattr__(self, name, _finite("PULSE source", name, getattr(self, name),
                                                   positive=True))
        if self.rise + self.width + self.fall > self.period * (1 + 1e-12):
            raise CircuitError("PULSE source", "rise + width + fall exceeds the period",
                               "rise + width + fall <= period")


@dataclass(frozen=True)
class TrRandom:
    """Transient white noise as ngspice draws it (``TRRANDOM(2 hold 0 sigma 0)``): a new
    Gaussian value ``N(0, sigma^2)`` (volts or amperes) every ``hold`` seconds, held constant
    in between (from ``k hold`` to ``(k + 1) hold``). Its one-sided power spectral density is
    ``2 sigma^2 hold`` at low frequencies (shaped by ``sinc^2(f hold)``), so a white density
    ``S`` (units^2/Hz) band-limited by the hold is ``sigma = sqrt(S / (2 hold))``.

    ngspice draws the values from its Tausworthe generator, seeded by ``.options seed=N``
    (:attr:`~vle.circuits.circuit.Options.seed`): the same netlist and seed give the same
    bits. (``TRNOISE`` is not used: ngspice 39 fills its Gaussian pool from the process id
    before it reads the seed, so its draws differ from run to run whatever the seed.)
    """

    sigma: float
    hold: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "sigma", _finite("TRRANDOM source", "sigma", self.sigma,
                                                  nonneg=True))
        object.__setattr__(self, "hold", _finite("TRRANDOM source", "hold", self.hold,
                                                 positive=True))


Waveform = Dc | Pwl | Sin | Pulse | TrRandom
