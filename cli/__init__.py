"""vle: compile prospective-neuron networks (GLE / LE / VLE) into circuits and simulate them.

The public API::

    import vle
    model = vle.load_model("examples/lagline.toml")
    result = vle.simulate_model(model)            # numba reference, the model's own settings
    result["h1.ub"]                               # (time, unit) array in model units
    result.save("lagline.nc")

This folder (``cli/`` in the repository) is the face of the package: the public re-exports, the
command line (:mod:`vle.cli`, one module per sub-command in :mod:`vle.commands`), the plots it
draws (:mod:`vle.plots`), and the old import paths that still work (:mod:`vle.moved`). The
rooms behind it, each a top-level folder mapped into ``vle``: :mod:`vle.model` (the abstract
model and its files), :mod:`vle.circuits` (circuit data, cells, technologies, the netlist
writer), :mod:`vle.mapping` (the compiler from models to circuits), :mod:`vle.sim` (the
backends behind one interface) and :mod:`vle.learning` (training and learning analysis).

May import: everything in ``vle``; nothing in ``vle`` imports the face.
"""

from vle.model import (
    Model,
    ModelError,
    Network,
    Population,
    Projection,
    Pwl,
    SimulationSettings,
    Sine,
    Square,
    Step,
    Stimulus,
    chain,
    load_model,
)
from vle.moved import install as _install_moved
from vle.sim import Result, backend_names, simulate, simulate_model
from vle.sim.provenance import package_version

__version__ = package_version("vle")
_install_moved()  # old import paths (vle.sim.adjoint, ...) find their new modules

__all__ = [
    "Model",
    "ModelError",
    "Network",
    "Population",
    "Projection",
    "Pwl",
    "Result",
    "SimulationSettings",
    "Sine",
    "Square",
    "Step",
    "Stimulus",
    "__version__",
    "backend_names",
    "chain",
    "load_model",
    "simulate",
    "simulate_model",
]
