"""Flatten a :class:`~vle.model.network.Network` into the arrays the array backends use.

Units of all populations are numbered in one index space: input populations first (so the
stimulus fills ``r[0:n_inputs]``), then the other populations in update order. Weights of all
projections are stored back to back in one flat buffer, each block ``(post, pre)`` row-major.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vle.model.network import Network
from vle.model.nonlinearity import phi_code


@dataclass(frozen=True, eq=False)
class Layout:
    """Index arrays and parameters of a network in flat form (all int64 / float64).

    Populations ``p``: ``p_start[p]``, ``p_size[p]``, ``p_phi[p]`` (code of
    :data:`~vle.model.nonlinearity.PHI_NAMES`); ``names[p]`` their names. ``order`` lists the
    non-input populations in update order. Projections ``j``: ``j_pre``/``j_post`` population
    indices, ``j_woff`` offset into ``wflat``, ``j_delayed`` 1 where the exact scheme reads the
    previous step's rate (a cut cycle). Projections are sorted by target: those ending on
    population ``p`` are ``in_ptr[p] .. in_ptr[p+1] - 1``. Per unit: ``tau_m``, ``tau_r``,
    ``bias`` (inputs hold 1, 1, 0, unused) and the input's saturation ``drive_low``,
    ``drive_high`` (model units; -inf and +inf where the population has no ``drive_limits``).
    """

    network: Network
    names: tuple[str, ...]
    n_units: int
    n_inputs: int
    p_start: np.ndarray
    p_size: np.ndarray
    p_phi: np.ndarray
    order: np.ndarray
    j_names: tuple[str, ...]
    j_pre: np.ndarray
    j_post: np.ndarray
    j_woff: np.ndarray
    j_delayed: np.ndarray
    in_ptr: np.ndarray
    tau_m: np.ndarray
    tau_r: np.ndarray
    bias: np.ndarray
    wflat: np.ndarray
    drive_low: np.ndarray
    drive_high: np.ndarray

    @classmethod
    def of(cls, network: Network) -> Layout:
        """The layout of ``network``."""
        order, delayed = network.update_order()
        pops = list(network.inputs) + [network.population(n) for n in order]
        names = tuple(p.name for p in pops)
        index = {n: i for i, n in enumerate(names)}
        sizes = np.array([p.size for p in pops], dtype=np.int64)
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
        n_units = int(sizes.sum())
        tau_m = np.ones(n_units)
        tau_r = np.ones(n_units)
        bias = np.zeros(n_units)
        low, high = np.full(n_units, -np.inf), np.full(n_units, np.inf)
        for p, s in zip(pops, starts, strict=True):
            if not p.is_input:
                tau_m[s:s + p.size], tau_r[s:s + p.size] = p.taus
                bias[s:s + p.size] = p.bias_array
                low[s:s + p.size], high[s:s + p.size] = p.drive_range
        projs = sorted(network.projections, key=lambda pr: (index[pr.post], index[pr.pre]))
        woff, blocks, off = [], [], 0
        for pr in projs:
            woff.append(off)
            blocks.append(np.ascontiguousarray(pr.weights, dtype=np.float64).ravel())
            off += pr.weights.size
        wflat = np.concatenate(blocks) if blocks else np.zeros(0)
        j_post = np.array([index[pr.post] for pr in projs], dtype=np.int64)
        in_ptr = np.searchsorted(j_post, np.arange(len(pops) + 1)).astype(np.int64)
        return cls(
            network=network,
            names=names,
            n_units=n_units,
            n_inputs=int(sum(p.size for p in network.inputs)),
            p_start=starts,
            p_size=sizes,
            p_phi=np.array([phi_code(p.phi) for p in pops], dtype=np.int64),
            order=np.array([index[n] for n in order], dtype=np.int64),
            j_names=tuple(pr.name for pr in projs),
            j_pre=np.array([index[pr.pre] for pr in projs], dtype=np.int64),
            j_post=j_post,
            j_woff=np.array(woff, dtype=np.int64),
            j_delayed=np.array([pr.name in delayed for pr in projs], dtype=np.int64),
            in_ptr=in_ptr,
            tau_m=tau_m,
            tau_r=tau_r,
            bias=bias,
            wflat=wflat,
            drive_low=low,
            drive_high=high,
        )

    def units(self, name: str) -> slice:
        """The unit index range of population ``name``."""
        p = self.names.index(name)
        return slice(int(self.p_start[p]), int(self.p_start[p] + self.p_size[p]))

    def weights(self, j: int) -> np.ndarray:
        """A view of projection ``j``'s weights, shape ``(post size, pre size)``."""
        m, n = self.p_size[self.j_post[j]], self.p_size[self.j_pre[j]]
        return self.wflat[self.j_woff[j]:self.j_woff[j] + m * n].reshape(m, n)

    @property
    def int_tables(self) -> tuple[np.ndarray, ...]:
        """The integer tables in the order the kernels take them."""
        return (self.p_start, self.p_size, self.p_phi, self.order, self.j_pre, self.j_woff,
                self.j_delayed, self.in_ptr)
