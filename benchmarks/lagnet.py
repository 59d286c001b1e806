"""LagNet: a 1 -> 2 -> 2 -> 1 student (one LE and one lagging unit per tanh hidden layer)
learns a teacher of the same architecture from a sum of sines, with GLE and with the
instantaneous-error baseline (bp). Prints one JSON line per rule: the loss at the start and the
end of training, and how well the rule's update aligns with the exact (adjoint) gradient at the
initial weights (cosine per projection, 1 = the gradient's direction).

    python benchmarks/lagnet.py [--epochs 100] [--out runs/lagnet]
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
from pathlib import Path

import numpy as np
import xarray as xr
from common import emit

from vle import load_model
from vle.learning.alignment import rule_alignment
from vle.learning.train import train
from vle.sim.targets import model_targets

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100, help="epochs of 40 time units")
    parser.add_argument("--out", type=Path, default=Path("runs/lagnet"))
    args = parser.parse_args()
    student = load_model(HERE.parent / "examples" / "lagnet.toml")
    sim = student.simulation
    for rule in ("gle", "bp"):
        learning = dataclasses.replace(student.learning, rule=rule)
        model = dataclasses.replace(student, learning=learning)
        horizon = 4 * sim.t_stop
        targets = model_targets(model, dt=sim.dt, n_steps=int(round(horizon / sim.dt)),
                                scheme="exact")
        align = rule_alignment(model.network, model.stimuli, targets,
                               dataclasses.replace(learning, gamma=0.0), t_stop=horizon,
                               dt=sim.dt, window=(sim.t_stop, 3 * sim.t_stop))
        out = args.out / rule
        shutil.rmtree(out, ignore_errors=True)
        s = train(model, out, epochs=args.epochs, progress=False, chunks_per_epoch=1)
        with xr.open_dataset(out / "history.nc") as h:
            losses = h["loss"].values
        emit({"benchmark": "lagnet", "rule": rule, "epochs": args.epochs,
              "first_epoch_loss": float(losses[0]), "final_loss": float(losses[-1]),
              "min_epoch_loss": float(np.min(losses)),
              "alignment_cosine": {k: round(a.cosine, 3) for k, a in align.items()},
              "wall_time_s": round(s.wall_time_s, 2)}, "numba")


if __name__ == "__main__":
    main()
