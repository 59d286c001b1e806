"""The reference's own driver, for loops that step the numba reference themselves.

Training (:mod:`vle.learning`) advances the reference chunk by chunk, reads and restores its
arrays for checkpoints and changes the learning rate between batches; a backend's ``run`` only
goes from t = 0 to the end. These two names are the whole of what such loops may use, so the
kernels stay private:

- :func:`reference_run`: an :class:`~vle.sim.array_run.ArrayRun` of a request on the compiled
  kernels (``advance(n0, n1)``, ``args``, ``traces()``);
- :data:`run_kernel`: the compiled step loop itself, with the argument convention of
  :class:`~vle.sim.kernel_args.KernelArgs`, for loops that build their own arguments (datasets).
"""

from __future__ import annotations

from typing import Any

import numba

from vle.sim.array_run import ArrayRun
from vle.sim.backend import RunRequest, get_backend
from vle.sim.numba import _kernels
from vle.sim.numba._jit import blas_single_threaded


def _run(*args: Any) -> Any:
    return _kernels.run(*args, numba.get_num_threads())


run_kernel = blas_single_threaded(_run)
"""The compiled step loop: ``run_kernel(n_begin, n_end, x, y, tables, unit, weights, scal,
flags, state, opt, rec, loss_out)`` advances the state from grid index ``n_begin`` to
``n_end`` in place (see :func:`vle.sim.numba._kernels.run`) on numba's current number of
threads, with BLAS single-threaded inside (:func:`vle.sim.numba._jit.blas_single_threaded`)."""


def reference_run(request: RunRequest) -> ArrayRun:
    """A run of ``request`` on the numba reference that the caller advances itself; reports a
    missing numba clearly (:class:`~vle.sim.backend.BackendUnavailable`)."""
    get_backend("numba")
    return ArrayRun(request, run_kernel)
