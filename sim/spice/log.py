"""What ngspice's output says about a run: the problems that make it a failure, the other
warnings, and how far the simulation got.

ngspice exits with status 0 after rescuing a singular matrix by gmin or source stepping (the
result is then meaningless), and reports most trouble only in its output, so every runner
scans the text with :func:`scan_log` and treats any :data:`FATAL` match as a failed run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FATAL: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"\berror\b",
    r"singular matrix",
    r"timestep too small",
    r"\baborted\b",
    r"stepping failed",
    r"\binterrupted\b",
    r"aren't any circuits loaded",
    r"can't find model",
    r"no such vector",
    r"\bnan\b",
))
"""Lines that make a run a failure: errors, singular matrices (even when rescued), step-size
collapse, aborted or interrupted runs, failed convergence aids, missing models and circuits,
and NaN values."""

_TITLE = "Circuit:"
_WARNING = re.compile(r"^\s*warning\b", re.IGNORECASE)
_TIME = re.compile(r"\btime\s*=\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")


@dataclass(frozen=True)
class LogScan:
    """The result of scanning ngspice's output: ``problems`` (lines matching :data:`FATAL`,
    in order, without repeats), ``warnings`` (other warning lines) and ``reached``, the
    simulated time (seconds) a failure message states, if any."""

    problems: tuple[str, ...]
    warnings: tuple[str, ...]
    reached: float | None

    @property
    def failed(self) -> bool:
        """True when any line makes the run a failure."""
        return bool(self.problems)

    def summary(self, limit: int = 3) -> str:
        """The first ``limit`` problems, one after the other, for an error message."""
        shown = "; ".join(self.problems[:limit])
        more = len(self.problems) - limit
        return shown + (f" (and {more} more problem lines)" if more > 0 else "")


def scan_log(text: str) -> LogScan:
    """Scan ngspice's output ``text`` (stdout and stderr together) for trouble."""
    problems: dict[str, None] = {}
    warnings: dict[str, None] = {}
    reached: float | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(_TITLE):
            continue  # the circuit's title may contain any word
        if any(p.search(line) for p in FATAL):
            problems.setdefault(line)
            match = _TIME.search(line)
            if match and reached is None:
                reached = float(match.group(1))
        elif _WARNING.search(line):
            warnings.setdefault(line)
    return LogScan(tuple(problems), tuple(warnings), reached)
