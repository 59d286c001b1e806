"""The numba reference against the independent plain-numpy implementation of the same schemes."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import mixed_network

from vle import Sine, Square, simulate

# Same operations in a different order (BLAS blocking, fused loops): differences are a few ulps
# of the O(1) values, growing slowly with the number of steps.
ROUNDING = 1e-11


@pytest.mark.parametrize("scheme", ["exact", "euler"])
@pytest.mark.parametrize("with_cycle", [False, True])
def test_numba_matches_numpy(scheme, with_cycle):
    net = mixed_network(seed=1, with_cycle=with_cycle)
    stim = {"x": Sine(amplitude=(1.0, 0.4), omega=(0.9, 2.1), phase=(0.0, 0.5))}
    kw = dict(t_stop=6.0, dt=0.01, scheme=scheme)
    a = simulate(net, stim, backend="numba", **kw)
    b = simulate(net, stim, backend="numpy", **kw)
    assert a.traces.keys() == b.traces.keys()
    for name in a.traces:
        np.testing.assert_allclose(a[name], b[name], atol=ROUNDING, err_msg=name)
    if with_cycle:
        assert a.metadata["delayed_projections"] == ["b->a"]


def test_batch_axis_and_per_element_inputs():
    """A batched array input gives a batch axis; each element equals its own unbatched run."""
    net = mixed_network(seed=2)
    n_steps, dt = 300, 0.01
    rng = np.random.default_rng(0)
    x = np.cumsum(rng.normal(0, 0.1, (n_steps + 1, 3, 4)), axis=0)
    res = simulate(net, {"x": x}, t_stop=n_steps * dt, dt=dt)
    assert res["c.r"].shape == (n_steps + 1, 3, 3)
    for b in range(3):
        one = simulate(net, {"x": x[:, b, :]}, t_stop=n_steps * dt, dt=dt)
        np.testing.assert_allclose(res["c.r"][:, b, :], one["c.r"], atol=ROUNDING)


def test_record_every_and_selection():
    net = mixed_network(seed=3)
    stim = {"x": Square(amplitude=1.0, period=2.0)}
    full = simulate(net, stim, t_stop=4.0, dt=0.01)
    some = simulate(net, stim, t_stop=4.0, dt=0.01, record=["ub", "c"], record_every=10)
    assert set(some.traces) == {"a.ub", "b.ub", "c.u", "c.ub", "c.r"}
    np.testing.assert_allclose(some.time, full.time[::10])
    np.testing.assert_array_equal(some["b.ub"], full["b.ub"][::10])


def test_unknown_record_name_is_clear():
    with pytest.raises(ValueError, match="cannot record 'h9.u'"):
        simulate(mixed_network(), {"x": Square()}, t_stop=1.0, dt=0.01, record=["h9.u"])
