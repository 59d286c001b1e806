"""The SPICE backend: compiled circuits run by ngspice and read back as model traces.

The pieces, each usable on its own:

- runners (:func:`get_runner`): ``batch`` runs ``ngspice -b -r`` in a subprocess with a time
  limit; ``pyspice`` runs ngspice in this process and can re-run a loaded circuit with altered
  values. Both judge ngspice's output (:func:`~vle.sim.spice.log.scan_log`) and raise a
  :class:`SpiceError` naming the netlist, the problem and the simulated time reached;
- :func:`read_raw` reads ngspice's raw files with numpy;
- :func:`raw_result` turns a run's node voltages into model traces through the circuit's
  probe map, :func:`resample` puts them on a grid;
- :func:`run_jobs` runs independent netlists in parallel, one ngspice per worker process;
- :mod:`~vle.sim.spice.budget` estimates a run's time points and rawfile from its circuit and
  refuses one that cannot fit before ngspice starts;
- :class:`SpiceBackend` (registered as ``spice``) does all of it for a run request;
  :func:`simulate_models` compiles and runs several models (sweeps), :func:`sweep_circuit`
  re-runs one circuit with altered values.

May import: numpy, PySpice, :mod:`vle.model`, :mod:`vle.circuits`, :mod:`vle.mapping` (a run
request is compiled into a circuit) and the shared layer of :mod:`vle.sim`; never another
backend, :mod:`vle.learning` or the face.
"""

from vle.sim.spice.backend import (
    CircuitRun,
    SpiceBackend,
    SpiceOptions,
    run_circuits,
    simulate_models,
    sweep_circuit,
)
from vle.sim.spice.errors import RawFileError, SpiceError, SpiceNotFound, SpiceTimeout
from vle.sim.spice.pool import Job, run_jobs
from vle.sim.spice.pyspice_runner import device_name
from vle.sim.spice.rawfile import RawPlot, read_raw
from vle.sim.spice.runner import Runner, SpiceRun, get_runner, runner_names
from vle.sim.spice.traces import raw_result, resample

__all__ = [
    "CircuitRun",
    "Job",
    "RawFileError",
    "RawPlot",
    "Runner",
    "SpiceBackend",
    "SpiceError",
    "SpiceNotFound",
    "SpiceOptions",
    "SpiceRun",
    "SpiceTimeout",
    "device_name",
    "get_runner",
    "raw_result",
    "read_raw",
    "resample",
    "run_circuits",
    "run_jobs",
    "runner_names",
    "simulate_models",
    "sweep_circuit",
]
