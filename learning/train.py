"""Training on continuous-time tasks: the model's stimulus replayed for a number of epochs.

The numba reference runs the model with plasticity on; the network state carries over from one
epoch to the next (a continuous stream), and every epoch replays the model's stimuli over
``[0, t_stop]`` (teacher targets are simulated over the whole run with the same replay).
Training writes as it goes into ``out_dir``:

- ``history.nc``: one row per chunk (``chunks_per_epoch`` per epoch) with ``time``, ``epoch``,
  ``loss`` (mean per-step loss over the chunk) and every plastic parameter
  (``<pre>-><post>.W``, ``<pop>.b``, ``<pop>.tau_m``);
- ``checkpoint.npz`` after every chunk (state, parameters and optimiser state), from which
  ``resume=True`` continues bit for bit;
- ``final.toml`` (with ``final.npz`` for large arrays): the model with the learned parameters.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from vle.learning.checkpoint import load_checkpoint, save_checkpoint
from vle.learning.history import HistoryWriter
from vle.model.learning import LearningRule
from vle.model.model import Model
from vle.model.writer import model_to_dict, save_model
from vle.sim.backend import RunRequest
from vle.sim.budget import check_run_memory
from vle.sim.numba import reference_run
from vle.sim.simulate import teacher_units
from vle.sim.targets import model_targets

CHECKPOINT = "checkpoint.npz"
HISTORY = "history.nc"
FINAL = "final.toml"


class TrainingError(RuntimeError):
    """Training cannot start or continue (the message says why and what to do)."""


@dataclass
class TrainSummary:
    """What a finished training run produced."""

    out_dir: Path
    epochs: int
    steps: int
    final_loss: float
    parameters: dict[str, np.ndarray]
    final_model: Path
    wall_time_s: float
    resumed_from_step: int


def plastic_names(model: Model, rule: LearningRule) -> list[str]:
    """Names of the parameters the rule changes."""
    out = [f"{pr.name}.W" for pr in model.network.projections if pr.plastic]
    for p in model.network.neurons:
        if rule.learn_bias:
            out.append(f"{p.name}.b")
        if rule.learn_tau_m:
            out.append(f"{p.name}.tau_m")
    return out


def fingerprint(model: Model) -> str:
    """A hash of everything that defines the run (model content, settings, learning)."""
    doc, arrays = model_to_dict(model, Path("."), "x.npz")
    h = hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode())
    for k in sorted(arrays):
        h.update(k.encode())
        h.update(np.ascontiguousarray(arrays[k]).tobytes())
    return h.hexdigest()[:16]


def previous_run(out: Path, key: str, resume: bool
                 ) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """The checkpoint in ``out`` to continue from (None for a fresh run; ``out`` is created
    once the checks pass).

    Refuses to overwrite a run unless ``resume``, to resume where there is no checkpoint (a
    silent fresh start would pass for a resumed run), and to resume one made with a different
    model or settings (``key`` is the fingerprint of the run)."""
    path = out / CHECKPOINT
    if not path.exists():
        if resume:
            raise TrainingError(f"--resume: {out} holds no checkpoint ({CHECKPOINT}), so "
                                "there is no run to continue; run without --resume to start "
                                "afresh, or give the --out of the interrupted run")
        out.mkdir(parents=True, exist_ok=True)
        return None
    if not resume:
        raise TrainingError(f"{out} already holds a training run; pass --resume to "
                            "continue it, or choose another --out")
    arrays, meta = load_checkpoint(path)
    if meta["fingerprint"] != key:
        raise TrainingError(f"the checkpoint in {out} was made with a different model or "
                            "settings; resume with the same model file and options, or "
                            "choose another --out")
    return arrays, meta


def train(
    model: Model,
    out_dir: str | Path,
    *,
    epochs: int = 1,
    t_stop: float | None = None,
    seed: int | None = None,
    resume: bool = False,
    progress: bool = True,
    chunks_per_epoch: int = 10,
    on_chunk: Callable[[int], None] | None = None,
    max_memory: int | None = None,
) -> TrainSummary:
    """Train ``model`` for ``epochs`` replays of its stimulus (see the module docstring).

    ``t_stop`` overrides the epoch length, ``seed`` the learning rule's ``feedback_seed``.
    ``on_chunk(step)`` is called after every chunk is written (progress hooks; an exception
    it raises stops training with everything up to that chunk saved). A run whose memory
    estimate (:mod:`vle.sim.budget`: the loss of every step, teacher targets over all epochs)
    exceeds ``max_memory`` bytes is refused before anything is written.
    """
    start = time.perf_counter()
    rule = model.learning
    if rule is None or not rule.active or not model.targets:
        raise TrainingError("the model has no active [learning] rule with [target.*] tables; "
                            "add them to train (see examples/lagline_student.toml)")
    if epochs < 1:
        raise TrainingError(f"epochs must be >= 1, got {epochs}")
    if t_stop is not None:
        model = model.with_simulation(t_stop=t_stop)
    if seed is not None:
        rule = dataclasses.replace(rule, feedback_seed=seed)
        model = dataclasses.replace(model, learning=rule)
    out = Path(out_dir)
    key = fingerprint(model)
    ckpt_path = out / CHECKPOINT
    sim = model.simulation
    per_epoch = sim.n_steps
    total = epochs * per_epoch
    check_run_memory(model.network, n_steps=total, target_units=teacher_units(model),
                     budget=max_memory)
    found = previous_run(out, key, resume)
    arrays = found[0] if found else None
    n0, rows = (int(found[1]["step"]), int(found[1]["rows"])) if found else (0, 0)
    if n0 > total:
        raise TrainingError(f"the checkpoint is at epoch {n0 / per_epoch:g}, beyond the "
                            f"{epochs} epochs asked for")
    targets = model_targets(model, dt=sim.dt, n_steps=total, scheme=sim.scheme,
                            period_steps=per_epoch)
    request = RunRequest(model.network, model.stimuli, sim.dt, total, sim.scheme, (),
                         learning=rule, targets=targets, plastic=True, period_steps=per_epoch)
    run = reference_run(request)
    if arrays is not None:
        run.args.load_arrays(arrays)
    names = plastic_names(model, rule)
    params = run.args.parameters()
    shapes = {"time": (), "epoch": (), "loss": ()}
    shapes.update({n: params[n].shape for n in names})
    history = HistoryWriter(out / HISTORY, shapes, keep_rows=rows if arrays is not None else None,
                            attrs={"network": model.network.name, "rule": rule.rule,
                                   "dt": sim.dt, "epoch_length": sim.t_stop,
                                   "scheme": sim.scheme})
    chunk = max(1, per_epoch // chunks_per_epoch)
    last_loss = float("nan")
    try:
        with tqdm(total=total, initial=n0, disable=not progress, unit="step", delay=1.0,
                  desc=f"train {model.network.name}") as bar:
            n = n0
            while n < total:
                epoch_end = (n // per_epoch + 1) * per_epoch
                n1 = min(n + chunk, epoch_end, total)
                run.advance(n, n1)
                last_loss = float(np.mean(run.last_losses))
                params = run.args.parameters()
                row: dict[str, object] = {"time": n1 * sim.dt, "epoch": n1 / per_epoch,
                                          "loss": last_loss}
                row.update({k: params[k] for k in names})
                history.append(row)
                save_checkpoint(ckpt_path, run.args.arrays(),
                                {"step": n1, "rows": history.rows, "fingerprint": key})
                bar.set_postfix(loss=f"{last_loss:.3g}", refresh=False)
                bar.update(n1 - n)
                n = n1
                if on_chunk is not None:
                    on_chunk(n)
    finally:
        history.close()
    params = run.args.parameters()
    final = save_model(model.with_parameters(params), out / FINAL)
    return TrainSummary(out, epochs, total, last_loss, params, final,
                        time.perf_counter() - start, n0)
