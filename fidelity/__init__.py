"""Hardware fidelity: how much of what a network computes survives on real parts.

- non-idealities are data on the technology (:mod:`vle.circuits.nonidealities`), drawn per part
  by the compiler's part-variation pass (:mod:`vle.mapping.variation`): a Monte Carlo sample is
  a concrete circuit;
- :mod:`~vle.fidelity.surrogate` turns a sample's realised parts into a model network, so the
  numba reference runs it as a behavioural surrogate; ngspice runs the exact circuit of the
  same draw as the check;
- :mod:`~vle.fidelity.montecarlo` derives a seed per sample, runs a sample on either backend and
  measures it against the ideal model (per trace: NRMSE, largest error, delay).

May import: :mod:`vle.model`, :mod:`vle.circuits`, :mod:`vle.mapping`, :mod:`vle.sim` (through
the backend interface) and :mod:`vle.learning`; never the face.
"""

from vle.fidelity.montecarlo import SampleResult, run_sample, sample_seed, sample_variation
from vle.fidelity.surrogate import realised_network

__all__ = ["SampleResult", "realised_network", "run_sample", "sample_seed", "sample_variation"]
