"""Private numba kernels of the reference integrator: forward dynamics, error neurons and
plasticity fused in one step loop.

State arrays are unit-major, ``(n_units, batch)``, so a population's rows are contiguous and a
projection is one BLAS product. The argument tuples are built and documented by
:class:`vle.sim.kernel_args.KernelArgs`; the schemes by :mod:`vle.sim.schemes`.
"""

from __future__ import annotations

import numpy as np

from vle.sim._jit import jit
from vle.sim._kernel_ops import current, feedback, optimizer_step, phi_rows, target_error

EXACT = 0
EULER = 1

# positions in the ``scal`` (float) and ``flags`` (int) arrays
S_DT, S_BETA, S_GAMMA, S_LR, S_TAU_LR, S_TAU_MIN, S_DECAY, S_MOM, S_B1, S_B2, S_EPS = range(11)
(F_SCHEME, F_ERRORS, F_INSTANT, F_LOSS, F_PLASTIC, F_LEARN_BIAS, F_LEARN_TAU, F_OPT,
 F_LEARNED_FB, F_LE) = range(10)
N_SCAL, N_FLAGS = 11, 10


@jit
def _record(n, rec, state, unit, weights):
    """Store the selected quantities at grid index ``n`` if it falls on the recording stride."""
    every, base = rec[0], rec[1]
    if n % every != 0:
        return
    k = n // every - base
    u, ub, r, v, e = state[0], state[2], state[3], state[5], state[6]
    srcs = (u, ub, r, v, e)
    for a in range(5):
        idx = rec[2][a]
        out = rec[3][a]
        src = srcs[a]
        for c in range(idx.shape[0]):
            out[k, c] = src[idx[c]]
    wflat = weights[0]
    for c in range(rec[4].shape[0]):
        rec[5][k, c] = wflat[rec[4][c]]
    bias = unit[6]
    for c in range(rec[6].shape[0]):
        rec[7][k, c] = bias[rec[6][c]]
    tau_m = unit[4]
    for c in range(rec[8].shape[0]):
        rec[9][k, c] = tau_m[rec[8][c]]


@jit
def _errors_exact(tables, unit, weights, scal, flags, state, y_row):
    """Target errors, then error neurons in reverse sweep order (all at the new time)."""
    p_size, sweep, p_tgt = tables[1], tables[3], tables[12]
    p_start = tables[0]
    qq = unit[3]
    r, rp, v, e, eps, tmp, et = state[3], state[4], state[5], state[6], state[7], state[12], \
        state[13]
    loss = 0.0
    for s in range(sweep.shape[0]):
        p = sweep[s]
        if p_tgt[p] >= 0:
            loss += target_error(p, tables, y_row, r, et, flags[F_LOSS], scal[S_BETA])
    nb = r.shape[1]
    for s in range(sweep.shape[0] - 1, -1, -1):
        p = sweep[s]
        feedback(p, tables, weights[1], e, et, eps, tmp)
        lo = p_start[p]
        for i in range(lo, lo + p_size[p]):
            for b in range(nb):
                x = rp[i, b] * eps[i, b]
                eps[i, b] = x
                if flags[F_INSTANT] == 1:
                    e[i, b] = x
                else:
                    e[i, b] = (1.0 - qq[i]) * v[i, b] + qq[i] * x
    return loss


