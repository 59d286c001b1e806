"""The memory budget of a run, and the one error of a run that cannot fit in it.

A run is refused before any work starts when the estimate of what it must hold (parameters,
recorded traces, sampled targets, a SPICE rawfile) exceeds the budget: one
:class:`~vle.model.errors.ModelError` naming the key that makes it large and the estimate,
instead of a numpy traceback after trying to allocate it. The estimates live where the run is
known (:mod:`vle.sim.budget`, :mod:`vle.sim.spice.budget`; the parameters of a model file in
:mod:`vle.model.loader`); this module holds the budget, the byte formats and the error.
"""

from __future__ import annotations

import os
import re

from vle.model.errors import ModelError

MEMORY_FRACTION = 0.5
"""Default budget: half of the machine's physical memory (read with ``os.sysconf``; psutil is
not a dependency). A run shares the machine with other jobs (two cores, several users) and
needs headroom beyond the estimate for numpy temporaries and for writing its results."""
FALLBACK_BUDGET = 4 * 2**30
"""The budget where the physical memory cannot be read (``os.sysconf`` without
``SC_PHYS_PAGES``): 4 GiB, a laptop's share."""

_UNITS = {"": 1, "b": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?(?:e[+-]?\d+)?)\s*([kmgt]?)(?:i?b)?\s*\Z", re.IGNORECASE)


def machine_memory() -> int | None:
    """This machine's physical memory in bytes (None when the system does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def default_budget() -> int:
    """The memory budget when none is given: :data:`MEMORY_FRACTION` of the machine's."""
    total = machine_memory()
    return int(total * MEMORY_FRACTION) if total else FALLBACK_BUDGET


def budget_text() -> str:
    """Where the default budget comes from, for messages and help texts."""
    total = machine_memory()
    if total is None:
        return f"{format_bytes(FALLBACK_BUDGET)} (the machine's memory is unknown)"
    return (f"{format_bytes(default_budget())}, {MEMORY_FRACTION:g} of this machine's "
            f"{format_bytes(total)}")


def format_bytes(n: float) -> str:
    """``8e9`` -> ``'7.45 GiB'`` (binary prefixes, up to EiB)."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} EiB"


def parse_bytes(text: str) -> int:
    """``'2G'``, ``'500MiB'``, ``'1.5g'``, ``'1e9'`` -> bytes (binary prefixes); a
    ``ValueError`` says what is accepted."""
    match = _SIZE.match(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a memory size; give a number of bytes with an "
                         "optional K, M, G or T (binary: 2G = 2 GiB)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def check_memory(key: str, estimate: float, what: str, budget: int | None = None) -> None:
    """Refuse a run whose ``estimate`` (bytes) exceeds ``budget`` (default
    :func:`default_budget`): a :class:`ModelError` at ``key`` saying ``what`` needs the
    memory and how to proceed."""
    limit = default_budget() if budget is None else budget
    if estimate <= limit:
        return
    source = f"--max-memory {format_bytes(limit)}" if budget is not None else budget_text()
    raise ModelError(key, f"the run needs about {format_bytes(estimate)} of memory ({what}), "
                     f"more than the budget of {source}",
                     "a smaller run (see the key), fewer recorded traces (--record, "
                     "--record-every) or a larger --max-memory")
