"""MNIST-1D with the published GLE network ("15k"): accuracy per epoch and time per step.

Trains examples/mnist1d.toml (Euler scheme, Adam lr 1e-3, batch 100, cross-entropy at every
step) for --epochs on --seeds seeds and prints JSON lines: one per epoch (test accuracy,
milliseconds per training step) and a summary per run and over seeds. The published result is
91.7 +- 0.8 % test accuracy over 10 seeds after 150 epochs (the final epoch's accuracy, mean and
population standard deviation, as the authors' plotting code computes it). Every seed draws its
own initial weights and biases (``--init fan-in``, the authors' PyTorch default) and shuffles
the training set its own way; the test pass starts from the training state, as theirs does.

--speed-only measures the training step in float32 and float64 on one and all threads against
a plain-PyTorch implementation of the same step (benchmarks/torch_gle.py, in the Python 3.11
venv of tools/ensure-bench-venv.sh, checked against the numba step by
tests/learning/test_torch_step.py), both timed in the same run, interleaved, on the same
batches from the same weights: ``ms_per_step`` and ``torch_ms_per_step`` (wall), their
ratio ``speedup_vs_torch``, the same in CPU time, and where the time goes on both sides. The
GLE authors' PyTorch code needed 2.3 ms per step on these machines (architecture.md; 2.0-2.1
ms measured again on 2026-11-28 with torch 2.13 on one thread): ``speedup_vs_authors``
divides that recorded figure, so it falls on a loaded machine; the same-run ratio does not.

    python benchmarks/mnist1d.py --epochs 150 --seeds 3 [--dtype float32] [--out runs/mnist1d]
    python benchmarks/mnist1d.py --speed-only
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
from pathlib import Path

import numba
import numpy as np
from common import emit, without_script_dir
from numba_phases import blas_floor, phase_times
from torch_compare import NumbaTrainer, TorchWorker, export

from vle import load_model
from vle.learning.dataset_train import train_dataset
from vle.learning.datasets import load
from vle.learning.initial import fan_in_uniform
from vle.learning.train import CHECKPOINT

without_script_dir(__file__)  # this file's name would shadow the mnist1d package

AUTHORS_MS_PER_STEP = 2.3
"""The GLE authors' PyTorch code, ms per training step at batch 100 (architecture.md)."""
HERE = Path(__file__).resolve().parent


def ms_per_step(model, dtype, threads: int, repeats: int = 3) -> tuple[float, float]:
    """Median ms per training step over ``repeats`` short epochs (2000 samples: 20 batches of
    360 steps, learning on) after a first, untimed one that compiles the kernels: the whole
    training loop (kernel, batch preparation, bookkeeping), and the kernel alone."""
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows: list[dict] = []
            train_dataset(model, Path(tmp), epochs=repeats + 1, progress=False, dtype=dtype,
                          max_train=2000, on_epoch=lambda e, row: rows.append(row))
        return tuple(statistics.median(r[k] for r in rows[1:])  # type: ignore[return-value]
                     for k in ("train_ms_per_step", "ms_per_step"))
    finally:
        numba.set_num_threads(before)


def same_run(model, dtype, threads: int, seqs: np.ndarray, labels: np.ndarray,
             repeats: int) -> dict:
    """ms per training step of the numba reference and of the plain-PyTorch step
    (benchmarks/torch_gle.py) on the same batches from the same initial weights, interleaved
    (which side runs first alternates), after one untimed batch each; medians over
    ``repeats`` batches of 360 steps, and torch's profile of one more batch."""
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        numba_side = NumbaTrainer(model, dtype, seqs, labels)
        with TorchWorker(export(model, dtype, seqs, labels), threads) as torch_side:
            numba_side.run(0)
            torch_side.run(0)
            rows: dict[str, list[dict[str, float]]] = {"numba": [], "torch": []}
            for rep in range(repeats):
                i = 1 + rep % (len(seqs) - 1)
                sides = [("numba", numba_side), ("torch", torch_side)]
                for name, side in sides if rep % 2 == 0 else sides[::-1]:
                    rows[name].append(side.run(i))
            profile = torch_side.profile(1 + repeats % (len(seqs) - 1))
            info = torch_side.info
    finally:
        numba.set_num_threads(before)
    out: dict = {"torch_profile": profile, "torch_info": info}
    for name, side_rows in rows.items():
        for clock in ("ms_per_step", "cpu_ms_per_step"):
            out[f"{name}_{clock}_all"] = [round(r[clock], 4) for r in side_rows]
            out[f"{name}_{clock}"] = statistics.median(r[clock] for r in side_rows)
        out[f"{name}_last_loss"] = round(side_rows[-1]["loss"], 6)
    return out


