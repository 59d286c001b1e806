"""Training and learning analysis, beside the simulation pipeline.

- training loops: :mod:`~vle.learning.train` (continuous-time tasks, the stimulus replayed every
  epoch) and :mod:`~vle.learning.dataset_train` (dataset tasks such as MNIST-1D), with their
  :mod:`~vle.learning.history` (netCDF, readable while a run goes on) and
  :mod:`~vle.learning.checkpoint` files; :mod:`~vle.learning.datasets` generates and caches the
  data sets;
- analysis: the exact adjoint (:mod:`~vle.learning.adjoint`, continuous-time BPTT discretised
  like the forward scheme) and how a local rule aligns with it
  (:mod:`~vle.learning.alignment`).

Training steps the numba reference itself, chunk by chunk, through the reference's own driver
(:mod:`vle.sim.numba.driver`: :func:`~vle.sim.numba.reference_run` and
:data:`~vle.sim.numba.run_kernel`), never through its private kernels; teacher targets and
plain simulations go through the backend interface (:mod:`vle.sim`).

May import: :mod:`vle.model`, the shared layer of :mod:`vle.sim` and the public names of
:mod:`vle.sim.numba`; never the face (:mod:`vle` itself, its CLI and plots).
"""
