"""Importing Brian2 for vle: one place for its process-wide settings, and the time unit.

Time mapping: **one model time unit is one second of Brian2 time** (:data:`TIME_UNIT_NAME`). Model
values are plain numbers; the emitted equations give ``tau_m``, ``tau_r`` and ``dt`` in seconds,
so a Brian2 time in seconds equals the model time (multiplying by one loses nothing to
rounding). Where the brian2 API takes a time, a Brian2 quantity (``20 * ms``) is accepted as
well and converted by :func:`model_time`.

:func:`import_brian2` imports Brian2 once, leaves the interpreter's exception hook and warning
display as they were, and turns off the files Brian2's logger writes to the temporary folder:
the debug log (``logging.file_log``), the copy of the running script (``logging.save_script``)
and the files that capture compiler output (``logging.std_redirection_to_file``; the
cpp_standalone compiler's output goes to a log in its build folder instead). Brian2 creates the
first two while it is imported; they are closed and removed at once.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from types import ModuleType
from typing import Any

TIME_UNIT_NAME = "second"
"""The Brian2 unit that one model time unit maps to."""

INSTALL_HINT = ("install brian2 >= 2.10 (Python >= 3.12; brian2 2.11 needs Python 3.13), e.g. "
                "`pip install 'brian2>=2.10'` or `make venv` in the vle repository")


def brian2_problem() -> str | None:
    """None when Brian2 can be imported, else what to install."""
    try:
        import_brian2()
    except ImportError as exc:
        return f"brian2 cannot be imported ({exc}); {INSTALL_HINT}"
    return None


@functools.cache
def import_brian2() -> ModuleType:
    """The ``brian2`` module, imported once with its log files turned off."""
    hook = sys.excepthook
    import brian2
    from brian2.utils.logger import BrianLogger

    # Brian2's logger reports every uncaught exception (a vle ModelError too) as a possible
    # Brian2 bug and reroutes Python warnings through itself: undo both for the host program.
    sys.excepthook = hook
    logging.captureWarnings(False)

    prefs = brian2.prefs
    prefs["logging.file_log"] = False
    prefs["logging.save_script"] = False
    prefs["logging.std_redirection_to_file"] = False
    handler = BrianLogger.file_handler
    if handler is not None:
        handler.close()
        logging.getLogger("brian2").removeHandler(handler)
        BrianLogger.file_handler = None
    for attr in ("tmp_log", "tmp_script"):
        path = getattr(BrianLogger, attr, None)
        if path:
            for p in (path, f"{path}.1"):
                if os.path.exists(p):
                    os.remove(p)
            setattr(BrianLogger, attr, None)
    return brian2


def time_unit() -> Any:
    """One model time unit as a Brian2 quantity (:data:`TIME_UNIT_NAME`)."""
    return getattr(import_brian2(), TIME_UNIT_NAME)


def model_time(value: Any, name: str = "time") -> float:
    """``value`` in model time units: a plain number is taken as it is, a Brian2 quantity of
    time is divided by :func:`time_unit` (``0.5 * second`` is 0.5)."""
    if isinstance(value, (int, float)) and not hasattr(value, "dim"):
        return float(value)
    b2 = import_brian2()
    if isinstance(value, b2.Quantity):
        if value.dim != b2.second.dim:
            raise ValueError(f"{name} must be a time, got {value!r}")
        return float(value / time_unit())
    raise TypeError(f"{name} must be a number (model time units) or a Brian2 time, "
                    f"got {value!r}")
