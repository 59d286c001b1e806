"""Seeds derived per task, so a task's random draws depend on nothing but its own index.

A run draws every random value of task ``index`` from ``numpy.random.default_rng(seed)``
with ``seed = derive_seed(root_seed, index)``. The seed is a pure function of the two
integers: the same root and index give the same bits whichever worker runs the task, how many
workers there are and in what order the tasks finish. Seeds of different indices are
independent streams in the sense of :class:`numpy.random.SeedSequence`: ``derive_seed(root,
i)`` is the first 64-bit word of the state of ``SeedSequence(root).spawn(n)[i]``, the child
that NumPy itself would hand to the i-th of n parallel streams.
"""

from __future__ import annotations

import numpy as np


def derive_seed(root_seed: int, index: int) -> int:
    """The seed of task ``index`` under ``root_seed``: an int in [0, 2**64).

    Both arguments must be non-negative integers (``SeedSequence`` refuses negative entropy).
    """
    for name, value in (("root_seed", root_seed), ("index", index)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise ValueError(f"derive_seed: {name} must be a non-negative integer, got "
                             f"{value!r}")
    seq = np.random.SeedSequence(int(root_seed), spawn_key=(int(index),))
    return int(seq.generate_state(1, dtype=np.uint64)[0])
