"""Design-space exploration: sweeps of model and technology parameters, each point's fidelity,
area and power, the Pareto front, multi-objective search and global sensitivity.

- :mod:`~vle.explore.parameters`: parameter paths (``technology.opamp.gbw``,
  ``population.h1.tau_r``, ...), checked against the model and technology, and
  :func:`apply_point`;
- :mod:`~vle.explore.sampling`: :class:`Axis` and :func:`sample_points` (grid, random,
  Latin hypercube, Sobol');
- :mod:`~vle.explore.spec`: :class:`SweepSpec` and :func:`load_sweep` (the ``[sweep]`` table
  of a TOML file), the :data:`METRICS` a point records;
- :mod:`~vle.explore.evaluate`: one point (cost and Monte Carlo fidelity), the task function;
- :mod:`~vle.explore.run`: :func:`run_sweep` on the execution layer (Dask, resumable store),
  :func:`sweep_dataset`;
- :mod:`~vle.explore.pareto`: :func:`pareto_front` under constraints;
- :mod:`~vle.explore.search`: :func:`run_search`, NSGA-II (pymoo) on the same executor;
- :mod:`~vle.explore.sensitivity`: :func:`run_sensitivity`, Morris or Sobol' (SALib);
- :mod:`~vle.explore.report`: the front as a table, PNG and a self-contained HTML page.

In one line: ``run_sweep(load_sweep("examples/lagline_sweep.toml"), "sweep-out")``, then
``pareto_front(ds, spec.objectives, spec.constraints)``.

May import: vle.model, vle.circuits, vle.mapping, vle.sim (shared layer), vle.learning,
vle.execution, vle.fidelity.
"""

from vle.explore.parameters import SweepError, apply_point, check_paths, valid_paths
from vle.explore.pareto import Front, dataset_objectives, pareto_front
from vle.explore.run import run_sweep, sweep_dataset
from vle.explore.sampling import SAMPLINGS, Axis, sample_points
from vle.explore.search import SearchSpec, run_search
from vle.explore.sensitivity import SENSITIVITY_METHODS, run_sensitivity
from vle.explore.spec import METRICS, SweepSpec, load_sweep

__all__ = [
    "METRICS",
    "SAMPLINGS",
    "SENSITIVITY_METHODS",
    "Axis",
    "Front",
    "SearchSpec",
    "SweepError",
    "SweepSpec",
    "apply_point",
    "check_paths",
    "dataset_objectives",
    "load_sweep",
    "pareto_front",
    "run_search",
    "run_sensitivity",
    "run_sweep",
    "sample_points",
    "sweep_dataset",
    "valid_paths",
]
