"""Plot MNIST-1D training runs of benchmarks/mnist1d.py against the GLE authors' published
trajectory: test accuracy and learning rate per epoch, every seed, the mean over seeds, and the
authors' 10-seed mean.

    python benchmarks/mnist1d_plot.py RUNS --out docs/mnist1d_seeds.png [--json summary.jsonl]

RUNS is the benchmark's --out folder (one ``seedN/history.nc`` per seed). ``--json`` also
writes one JSON line per seed (final test and training accuracy, the epoch and rate at which
the schedule reached its floor) and one for the mean and standard deviation.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

AUTHORS_MEAN_TEST_ACCURACY = {1: 13.5, 5: 37.7, 10: 45.8, 20: 51.2, 30: 60.8, 40: 76.4, 45: 84.1,
                              50: 87.7, 60: 91.8, 75: 91.5, 100: 91.7, 150: 91.7}
"""Mean test accuracy (%) per epoch over the paper's 10 seeds, computed from the per-epoch
metrics the authors publish with their code (github.com/unibe-cns/gle-code,
results/mnist1d/plastic_e2e_*_metrics.pkl); the final value is the paper's 91.7 +- 0.8 %."""
AUTHORS_LR = {10: 8.7e-4, 20: 2.5e-4, 30: 4.4e-5, 40: 1.0e-5, 50: 2.0e-6, 60: 2.4e-7}
"""Their learning rate per epoch (geometric mean over seeds), PyTorch's ReduceLROnPlateau
replayed on the published per-epoch test losses."""


def load_runs(runs: Path) -> dict[int, xr.Dataset]:
    """Every ``seedN/history.nc`` under ``runs``, by seed, loaded into memory."""
    out = {}
    for path in sorted(runs.glob("seed*/history.nc")):
        with xr.open_dataset(path) as h:
            out[int(path.parent.name[4:])] = h[["epoch", "test_accuracy", "train_accuracy",
                                                  "lr"]].load()
    return out


def summary(histories: dict[int, xr.Dataset]) -> list[dict]:
    """One record per seed and one over the seeds that ran as many epochs as the longest
    (population std, as the paper reports; accuracies as fractions)."""
    rows = []
    longest = max(h.sizes["row"] for h in histories.values())
    for seed, h in histories.items():
        lr = h["lr"].values
        floor = int(np.argmax(lr <= lr.min())) + 1
        rows.append({"seed": seed, "epochs": int(h.sizes["row"]),
                     "test_accuracy": float(h["test_accuracy"][-1]),
                     "train_accuracy": float(h["train_accuracy"][-1]),
                     "best_test_accuracy": float(h["test_accuracy"].max()),
                     "lr_floor_epoch": floor, "lr_final": float(lr[-1]),
                 "in_mean": int(h.sizes["row"]) == longest})
    finals = np.array([r["test_accuracy"] for r in rows if r["in_mean"]])
    rows.append({"seeds": len(finals), "epochs": int(longest),
                 "test_accuracy_mean": float(finals.mean()),
                 "test_accuracy_std_population": float(finals.std()),
                 "test_accuracy_std": float(finals.std(ddof=1)) if len(finals) > 1 else 0.0,
                 "published": "91.7 +- 0.8 % (10 seeds)"})
    return rows


def plot(histories: dict[int, xr.Dataset], out: Path) -> None:
    """Two panels: test accuracy per epoch (thin: seeds, thick: their mean; black: the
    authors' mean) and the learning rate (log scale)."""
    fig, (acc, lr) = plt.subplots(2, 1, figsize=(8, 7), sharex=True,
                                  gridspec_kw={"height_ratios": [2, 1]})
    n = min(h.sizes["row"] for h in histories.values())
    for h in histories.values():
        acc.plot(h["epoch"], 100 * h["test_accuracy"], lw=0.6, alpha=0.5)
        lr.semilogy(h["epoch"], h["lr"], lw=0.6, alpha=0.5)
    mean = np.mean([100 * h["test_accuracy"].values[:n] for h in histories.values()], axis=0)
    acc.plot(np.arange(1, n + 1), mean, color="C0", lw=2.2,
             label=f"vle, mean of {len(histories)} seeds (final {mean[-1]:.1f} %)")
    ep, val = zip(*sorted(AUTHORS_MEAN_TEST_ACCURACY.items()), strict=True)
    acc.plot(ep, val, "ko-", lw=1.5, ms=4, label="GLE authors' 10-seed mean (published metrics)")
    acc.axhspan(91.7 - 0.8, 91.7 + 0.8, color="k", alpha=0.08, label="91.7 +- 0.8 % (paper)")
    acc.set_ylabel("test accuracy (%)")
    acc.set_ylim(0, 100)
    acc.grid(alpha=0.3)
    acc.legend(loc="lower right", fontsize=8)
    acc.set_title("MNIST-1D, 15k GLE network: vle's runs against the published trajectory")
    ep, val = zip(*sorted(AUTHORS_LR.items()), strict=True)
    lr.semilogy(ep, val, "ko-", ms=4, label="authors (replayed schedule)")
    lr.set_ylabel("Adam learning rate")
    lr.set_xlabel("epoch")
    lr.grid(alpha=0.3)
    lr.legend(fontsize=8)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, help="the --out folder of benchmarks/mnist1d.py")
    parser.add_argument("--out", type=Path, default=Path("mnist1d_seeds.png"),
                        help="the PNG to write (default: mnist1d_seeds.png)")
    parser.add_argument("--json", type=Path, default=None,
                        help="also write the per-seed and overall summary as JSON lines")
    args = parser.parse_args()
    histories = load_runs(args.runs)
    if not histories:
        print(f"mnist1d_plot: no seed*/history.nc under {args.runs}; give the --out folder "
              "of benchmarks/mnist1d.py", file=sys.stderr)
        return 2
    plot(histories, args.out)
    rows = summary(histories)
    if args.json is not None:
        args.json.write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(json.dumps(rows[-1]))
    print(f"plot: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
