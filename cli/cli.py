"""The ``vle`` command line: ``vle COMMAND ...`` (see ``vle --help``).

Exit status: 0 on success, 2 for bad input (a model file, an argument), 1 when a run fails for
another reason (a backend that is not installed, a simulator error), 130 when interrupted, 143
when killed with SIGTERM (turned into an interruption, so that running simulators are stopped
and temporary folders removed on the way out).
Errors are one line on stderr without a traceback; set ``VLE_DEBUG=1`` to see the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence

from vle.model import ModelError
from vle.sim.backend import BackendUnavailable
from vle.sim.provenance import package_version
from vle.sim.spice.pool import Terminated, raise_terminated

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143

COMMANDS: tuple[str, ...] = ("simulate", "train", "netlist", "compare", "fidelity", "sweep",
                             "pareto")
"""Sub-command modules under :mod:`vle.commands`, in the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``vle``."""
    parser = argparse.ArgumentParser(
        prog="vle",
        description="Compile prospective-neuron networks (GLE / LE / VLE) into circuits and "
                    "simulate them with a numba reference, Brian2 or SPICE.",
    )
    parser.add_argument("--version", action="version", version=f"vle {package_version('vle')}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"vle.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    # signal handlers can only be set from the main thread (main() may run in another)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, raise_terminated) if main_thread else None
    try:
        return int(args.func(args))
    except Terminated:
        print("vle: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except (ModelError, ValueError) as exc:
        _report(exc)
        return EXIT_USAGE
    except (BackendUnavailable, RuntimeError, OSError) as exc:
        _report(exc)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("vle: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def _report(exc: BaseException) -> None:
    if os.environ.get("VLE_DEBUG"):
        traceback.print_exception(exc)
    print(f"vle: error: {exc}", file=sys.stderr)
