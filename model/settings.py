"""Simulation settings of a model file (the ``[simulation]`` table)."""

from __future__ import annotations

from dataclasses import dataclass

from vle.model import converters
from vle.model.errors import ModelError

SCHEMES: tuple[str, ...] = ("exact", "euler")
"""Integration schemes of the reference backend; see :mod:`vle.sim.schemes`."""


@dataclass(frozen=True)
class SimulationSettings:
    """Time step ``dt`` and duration ``t_stop`` (model time units) and the scheme.

    The simulated grid is ``t_n = n dt`` for ``n = 0 .. n_steps`` with ``n_steps = t_stop / dt``,
    which must be a whole number (to 1e-9 relative).
    """

    dt: float
    t_stop: float
    scheme: str = "exact"

    def __post_init__(self) -> None:
        dt = converters.number("simulation.dt", self.dt, positive=True)
        t_stop = converters.number("simulation.t_stop", self.t_stop, positive=True)
        converters.choice("simulation.scheme", self.scheme, SCHEMES)
        object.__setattr__(self, "dt", dt)
        object.__setattr__(self, "t_stop", t_stop)
        ratio = t_stop / dt
        if abs(ratio - round(ratio)) > 1e-9 * max(ratio, 1.0) or round(ratio) < 1:
            raise ModelError("simulation.t_stop", f"t_stop / dt = {ratio:.10g} is not a whole "
                             "number of steps", "t_stop a positive multiple of dt")

    @property
    def n_steps(self) -> int:
        """Number of time steps; the grid has ``n_steps + 1`` points including ``t = 0``."""
        return int(round(self.t_stop / self.dt))
