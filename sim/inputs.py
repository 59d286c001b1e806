"""Signals on the simulation grid (stimuli of input populations, targets of output
populations), for the array backends."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from vle.model.errors import ModelError
from vle.model.population import Population
from vle.model.stimulus import Stimulus

Signal = Stimulus | np.ndarray


class GridSignals:
    """Signals for some populations on the grid ``t_n = n dt``, delivered in chunks.

    Each population takes a :class:`~vle.model.stimulus.Stimulus` (same signal for every batch
    element) or an array sampled on the grid, shape ``(n_steps + 1, size)`` or
    ``(n_steps + 1, batch, size)``. ``chunk(n0, n1)`` returns the values at grid indices
    ``n0 .. n1`` inclusive, shape ``(n1 - n0 + 1, total size, batch)`` (unit-major for the
    kernels). With ``period_steps``, grid index n reads a stimulus at ``n mod period_steps`` (a
    stimulus replayed every epoch); so does an array shorter than the run, while an array with a
    row for every grid point of the run is read directly. ``what`` names the model-file table
    in messages.
    """

    def __init__(
        self,
        pops: Sequence[Population],
        signals: Mapping[str, Signal],
        dt: float,
        n_steps: int,
        batch: int | None = None,
        what: str = "stimulus",
        period_steps: int | None = None,
    ) -> None:
        self.dt = dt
        self.pops = tuple(pops)
        self.period = period_steps
        names = {p.name for p in self.pops}
        unknown = set(signals) - names
        if unknown:
            raise ModelError(f"{what}.{sorted(unknown)[0]}", "no such population here",
                             f"{what} signals for: " + ", ".join(sorted(names)))
        rows = n_steps + 1 if period_steps is None else period_steps
        batches = set() if batch is None else {batch}
        for p in self.pops:
            if p.name not in signals:
                raise ModelError(f"{what}.{p.name}", "missing",
                                 f"a signal for population {p.name!r}")
            s = signals[p.name]
            if isinstance(s, Stimulus):
                s.check_size(f"{what}.{p.name}", p.size)
                continue
            arr = np.asarray(s)
            if not (arr.ndim in (2, 3) and arr.shape[0] >= rows and arr.shape[-1] == p.size):
                raise ModelError(f"{what}.{p.name}", f"array of shape {list(arr.shape)}",
                                 f"shape [{rows}][{p.size}] or [{rows}][batch][{p.size}] "
                                 "(one row per grid point t = n dt)")
            if arr.ndim == 3:
                batches.add(arr.shape[1])
        if len(batches) > 1:
            raise ModelError(what, f"batch sizes {sorted(batches)} disagree",
                             "one batch size for every array")
        self.batch = batches.pop() if batches else 1
        self.batched = batch is not None or any(
            not isinstance(s, Stimulus) and np.ndim(s) == 3 for s in signals.values())
        self.signals = dict(signals)
        self.n_steps = n_steps

    @property
    def size(self) -> int:
        """Total number of units the signals drive."""
        return sum(p.size for p in self.pops)

    def chunk(self, n0: int, n1: int) -> np.ndarray:
        """Values at grid indices ``n0 .. n1``, shape ``(n1 - n0 + 1, size, batch)``."""
        full = np.arange(n0, n1 + 1)
        idx = full % self.period if self.period is not None else full
        t = idx * self.dt
        out = np.empty((idx.size, self.size, self.batch))
        lo = 0
        for p in self.pops:
            s = self.signals[p.name]
            if isinstance(s, Stimulus):
                out[:, lo:lo + p.size, :] = s.sample(t, p.size)[:, :, None]
            else:
                whole = np.asarray(s, dtype=np.float64)
                arr = whole[full] if whole.shape[0] > self.n_steps else whole[idx]
                out[:, lo:lo + p.size, :] = (arr[:, :, None] if arr.ndim == 2
                                             else arr.transpose(0, 2, 1))
            lo += p.size
        return out
