"""``vle simulate``: simulate a model file and write its traces."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vle.commands.common import (
    OUT_CONVENTION,
    add_budget_argument,
    add_parents_argument,
    add_progress_arguments,
    add_record_arguments,
    add_run_settings,
    add_spice_arguments,
    check_output,
    model_with_settings,
    out_path,
    show_progress,
    spice_options,
)
from vle.model import ModelError
from vle.sim import backend_names, simulate_model
from vle.sim.brian2.device import TARGETS
from vle.sim.result import SUFFIXES


def register(sub: Any) -> None:
    """Add the ``simulate`` sub-command to ``sub`` (an argparse subparsers object)."""
    p = sub.add_parser("simulate", help="simulate a model file and write its traces",
                       description="Simulate MODEL and write every u, ub and r trace to --out "
                                   "(.nc netCDF or .npz). With --backend spice the traces on "
                                   "ngspice's own time points go to a second file, "
                                   "FILE.spice-raw.nc (or .npz).")
    p.add_argument("model", type=Path, metavar="MODEL.toml")
    p.add_argument("--out", "-o", type=out_path(SUFFIXES), required=True, metavar="FILE",
                   help=f"result file, FILE.nc or FILE.npz; {OUT_CONVENTION}")
    add_parents_argument(p)
    add_run_settings(p)
    p.add_argument("--backend", default="numba", choices=backend_names(),
                   help="simulator (default: numba, the reference)")
    p.add_argument("--brian2-target", choices=TARGETS,
                   help="code-generation target of --backend brian2 (default: numpy; "
                        "cpp_standalone builds in a temporary folder that is removed after)")
    add_record_arguments(p)
    add_budget_argument(p)
    add_spice_arguments(p)
    add_progress_arguments(p, "no progress bar or summary")
    p.set_defaults(func=run)


def raw_path(out: Path) -> Path:
    """Where ``vle simulate --backend spice`` writes the traces on SPICE's time points."""
    return out.with_name(f"{out.stem}.spice-raw{out.suffix}")


def run(args: argparse.Namespace) -> int:
    """Execute ``vle simulate``."""
    check_output(args.out, "--out", folder=False, parents=args.parents)
    model = model_with_settings(args)
    options = spice_options(args)
    if options and args.backend != "spice":
        option = next(iter(options)).replace("_", "-")
        raise ValueError(f"--{option} applies to --backend spice only")
    if args.backend == "spice":
        options["raw_out"] = str(raw_path(args.out))
    if args.brian2_target is not None:
        if args.backend != "brian2":
            raise ValueError("--brian2-target needs --backend brian2")
        options["brian2_target"] = args.brian2_target
    if args.record_every < 1:
        raise ValueError(f"--record-every must be >= 1, got {args.record_every}")
    try:
        result = simulate_model(model, backend=args.backend, record=args.record,
                                record_every=args.record_every, progress=show_progress(args),
                                max_memory=args.max_memory, **options)
    except ModelError as exc:
        raise exc.in_file(args.model) from None
    path = result.save(args.out)
    if not args.quiet:
        meta = result.metadata
        print(f"{model.network.name}: {meta['n_steps']} steps of dt={meta['dt']:g} "
              f"({meta['scheme']}, {meta['backend']}) in {meta['wall_time_s']:.2f} s; "
              f"{len(result.traces)} traces written to {path}")
        for netlist in meta.get("spice_netlists", []) if options.get("keep") else ():
            print(f"{model.network.name}: SPICE files kept in {Path(netlist).parent}")
        if "raw_out" in options:
            print(f"{model.network.name}: traces on ngspice's {sum(meta['spice_points'])} time "
                  f"points written to {options['raw_out']}")
    return 0
