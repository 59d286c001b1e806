"""The main job (`make demo`): what vle can do today, on the LagLine chain.

1. forward dynamics in the numba reference (traces and a plot);
2. GLE learning: the LagLine student approaches the teacher's weights and time constants;
3. the circuit: LagLine compiled for the ideal and discrete technologies, with the mapping report,
   as netlists a user runs by hand (``ngspice -b lagline_ideal.cir``, run here too);
4. the same model in Brian2, checked against the numba reference;
5. the LagLine circuit simulated by ngspice, against the numba reference;
6. hardware fidelity: a short Monte Carlo run of LagLine on discrete parts (resistor and
   capacitor tolerances) on the numba surrogate, with a sensitivity ranking and the HTML report;
7. MNIST-1D: the published 15k GLE network, two short epochs under the authors' protocol
   (fan-in initialisation, test from the training state, plateau schedule, errors fed back
   through the weights before their update); the full 10-seed run is
   ``benchmarks/mnist1d.py`` (91.5 +- 1.4 % against the published 91.7 +- 0.8 %);
8. design-space exploration: a tiny sweep of LagLine on the CMOS technology (section
   capacitance x conductance bits x op-amp GBW, 18 points), its cost and fidelity per point, and
   the Pareto front as a table, a PNG and an HTML page.

    python examples/demo.py --out demo-output
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import xarray as xr

import vle
from vle.circuits import write_netlist
from vle.circuits.netlist import Control
from vle.learning.dataset_train import train_dataset
from vle.learning.initial import fan_in_uniform
from vle.learning.train import train
from vle.mapping import compile as compile_circuit
from vle.plots import plot_traces

HERE = Path(__file__).resolve().parent
TEACHER = {"x->h1.W": 1.0, "h1->out.W": 2.0, "h1.tau_m": 1.0, "out.tau_m": 2.0}


def forward(out: Path) -> None:
    """Forward dynamics of LagLine: the prospective potentials lead the membranes."""
    model = vle.load_model(HERE / "lagline.toml")
    first = vle.simulate_model(model)  # compiles the kernels unless numba's cache has them
    result = vle.simulate_model(model)
    nc = result.save(out / "lagline.nc")
    png = plot_traces(result, [["x.r"], ["h1.u", "h1.ub"], ["out.u", "out.ub", "out.r"]],
                      out / "lagline.png", title="LagLine forward dynamics (numba, exact)")
    print(f"[forward] LagLine: {result.metadata['n_steps']} steps in "
          f"{result.metadata['wall_time_s']:.2f} s (numba {result.metadata['scheme']} scheme; "
          f"first call {first.metadata['wall_time_s']:.2f} s with compilation or cache load)")
    print(f"[forward] traces: {nc}")
    print(f"[forward] plot:   {png}")


def learning(out: Path, epochs: int) -> None:
    """GLE learns LagLine's weights and membrane time constants; bp (instantaneous errors)
    does not."""
    student = vle.load_model(HERE / "lagline_student.toml")
    start = student.network
    before = {"x->h1.W": start.projection("x", "h1").weights[0, 0],
              "h1->out.W": start.projection("h1", "out").weights[0, 0],
              "h1.tau_m": start.population("h1").tau_m[0],
              "out.tau_m": start.population("out").tau_m[0]}
    run = out / "lagline-train"
    shutil.rmtree(run, ignore_errors=True)
    s = train(student, run, epochs=epochs, progress=False)
    print(f"[learning] LagLine student, GLE, {epochs} epochs ({s.steps} steps) in "
          f"{s.wall_time_s:.1f} s; final loss {s.final_loss:.2e}")
    print(f"[learning] {'parameter':10s} {'start':>8s} {'learned':>8s} {'teacher':>8s}")
    for k, v in TEACHER.items():
        print(f"[learning] {k:10s} {before[k]:8.3f} {float(s.parameters[k].ravel()[0]):8.3f} "
              f"{v:8.3f}")
    with xr.open_dataset(run / "history.nc") as h:
        hist = vle.Result(h["time"].values, {k: h[k].values.reshape(h.sizes["row"], -1)
                                             for k in TEACHER}, {})
        hist.traces["loss"] = h["loss"].values
    png = plot_traces(hist, [["loss"], ["x->h1.W", "h1->out.W"], ["h1.tau_m", "out.tau_m"]],
                      out / "lagline-train.png", title="LagLine student learning with GLE")
    print(f"[learning] history: {run / 'history.nc'}; plot: {png}; model: {s.final_model}")


def circuits(out: Path) -> None:
    """LagLine as a circuit: netlists for the ideal and discrete technologies."""
    model = vle.load_model(HERE / "lagline.toml")
    for tech in ("ideal", "discrete"):
        circuit, report = compile_circuit(model, tech)
        path = out / f"lagline_{tech}.cir"
        path.write_text(write_netlist(circuit, control=Control(path.name)))
        print(f"[circuit] {tech}: {len(circuit.elements)} elements, largest relative error "
              f"{report.max_rel_error():.2e}; netlist {path}")
        if tech == "discrete":
            print("\n".join(f"[circuit]   {line}" for line in report.table().splitlines()))


def brian2() -> None:
    """The same model in Brian2 (numpy target), against the numba reference."""
    from brian2_lagline import compare_lagline

    compare_lagline(t_stop=4.0)


def spice(out: Path) -> None:
    """LagLine compiled to the ideal technology, simulated by ngspice, against numba."""
    from vle.sim.spice.batch import find_ngspice

    if find_ngspice() is None:
        print("[spice] skipped: ngspice is not installed (sudo apt-get install ngspice)")
        return
    from spice_lagline import compare_lagline

    by_hand(out / "lagline_ideal.cir")
    compare_lagline(dt=1e-3, technology="ideal", out=out)


def by_hand(netlist: Path) -> None:
    """Run a netlist the way its header tells a user to, and read the rawfile it writes."""
    import subprocess

    from vle.sim.spice.batch import find_ngspice
    from vle.sim.spice.rawfile import read_raw, transient

    done = subprocess.run([str(find_ngspice()), "-b", str(netlist)], capture_output=True,
                          text=True, timeout=60)
    raw = netlist.with_suffix(".raw")
    plot = transient(read_raw(raw))
    print(f"[spice] by hand: ngspice -b {netlist} exited {done.returncode} and wrote {raw} "
          f"({plot.data.shape[0]} time points, {len(plot.names) - 1} vectors, t_end = "
          f"{plot.scale[-1]:g} s)")


def three_way() -> None:
    """numba, Brian2 and SPICE on the same LagLine model file: one line per backend."""
    from vle.sim.backend_comparison import compare_backends
    from vle.sim.spice.batch import find_ngspice

    backends = ["numba", "brian2"] + (["spice"] if find_ngspice() is not None else [])
    model = vle.load_model(HERE / "lagline.toml").with_simulation(t_stop=8.0, dt=1e-3)
    both = compare_backends(model, backends)
    print("[3-way] LagLine, exact scheme, dt = 1e-3, t = 8; reference: numba")
    for c in both.comparisons:
        worst = c.worst()
        assert worst is not None
        print(f"[3-way] {c.name:7s} largest NRMSE {worst.nrmse:.1e} ({worst.trace}), "
              f"tolerance {worst.tolerance:g}: {'ok' if c.passed else 'ABOVE'}")


def fidelity(out: Path, samples: int = 40) -> None:
    """A short Monte Carlo run on the local Dask cluster, the sensitivity ranking, the report."""
    from vle.fidelity.report import summary_rows
    from vle.fidelity.run import (
        FidelitySpec,
        cluster,
        run_fidelity,
        run_sensitivity,
        write_fidelity_report,
    )

    spec = FidelitySpec(str(HERE / "lagline.toml"), "discrete", samples, seed=0)
    folder = out / "fidelity"
    with cluster() as address:
        summary, ds = run_fidelity(spec, folder, scheduler=address, new=True, progress=False)
        sens = run_sensitivity(spec, folder, "out.r:nrmse", scheduler=address, new=True,
                               progress=False)
    page = write_fidelity_report(spec, ds, folder, sensitivity=sens,
                                 command=f"vle fidelity examples/lagline.toml -t discrete "
                                         f"--mc {samples} --sensitivity --out {folder}")
    rows = {r["metric"]: r for r in summary_rows(ds)}
    r = rows["out.r:nrmse"]
    print(f"[fidelity] LagLine on discrete parts, {summary.ok} Monte Carlo samples "
          f"(1 % resistors, 5 % capacitors) on {summary.workers} workers: out.r NRMSE mean "
          f"{r['mean']:.2e}, 95th percentile {r['p95']:.2e}, worst {r['worst']:.2e} "
          f"(sample {r['worst_sample']})")
    for s in sorted((s for s in sens if s.magnitude == "technology"), key=lambda s: -s.mean):
        print(f"[fidelity]   {s.nonideality} alone: out.r NRMSE {s.mean:.2e} +- {s.std:.1e}")
    print(f"[fidelity] report: {page}")
    learning_on_the_circuit()


def learning_on_the_circuit(samples: int = 3, epochs: int = 5) -> None:
    """The trained LagLine student on drawn circuits: as it is, and after learning in place."""
    import numpy as np

    from vle.circuits.nonidealities import get_nonideality
    from vle.fidelity.learning import learning_fidelity

    trained = vle.load_model(HERE / "lagline_student.toml").with_parameters(
        {k: np.array([[v]]) if k.endswith(".W") else np.array([v]) for k, v in TEACHER.items()})
    nis = (get_nonideality("resistor-tolerance"), get_nonideality("capacitor-tolerance"))
    rows = learning_fidelity(trained, "discrete", nis, seed=0, samples=samples, epochs=epochs,
                             lr=10.0)
    print(f"[fidelity] the trained LagLine student on {samples} drawn discrete circuits "
          f"(task loss; {rows[0]['nominal']:.1e} on nominal parts):")
    for r in rows:
        print(f"[fidelity]   sample {int(r['sample'])}: as is {r['as_is']:.2e}, after {epochs} "
              f"epochs of GLE (plain SGD) on the circuit itself {r['fine_tuned']:.2e}, "
              f"hardware-aware trained {r['hardware_aware']:.2e}")


def mnist1d(out: Path, epochs: int = 2, n_train: int = 400) -> None:
    """The 15k MNIST-1D network trained briefly the way the GLE authors' code trains it."""
    model = fan_in_uniform(vle.load_model(HERE / "mnist1d.toml"), seed=0)
    run = out / "mnist1d-train"
    shutil.rmtree(run, ignore_errors=True)

    def report(epoch: int, row: dict) -> None:
        print(f"[mnist1d] epoch {epoch}: train accuracy {row['train_accuracy']:.1%} on "
              f"{n_train} sequences, test accuracy {row['test_accuracy']:.1%} on 1000, "
              f"lr {row['lr']:.0e}, {row['ms_per_step']:.2f} ms per training step")

    s = train_dataset(model, run, epochs=epochs, max_train=n_train, progress=False,
                      on_epoch=report)
    assert model.learning is not None
    print(f"[mnist1d] feedback_weights = {model.learning.feedback_weights!r} (the authors' "
          "order); the published figure (91.7 +- 0.8 %) needs 150 epochs on 4000 sequences: "
          "python benchmarks/mnist1d.py --seeds 10 gave 91.5 +- 1.4 % (README)")
    print(f"[mnist1d] {s.wall_time_s:.1f} s; history: {run / 'history.nc'}")


