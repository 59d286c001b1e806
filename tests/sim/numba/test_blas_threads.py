"""The kernels run with scipy's BLAS held to one thread and leave the process's setting as it was;
their first call per argument signature holds the machine-wide compile lock.

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
    from vle.sim.numba import driver

    assert getattr(run_kernel, "__wrapped__", None) is driver._run, \
        "run_kernel must be the BLAS-limited wrapper of the compiled step loop"


def test_first_call_of_a_signature_waits_for_the_compile_lock() -> None:
    """Another process compiling (holding the lock) makes a first call wait; a second call of
    the same argument types does not take the lock; new types take it again."""
    import fcntl
    import os
    import threading

    import numpy as np

    calls: list[str] = []
    wrapped = _jit.blas_single_threaded(lambda a: calls.append(a.dtype.str))
    fd = os.open(_jit.COMPILE_LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as another process compiling would
        first = threading.Thread(target=wrapped, args=(np.zeros(2),))
        first.start()
        first.join(0.3)
        assert first.is_alive() and not calls, "the first call did not wait for the lock"
        fcntl.flock(fd, fcntl.LOCK_UN)
        first.join(5)
        assert calls == ["<f8"]
        fcntl.flock(fd, fcntl.LOCK_EX)
        again = threading.Thread(target=wrapped, args=(np.ones(3),))  # same types
        again.start()
        again.join(5)
        assert not again.is_alive() and calls == ["<f8", "<f8"]
        new = threading.Thread(target=wrapped, args=(np.zeros(2, np.float32),))
        new.start()
        new.join(0.3)
        assert new.is_alive(), "a new signature did not take the lock"
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    new.join(5)
    assert calls == ["<f8", "<f8", "<f4"]
