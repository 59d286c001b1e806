"""``vle simulate``: simulate a model file and write its traces."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vle.commands.common import out_path
from vle.model import ModelError, load_model
from vle.model.settings import SCHEMES
from vle.sim import backend_names, simulate_model
from vle.sim.brian2_device import TARGETS
from vle.sim.result import SUFFIXES


def register(sub: Any) -> None:
    """Add the ``simulate`` sub-command to ``sub`` (an argparse subparsers object)."""
    p = sub.add_parser("simulate", help="simulate a model file and write its traces",
                       description="Simulate MODEL and write every u, ub and r trace to --out "
                                   "(.nc netCDF or .npz).")
    p.add_argument("model", type=Path, metavar="MODEL.toml")
    p.add_argument("--out", "-o", type=out_path(SUFFIXES), required=True, metavar="FILE",
                   help="result file, FILE.nc or FILE.npz")
    p.add_argument("--t-stop", type=float, help="simulated time (model units); default from "
                   "the model file")
    p.add_argument("--dt", type=float, help="time step (model units); default from the model "
                   "file")
    p.add_argument("--scheme", choices=SCHEMES, help="integration scheme; default from the "
                   "model file")
    p.add_argument("--backend", default="numba", choices=backend_names(),
                   help="simulator (default: numba, the reference)")
    p.add_argument("--brian2-target", choices=TARGETS,
                   help="code-generation target of --backend brian2 (default: numpy; "
                        "cpp_standalone builds in a temporary folder that is removed after)")
    p.add_argument("--record", nargs="+", metavar="NAME",
                   help="traces to record: trace names (h1.ub), populations or quantities "
                        "(u, ub, r); default all")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``vle simulate``."""
    model = load_model(args.model)
    given = {k: v for k, v in (("t_stop", args.t_stop), ("dt", args.dt),
                               ("scheme", args.scheme)) if v is not None}
    if given:
        try:
            model = model.with_simulation(**given)
        except ModelError as exc:
            raise ModelError(exc.key.replace("simulation.", "--").replace("_", "-"),
                             exc.problem, exc.expected, file=args.model) from None
    options = {}
    if args.brian2_target is not None:
        if args.backend != "brian2":
            raise ValueError("--brian2-target needs --backend brian2")
        options["brian2_target"] = args.brian2_target
    result = simulate_model(model, backend=args.backend, record=args.record,
                            progress=not args.quiet, **options)
    path = result.save(args.out)
    if not args.quiet:
        meta = result.metadata
        print(f"{model.network.name}: {meta['n_steps']} steps of dt={meta['dt']:g} "
              f"({meta['scheme']}, {meta['backend']}) in {meta['wall_time_s']:.2f} s; "
              f"{len(result.traces)} traces written to {path}")
    return 0
