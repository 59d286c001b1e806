"""MNIST-1D on drawn circuits: the trained 15k network's test accuracy on Monte Carlo samples of
its fixed-weight circuit, deployed as is, after fine-tuning on each sample with the circuit's
plain-SGD rule, and with hardware-aware trained weights.

The trained network is the ``final.toml`` of a ``train_dataset`` run of examples/mnist1d.toml
in ``--run DIR``; ``--train EPOCHS`` makes it first (seed 0, float32, the plateau schedule, as
``benchmarks/mnist1d.py``, the test set evaluated in batches of 100; resumed from DIR's
checkpoint when there is one; with ``--samples 0`` nothing else). The network is compiled
alone (``compile_plan`` refuses a dataset input): every weight a crossbar conductance,
weights and biases below the technology's floor pruned and weights above ``onchip``'s
largest conductance (4) clipped
(:func:`vle.fidelity.learning.deployable`), E-series rounding on ``discrete`` and 8-bit
quantisation on ``onchip`` in the nominal circuit; the samples draw the technology's default
non-idealities (``discrete``: resistor and capacitor tolerance; ``onchip``: mismatch), sample i
from ``sample_variation(nis, seed, i)``, on the numba surrogate (``realised_network``).

Per sample: ``as_is`` (trained weights on the drawn circuit), ``hardware_aware`` (weights of
one hardware-aware run, a new draw every ``--hw-per-draw`` training sequences for
``--hw-draws`` draws, shared by all samples) and, for the first ``--fine-tune-samples`` samples
(every ``--fine-tune-every``-th one in the first pass, the others after it), ``fine_tuned``
(one pass of the circuit rule, plain SGD at ``--lr``, over the first ``--fine-tune`` training
sequences on the sample, then the test set). ``--lr-grid`` picks the rate instead: each rate
fine-tunes one extra draw (not an evaluated sample) and is scored on training sequences
3000-3999 (never the test set). Controls: the same SGD passes on the ideal model
(``ideal_fine_tuned``, ``ideal_hardware_aware_pass``). Every result is appended to
``OUT/samples.jsonl`` as it is computed; a rerun skips what is there. Prints JSON lines.

    python benchmarks/fidelity_mnist1d.py --run RUN --train 40 --samples 0
    python benchmarks/fidelity_mnist1d.py --run RUN --technology discrete \
        --lr-grid 1e-6,1e-5,1e-4 --fine-tune 1000
    python benchmarks/fidelity_mnist1d.py --run RUN --technology discrete --samples 100 \
        --fine-tune-samples 20 --lr LR --out OUT
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
from common import emit, without_script_dir

from vle import load_model
from vle.circuits import get_technology
from vle.circuits.nonidealities import get_nonideality
from vle.fidelity.learning import (
    TRAINING_DRAWS,
    circuit_rule,
    dataset_accuracy,
    dataset_fine_tune,
    dataset_hardware_aware,
    dataset_network,
    deployable,
    weight_floor,
    with_weights,
)
from vle.fidelity.montecarlo import sample_variation
from vle.learning.dataset_train import train_dataset
from vle.learning.datasets import load
from vle.learning.train import CHECKPOINT

without_script_dir(__file__)  # this file's name would shadow the mnist1d package

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_NIS = {"discrete": ("resistor-tolerance", "capacitor-tolerance"),
               "onchip": ("mismatch",)}
GRID_DRAW = TRAINING_DRAWS - 1
"""The draw the learning-rate grid fine-tunes (never an evaluated sample)."""


def _done(path: Path) -> dict[tuple[int, str], float]:
    if not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {(int(r["sample"]), r["kind"]): float(r["accuracy"]) for r in rows}


def _append(path: Path, row: dict) -> None:
    with path.open("a") as f:
        f.write(json.dumps(row) + "\n")


def _spread(values: list[float]) -> dict[str, float | int]:
    v = np.asarray(values)
    if not len(v):
        return {"n": 0}
    return {"n": len(v), "median": float(np.median(v)), "p05": float(np.percentile(v, 5)),
            "p95": float(np.percentile(v, 95)), "mean": float(v.mean()),
            "min": float(v.min()), "max": float(v.max())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, required=True, help="a training run's folder "
                        "(its final.toml is the trained model)")
    parser.add_argument("--train", type=int, default=None, metavar="EPOCHS",
                        help="train examples/mnist1d.toml into --run first (resumable)")
    parser.add_argument("--technology", choices=sorted(DEFAULT_NIS), default="discrete")
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--fine-tune-samples", type=int, default=20)
    parser.add_argument("--fine-tune-every", type=int, default=10,
                        help="fine-tune every K-th sample in the first pass (the rest after)")
    parser.add_argument("--fine-tune", type=int, default=1000,
                        help="training sequences of the fine-tuning pass (default 1000)")
    parser.add_argument("--lr", type=float, default=0.1,
                        help="SGD rate per model time unit of the circuit rule")
    parser.add_argument("--lr-grid", type=str, default=None,
                        help="comma-separated rates: only choose the rate (see above)")
    parser.add_argument("--hw-draws", type=int, default=4)
    parser.add_argument("--hw-per-draw", type=int, default=1000)
    parser.add_argument("--test", type=int, default=1000, help="test sequences (default all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="magnitude of the non-idealities as a multiple of the "
                             "technology's (NonIdeality.scaled: tolerances or Pelgrom "
                             "coefficients times SCALE), to find where the parts start to cost "
                             "accuracy")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    t_start = time.perf_counter()
    if args.train:
        example = load_model(ROOT / "examples" / "mnist1d.toml")
        assert example.dataset is not None
        example = dataclasses.replace(example, dataset=dataclasses.replace(
            example.dataset, lr_schedule="plateau", test_batch=100))  # see dataset_accuracy
        summary = train_dataset(example, args.run, epochs=args.train, seed=0,
                                dtype=np.float32, progress=False,
                                resume=(args.run / CHECKPOINT).exists())
        emit({"benchmark": "fidelity_mnist1d", "trained_epochs": args.train,
              "test_accuracy": summary.test_accuracy,
              "train_ms_per_step": summary.train_ms_per_step}, "numba")
        if args.samples == 0:
            return 0
    trained = load_model(args.run / "final.toml")
    model = dataclasses.replace(trained, learning=circuit_rule(trained.learning, args.lr))
    spec = model.dataset
    assert spec is not None
    data = load(spec.name, int(round(spec.time_per_sample / model.simulation.dt)),
                spec.n_samples)
    x_test, y_test = data["x_test"][:args.test], data["y_test"][:args.test]
    x_train, y_train = data["x_train"], data["y_train"]
    tech = args.technology
    if args.scale <= 0:
        parser.error(f"--scale must be positive, not {args.scale}")
    nis = [get_nonideality(n) for n in DEFAULT_NIS[tech]]
    if args.scale != 1.0:
        nis = [n.scaled(args.scale, get_technology(tech)) for n in nis]
    floor = weight_floor(tech)
    base = {"benchmark": "fidelity_mnist1d", "technology": tech, "seed": args.seed,
            "nonidealities": DEFAULT_NIS[tech], "scale": args.scale, "weight_floor": floor,
            "deployable": deployable(model.network, tech)[1]}

    if args.lr_grid:
        var = sample_variation(nis, args.seed, GRID_DRAW)
        drawn = dataset_network(model.network, tech, var)
        xv, yv = x_train[3000:4000], y_train[3000:4000]
        scores = {"0": dataset_accuracy(model, drawn, xv, yv)}
        for lr in [float(v) for v in args.lr_grid.split(",")]:
            m = dataclasses.replace(model, learning=circuit_rule(trained.learning, lr))
            tuned = dataset_fine_tune(m, drawn, x_train[:args.fine_tune],
                                      y_train[:args.fine_tune])
            scores[repr(lr)] = dataset_accuracy(m, with_weights(drawn, tuned), xv, yv)
            emit({**base, "lr_grid": True, "lr": lr, "fine_tune": args.fine_tune,
                  "validation_accuracy": scores[repr(lr)], "as_is": scores["0"],
                  "seconds": time.perf_counter() - t_start}, "numba")
        return 0

    out = args.out or Path(f"runs/fidelity_mnist1d-{tech}"
                           + (f"-x{args.scale:g}" if args.scale != 1.0 else ""))
    out.mkdir(parents=True, exist_ok=True)
    store = out / "samples.jsonl"
    spec_file = out / "spec.json"
    spec_now = {"run": str(args.run.resolve()), "technology": tech, "seed": args.seed,
                "test": args.test, "lr": args.lr, "fine_tune": args.fine_tune,
                "hw_draws": args.hw_draws, "hw_per_draw": args.hw_per_draw}
    if args.scale != 1.0:  # runs made before --scale existed stay resumable
        spec_now["scale"] = args.scale
    if spec_file.exists() and json.loads(spec_file.read_text()) != spec_now:
        raise SystemExit(f"{out} holds results of another run ({spec_file}): use another --out")
    spec_file.write_text(json.dumps(spec_now))
    done = _done(store)
    timing: dict[str, list[float]] = {"as_is": [], "hardware_aware": [], "fine_tuned": []}

    def record(i: int, kind: str, fn) -> None:
        if (i, kind) in done:
            return
        t0 = time.perf_counter()
        acc = fn()
        timing.setdefault(kind, []).append(time.perf_counter() - t0)
        done[(i, kind)] = acc
        _append(store, {"sample": i, "kind": kind, "accuracy": acc,
                        "seconds": timing[kind][-1]})

    record(-1, "ideal", lambda: dataset_accuracy(model, model.network, x_test, y_test))
    record(-1, "nominal", lambda: dataset_accuracy(
        model, dataset_network(model.network, tech, None), x_test, y_test))
    hw_file = out / "hardware_aware.npz"
    if hw_file.exists():
        with np.load(hw_file) as f:
            robust = with_weights(model.network, {k: f[k] for k in f.files})
    else:
        t0 = time.perf_counter()
        robust = dataset_hardware_aware(model, tech, nis, x_train, y_train, seed=args.seed,
                                        draws=args.hw_draws, per_draw=args.hw_per_draw)
        np.savez(hw_file, **{f"{pr.name}.W": pr.weights for pr in robust.projections})
        emit({**base, "hardware_aware_training_s": time.perf_counter() - t0}, "numba")
    record(-1, "hardware_aware_nominal", lambda: dataset_accuracy(
        model, dataset_network(robust, tech, None), x_test, y_test))
    # controls: the same SGD passes on the ideal model (no parts), to tell what the passes
    # do to the (under-trained) network from what they win back on the circuit
    record(-1, "ideal_fine_tuned", lambda: dataset_accuracy(
        model, with_weights(model.network, dataset_fine_tune(
            model, model.network, x_train[:args.fine_tune], y_train[:args.fine_tune])),
        x_test, y_test))
    record(-1, "ideal_hardware_aware_pass", lambda: dataset_accuracy(
        model, dataset_hardware_aware(model, "ideal", [], x_train, y_train, seed=args.seed,
                                      draws=args.hw_draws, per_draw=args.hw_per_draw),
        x_test, y_test))
    def tune(i: int) -> float:
        drawn = dataset_network(model.network, tech, sample_variation(nis, args.seed, i))
        tuned = dataset_fine_tune(model, drawn, x_train[:args.fine_tune],
                                  y_train[:args.fine_tune])
        return dataset_accuracy(model, with_weights(drawn, tuned), x_test, y_test)

    for i in range(args.samples):
        var = sample_variation(nis, args.seed, i)
        record(i, "as_is", lambda var=var: dataset_accuracy(
            model, dataset_network(model.network, tech, var), x_test, y_test))
        record(i, "hardware_aware", lambda var=var: dataset_accuracy(
            model, dataset_network(robust, tech, var), x_test, y_test))
        if i < args.fine_tune_samples and i % args.fine_tune_every == 0:
            record(i, "fine_tuned", lambda i=i: tune(i))
    for i in range(args.fine_tune_samples):
        record(i, "fine_tuned", lambda i=i: tune(i))

    per = {k: [a for (i, kk), a in sorted(done.items()) if kk == k and i >= 0]
           for k in ("as_is", "fine_tuned", "hardware_aware")}
    paired = [done[(i, "fine_tuned")] - done[(i, "as_is")] for i in range(args.samples)
              if (i, "fine_tuned") in done and (i, "as_is") in done]
    emit({**base, "samples": args.samples, "test_sequences": len(x_test),
          "lr": args.lr, "fine_tune_sequences": args.fine_tune, "hw_draws": args.hw_draws,
          "hw_per_draw": args.hw_per_draw, "ideal": done[(-1, "ideal")],
          "nominal": done[(-1, "nominal")],
          "hardware_aware_nominal": done[(-1, "hardware_aware_nominal")],
          "ideal_fine_tuned": done[(-1, "ideal_fine_tuned")],
          "ideal_hardware_aware_pass": done[(-1, "ideal_hardware_aware_pass")],
          **{k: _spread(v) for k, v in per.items()},
          "fine_tuned_minus_as_is": _spread(paired),
          "seconds_per_result_this_run": {k: float(np.median(v)) if v else None
                                          for k, v in timing.items()},
          "seconds": time.perf_counter() - t_start}, "numba")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
