"""A plain-numpy implementation of the same schemes as the numba kernels.

Independent of numba, written for clarity: it serves as a second implementation that the
reference is tested against (to rounding) and as the baseline in ``benchmarks/forward.py``.
It has the same signature and array conventions as the numba kernels (:mod:`vle.sim.kernel_args`).
"""

from __future__ import annotations

import numpy as np

from vle.model.nonlinearity import PHI_NAMES, phi
from vle.sim.array_run import run_arrays
from vle.sim.backend import Backend, RunRequest
from vle.sim.kernel_args import F_ERRORS, F_SCHEME, S_DT
from vle.sim.result import Result


def advance(n_begin, n_end, x, y, tables, unit, weights, scal, flags, state, opt, rec, loss_out):
    """Advance from grid index ``n_begin`` to ``n_end``; see :func:`vle.sim.numba._kernels.run`.

    Forward dynamics only: error neurons and plasticity are the numba reference's.
    """
    if flags[F_ERRORS]:
        raise ValueError("the numpy backend simulates forward dynamics only; use the numba "
                         "backend for error neurons and learning")
    p_start, p_size, p_phi, order, j_pre, _post, j_woff, j_delayed, in_ptr = tables[:9]
    decay, _dr, kk, _q, tau_m, _tr, bias, low, high = unit
    wflat = weights[0]
    u, cur, ub, r = state[0], state[1], state[2], state[3]
    rprev = state[9]
    every = rec[0]
    idx_u, idx_ub, idx_r = rec[2][0], rec[2][1], rec[2][2]
    out_u, out_ub, out_r = rec[3][0], rec[3][1], rec[3][2]
    dt = float(scal[S_DT])
    scheme = int(flags[F_SCHEME])
    n_in = x.shape[1]
    rows = [slice(int(p_start[p]), int(p_start[p] + p_size[p])) for p in range(len(p_start))]

    def current(p: int, use_prev_all: bool) -> np.ndarray:
        total = np.repeat(bias[rows[p], None], u.shape[1], axis=1)
        for j in range(in_ptr[p], in_ptr[p + 1]):
            q = j_pre[j]
            m, n = int(p_size[p]), int(p_size[q])
            w = wflat[j_woff[j]:j_woff[j] + m * n].reshape(m, n)
            src = rprev if (use_prev_all or j_delayed[j]) else r
            total = total + w @ src[rows[q]]
        s = rows[p]
        if np.isfinite(low[s]).any() or np.isfinite(high[s]).any():
            total = np.clip(total, low[s, None], high[s, None])
        return total

    def rate(p: int) -> None:
        r[rows[p]] = phi(PHI_NAMES[p_phi[p]], ub[rows[p]])

    def record(n: int) -> None:
        if n % every == 0:
            k = n // every - rec[1]
            out_u[k], out_ub[k], out_r[k] = u[idx_u], ub[idx_ub], r[idx_r]
            rec[5][k], rec[7][k], rec[9][k] = wflat[rec[4]], bias[rec[6]], tau_m[rec[8]]

    if n_begin == 0:
        r[:n_in] = x[0]
        for p in order:
            ub[rows[p]] = u[rows[p]]
            rate(p)
        if scheme == 0:
            rprev[:] = r
            for p in order:
                cur[rows[p]] = current(p, False)
                s = rows[p]
                ub[s] = u[s] + kk[s, None] * (cur[s] - u[s])
                rate(p)
        record(0)
    neurons = slice(n_in, u.shape[0])
    for n in range(n_begin, n_end):
        if scheme == 0:
            u[neurons] = cur[neurons] + (u[neurons] - cur[neurons]) * decay[neurons, None]
            rprev[:] = r
            r[:n_in] = x[n + 1 - n_begin]
            for p in order:
                s = rows[p]
                cur[s] = current(p, False)
                ub[s] = u[s] + kk[s, None] * (cur[s] - u[s])
                rate(p)
        else:
            rprev[:] = r
            for p in order:
                s = rows[p]
                cur[s] = current(p, True)
                ub[s] = u[s] + kk[s, None] * (cur[s] - u[s])
                u[s] = u[s] + dt * (cur[s] - u[s]) / tau_m[s, None]
                rate(p)
            r[:n_in] = x[n + 1 - n_begin]
        record(n + 1)


class NumpyBackend(Backend):
    """Plain numpy, same schemes as the numba reference; slow, for checks and baselines."""

    name = "numpy"

    def run(self, request: RunRequest) -> Result:
        return run_arrays(request, advance, self.name)
