"""The one place where numba is configured for the reference kernels.

``fastmath`` is off: the reference must round like plain IEEE arithmetic so that other backends
can be compared with it to rounding. ``error_model="numpy"`` lets division follow IEEE (no
Python exception checks), which also lets loops vectorise. ``cache`` writes compiled kernels
next to the sources so a second process loads them in milliseconds.

The kernels' matrix products call scipy's OpenBLAS (numba's ``np.dot``) from inside numba's own
threads (the euler scheme runs populations in parallel). Left at its default, OpenBLAS starts
threads of its own for products above its size threshold, and on two cores the two thread pools
oversubscribe: measured on MNIST-1D's 15k network, 1000 test sequences took 4.3 s at batch
1000 and 7.7 s at batch 400 against 0.26 s at batch 200 (0.36 s at batch 1000 with one BLAS
thread). :func:`blas_single_threaded` wraps every kernel call so BLAS stays single-threaded
inside the kernels (threadpoolctl, 15 us per call; numpy's own BLAS outside is untouched).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numba

OPTIONS: dict[str, Any] = {"cache": True, "fastmath": False, "nogil": True,
                           "error_model": "numpy"}


def jit(fn: Callable[..., Any] | None = None, **extra: Any) -> Any:
    """``numba.njit`` with the reference options (``extra`` adds e.g. ``inline="always"``)."""
    options = {**OPTIONS, **extra}
    if fn is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(fn)


@functools.cache
def _controller() -> Any:
    import scipy.linalg.cython_blas  # noqa: F401  (load the BLAS numba calls before limiting)
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def blas_single_threaded(kernel: Callable[..., Any]) -> Callable[..., Any]:
    """``kernel`` called with scipy's BLAS (the one numba's ``np.dot`` uses) held to one thread
    for the call, and restored afterwards (see the module docstring for why)."""

    @functools.wraps(kernel)
    def call(*args: Any) -> Any:
        with _controller().limit(limits=1, user_api="blas"):
            return kernel(*args)

    return call
