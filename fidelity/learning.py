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
from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr
from numpy.typing import DTypeLike
from tqdm import tqdm

from vle.circuits.nonidealities import NonIdeality
from vle.circuits.technology import Technology, get_technology
from vle.fidelity.montecarlo import sample_variation
from vle.fidelity.surrogate import realised_network
from vle.learning.dataset_train import _recording, _Runner
from vle.learning.train import train
from vle.mapping import Variation, compile_plan
from vle.mapping.compiler import passes, plan_for
from vle.model.learning import LearningRule, Optimizer
from vle.model.model import Model
from vle.model.network import Network
from vle.sim import simulate_model
from vle.sim.kernel_args import KernelArgs
from vle.sim.layout import Layout
from vle.sim.numba import run_kernel

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


# Dataset tasks ([dataset] table, e.g. MNIST-1D). compile_plan refuses a model whose input is a
# dataset (no netlist source), so the network is compiled alone: every weight a fixed crossbar
# conductance, drawn and (on onchip) quantised like any other part. The accuracy and the
# fine-tuning drive the numba kernels on the realised network directly (no Model is built, so
# a drawn tau_r a little below dt, which the Model check refuses, is simulated as drawn: the
# euler scheme stays stable for tau_r > dt / 2 and tau_m > dt).


def weight_floor(technology: str) -> float:
    """The smallest ``|W|`` a technology realises as a conductance (``prune_below`` for a
    trained network's tiny weights): ``R_f / R_max`` with E-series resistors, half an LSB with
    quantised conductances, 0 on behavioural technologies."""
    from vle.circuits.technology import get_technology

    tech = get_technology(technology)
    if tech.behavioural:
        return 0.0
    if tech.weight_bits is not None and tech.weight_max is not None:
        return tech.weight_max / (2 ** tech.weight_bits - 1) / 2
    assert tech.resistor is not None
    return tech.feedback_resistance / tech.resistor.high


def deployable(network: Network, technology: str) -> tuple[Network, dict[str, int]]:
    """``network`` as a fixed-weight circuit of ``technology`` can hold it: weights and biases
    below :func:`weight_floor` set to 0 (pruned) and weights beyond the technology's largest
    conductance (``weight_max``, on quantised technologies) clipped to it; with the counts of
    both."""
    from vle.circuits.technology import get_technology

    floor = weight_floor(technology)
    top = get_technology(technology).weight_max or np.inf
    counts = {"pruned": 0, "clipped": 0, "weights": 0}
    pops = []
    for p in network.populations:
        if p.is_input or floor == 0.0:
            pops.append(p)
            continue
        b = p.bias_array
        small = (b != 0) & (np.abs(b) < floor)
        counts["pruned"] += int(small.sum())
        pops.append(dataclasses.replace(p, bias=np.where(small, 0.0, b)))
    projs = []
    for pr in network.projections:
        w = np.asarray(pr.weights, dtype=np.float64)
        small = (w != 0) & (np.abs(w) < floor)
        big = np.abs(w) > top
        counts["pruned"] += int(small.sum())
        counts["clipped"] += int(big.sum())
        counts["weights"] += w.size
        projs.append(dataclasses.replace(pr, weights=np.clip(np.where(small, 0.0, w), -top,
                                                              top)))
    return Network(network.name, tuple(pops), tuple(projs)), counts


def dataset_network(network: Network, technology: str, variation: Variation | None) -> Network:
    """``network`` as its fixed-weight circuit realises it (one draw, or nominal parts), after
    :func:`deployable`. Only the passes up to part variation run (the surrogate needs no cells
    or netlist: 0.6 s instead of 1.6 s for MNIST-1D's 15k weights); the values are
    :func:`compile_plan`'s (tested)."""
    plan = plan_for(deployable(network, technology)[0], technology)
    for _, step in passes(variation)[:5 if variation is not None else 4]:
        plan, _, _ = step(plan)
    return realised_network(plan)


def _dataset_inputs(seqs: np.ndarray, dtype: type) -> np.ndarray:
    b, steps = seqs.shape
    x = np.empty((steps + 1, 1, b), dtype)
    x[:steps, 0, :] = seqs.T
    x[steps, 0, :] = seqs[:, -1]
    return x


