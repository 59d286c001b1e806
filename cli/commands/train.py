"""``vle train``: train a model file with its learning rule, writing results as it goes."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vle.commands.common import (
    OUT_CONVENTION,
    add_budget_argument,
    add_parents_argument,
    add_progress_arguments,
    check_output,
    show_progress,
)
from vle.learning.train import TrainingError, train
from vle.model import Model, ModelError, load_model


def register(sub: Any) -> None:
    """Add the ``train`` sub-command."""
    p = sub.add_parser(
        "train", help="train a model (continuous-time task or dataset) and save the result",
        description="Train MODEL with its [learning] rule. Writes DIR/history.nc (loss and "
                    "every plastic parameter over training time), a checkpoint after every "
                    "chunk, and DIR/final.toml (the model with the learned parameters). An "
                    "interrupted run continues with --resume.")
    p.add_argument("model", type=Path, metavar="MODEL.toml")
    p.add_argument("--out", "-o", type=Path, required=True, metavar="DIR",
                   help=f"output folder; {OUT_CONVENTION}")
    add_parents_argument(p)
    p.add_argument("--epochs", type=int, default=1, help="number of epochs: replays of the "
                   "stimulus over [0, t_stop], or passes over a dataset (default 1)")
    p.add_argument("--t-stop", type=float, help="epoch length in model time units (default: "
                   "the model's t_stop)")
    p.add_argument("--seed", type=int, help="seed for random feedback weights and data "
                   "shuffling (default: the model file's)")
    p.add_argument("--resume", action="store_true", help="continue the run in DIR from its "
                   "last checkpoint (an error when DIR holds none)")
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                   help="float type of dataset training (float64 is the reference; float32 "
                        "is faster and rounds like PyTorch); continuous tasks use float64")
    add_budget_argument(p)
    add_progress_arguments(p, "no progress bar or summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``vle train``."""
    check_output(args.out, "--out", folder=True, parents=args.parents)
    model = load_model(args.model, max_memory=args.max_memory)
    if model.dataset is not None:
        return _run_dataset(args, model)
    try:
        summary = train(model, args.out, epochs=args.epochs, t_stop=args.t_stop,
                        seed=args.seed, resume=args.resume, progress=show_progress(args),
                        max_memory=args.max_memory)
    except TrainingError as exc:
        raise ValueError(str(exc)) from None
    except ModelError as exc:
        raise exc.in_file(args.model) from None
    if not args.quiet:
        if summary.resumed_from_step:
            print(f"resumed from step {summary.resumed_from_step}")
        print(f"{model.network.name}: {summary.steps} steps in {summary.wall_time_s:.1f} s, "
              f"final loss {summary.final_loss:.3g}")
        for name, value in summary.parameters.items():
            if value.size <= 4 and (name.endswith(".W") or name.endswith(".tau_m")):
                print(f"  {name} = {value.ravel().round(4).tolist()}")
        print(f"history: {args.out / 'history.nc'}\nmodel:   {summary.final_model}")
    return 0


def _run_dataset(args: argparse.Namespace, model: Model) -> int:
    from vle.learning.dataset_train import train_dataset

    try:
        ds = train_dataset(model, args.out, epochs=args.epochs, seed=args.seed,
                           resume=args.resume, progress=show_progress(args), dtype=args.dtype)
    except TrainingError as exc:
        raise ValueError(str(exc)) from None
    if not args.quiet:
        print(f"{model.network.name}: {ds.epochs} epochs, test accuracy "
              f"{ds.test_accuracy:.2%}, {ds.train_ms_per_step:.3f} ms per training step "
              f"({ds.ms_per_step:.3f} ms in the kernel)")
        print(f"history: {args.out / 'history.nc'}\nmodel:   {ds.final_model}")
    return 0
