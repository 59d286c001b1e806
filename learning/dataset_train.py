"""Training on a dataset task (``[dataset]`` table): sequences streamed into an input
population, a one-hot label as the target of the output population at every step.

Per epoch the training set is shuffled (seed ``dataset.seed + epoch``) and presented in
batches of ``dataset.batch`` samples in parallel; the network state carries over from one
batch to the next. After every epoch the test set is evaluated without learning, from rest or
from the training state (``dataset.test_state``, see :class:`vle.model.dataset.DatasetSpec`):
the loss is the per-step cross-entropy (or squared error) averaged over steps and samples, the
prediction the argmax of the output rate summed over the sample. ``out_dir`` receives
``history.nc`` (a row per epoch: losses, accuracies, learning rate, milliseconds per training
step, and every plastic parameter), ``checkpoint.npz`` after every epoch (``resume=True``
continues from it) and ``final.toml``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr
from numpy.typing import DTypeLike
from tqdm import tqdm

from vle.learning.checkpoint import save_checkpoint
from vle.learning.datasets import load
from vle.learning.history import HistoryWriter
from vle.learning.train import (
    CHECKPOINT,
    FINAL,
    HISTORY,
    TrainingError,
    fingerprint,
    plastic_names,
    previous_run,
)
from vle.model.model import Model
from vle.model.writer import save_model
from vle.sim.kernel_args import S_LR, KernelArgs
from vle.sim.layout import Layout
from vle.sim.numba import run_kernel

PLATEAU_FACTOR = 0.5
"""Learning-rate factor of the plateau schedule (as PyTorch's ReduceLROnPlateau default)."""
PLATEAU_THRESHOLD = 1e-4
"""Relative improvement of the test loss that counts as better (PyTorch's default)."""
PLATEAU_MIN_CHANGE = 1e-8
"""A plateau reduction smaller than this is skipped, so the rate stops falling near
lr0 / 2^16 for lr0 = 1e-3 (PyTorch ReduceLROnPlateau's ``eps``, which the GLE authors' runs
used)."""


@dataclass
class DatasetSummary:
    """What a finished dataset training run produced."""

    out_dir: Path
    epochs: int
    test_accuracy: float
    test_accuracies: list[float]
    ms_per_step: float
    """Kernel time per training step: median over epochs after the first (which includes
    compiling the kernels)."""
    train_ms_per_step: float
    """Wall time of the training loop per step (kernel, batch preparation, bookkeeping;
    evaluation excluded): median over epochs after the first."""
    parameters: dict[str, np.ndarray]
    final_model: Path
    wall_time_s: float


def _recording(rows: np.ndarray, n_steps: int, batch: int, base: int,
               dtype: DTypeLike) -> tuple[tuple, np.ndarray]:
    z = np.zeros(0, dtype=np.int64)
    out_r: np.ndarray = np.zeros((n_steps + 1, rows.size, batch), dtype)
    empty3: np.ndarray = np.zeros((n_steps + 1, 0, batch), dtype)
    empty2: np.ndarray = np.zeros((n_steps + 1, 0), dtype)
    rec = (1, base, (z, z, rows, z, z), (empty3, empty3, out_r, empty3, empty3), z, empty2, z,
           empty2, z, empty2)
    return rec, out_r


class _Runner:
    """Drives the kernels over batches of sequences, keeping the state between batches."""

    def __init__(self, args: KernelArgs, n_steps: int, out_rows: np.ndarray) -> None:
        self.args = args
        self.n_steps = n_steps
        self.rows = out_rows
        self.n = 0
        self.kernel_time = 0.0
        self.last_out: np.ndarray = np.zeros((0, out_rows.size, 0), args.dtype)
        """The last batch's output rates, ``(steps, classes, batch)``."""

    def batch(self, seqs: np.ndarray, onehot: np.ndarray | None) -> tuple[np.ndarray, float]:
        """Run one batch (``seqs`` ``(B, steps)``); returns the time-summed output rates
        ``(B, classes)`` and the mean per-step loss (when ``onehot`` targets are given)."""
        a = self.args
        dtype = a.dtype.type
        b, steps = seqs.shape
        x = np.empty((steps + 1, 1, b), dtype)
        x[:steps, 0, :] = seqs.T
        x[steps, 0, :] = seqs[:, -1]
        if onehot is None:
            y = np.zeros((steps + 1, 0, b), dtype)
        else:
            y = np.ascontiguousarray(np.broadcast_to(onehot.T[None].astype(dtype),
                                                     (steps + 1, onehot.shape[1], b)))
        if self.n > 0:
            a.state[3][:1] = x[0]  # the input presents the sample's first value at once
        rec, out_r = _recording(self.rows, steps, b, self.n, dtype)
        loss = np.zeros(steps, dtype)
        t0 = time.perf_counter()
        run_kernel(self.n, self.n + steps, x, y, a.tables, a.unit, a.weights, a.scal,
                     a.flags, a.state, a.opt, rec, loss)
        self.kernel_time += time.perf_counter() - t0
        self.n += steps
        self.last_out = out_r[1:]
        return out_r[1:].sum(axis=0).T, float(loss.mean())


def plateau_step(lr: float, best: float, bad: int, loss: float,
                 patience: int) -> tuple[float, float, int]:
    """One epoch of the plateau schedule (PyTorch's ReduceLROnPlateau in ``min`` mode): a loss
    below ``best (1 - PLATEAU_THRESHOLD)`` is the new best; after more than ``patience`` epochs
    without one, ``lr`` is multiplied by ``PLATEAU_FACTOR`` unless that changes it by less than
    ``PLATEAU_MIN_CHANGE``. Returns the new ``(lr, best, bad)``."""
    if loss < best * (1 - PLATEAU_THRESHOLD):
        return lr, loss, 0
    bad += 1
    if bad <= patience:
        return lr, best, bad
    if lr - lr * PLATEAU_FACTOR > PLATEAU_MIN_CHANGE:
        lr *= PLATEAU_FACTOR
    return lr, best, 0


def _tiled(state: tuple[np.ndarray, ...], columns: int) -> list[np.ndarray]:
    """Every state array ``(units, batch)`` with its columns repeated to ``columns``."""
    return [np.tile(a, (1, -(-columns // a.shape[1])))[:, :columns] for a in state]


def _evaluate(model: Model, params: dict[str, np.ndarray], x: np.ndarray, labels: np.ndarray,
              batch: int, dt: float, dtype: DTypeLike, loss_kind: str,
              start: tuple[np.ndarray, ...] | None = None
              ) -> tuple[float, float, list[np.ndarray] | None]:
    """Test loss (per step, per sample), accuracy and the final state of the last test batch,
    without learning: from rest, or when ``start`` (a training state, ``batch`` columns) is
    given, every test batch starts from it tiled to the test batch's size."""
    net = model.with_parameters(params).network
    layout = Layout.of(net)
    out_name = model.dataset.output  # type: ignore[union-attr]
    s = layout.units(out_name)
    args = KernelArgs.build(layout, dt=dt, scheme=model.simulation.scheme,
                            batch=min(batch, len(x)), dtype=dtype)
    rows = np.arange(s.start, s.stop, dtype=np.int64)
    correct, total_loss = 0, 0.0
    n_classes = s.stop - s.start
    for i in range(0, len(x), batch):
        seqs = x[i:i + batch]
        if len(seqs) != args.state[0].shape[1]:
            args = KernelArgs.build(layout, dt=dt, scheme=model.simulation.scheme,
                                    batch=len(seqs), dtype=dtype)
        runner = _Runner(args, seqs.shape[1], rows)
        if start is not None:
            for dst, src in zip(args.state, _tiled(start, len(seqs)), strict=True):
                dst[...] = src
            runner.n = 1  # go on from the given state (n = 0 forms the state at rest)
        runner.batch(seqs, None)
        r = runner.last_out.astype(np.float64)  # (steps, classes, B)
        steps = r.shape[0]
        lab = labels[i:i + batch]
        correct += int(np.sum(np.argmax(r.sum(axis=0), axis=0) == lab))
        onehot = np.eye(n_classes)[lab].T  # (classes, B)
        if loss_kind == "ce":
            z = r - r.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            total_loss += float(-np.sum(onehot[None] * logp) / steps)
        else:
            total_loss += float(0.5 * np.sum((onehot[None] - r) ** 2) / steps)
    end = None if start is None else [a[:, :start[0].shape[1]].copy() for a in args.state]
    return total_loss / len(x), correct / len(x), end


def train_dataset(
    model: Model,
    out_dir: str | Path,
    *,
    epochs: int = 1,
    seed: int | None = None,
    resume: bool = False,
    progress: bool = True,
    dtype: DTypeLike = np.float64,
    max_train: int | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
) -> DatasetSummary:
    """Train ``model`` on its dataset for ``epochs`` (see the module docstring).

    ``seed`` overrides ``dataset.seed``; ``max_train`` uses only the first that many training
    samples (quick runs); ``on_epoch(epoch, metrics)`` is called after every epoch is saved.
    """
    start = time.perf_counter()
    spec, rule = model.dataset, model.learning
    if spec is None or rule is None or not rule.active:
        raise TrainingError("the model needs a [dataset] table and an active [learning] rule")
    if seed is not None:
        spec = dataclasses.replace(spec, seed=seed)
        model = dataclasses.replace(model, dataset=spec)
    dt = model.simulation.dt
    steps = int(round(spec.time_per_sample / dt))
    data = load(spec.name, steps, spec.n_samples)
    x_train, y_train = data["x_train"], data["y_train"]
    if max_train is not None:
        x_train, y_train = x_train[:max_train], y_train[:max_train]
    out_pop = model.network.population(spec.output)
    n_classes = out_pop.size
    if int(max(y_train.max(), data["y_test"].max())) >= n_classes:
        raise TrainingError(f"the dataset has labels up to {int(y_train.max())} but output "
                            f"population {out_pop.name!r} has only {n_classes} units")
    layout = Layout.of(model.network)
    args = KernelArgs.build(layout, dt=dt, scheme=model.simulation.scheme, batch=spec.batch,
                            rule=rule, targets=[spec.output], plastic=True, dtype=dtype)
    s = layout.units(spec.output)
    rows = np.arange(s.start, s.stop, dtype=np.int64)
    out = Path(out_dir)
    key = fingerprint(model) + f"-{np.dtype(dtype).name}-{max_train}"
    first_epoch, lr, best, bad, rows_done = 1, rule.optimizer.lr, np.inf, 0, 0
    ckpt = out / CHECKPOINT
    runner = _Runner(args, steps, rows)
    found = previous_run(out, key, resume)
    if found:
        arrays, meta = found
        args.load_arrays(arrays)
        first_epoch, lr, best, bad = meta["epoch"] + 1, meta["lr"], meta["best"], meta["bad"]
        runner.n, rows_done = meta["n"], meta["rows"]
    names = plastic_names(model, rule)
    metrics_names = ("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
                     "lr", "ms_per_step", "train_ms_per_step")
    shapes = {k: () for k in metrics_names}
    shapes.update({k: args.parameters()[k].shape for k in names})
    history = HistoryWriter(out / HISTORY, shapes, keep_rows=rows_done if first_epoch > 1
                            else None, attrs={"network": model.network.name,
                                              "dataset": spec.name, "dtype": np.dtype(
                                                  dtype).name})
    n_batches = -(-len(x_train) // spec.batch)
    try:
        for epoch in range(first_epoch, epochs + 1):
            args.scal[S_LR] = lr
            order = np.random.default_rng(spec.seed + epoch).permutation(len(x_train))
            correct, losses = 0, []
            runner.kernel_time, steps_before = 0.0, runner.n
            loop_start = time.perf_counter()
            desc = f"epoch {epoch}/{epochs}"
            with tqdm(total=n_batches, disable=not progress, desc=desc, unit="batch",
                      leave=False) as bar:
                for i in range(0, len(x_train), spec.batch):
                    idx = order[i:i + spec.batch]
                    if len(idx) < spec.batch:  # keep one batch size: drop the short tail
                        break
                    summed, loss = runner.batch(x_train[idx], np.eye(n_classes)[y_train[idx]])
                    correct += int(np.sum(np.argmax(summed, axis=1) == y_train[idx]))
                    losses.append(loss)
                    bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
                    bar.update(1)
            n_used = len(losses) * spec.batch
            n_steps_epoch = max(1, runner.n - steps_before)
            ms = 1e3 * runner.kernel_time / n_steps_epoch
            train_ms = 1e3 * (time.perf_counter() - loop_start) / n_steps_epoch
            params = args.parameters()
            carried = spec.test_state == "carried"
            test_loss, test_acc, end = _evaluate(
                model, params, data["x_test"], data["y_test"], spec.test_batch, dt, dtype,
                rule.loss, start=tuple(args.state) if carried else None)
            if end is not None:
                for dst, src in zip(args.state, end, strict=True):
                    dst[...] = src
            row = {"epoch": epoch, "train_loss": float(np.mean(losses)),
                   "train_accuracy": correct / max(1, n_used), "test_loss": test_loss,
                   "test_accuracy": test_acc, "lr": lr, "ms_per_step": ms,
                   "train_ms_per_step": train_ms}
            history.append({**row, **{k: params[k] for k in names}})
            if spec.lr_schedule == "plateau":
                lr, best, bad = plateau_step(lr, best, bad, test_loss, spec.patience)
            save_checkpoint(ckpt, args.arrays(), {"epoch": epoch, "lr": lr, "best": best,
                                                  "bad": bad, "n": runner.n,
                                                  "rows": history.rows, "fingerprint": key})
            if progress:
                tqdm.write(f"epoch {epoch}: train loss {row['train_loss']:.4f} acc "
                           f"{row['train_accuracy']:.2%}, test loss {test_loss:.4f} acc "
                           f"{test_acc:.2%}, {ms:.3f} ms/step")
            if on_epoch is not None:
                on_epoch(epoch, row)
    finally:
        history.close()
    params = args.parameters()
    final = save_model(model.with_parameters(params), out / FINAL)
    with xr.open_dataset(out / HISTORY) as h:  # the whole run, resumed parts included
        accuracies = [float(v) for v in h["test_accuracy"].values]
        kernel_ms = _median_after_first(h["ms_per_step"].values)
        train_ms = _median_after_first(h["train_ms_per_step"].values)
    return DatasetSummary(out, epochs, accuracies[-1] if accuracies else float("nan"),
                          accuracies, kernel_ms, train_ms, params, final,
                          time.perf_counter() - start)


def _median_after_first(values: np.ndarray) -> float:
    """Median of per-epoch timings, leaving out the first epoch (kernel compilation) when
    there are more; NaN rows (written before a column existed) are ignored."""
    values = values[1:] if len(values) > 1 else values
    values = values[np.isfinite(values)]
    return float(np.median(values)) if len(values) else float("nan")
