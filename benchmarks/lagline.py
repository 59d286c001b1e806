"""LagLine (equations.md 3.8): the full run. A student 1 -> 1 -> 1 softplus chain learns its
weights and membrane time constants from the teacher (w = (1, 2), tau_m = (1, 2)) with GLE and
with the instantaneous-error baseline (bp). Prints one JSON line per rule with the learned
parameters next to the teacher's, the final loss and the wall time.

    python benchmarks/lagline.py [--epochs 100] [--out runs/lagline]
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
from pathlib import Path

from common import emit

from vle import load_model
from vle.learning.train import train

HERE = Path(__file__).resolve().parent
TEACHER = {"x->h1.W": 1.0, "h1->out.W": 2.0, "h1.tau_m": 1.0, "out.tau_m": 2.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100,
                        help="epochs of 40 time units (the GLE paper trains 4000 time units)")
    parser.add_argument("--out", type=Path, default=Path("runs/lagline"))
    args = parser.parse_args()
    student = load_model(HERE.parent / "examples" / "lagline_student.toml")
    for rule in ("gle", "bp"):
        model = dataclasses.replace(student, learning=dataclasses.replace(student.learning,
                                                                          rule=rule))
        out = args.out / rule
        shutil.rmtree(out, ignore_errors=True)
        s = train(model, out, epochs=args.epochs, progress=False)
        learned = {k: round(float(s.parameters[k].ravel()[0]), 5) for k in TEACHER}
        distance = sum((learned[k] - v) ** 2 for k, v in TEACHER.items()) ** 0.5
        emit({"benchmark": "lagline", "rule": rule, "epochs": args.epochs,
              "time_units": args.epochs * model.simulation.t_stop, "learned": learned,
              "teacher": TEACHER, "distance_to_teacher": distance, "final_loss": s.final_loss,
              "wall_time_s": round(s.wall_time_s, 2)}, "numba")


if __name__ == "__main__":
    main()
