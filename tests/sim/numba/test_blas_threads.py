"""The kernels run with scipy's BLAS held to one thread and leave the process's setting as it was.

On the 2-core machines OpenBLAS's own threads inside numba's threads oversubscribed the cores
(1000 MNIST-1D sequences: 4.3 s at batch 1000, 0.36 s with one BLAS thread), so every kernel
call goes through :func:`vle.sim.numba._jit.blas_single_threaded`. The limit cannot be seen
from inside a compiled kernel; what is checked here is that the wrapper sets it for the call
and restores it after, and that the public kernel is the wrapped one.
"""

from __future__ import annotations

from threadpoolctl import threadpool_info

from vle.sim.numba import _jit, run_kernel


def _blas_threads() -> list[int]:
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def test_limit_is_set_for_the_call_and_restored() -> None:
    seen: list[list[int]] = []
    wrapped = _jit.blas_single_threaded(lambda *a: seen.append(_blas_threads()) or a)
    _jit._controller()  # loads scipy's BLAS, so "before" sees it
    before = _blas_threads()
    assert wrapped(1, 2) == (1, 2)
    assert seen and all(n == 1 for n in seen[0]), f"BLAS threads inside the call: {seen}"
    assert _blas_threads() == before


def test_public_kernel_is_wrapped() -> None:
    from vle.sim.numba import _kernels

    assert getattr(run_kernel, "__wrapped__", None) is _kernels.run, \
        "run_kernel must be the BLAS-limited wrapper of the compiled step loop"
