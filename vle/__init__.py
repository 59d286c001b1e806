"""vle: compile prospective-neuron networks (GLE / LE / VLE) into circuits and simulate them.

The public API::

    import vle
    model = vle.load_model("examples/lagline.toml")
    result = vle.simulate_model(model)            # numba reference, the model's own settings
    result["h1.ub"]                               # (time, unit) array in model units
    result.save("lagline.nc")
"""

from pathlib import Path as _Path

# The subpackages live in top-level folders (model/, sim/, ...) that the install maps into
# ``vle``. When Python runs from the repository root, this folder shadows the installed package;
# let it find the subpackages there too, so `python -m vle` and snippets work from the root.
if not (_Path(__file__).parent / "model").is_dir():
    __path__.append(str(_Path(__file__).resolve().parent.parent))

from vle.model import (  # noqa: E402
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
from vle.sim import Result, backend_names, simulate, simulate_model  # noqa: E402
from vle.sim.provenance import package_version  # noqa: E402

__version__ = package_version("vle")

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
