"""The one place where numba is configured for the reference kernels.

``fastmath`` is off: the reference must round like plain IEEE arithmetic so that other backends
can be compared with it to rounding. ``error_model="numpy"`` lets division follow IEEE (no
Python exception checks), which also lets loops vectorise. ``cache`` writes compiled kernels
next to the sources so a second process loads them in milliseconds.
"""

from __future__ import annotations

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