def sweep(out: Path) -> None:
    """A tiny design-space sweep on the local Dask cluster and its Pareto front."""
    from vle.explore import load_sweep, pareto_front, run_sweep
    from vle.explore.report import (
        format_table,
        front_table,
        write_pareto_html,
        write_pareto_png,
    )

    spec = load_sweep(HERE / "lagline_sweep.toml")
    folder = out / "sweep"
    summary, ds = run_sweep(spec, folder / "store", new=True, progress=False)
    front = pareto_front(ds, spec.objectives, spec.constraints)
    print(f"[sweep] LagLine on onchip: {summary.ok} points ({summary.failed} failed) on "
          f"{summary.workers} workers in {summary.seconds:.1f} s, each costed and measured on "
          f"the nominal circuit and {spec.samples} mismatch draws (numba surrogate)")
    print(f"[sweep] Pareto front of {', '.join(f'{n} ({d})' for n, d in spec.objectives)}: "
          f"{front.front.size} of {front.feasible.size} feasible points")
    for line in format_table(front_table(ds, front)).splitlines():
        print(f"[sweep]   {line}")
    print(f"[sweep] plot: {write_pareto_png(ds, front, folder / 'pareto.png')}")
    page = write_pareto_html(ds, front, folder / "pareto.html",
                             command=f"vle pareto {folder / 'store'} --out {folder}")
    print(f"[sweep] page: {page}")
    print(f"[sweep] the same from the command line: vle sweep examples/lagline_sweep.toml "
          f"--out {folder / 'store'} && vle pareto {folder / 'store'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("demo-output"),
                        help="folder for the demo's files (default: demo-output)")
    parser.add_argument("--epochs", type=int, default=15, help="LagLine training epochs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"vle {vle.__version__}: demo, writing to {args.out}/")
    forward(args.out)
    learning(args.out, args.epochs)
    circuits(args.out)
    brian2()
    spice(args.out)
    three_way()
    fidelity(args.out)
    mnist1d(args.out)
    sweep(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
