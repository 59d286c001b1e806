"""``vle fidelity``: Monte Carlo hardware fidelity of a model on a technology, with a report."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from vle.circuits import get_technology, technology_names
from vle.circuits.nonidealities import get_nonideality, nonideality_names
from vle.commands.common import (
    add_parents_argument,
    add_progress_arguments,
    check_output,
    show_progress,
)
from vle.model import load_model


def register(sub: Any) -> None:
    """Add the ``fidelity`` sub-command."""
    p = sub.add_parser(
        "fidelity", help="Monte Carlo fidelity of a model on a technology's real parts",
        description="Draw --mc Monte Carlo samples of MODEL's circuit in a technology (every "
                    "part value from its non-idealities, seeded per sample), simulate each on "
                    "the numba surrogate or in ngspice, and measure every trace against the "
                    "ideal model (NRMSE, largest error, delay, gain and phase at the stimulus "
                    "frequencies). Results stream into DIR/samples (results.nc; a killed run "
                    "resumes where it stopped); DIR/report.html shows them.")
    p.add_argument("model", type=Path, nargs="?", metavar="MODEL.toml",
                   help="a model file, or a run file with a [fidelity] table naming the model "
                        "and these settings (options given here override it; see "
                        "vle.fidelity.config)")
    p.add_argument("--technology", "-t", choices=technology_names(), default=None,
                   help="technology whose parts are drawn (default: discrete)")
    p.add_argument("--mc", type=int, metavar="N", help="number of Monte Carlo samples")
    p.add_argument("--seed", type=int, default=None, help="seed of the run; sample i draws from "
                   "a seed derived from (seed, i) (default 0)")
    p.add_argument("--nonideality", "-n", action="append", metavar="NAME[=VALUE]",
                   help="a non-ideality to draw (repeatable; default: the technology's "
                        "tolerances or mismatch); VALUE is a tolerance (0.01 = 1 %%), an "
                        "offset sigma in volts (opamp-offset), a symmetric output limit in "
                        "volts (opamp-swing=1.5: [-1.5, 1.5] V), a temperature in degC, or a "
                        "scale (mismatch: of the Pelgrom coefficients; thermal-noise: of 4kTR)")
    p.add_argument("--backend", choices=("numba", "spice"), default=None,
                   help="numba: the behavioural surrogate (fast); spice: the drawn circuits in "
                        "ngspice (default: numba)")
    p.add_argument("--workers", type=int, metavar="K",
                   help="worker processes of the local Dask cluster (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on an existing Dask scheduler (tcp://host:8786) instead")
    p.add_argument("--timeout", type=float, metavar="S",
                   help="seconds one sample may take (default: no limit)")
    p.add_argument("--sensitivity", action="store_true", default=None,
                   help="also run each non-ideality alone, at its technology value and at "
                        "0.1 to 10 times it, and rank them")
    p.add_argument("--learning", type=int, metavar="EPOCHS",
                   help="also deploy the trained MODEL (with its [learning] rule and targets, "
                        "e.g. DIR/final.toml of vle train) on the first --mc samples as it is, "
                        "after EPOCHS epochs of its local rule on each sample, and "
                        "hardware-aware trained for EPOCHS epochs; DIR/learning.nc and a report "
                        "section (in this process, one sample after another)")
    p.add_argument("--lr", type=float, metavar="LR",
                   help="with --learning: the plain-SGD learning rate of the circuit's "
                        "plasticity elements, per model time unit")
    p.add_argument("--new", action="store_true",
                   help="start over when DIR holds a run of another spec (its results are "
                        "deleted)")
    p.add_argument("--out", "-o", type=Path, metavar="DIR", help="output folder")
    add_parents_argument(p)
    p.add_argument("--list-nonidealities", action="store_true",
                   help="list the non-idealities (with their magnitudes on --technology) and "
                        "exit")
    add_progress_arguments(p, "no progress bar or summary")
    p.set_defaults(func=run, parser=p)


def _list(technology: str) -> int:
    tech = get_technology(technology)
    for name in nonideality_names():
        ni = get_nonideality(name)
        try:
            ni.check(tech)
            print(ni.describe(tech))
        except ValueError as exc:
            print(f"{ni.describe()}; {technology}: not available ({exc})")
    return 0


def _table_nonideality(item: tuple[str, dict[str, Any]], technology: str
                       ) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """A run file's ``{ name = ..., params }`` non-ideality, checked against the technology."""
    name, params = item
    get_nonideality(name, **params).check(get_technology(technology))
    return name, tuple(sorted(params.items()))


