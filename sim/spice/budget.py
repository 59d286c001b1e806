"""What a SPICE run will write and hold, estimated from its circuit before ngspice starts.

ngspice's internal step never exceeds the ``.tran`` card's max step, so the run writes at
least ``(stop - start) / max_step`` time points, each holding every saved vector (the probed
nodes and time) as a double in the binary rawfile. A run whose rawfile cannot fit in the memory
budget, once read back, or on the disk of its folder is refused with one
:class:`~vle.model.errors.ModelError` at ``simulation.t_stop``: the analysis end, which with the
time scale and the step sets the number of points.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vle.circuits.circuit import Circuit, Transient
from vle.model.budget import check_memory, format_bytes
from vle.model.errors import ModelError

DEFAULT_POINTS_PER_ANALYSIS = 50
"""ngspice's max step without one on the card: ``(stop - start) / 50`` (or the output step,
if smaller)."""
RAW_COPIES = 3
"""Copies of the rawfile's data in memory while a run is read back: the bytes numpy reads,
the plot's arrays, and the traces converted to model units (:mod:`vle.sim.spice.traces`)."""
KEY = "simulation.t_stop"


@dataclass(frozen=True)
class RawSize:
    """The least a transient writes: ``points`` time points of ``vectors`` doubles."""

    points: float
    vectors: int
    max_step: float
    stop: float

    @property
    def bytes(self) -> float:
        """The rawfile's data in bytes (the header is negligible)."""
        return self.points * self.vectors * 8.0

    def describe(self) -> str:
        return (f".tran to {self.stop:.3g} s in steps of at most {self.max_step:.3g} s: at "
                f"least {self.points:.3g} time points x {self.vectors} vectors, a rawfile of "
                f"{format_bytes(self.bytes)}")


def raw_size(circuit: Circuit, analysis: Transient | None = None) -> RawSize | None:
    """The rawfile of the circuit's (first) transient; None without one."""
    tran = analysis or (circuit.analyses[0] if circuit.analyses else None)
    if tran is None:
        return None
    span = tran.stop - tran.start
    step = tran.max_step or min(tran.step, span / DEFAULT_POINTS_PER_ANALYSIS)
    saved = len(circuit.probes.nodes) if circuit.probes is not None and \
        circuit.probes.nodes else 0
    return RawSize(span / step + 1, saved + 1, step, tran.stop)


def check_spice_run(circuit: Circuit, budget: int | None = None,
                    folder: str | Path | None = None) -> RawSize | None:
    """Refuse a run of ``circuit`` whose rawfile, read back, exceeds ``budget`` bytes (default:
    :func:`vle.model.budget.default_budget`) or does not fit on the disk of ``folder``
    (default: the temporary folder); returns the size estimate."""
    size = raw_size(circuit)
    if size is None:
        return None
    check_memory(KEY, size.bytes * RAW_COPIES, f"{size.describe()}, read back "
                 f"{RAW_COPIES} times", budget)
    where = Path(folder) if folder is not None else Path(tempfile.gettempdir())
    while not where.exists() and where.parent != where:
        where = where.parent
    free = shutil.disk_usage(where).free
    if size.bytes > free:
        raise ModelError(KEY, f"the SPICE run would write {size.describe()}, more than the "
                         f"{format_bytes(free)} free in {where}",
                         "a shorter t_stop, a larger dt, or more free disk space")
    return size
