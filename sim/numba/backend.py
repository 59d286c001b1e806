"""The numba reference integrator: the ground truth every other backend is checked against."""

from __future__ import annotations

from vle.sim.array_run import run_arrays
from vle.sim.backend import Backend, RunRequest
from vle.sim.numba.driver import run_kernel
from vle.sim.result import Result


class NumbaBackend(Backend):
    """Compiled reference kernels (:mod:`vle.sim.numba._kernels`), schemes ``exact`` and ``euler``
    (:mod:`vle.sim.schemes`), float64, with a batch dimension.

    The first call in a fresh environment compiles the kernels (a few seconds); later processes
    load them from numba's cache.
    """

    name = "numba"

    def unavailable(self) -> str | None:
        try:
            import numba  # noqa: F401
        except ImportError:
            return "numba is not installed; run `pip install numba` (or `make test` in the repo)"
        return None

    def run(self, request: RunRequest) -> Result:
        return run_arrays(request, run_kernel, self.name, ("numba",))
