"""Helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
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

    model = load_model(args.model)
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


def spice_options(args: argparse.Namespace) -> dict[str, Any]:
    """The spice options given on the command line (only those given)."""
    return {k: v for k, v in (("technology", args.technology), ("runner", args.runner),
                              ("timeout", args.timeout)) if v is not None}
