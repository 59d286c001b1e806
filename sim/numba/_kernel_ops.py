"""Private numba building blocks of the reference kernels (see :mod:`vle.sim.numba._kernels`).

Arrays are unit-major, ``(n_units, batch)``. ``tables`` is the tuple of integer arrays built by
:class:`vle.sim.kernel_args.KernelArgs`:
``(p_start, p_size, p_phi, order, j_pre, j_post, j_woff, j_delayed, in_ptr, out_ptr, out_proj,
j_plastic, p_tgt, j_roff)`` (``j_roff``: offsets of each projection's transposed-rate scratch,
one more entry than projections).
"""

from __future__ import annotations

import numpy as np
from numba import types
from numba.extending import overload

from vle.sim.numba._jit import jit

# optimiser codes (order of vle.model.learning.OPTIMIZERS)
SGD, MOMENTUM, ADAM = 0, 1, 2
# loss codes (order of vle.model.learning.LOSSES)
MSE, CE = 0, 1


def cast_like(value, like):
    """``value`` as the float type of array ``like`` (inside kernels: keeps float32 arithmetic
    in float32, where a float64 literal would widen every operation)."""
    return np.asarray(value, dtype=like.dtype)[()]


@overload(cast_like)
def _cast_like(value, like):
    if like.dtype == types.float32:
        return lambda value, like: np.float32(value)
    return lambda value, like: np.float64(value)


def is_float32(arr):
    """True for a float32 array (a compile-time constant inside kernels)."""
    return arr.dtype == np.float32


@overload(is_float32)
def _is_float32(arr):
    flag = arr.dtype == types.float32
    return lambda arr: flag


@jit(inline="always")
def tanh32(x):
    """float32 tanh by the method of :func:`tanh` with float32 constants: expm1 at
    t = -2|x| / 64 (|t| <= 0.625) by its Taylor series to t^10 / 10! (truncation below 1e-9),
    doubled six times; a few float32 ulp."""
    a = abs(x)
    if a > np.float32(10.0):
        a = np.float32(10.0)
    t = a * np.float32(-0.03125)
    p = np.float32(1.0 / 3628800.0)
    p = p * t + np.float32(1.0 / 362880.0)
    p = p * t + np.float32(1.0 / 40320.0)
    p = p * t + np.float32(1.0 / 5040.0)
    p = p * t + np.float32(1.0 / 720.0)
    p = p * t + np.float32(1.0 / 120.0)
    p = p * t + np.float32(1.0 / 24.0)
    p = p * t + np.float32(1.0 / 6.0)
    p = p * t + np.float32(0.5)
    p = p * t + np.float32(1.0)
    p = p * t
    for _ in range(6):
        p = p * (p + np.float32(2.0))
    return np.copysign(-p / (np.float32(2.0) + p), x)


@jit(inline="always")
def tanh(x):
    """tanh(x) to within a few ulp, in plain arithmetic that the compiler vectorises (libm's
    scalar tanh is about 7x slower here).

    tanh(x) = -m / (2 + m) with m = expm1(-2|x|), signed like x. expm1 is evaluated at
    t = -2|x| / 256 by its Taylor series to t^13 / 13! (truncation below 1e-18 relative for
    |t| <= 0.157), then doubled eight times with expm1(2t) = expm1(t) (expm1(t) + 2), which is
    free of cancellation. |x| is capped at 20, where tanh rounds to 1.
    """
    a = abs(x)
    if a > 20.0:
        a = 20.0
    t = a * -0.0078125
    p = 1.0 / 6227020800.0
    p = p * t + 1.0 / 479001600.0
    p = p * t + 1.0 / 39916800.0
    p = p * t + 1.0 / 3628800.0
    p = p * t + 1.0 / 362880.0
    p = p * t + 1.0 / 40320.0
    p = p * t + 1.0 / 5040.0
    p = p * t + 1.0 / 720.0
    p = p * t + 1.0 / 120.0
    p = p * t + 1.0 / 24.0
    p = p * t + 1.0 / 6.0
    p = p * t + 0.5
    p = p * t + 1.0
    p = p * t
    for _ in range(8):
        p = p * (p + 2.0)
    return np.copysign(-p / (2.0 + p), x)


@jit
def phi_rows(code, ub, r, rp, lo, hi):
    """r = phi(ub) and rp = phi'(ub) on rows lo..hi-1 (codes: PHI_NAMES).

    One loop per nonlinearity, free of branches inside, so the compiler vectorises them.
    """
    nb = ub.shape[1]
    if code == 0:
        for i in range(lo, hi):
            for b in range(nb):
                r[i, b] = ub[i, b]
                rp[i, b] = 1.0
    elif code == 1:
        if is_float32(ub):
            one = np.float32(1.0)
            for i in range(lo, hi):
                for b in range(nb):
                    y = tanh32(ub[i, b])
                    r[i, b] = y
                    rp[i, b] = one - y * y
        else:
            for i in range(lo, hi):
                for b in range(nb):
                    y = tanh(ub[i, b])
                    r[i, b] = y
                    rp[i, b] = 1.0 - y * y
    else:
        for i in range(lo, hi):
            for b in range(nb):
                x = ub[i, b]
                d = 1.0
                if code == 2 or code == 3:
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
                rp[i, b] = d


