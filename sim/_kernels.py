"""Private numba kernels of the reference integrator (forward dynamics).

State arrays are unit-major, shape ``(n_units, batch)``, so a population's rows are contiguous
and a projection is one BLAS product ``W @ r[pre]``. The public wrapper is
:mod:`vle.sim.numba_backend`; the schemes are documented in :mod:`vle.sim.schemes`.
"""

from __future__ import annotations

import numpy as np

from vle.sim._jit import jit

EXACT = 0
EULER = 1


@jit
def _phi_rows(code, ub, r, lo, hi):
    """r[lo:hi] = phi(ub[lo:hi]) for the nonlinearity ``code`` (order of PHI_NAMES)."""
    nb = ub.shape[1]
    for i in range(lo, hi):
        for b in range(nb):
            x = ub[i, b]
            if code == 0:
                y = x
            elif code == 1:
                y = np.tanh(x)
            elif code == 2:
                if x >= 0.0:
                    y = 1.0 / (1.0 + np.exp(-x))
                else:
                    e = np.exp(x)
                    y = e / (1.0 + e)
            elif code == 3:
                y = max(x, 0.0) + np.log1p(np.exp(-abs(x)))
            elif code == 4:
                y = max(x, 0.0)
            else:
                y = min(max(x, -1.0), 1.0)
            r[i, b] = y


@jit
def _input_current(p, tables, wflat, bias, r, rprev, use_prev_all, cur, tmp):
    """cur[rows of p] = bias + sum over projections into p of W @ r_pre.

    Reads ``rprev`` for every projection when ``use_prev_all`` (euler), else only for delayed
    (cycle-cutting) projections.
    """
    p_start, p_size, _phi, _sweep, j_pre, j_woff, j_delayed, in_ptr = tables
    lo = p_start[p]
    m = p_size[p]
    nb = cur.shape[1]
    for i in range(lo, lo + m):
        for b in range(nb):
            cur[i, b] = bias[i]
    for j in range(in_ptr[p], in_ptr[p + 1]):
        q = j_pre[j]
        plo = p_start[q]
        n = p_size[q]
        w = wflat[j_woff[j]:j_woff[j] + m * n].reshape((m, n))
        src = rprev if (use_prev_all or j_delayed[j] == 1) else r
        out = tmp[:m]
        np.dot(w, src[plo:plo + n], out)
        for i in range(m):
            for b in range(nb):
                cur[lo + i, b] += out[i, b]


@jit
def _record(n, n0_rec, every, u, ub, r, idx_u, idx_ub, idx_r, out_u, out_ub, out_r):
    """Store the selected units at step ``n`` if it falls on the recording stride."""
    if n % every != 0:
        return
    k = n // every - n0_rec
    for a in range(idx_u.shape[0]):
        out_u[k, a] = u[idx_u[a]]
    for a in range(idx_ub.shape[0]):
        out_ub[k, a] = ub[idx_ub[a]]
    for a in range(idx_r.shape[0]):
        out_r[k, a] = r[idx_r[a]]


@jit
def forward(scheme, n_begin, n_end, x, tables, params, state, rec):
    """Advance the network from step ``n_begin`` to ``n_end`` (grid indices).

    ``x[k]`` is the input at grid index ``n_begin + k`` (shape ``(n_inputs, batch)``), for
    ``k = 0 .. n_end - n_begin``. ``params = (decay, k, tau_m, dt_arr, bias, wflat)`` with
    ``decay = exp(-dt / tau_m)`` and ``k = tau_r / tau_m`` per unit. ``state = (u, cur, ub, r,
    rprev, tmp)``. ``rec = (n0_rec, every, idx_u, idx_ub, idx_r, out_u, out_ub, out_r)``.

    When ``n_begin == 0`` the initial state at t = 0 is formed first (see ``schemes``).
    """
    decay, kk, tau_m, dt_arr, bias, wflat = params
    u, cur, ub, r, rprev, tmp = state
    n0_rec, every, idx_u, idx_ub, idx_r, out_u, out_ub, out_r = rec
    p_start, p_size, p_phi, sweep = tables[0], tables[1], tables[2], tables[3]
    dt = dt_arr[0]
    n_in = x.shape[1]
    nb = u.shape[1]
    n_units = u.shape[0]
    any_delayed = False
    for j in range(tables[6].shape[0]):
        if tables[6][j] == 1:
            any_delayed = True

    if n_begin == 0:
        r[:n_in] = x[0]
        for s in range(sweep.shape[0]):
            p = sweep[s]
            lo = p_start[p]
            hi = lo + p_size[p]
            for i in range(lo, hi):
                for b in range(nb):
                    ub[i, b] = u[i, b]
            _phi_rows(p_phi[p], ub, r, lo, hi)
        if scheme == EXACT:
            rprev[:] = r
            for s in range(sweep.shape[0]):
                p = sweep[s]
                lo = p_start[p]
                hi = lo + p_size[p]
                _input_current(p, tables, wflat, bias, r, rprev, False, cur, tmp)
                for i in range(lo, hi):
                    for b in range(nb):
                        ub[i, b] = u[i, b] + kk[i] * (cur[i, b] - u[i, b])
                _phi_rows(p_phi[p], ub, r, lo, hi)
        _record(0, n0_rec, every, u, ub, r, idx_u, idx_ub, idx_r, out_u, out_ub, out_r)

    for n in range(n_begin, n_end):
        if scheme == EXACT:
            for i in range(n_in, n_units):
                for b in range(nb):
                    u[i, b] = cur[i, b] + (u[i, b] - cur[i, b]) * decay[i]
            if any_delayed:
                rprev[:] = r
            r[:n_in] = x[n + 1 - n_begin]
            for s in range(sweep.shape[0]):
                p = sweep[s]
                lo = p_start[p]
                hi = lo + p_size[p]
                _input_current(p, tables, wflat, bias, r, rprev, False, cur, tmp)
                for i in range(lo, hi):
                    for b in range(nb):
                        ub[i, b] = u[i, b] + kk[i] * (cur[i, b] - u[i, b])
                _phi_rows(p_phi[p], ub, r, lo, hi)
        else:
            rprev[:] = r
            for s in range(sweep.shape[0]):
                p = sweep[s]
                lo = p_start[p]
                hi = lo + p_size[p]
                _input_current(p, tables, wflat, bias, r, rprev, True, cur, tmp)
                for i in range(lo, hi):
                    for b in range(nb):
                        ub[i, b] = u[i, b] + kk[i] * (cur[i, b] - u[i, b])
                        u[i, b] = u[i, b] + dt * (cur[i, b] - u[i, b]) / tau_m[i]
                _phi_rows(p_phi[p], ub, r, lo, hi)
            r[:n_in] = x[n + 1 - n_begin]
        _record(n + 1, n0_rec, every, u, ub, r, idx_u, idx_ub, idx_r, out_u, out_ub, out_r)
