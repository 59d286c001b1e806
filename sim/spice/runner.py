"""The runner interface: netlist text in, the transient plot and ngspice's log out.

Two runners implement it: ``batch`` (:mod:`~vle.sim.spice.batch`, one ``ngspice -b``
process per run) and ``pyspice`` (:mod:`~vle.sim.spice.pyspice_runner`, ngspice as a shared
library inside this process). Both judge a run the same way (:func:`check_run`): a run that
ngspice reports as troubled is a :class:`~vle.sim.spice.errors.SpiceError`, whatever its exit
status.
"""

from __future__ import annotations

import importlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

from vle.circuits.engineering import parse_value
from vle.sim.spice.errors import SpiceError, SpiceNotFound
from vle.sim.spice.log import LogScan, scan_log
from vle.sim.spice.rawfile import RawPlot

DEFAULT_TIMEOUT_S = 900.0
"""Wall-clock limit of one run (seconds). Measured with ``benchmarks/spice.py`` (3 tanh layers,
ideal technology): 1.9 s per simulated model time unit at 100 units per layer, 40 s at 300; a
quarter of an hour lets a run of tens of time units of a network of that size finish and stops
one that hangs."""


@dataclass(frozen=True, eq=False)
class SpiceRun:
    """A finished, clean run: where the ``netlist`` was (a file, or a title for an in-process
    run), the transient ``plot`` (time in seconds, node voltages in volts), ngspice's ``log``,
    the ``warnings`` it printed that did not make the run fail, the wall time and the
    runner's name."""

    netlist: str
    plot: RawPlot
    log: str
    warnings: tuple[str, ...]
    wall_time_s: float
    runner: str


class Runner(ABC):
    """Runs netlists in ngspice."""

    name: str = ""

    def unavailable(self) -> str | None:
        """None when the runner can work here, else what to install."""
        return None

    @abstractmethod
    def run(self, netlist: str, *, name: str = "circuit", workdir: str | Path | None = None,
            timeout: float | None = None, keep: bool = False) -> SpiceRun:
        """Simulate the netlist text ``netlist`` (called ``name`` in files and messages;
        ``workdir`` keeps the files, default a temporary folder that is removed afterwards
        unless ``keep``) within ``timeout`` seconds (default :data:`DEFAULT_TIMEOUT_S`).
        Raises :class:`SpiceError` (or its :class:`SpiceTimeout`) when the run fails."""


_RUNNERS: dict[str, str] = {
    "batch": "vle.sim.spice.batch:BatchRunner",
    "pyspice": "vle.sim.spice.pyspice_runner:PySpiceRunner",
}
"""Runner name -> ``module:class`` (imported on use, so PySpice loads only when asked for)."""


def runner_names() -> tuple[str, ...]:
    """The runner names."""
    return tuple(_RUNNERS)


def get_runner(name: str = "batch") -> Runner:
    """A ready runner called ``name``; :class:`SpiceNotFound` (with the install command)
    when it cannot work here."""
    try:
        module, cls = _RUNNERS[name].split(":")
    except KeyError:
        raise ValueError(f"unknown SPICE runner {name!r}; use one of "
                         f"{', '.join(_RUNNERS)}") from None
    runner: Runner = getattr(importlib.import_module(module), cls)()
    problem = runner.unavailable()
    if problem:
        raise SpiceNotFound(f"SPICE runner {name!r} cannot run here: {problem}")
    return runner


_TRAN = re.compile(r"^\s*\.tran\s+(\S+)\s+(\S+)", re.IGNORECASE | re.MULTILINE)


def analysis_stop(netlist: str) -> float | None:
    """The end time (seconds) of the netlist's ``.tran`` analysis, None without one."""
    match = _TRAN.search(netlist)
    if match is None:
        return None
    try:
        return parse_value(match.group(2))
    except ValueError:
        return None


def check_run(where: str, log: str, plot: RawPlot | None, stop: float | None) -> LogScan:
    """Raise :class:`SpiceError` if ``log`` reports trouble or the run stopped before
    ``stop``; return the scan otherwise. ``where`` names the netlist, ``plot`` is what the
    run left (possibly partial)."""
    scan = scan_log(log)
    reached = scan.reached
    if reached is None and plot is not None and plot.points:
        reached = float(plot.scale[-1].real)
    if scan.failed:
        raise SpiceError(where, scan.summary(), reached=reached, stop=stop, log=log)
    if plot is None:
        raise SpiceError(where, "ngspice wrote no transient analysis (does the netlist have a "
                         "'.tran' card?)", stop=stop, log=log)
    if stop is not None and plot.points and reached is not None and \
            reached < stop * (1 - 1e-9):
        raise SpiceError(where, "the transient analysis ended early without an error message",
                         reached=reached, stop=stop, log=log)
    return scan
