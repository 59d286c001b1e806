"""Private numba kernels of the reference integrator: forward dynamics, error neurons and
plasticity fused in one step loop.

State arrays are unit-major, ``(n_units, batch)``, so a population's rows are contiguous and a
projection is one BLAS product. The argument tuples are built and documented by
:class:`vle.sim.kernel_args.KernelArgs`; the schemes by :mod:`vle.sim.schemes`.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from vle.sim.kernel_args import (
    EULER,
    EXACT,
    F_ERRORS,
    F_FB_BEFORE,
    F_INSTANT,
    F_LE,
    F_LEARN_BIAS,
    F_LEARN_TAU,
    F_LEARNED_FB,
    F_LOSS,
    F_OPT,
    F_PLASTIC,
    F_SCHEME,
    S_B1,
    S_B2,
    S_BETA,
    S_DECAY,
    S_DT,
    S_EPS,
    S_GAMMA,
    S_LR,
    S_MOM,
    S_TAU_LR,
    S_TAU_MIN,
)
from vle.sim.numba._jit import jit
from vle.sim.numba._kernel_ops import (
    back_sum,
    optimizer_step,
    phi_rows,
    target_error,
    weighted_sum,
)

# positions in the ``state`` tuple
U, CUR, UB, R, RP, V, E, EPS, DU, RPREV, FB, TMP, ET = range(13)


@jit
def _record(n, rec, state, unit, weights):
    """Store the selected quantities at grid index ``n`` if it falls on the recording stride."""
    every, base = rec[0], rec[1]
    if n % every != 0:
        return
    k = n // every - base
    srcs = (state[U], state[UB], state[R], state[V], state[E])
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
def _membrane_rows(lo, hi, unit, scal, state, scheme):
    """Add bias and error nudging to the summed input of rows lo..hi-1 and clip it to the
    unit's drive limits (rows without limits are left untouched, so their bits do not depend
    on the clip), then ub (and, for euler, the membrane step); du/dt is kept for tau_m
    learning."""
    kk, tau_m, bias, low, high = unit[2], unit[4], unit[6], unit[7], unit[8]
    u, cur, ub, e, du = state[U], state[CUR], state[UB], state[E], state[DU]
    gamma = scal[S_GAMMA]
    dt = scal[S_DT]
    nb = u.shape[1]
    for i in range(lo, hi):
        bi = bias[i]
        ki = kk[i]
        inv = 1.0 / tau_m[i]
        if gamma != 0.0:
            for b in range(nb):
                cur[i, b] += bi + gamma * e[i, b]
        else:
            for b in range(nb):
                cur[i, b] += bi
        lo_i, hi_i = low[i], high[i]
        if lo_i > -np.inf or hi_i < np.inf:
            for b in range(nb):
                c = cur[i, b]
                if c < lo_i:
                    cur[i, b] = lo_i
                elif c > hi_i:
                    cur[i, b] = hi_i
        if scheme == EXACT:
            for b in range(nb):
                d = cur[i, b] - u[i, b]
                ub[i, b] = u[i, b] + ki * d
                du[i, b] = d * inv
        else:
            a = dt * inv
            for b in range(nb):
                d = cur[i, b] - u[i, b]
                ub[i, b] = u[i, b] + ki * d
                du[i, b] = d * inv
                u[i, b] += a * d


@jit
def _error_rows(p, tables, unit, scal, flags, state, scheme):
    """eps = r' (et + fed-back error) (the sum is already in eps) and e from the error neuron;
    for euler also the error-neuron step of v."""
    lo = tables[0][p]
    hi = lo + tables[1][p]
    has_target = tables[12][p] >= 0
    qq, tau_r = unit[3], unit[5]
    rp, v, e, eps, et = state[RP], state[V], state[E], state[EPS], state[ET]
    dt = scal[S_DT]
    nb = rp.shape[1]
    instant = flags[F_INSTANT] == 1
    for i in range(lo, hi):
        if has_target:
            for b in range(nb):
                eps[i, b] += et[i, b]
        qi = qq[i]
        aq = 1.0 - qi
        if instant:
            for b in range(nb):
                x = rp[i, b] * eps[i, b]
                eps[i, b] = x
                e[i, b] = x
        elif scheme == EXACT:
            for b in range(nb):
                x = rp[i, b] * eps[i, b]
                eps[i, b] = x
                e[i, b] = aq * v[i, b] + qi * x
        else:
            a = dt / tau_r[i]
            for b in range(nb):
                x = rp[i, b] * eps[i, b]
                eps[i, b] = x
                e[i, b] = aq * v[i, b] + qi * x
                v[i, b] += a * (x - v[i, b])


@jit
def _learn_projection(j, tables, weights, scal, flags, opt, e, r_pre, gbuf, rtbuf, hyper, t):
    """Optimiser step of projection j from ``g = -dt <e_post r_pre^T>_batch``, then decay.

    ``gbuf`` is scratch of the size of all weights, ``rtbuf`` of the size of the state;
    projection j uses its own slices. r_pre is first copied transposed (batch-major), so the
    gradient is a plain matrix product, which BLAS runs about four times faster than one with
    a transposed operand at these sizes."""
    p_start, p_size, j_pre, j_post, j_woff = (tables[0], tables[1], tables[4], tables[5],
                                              tables[6])
    wflat, fflat = weights
    m = p_size[j_post[j]]
    n = p_size[j_pre[j]]
    qlo = p_start[j_post[j]]
    plo = p_start[j_pre[j]]
    o = j_woff[j]
    size = m * n
    dt = scal[S_DT]
    nb = e.shape[1]
    g = gbuf[o:o + size]
    ro = tables[13][j]
    rt = rtbuf[ro:ro + nb * n].reshape((nb, n))
    for c in range(n):
        for b in range(nb):
            rt[b, c] = r_pre[plo + c, b]
    np.dot(e[qlo:qlo + m], rt, g.reshape((m, n)))
    learned = flags[F_LEARNED_FB] == 1
    optimizer_step(flags[F_OPT], wflat[o:o + size], g, -dt / nb, opt[0][o:o + size],
                   opt[1][o:o + size], hyper, t, fflat[o:o + size], learned)
    wdecay = scal[S_DECAY]
    if wdecay > 0.0:
        f = 1.0 - wdecay * dt
        for c in range(o, o + size):
            wflat[c] *= f
        if learned:
            for c in range(o, o + size):
                fflat[c] *= f


@jit
def _learn_population(p, tables, unit, scal, flags, opt, state, gbuf, hyper, tau_hyper, t):
    """Optimiser steps of p's biases (``g = -dt <e>``) and membrane time constants (``g = dt
    <e du/dt>``, then clipped at tau_m_min) when they learn. ``gbuf`` is per-unit scratch;
    p uses its own rows."""
    lo = tables[0][p]
    hi = lo + tables[1][p]
    decay_m, decay_r, kk, qq, tau_m, tau_r, bias = (unit[0], unit[1], unit[2], unit[3],
                                                     unit[4], unit[5], unit[6])
    e, du = state[E], state[DU]
    dt = scal[S_DT]
    nb = e.shape[1]
    if flags[F_LEARN_BIAS] == 1:
        for i in range(lo, hi):
            acc = 0.0
            for b in range(nb):
                acc += e[i, b]
            gbuf[i] = acc
        optimizer_step(flags[F_OPT], bias[lo:hi], gbuf[lo:hi], -dt / nb, opt[2][lo:hi],
                       opt[3][lo:hi], hyper, t, bias[lo:hi], False)
    if flags[F_LEARN_TAU] == 1:
        for i in range(lo, hi):
            acc = 0.0
            for b in range(nb):
                acc += e[i, b] * du[i, b]
            gbuf[i] = acc
        optimizer_step(flags[F_OPT], tau_m[lo:hi], gbuf[lo:hi], dt / nb, opt[4][lo:hi],
                       opt[5][lo:hi], tau_hyper, t, tau_m[lo:hi], False)
        for i in range(lo, hi):
            tau_m[i] = max(tau_m[i], scal[S_TAU_MIN])
            if flags[F_LE] == 1:
                tau_r[i] = tau_m[i]
                decay_r[i] = np.exp(-dt / tau_r[i])
            decay_m[i] = np.exp(-dt / tau_m[i])
            kk[i] = tau_r[i] / tau_m[i]
            qq[i] = tau_m[i] / tau_r[i]


@jit
def _forward_exact(tables, unit, weights, scal, state):
    """Forward order at the new time: currents, prospective potentials, rates, r'."""
    p_start, p_size, p_phi, order = tables[0], tables[1], tables[2], tables[3]
    for s in range(order.shape[0]):
        p = order[s]
        lo = p_start[p]
        hi = lo + p_size[p]
        weighted_sum(p, tables, weights[0], state[R], state[RPREV], False, state[CUR],
                     state[TMP])
        _membrane_rows(lo, hi, unit, scal, state, EXACT)
        phi_rows(p_phi[p], state[UB], state[R], state[RP], lo, hi)


