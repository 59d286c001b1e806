"""``vle compare``: simulate a model file with several backends and compare their traces."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from vle.commands.common import (
    OUT_CONVENTION,
    add_budget_argument,
    add_parents_argument,
    add_progress_arguments,
    add_run_settings,
    add_spice_arguments,
    check_output,
    model_with_settings,
    show_progress,
    spice_options,
)
from vle.model import ModelError
from vle.sim import backend_names
from vle.sim.backend_comparison import BackendComparison, compare_backends
from vle.sim.trace_comparison import ROUNDING_TOLERANCE, SCHEME_BACKENDS, TECHNOLOGY_TOLERANCE

REALISED = 1e-9
"""Relative errors of realised component values above this are listed under a comparison (the
ideal technology realises every value to rounding)."""


def backend_list(text: str) -> list[str]:
    """``'numba,spice'`` -> ``['numba', 'spice']``, each a registered backend."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in backend_names()]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown backend {unknown[0]!r}; registered: "
                                         f"{', '.join(backend_names())}")
    if len(names) < 2 or len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"{text!r}: give two or more different backends, "
                                         "separated by commas (the first is the reference)")
    return names


def register(sub: Any) -> None:
    """Add the ``compare`` sub-command to ``sub`` (an argparse subparsers object)."""
    bounds = ", ".join(f"{k} {v:g}" for k, v in TECHNOLOGY_TOLERANCE.items())
    p = sub.add_parser(
        "compare", help="simulate a model with several backends and compare their traces",
        description="Simulate MODEL with every backend of --backends, compare each with the "
                    "first on its time grid and print a table per backend: per trace the "
                    "normalised RMS error (RMS error / range of the reference trace), the "
                    "largest absolute error and the delay between the two. Exits with "
                    "status 1 when a trace is above the tolerance.")
    p.add_argument("model", type=Path, metavar="MODEL.toml")
    p.add_argument("--backends", type=backend_list, default=["numba", "spice"],
                   metavar="A,B[,C]", help="backends to run, the first is the reference "
                   "(default: numba,spice)")
    p.add_argument("--tol", type=float, metavar="X", help="bound on the normalised RMS error "
                   f"of every trace (default: 1e-3; spice per technology: {bounds}; "
                   f"{ROUNDING_TOLERANCE:g} between two of {', '.join(sorted(SCHEME_BACKENDS))}, "
                   "which compute the same scheme to rounding)")
    p.add_argument("--out", type=Path, metavar="DIR", help="write a PNG overlay per "
                   "population and the tables into DIR; " + OUT_CONVENTION)
    add_parents_argument(p)
    add_run_settings(p)
    p.add_argument("--plastic", action="store_true", help="let the learning rule change the "
                   "weights (models with targets) and compare the weight trajectories")
    add_spice_arguments(p)
    add_budget_argument(p)
    add_progress_arguments(p, "print only the tables")
    p.set_defaults(func=run)


def owner(trace: str) -> str:
    """The population a trace is drawn with: ``h1.u`` -> ``h1``, ``x->h1.W`` -> ``h1``
    (the post-synaptic one), ``loss`` -> ``loss``."""
    head = trace.rpartition(".")[0] or trace
    return head.split("->")[-1]


def write_plots(comparison: BackendComparison, out: Path, title: str) -> list[Path]:
    """One PNG per population (and one for the loss) overlaying every backend's traces."""
    from vle.plots import plot_overlay

    reference = next(iter(comparison.results.values()))
    groups: dict[str, list[str]] = {}
    for trace in reference.traces:
        groups.setdefault(owner(trace), []).append(trace)
    return [plot_overlay(comparison.results, traces, out / f"{pop}.png",
                         title=f"{title}: {pop}") for pop, traces in groups.items()]


def run(args: argparse.Namespace) -> int:
    """Execute ``vle compare``."""
    if args.out is not None:
        check_output(args.out, "--out", folder=True, parents=args.parents)
    model = model_with_settings(args)
    options = {"spice": spice_options(args)} if "spice" in args.backends else {}
    if not options and spice_options(args):
        raise ValueError("--technology, --runner, --timeout, --keep, --time-scale and "
                         "--prune-below apply to the spice backend; add spice to --backends")
    try:
        comparison = compare_backends(model, args.backends, options=options,
                                      tolerance=args.tol, plastic=args.plastic,
                                      progress=show_progress(args), max_memory=args.max_memory)
    except ModelError as exc:
        raise exc.in_file(args.model) from None
    tables = []
    for comp in comparison.comparisons:
        tables.append(comp.table())
        meta = comparison.results[comp.name].metadata
        tables += [f"  {comp.name} has no {k}: {v}"
                   for k, v in meta.get("absent_traces", {}).items()]
        off = {q: e for q, e in meta.get("realised_rel_error", {}).items() if e > REALISED}
        if off:
            tables.append(f"  {comp.name} realises the model in technology "
                          f"{meta.get('technology')} with relative errors up to " + ", ".join(
                              f"{q} {e:.2g}" for q, e in off.items()) + " (vle netlist "
                          "--report lists every value)")
    text = "\n\n".join(tables)
    print(text)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "comparison.txt").write_text(text + "\n")
        paths = write_plots(comparison, args.out, model.network.name)
        if not args.quiet:
            print(f"\n{len(paths)} overlay plots and comparison.txt written to {args.out}")
    failed = [f"{c.name} {r.trace}" for c in comparison.comparisons for r in c.failed]
    if failed:
        print(f"vle: {len(failed)} trace(s) above the tolerance: {', '.join(failed)}",
              file=sys.stderr)
        return 1
    return 0
