"""Hidden-layer learning in ngspice against numba: loss curves and learned weights and biases.

examples/hidden_student.toml (1 -> 4 -> 1 tanh, GLE, plain SGD on both projections' weights
and on every bias) learns from its teacher in the numba reference and, on the same target, in
ngspice on its compiled circuit (ideal and discrete technologies).

Prints, per technology, the learned weights and biases of both simulators, their largest
difference over the run and the loss over the first and last quarter; writes one PNG with the
loss curves of every run (a running mean of the per-step loss 0.5 (y - r)^2) and the largest
difference of a learned parameter against numba over time. With --half, numba and the ideal
circuit also learn at dt / 2, and that difference is drawn too (it halves with dt).

    python examples/spice_hidden_learning.py [--dt 1e-3] [--t-stop 40]
        [--technology ideal,discrete] [--half] [--window 5] [--out spice_hidden_learning.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

import vle
from vle.sim.result import Result

HERE = Path(__file__).resolve().parent
LEARNED = ("x->h.W", "h->out.W", "h.b", "out.b")
"""The learned parameters: both projections' weights and both populations' biases."""


def learn(dt: float = 1e-3, t_stop: float = 40.0,
          technologies: tuple[str, ...] = ("ideal", "discrete")) -> dict[str, Result]:
    """The student learning for ``t_stop`` time units at step ``dt``: ``'numba'`` and
    ``'ngspice <technology>'`` results with the learned parameters and the loss."""
    model = vle.load_model(HERE / "hidden_student.toml").with_simulation(dt=dt, t_stop=t_stop)
    record = ["W", "b", "r", "loss"]
    runs = {"numba": vle.simulate_model(model, plastic=True, record=record)}
    for tech in technologies:
        runs[f"ngspice {tech}"] = vle.simulate_model(model, backend="spice", plastic=True,
                                                     record=record, technology=tech)
    return runs


def largest_difference(a: Result, b: Result) -> np.ndarray:
    """Per time point, the largest ``|a - b|`` over every learned weight and bias (model
    units)."""
    return np.max([np.abs(np.asarray(a[p]) - np.asarray(b[p])).reshape(len(a.time), -1)
                   .max(axis=1) for p in LEARNED], axis=0)


def quarters(loss: np.ndarray) -> tuple[float, float]:
    """The mean per-step loss over the first and the last quarter of the run."""
    k = len(loss) // 4
    return float(np.nanmean(loss[:k])), float(np.nanmean(loss[-k:]))


def running_mean(x: np.ndarray, n: int) -> np.ndarray:
    """The mean of the last ``n`` samples at each point (fewer at the start; NaN skipped)."""
    x = np.nan_to_num(np.asarray(x, dtype=np.float64))
    c = np.concatenate([[0.0], np.cumsum(x)])
    idx = np.arange(1, len(x) + 1)
    lo = np.maximum(idx - n, 0)
    return (c[idx] - c[lo]) / (idx - lo)


def summary(runs: dict[str, Result]) -> dict[str, dict[str, Any]]:
    """Per ngspice run: the learned parameters of both, the largest difference over the run
    and at the end, and both loss quarters."""
    numba = runs["numba"]
    out = {}
    for name, res in runs.items():
        if name == "numba":
            continue
        diff = largest_difference(res, numba)
        out[name] = {
            "learned": {p: np.round(np.asarray(res[p][-1]).ravel(), 4).tolist() for p in LEARNED},
            "numba": {p: np.round(np.asarray(numba[p][-1]).ravel(), 4).tolist() for p in LEARNED},
            "largest_difference": float(diff.max()), "final_difference": float(diff[-1]),
            "loss_quarters": quarters(np.asarray(res["loss"])),
            "numba_loss_quarters": quarters(np.asarray(numba["loss"])),
            "ngspice_s": float(sum(res.metadata["spice_wall_time_s"])),
        }
    return out


def plot(runs: dict[str, Result], path: Path, window: float,
         half: dict[str, Result] | None = None) -> Path:
    """Two panels over model time: the loss (running mean over ``window`` time units, log
    scale, from the first full window) of every run, and the largest difference of a learned
    parameter against numba (also at dt / 2 when ``half`` holds those runs)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    numba = runs["numba"]
    dt = float(numba.metadata["dt"])
    n = max(1, round(window / dt))
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(8, 6))
    styles = ("-", "--", ":", "-.")
    for k, (name, res) in enumerate(runs.items()):
        top.semilogy(res.time[n - 1:], running_mean(res["loss"], n)[n - 1:], styles[k % 4],
                     lw=2.0 if k == 0 else 1.2, label=name)
        if name != "numba":
            bottom.semilogy(res.time[1:], largest_difference(res, numba)[1:], styles[k % 4],
                            color=f"C{k}", lw=1.2, label=f"{name} - numba, dt = {dt:g}")
    if half is not None:
        res = half["ngspice ideal"]
        bottom.semilogy(res.time[1:], largest_difference(res, half["numba"])[1:], "-.",
                        color="C1", lw=1.2, label=f"ngspice ideal - numba, dt = {dt / 2:g}")
    settled = [float(np.min(line.get_ydata()[line.get_xdata() >= window]))
               for line in bottom.get_lines()]
    if settled and min(settled) > 0:  # the first instants, where both start equal, cut off
        bottom.set_ylim(bottom=min(settled) / 3)
    top.set_ylabel(f"loss 0.5 (y - r)^2, mean over {window:g}\n(model units squared)")
    top.set_title(f"1 -> 4 -> 1 teacher-student, GLE + SGD on weights and biases, dt = {dt:g}")
    bottom.set_ylabel("largest |difference| of a\nlearned W or b (model units)")
    bottom.set_xlabel("time (model time units)")
    top.grid(alpha=0.3, which="both")
    top.legend(loc="upper right", fontsize=8, frameon=False)
    bottom.grid(alpha=0.3, which="both")
    bottom.legend(loc="lower right", fontsize=8, frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dt", type=float, default=1e-3, help="model time units per step")
    parser.add_argument("--t-stop", type=float, default=40.0,
                        help="model time units of learning (default 40)")
    parser.add_argument("--technology", default="ideal,discrete",
                        help="comma-separated technologies for ngspice (default ideal,discrete)")
    parser.add_argument("--half", action="store_true",
                        help="also learn at dt / 2 with numba and the ideal circuit")
    parser.add_argument("--window", type=float, default=5.0,
                        help="running-mean window of the loss curve, model time units")
    parser.add_argument("--out", type=Path, default=Path("spice_hidden_learning.png"),
                        help="the PNG to write")
    args = parser.parse_args(argv)
    techs = tuple(t for t in args.technology.split(",") if t)
    if not techs or args.dt <= 0 or args.t_stop <= 0 or args.window <= 0:
        parser.error("--dt, --t-stop and --window must be > 0 and --technology not empty")
    runs = learn(args.dt, args.t_stop, techs)
    half = learn(args.dt / 2, args.t_stop, ("ideal",)) if args.half else None
    report(runs, args.dt, args.t_stop)
    if half is not None:
        report(half, args.dt / 2, args.t_stop)
    print(f"plot: {plot(runs, args.out, args.window, half)}")
    return 0


def report(runs: dict[str, Result], dt: float, t_stop: float) -> None:
    """Print :func:`summary` of ``runs``."""
    for name, s in summary(runs).items():
        print(f"[{name}] dt = {dt:g}, {t_stop:g} time units, ngspice "
              f"{s['ngspice_s']:.1f} s")
        for p in LEARNED:
            print(f"  {p:9s} numba {s['numba'][p]}  ngspice {s['learned'][p]}")
        print(f"  largest difference of a learned parameter: {s['largest_difference']:.3e} "
              f"over the run, {s['final_difference']:.3e} at the end")
        (f0, f1), (n0, n1) = s["loss_quarters"], s["numba_loss_quarters"]
        print(f"  loss, first and last quarter: ngspice {f0:.3e} -> {f1:.3e}, numba "
              f"{n0:.3e} -> {n1:.3e}")


if __name__ == "__main__":
    raise SystemExit(main())