@jit
def _errors_exact(tables, unit, weights, scal, flags, state, y_row):
    """Target errors, then error neurons in reverse update order (all at the new time); returns
    the loss."""
    order, p_tgt = tables[3], tables[12]
    loss = 0.0
    for s in range(order.shape[0]):
        p = order[s]
        if p_tgt[p] >= 0:
            loss += target_error(p, tables, y_row, state[R], state[ET], flags[F_LOSS],
                                 scal[S_BETA])
    for s in range(order.shape[0] - 1, -1, -1):
        p = order[s]
        back_sum(p, tables, weights[1], state[E], state[E], False, state[EPS], state[TMP])
        _error_rows(p, tables, unit, scal, flags, state, EXACT)
    return loss


@jit
def _initial(tables, unit, weights, scal, flags, state, x0, y0):
    """The state at t = 0 from rest (u = v = e = 0); see :mod:`vle.sim.schemes`."""
    p_start, p_size, p_phi, order = tables[0], tables[1], tables[2], tables[3]
    u, ub, r, rp = state[U], state[UB], state[R], state[RP]
    n_in = x0.shape[0]
    r[:n_in] = x0
    for s in range(order.shape[0]):
        p = order[s]
        lo = p_start[p]
        hi = lo + p_size[p]
        ub[lo:hi] = u[lo:hi]
        phi_rows(p_phi[p], ub, r, rp, lo, hi)
    if flags[F_SCHEME] == EXACT:
        state[RPREV][:] = r
        _forward_exact(tables, unit, weights, scal, state)
        if flags[F_ERRORS] == 1:
            _errors_exact(tables, unit, weights, scal, flags, state, y0)


