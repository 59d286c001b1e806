"""The brian2 backend against the numba reference on the less common paths: every
nonlinearity, a cut cycle, a batch, recording strides, and each learning option (losses,
feedback modes, optimisers, bias and tau_m learning, the instantaneous rules); each on the numpy
target and (slow) on cpp_standalone. Every nonlinearity shares one network, hence one build per
scheme; the other cases build once each: a build compiles one file per Brian2 code object
(several per population, projection and monitor), so putting several cases into one build
would save only its fixed part, about a sixth of a learning build."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import mixed_network, sum_of_sines, wide_network
from test_brian2_agreement import TARGETS, assert_same, both

from vle import Network, Population, Projection, Sine, simulate
from vle.model.learning import LearningRule, Optimizer

pytestmark = pytest.mark.brian2


def every_phi() -> Network:
    """One input driving a population of each nonlinearity, in a chain."""
    pops = [Population("x", 2, "input")]
    for k, phi in enumerate(("linear", "tanh", "sigmoid", "softplus", "relu", "hardtanh")):
        pops.append(Population(f"p{k}", 3, "output" if phi == "hardtanh" else "hidden",
                               tau_m=[0.5, 1.0, 1.5], tau_r=[0.5, 0.1, 2.0], phi=phi,
                               bias=[-0.2, 0.0, 0.3]))
    rng = np.random.default_rng(3)
    projs = [Projection(a.name, b.name, rng.normal(0, 1.5, (b.size, a.size)))
             for a, b in zip(pops[:-1], pops[1:], strict=True)]
    return Network("every_phi", tuple(pops), tuple(projs))


STIM = {"x": Sine(amplitude=(1.5, 0.5), omega=(0.9, 2.1), phase=(0.0, 0.5))}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("scheme", ["exact", "euler"])
def test_every_nonlinearity_with_errors(scheme, target):
    rule = LearningRule(beta=0.8, gamma=0.1)
    res, ref = both(every_phi(), STIM, target, t_stop=2.0, dt=0.01, scheme=scheme,
                    targets={"p5": Sine((0.4,), (1.1,))}, learning=rule)
    assert_same(res, ref)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("scheme", ["exact", "euler"])
def test_cycle_is_cut_as_in_the_reference(scheme, target):
    """A recurrent projection b -> a: in the exact scheme it reads the previous step's rate."""
    res, ref = both(mixed_network(seed=1, with_cycle=True), STIM, target, t_stop=2.0,
                    dt=0.01, scheme=scheme, targets={"c": Sine((0.3,), (1.3,))})
    assert res.metadata["delayed_projections"] == ["b->a"]
    assert_same(res, ref)


@pytest.mark.parametrize("target", TARGETS)
def test_batch_and_record_stride(target):
    """Per-element array inputs give a batch axis; record_every keeps every k-th point."""
    n, dt = 200, 0.01
    x = np.stack([sum_of_sines(n, dt, 4, seed=s) for s in range(3)], axis=1)
    res, ref = both(mixed_network(seed=2), {"x": x}, target, t_stop=n * dt, dt=dt,
                    record_every=7, targets={"c": Sine((0.3,), (1.3,))})
    assert res["c.e"].shape == (n // 7 + 1, 3, 3)
    assert res.metadata["batched"]
    assert_same(res, ref)


RULES = {
    "ce_learned_momentum_bias_decay": LearningRule(
        loss="ce", beta=0.5, gamma=0.3, optimizer=Optimizer("momentum", 0.05),
        feedback="learned", decay=0.01, learn_bias=True),
    "random_sgd_tau": LearningRule(
        beta=0.5, optimizer=Optimizer("sgd", 0.1), feedback="random", feedback_seed=4,
        learn_tau_m=True, tau_m_min=0.3, tau_lr=0.5),
    "bp_adam": LearningRule(rule="bp", beta=0.5, optimizer=Optimizer("adam", 1e-2)),
    "le_tau": LearningRule(rule="le", beta=0.5, gamma=0.2, learn_tau_m=True, tau_lr=0.2,
                           optimizer=Optimizer("sgd", 0.05)),
    "adam_feedback_before_update": LearningRule(
        beta=0.5, optimizer=Optimizer("adam", 1e-2), feedback_weights="before-update"),
    "learned_feedback_before_update": LearningRule(
        beta=0.5, optimizer=Optimizer("sgd", 0.5), feedback="learned", decay=0.01,
        feedback_weights="before-update"),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("scheme", ["exact", "euler"])
@pytest.mark.parametrize("rule", RULES, ids=list(RULES))
def test_learning_options(rule, scheme, target):
    n, dt = 150, 0.01
    onehot = np.zeros((n + 1, 4))
    onehot[:, 1] = 1.0
    goal = onehot if RULES[rule].loss == "ce" else 0.5 * sum_of_sines(n, dt, 4, seed=1)
    res, ref = both(wide_network(seed=2), {"x": sum_of_sines(n, dt, 8)}, target,
                    t_stop=n * dt, dt=dt, scheme=scheme, targets={"out": goal},
                    learning=RULES[rule], plastic=True,
                    record=["u", "ub", "r", "v", "e", "W", "b", "tau_m", "loss"])
    assert_same(res, ref)


def test_batched_learning_is_refused_clearly():
    x = np.zeros((11, 2, 4))
    with pytest.raises(ValueError, match="batch 1 only"):
        simulate(mixed_network(), {"x": x}, t_stop=0.1, dt=0.01, backend="brian2",
                 targets={"c": Sine()}, plastic=True)
