"""The abstract model: populations, projections, stimuli, settings; model files.

Frozen, validated dataclasses that hold data and no simulator behaviour (architecture.md):
populations, projections and networks (:mod:`~vle.model.network`, with the per-step
:meth:`~vle.model.network.Network.update_order`), stimuli, simulation settings, learning rules
and teachers (:mod:`~vle.model.learning`, with :func:`~vle.model.learning.rule_network`, the
one home of "``le`` means ``tau_r = tau_m``"), dataset tasks; the TOML loader and writer, and
the converters that turn loose values into validated ones with one error per key; the memory
budget (:mod:`~vle.model.budget`) a run is checked against before it starts.

May import: numpy and the standard library; nothing else of ``vle`` (every other room builds on
this one).
"""

from vle.model.errors import ModelError
from vle.model.loader import load_model, model_from_dict
from vle.model.model import Model
from vle.model.network import Network, chain
from vle.model.nonlinearity import PHI_NAMES, phi, phi_prime
from vle.model.population import Population
from vle.model.projection import Projection
from vle.model.settings import SCHEMES, SimulationSettings
from vle.model.stimulus import Pwl, Sine, Square, Step, Stimulus

__all__ = [
    "PHI_NAMES",
    "SCHEMES",
    "Model",
    "ModelError",
    "Network",
    "Population",
    "Projection",
    "Pwl",
    "SimulationSettings",
    "Sine",
    "Square",
    "Step",
    "Stimulus",
    "chain",
    "load_model",
    "model_from_dict",
    "phi",
    "phi_prime",
]