@jit
def _step_exact(k, x, y, tables, unit, weights, scal, flags, state, opt, any_delayed, gw, gu,
                rt, hyper, tau_hyper, t):
    """One step of the exact scheme; returns the loss at the new time."""
    decay_m, decay_r = unit[0], unit[1]
    u, cur, r, v, eps = state[U], state[CUR], state[R], state[V], state[EPS]
    n_in = x.shape[1]
    nb = u.shape[1]
    errors = flags[F_ERRORS] == 1
    dynamic_v = errors and flags[F_INSTANT] == 0
    for i in range(n_in, u.shape[0]):
        a = decay_m[i]
        for bb in range(nb):
            u[i, bb] = cur[i, bb] + (u[i, bb] - cur[i, bb]) * a
        if dynamic_v:
            ar = decay_r[i]
            for bb in range(nb):
                v[i, bb] = eps[i, bb] + (v[i, bb] - eps[i, bb]) * ar
    if any_delayed:
        state[RPREV][:] = r
    r[:n_in] = x[k + 1]
    _forward_exact(tables, unit, weights, scal, state)
    if not errors:
        return 0.0
    loss = _errors_exact(tables, unit, weights, scal, flags, state, y[k + 1])
    if flags[F_PLASTIC] == 1:
        j_plastic, order = tables[11], tables[3]
        for j in range(j_plastic.shape[0]):
            if j_plastic[j] == 1:
                _learn_projection(j, tables, weights, scal, flags, opt, state[E], r, gw, rt,
                                  hyper, t)
        for s in range(order.shape[0]):
            _learn_population(order[s], tables, unit, scal, flags, opt, state, gu, hyper,
                              tau_hyper, t)
    return loss


@jit
def _feedback_product(j, tables, fflat, e, fb):
    """The fed-back error of projection j, ``F_j^T e_post``, into its rows of ``fb``
    (``(n_pre, batch)`` at row ``j_roff[j] / batch``)."""
    p_start, p_size, j_pre, j_post, j_woff = (tables[0], tables[1], tables[4], tables[5],
                                              tables[6])
    m = p_size[j_post[j]]
    n = p_size[j_pre[j]]
    qlo = p_start[j_post[j]]
    ro = tables[13][j] // e.shape[1]
    o = j_woff[j]
    f = fflat[o:o + m * n].reshape((m, n))
    np.dot(f.T, e[qlo:qlo + m], fb[ro:ro + n])


@jit
def _feedback_sum(p, tables, fb, eps):
    """eps[rows of p] = sum over p's outgoing projections j of their fed-back errors in
    ``fb`` (zero for a population that projects nowhere)."""
    lo = tables[0][p]
    n = tables[1][p]
    out_ptr, out_proj = tables[9], tables[10]
    nb = eps.shape[1]
    if out_ptr[p] == out_ptr[p + 1]:
        eps[lo:lo + n] = 0.0
    for a in range(out_ptr[p], out_ptr[p + 1]):
        ro = tables[13][out_proj[a]] // nb
        if a == out_ptr[p]:
            for i in range(n):
                for b in range(nb):
                    eps[lo + i, b] = fb[ro + i, b]
        else:
            for i in range(n):
                for b in range(nb):
                    eps[lo + i, b] += fb[ro + i, b]


