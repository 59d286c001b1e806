"""Private numba building blocks of the reference kernels (see :mod:`vle.sim._kernels`).

Arrays are unit-major, ``(n_units, batch)``. ``tables`` is the tuple of integer arrays built by
:class:`vle.sim.kernel_args.KernelArgs`:
``(p_start, p_size, p_phi, sweep, j_pre, j_post, j_woff, j_delayed, in_ptr, out_ptr, out_proj,
j_plastic, p_tgt)``.
"""

from __future__ import annotations

import numpy as np

from vle.sim._jit import jit

# optimiser codes (order of vle.model.learning.OPTIMIZERS)
SGD, MOMENTUM, ADAM = 0, 1, 2
# loss codes (order of vle.model.learning.LOSSES)
MSE, CE = 0, 1


@jit
def phi_rows(code, ub, r, rp, lo, hi, want_rp):
    """r = phi(ub) and, if ``want_rp``, rp = phi'(ub) on rows lo..hi-1 (codes: PHI_NAMES)."""
    nb = ub.shape[1]
    for i in range(lo, hi):
        for b in range(nb):
            x = ub[i, b]
            d = 1.0
            if code == 0:
                y = x
            elif code == 1:
                y = np.tanh(x)
                d = 1.0 - y * y
            elif code == 2 or code == 3:
                if x >= 0.0:
                    s = 1.0 / (1.0 + np.exp(-x))
                else:
                    ex = np.exp(x)
                    s = ex / (1.0 + ex)
                if code == 2:
                    y = s
                    d = s * (1.0 - s)
                else:
                    y = max(x, 0.0) + np.log1p(np.exp(-abs(x)))
                    d = s
            elif code == 4:
                y = max(x, 0.0)
                d = 1.0 if x > 0.0 else 0.0
            else:
                y = min(max(x, -1.0), 1.0)
                d = 1.0 if (x > -1.0 and x < 1.0) else 0.0
            r[i, b] = y
            if want_rp:
                rp[i, b] = d


@jit
def current(p, tables, wflat, bias, r, rprev, use_prev_all, cur, tmp):
    """cur[rows of p] = bias + sum over projections into p of W @ r_pre.

    Every projection reads ``rprev`` when ``use_prev_all`` (euler); otherwise only delayed
    (cycle-closing) projections do.
    """
    p_start, p_size = tables[0], tables[1]
    j_pre, j_woff, j_delayed, in_ptr = tables[4], tables[6], tables[7], tables[8]
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
def feedback(p, tables, fflat, e_src, et, fb, tmp):
    """fb[rows of p] = et[rows of p] + sum over projections p -> q of F^T e_src[q].

    ``F`` has the shape of W (post, pre); for exact transport it is W itself.
    """
    p_start, p_size = tables[0], tables[1]
    j_post, j_woff, out_ptr, out_proj = tables[5], tables[6], tables[9], tables[10]
    lo = p_start[p]
    n = p_size[p]
    nb = fb.shape[1]
    for i in range(lo, lo + n):
        for b in range(nb):
            fb[i, b] = et[i, b]
    for a in range(out_ptr[p], out_ptr[p + 1]):
        j = out_proj[a]
        q = j_post[j]
        qlo = p_start[q]
        m = p_size[q]
        f = fflat[j_woff[j]:j_woff[j] + m * n].reshape((m, n))
        out = tmp[:n]
        np.dot(f.T, e_src[qlo:qlo + m], out)
        for i in range(n):
            for b in range(nb):
                fb[lo + i, b] += out[i, b]


@jit
def target_error(p, tables, y, r, et, loss_code, beta):
    """Target error of population p into et (``beta (y - r)`` for mse, ``beta (y -
    softmax(r))`` for ce); returns the loss of p averaged over the batch (mse: ``0.5 |y -
    r|^2``; ce: ``-sum y log softmax(r)``)."""
    lo = tables[0][p]
    n = tables[1][p]
    row = tables[12][p]
    nb = r.shape[1]
    total = 0.0
    for b in range(nb):
        if loss_code == MSE:
            for i in range(n):
                d = y[row + i, b] - r[lo + i, b]
                et[lo + i, b] = beta * d
                total += 0.5 * d * d
        else:
            mx = r[lo, b]
            for i in range(1, n):
                mx = max(mx, r[lo + i, b])
            z = 0.0
            for i in range(n):
                z += np.exp(r[lo + i, b] - mx)
            logz = np.log(z) + mx
            for i in range(n):
                et[lo + i, b] = beta * (y[row + i, b] - np.exp(r[lo + i, b] - logz))
                total -= y[row + i, b] * (r[lo + i, b] - logz)
    return total / nb


@jit
def optimizer_step(kind, param, grad, m1, m2, delta, lr, mom, b1, b2, eps, t):
    """delta = the optimiser's change of ``param`` for gradient ``grad`` (1-D, same length);
    updates the moment buffers. ``t`` is the Adam step count (from 1)."""
    if kind == SGD:
        for i in range(param.shape[0]):
            delta[i] = -lr * grad[i]
    elif kind == MOMENTUM:
        for i in range(param.shape[0]):
            m1[i] = mom * m1[i] + grad[i]
            delta[i] = -lr * m1[i]
    else:
        c1 = 1.0 - b1 ** t
        c2 = 1.0 - b2 ** t
        for i in range(param.shape[0]):
            g = grad[i]
            m1[i] = b1 * m1[i] + (1.0 - b1) * g
            m2[i] = b2 * m2[i] + (1.0 - b2) * g * g
            delta[i] = -lr * (m1[i] / c1) / (np.sqrt(m2[i] / c2) + eps)
