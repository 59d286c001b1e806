"""The one place where numba is configured for the reference kernels.

``fastmath`` is off: the reference must round like plain IEEE arithmetic so that other backends
can be compared with it to rounding. ``cache`` writes compiled kernels next to the sources so a
second process loads them in milliseconds.
"""

from __future__ import annotations

import numba

jit = numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy")
