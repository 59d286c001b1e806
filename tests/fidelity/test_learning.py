"""Learning on the imperfect circuit: fine-tuning a trained network on its own drawn circuit
with the circuit's plain SGD lowers its task loss there."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import EXAMPLES

from vle import load_model
from vle.circuits.nonidealities import get_nonideality
from vle.fidelity.learning import circuit_rule, learning_fidelity
from vle.model.learning import LearningRule

TRAINED = {"x->h1.W": np.array([[1.0]]), "h1->out.W": np.array([[2.0]]),
           "h1.tau_m": np.array([1.0]), "out.tau_m": np.array([2.0])}


def test_the_circuit_learns_weights_with_plain_sgd_only() -> None:
    rule = circuit_rule(LearningRule("gle", learn_tau_m=True), 10.0)
    assert rule.optimizer.kind == "sgd" and rule.optimizer.lr == 10.0
    assert not rule.learn_tau_m and not rule.learn_bias and rule.rule == "gle"


def test_a_model_without_learning_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a model with a \\[learning\\] rule"):
        learning_fidelity(load_model(EXAMPLES / "lagline.toml"), "discrete", (), seed=0,
                          samples=1, epochs=1, lr=1.0)


def test_fine_tuning_on_the_sample_wins_back_its_loss() -> None:
    model = load_model(EXAMPLES / "lagline_student.toml").with_parameters(TRAINED)
    nis = (get_nonideality("resistor-tolerance"), get_nonideality("capacitor-tolerance"))
    rows = learning_fidelity(model, "discrete", nis, seed=0, samples=2, epochs=4, lr=10.0)
    for r in rows:
        assert r["fine_tuned"] < 0.5 * r["as_is"], r  # measured 0.075 (median, 20 samples)
        assert r["nominal"] < r["as_is"]
        assert np.isfinite(r["hardware_aware"])


def test_the_weight_capacitors_leak_as_a_weight_decay() -> None:
    from vle.fidelity.learning import leak_decay

    # discrete: 1e-3 s per model time unit, tau_leak = 1e4 s; onchip: 1e-6 s, 100 s
    assert leak_decay("discrete") == pytest.approx(1e-7, rel=1e-12)
    assert leak_decay("onchip") == pytest.approx(1e-8, rel=1e-12)
    assert leak_decay("ideal") == 0.0
    assert circuit_rule(LearningRule("gle"), 1.0, 1e-7).decay == 1e-7
