"""Per-seed fan-in initialisation (PyTorch's nn.Linear default)."""

from __future__ import annotations

import numpy as np
from conftest import EXAMPLES

from vle import load_model
from vle.learning.initial import fan_in_uniform


def test_weights_and_biases_lie_in_the_fan_in_bound_and_follow_the_seed():
    model = load_model(EXAMPLES / "mnist1d.toml")
    a, b = fan_in_uniform(model, 0), fan_in_uniform(model, 1)
    again = fan_in_uniform(model, 0)
    for pr in a.network.projections:
        w = pr.weights
        bound = 1.0 / np.sqrt(w.shape[1])
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound, pr.name
        assert abs(w.mean()) < 0.2 * bound, pr.name  # uniform about zero
        other = b.network.projection(pr.pre, pr.post).weights
        assert not np.array_equal(w, other), pr.name
        np.testing.assert_array_equal(w, again.network.projection(pr.pre, pr.post).weights)
    for pop in a.network.populations:
        if pop.is_input:
            continue
        fan_in = 1 if pop.name == "in" else 53
        bias = pop.bias_array
        assert np.abs(bias).max() <= 1 / np.sqrt(fan_in), pop.name
        assert np.abs(bias).max() > 0.5 / np.sqrt(fan_in), pop.name
        np.testing.assert_array_equal(pop.tau_m, model.network.population(pop.name).tau_m)
