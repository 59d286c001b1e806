"""``vle sweep``: a design-space sweep (grid or samples), an NSGA-II search, or a global
sensitivity analysis of a sweep file, on a local Dask cluster or an existing scheduler."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vle.commands.common import (
    add_parents_argument,
    add_progress_arguments,
    check_output,
    show_progress,
)


def register(sub: Any) -> None:
    """Add the ``sweep`` sub-command."""
    p = sub.add_parser(
        "sweep", help="run a design-space sweep, search or sensitivity analysis",
        description="Evaluate every point of SWEEP.toml's [sweep] table (its parameters on a "
                    "grid, or random, lhs or sobol samples): each point's circuit is compiled "
                    "(a design the technology refuses is recorded as failed), costed (area, "
                    "power, energy, speed) and measured against the ideal model on the "
                    "nominal circuit and on Monte Carlo draws. Points run on a local Dask "
                    "cluster (one process per core) or --scheduler, stream into STORE as they "
                    "finish (STORE/results.nc), and a rerun skips finished points. "
                    "`vle pareto STORE` shows the front.")
    p.add_argument("sweep", type=Path, metavar="SWEEP.toml")
    p.add_argument("--out", "-o", type=Path, required=True, metavar="STORE",
                   help="result store folder (created; a rerun resumes it)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="worker processes of the local Dask cluster (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on an existing Dask scheduler (tcp://host:8786) instead")
    p.add_argument("--new", action="store_true",
                   help="start over when STORE holds results of another spec (deletes them)")
    p.add_argument("--rerun-failed", action="store_true",
                   help="also run again the points recorded failed, timed out or lost")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--search", choices=("nsga2",),
                      help="instead of the spec's sampling, search with NSGA-II for the "
                           "spec's objectives under its constraints")
    mode.add_argument("--sensitivity", choices=("morris", "sobol"),
                      help="instead of the spec's sampling, the global sensitivity of "
                           "--metric to every swept parameter (SALib)")
    p.add_argument("--generations", type=int, default=10, metavar="G",
                   help="NSGA-II generations (default 10)")
    p.add_argument("--population", type=int, default=20, metavar="P",
                   help="NSGA-II population size (default 20)")
    p.add_argument("--metric", default="nrmse", help="the metric of --sensitivity "
                   "(default nrmse)")
    p.add_argument("--size", type=int, default=8, metavar="N",
                   help="--sensitivity design size: Morris trajectories, or Sobol' base "
                        "samples (a power of two) (default 8)")
    add_parents_argument(p)
    add_progress_arguments(p, "no progress bar or summary")
    p.set_defaults(func=run, parser=p)


def run(args: argparse.Namespace) -> int:
    """Execute ``vle sweep``."""
    from vle.explore import (
        SearchSpec,
        dataset_objectives,
        load_sweep,
        pareto_front,
        run_search,
        run_sensitivity,
        run_sweep,
    )
    from vle.explore.report import describe_front, format_table

    if args.workers is not None and args.workers < 1:
        raise ValueError(f"--workers: must be >= 1, got {args.workers}")
    spec = load_sweep(args.sweep)
    search = SearchSpec(args.generations, args.population) if args.search else None
    if not (args.search or args.sensitivity):
        spec.point_values()  # a grid it cannot make is refused before anything is written
    check_output(args.out, "--out", folder=True, parents=args.parents)
    progress = show_progress(args)
    if args.sensitivity:
        res = run_sensitivity(spec, args.metric, args.out, method=args.sensitivity,
                              n=args.size, workers=args.workers, scheduler=args.scheduler,
                              new=args.new, progress=progress)
        if not args.quiet:
            cols = list(res.data_vars)
            rows = [["parameter", *map(str, cols)]] + [
                [str(p), *(f"{float(res[c].sel(parameter=p)):.4g}" for c in cols)]
                for p in res["parameter"].values]
            print(f"{args.sensitivity} sensitivity of {args.metric} "
                  f"({res.attrs['points']} points):")
            print(format_table(rows))
            print(f"indices: {args.out / 'sensitivity.nc'}")
        return 0
    if search is not None:
        ds = run_search(spec, search, args.out, workers=args.workers,
                        scheduler=args.scheduler, new=args.new, progress=progress)
        summary_line = f"{ds.sizes['point']} points evaluated by NSGA-II"
    else:
        summary, ds = run_sweep(spec, args.out, workers=args.workers, scheduler=args.scheduler,
                                new=args.new, progress=progress,
                                rerun_failed=args.rerun_failed)
        summary_line = (f"{summary.ok} points done, {summary.skipped} already there, "
                        f"{summary.failed + summary.timeout + summary.lost} failed, on "
                        f"{summary.workers} worker(s) in {summary.seconds:.1f} s")
    if not args.quiet:
        print(summary_line)
        objectives, constraints = dataset_objectives(ds)
        print(describe_front(ds, pareto_front(ds, objectives, constraints)))
        print(f"results: {args.out / 'results.nc'} (vle pareto {args.out} for the plots)")
    return 0
