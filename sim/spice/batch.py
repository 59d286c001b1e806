"""The batch runner: ``ngspice -b -r out.raw netlist.cir`` in a subprocess.

The netlist and raw file live in a working folder: the one given (kept), or a temporary one
that is removed after the run, after a timeout and after an interruption (Ctrl-C, or a kill
of ``vle``, which the CLI turns into an interruption), unless ``keep``. A run that ngspice
reports as failed keeps only its netlist there, the file its error names; the rawfile (tens
of megabytes for a long run) goes. ngspice runs in its own process group with a time limit:
on timeout, interruption or any other exception the whole group is killed and reaped, so no
process is left behind.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from vle.sim.spice.errors import INSTALL_NGSPICE, RawFileError, SpiceError, SpiceTimeout
from vle.sim.spice.rawfile import RawPlot, read_raw, transient
from vle.sim.spice.runner import DEFAULT_TIMEOUT_S, Runner, SpiceRun, analysis_stop, check_run

EXECUTABLE = "ngspice"
TEMP_PREFIX = "vle-spice-"
"""Name prefix of the temporary folders of runs (under ``tempfile.gettempdir()``)."""
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def find_ngspice() -> str | None:
    """The ngspice executable on ``PATH`` (None when missing)."""
    return shutil.which(EXECUTABLE)


@functools.cache
def ngspice_version(executable: str) -> str:
    """The version ``executable -v`` states (``'39'``), or ``'unknown'``."""
    try:
        out = subprocess.run([executable, "-v"], capture_output=True, text=True, timeout=30,
                             stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    match = re.search(r"ngspice-(\S+)", out)
    return match.group(1) if match else "unknown"


class BatchRunner(Runner):
    """One ngspice process per run (``ngspice -b -r``); ``executable`` defaults to the
    ``ngspice`` on ``PATH``."""

    name = "batch"

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable or find_ngspice()

    def unavailable(self) -> str | None:
        if self.executable is None:
            return f"ngspice is not installed (not on PATH); install it with `{INSTALL_NGSPICE}`"
        return None

    @property
    def version(self) -> str:
        """The ngspice version this runner calls."""
        return ngspice_version(self.executable) if self.executable else "not installed"

    def run(self, netlist: str, *, name: str = "circuit", workdir: str | Path | None = None,
            timeout: float | None = None, keep: bool = False) -> SpiceRun:
        problem = self.unavailable()
        if problem or self.executable is None:
            raise SpiceError(name, problem or "no ngspice")
        if not _NAME.fullmatch(name):
            raise ValueError(f"run name {name!r}: use letters, digits, '_', '.' and '-' (it "
                             "names the netlist and raw files)")
        temporary = workdir is None and not keep
        folder = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(
            prefix=TEMP_PREFIX))
        cir, raw = folder / f"{name}.cir", folder / f"{name}.raw"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            cir.write_text(netlist)
            raw.unlink(missing_ok=True)
            run = self._run(netlist, cir, raw, timeout or DEFAULT_TIMEOUT_S)
        except SpiceTimeout as exc:
            if not temporary:
                raise
            raise SpiceTimeout(exc.netlist, f"{exc.problem}; its temporary folder was removed "
                               "(keep=True, or --keep, keeps it)", reached=exc.reached,
                               stop=exc.stop, log=exc.log) from None
        except SpiceError:
            if temporary:
                # the netlist its error names stays for inspection; the rawfile goes
                for path in folder.iterdir():
                    if path != cir:
                        path.unlink(missing_ok=True)
                temporary = False
            raise
        finally:
            if temporary:
                shutil.rmtree(folder, ignore_errors=True)
        return run

    def _run(self, netlist: str, cir: Path, raw: Path, timeout: float) -> SpiceRun:
        assert self.executable is not None
        where = str(cir)
        stop = analysis_stop(netlist)
        start = time.perf_counter()
        proc = subprocess.Popen([self.executable, "-b", "-r", raw.name, cir.name],
                                cwd=cir.parent, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            log, _ = proc.communicate()
            plot = _partial(raw)
            reached = float(plot.scale[-1]) if plot is not None and plot.points else None
            raise SpiceTimeout(where, f"no result within {timeout:g} s (ngspice was stopped)",
                               reached=reached, stop=stop,
                               log=log.decode(errors="replace")) from None
        finally:
            if proc.poll() is None:  # interrupted or failed while waiting: leave nothing behind
                _kill_group(proc)
        text = log.decode(errors="replace")
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            check_run(where, text, _partial(raw), stop)
            raise SpiceError(where, f"ngspice exited with status {proc.returncode}: "
                             f"{_tail(text)}", stop=stop, log=text)
        try:
            plot = transient(read_raw(raw), str(raw)) if raw.exists() else None
        except RawFileError as exc:
            raise SpiceError(where, f"its result cannot be read: {exc}", log=text) from None
        scan = check_run(where, text, plot, stop)
        assert plot is not None
        return SpiceRun(where, plot, text, scan.warnings, wall, self.name)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill ngspice's process group (it runs in a session of its own) and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _partial(raw: Path) -> RawPlot | None:
    """What a stopped run left in its raw file (None if nothing readable)."""
    try:
        plots = read_raw(raw, partial=True)
    except RawFileError:
        return None
    return plots[-1] if plots else None


def _tail(text: str, lines: int = 5) -> str:
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(kept[-lines:]) or "no output"