@jit
def weighted_sum(p, tables, wflat, r, rprev, use_prev, cur, tmp):
    """cur[rows of p] = sum over projections into p of W @ r_pre (no bias).

    A projection reads ``rprev`` when ``use_prev`` or when it closes a cycle (delayed), else
    ``r``. The first product is written straight into ``cur``; further ones go through p's own
    rows of the scratch ``tmp`` (shape of the state), so populations can run in parallel.
    """
    p_start, p_size = tables[0], tables[1]
    j_pre, j_woff, j_delayed, in_ptr = tables[4], tables[6], tables[7], tables[8]
    lo = p_start[p]
    m = p_size[p]
    nb = cur.shape[1]
    target = cur[lo:lo + m]
    if in_ptr[p] == in_ptr[p + 1]:
        target[:] = 0.0
    for j in range(in_ptr[p], in_ptr[p + 1]):
        q = j_pre[j]
        plo = p_start[q]
        n = p_size[q]
        w = wflat[j_woff[j]:j_woff[j] + m * n].reshape((m, n))
        src = rprev if (use_prev or j_delayed[j] == 1) else r
        if j == in_ptr[p]:
            np.dot(w, src[plo:plo + n], target)
        else:
            out = tmp[lo:lo + m]
            np.dot(w, src[plo:plo + n], out)
            for i in range(m):
                for b in range(nb):
                    target[i, b] += out[i, b]


@jit
def back_sum(p, tables, fflat, e, eprev, use_prev_delayed, fb, tmp):
    """fb[rows of p] = sum over projections p -> q of F^T e_q (F has W's shape; for exact
    transport it is W). Cycle-closing projections read ``eprev`` when ``use_prev_delayed``."""
    p_start, p_size = tables[0], tables[1]
    j_post, j_woff, j_delayed, out_ptr, out_proj = (tables[5], tables[6], tables[7], tables[9],
                                                    tables[10])
    lo = p_start[p]
    n = p_size[p]
    nb = fb.shape[1]
    target = fb[lo:lo + n]
    if out_ptr[p] == out_ptr[p + 1]:
        target[:] = 0.0
    for a in range(out_ptr[p], out_ptr[p + 1]):
        j = out_proj[a]
        q = j_post[j]
        qlo = p_start[q]
        m = p_size[q]
        f = fflat[j_woff[j]:j_woff[j] + m * n].reshape((m, n))
        src = eprev if (use_prev_delayed and j_delayed[j] == 1) else e
        if a == out_ptr[p]:
            np.dot(f.T, src[qlo:qlo + m], target)
        else:
            out = tmp[lo:lo + n]
            np.dot(f.T, src[qlo:qlo + m], out)
            for i in range(n):
                for b in range(nb):
                    target[i, b] += out[i, b]


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
def optimizer_step(kind, param, grad, scale, m1, m2, hyper, t, mirror, use_mirror):
    """param += the optimiser's step for the gradient ``scale * grad`` (1-D arrays of equal
    length); ``mirror`` (learned feedback) receives the same change when ``use_mirror``.

    ``hyper = (lr, momentum, beta1, beta2, eps)``; ``t`` is the Adam step count (from 1).
    sgd: ``-lr g``; momentum: ``m = momentum m + g``, ``-lr m``; adam: bias-corrected
    ``-lr mhat / (sqrt(vhat) + eps)``.
    """
    # every constant in the parameters' float type, so float32 runs stay in float32
    lr = cast_like(hyper[0], param)
    mom = cast_like(hyper[1], param)
    b1 = cast_like(hyper[2], param)
    b2 = cast_like(hyper[3], param)
    eps = cast_like(hyper[4], param)
    s = cast_like(scale, param)
    n = param.shape[0]
    if kind == SGD:
        for i in range(n):
            d = -lr * (s * grad[i])
            param[i] += d
            if use_mirror:
                mirror[i] += d
    elif kind == MOMENTUM:
        for i in range(n):
            m1[i] = mom * m1[i] + s * grad[i]
            d = -lr * m1[i]
            param[i] += d
            if use_mirror:
                mirror[i] += d
    else:
        c1 = cast_like(1.0 - hyper[2] ** t, param)
        c2 = cast_like(1.0 - hyper[3] ** t, param)
        a1 = cast_like(1.0 - hyper[2], param)
        a2 = cast_like(1.0 - hyper[3], param)
        for i in range(n):
            g = s * grad[i]
            m1[i] = b1 * m1[i] + a1 * g
            m2[i] = b2 * m2[i] + a2 * g * g
            d = -lr * (m1[i] / c1) / (np.sqrt(m2[i] / c2) + eps)
            param[i] += d
            if use_mirror:
                mirror[i] += d