@jit
def _plasticity(tables, unit, weights, scal, flags, state, opt, r_src, gbuf, dbuf):
    """One optimiser step of every plastic parameter from the gradient of this step,
    ``g = -dt <e r_pre^T>_batch`` (weights), ``-dt <e>`` (biases), ``dt <e du/dt>`` (tau_m)."""
    p_start, p_size, sweep = tables[0], tables[1], tables[3]
    j_pre, j_post, j_woff, j_plastic = tables[4], tables[5], tables[6], tables[11]
    decay_m, decay_r, kk, qq, tau_m, tau_r, bias = unit
    wflat, fflat = weights
    mw, vw, mb, vb, mt, vt, count = opt
    e, du = state[6], state[8]
    dt = scal[S_DT]
    nb = e.shape[1]
    kind = flags[F_OPT]
    lr, mom, b1, b2, eps = scal[S_LR], scal[S_MOM], scal[S_B1], scal[S_B2], scal[S_EPS]
    count[0] += 1
    t = count[0]
    wdecay = scal[S_DECAY]
    learned = flags[F_LEARNED_FB] == 1
    for j in range(j_pre.shape[0]):
        if j_plastic[j] == 0:
            continue
        m = p_size[j_post[j]]
        n = p_size[j_pre[j]]
        qlo = p_start[j_post[j]]
        plo = p_start[j_pre[j]]
        o = j_woff[j]
        size = m * n
        g2 = gbuf[:size].reshape((m, n))
        np.dot(e[qlo:qlo + m], r_src[plo:plo + n].T, g2)
        g = gbuf[:size]
        for c in range(size):
            g[c] *= -dt / nb
        optimizer_step(kind, wflat[o:o + size], g, mw[o:o + size], vw[o:o + size],
                       dbuf[:size], lr, mom, b1, b2, eps, t)
        for c in range(size):
            wflat[o + c] += dbuf[c]
            if learned:
                fflat[o + c] += dbuf[c]
            if wdecay > 0.0:
                wflat[o + c] -= wdecay * dt * wflat[o + c]
                if learned:
                    fflat[o + c] -= wdecay * dt * fflat[o + c]
    learn_bias = flags[F_LEARN_BIAS] == 1
    learn_tau = flags[F_LEARN_TAU] == 1
    if not (learn_bias or learn_tau):
        return
    for s in range(sweep.shape[0]):
        p = sweep[s]
        lo = p_start[p]
        hi = lo + p_size[p]
        if learn_bias:
            for i in range(lo, hi):
                acc = 0.0
                for b in range(nb):
                    acc += e[i, b]
                gbuf[i - lo] = -dt * acc / nb
            optimizer_step(kind, bias[lo:hi], gbuf[:hi - lo], mb[lo:hi], vb[lo:hi],
                           dbuf[:hi - lo], lr, mom, b1, b2, eps, t)
            for i in range(lo, hi):
                bias[i] += dbuf[i - lo]
        if learn_tau:
            for i in range(lo, hi):
                acc = 0.0
                for b in range(nb):
                    acc += e[i, b] * du[i, b]
                gbuf[i - lo] = dt * acc / nb
            optimizer_step(kind, tau_m[lo:hi], gbuf[:hi - lo], mt[lo:hi], vt[lo:hi],
                           dbuf[:hi - lo], scal[S_TAU_LR], mom, b1, b2, eps, t)
            for i in range(lo, hi):
                tau_m[i] = max(tau_m[i] + dbuf[i - lo], scal[S_TAU_MIN])
                if flags[F_LE] == 1:
                    tau_r[i] = tau_m[i]
                    decay_r[i] = np.exp(-dt / tau_r[i])
                decay_m[i] = np.exp(-dt / tau_m[i])
                kk[i] = tau_r[i] / tau_m[i]
                qq[i] = tau_m[i] / tau_r[i]


@jit
def _sweep_exact(tables, unit, weights, scal, state):
    """Forward sweep at the new time: currents, prospective potentials, rates, r'."""
    p_start, p_size, p_phi, sweep = tables[0], tables[1], tables[2], tables[3]
    kk, tau_m, bias = unit[2], unit[4], unit[6]
    u, cur, ub, r, rp, e, du, rprev, tmp = (state[0], state[1], state[2], state[3], state[4],
                                            state[6], state[8], state[9], state[12])
    gamma = scal[S_GAMMA]
    nb = u.shape[1]
    for s in range(sweep.shape[0]):
        p = sweep[s]
        lo = p_start[p]
        hi = lo + p_size[p]
        current(p, tables, weights[0], bias, r, rprev, False, cur, tmp)
        for i in range(lo, hi):
            for b in range(nb):
                if gamma != 0.0:
                    cur[i, b] += gamma * e[i, b]
                d = cur[i, b] - u[i, b]
                ub[i, b] = u[i, b] + kk[i] * d
                du[i, b] = d / tau_m[i]
        phi_rows(p_phi[p], ub, r, rp, lo, hi, True)


@jit
def _initial(tables, unit, weights, scal, flags, state, x0, y0):
    """The state at t = 0 from rest (u = v = e = 0); see :mod:`vle.sim.schemes`."""
    p_start, p_size, p_phi, sweep = tables[0], tables[1], tables[2], tables[3]
    u, ub, r, rp, rprev = state[0], state[2], state[3], state[4], state[9]
    n_in = x0.shape[0]
    r[:n_in] = x0
    for s in range(sweep.shape[0]):
        p = sweep[s]
        lo = p_start[p]
        hi = lo + p_size[p]
        ub[lo:hi] = u[lo:hi]
        phi_rows(p_phi[p], ub, r, rp, lo, hi, True)
    if flags[F_SCHEME] == EXACT:
        rprev[:] = r
        _sweep_exact(tables, unit, weights, scal, state)
        if flags[F_ERRORS] == 1:
            _errors_exact(tables, unit, weights, scal, flags, state, y0)


