"""A population of prospective rate neurons (or an input population)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vle.model import converters
from vle.model.errors import ModelError
from vle.model.nonlinearity import PHI_NAMES

KINDS: tuple[str, ...] = ("input", "hidden", "output")


@dataclass(frozen=True, eq=False)
class Population:
    """``size`` prospective neurons sharing a nonlinearity (equations.md section 2).

    Each unit i integrates its input current ``I = sum_pre W r_pre + b`` (model units) with
    membrane time constant ``tau_m[i]`` and reads out prospectively with ``tau_r[i]``::

        tau_m du/dt = -u + I
        ub = u + tau_r du/dt = (1 - k) u + k I,    k = tau_r / tau_m
        r  = phi(ub)

    ``tau_r == tau_m`` is a Latent-Equilibrium (LE) unit, whose ``ub`` equals its input at every
    instant. Times are in model time units. An ``input`` population has no dynamics: its rate is
    the stimulus, so it takes no ``tau_m``, ``tau_r``, ``phi`` or ``bias``.

    Scalars given for ``tau_m``, ``tau_r`` and ``bias`` are broadcast to one value per unit; the
    stored arrays are read-only, shape ``(size,)``.

    ``drive_limits = (low, high)`` (model units; scalars or one value per unit; None, the
    default: unbounded) makes the input saturating: the unit integrates and reads out the
    clipped input ``clip(I, low, high)`` in place of ``I`` (in both lines above), as a circuit
    whose summing amplifier's output stops at its rails (:mod:`vle.fidelity.surrogate`). A
    model file gives it as ``drive_limits = [low, high]``. Only the array backends (numba,
    numpy) simulate it; Brian2 and the compiler refuse it by name.
    """

    name: str
    size: int
    kind: str = "hidden"
    tau_m: np.ndarray | float | None = None
    tau_r: np.ndarray | float | None = None
    phi: str = "linear"
    bias: np.ndarray | float = 0.0
    drive_limits: tuple[np.ndarray | float, np.ndarray | float] | None = None

    def __post_init__(self) -> None:
        converters.identifier("population.name", self.name)
        key = f"population.{self.name}"
        size = converters.integer(f"{key}.size", self.size, minimum=1)
        kind = converters.choice(f"{key}.kind", self.kind, KINDS)
        object.__setattr__(self, "size", size)
        if kind == "input":
            for attr in ("tau_m", "tau_r"):
                if getattr(self, attr) is not None:
                    raise ModelError(f"{key}.{attr}", "an input population has no dynamics",
                                     "no tau_m, tau_r, phi or bias on an input population")
            if self.phi != "linear" or np.any(np.asarray(self.bias, dtype=float) != 0):
                raise ModelError(key, "an input population has no dynamics",
                                 "no tau_m, tau_r, phi or bias on an input population")
            object.__setattr__(self, "bias", converters.per_unit(f"{key}.bias", 0.0, size))
            if self.drive_limits is not None:
                raise ModelError(f"{key}.drive_limits", "an input population has no dynamics",
                                 "no drive_limits on an input population")
            return
        if self.tau_m is None:
            raise ModelError(f"{key}.tau_m", "missing", f"tau_m for a {kind} population")
        tau_m = converters.per_unit(f"{key}.tau_m", self.tau_m, size, positive=True)
        tau_r = converters.per_unit(
            f"{key}.tau_r", tau_m if self.tau_r is None else self.tau_r, size, positive=True
        )
        converters.choice(f"{key}.phi", self.phi, PHI_NAMES)
        bias = converters.per_unit(f"{key}.bias", self.bias, size)
        object.__setattr__(self, "tau_m", tau_m)
        object.__setattr__(self, "tau_r", tau_r)
        object.__setattr__(self, "bias", bias)
        if self.drive_limits is not None:
            object.__setattr__(self, "drive_limits", _limits(f"{key}.drive_limits",
                                                             self.drive_limits, size))

    @property
    def saturating(self) -> bool:
        """True when the population's input saturates (``drive_limits`` given)."""
        return self.drive_limits is not None

    @property
    def drive_range(self) -> tuple[np.ndarray, np.ndarray]:
        """``(low, high)`` of the input, arrays of shape ``(size,)`` (model units; -inf and
        +inf without ``drive_limits``)."""
        if self.drive_limits is None:
            return np.full(self.size, -np.inf), np.full(self.size, np.inf)
        low, high = self.drive_limits
        assert isinstance(low, np.ndarray) and isinstance(high, np.ndarray)
        return low, high

    @property
    def is_input(self) -> bool:
        """True for an input population (its rate is the stimulus)."""
        return self.kind == "input"

    @property
    def taus(self) -> tuple[np.ndarray, np.ndarray]:
        """``(tau_m, tau_r)`` as arrays of shape ``(size,)``; only for non-input populations."""
        if self.is_input:
            raise ValueError(f"input population {self.name!r} has no time constants")
        assert isinstance(self.tau_m, np.ndarray) and isinstance(self.tau_r, np.ndarray)
        return self.tau_m, self.tau_r

    @property
    def bias_array(self) -> np.ndarray:
        """The bias as an array of shape ``(size,)`` (model units)."""
        assert isinstance(self.bias, np.ndarray)
        return self.bias


def _limits(key: str, value: object, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``(low, high)`` as read-only arrays of shape ``(size,)`` with ``low < high``."""
    if not (isinstance(value, tuple | list) and len(value) == 2):
        raise ModelError(key, f"got {value!r}"[:80], "a pair (low, high) of numbers or of "
                         "lists with one per unit")
    low = converters.per_unit(f"{key}[0]", value[0], size)
    high = converters.per_unit(f"{key}[1]", value[1], size)
    if not np.all(low < high):
        raise ModelError(key, "low is not below high for every unit", "low < high")
    return low, high
