"""The errors of SPICE runs: one type per way a run can fail, each with one clear message.

Every message names the netlist, says what went wrong and, where ngspice got that far, the
simulated time reached (seconds of circuit time)::

    ngspice failed on netlist /tmp/vle-spice-1/lagline.cir (vle lagline ideal) at t = 1.2e-05 s
    of 0.04 s: doAnalyses: TRAN:  Timestep too small; time = 1.2e-05, timestep = 1.25e-18
"""

from __future__ import annotations

from vle.sim.backend import BackendUnavailable

INSTALL_NGSPICE = "sudo apt-get install ngspice"
"""How to install ngspice on Debian and Ubuntu (the machines vle is developed on)."""
INSTALL_LIBNGSPICE = "sudo apt-get install libngspice0-dev"
"""How to install the shared ngspice library that PySpice loads."""


class SpiceError(RuntimeError):
    """A SPICE run failed: ``netlist`` (a path or a title), the ``problem`` (ngspice's own
    words where it gave any), the simulated time ``reached`` and the analysis end ``stop``
    (seconds; None when unknown) and the ``log`` ngspice wrote."""

    def __init__(self, netlist: str, problem: str, *, reached: float | None = None,
                 stop: float | None = None, log: str = "") -> None:
        self.netlist = netlist
        self.problem = problem
        self.reached = reached
        self.stop = stop
        self.log = log
        where = f" at t = {reached:.6g} s" if reached is not None else ""
        if where and stop is not None:
            ended = reached >= stop * (1 - 1e-9)  # type: ignore[operator]
            where = f" (it ran to the end, t = {stop:.6g} s)" if ended else \
                f"{where} of {stop:.6g} s"
        super().__init__(f"{self.what} on netlist {netlist}{where}: {problem}")

    what = "ngspice failed"

    def __reduce__(self) -> tuple[object, ...]:
        # rebuilt from the constructor's arguments, so errors cross process boundaries
        return (_rebuild, (type(self), self.netlist, self.problem, self.reached, self.stop,
                           self.log))


def _rebuild(cls: type[SpiceError], netlist: str, problem: str, reached: float | None,
             stop: float | None, log: str) -> SpiceError:
    return cls(netlist, problem, reached=reached, stop=stop, log=log)


class SpiceTimeout(SpiceError):
    """ngspice did not finish within the time limit (it was stopped, nothing is left
    running)."""

    what = "ngspice timed out"


class SpiceNotFound(BackendUnavailable):
    """ngspice (or the library PySpice loads) is not installed; the message says how to
    install it."""


class RawFileError(ValueError):
    """A raw file cannot be read: names the file and what is wrong with it."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"raw file {path}: {problem}")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.path, self.problem))
