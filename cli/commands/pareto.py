"""``vle pareto``: the non-dominated designs of a sweep store, as a table, a PNG and an
interactive HTML page."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from vle.commands.common import add_parents_argument, check_output


def _objective(text: str) -> tuple[str, str]:
    name, _, direction = text.partition("=")
    if direction not in ("min", "max"):
        raise argparse.ArgumentTypeError(f"{text!r}: give METRIC=min or METRIC=max")
    return name, direction


def register(sub: Any) -> None:
    """Add the ``pareto`` sub-command."""
    p = sub.add_parser(
        "pareto", help="show the Pareto front of a sweep store",
        description="Print the non-dominated points of the sweep store STORE (for the "
                    "objectives and constraints of its sweep file, or --objective), and write "
                    "OUT/pareto.png and OUT/pareto.html (a self-contained page: any metric or "
                    "parameter on either axis, a tooltip per point, the front's table).")
    p.add_argument("store", type=Path, metavar="STORE")
    p.add_argument("--objective", type=_objective, action="append", metavar="METRIC=min|max",
                   help="objectives instead of the sweep's (repeatable)")
    p.add_argument("--out", "-o", type=Path, metavar="DIR",
                   help="folder for pareto.png and pareto.html (default: STORE)")
    add_parents_argument(p)
    p.add_argument("--quiet", "-q", action="store_true", help="no table")
    p.set_defaults(func=run, parser=p)


def run(args: argparse.Namespace) -> int:
    """Execute ``vle pareto``."""
    from vle.explore import dataset_objectives, pareto_front, sweep_dataset
    from vle.explore.report import describe_front, write_pareto_html, write_pareto_png

    if not (args.store / "store.json").is_file():
        raise ValueError(f"STORE {args.store}: not a sweep store (no store.json); give the "
                         "--out folder of a `vle sweep` run")
    ds = sweep_dataset(args.store)
    if ds.sizes.get("point", 0) == 0:
        raise ValueError(f"STORE {args.store}: holds no finished point yet")
    objectives, constraints = dataset_objectives(ds)
    if args.objective:
        objectives = tuple(args.objective)
    out = args.out or args.store
    check_output(out, "--out", folder=True, parents=args.parents)
    out.mkdir(parents=True, exist_ok=True)
    front = pareto_front(ds, objectives, constraints)
    command = "vle " + shlex.join(sys.argv[1:]) if sys.argv[1:] else ""
    png = write_pareto_png(ds, front, out / "pareto.png")
    page = write_pareto_html(ds, front, out / "pareto.html", command=command)
    if not args.quiet:
        print(describe_front(ds, front))
        print(f"plot: {png}\npage: {page}")
    return 0
