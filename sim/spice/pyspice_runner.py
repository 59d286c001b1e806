"""The PySpice runner: ngspice as a shared library in this process (PySpice's NgSpiceShared).

For interactive use and for re-running a loaded circuit with ``alter``-ed values (small Monte
Carlo loops and sweeps) without parsing the netlist again. Every quirk of PySpice 1.5 with
ngspice 39 is contained here:

- creating the instance logs "Unsupported Ngspice version 39", and PySpice logs every line
  ngspice writes to stderr as an error: its loggers are silenced while this module talks to
  it (the output is judged by :func:`~vle.sim.spice.log.scan_log`, as for the batch runner);
- a harmless note on stderr ("Note: Starting dynamic gmin stepping", "run simulation
  interrupted" after a requested halt) makes ``exec_command`` and ``load_circuit`` raise:
  those exceptions are caught and the captured output is scanned instead;
- its background-thread callback returns None where ngspice expects an int (cffi prints
  "an integer is required" on every background run), and it reads the flag the wrong way
  round (ngspice passes True when the thread has *exited*): :class:`_Shared` returns 0 and
  signals an event when the thread exits, which is how a run is awaited (polling
  ``ngSpice_running`` right after ``bg_run`` races with the thread's start);
- the library holds one simulator per process, so there is one :class:`_Shared` per process,
  used under a lock, and runs in the same process are serialised;
- loaded circuits and their plots stay in memory until removed: every run ends with
  ``remcirc`` and ``destroy all``.

Runs happen in ngspice's background thread so a time limit can halt them (``bg_halt``).
"""

from __future__ import annotations

import contextlib
import ctypes.util
import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vle.sim.spice.errors import INSTALL_LIBNGSPICE, SpiceError, SpiceNotFound, SpiceTimeout
from vle.sim.spice.log import LogScan, scan_log
from vle.sim.spice.rawfile import RawPlot
from vle.sim.spice.runner import DEFAULT_TIMEOUT_S, Runner, SpiceRun, analysis_stop, check_run

_LOCK = threading.Lock()
_INSTANCE: list[Any] = []


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """PySpice's loggers silenced (see the module docstring)."""
    logger = logging.getLogger("PySpice")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _shared() -> Any:
    """The one NgSpiceShared of this process (created on first use)."""
    if _INSTANCE:
        return _INSTANCE[0]
    with _quiet():
        from PySpice.Spice.NgSpice.Shared import NgSpiceShared

        class _Shared(NgSpiceShared):
            exited = threading.Event()

            def _background_thread_running(self, exited: bool, ngspice_id: int,
                                           user_data: Any) -> int:
                self._is_running = not exited
                if exited:
                    self.exited.set()
                return 0

        try:
            instance = _Shared(ngspice_id=0)
        except OSError as exc:
            raise SpiceNotFound(f"PySpice cannot load libngspice ({exc}); install it with "
                                f"`{INSTALL_LIBNGSPICE}`") from None
    _INSTANCE.append(instance)
    return instance


class _Session:
    """The shared simulator for one sequence of commands (used under the process lock,
    with PySpice's loggers quiet)."""

    def __init__(self, where: str) -> None:
        self.ng = _shared()
        self.where = where
        self.output: list[str] = []

    def _call(self, method: str, argument: str) -> None:
        """``ng.<method>(argument)``, with PySpice's exception for anything on stderr (even a
        harmless note) dropped: the output is collected and judged by the scan instead."""
        from PySpice.Spice.NgSpice.Shared import NgSpiceCircuitError, NgSpiceCommandError

        try:
            getattr(self.ng, method)(argument)
        except (NgSpiceCommandError, NgSpiceCircuitError):
            pass
        self._collect()

    def command(self, text: str) -> None:
        """Send the command ``text``."""
        self._call("exec_command", text)

    def load(self, netlist: str) -> None:
        """Parse ``netlist``; a netlist ngspice refuses is a :class:`SpiceError`."""
        self._call("load_circuit", netlist)
        scan = scan_log(self.log)
        if scan.failed:
            raise SpiceError(self.where, scan.summary(), log=self.log)

    def run(self, timeout: float, stop: float | None) -> tuple[RawPlot, LogScan]:
        """Run the loaded circuit in the background thread within ``timeout`` seconds;
        its transient plot and the scan of its output (judged as the batch runner's)."""
        self.ng.exited.clear()
        self.command("bg_run")
        if not self.ng.exited.wait(timeout):
            self.command("bg_halt")
            self.ng.exited.wait()
            self._collect()
            plot = self.plot()
            reached = float(plot.scale[-1]) if plot.points else None
            raise SpiceTimeout(self.where, f"no result within {timeout:g} s (the run was "
                               "halted)", reached=reached, stop=stop, log=self.log)
        self._collect()
        plot = self.plot()
        return plot, check_run(self.where, self.log, plot, stop)

    def plot(self) -> RawPlot:
        """The current plot, with vector names as in a raw file (``v(node)``)."""
        name = self.ng.last_plot
        vectors = self.ng.plot(None, name)
        variables: list[tuple[str, str]] = []
        columns: list[np.ndarray] = []
        for key, vec in vectors.items():
            data = np.asarray(vec._data)
            if key == "time":
                variables.insert(0, ("time", "time"))
                columns.insert(0, data)
                continue
            variables.append((f"v({key})" if vec.is_voltage_node else key,
                              "voltage" if vec.is_voltage_node else "current"))
            columns.append(data)
        table = np.stack(columns, axis=1) if columns else np.zeros((0, 0))
        kind = "Transient Analysis" if name.startswith("tran") else name
        return RawPlot(self.where, kind, ("real",), tuple(variables), table)

    def close(self) -> None:
        """Remove the circuit and every plot."""
        self.command("remcirc")
        self.command("destroy all")

    @property
    def log(self) -> str:
        return "\n".join(self.output)

    def _collect(self) -> None:
        self.output += list(self.ng._stdout) + list(self.ng._stderr)
        self.ng.clear_output()


