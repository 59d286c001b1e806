"""The abstract model: populations, projections, stimuli, settings; model files.

Frozen, validated dataclasses that hold data and no simulator behaviour (architecture.md).
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