@jit
def run(n_begin, n_end, x, y, tables, unit, weights, scal, flags, state, opt, rec, loss_out):
    """Advance from grid index ``n_begin`` to ``n_end``.

    ``x[k]`` / ``y[k]`` are the inputs / targets at grid index ``n_begin + k`` (``k = 0 ..
    n_end - n_begin``). ``loss_out[k]`` receives the loss of step ``n_begin + k -> + k + 1``.
    When ``n_begin == 0`` the state at t = 0 is formed first.
    """
    p_start, p_size, p_phi, sweep = tables[0], tables[1], tables[2], tables[3]
    decay_m, decay_r, kk, qq, tau_m, tau_r, bias = unit
    (u, cur, ub, r, rp, v, e, eps, du, rprev, rpprev, eprev, tmp, et) = state
    dt = scal[S_DT]
    gamma = scal[S_GAMMA]
    scheme = flags[F_SCHEME]
    errors = flags[F_ERRORS] == 1
    instant = flags[F_INSTANT] == 1
    plastic = flags[F_PLASTIC] == 1
    n_in = x.shape[1]
    nb = u.shape[1]
    n_units = u.shape[0]
    width = tmp.shape[0]
    gbuf = np.empty(max(n_units, weights[0].shape[0]))
    dbuf = np.empty(max(n_units, weights[0].shape[0]))
    any_delayed = False
    for j in range(tables[7].shape[0]):
        if tables[7][j] == 1:
            any_delayed = True
    if n_begin == 0:
        _initial(tables, unit, weights, scal, flags, state, x[0], y[0])
        _record(0, rec, state, unit, weights)

    for n in range(n_begin, n_end):
        k = n - n_begin
        if scheme == EXACT:
            for i in range(n_in, n_units):
                for b in range(nb):
                    u[i, b] = cur[i, b] + (u[i, b] - cur[i, b]) * decay_m[i]
                    if errors and not instant:
                        v[i, b] = eps[i, b] + (v[i, b] - eps[i, b]) * decay_r[i]
            if any_delayed:
                rprev[:] = r
            r[:n_in] = x[k + 1]
            _sweep_exact(tables, unit, weights, scal, state)
            if errors:
                loss_out[k] = _errors_exact(tables, unit, weights, scal, flags, state, y[k + 1])
                if plastic:
                    _plasticity(tables, unit, weights, scal, flags, state, opt, r, gbuf, dbuf)
        else:
            rprev[:] = r
            if errors:
                rpprev[:] = rp
                eprev[:] = e
                loss = 0.0
                for s in range(sweep.shape[0]):
                    p = sweep[s]
                    if tables[12][p] >= 0:
                        loss += target_error(p, tables, y[k], rprev, et, flags[3], scal[1])
                loss_out[k] = loss
            for s in range(sweep.shape[0]):
                p = sweep[s]
                lo = p_start[p]
                hi = lo + p_size[p]
                if errors:
                    feedback(p, tables, weights[1], eprev, et, eps, tmp[:width])
                    for i in range(lo, hi):
                        for b in range(nb):
                            x_eps = rpprev[i, b] * eps[i, b]
                            eps[i, b] = x_eps
                            if instant:
                                e[i, b] = x_eps
                            else:
                                e[i, b] = (1.0 - qq[i]) * v[i, b] + qq[i] * x_eps
                                v[i, b] += dt * (x_eps - v[i, b]) / tau_r[i]
                current(p, tables, weights[0], bias, r, rprev, True, cur, tmp)
                for i in range(lo, hi):
                    for b in range(nb):
                        if gamma != 0.0:
                            cur[i, b] += gamma * e[i, b]
                        d = cur[i, b] - u[i, b]
                        du[i, b] = d / tau_m[i]
                        ub[i, b] = u[i, b] + kk[i] * d
                        u[i, b] += dt * d / tau_m[i]
                phi_rows(p_phi[p], ub, r, rp, lo, hi, True)
            if errors and plastic:
                _plasticity(tables, unit, weights, scal, flags, state, opt, rprev, gbuf, dbuf)
            r[:n_in] = x[k + 1]
        _record(n + 1, rec, state, unit, weights)
