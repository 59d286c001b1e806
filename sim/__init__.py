"""Simulation backends behind one interface, and their results.

Registered backends: ``numba`` (the reference), ``numpy`` (an independent plain-numpy
implementation of the same schemes, for checks and baselines), ``spice`` (the model compiled
into a circuit and run by ngspice; :mod:`vle.sim.spice`).
"""

from vle.sim.backend import (
    Backend,
    BackendUnavailable,
    RunRequest,
    backend_names,
    get_backend,
    register_backend,
)
from vle.sim.numba_backend import NumbaBackend
from vle.sim.numpy_backend import NumpyBackend
from vle.sim.result import Result
from vle.sim.schemes import SCHEME_PROPERTIES
from vle.sim.simulate import simulate, simulate_model

register_backend("numba", NumbaBackend)
register_backend("numpy", NumpyBackend)


def _spice() -> Backend:
    from vle.sim.spice.backend import SpiceBackend  # imports the compiler: only when used

    return SpiceBackend()


register_backend("spice", _spice)

__all__ = [
    "SCHEME_PROPERTIES",
    "Backend",
    "BackendUnavailable",
    "Result",
    "RunRequest",
    "backend_names",
    "get_backend",
    "register_backend",
    "simulate",
    "simulate_model",
]
