"""Helpers shared by the sub-commands: one definition of each option family (run settings,
mapping, spice, output paths, progress, resource budget) and of how it is read back."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vle.model import Model


def out_path(suffixes: Sequence[str]) -> Callable[[str], Path]:
    """An argparse type that accepts a path ending in one of ``suffixes``."""

    def convert(text: str) -> Path:
        path = Path(text)
        if path.suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(
                f"{text!r}: the file name must end in {' or '.join(suffixes)}")
        return path

    return convert


OUT_CONVENTION = ("its folder must exist, except that one missing level is created (as mkdir "
                  "does); --parents creates every missing folder")
"""The output-path convention, quoted in every ``--out`` help text."""


def add_parents_argument(p: argparse.ArgumentParser) -> None:
    """``--parents``: let the output options create every missing folder (read back by
    :func:`check_output`'s ``parents``)."""
    p.add_argument("--parents", action="store_true", help="create every missing folder of "
                   "the output path (default: at most its last level)")


def check_output(path: Path, option: str, *, folder: bool, parents: bool = False) -> Path:
    """Refuse, before any work, an output path the run could not write: ``path`` is a file
    (or, with ``folder``, a folder) given with ``option``. The convention
    (:data:`OUT_CONVENTION`): the folder that receives the output may be missing only if its
    parent exists (it is created when the output is written), unless ``parents``. The first
    existing folder on the way must accept a new file (tried by creating and removing a
    temporary one). Nothing is left behind; raises ``ValueError`` naming the option."""
    where = f"{option} {path}"
    if path.exists():
        if folder and not path.is_dir():
            raise ValueError(f"{where}: is a file, not a folder; give a folder for the results")
        if not folder and path.is_dir():
            raise ValueError(f"{where}: is a folder; give a file name in it")
        if not folder and not os.access(path, os.W_OK):
            raise ValueError(f"{where}: the file exists and cannot be overwritten (permission "
                             "denied); choose another file")
    home = path if folder else path.parent
    missing = []
    while not home.exists():
        missing.append(home)
        if home.parent == home:
            break
        home = home.parent
    if not home.is_dir():
        raise ValueError(f"{where}: {home} is a file, not a folder")
    if len(missing) > 1 and not parents:
        raise ValueError(f"{where}: the folder {missing[-1]} does not exist; create it, or "
                         "pass --parents to create every missing folder")
    try:
        tempfile.TemporaryFile(dir=home).close()
    except OSError as exc:
        raise ValueError(f"{where}: cannot write into {home} ({exc.strerror or exc}); choose "
                         "a folder you can write to") from None
    return path


def add_progress_arguments(p: argparse.ArgumentParser, quiet_help: str) -> None:
    """``--quiet`` and ``--progress`` (read back by :func:`show_progress`)."""
    p.add_argument("--quiet", "-q", action="store_true", help=quiet_help)
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: only when stderr is a terminal, so "
                        "logs and pipes get none; --progress forces it)")


def show_progress(args: argparse.Namespace) -> bool:
    """True when a progress bar should be drawn: never with ``--quiet``; as ``--progress`` /
    ``--no-progress`` say; otherwise only on a terminal (a bar redrawn into a log file or a
    pipe floods it)."""
    if args.quiet:
        return False
    if args.progress is not None:
        return bool(args.progress)
    return sys.stderr.isatty()


def add_mapping_arguments(p: argparse.ArgumentParser | Any) -> None:
    """``--time-scale`` and ``--prune-below``: how a model is compiled into a circuit (read
    back by :func:`mapping_options`); the mapper's refusals suggest them by these names."""
    p.add_argument("--time-scale", type=float, metavar="S",
                   help="seconds per model time unit (default: the technology's)")
    p.add_argument("--prune-below", type=float, metavar="W",
                   help="leave out fixed weights with |W| below this instead of refusing "
                        "weights too small to realise")


def mapping_options(args: argparse.Namespace) -> dict[str, Any]:
    """The mapping options given on the command line (only those given), as
    :func:`vle.mapping.compile` names them."""
    return {k: v for k, v in (("time_scale", args.time_scale),
                              ("prune_below", args.prune_below)) if v is not None}


