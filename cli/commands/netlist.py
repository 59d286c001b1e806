"""``vle netlist``: compile a model file into a SPICE netlist for a technology."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vle.circuits import CircuitError, get_technology, technology_names, write_netlist
from vle.circuits.netlist import Control
from vle.commands.common import (
    OUT_CONVENTION,
    add_budget_argument,
    add_mapping_arguments,
    add_parents_argument,
    check_output,
    mapping_options,
    out_path,
)
from vle.mapping import MappingError, compile, compile_plan, plan_cost
from vle.mapping.plan import Plan
from vle.model import ModelError, load_model
from vle.model.loader import model_files
from vle.sim.spice.budget import check_spice_run

SUFFIXES = (".cir",)


def register(sub: Any) -> None:
    """Add the ``netlist`` sub-command to ``sub`` (an argparse subparsers object)."""
    p = sub.add_parser(
        "netlist", help="compile a model file into a SPICE netlist",
        description="Compile MODEL into a circuit in a technology and write its ngspice "
                    "netlist. The mapping report lists every requested time constant and "
                    "weight against the realised one.")
    p.add_argument("model", type=Path, nargs="?", metavar="MODEL.toml")
    p.add_argument("--technology", "-t", default="ideal", metavar="NAME",
                   help="target technology (default: ideal; see --list-technologies)")
    add_mapping_arguments(p)
    p.add_argument("--out", "-o", type=out_path(SUFFIXES), metavar="FILE.cir",
                   help=f"netlist file to write; {OUT_CONVENTION} (without it, --report "
                        "prints the reports and writes nothing)")
    p.add_argument("--probes", type=out_path((".json",)), metavar="FILE.json",
                   help="also write the probe map (trace -> nodes, scales) as JSON")
    add_parents_argument(p)
    add_budget_argument(p)
    p.add_argument("--control", action=argparse.BooleanOptionalAction, default=True,
                   help="end the netlist with a .control block, so that `ngspice -b FILE.cir` "
                        "runs the transient and writes FILE.raw next to it, and say so in a "
                        "header with the commands and the trace -> node table (default: on; "
                        "--no-control writes the netlist the SPICE backend runs)")
    p.add_argument("--report", action="store_true",
                   help="print the mapping report as a table, then the cost estimate: area "
                        "and static power per population and projection, totals, energy per "
                        "model time unit and per step, speed, and the assumptions")
    p.add_argument("--list-technologies", action="store_true",
                   help="list the technologies and their default scales, then exit")
    p.add_argument("--golden", type=Path, metavar="DIR",
                   help="regenerate the golden netlists: every EXAMPLES/*.toml in every "
                        "technology into DIR, with their control blocks (what `make netlists` "
                        "runs)")
    p.add_argument("--examples", type=Path, default=Path("examples"), metavar="EXAMPLES",
                   help="model files for --golden (default: ./examples)")
    p.add_argument("--quiet", "-q", action="store_true", help="no summary line")
    p.set_defaults(func=run, parser=p)


GOLDEN_SUFFIXES = (".cir", ".refused")
"""Golden files: a netlist, or the mapper's refusal when the technology cannot realise the
model at its default time scale (the refusal is held to its text just like a netlist)."""


def golden_netlists(examples: Path) -> dict[str, str]:
    """The golden files for every model file in ``examples`` and every registered technology:
    ``<example>_<technology>.cir`` -> netlist text with its control block (it runs by hand,
    writing ``<example>_<technology>.raw`` next to itself), or
    ``<example>_<technology>.refused`` -> the :class:`MappingError` message (dataset-trained
    models have no netlist source for their input and are left out)."""
    out = {}
    for path in model_files(examples):
        model = load_model(path)
        if model.dataset is not None:
            continue
        for tech in technology_names():
            try:
                circuit, _ = compile(model, tech)
            except MappingError as exc:
                out[f"{path.stem}_{tech}.refused"] = f"{exc}\n"
            else:
                name = f"{path.stem}_{tech}.cir"
                out[name] = write_netlist(circuit, control=Control(name))
    return out


def golden_files(target: Path) -> list[Path]:
    """The golden files present in ``target``."""
    return sorted(p for p in target.glob("*") if p.suffix in GOLDEN_SUFFIXES)


def _write_golden(target: Path, examples: Path, quiet: bool) -> int:
    if not model_files(examples):
        raise ValueError(f"--golden: no model files (*.toml) in {examples.resolve()}; run "
                         "from the repository root or pass --examples DIR")
    wanted = golden_netlists(examples)
    target.mkdir(parents=True, exist_ok=True)
    for stale in sorted({p.name for p in golden_files(target)} - set(wanted)):
        (target / stale).unlink()
    for name, text in wanted.items():
        (target / name).write_text(text)
    if not quiet:
        refused = sum(name.endswith(".refused") for name in wanted)
        print(f"{len(wanted) - refused} golden netlists and {refused} refusals written to "
              f"{target}")
    return 0


def _control(out: Path) -> Control:
    """The control block of the netlist written to ``out`` (its name goes into the netlist)."""
    try:
        return Control(out.name)
    except CircuitError as exc:
        raise ValueError(f"--out {out}: {exc}; rename the file, or write it with --no-control"
                         ) from None


def _cost_table(plan: Plan, dt: float | None) -> str:
    """The cost report (energy per step of the model's ``dt``), or one line saying why the
    technology has none."""
    try:
        return plan_cost(plan).table(dt)
    except MappingError as exc:
        return f"cost: {exc}"


def run(args: argparse.Namespace) -> int:
    """Execute ``vle netlist``."""
    if args.list_technologies:
        for name in technology_names():
            print(get_technology(name).summary())
        return 0
    if args.golden is not None:
        if not args.control:
            args.parser.error("--golden writes the golden netlists, which always have their "
                              "control block; drop --no-control")
        check_output(args.golden, "--golden", folder=True, parents=args.parents)
        return _write_golden(args.golden, args.examples, args.quiet)
    if args.model is None or (args.out is None and not args.report):
        args.parser.error("give MODEL.toml and --out FILE.cir (or --report, or "
                          "--list-technologies)")
    if args.out is not None:
        check_output(args.out, "--out", folder=False, parents=args.parents)
    if args.probes is not None:
        check_output(args.probes, "--probes", folder=False, parents=args.parents)
    control = _control(args.out) if args.control and args.out is not None else None
    model = load_model(args.model, max_memory=args.max_memory)
    plan, report = compile_plan(model, args.technology, **mapping_options(args))
    circuit = plan.circuit
    assert circuit is not None
    if args.out is not None:
        try:
            check_spice_run(circuit, args.max_memory, args.out.parent)
        except ModelError as exc:
            raise exc.in_file(args.model) from None
        text = write_netlist(circuit, control=control)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    if args.probes is not None:
        args.probes.parent.mkdir(parents=True, exist_ok=True)
        assert circuit.probes is not None
        args.probes.write_text(circuit.probes.to_json() + "\n")
    if args.report:
        print(report.table())
        print()
        print(_cost_table(plan, model.simulation.dt))
    if not args.quiet:
        print(f"{model.network.name}: {len(circuit.elements)} elements in technology "
              f"{report.technology} (largest relative error {report.max_rel_error():.2e}) "
              + (f"written to {args.out}" if args.out is not None else "not written (no --out)"))
    return 0
