"""A saturating input (``Population.drive_limits``) on the array backends: the clip's closed
form, numba against numpy, bits kept where the clip is not reached, and the refusals of the
backends and files that do not hold it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import mixed_network

from vle import Model, Network, Population, Projection, SimulationSettings, Sine, Step, simulate
from vle.mapping import MappingError, compile
from vle.model import ModelError
from vle.model.loader import load_model
from vle.model.writer import save_model

ROUNDING = 1e-11
"""numba against numpy: the same operations in a different order (as in
``tests/sim/numpy/test_reference_vs_numpy.py``)."""
EXACT_STEP = 1e-13
"""A unit whose input sits at its limit from t = 0: the exact scheme integrates the constant
exactly, so u matches the closed form to rounding."""


def _limited(net: Network, low: float | np.ndarray, high: float | np.ndarray) -> Network:
    return dataclasses.replace(net, populations=tuple(
        p if p.is_input else dataclasses.replace(p, drive_limits=(low, high))
        for p in net.populations))


def test_a_railed_unit_integrates_its_limit() -> None:
    net = Network("one", (Population("x", 2, "input"),
                          Population("n", 2, "output", tau_m=1.0, tau_r=0.25, phi="linear",
                                     drive_limits=([-0.5, -3.0], [0.5, 3.0]))),
                  (Projection("x", "n", np.eye(2)),))
    res = simulate(net, {"x": np.tile([2.0, -4.0], (401, 1))}, t_stop=4.0, dt=0.01)
    t = res.time
    want = np.stack([0.5 * -np.expm1(-t), -3.0 * -np.expm1(-t)], axis=1)
    np.testing.assert_allclose(res["n.u"], want, atol=EXACT_STEP)
    # ub = (1 - k) u + k clip(I): the readout sees the clipped input too
    np.testing.assert_allclose(res["n.ub"], 0.75 * want + 0.25 * np.array([0.5, -3.0]),
                               atol=EXACT_STEP)


@pytest.mark.parametrize("scheme", ["exact", "euler"])
def test_numba_matches_numpy_with_limits(scheme: str) -> None:
    net = _limited(mixed_network(seed=1), -0.3, 0.4)
    stim = {"x": Sine(amplitude=(1.0, 0.4), omega=(0.9, 2.1), phase=(0.0, 0.5))}
    kw = dict(t_stop=6.0, dt=0.01, scheme=scheme)
    a = simulate(net, stim, backend="numba", **kw)
    b = simulate(net, stim, backend="numpy", **kw)
    free = simulate(mixed_network(seed=1), stim, backend="numba", **kw)
    for name in a.traces:
        np.testing.assert_allclose(a[name], b[name], atol=ROUNDING, err_msg=name)
    assert not np.allclose(a["c.r"], free["c.r"])  # the limits are reached


def test_limits_never_reached_keep_every_bit() -> None:
    stim = {"x": Sine(amplitude=(1.0, 0.4), omega=(0.9, 2.1), phase=(0.0, 0.5))}
    for scheme in ("exact", "euler"):
        kw = dict(t_stop=3.0, dt=0.01, scheme=scheme)
        a = simulate(_limited(mixed_network(seed=1), -1e3, 1e3), stim, **kw)
        b = simulate(mixed_network(seed=1), stim, **kw)
        for name in b.traces:
            assert np.array_equal(a[name], b[name]), name


@pytest.mark.parametrize(("limits", "message"), [
    ((1.0, -1.0), "low is not below high"),
    ((1.0,), "a pair"),
    ((0.0, np.inf), "finite"),
])
def test_bad_limits_are_one_clear_message(limits: tuple, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        Population("n", 1, "output", tau_m=1.0, drive_limits=limits)
    with pytest.raises(ModelError, match="input population"):
        Population("x", 1, "input", drive_limits=(-1.0, 1.0))


def test_model_files_keep_the_limits(tmp_path) -> None:
    net = _limited(mixed_network(seed=2), -1.5, 2.0)
    net = dataclasses.replace(net, populations=tuple(
        p if p.name != "a" else dataclasses.replace(
            p, drive_limits=(np.linspace(-1.0, -0.5, 6), 2.0)) for p in net.populations))
    model = Model(net, {"x": Step(1.0)}, SimulationSettings(dt=0.01, t_stop=1.0))
    back = load_model(save_model(model, tmp_path / "m.toml"))
    for p in net.neurons:
        q = back.network.population(p.name)
        for x, y in zip(p.drive_range, q.drive_range, strict=True):
            assert np.array_equal(x, y)


def test_circuits_and_brian2_refuse_the_limits() -> None:
    net = _limited(mixed_network(seed=3), -1.0, 1.0)
    with pytest.raises(MappingError, match="drive_limits"):
        compile(net, "discrete")
    with pytest.raises(ValueError, match="drive_limits"):
        simulate(net, {"x": Step(1.0)}, t_stop=0.1, dt=0.01, backend="brian2")