def speed(model, repeats: int = 7) -> None:
    """One JSON line per (float type, threads): ms per training step of the numba reference
    (``ms_per_step``) and of plain PyTorch (``torch_ms_per_step``) measured interleaved in this
    run, their ratio, the ratio to the authors' recorded figure, the whole training loop's ms
    per step (``train_loop_ms_per_step``) and where the time goes on both sides."""
    spec = model.dataset
    steps = int(round(spec.time_per_sample / model.simulation.dt))
    data = load(spec.name, steps, spec.n_samples)
    n_batches = 6
    n = n_batches * spec.batch
    seqs = data["x_train"][:n].reshape(n_batches, spec.batch, steps)
    labels = data["y_train"][:n].reshape(n_batches, spec.batch)
    for dtype in (np.float32, np.float64):
        for threads in sorted({1, numba.config.NUMBA_NUM_THREADS}):
            run = same_run(model, dtype, threads, seqs, labels, repeats)
            loop_ms, kernel = ms_per_step(model, dtype, threads, repeats=2)
            phases = phase_times(model, dtype, threads, seqs, labels, repeats=5)
            floor = blas_floor(model, dtype, spec.batch, repeats=5)
            ms, torch_ms = run["numba_ms_per_step"], run["torch_ms_per_step"]
            cpu, torch_cpu = run["numba_cpu_ms_per_step"], run["torch_cpu_ms_per_step"]
            emit({"benchmark": "mnist1d-speed", "dtype": np.dtype(dtype).name,
                  "threads": threads, "batch": spec.batch, "ms_per_step": round(ms, 4),
                  "torch_ms_per_step": round(torch_ms, 4),
                  "speedup_vs_torch": round(torch_ms / ms, 2),
                  "authors_pytorch_ms_per_step": AUTHORS_MS_PER_STEP,
                  "speedup_vs_authors": round(AUTHORS_MS_PER_STEP / ms, 2),
                  "cpu_ms_per_step": round(cpu, 4), "torch_cpu_ms_per_step": round(torch_cpu, 4),
                  "cpu_speedup_vs_torch": round(torch_cpu / cpu, 2),
                  "repeats": repeats, "load_average": [round(v, 2) for v in os.getloadavg()],
                  **{k: v for k, v in run.items() if k.endswith(("_all", "_last_loss"))},
                  "train_loop_ms_per_step": round(loop_ms, 4),
                  "kernel_ms_per_step": round(kernel, 4),
                  "numba_phases_ms_per_step": phases,
                  "blas_products_1thread_ms_per_step": floor,
                  "torch_profile_ms_per_step": run["torch_profile"],
                  "torch": run["torch_info"]}, "numba")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--seeds", type=int, default=1, help="number of seeds")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seeds are first-seed, first-seed + 1, ...")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--schedule", choices=["none", "plateau"], default="plateau",
                        help="learning-rate schedule (the authors halve the rate when the test "
                             "loss stalls for 2 epochs)")
    parser.add_argument("--scheme", choices=["euler", "exact"], default=None,
                        help="integration scheme (default: the model file's, euler)")
    parser.add_argument("--lr", type=float, default=None,
                        help="Adam's learning rate per step (default: the model file's, 1e-3)")
    parser.add_argument("--patience", type=int, default=None,
                        help="epochs without a better test loss before the plateau schedule "
                             "halves the rate (default: the model file's, 2)")
    parser.add_argument("--test-state", choices=["rest", "carried"], default=None,
                        help="where each test pass starts (default: the model file's, "
                             "carried: from the training state, as the authors' code does)")
    parser.add_argument("--feedback-weights", choices=["updated", "before-update"],
                        default=None,
                        help="which weights the euler step feeds errors back through "
                             "(default: the model file's, before-update: before the previous "
                             "step's update, as the authors' code does)")
    parser.add_argument("--init", choices=["fan-in", "file"], default="fan-in",
                        help="fan-in: weights and biases drawn per seed from "
                             "U(+-1/sqrt(fan_in)) (the authors' PyTorch default); file: the "
                             "model file's weights and zero biases for every seed")
    parser.add_argument("--out", type=Path, default=Path("runs/mnist1d"),
                        help="folder for the runs (one sub-folder per seed; resumable)")
    parser.add_argument("--repeats", type=int, default=7,
                        help="timed batches of 360 steps per side and configuration in "
                             "--speed-only (medians over them)")
    parser.add_argument("--speed-only", action="store_true",
                        help="only measure ms per training step (float32 and float64, one and "
                             "all threads), no training runs")
    args = parser.parse_args()
    dtype = np.float32 if args.dtype == "float32" else np.float64
    model = load_model(HERE.parent / "examples" / "mnist1d.toml")
    model = dataclasses.replace(model, dataset=dataclasses.replace(
        model.dataset, lr_schedule=args.schedule,
        patience=args.patience or model.dataset.patience,
        test_state=args.test_state or model.dataset.test_state))
    if args.scheme is not None:
        model = model.with_simulation(scheme=args.scheme)
    if args.lr is not None:
        assert model.learning is not None
        model = dataclasses.replace(model, learning=dataclasses.replace(
            model.learning, optimizer=dataclasses.replace(model.learning.optimizer,
                                                          lr=args.lr)))
    if args.feedback_weights is not None:
        assert model.learning is not None
        model = dataclasses.replace(model, learning=dataclasses.replace(
            model.learning, feedback_weights=args.feedback_weights))
    if args.speed_only:
        speed(model, args.repeats)
        return
    finals = []
    ms_all = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        def report(epoch: int, row: dict, seed: int = seed) -> None:
            emit({"benchmark": "mnist1d", "seed": seed, "epoch": epoch,
                  "test_accuracy": row["test_accuracy"], "train_accuracy":
                  row["train_accuracy"], "test_loss": row["test_loss"], "lr": row["lr"],
                  "ms_per_step": round(row["train_ms_per_step"], 4),
                  "kernel_ms_per_step": round(row["ms_per_step"], 4)}, "numba")

        run_dir = args.out / f"seed{seed}"
        seeded = fan_in_uniform(model, seed) if args.init == "fan-in" else model
        summary = train_dataset(seeded, run_dir, epochs=args.epochs, seed=seed, dtype=dtype,
                                resume=(run_dir / CHECKPOINT).exists(), progress=False,
                                on_epoch=report)
        finals.append(summary.test_accuracy)
        ms_all.append(summary.train_ms_per_step)
    ref, _ = ms_per_step(model, np.float64, 1)
    ms = statistics.median(ms_all)
    emit({"benchmark": "mnist1d", "summary": True, "epochs": args.epochs, "seeds": args.seeds,
          "dtype": args.dtype, "threads": numba.get_num_threads(),
          "test_accuracy_mean": float(np.mean(finals)),
          "test_accuracy_std": float(np.std(finals, ddof=1)) if len(finals) > 1 else 0.0,
          "test_accuracy_std_population": float(np.std(finals)),  # the paper's +- (ddof 0)
          "test_accuracies": finals, "published": "91.7 +- 0.8 % (10 seeds)",
          "ms_per_step": round(ms, 4),
          "authors_pytorch_ms_per_step": AUTHORS_MS_PER_STEP,
          "speedup_vs_authors": round(AUTHORS_MS_PER_STEP / ms, 2),
          "reference_float64_1thread_ms_per_step": round(ref, 4),
          "speedup_vs_reference_1thread": round(ref / ms, 2)}, "numba")


if __name__ == "__main__":
    main()
