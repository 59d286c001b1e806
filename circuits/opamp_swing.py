"""The op-amp output swing as a non-ideality (``opamp-swing``): where each op-amp's output
saturates, nominal and drawn per part. Registered with the others of
:mod:`vle.circuits.nonidealities` when :mod:`vle.circuits` is imported."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from vle.circuits.nonidealities import (
    NonIdeality,
    NonIdealityError,
    OpAmpNonIdeality,
    register_nonideality,
)
from vle.circuits.technology import Technology


@dataclass(frozen=True)
class OpAmpSwing(OpAmpNonIdeality):
    """Op-amp output swing: an op-amp's output saturates at its rails, ``V(out) =
    min(max(A v_d, V_low), V_high)`` (volts; ``A v_d`` what its gain would put there), with
    ``V_low = v_low + N(0, sigma^2)`` and ``V_high = v_high + N(0, sigma^2)``, one independent
    draw per rail and op-amp: ``v_low``, ``v_high`` the technology's nominal limits
    (``OpAmpSpec``; discrete +-12 V, onchip +-0.6 V) and ``sigma`` its ``swing_sigma``
    (discrete 0.5 V, onchip 20 mV).

    The draws are made for the two op-amps of every unit's summing amplifier
    (:func:`~vle.circuits.cells.summing_amplifier`): op-amp 2's output is the unit's drive, so
    the unit integrates ``clip(I, V_low2 / v_unit, V_high2 / v_unit)`` in place of its summed
    input ``I`` (model units; :func:`vle.fidelity.surrogate.drive_limits`); op-amp 1 carries
    the positive inputs alone (``V(o1) = -R_f I_p``) and rails when they exceed
    ``-V_low1``. Followers, lead-section amplifiers and the error path keep the nominal limits
    of the op-amp macro-model (which every op-amp has, named or not).

    ``value`` (volts, > 0) replaces the nominal limits by ``[-value, value]``
    (``opamp-swing=1.5`` on the command line); ``sigma`` (volts, >= 0) replaces the spread.
    Not among a technology's default non-idealities: name it (``--nonideality opamp-swing``).
    """

    name: ClassVar[str] = "opamp-swing"
    parts: ClassVar[tuple[str, ...]] = ("swing",)
    value: float | None = None
    sigma: float | None = None

    def __post_init__(self) -> None:
        if self.value is not None and not (isinstance(self.value, int | float)
                                           and math.isfinite(self.value) and self.value > 0):
            raise NonIdealityError(f"opamp-swing: limit {self.value!r} must be a voltage > 0 "
                                   "(volts: the output swings in [-limit, limit], e.g. 1.5)")
        if self.sigma is not None and not (isinstance(self.sigma, int | float)
                                           and math.isfinite(self.sigma) and self.sigma >= 0):
            raise NonIdealityError(f"opamp-swing: sigma {self.sigma!r} must be a voltage >= 0 "
                                   "(volts, e.g. 0.02)")

    summary: ClassVar[str] = ("op-amp output limits V_low, V_high + N(0, sigma^2) per "
                              "summing-stage op-amp")

    def limits(self, tech: Technology) -> tuple[float, float]:
        """The nominal output limits ``(low, high)`` (volts) in force on ``tech``."""
        spec = self.opamp(tech)
        if self.value is not None:
            return -float(self.value), float(self.value)
        return float(spec.v_low), float(spec.v_high)

    def spread(self, tech: Technology) -> float:
        """The standard deviation (volts) of each limit in force on ``tech``."""
        return float(self.sigma if self.sigma is not None else self.opamp(tech).swing_sigma)

    def swing_errors(self, rng: np.random.Generator, count: int,
                     tech: Technology) -> np.ndarray:
        spec = self.opamp(tech)
        low, high = self.limits(tech)
        shift = np.array([low - spec.v_low, high - spec.v_high])
        return self.drawn(rng, shift, self.spread(tech), (count, 2))

    def scaled(self, factor: float, tech: Technology) -> NonIdeality:
        """The spread times ``factor``; the nominal limits stay (a swing has no zero)."""
        return OpAmpSwing(value=self.value, sigma=factor * self.spread(tech))

    def values(self, tech: Technology) -> str:
        low, high = self.limits(tech)
        return f"[{low:.3g}, {high:.3g}] V, sigma {1e3 * self.spread(tech):.3g} mV"


register_nonideality(OpAmpSwing)
