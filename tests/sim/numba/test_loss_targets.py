"""The kernels' target errors and losses against their closed forms (equations.md section 2).

With a linear output population and the instantaneous rule (``bp``), the output error is the
target error itself (``e = r' et`` with ``r' = 1``), so the recorded ``e`` and ``loss`` can be
compared with numpy formulas evaluated on the recorded rates.
"""

from __future__ import annotations

import numpy as np
import pytest

from vle import Network, Population, Projection, Sine, simulate
from vle.model.learning import LearningRule

ROUNDING = 1e-12
"""A handful of float64 operations on values of order one (the softmax of large rates is
formed after subtracting the maximum, so it stays of order one too)."""


def _net(scale: float) -> Network:
    rng = np.random.default_rng(5)
    return Network("ce", (
        Population("x", 2, "input"),
        Population("o", 4, "output", tau_m=1.0, tau_r=0.2, phi="linear",
                   bias=rng.normal(0, 0.5, 4)),
    ), (Projection("x", "o", scale * rng.normal(0, 1, (4, 2))),))


def _labels(n: int, batch: int, size: int) -> np.ndarray:
    """One-hot labels that switch class every 50 grid points; batch elements differ."""
    cls = (np.arange(n)[:, None] // 50 + np.arange(batch)[None, :]) % size
    return np.eye(size)[cls]


def _softmax(r: np.ndarray) -> np.ndarray:
    z = r - r.max(axis=-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("scheme", ["exact", "euler"])
@pytest.mark.parametrize("scale", [1.0, 300.0], ids=["moderate", "saturated"])
@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_output_error_and_loss_closed_form(loss, scale, scheme):
    """mse: ``et = beta (y - r)``, ``C = |y - r|^2 / 2``; ce: ``et = beta (y - softmax(r))``,
    ``C = -sum y log softmax(r)``; the recorded loss is C averaged over the batch. Large rates
    (``saturated``: |r| in the hundreds) must not overflow the softmax."""
    beta, dt, n_steps, batch = 0.7, 0.01, 200, 3
    y = _labels(n_steps + 1, batch, 4)
    stim = {"x": Sine((1.0, 0.5), (1.3, 2.9), (0.0, 0.4))}
    rule = LearningRule(rule="bp", loss=loss, beta=beta)
    res = simulate(_net(scale), stim, t_stop=n_steps * dt, dt=dt, scheme=scheme, batch=batch,
                   learning=rule, targets={"o": y}, record=["o.r", "o.e", "loss"])
    r, e = res["o.r"], res["o.e"]
    assert np.abs(r).max() > (100.0 if scale > 1 else 0.5)
    if loss == "mse":
        et = beta * (y - r)
        c = 0.5 * np.sum((y - r) ** 2, axis=-1)
    else:
        p = _softmax(r)
        et = beta * (y - p)
        logp = r - r.max(axis=-1, keepdims=True)
        logp = logp - np.log(np.exp(logp).sum(axis=-1, keepdims=True))
        c = -np.sum(y * logp, axis=-1)
    # euler forms the error of step n -> n+1 from the state at n: e[n+1] = et(r[n], y[n])
    lag = 0 if scheme == "exact" else 1
    np.testing.assert_allclose(e[1 + lag:], et[1:len(et) - lag],
                               atol=ROUNDING * max(1.0, np.abs(r).max()))
    # loss[n] is the loss of the step into grid point n: C at t[n] (exact) or t[n-1] (euler)
    recorded = res["loss"][1:]
    np.testing.assert_allclose(recorded, c.mean(axis=1)[1 - lag:len(c) - lag],
                               rtol=ROUNDING, atol=ROUNDING * max(1.0, np.abs(r).max()))
