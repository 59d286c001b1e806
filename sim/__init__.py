"""Simulation backends behind one interface, and their results.

Registered backends: ``numba`` (the reference), ``numpy`` (an independent plain-numpy
implementation of the same schemes, for checks and baselines), ``brian2`` (the model emitted as
Brian2 equations; :mod:`vle.sim.brian2_backend`), ``spice`` (the model compiled into a circuit
and run by ngspice; :mod:`vle.sim.spice`).
"""

from vle.sim.backend import (
    Backend,
    BackendUnavailable,
    RunRequest,
    backend_names,
    get_backend,
    register_backend,
)
from vle.sim.brian2_api import brian2_network, simulate_brian2
from vle.sim.brian2_backend import Brian2Backend
from vle.sim.brian2_program import brian2_equations
from vle.sim.numba_backend import NumbaBackend
from vle.sim.numpy_backend import NumpyBackend
from vle.sim.result import Result
from vle.sim.schemes import SCHEME_PROPERTIES
from vle.sim.simulate import simulate, simulate_model

register_backend("numba", NumbaBackend)
register_backend("numpy", NumpyBackend)
register_backend("brian2", Brian2Backend)


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
    "brian2_equations",
    "brian2_network",
    "get_backend",
    "register_backend",
    "simulate",
    "simulate_brian2",
    "simulate_model",
]
