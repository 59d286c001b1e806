"""Simulation backends behind one interface, and their results.

A folder per backend, each registered under its name: ``numba`` (:mod:`vle.sim.numba`, the
reference), ``numpy`` (:mod:`vle.sim.numpy`, an independent plain-numpy implementation of the
same schemes, for checks and baselines), ``brian2`` (:mod:`vle.sim.brian2`, the model emitted as
Brian2 equations), ``spice`` (:mod:`vle.sim.spice`, the model compiled into a circuit and run by
ngspice).

The modules at this level are the shared layer every backend builds on: the interface and
registry (:mod:`~vle.sim.backend`), the entry points (:mod:`~vle.sim.simulate`), schemes,
grid signals (:mod:`~vle.sim.inputs`), targets, recording, results, provenance and run
metadata, the memory estimate of a run (:mod:`~vle.sim.budget`), the flat network layout
and initial parameters, the argument convention and runner of the array backends
(:mod:`~vle.sim.kernel_args`, :mod:`~vle.sim.array_run`), and the comparison of traces and
backends (:mod:`~vle.sim.trace_comparison`, :mod:`~vle.sim.backend_comparison`).

May import: numpy, scipy, xarray, :mod:`vle.model`; the spice backend also :mod:`vle.circuits`
and :mod:`vle.mapping`. The shared layer never imports a backend (only this file does, to
register them); a backend never imports another; nothing here imports :mod:`vle.learning` or
the face (:mod:`vle` itself, its CLI and plots).
"""

from vle.sim.backend import (
    Backend,
    BackendUnavailable,
    RunRequest,
    backend_names,
    get_backend,
    register_backend,
)
from vle.sim.brian2 import Brian2Backend, brian2_equations, brian2_network, simulate_brian2
from vle.sim.numba import NumbaBackend
from vle.sim.numpy import NumpyBackend
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
