"""Numba reference against Brian2 on LagLine: the same model file, the same scheme, agreement
to rounding.

Forward dynamics of examples/lagline.toml and the learning student of
examples/lagline_student.toml (error neurons, plasticity of w and tau_m) under both schemes.
Prints one line per run with the largest relative error over its traces, max |brian2 - numba| /
max |numba| per trace (the issue's bound: 1e-9).

    python examples/brian2_lagline.py [--t-stop 8] [--target numpy|cython|cpp_standalone]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import vle
from vle.sim.targets import model_targets

HERE = Path(__file__).resolve().parent
BOUND = 1e-9


def trace_errors(result: vle.Result, reference: vle.Result) -> dict[str, float]:
    """Per trace: max |result - reference| / max |reference| (nan entries, such as the loss
    at t = 0, ignored)."""
    out = {}
    for name, ref in reference.traces.items():
        scale = float(np.nanmax(np.abs(ref))) or 1.0
        out[name] = float(np.nanmax(np.abs(result[name] - ref))) / scale
    return out


def compare_lagline(t_stop: float = 8.0, target: str = "numpy",
                    schemes: tuple[str, ...] = ("exact", "euler")) -> dict[str, float]:
    """Run LagLine forward and the LagLine student learning on numba and Brian2; print and
    return the largest relative error of each run (keys ``'<run>/<scheme>'``)."""
    forward = vle.load_model(HERE / "lagline.toml")
    student = vle.load_model(HERE / "lagline_student.toml")
    worst: dict[str, float] = {}
    for scheme in schemes:
        dt = forward.simulation.dt
        n_steps = int(round(t_stop / dt))
        runs = {
            "forward": (forward, {}),
            "learning": (student, dict(
                targets=model_targets(student, dt=dt, n_steps=n_steps, scheme=scheme),
                learning=student.learning, plastic=True,
                record=["u", "ub", "r", "v", "e", "W", "tau_m", "loss"])),
        }
        for run, (model, extra) in runs.items():
            kw = dict(t_stop=t_stop, dt=dt, scheme=scheme, **extra)
            ref = vle.simulate(model.network, model.stimuli, backend="numba", **kw)
            res = vle.simulate(model.network, model.stimuli, backend="brian2",
                               brian2_target=target, **kw)
            errs = trace_errors(res, ref)
            name, value = max(errs.items(), key=lambda kv: kv[1])
            worst[f"{run}/{scheme}"] = value
            print(f"[brian2] LagLine {run:8s} {scheme:5s} ({target}, {n_steps} steps): max "
                  f"relative error {value:.1e} ({name}) over {len(errs)} traces "
                  f"[{'ok' if value <= BOUND else 'ABOVE 1e-9'}]; numba "
                  f"{ref.metadata['wall_time_s']:.2f} s, brian2 "
                  f"{res.metadata['wall_time_s']:.2f} s")
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--t-stop", type=float, default=8.0)
    parser.add_argument("--target", default="numpy",
                        choices=("numpy", "cython", "cpp_standalone"))
    args = parser.parse_args()
    worst = compare_lagline(args.t_stop, args.target)
    return 0 if max(worst.values()) <= BOUND else 1


if __name__ == "__main__":
    raise SystemExit(main())