def device_name(flat_name: str) -> str:
    """ngspice's name of a flattened element: ``xsec_h1_0.R1`` -> ``r.xsec_h1_0.r1`` (inside
    subcircuits ngspice prefixes the path with the element's type letter), ``Vone`` ->
    ``vone``."""
    path, _, leaf = flat_name.lower().rpartition(".")
    return f"{leaf[0]}.{path}.{leaf}" if path else leaf


class PySpiceRunner(Runner):
    """In-process ngspice through PySpice (see the module docstring for what it works
    around)."""

    name = "pyspice"

    def unavailable(self) -> str | None:
        try:
            with _quiet():
                import PySpice  # noqa: F401
        except ImportError:
            return "PySpice is not installed; run `pip install PySpice`"
        if not (os.environ.get("NGSPICE_LIBRARY_PATH") or ctypes.util.find_library("ngspice")):
            return f"libngspice is not installed; install it with `{INSTALL_LIBNGSPICE}`"
        return None

    def run(self, netlist: str, *, name: str = "circuit", workdir: str | Path | None = None,
            timeout: float | None = None, keep: bool = False) -> SpiceRun:
        # in process: no files unless workdir, so nothing temporary to keep or remove
        return self.sweep(netlist, [{}], name=name, workdir=workdir, timeout=timeout)[0]

    def sweep(self, netlist: str, changes: Sequence[Mapping[str, float]], *,
              name: str = "circuit", workdir: str | Path | None = None,
              timeout: float | None = None) -> list[SpiceRun]:
        """Load ``netlist`` once and run it once per entry of ``changes``, each a mapping
        from an ngspice device parameter (``'r.xsec_h1_0.r1[resistance]'``, or a device name
        such as ``'r.xsec_h1_0.r1'`` for its main value; see :func:`device_name`) to the
        value to ``alter`` it to before that run. Altered values persist into later runs.
        ``workdir``, if given, receives a copy of the netlist (for messages); ``timeout``
        applies to each run."""
        where = f"{name} (in-process PySpice)"
        if workdir is not None:
            path = Path(workdir) / f"{name}.cir"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(netlist)
            where = f"{path} (in-process PySpice)"
        stop = analysis_stop(netlist)
        limit = timeout or DEFAULT_TIMEOUT_S
        runs: list[SpiceRun] = []
        with _LOCK, _quiet():  # quiet for the whole session: the run thread logs too
            session = _Session(where)
            try:
                session.load(netlist)
                for change in changes:
                    start = time.perf_counter()
                    session.output = []
                    for key, value in change.items():
                        session.command(_alter(key, value))
                    plot, scan = session.run(limit, stop)
                    runs.append(SpiceRun(where, plot, session.log, scan.warnings,
                                         time.perf_counter() - start, self.name))
                    session.command("destroy all")
            finally:
                session.close()
        return runs


def _alter(key: str, value: float) -> str:
    """The ``alter`` command setting ``key`` (``device[param]`` or ``device``) to
    ``value``."""
    if not np.isfinite(value):
        raise ValueError(f"alter {key}: value {value!r} is not a finite number")
    if any(c.isspace() or c in ";=" for c in key):
        raise ValueError(f"alter: {key!r} is not a device or device[parameter] name")
    if "[" in key:
        return f"alter @{key}={float(value):.17g}"
    return f"alter {key} {float(value):.17g}"
