"""Learning fidelity on a dataset task: the network compiled alone, its accuracy on sequences
and fine-tuning with the circuit's plain SGD, on a tiny dataset-like model."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from vle import load_model
from vle.circuits.nonidealities import get_nonideality
from vle.fidelity.learning import (
    circuit_rule,
    dataset_accuracy,
    dataset_fine_tune,
    dataset_hardware_aware,
    dataset_network,
    weight_floor,
    with_weights,
)
from vle.fidelity.montecarlo import sample_variation
from vle.fidelity.surrogate import realised_network
from vle.learning.dataset_train import _evaluate
from vle.mapping import compile_plan
from vle.mapping.errors import MappingError

TINY = """
[network]
name = "tiny"
[[population]]
name = "x"
kind = "input"
size = 1
[[population]]
name = "h"
size = 4
tau_m = [0.6, 0.6, 1.2, 1.2]
tau_r = [0.2, 0.2, 0.2, 1.2]
phi = "tanh"
[[population]]
name = "out"
kind = "output"
size = 2
tau_m = 1.2
tau_r = 1.2
phi = "linear"
[[projection]]
pre = "x"
post = "h"
weights = [[1.0], [-0.5], [0.8], [0.3]]
[[projection]]
pre = "h"
post = "out"
weights = [[0.4, -0.2, 0.3, 0.1], [-0.3, 0.5, -0.1, 0.2]]
[simulation]
dt = 0.2
t_stop = 4.0
scheme = "euler"
[learning]
rule = "gle"
loss = "ce"
optimizer = {kind = "adam", lr = 1e-3}
[dataset]
name = "mnist1d"
input = "x"
output = "out"
batch = 10
test_batch = 20
time_per_sample = 4.0
n_samples = 100
"""


@pytest.fixture(scope="module")
def task(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("tiny") / "tiny.toml"
    path.write_text(TINY)
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 40)
    t = np.linspace(0, 1, 20)
    x = np.where(labels[:, None] == 0, 1.0, -1.0) * t + rng.normal(0, 0.1, (40, 20))
    return load_model(path), x, labels


def test_the_network_alone_compiles_and_realises_its_parts(task) -> None:
    model, _, _ = task
    with pytest.raises(MappingError, match="dataset"):
        compile_plan(model, "discrete")
    nominal = dataset_network(model.network, "discrete", None)
    w = nominal.projections[1].weights
    np.testing.assert_allclose(w, model.network.projections[1].weights, rtol=0.03)
    nis = (get_nonideality("resistor-tolerance"), get_nonideality("capacitor-tolerance"))
    drawn = dataset_network(model.network, "discrete", sample_variation(nis, 0, 0))
    assert not np.array_equal(drawn.projections[1].weights, w)
    full = realised_network(compile_plan(model.network, "discrete",
                                         variation=sample_variation(nis, 0, 0))[0])
    for a, b in zip(full.projections, drawn.projections, strict=True):
        np.testing.assert_array_equal(a.weights, b.weights)
    for a, b in zip(full.neurons, drawn.neurons, strict=True):
        np.testing.assert_array_equal(a.tau_m, b.tau_m)
        np.testing.assert_array_equal(a.tau_r, b.tau_r)
        np.testing.assert_array_equal(a.bias_array, b.bias_array)
    assert weight_floor("discrete") == pytest.approx(0.01)
    assert weight_floor("onchip") == pytest.approx(4.0 / 255 / 2)


def test_accuracy_is_the_trainers_test_accuracy(task) -> None:
    model, x, labels = task
    _, want, _ = _evaluate(model, {}, x, labels, 20, 0.2, np.float32, "ce")
    assert dataset_accuracy(model, model.network, x, labels, batch=20) == want


def test_fine_tuning_moves_the_weights_by_the_sgd_rate(task) -> None:
    model, x, labels = task
    steps = []
    for lr in (0.05, 0.5):
        rule = dataclasses.replace(model, learning=circuit_rule(model.learning, lr))
        tuned = dataset_fine_tune(rule, model.network, x, labels)
        steps.append(tuned["h->out.W"] - model.network.projections[1].weights)
    assert np.all(np.isfinite(steps[1])) and np.abs(steps[1]).max() > 1e-4
    assert np.abs(steps[1]).max() > 3 * np.abs(steps[0]).max()  # about 10x at this rate
    moving = dataclasses.replace(model, learning=circuit_rule(model.learning, 0.5))
    net = with_weights(model.network, tuned)
    np.testing.assert_array_equal(net.projections[1].weights, tuned["h->out.W"])
    nis = (get_nonideality("resistor-tolerance"),)
    robust = dataset_hardware_aware(moving, "discrete", nis, x, labels, seed=0, draws=2,
                                    per_draw=20)
    assert not np.array_equal(robust.projections[1].weights,
                              model.network.projections[1].weights)
    assert 0.0 <= dataset_accuracy(model, robust, x, labels) <= 1.0
    plain = dataset_hardware_aware(moving, "ideal", [], x, labels, seed=0, draws=1,
                                   per_draw=20)
    once = dataset_fine_tune(moving, model.network, x[:20], labels[:20])
    for pr in plain.projections:  # no parts to draw: one pass of the rule
        np.testing.assert_allclose(pr.weights, once[f"{pr.name}.W"], rtol=1e-5, atol=1e-6)
