"""Input signals on the simulation grid, for the array backends."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from vle.model.errors import ModelError
from vle.model.network import Network
from vle.model.stimulus import Stimulus

Signal = Stimulus | np.ndarray


class InputSignals:
    """The input populations' rates on the grid ``t_n = n dt``, delivered in chunks.

    Each input population takes a :class:`~vle.model.stimulus.Stimulus` (same signal for every
    batch element) or an array sampled on the grid, shape ``(n_steps + 1, size)`` or
    ``(n_steps + 1, batch, size)``. ``chunk(n0, n1)`` returns the inputs at grid indices
    ``n0 .. n1`` inclusive, shape ``(n1 - n0 + 1, n_inputs, batch)`` (unit-major for the kernels).
    """

    def __init__(
        self,
        network: Network,
        signals: Mapping[str, Signal],
        dt: float,
        n_steps: int,
        batch: int | None = None,
    ) -> None:
        self.dt = dt
        self.n_steps = n_steps
        self.pops = network.inputs
        unknown = set(signals) - {p.name for p in self.pops}
        if unknown:
            raise ModelError(f"stimulus.{sorted(unknown)[0]}", "not an input population",
                             "signals for input populations only: "
                             + ", ".join(p.name for p in self.pops))
        batches = set() if batch is None else {batch}
        for p in self.pops:
            if p.name not in signals:
                raise ModelError(f"stimulus.{p.name}", "missing",
                                 f"a signal for input population {p.name!r}")
            s = signals[p.name]
            if isinstance(s, Stimulus):
                s.check_size(f"stimulus.{p.name}", p.size)
                continue
            arr = np.asarray(s)
            ok_shape = (arr.ndim in (2, 3) and arr.shape[0] == n_steps + 1
                        and arr.shape[-1] == p.size)
            if not ok_shape:
                raise ModelError(f"stimulus.{p.name}", f"array of shape {list(arr.shape)}",
                                 f"shape [{n_steps + 1}][{p.size}] or [{n_steps + 1}][batch]"
                                 f"[{p.size}] (one row per grid point t = n dt)")
            if arr.ndim == 3:
                batches.add(arr.shape[1])
        if len(batches) > 1:
            raise ModelError("stimulus", f"batch sizes {sorted(batches)} disagree",
                             "one batch size for every input array")
        self.batch = batches.pop() if batches else 1
        self.batched = batch is not None or any(
            not isinstance(s, Stimulus) and np.ndim(s) == 3 for s in signals.values())
        self.signals = dict(signals)

    @property
    def n_inputs(self) -> int:
        """Total number of input units."""
        return sum(p.size for p in self.pops)

    def chunk(self, n0: int, n1: int) -> np.ndarray:
        """Inputs at grid indices ``n0 .. n1``, shape ``(n1 - n0 + 1, n_inputs, batch)``."""
        t = np.arange(n0, n1 + 1) * self.dt
        out = np.empty((t.size, self.n_inputs, self.batch))
        lo = 0
        for p in self.pops:
            s = self.signals[p.name]
            if isinstance(s, Stimulus):
                out[:, lo:lo + p.size, :] = s.sample(t, p.size)[:, :, None]
            else:
                arr = np.asarray(s, dtype=np.float64)[n0:n1 + 1]
                out[:, lo:lo + p.size, :] = (arr[:, :, None] if arr.ndim == 2
                                             else arr.transpose(0, 2, 1))
            lo += p.size
        return out