def memory_size(text: str) -> int:
    """An argparse type: a memory size such as ``2G`` (:func:`vle.model.budget.parse_bytes`)."""
    from vle.model.budget import parse_bytes

    try:
        return parse_bytes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_budget_argument(p: argparse.ArgumentParser) -> None:
    """``--max-memory``: the memory budget a run is checked against before it starts."""
    from vle.model.budget import budget_text

    p.add_argument("--max-memory", type=memory_size, metavar="SIZE",
                   help="refuse, before starting, a run whose estimated memory (parameters, "
                        "recorded traces, sampled targets, a SPICE rawfile) exceeds SIZE "
                        f"(e.g. 2G, 500M; default {budget_text()})")


def add_record_arguments(p: argparse.ArgumentParser) -> None:
    """``--record`` and ``--record-every``: what a run keeps."""
    p.add_argument("--record", nargs="+", metavar="NAME",
                   help="traces to record: trace names (h1.ub), populations or quantities "
                        "(u, ub, r); default all")
    p.add_argument("--record-every", type=int, default=1, metavar="K",
                   help="keep every K-th time point of the recorded traces (default 1)")


def add_run_settings(p: argparse.ArgumentParser) -> None:
    """``--t-stop``, ``--dt`` and ``--scheme``: override the model file's simulation settings
    (read back by :func:`model_with_settings`)."""
    from vle.model.settings import SCHEMES

    p.add_argument("--t-stop", type=float, help="simulated time (model units); default from "
                   "the model file")
    p.add_argument("--dt", type=float, help="time step (model units); default from the model "
                   "file")
    p.add_argument("--scheme", choices=SCHEMES, help="integration scheme; default from the "
                   "model file")


def model_with_settings(args: argparse.Namespace) -> Model:
    """The model file ``args.model`` with the settings :func:`add_run_settings` added; a bad
    value is reported under its option's name."""
    from vle.model import ModelError, load_model

    model = load_model(args.model, max_memory=getattr(args, "max_memory", None))
    given = {k: v for k, v in (("t_stop", args.t_stop), ("dt", args.dt),
                               ("scheme", args.scheme)) if v is not None}
    if given:
        try:
            model = model.with_simulation(**given)
        except ModelError as exc:
            raise ModelError(_option_key(exc.key), exc.problem, exc.expected,
                             file=args.model) from None
    return model


def _option_key(key: str) -> str:
    """The option a settings key came from (``simulation.t_stop`` -> ``--t-stop``); any other
    key (``population.h1.tau_r``) is spelt as in the model file."""
    head, _, name = key.partition(".")
    if head == "simulation" and name in ("t_stop", "dt", "scheme"):
        return "--" + name.replace("_", "-")
    return key


def add_spice_arguments(p: argparse.ArgumentParser) -> None:
    """The spice backend's options (read back by :func:`spice_options`)."""
    from vle.circuits import technology_names
    from vle.sim.spice.runner import runner_names

    group = p.add_argument_group("spice backend")
    group.add_argument("--technology", "-t", choices=technology_names(),
                       help="technology the model is compiled to (default: ideal)")
    group.add_argument("--runner", choices=runner_names(),
                       help="batch: an ngspice process per run (default); pyspice: ngspice "
                            "in this process")
    group.add_argument("--timeout", type=float, metavar="S",
                       help="seconds one ngspice run may take (default: 900)")
    group.add_argument("--keep", action="store_true",
                       help="keep each run's temporary folder (netlist and rawfile; removed "
                            "by default, also after a timeout or an interruption)")
    add_mapping_arguments(group)


def spice_options(args: argparse.Namespace) -> dict[str, Any]:
    """The spice options given on the command line (only those given), the mapping options
    among them."""
    given = {k: v for k, v in (("technology", args.technology), ("runner", args.runner),
                               ("timeout", args.timeout)) if v is not None}
    if args.keep:
        given["keep"] = True
    return given | mapping_options(args)