def dataset_accuracy(model: Model, network: Network, x: np.ndarray, labels: np.ndarray, *,
                     batch: int = 100, dtype: DTypeLike = np.float32) -> float:
    """Test accuracy of ``network`` on sequences ``x`` ``(n, steps)``: from rest, no learning,
    prediction the argmax of the time-summed output rate (as
    :func:`vle.learning.dataset_train.train_dataset` evaluates), in batches of ``batch``
    sequences (the batch size changes no result)."""
    assert model.dataset is not None
    layout = Layout.of(network)
    s = layout.units(model.dataset.output)
    rows = np.arange(s.start, s.stop, dtype=np.int64)
    correct = 0
    for i in range(0, len(x), batch):
        seqs = x[i:i + batch]
        b, steps = seqs.shape
        a = KernelArgs.build(layout, dt=model.simulation.dt, scheme=model.simulation.scheme,
                             batch=b, dtype=dtype)
        rec, out_r = _recording(rows, steps, b, 0, a.dtype.type)
        run_kernel(0, steps, _dataset_inputs(seqs, a.dtype.type),
                   np.zeros((steps + 1, 0, b), a.dtype.type), a.tables, a.unit, a.weights,
                   a.scal, a.flags, a.state, a.opt, rec, np.zeros(steps))
        summed = out_r[1:].astype(np.float64).sum(axis=0)  # (classes, B)
        correct += int(np.sum(np.argmax(summed, axis=0) == labels[i:i + batch]))
    return correct / len(x)


def dataset_fine_tune(model: Model, network: Network, x: np.ndarray, labels: np.ndarray, *,
                      dtype: DTypeLike = np.float32) -> dict[str, np.ndarray]:
    """The weights of ``network`` after one pass of ``model``'s learning rule (use
    :func:`circuit_rule` for what a circuit realises) over ``x`` in batches of
    ``model.dataset.batch`` (a short tail is dropped), the state carried over between batches
    as in training."""
    spec, rule = model.dataset, model.learning
    assert spec is not None and rule is not None
    layout = Layout.of(network)
    args = KernelArgs.build(layout, dt=model.simulation.dt, scheme=model.simulation.scheme,
                            batch=spec.batch, rule=rule, targets=[spec.output], plastic=True,
                            dtype=dtype)
    s = layout.units(spec.output)
    runner = _Runner(args, x.shape[1], np.arange(s.start, s.stop, dtype=np.int64))
    eye = np.eye(s.stop - s.start)
    for i in range(0, len(x) - spec.batch + 1, spec.batch):
        runner.batch(x[i:i + spec.batch], eye[labels[i:i + spec.batch]])
    params = args.parameters()
    return {f"{pr.name}.W": params[f"{pr.name}.W"] for pr in network.projections}


def with_weights(network: Network, weights: Mapping[str, np.ndarray]) -> Network:
    """``network`` with some projections' weights replaced (keys ``'<pre>-><post>.W'``)."""
    return dataclasses.replace(network, projections=tuple(
        dataclasses.replace(pr, weights=weights.get(f"{pr.name}.W", pr.weights))
        for pr in network.projections))


def dataset_hardware_aware(model: Model, technology: str,
                           nonidealities: Sequence[NonIdeality], x: np.ndarray,
                           labels: np.ndarray, *, seed: int, draws: int, per_draw: int,
                           dtype: DTypeLike = np.float32) -> Network:
    """``model.network`` trained with a new draw of its parts for every ``per_draw`` training
    sequences (draw :data:`TRAINING_DRAWS` ``+ k`` of ``seed``, ``draws`` of them, cycling
    through ``x``): each update is computed on the drawn circuit and applied to the nominal
    weights (``W += W_learned - W_drawn``, a straight-through step over pruning and
    quantisation, and clipping: :func:`deployable`). Returns the nominal network with the
    learned weights."""
    current = model.network
    for k in range(draws):
        drawn = dataset_network(current, technology,
                                sample_variation(nonidealities, seed, TRAINING_DRAWS + k))
        idx = np.arange(k * per_draw, (k + 1) * per_draw) % len(x)
        learned = dataset_fine_tune(model, drawn, x[idx], labels[idx], dtype=dtype)
        current = with_weights(current, {
            f"{pr.name}.W": cur.weights + learned[f"{pr.name}.W"] - pr.weights
            for pr, cur in zip(drawn.projections, current.projections, strict=True)})
    return current
