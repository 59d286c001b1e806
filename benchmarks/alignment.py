"""Alignment maps: the cosine and the norm ratio between a local rule's accumulated update and
the exact adjoint gradient, per projection, over tau_r / tau_m x input frequency, for LagNet and
a 3-layer network; GLE with transpose, random and learned (Kolen-Pollack) feedback, LE and the
instantaneous-error baseline (bp) on the same axes.

    python benchmarks/alignment.py [--out alignment-out] [--quick]

Writes OUT/alignment.nc (``cosine``, ``norm_ratio`` and the adjoint's ``adjoint_norm`` and
``adjoint_coherence`` over network x rule x ratio x omega x projection), OUT/alignment-cosine.png
and OUT/alignment-norm-ratio.png (cells of low coherence hatched), and prints one JSON line per
network and rule and a last line with the run's totals.

What is measured (``vle.learning.alignment``'s quantities): the rule's update
``dW = sum_n dt e r_pre^T`` accumulated over a window, against ``-beta dL/dW`` of the exact
adjoint (``vle.learning.adjoint``) over the same forward pass, parameters held fixed. Every
rule is measured at the same parameters: the student after 400 time units of GLE training with
Kolen-Pollack feedback on its own task (the teacher's output for a sum of three sines), whose B
is the ``gle_learned`` feedback; ``gle_random`` uses the B that training started from (seeded
normal draws). At each grid point every non-input population has ``tau_r = ratio tau_m``, the
input is a sine of amplitude 1 and angular frequency ``omega`` (input k phase-shifted by k pi / 2),
the target is the teacher's output for that input (the teacher keeps its own time constants),
and the updates are accumulated over whole periods after a warm-up, ending well before the end
of the run, where the adjoint starts from zero. ``le`` runs with ``tau_r = tau_m`` whatever the
ratio (its values are the same at every ratio, and equal ``gle``'s at ratio 1).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr
from common import emit

from vle import Network, Population, Projection, load_model
from vle.learning.adjoint import adjoint_gradients
from vle.model.learning import LearningRule, Optimizer, rule_network
from vle.sim.array_run import ArrayRun
from vle.sim.backend import RunRequest
from vle.sim.numba import reference_run
from vle.sim.recording import resolve_record
from vle.sim.simulate import simulate

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"

TITLES = {"gle": "gle (B = W^T)", "le": "le (tau_r = tau_m)", "bp": "bp (instant errors)",
          "gle_random": "gle, random B", "gle_learned": "gle, learned B (KP)"}
RULES: dict[str, tuple[str, str]] = {
    "gle": ("gle", "transpose"),
    "le": ("le", "transpose"),
    "bp": ("bp", "transpose"),
    "gle_random": ("gle", "random"),
    "gle_learned": ("gle", "learned"),
}
"""Label -> (learning rule, feedback)."""
TASK_SINES = ((0.6, 0.5, 0.4), (0.49, 1.07, 1.98), (0.0, 1.0, 2.0))
"""Amplitudes, angular frequencies and phases of the training input (LagNet's own stimulus)."""
FEEDBACK_SEED = 7
LOW_COHERENCE = 0.15
"""Cells whose adjoint coherence is below this are hatched in the maps: there the exact gradient
is a small remainder of steps that cancel (measured: every LagNet cell where GLE's cosine is
below 0.9 has a coherence below 0.13)."""


@dataclass(frozen=True)
class Grid:
    """The axes and run lengths (model time units) of one run of this script."""

    ratios: tuple[float, ...]
    omegas: tuple[float, ...]
    dt: float = 0.01
    warmup: float = 20.0
    tail: float = 20.0
    min_window: float = 40.0
    min_periods: int = 2
    pretrain: float = 400.0
    lr: float = 1e-3
    decay: float = 0.005

    def window(self, omega: float) -> tuple[float, float, float]:
        """``(t0, t1, t_stop)``: whole periods of ``omega`` from ``t0`` to ``t1``, and the end
        of the run on the grid."""
        period = 2 * math.pi / omega
        n = max(self.min_periods, math.ceil(self.min_window / period))
        t1 = self.warmup + n * period
        return self.warmup, t1, math.ceil((t1 + self.tail) / self.dt) * self.dt


FULL = Grid(ratios=(0.05, 0.1, 0.25, 0.5, 0.75, 1.0),
            omegas=tuple(float(w) for w in np.geomspace(0.1, 10.0, 6)))
QUICK = Grid(ratios=(0.1, 1.0), omegas=(0.1, 5.0), warmup=10.0, tail=10.0, min_window=20.0,
             min_periods=1, pretrain=50.0)


@dataclass(frozen=True)
class Task:
    """A student and the teacher whose output is its target (populations ``x`` and ``out``)."""

    name: str
    student: Network
    teacher: Network


def lagnet() -> Task:
    """LagNet (examples/lagnet.toml and its teacher): 1 -> 2 -> 2 -> 1, tanh hidden layers."""
    return Task("lagnet", load_model(EXAMPLES / "lagnet.toml").network,
                load_model(EXAMPLES / "lagnet_teacher.toml").network)


def three_layer() -> Task:
    """A wider 3-layer network, 2 -> 6 -> 6 -> 2, tanh hidden layers with tau_m spread over
    [0.5, 2], a linear output with tau_m = 1, tau_r = 0.1 tau_m; weights normal with std
    1.5 / sqrt(fan-in), the teacher from another seed."""

    def net(name: str, seed: int) -> Network:
        rng = np.random.default_rng(seed)
        tau_h1, tau_h2 = np.linspace(0.5, 2.0, 6), np.linspace(2.0, 0.5, 6)
        pops = (Population("x", 2, "input"),
                Population("h1", 6, "hidden", tau_m=tau_h1, tau_r=0.1 * tau_h1, phi="tanh"),
                Population("h2", 6, "hidden", tau_m=tau_h2, tau_r=0.1 * tau_h2, phi="tanh"),
                Population("out", 2, "output", tau_m=1.0, tau_r=0.1, phi="linear"))
        projs = tuple(Projection(a.name, b.name,
                                 rng.normal(0, 1.5 / math.sqrt(a.size), (b.size, a.size)))
                      for a, b in zip(pops[:-1], pops[1:], strict=True))
        return Network(name, pops, projs)

    return Task("three_layer", net("three_layer", 1), net("three_layer_teacher", 2))


def drive(t: np.ndarray, size: int, sines: Sequence[Sequence[float]]) -> np.ndarray:
    """``(len(t), size)``: ``sum_j a_j sin(w_j t + p_j + k pi / 2)`` for input k."""
    amps, omegas, phases = sines
    return np.stack([sum(a * np.sin(w * t + p + k * math.pi / 2)
                         for a, w, p in zip(amps, omegas, phases, strict=True))
                     for k in range(size)], axis=1)


def with_ratio(net: Network, ratio: float) -> Network:
    """``net`` with ``tau_r = ratio tau_m`` in every non-input population."""
    return Network(net.name, tuple(p if p.is_input else dataclasses.replace(
        p, tau_r=ratio * p.taus[0]) for p in net.populations), net.projections)


def signals(task: Task, sines: Sequence[Sequence[float]], t_stop: float,
            dt: float) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The input on the grid and the teacher's output for it."""
    n = round(t_stop / dt)
    x = drive(np.arange(n + 1) * dt, task.student.population("x").size, sines)
    y = simulate(task.teacher, {"x": x}, t_stop=t_stop, dt=dt, record=["out.r"])["out.r"]
    return {"x": x}, {"out": y}


def pretrain(task: Task, grid: Grid) -> tuple[Task, dict[str, dict[str, np.ndarray]], dict]:
    """GLE with Kolen-Pollack feedback for ``grid.pretrain`` time units on the task (Adam, as
    examples/lagnet.toml; the decay closes ``W - B`` by ``exp(-decay t)``): the trained
    student, the feedback matrices B it started from (``random``) and ended with
    (``learned``), and what the training did (the loss on the task before and after)."""
    stim, tgt = signals(task, TASK_SINES, grid.pretrain, grid.dt)
    rule = LearningRule(rule="gle", feedback="learned", decay=grid.decay, learn_bias=False,
                        feedback_seed=FEEDBACK_SEED, optimizer=Optimizer("adam", lr=grid.lr))
    n = round(grid.pretrain / grid.dt)

    def run_on_task(net: Network, plastic: bool) -> ArrayRun:
        run = reference_run(RunRequest(net, stim, grid.dt, n, "exact",
                                       resolve_record(net, ["loss"], errors=True),
                                       learning=rule, targets=tgt, plastic=plastic))
        run.run("numba")
        return run

    before = run_on_task(task.student, plastic=False)
    p0 = before.args.parameters()
    p1 = run_on_task(task.student, plastic=True).args.parameters()
    names = [pr.name for pr in task.student.projections]
    gap = [float(np.linalg.norm(np.concatenate([(p[f"{k}.W"] - p[f"{k}.B"]).ravel()
                                                for k in names]))) for p in (p0, p1)]
    student = Network(task.student.name, task.student.populations, tuple(
        dataclasses.replace(pr, weights=p1[f"{pr.name}.W"]) for pr in task.student.projections))
    info = {"loss_before": float(np.mean(before.losses)),
            "loss_after": float(np.mean(run_on_task(student, plastic=False).losses)),
            "feedback_gap_ratio": gap[1] / gap[0]}
    feedback = {"random": {k: p0[f"{k}.B"] for k in names},
                "learned": {k: p1[f"{k}.B"] for k in names}}
    return dataclasses.replace(task, student=student), feedback, info


def local_updates(net: Network, stim: Mapping[str, np.ndarray], tgt: Mapping[str, np.ndarray],
                  rule: LearningRule, keep: np.ndarray, dt: float,
                  feedback: Mapping[str, np.ndarray] | None = None,
                  ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The rule's accumulated update ``dt sum e r_pre^T`` over the grid points ``keep`` per
    projection, with the feedback matrices ``feedback`` in the error path (random or learned
    feedback), and the rates ``r`` of the run."""
    n = len(keep) - 1
    run = reference_run(RunRequest(net, stim, dt, n, "exact",
                                   resolve_record(net, ["r", "e"], errors=True),
                                   learning=rule, targets=tgt))
    if feedback is not None:
        lay = run.layout
        for j, name in enumerate(lay.j_names):
            o = int(lay.j_woff[j])
            run.args.weights[1][o:o + feedback[name].size] = feedback[name].ravel()
    run.run("numba")
    tr = run.traces()
    ups = {pr.name: dt * tr[f"{pr.post}.e"][keep].T @ tr[f"{pr.pre}.r"][keep]
           for pr in net.projections}
    return ups, {p.name: tr[f"{p.name}.r"] for p in net.populations}


def exact_updates(net: Network, stim: Mapping[str, np.ndarray], tgt: Mapping[str, np.ndarray],
                  r: Mapping[str, np.ndarray], keep: np.ndarray, dt: float,
                  beta: float = 1.0) -> dict[str, tuple[np.ndarray, float]]:
    """Per projection ``-beta dL/dW`` of the exact adjoint restricted to the grid points
    ``keep``, and its coherence ``|sum_n lam r^T| / sum_n |lam| |r|`` (1: every step pushes the
    same way; near 0: the accumulated gradient is a small remainder of steps that cancel, and
    its direction turns with any small error)."""
    t_stop = (len(keep) - 1) * dt
    lam = adjoint_gradients(net, stim, tgt, t_stop=t_stop, dt=dt).lam
    out = {}
    for pr in net.projections:
        la, rr = lam[pr.post][keep, 0, :], r[pr.pre][keep]
        grad = -beta * la.T @ rr
        steps = float(np.sum(np.linalg.norm(la, axis=1) * np.linalg.norm(rr, axis=1)))
        out[pr.name] = (grad, beta * float(np.linalg.norm(grad)) / steps if steps else np.nan)
    return out


def compare(update: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """``(cosine, |update| / |reference|)``."""
    na, nb = float(np.linalg.norm(update)), float(np.linalg.norm(reference))
    return (float(np.sum(update * reference) / (na * nb)) if na and nb else math.nan,
            na / nb if nb else math.inf)


def measure_task(task: Task, feedback: Mapping[str, Mapping[str, np.ndarray]],
                 grid: Grid) -> np.ndarray:
    """``(4, rule, ratio, omega, projection)``: cosine and norm ratio of every rule, and the
    norm and coherence of the adjoint's update it is compared with."""
    names = [pr.name for pr in task.student.projections]
    out = np.full((4, len(RULES), len(grid.ratios), len(grid.omegas), len(names)), np.nan)
    for io, omega in enumerate(grid.omegas):
        t0, t1, t_stop = grid.window(omega)
        stim, tgt = signals(task, ((1.0,), (omega,), (0.0,)), t_stop, grid.dt)
        t = np.arange(round(t_stop / grid.dt) + 1) * grid.dt
        keep = (t > t0 - grid.dt / 2) & (t < t1 - grid.dt / 2)
        nets: dict[tuple[str, float], Network] = {}
        for ratio in grid.ratios:
            nets[("ratio", ratio)] = with_ratio(task.student, ratio)
        nets[("le", 1.0)] = rule_network(task.student, LearningRule(rule="le"))
        for (kind, ratio), net in nets.items():
            labels = ["le"] if kind == "le" else [k for k in RULES if k != "le"]
            exact = None
            for label in labels:
                rule_name, fb = RULES[label]
                rule = LearningRule(rule=rule_name, feedback=fb, feedback_seed=FEEDBACK_SEED)
                ups, r = local_updates(net, stim, tgt, rule, keep, grid.dt,
                                       None if fb == "transpose" else feedback[fb])
                if exact is None:
                    exact = exact_updates(net, stim, tgt, r, keep, grid.dt)
                ir = list(RULES).index(label)
                rows = range(len(grid.ratios)) if kind == "le" else [grid.ratios.index(ratio)]
                for jp, name in enumerate(names):
                    grad, coherence = exact[name]
                    out[:, ir, list(rows), io, jp] = np.array(
                        [*compare(ups[name], grad), np.linalg.norm(grad), coherence])[:, None]
    return out


def dataset(results: Mapping[str, np.ndarray], infos: Mapping[str, dict], grid: Grid,
            projections: Sequence[str]) -> xr.Dataset:
    """The maps as a CF-style Dataset over network x rule x ratio x omega x projection."""
    dims = ("network", "rule", "ratio", "omega", "projection")
    stacked = np.stack([results[k] for k in results], axis=1)  # (4, network, ...)
    windows = np.array([grid.window(w) for w in grid.omegas])
    ds = xr.Dataset(
        {"cosine": (dims, stacked[0], {
            "long_name": "cosine between the rule's accumulated update and -beta dL/dW of the "
                         "exact adjoint", "units": "1"}),
         "norm_ratio": (dims, stacked[1], {
             "long_name": "|dW| / |beta dL/dW| (rule's update over the adjoint's)",
             "units": "1"}),
         "adjoint_norm": (dims, stacked[2], {
             "long_name": "|beta dL/dW| of the exact adjoint over the window", "units": "1"}),
         "adjoint_coherence": (dims, stacked[3], {
             "long_name": "|sum_n lam r^T| / sum_n |lam| |r| of the adjoint over the window",
             "units": "1"}),
         "window_start": ("omega", windows[:, 0], {"long_name": "start of the accumulation "
                                                   "window", "units": "1"}),
         "window_end": ("omega", windows[:, 1], {"long_name": "end of the accumulation window "
                                                 "(whole periods)", "units": "1"}),
         "t_stop": ("omega", windows[:, 2], {"long_name": "length of the run", "units": "1"}),
         **{f"pretrain_{k}": ("network", [infos[n][k] for n in results], {
             "long_name": f"Kolen-Pollack pretraining: {k.replace('_', ' ')}", "units": "1"})
            for k in next(iter(infos.values()))}},
        coords={
            "network": ("network", list(results), {"long_name": "network"}),
            "rule": ("rule", list(RULES), {"long_name": "rule and feedback",
                                           "comment": "; ".join(f"{k}: rule {r}, feedback {f}"
                                                                for k, (r, f) in RULES.items())}),
            "ratio": ("ratio", list(grid.ratios), {
                "long_name": "tau_r / tau_m of every non-input population", "units": "1"}),
            "omega": ("omega", list(grid.omegas), {
                "long_name": "input angular frequency (radians per model time unit)",
                "units": "1"}),
            "projection": ("projection", list(projections), {"long_name": "projection"}),
        },
        attrs={"title": "alignment of local learning rules with the exact adjoint",
               "source": "benchmarks/alignment.py", "dt": grid.dt,
               "pretrain_time": grid.pretrain, "pretrain_lr": grid.lr,
               "pretrain_decay": grid.decay, "feedback_seed": FEEDBACK_SEED})
    return ds


def plot(ds: xr.Dataset, var: str, path: Path) -> None:
    """One panel per rule (columns), one row per network and projection: ``var`` over ratio x
    omega, each cell annotated with its value."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    cosine = var == "cosine"
    rows = [(n, p) for n in ds.network.values for p in ds.projection.values]
    cols = list(ds.rule.values)
    fig, axes = plt.subplots(len(rows), len(cols), figsize=(2.2 * len(cols) + 1.0,
                                                            1.75 * len(rows) + 0.5),
                             squeeze=False, sharex=True, sharey=True, layout="constrained")
    label = {"cosine": "cosine with the adjoint gradient (1)",
             "norm_ratio": "log10 of |dW| / |beta dL/dW| (1)"}[var]
    image = None
    for i, (net, proj) in enumerate(rows):
        for j, rule in enumerate(cols):
            ax = axes[i, j]
            vals = ds[var].sel(network=net, projection=proj, rule=rule).values
            shown = vals if cosine else np.log10(vals)
            image = ax.imshow(shown, origin="lower", aspect="auto", cmap="RdBu",
                              vmin=-1 if cosine else -4, vmax=1 if cosine else 4)
            low = ds["adjoint_coherence"].sel(network=net, projection=proj, rule=rule).values
            for a, b in zip(*np.nonzero(low < LOW_COHERENCE), strict=True):
                ax.add_patch(Rectangle((b - 0.5, a - 0.5), 1, 1, fill=False, hatch="////",
                                       edgecolor="0.5", linewidth=0))
            for (a, b), v in np.ndenumerate(vals):
                ax.text(b, a, f"{v:.2f}" if cosine else _short(v), ha="center",
                        va="center", fontsize=5.5,
                        color="white" if abs(shown[a, b]) > (0.6 if cosine else 2.4)
                        else "black")
            ax.set_xticks(range(ds.omega.size), [f"{w:.2g}" for w in ds.omega.values],
                          fontsize=6)
            ax.set_yticks(range(ds.ratio.size), [f"{r:g}" for r in ds.ratio.values],
                          fontsize=6)
            if i == 0:
                ax.set_title(TITLES[str(rule)], fontsize=8)
            if j == 0:
                ax.set_ylabel(f"{net}\n{proj}\ntau_r / tau_m (1)", fontsize=7)
            if i == len(rows) - 1:
                ax.set_xlabel("omega (rad / time unit)", fontsize=7)
    assert image is not None
    fig.colorbar(image, ax=axes, shrink=0.4, label=label)
    fig.suptitle(f"{'cosine' if cosine else 'norm ratio'} of each rule's accumulated update "
                 "against the exact adjoint gradient (hatched: adjoint coherence below "
                 f"{LOW_COHERENCE:g}, the gradient is a small remainder of cancelling steps)",
                 fontsize=9)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _short(v: float) -> str:
    """A norm ratio in at most four characters (``0.74``, ``12``, ``3e4``)."""
    if not np.isfinite(v):
        return "-"
    return f"{v:.2g}" if v < 100 else f"{v:.0e}".replace("e+0", "e").replace("e+", "e")


def summary(ds: xr.Dataset, network: str, rule: str) -> dict:
    """Cosine and norm ratio per projection at the lowest and the highest frequency, one value
    per ratio."""
    sel = ds.sel(network=network, rule=rule)
    out: dict = {"benchmark": "alignment", "network": network, "rule": rule,
                 "ratios": [float(r) for r in ds.ratio.values]}
    for var in ("cosine", "norm_ratio"):
        for end, iw in (("lowest", 0), ("highest", -1)):
            out[f"{var}_at_{end}_omega"] = {
                str(p): [round(float(v), 3) for v in sel[var].sel(projection=p)[:, iw].values]
                for p in ds.projection.values}
    out["omega_lowest"], out["omega_highest"] = float(ds.omega[0]), float(ds.omega[-1])
    coherent = sel["adjoint_coherence"] >= LOW_COHERENCE
    out["cosine_min_coherent"] = {str(p): round(float(sel["cosine"].where(coherent).sel(
        projection=p).min()), 3) for p in ds.projection.values}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("alignment-out"))
    parser.add_argument("--quick", action="store_true",
                        help="a 2 x 2 grid with short runs (for the tests)")
    args = parser.parse_args()
    grid = QUICK if args.quick else FULL
    args.out.mkdir(parents=True, exist_ok=True)
    wall, cpu = time.perf_counter(), time.process_time()
    results, infos, projections = {}, {}, None
    for make in (lagnet, three_layer):
        task, feedback, info = pretrain(make(), grid)
        names = [pr.name for pr in task.student.projections]
        assert projections in (None, names), "both networks must name their projections alike"
        projections = names
        results[task.name], infos[task.name] = measure_task(task, feedback, grid), info
    assert projections is not None
    ds = dataset(results, infos, grid, projections)
    ds.to_netcdf(args.out / "alignment.nc")
    for var in ("cosine", "norm_ratio"):
        plot(ds, var, args.out / f"alignment-{var.replace('_', '-')}.png")
    for net in ds.network.values:
        for rule in ds.rule.values:
            emit(summary(ds, str(net), str(rule)), "numba", "xarray", "matplotlib")
    emit({"benchmark": "alignment", "quick": args.quick, "grid": [len(grid.ratios),
                                                                   len(grid.omegas)],
          "pretrain": infos, "wall_time_s": round(time.perf_counter() - wall, 1),
          "cpu_time_s": round(time.process_time() - cpu, 1),
          "files": [str(args.out / f) for f in ("alignment.nc", "alignment-cosine.png",
                                                  "alignment-norm-ratio.png")]},
         "numba", "xarray", "matplotlib")


if __name__ == "__main__":
    main()
