"""The plain-numpy backend (``numpy``): an independent implementation of the reference's
forward schemes, written for clarity, used to check the numba kernels to rounding and as the
baseline of ``benchmarks/forward.py``. It follows the same argument convention as the numba
kernels (:mod:`vle.sim.kernel_args`) and runs on the shared array runner, without numba.

May import: numpy, :mod:`vle.model` and the shared layer of :mod:`vle.sim`; never another
backend, :mod:`vle.learning` or the face.
"""

from vle.sim.numpy.backend import NumpyBackend

__all__ = ["NumpyBackend"]
