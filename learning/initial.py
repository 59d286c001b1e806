"""Initial parameters drawn per seed, as the usual deep-learning default does it."""

from __future__ import annotations

import numpy as np

from vle.model.model import Model


def fan_in_uniform(model: Model, seed: int) -> Model:
    """``model`` with every weight and bias drawn from U(-1/sqrt(n), 1/sqrt(n)), n the number
    of inputs of the post population (its fan-in, summed over the projections into it).

    This is PyTorch's ``nn.Linear`` default for weights and biases, which the GLE authors'
    MNIST-1D runs use: U(-1, 1) for the 1 -> 53 input layer and U(-0.137, 0.137) for
    53 -> 53. Draws come from ``numpy.random.default_rng(seed)`` in the order of the
    populations (each population's incoming weights, then its biases), so a seed picks the
    whole initial network. Input populations keep no bias; time constants are unchanged.
    """
    rng = np.random.default_rng(seed)
    net = model.network
    params: dict[str, np.ndarray] = {}
    for pop in net.populations:
        if pop.is_input:
            continue
        incoming = [pr for pr in net.projections if pr.post == pop.name]
        fan_in = sum(pr.shape[1] for pr in incoming)
        if fan_in == 0:
            continue
        bound = 1.0 / np.sqrt(fan_in)
        for pr in incoming:
            params[f"{pr.name}.W"] = rng.uniform(-bound, bound, pr.shape)
        params[f"{pop.name}.b"] = rng.uniform(-bound, bound, pop.size)
    return model.with_parameters(params)