@jit
def _copy_rows(src, dst, lo, hi):
    """dst[lo:hi] = src[lo:hi]."""
    for i in range(lo, hi):
        for b in range(src.shape[1]):
            dst[i, b] = src[i, b]


@jit
def _buckets(tables, flags, n_buckets):
    """Populations shared out to ``n_buckets`` threads so each gets about the same work, once
    for the error phase and once for the forward phase of the euler step (longest first, each
    to the least loaded bucket). Work is counted in multiply-adds per batch column: a
    projection's product is m n; the forward phase runs every product of a population's
    incoming projections (W r, the fed-back F^T e when errors flow back to a stepped ``pre``,
    and e r^T with the optimiser when they learn, 2 m n more); the error phase only sums the
    fed-back products (n per outgoing projection), and each unit's own arithmetic (membrane,
    rate, error neuron) counts about as much as a product row of 53. Returns ``(ptr, pops)``
    per phase: bucket ``w`` runs ``pops[ptr[w]:ptr[w + 1]]``."""
    p_size, order, j_pre, j_post, j_plastic = (tables[1], tables[3], tables[4], tables[5],
                                               tables[11])
    n_pops = order.shape[0]
    errors = flags[F_ERRORS] == 1
    plastic = errors and flags[F_PLASTIC] == 1
    err = np.zeros(n_pops)
    fwd = np.zeros(n_pops)
    for s in range(n_pops):
        p = order[s]
        err[s] = 53.0 * p_size[p]
        fwd[s] = 53.0 * p_size[p]
    where = np.full(p_size.shape[0], -1, dtype=np.int64)  # input populations are not stepped
    for s in range(n_pops):
        where[order[s]] = s
    for j in range(j_pre.shape[0]):
        mn = float(p_size[j_post[j]] * p_size[j_pre[j]])
        products = 1.0
        if errors and where[j_pre[j]] >= 0:
            err[where[j_pre[j]]] += p_size[j_pre[j]]
            products += 1.0
        if plastic and j_plastic[j] == 1:
            products += 2.0
        fwd[where[j_post[j]]] += mn * products
    out = []
    for cost in (err, fwd):
        load = np.zeros(n_buckets)
        owner = np.empty(n_pops, dtype=np.int64)
        for heavy in np.argsort(-cost, kind="mergesort"):
            least = np.argmin(load)
            owner[heavy] = least
            load[least] += cost[heavy]
        ptr = np.zeros(n_buckets + 1, dtype=np.int64)
        for s in range(n_pops):
            ptr[owner[s] + 1] += 1
        for w in range(n_buckets):
            ptr[w + 1] += ptr[w]
        pops = np.empty(n_pops, dtype=np.int64)
        fill = ptr[:-1].copy()
        for s in range(n_pops):  # in update order within a bucket
            pops[fill[owner[s]]] = order[s]
            fill[owner[s]] += 1
        out.append((ptr, pops))
    return out[0], out[1]


