"""Learning on the imperfect circuit: the trained LagLine student deployed on Monte Carlo
samples of its discrete circuit as it is, after fine-tuning on each sample with its own local
rule (plain SGD, what the plasticity elements realise), and after hardware-aware training.

The trained student is GLE's result on LagLine (the teacher's w = (1, 2), tau_m = (1, 2), which
``benchmarks/lagline.py`` reaches to 1e-5). Prints one JSON line: the task loss (mean per-step
squared error against the teacher over the second half of an epoch) per way, as medians over
the samples, and the per-sample ratios.

    python benchmarks/fidelity_learning.py --samples 20 --epochs 10
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from common import emit

from vle import load_model
from vle.circuits.nonidealities import get_nonideality
from vle.fidelity.learning import learning_fidelity

ROOT = Path(__file__).resolve().parent.parent
TRAINED = {"x->h1.W": np.array([[1.0]]), "h1->out.W": np.array([[2.0]]),
           "h1.tau_m": np.array([1.0]), "out.tau_m": np.array([2.0])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=10, help="fine-tuning and hardware-aware "
                        "training epochs of 40 model time units (default 10)")
    parser.add_argument("--lr", type=float, default=10.0, help="SGD rate per model time unit "
                        "(default 10)")
    parser.add_argument("--technology", default="discrete")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    model = load_model(ROOT / "examples" / "lagline_student.toml").with_parameters(TRAINED)
    nis = (get_nonideality("resistor-tolerance"), get_nonideality("capacitor-tolerance"))
    t0 = time.perf_counter()
    rows = learning_fidelity(model, args.technology, nis, seed=args.seed,
                             samples=args.samples, epochs=args.epochs, lr=args.lr)
    col = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    emit({"benchmark": "fidelity_learning", "model": "lagline_student (trained)",
          "technology": args.technology, "nonidealities": [n.name for n in nis],
          "samples": args.samples, "epochs": args.epochs, "lr": args.lr, "seed": args.seed,
          "loss_nominal_parts": float(col["nominal"][0]),
          "loss_as_is_median": float(np.median(col["as_is"])),
          "loss_fine_tuned_median": float(np.median(col["fine_tuned"])),
          "loss_hardware_aware_median": float(np.median(col["hardware_aware"])),
          "fine_tuned_over_as_is_median": float(np.median(col["fine_tuned"] / col["as_is"])),
          "hardware_aware_over_as_is_median": float(np.median(col["hardware_aware"]
                                                              / col["as_is"])),
          "fine_tuned_better_in": int(np.sum(col["fine_tuned"] < col["as_is"])),
          "seconds": time.perf_counter() - t0}, "numba")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
