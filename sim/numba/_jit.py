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

numba's on-disk cache is not safe for processes that compile *different* specialisations of a
kernel at the same time: each rewrites the cache index from its own view, so an index entry can
end up naming another specialisation's machine code, and a later process that loads it crashes
(seen here: a float32 training process segfaulted in the kernel after float32 and float64
processes had run side by side; removing the cache fixed it). The same wrapper therefore takes a
machine-wide file lock (``fcntl``) around the first call of each argument signature in a process,
the call that compiles or loads from the cache; later calls take no lock.

The lock cannot help against a process started before the kernel sources changed (a long
training run while the package is edited or upgraded): numba stamps the cache index with the
source it read at import, a process with other sources finds the index stale, takes it as empty
and writes its machine code to data files numbered from 1 again, over the files the other
version's index names (a segfault was seen here after exactly that). So the kernels' cache
lives in one subfolder per version of this folder's sources
(``__pycache__/vle-<sha256 of the sources>``, :class:`VersionedCacheLocator`): processes with
different sources never share files. A ``NUMBA_CACHE_DIR`` the user sets still wins.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numba
from numba.core import caching

HERE = Path(__file__).resolve().parent


def sources_digest(folder: Path = HERE) -> str:
    """The first 16 hex digits of the SHA-256 of the ``*.py`` files in ``folder`` (names and
    contents, in name order): the version of the kernel sources."""
    h = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


SOURCES_DIGEST = sources_digest()
"""The version of this folder's sources that this process imported."""


class VersionedCacheLocator(caching.InTreeCacheLocator):
    """numba's in-tree cache locator for the kernels of this folder, with one subfolder per
    version of its sources (module docstring); other functions are left to numba's locators."""

    def __init__(self, py_func: Any, py_file: str) -> None:
        super().__init__(py_func, py_file)
        self._cache_path = os.path.join(self._cache_path, f"vle-{SOURCES_DIGEST}")

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> Any:
        if Path(py_file).resolve().parent != HERE:
            return None
        return super().from_function(py_func, py_file)


def _register_locator() -> None:
    """Put :class:`VersionedCacheLocator` before numba's in-tree locator (after the one for a
    user's ``NUMBA_CACHE_DIR``)."""
    classes = caching.CacheImpl._locator_classes
    if VersionedCacheLocator not in classes:
        at = classes.index(caching.InTreeCacheLocator) if caching.InTreeCacheLocator in \
            classes else 0
        classes.insert(at, VersionedCacheLocator)


_register_locator()

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


COMPILE_LOCK = Path(tempfile.gettempdir()) / "vle-numba-compile.lock"
"""The file whose ``flock`` serialises first calls (compiling or loading the cache) across
processes on this machine."""


@contextmanager
def _compile_lock() -> Iterator[None]:
    fd = os.open(COMPILE_LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _shape_key(value: Any) -> Any:
    """What numba's type of an argument depends on, cheaply: for arrays dtype, rank and
    contiguity, for tuples the keys of their items, else the Python type (``numba.typeof`` is
    exact but costs 1.5 ms for the kernels' arguments, 30 times this)."""
    if isinstance(value, tuple):
        return tuple(_shape_key(v) for v in value)
    flags = getattr(value, "flags", None)
    if flags is not None:
        return (value.dtype.str, value.ndim, flags.c_contiguous, flags.f_contiguous,
                flags.writeable)
    return type(value)


def blas_single_threaded(kernel: Callable[..., Any]) -> Callable[..., Any]:
    """``kernel`` called with scipy's BLAS (the one numba's ``np.dot`` uses) held to one thread
    for the call, and restored afterwards; the first call of each argument signature in this
    process (the one that compiles or loads from numba's cache) holds the machine-wide compile
    lock (see the module docstring for both)."""
    ready: set[tuple[Any, ...]] = set()

    @functools.wraps(kernel)
    def call(*args: Any) -> Any:
        with _controller().limit(limits=1, user_api="blas"):
            key = _shape_key(args)
            if key in ready:
                return kernel(*args)
            with _compile_lock():
                out = kernel(*args)
            ready.add(key)
            return out

    return call