@jit(parallel=True)
def _step_euler(k, x, y, tables, unit, weights, scal, flags, state, opt, any_delayed, gw, gu,
                rt, hyper, tau_hyper, t, err_buckets, fwd_buckets):
    """One step of the euler scheme: every population from the state at step n.

    The step reads the old rates from a copy (``rprev``) and the fed-back errors from ``fb``,
    formed in the previous step, so the populations are independent and run in parallel
    threads (each writes only its own rows, its incoming weights, their optimiser state and
    their rows of ``fb``), one bucket of :func:`_buckets` per thread. The error phase copies a
    population's rows of ``rprev`` (it reads no rate) and sums its outgoing projections'
    ``fb`` into eps; the forward phase forms each incoming projection's ``F^T e`` from the new
    errors for the next step, after the projection's update (``feedback_weights =
    'updated'``) or before it (``'before-update'``). Returns the loss at the old time.
    """
    p_start, p_size, p_phi = tables[0], tables[1], tables[2]
    in_ptr, j_plastic, p_tgt, order = tables[8], tables[11], tables[12], tables[3]
    j_pre = tables[4]
    r, rprev, fb = state[R], state[RPREV], state[FB]
    n_in = x.shape[1]
    errors = flags[F_ERRORS] == 1
    plastic = errors and flags[F_PLASTIC] == 1
    before = flags[F_FB_BEFORE] == 1
    loss = 0.0
    if errors:
        for s in range(order.shape[0]):
            p = order[s]
            if p_tgt[p] >= 0:
                loss += target_error(p, tables, y[k], r, state[ET], flags[F_LOSS],
                                     scal[S_BETA])
        eptr, epops = err_buckets
        _copy_rows(r, rprev, 0, n_in)
        for w in prange(eptr.shape[0] - 1):
            for s in range(eptr[w], eptr[w + 1]):
                p = epops[s]
                _copy_rows(r, rprev, p_start[p], p_start[p] + p_size[p])
                _feedback_sum(p, tables, fb, state[EPS])
                _error_rows(p, tables, unit, scal, flags, state, EULER)
    else:
        rprev[:] = r
    fptr, fpops = fwd_buckets
    for w in prange(fptr.shape[0] - 1):
        for s in range(fptr[w], fptr[w + 1]):
            p = fpops[s]
            lo = p_start[p]
            hi = lo + p_size[p]
            weighted_sum(p, tables, weights[0], rprev, rprev, False, state[CUR], state[TMP])
            if errors:
                for j in range(in_ptr[p], in_ptr[p + 1]):
                    back = p_start[j_pre[j]] >= n_in  # errors go back to a stepped pre
                    if back and before:
                        _feedback_product(j, tables, weights[1], state[E], fb)
                    if plastic and j_plastic[j] == 1:
                        _learn_projection(j, tables, weights, scal, flags, opt, state[E],
                                          rprev, gw, rt, hyper, t)
                    if back and not before:
                        _feedback_product(j, tables, weights[1], state[E], fb)
            _membrane_rows(lo, hi, unit, scal, state, EULER)
            phi_rows(p_phi[p], state[UB], r, state[RP], lo, hi)
            if plastic:
                _learn_population(p, tables, unit, scal, flags, opt, state, gu, hyper,
                                  tau_hyper, t)
    r[:n_in] = x[k + 1]
    return loss


@jit
def run(n_begin, n_end, x, y, tables, unit, weights, scal, flags, state, opt, rec, loss_out,
        n_threads):
    """Advance from grid index ``n_begin`` to ``n_end``.

    ``x[k]`` / ``y[k]`` are the inputs / targets at grid index ``n_begin + k`` (``k = 0 ..
    n_end - n_begin``). ``loss_out[k]`` receives the loss of step ``n_begin + k -> + k + 1``.
    When ``n_begin == 0`` the state at t = 0 is formed first. ``n_threads`` is the number of
    threads the euler step shares its populations over (numba's current thread count).
    """
    gw = np.empty(weights[0].shape[0], dtype=state[U].dtype)
    gu = np.empty(state[U].shape[0], dtype=state[U].dtype)
    rt = np.empty(tables[13][-1], dtype=state[U].dtype)
    any_delayed = False
    for j in range(tables[7].shape[0]):
        if tables[7][j] == 1:
            any_delayed = True
    hyper = (scal[S_LR], scal[S_MOM], scal[S_B1], scal[S_B2], scal[S_EPS])
    tau_hyper = (scal[S_TAU_LR], scal[S_MOM], scal[S_B1], scal[S_B2], scal[S_EPS])
    count = opt[6]
    plastic = flags[F_ERRORS] == 1 and flags[F_PLASTIC] == 1
    if n_begin == 0:
        _initial(tables, unit, weights, scal, flags, state, x[0], y[0])
        _record(0, rec, state, unit, weights)
    if n_begin == 0 and flags[F_SCHEME] == EULER and flags[F_ERRORS] == 1:
        for j in range(tables[4].shape[0]):  # the fed-back errors of the state at t = 0
            if tables[0][tables[4][j]] >= x.shape[1]:
                _feedback_product(j, tables, weights[1], state[E], state[FB])
    err_buckets, fwd_buckets = _buckets(tables, flags, n_threads)
    for n in range(n_begin, n_end):
        k = n - n_begin
        if plastic:
            count[0] += 1
        if flags[F_SCHEME] == EXACT:
            loss_out[k] = _step_exact(k, x, y, tables, unit, weights, scal, flags, state, opt,
                                      any_delayed, gw, gu, rt, hyper, tau_hyper, count[0])
        else:
            loss_out[k] = _step_euler(k, x, y, tables, unit, weights, scal, flags, state, opt,
                                      any_delayed, gw, gu, rt, hyper, tau_hyper, count[0],
                                      err_buckets, fwd_buckets)
        _record(n + 1, rec, state, unit, weights)
