"""The Brian2 backend (``brian2``): the model emitted as Brian2 equations and run by Brian2.

- :mod:`~vle.sim.brian2.program` plans each time step (which summed variables and operations
  run in which order, per scheme) and :mod:`~vle.sim.brian2.code` writes the equations: both
  without Brian2 (:func:`brian2_equations` shows them as text);
- :mod:`~vle.sim.brian2.env` imports Brian2 and sets it up (units, logs, preferences);
  :mod:`~vle.sim.brian2.build` makes the NeuronGroups, Synapses and monitors;
- :mod:`~vle.sim.brian2.device` runs on the runtime or cpp_standalone targets (a temporary
  build folder per run); :mod:`~vle.sim.brian2.run` prepares a request and reads the traces
  back; :mod:`~vle.sim.brian2.backend` is the registered :class:`Brian2Backend`;
- :mod:`~vle.sim.brian2.api` is for Brian2 users (Brian2 quantities, the Brian2 objects).

May import: numpy, brian2, :mod:`vle.model` and the shared layer of :mod:`vle.sim`; never
another backend, :mod:`vle.learning` or the face.
"""

from vle.sim.brian2.api import brian2_network, simulate_brian2
from vle.sim.brian2.backend import Brian2Backend
from vle.sim.brian2.program import brian2_equations

__all__ = ["Brian2Backend", "brian2_equations", "brian2_network", "simulate_brian2"]
