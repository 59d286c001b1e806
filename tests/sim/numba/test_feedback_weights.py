"""The euler scheme's fed-back errors ``F^T e`` (``learning.feedback_weights``): formed from the
new errors in the forward phase, after the projection's update (``updated``) or before it
(``before-update``, the GLE authors' order), kept as state and read by the next step's error
phase; carried across kernel calls and checkpoints."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import EXAMPLES

from vle import load_model
from vle.sim.kernel_args import FB, KernelArgs, feedback_products
from vle.sim.layout import Layout
from vle.sim.numba.driver import run_kernel

BATCH = 4
# the products are formed by numba's np.dot in the kernel and by numpy here (other BLAS
# blocking, float64): rounding only
PRODUCT_ROUNDING = 1e-12


@pytest.fixture(scope="module")
def mnist():
    return load_model(EXAMPLES / "mnist1d.toml")


def _args(model, feedback_weights: str, plastic: bool = True) -> KernelArgs:
    rule = dataclasses.replace(model.learning, feedback_weights=feedback_weights)
    return KernelArgs.build(Layout.of(model.network), dt=0.2, scheme="euler", batch=BATCH,
                            rule=rule, targets=["out"], plastic=plastic)


def _advance(a: KernelArgs, n0: int, n1: int, seed: int = 3) -> None:
    """Steps n0 -> n1 on random inputs and labels (the same for a given seed and n0, n1)."""
    rng = np.random.default_rng(seed)
    steps = n1 - n0
    x = rng.normal(size=(steps + 1, 1, BATCH))
    onehot = np.eye(10)[rng.integers(0, 10, BATCH)].T
    y = np.ascontiguousarray(np.broadcast_to(onehot, (steps + 1, 10, BATCH)))
    rec = _no_recording(steps)
    run_kernel(n0, n1, x, y, a.tables, a.unit, a.weights, a.scal, a.flags, a.state, a.opt, rec,
               np.zeros(steps))


def _no_recording(steps: int) -> tuple:
    z = np.zeros(0, dtype=np.int64)
    e3 = np.zeros((steps + 1, 0, BATCH))
    e2 = np.zeros((steps + 1, 0))
    return (1, 0, (z, z, z, z, z), (e3, e3, e3, e3, e3), z, e2, z, e2, z, e2)


@pytest.mark.parametrize("feedback_weights", ["updated", "before-update"])
def test_fed_back_errors_go_through_the_weights_of_the_setting(mnist, feedback_weights):
    a = _args(mnist, feedback_weights)
    _advance(a, 0, 30)
    before = a.weights[1].copy()
    _advance(a, 30, 31, seed=4)
    used = before if feedback_weights == "before-update" else a.weights[1]
    other = a.weights[1] if feedback_weights == "before-update" else before
    e = a.state[6]
    fb = a.state[FB]
    want = feedback_products(a.layout, used, e)
    scale = float(np.abs(want).max())
    assert scale > 0.0
    assert float(np.abs(fb - want).max()) <= PRODUCT_ROUNDING * scale
    # the step did change the products: the other matrix gives other values
    assert float(np.abs(fb - feedback_products(a.layout, other, e)).max()) > 1e-6 * scale


def test_without_plasticity_both_settings_give_the_same_bits(mnist):
    one, two = _args(mnist, "updated", plastic=False), _args(mnist, "before-update",
                                                              plastic=False)
    for a in (one, two):
        _advance(a, 0, 40)
    for x, y in zip(one.state, two.state, strict=True):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("feedback_weights", ["updated", "before-update"])
def test_a_run_split_at_a_checkpoint_gives_the_same_bits(mnist, feedback_weights):
    """40 steps in one call against 25, a checkpoint (arrays into fresh arguments), 15."""
    whole = _args(mnist, feedback_weights)
    _advance(whole, 0, 25)
    _advance(whole, 25, 40, seed=5)
    first = _args(mnist, feedback_weights)
    _advance(first, 0, 25)
    resumed = _args(mnist, feedback_weights)
    resumed.load_arrays({k: v.copy() for k, v in first.arrays().items()})
    _advance(resumed, 25, 40, seed=5)
    for name, value in whole.arrays().items():
        np.testing.assert_array_equal(resumed.arrays()[name], value, err_msg=name)


def test_a_checkpoint_without_fed_back_errors_forms_them_from_its_weights(mnist):
    """Checkpoints written before ``fb`` was state resume as the 'updated' step would have."""
    whole = _args(mnist, "updated")
    _advance(whole, 0, 25)
    saved = {k: v.copy() for k, v in whole.arrays().items() if k != "state.fb"}
    resumed = _args(mnist, "updated")
    resumed.load_arrays(saved)
    np.testing.assert_allclose(resumed.state[FB], whole.state[FB], rtol=0,
                               atol=PRODUCT_ROUNDING * float(np.abs(whole.state[FB]).max()))