def _apply_run_file(args: argparse.Namespace) -> None:
    """Fill the options not given on the command line from a ``[fidelity]`` run file."""
    from vle.fidelity.config import is_fidelity_file, load_fidelity_file

    if not is_fidelity_file(args.model):
        return
    cfg = load_fidelity_file(args.model)
    args.model = Path(cfg["model"])
    for key in ("technology", "seed", "backend", "sensitivity", "mc", "timeout", "learning",
                "lr"):
        if getattr(args, key) is None and cfg.get(key) is not None:
            setattr(args, key, cfg[key])
    if args.technology is not None and args.technology not in technology_names():
        raise ValueError(f"fidelity.technology: unknown technology {args.technology!r}; "
                         f"available: {', '.join(technology_names())}")
    if args.nonideality is None and cfg["nonidealities"]:
        args.nonideality = cfg["nonidealities"]


def run(args: argparse.Namespace) -> int:
    """Execute ``vle fidelity``."""
    if args.model is not None and args.model.is_file():
        _apply_run_file(args)
    for key, default in (("technology", "discrete"), ("seed", 0), ("backend", "numba"),
                         ("sensitivity", False)):
        if getattr(args, key) is None:
            setattr(args, key, default)
    if args.list_nonidealities:
        return _list(args.technology)
    if args.model is None or args.out is None or args.mc is None:
        args.parser.error("give MODEL.toml, --mc N and --out DIR (or --list-nonidealities)")
    from vle.fidelity.run import (
        FidelitySpec,
        cluster,
        output_trace,
        parse_nonideality,
        run_fidelity,
        run_sensitivity,
        write_fidelity_report,
    )

    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers: must be >= 1, got {args.workers}")
    if not args.model.is_file():
        raise ValueError(f"MODEL.toml: no such file {str(args.model)!r}")
    nis = tuple(parse_nonideality(t, args.technology) if isinstance(t, str)
                else _table_nonideality(t, args.technology) for t in args.nonideality or ())
    if args.learning is not None:
        if args.learning < 1:
            raise ValueError(f"--learning: epochs must be >= 1, got {args.learning}")
        if args.lr is None or not args.lr > 0:
            raise ValueError("--learning needs --lr LR > 0: the plain-SGD learning rate of the "
                             "circuit's plasticity elements (e.g. --lr 10 for the LagLine "
                             "student)")
        model = load_model(args.model)
        if not (model.learning and model.learning.active and model.targets):
            raise ValueError(f"--learning: {args.model} has no [learning] rule with [target] "
                             "tables; give a trained student (DIR/final.toml of vle train)")
    check_output(args.out, "--out", folder=True, parents=args.parents)
    progress = show_progress(args)
    spec = FidelitySpec(str(args.model.resolve()), args.technology, args.mc, args.seed,
                        args.backend, nis)
    command = "vle " + shlex.join(sys.argv[1:]) if sys.argv[1:] else ""
    sensitivity = []
    with cluster(args.workers, args.scheduler) as address:
        summary, ds = run_fidelity(spec, args.out, scheduler=address, new=args.new,
                                   progress=progress, timeout=args.timeout)
        if args.sensitivity:
            metric = f"{output_trace(load_model(spec.model))}:nrmse"
            sensitivity = run_sensitivity(spec, args.out, metric, scheduler=address,
                                          new=args.new, progress=progress)
    learning = None
    if args.learning is not None:
        from vle.fidelity.learning import learning_dataset, learning_fidelity

        rows = learning_fidelity(load_model(spec.model), spec.technology, spec.build(),
                                 seed=spec.seed, samples=spec.samples, epochs=args.learning,
                                 lr=args.lr, progress=progress)
        learning = learning_dataset(rows, epochs=args.learning, lr=args.lr,
                                    technology=spec.technology)
        learning.to_netcdf(args.out / "learning.nc")
    page = write_fidelity_report(spec, ds, args.out, sensitivity=sensitivity, command=command,
                                 learning=learning)
    if not args.quiet:
        print(f"{summary.ok} samples done, {summary.skipped} already there, "
              f"{summary.failed + summary.timeout + summary.lost} failed, on "
              f"{summary.workers} worker(s) in {summary.seconds:.1f} s")
        if learning is not None:
            from vle.fidelity.report import learning_rows

            for name, median, _, beats in learning_rows(learning):
                print(f"learning on the circuit: {name}: median task loss {median}"
                      + (f", better than as is in {beats} samples" if beats else ""))
        print(f"results: {args.out / 'samples' / 'results.nc'}\nreport:  {page}")
    failed = int((ds["status"].values != "ok").sum())
    return 0 if failed == 0 else 1
