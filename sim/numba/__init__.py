"""The numba reference integrator (backend ``numba``): the ground truth every other backend is
checked against.

Holds the jit settings (``_jit``), the private kernels (``_kernels``: forward dynamics, error
neurons and plasticity fused in one step loop; ``_kernel_ops``: their building blocks), the
registered :class:`NumbaBackend`, and the reference's own driver (:mod:`~vle.sim.numba.driver`)
for training loops that step it chunk by chunk. The flat layout, the kernel argument
convention and the array runner it shares with the numpy backend live in the shared layer
(:mod:`vle.sim.layout`, :mod:`vle.sim.kernel_args`, :mod:`vle.sim.array_run`).

May import: numpy, numba, :mod:`vle.model` and the shared layer of :mod:`vle.sim`; never
another backend, :mod:`vle.learning` or the face.
"""

from vle.sim.numba.backend import NumbaBackend
from vle.sim.numba.driver import reference_run, run_kernel

__all__ = ["NumbaBackend", "reference_run", "run_kernel"]
