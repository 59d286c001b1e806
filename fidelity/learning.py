"""Learning on the imperfect circuit: does a chip that learns in place win back what its parts
cost?

A trained model (its ``[learning]`` rule and ``[target]`` tables in place) is deployed on Monte
Carlo samples of its circuit (:func:`on_sample`: the surrogate of the drawn parts) three ways:

- ``as_is``: the trained weights on the sample, no learning;
- ``fine_tuned``: after ``epochs`` of the model's own local rule on the sample itself, as a chip
  that learns in place would do (:func:`fine_tune`);
- ``hardware_aware``: weights trained off-chip with the part spread injected, one new draw per
  epoch (:func:`hardware_aware`), then deployed on the sample as they are.

What the circuit can learn is what its plasticity elements realise (:mod:`vle.mapping.variant`):
plain SGD on the weights of plastic projections, ``dW/dt = lr e r^T - lambda W`` with the
weight capacitors' leakage ``lambda`` (:func:`leak_decay`); no tau_m and no bias learning
(:func:`circuit_rule`). The task loss (:func:`task_loss`) is the model's per-step loss
averaged over the second half of one epoch with the parameters fixed.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Sequence

import numpy as np
import xarray as xr
from tqdm import tqdm

from vle.circuits.nonidealities import NonIdeality
from vle.circuits.technology import Technology, get_technology
from vle.fidelity.montecarlo import sample_variation
from vle.fidelity.surrogate import realised_network
from vle.learning.train import train
from vle.mapping import Variation, compile_plan
from vle.model.learning import LearningRule, Optimizer
from vle.model.model import Model
from vle.sim import simulate_model

TRAINING_DRAWS = 1_000_000
"""Hardware-aware training draws sample ``TRAINING_DRAWS + k`` of the run's seed in epoch k, so
its draws never coincide with the samples it is evaluated on (indices below that)."""


def circuit_rule(rule: LearningRule, lr: float, decay: float = 0.0) -> LearningRule:
    """``rule`` as the circuit realises it: plain SGD at ``lr`` per model time unit on the
    weights, no tau_m or bias learning, and the weight capacitors' leakage as a weight decay of
    ``decay`` per model time unit (:func:`leak_decay`)."""
    return dataclasses.replace(rule, optimizer=Optimizer("sgd", lr), learn_tau_m=False,
                               learn_bias=False, decay=decay)


def leak_decay(technology: str | Technology) -> float:
    """The weight decay (per model time unit) of a plastic weight held on a capacitor ``C_w``
    that leaks through ``R_leak = tau_leak / C_w`` (the plasticity cell's leakage resistor):
    ``dW/dt = ... - W s / tau_leak`` with ``s`` seconds per model time unit, so ``s /
    tau_leak`` (0 for a technology without leakage). Built-in: 1e-7 on discrete (1e-3 s per
    unit, 1e4 s), 1e-8 on onchip (1e-6 s, 100 s)."""
    tech = get_technology(technology)
    return tech.time_scale / tech.weight_leak_tau if tech.weight_leak_tau else 0.0


def task_loss(model: Model) -> float:
    """The mean per-step loss over the second half of one epoch, parameters fixed."""
    loss = simulate_model(model, record=["loss"])["loss"]
    return float(np.nanmean(loss[len(loss) // 2:]))


def on_sample(model: Model, technology: str, variation: Variation | None) -> Model:
    """``model`` with its network as the drawn circuit realises it (plastic weights are
    capacitor voltages and keep their values)."""
    plan, _ = compile_plan(model, technology, variation=variation)
    return dataclasses.replace(model, network=realised_network(plan))


def fine_tune(model: Model, epochs: int) -> Model:
    """``model`` after ``epochs`` of its learning rule (a temporary training folder)."""
    with tempfile.TemporaryDirectory(prefix="vle-finetune-") as out:
        summary = train(model, out, epochs=epochs, progress=False)
    return model.with_parameters(summary.parameters)


def hardware_aware(model: Model, technology: str, nonidealities: Sequence[NonIdeality], *,
                   seed: int, epochs: int) -> Model:
    """``model`` trained for ``epochs`` epochs with a new draw of its parts in each (draw
    :data:`TRAINING_DRAWS` ``+ k`` of ``seed``); the learned weights are returned on the
    nominal model."""
    current = model
    for k in range(epochs):
        drawn = on_sample(current, technology,
                          sample_variation(nonidealities, seed, TRAINING_DRAWS + k))
        learned = fine_tune(drawn, 1)
        weights = {f"{pr.name}.W": pr.weights for pr in learned.network.projections}
        current = current.with_parameters(weights)
    return current


def learning_fidelity(model: Model, technology: str, nonidealities: Sequence[NonIdeality], *,
                      seed: int, samples: int, epochs: int, lr: float,
                      progress: bool = False) -> list[dict[str, float]]:
    """Per sample: the task loss of ``model`` deployed ``as_is``, ``fine_tuned`` on the sample
    and ``hardware_aware`` trained, plus the ``nominal`` loss of the model on nominal parts
    (``progress``: a bar over the samples on stderr)."""
    if not (model.learning and model.learning.active and model.targets):
        raise ValueError("learning fidelity needs a model with a [learning] rule and "
                         "[target] tables (a trained student, e.g. examples/lagline_student.toml "
                         "with its learned parameters)")
    model = dataclasses.replace(model, learning=circuit_rule(model.learning, lr,
                                                             leak_decay(technology)))
    robust = hardware_aware(model, technology, nonidealities, seed=seed, epochs=epochs)
    nominal = task_loss(on_sample(model, technology, None))
    rows = []
    for i in tqdm(range(samples), desc="learning on the samples", unit="sample",
                  disable=not progress):
        var = sample_variation(nonidealities, seed, i)
        drawn = on_sample(model, technology, var)
        rows.append({"sample": float(i), "nominal": nominal, "as_is": task_loss(drawn),
                     "fine_tuned": task_loss(fine_tune(drawn, epochs)),
                     "hardware_aware": task_loss(on_sample(robust, technology, var))})
    return rows


LOSSES = ("as_is", "fine_tuned", "hardware_aware")
"""The three deployments of :func:`learning_fidelity`."""


def learning_dataset(rows: Sequence[dict[str, float]], *, epochs: int, lr: float,
                     technology: str) -> xr.Dataset:
    """:func:`learning_fidelity`'s rows as a dataset along ``sample`` (netCDF-ready)."""
    sample = np.array([int(r["sample"]) for r in rows], dtype=np.int64)
    what = {"as_is": "task loss of the trained model on the sample as it is",
            "fine_tuned": f"task loss after {epochs} epochs of the local rule on the sample",
            "hardware_aware": "task loss of the hardware-aware trained model on the sample",
            "nominal": "task loss of the trained model on nominal parts"}
    return xr.Dataset({k: ("sample", np.array([r[k] for r in rows], dtype=np.float64),
                           {"long_name": v, "units": "1"}) for k, v in what.items()},
                      coords={"sample": sample},
                      attrs={"epochs": epochs, "lr": lr, "technology": technology,
                             "rule": "plain SGD on the plastic weights (circuit_rule)"})
