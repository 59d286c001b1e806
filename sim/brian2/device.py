"""Brian2 code-generation targets, with Brian2's global device state contained in one place.

``numpy`` (default) and ``cython`` are runtime targets: every Brian2 object of a run is created
with that target's code-object class, so no global preference is touched. ``cython`` compiles
each code object once and caches the extension modules in Brian2's usual cache folder
(``~/.cython/brian_extensions``), keyed by the code, so later runs reuse them.

``cpp_standalone`` generates, compiles and runs a C++ project. Brian2 selects it through a
process-wide device, so :func:`target_session` sets it for the duration of one run and always
resets it (``device.reinit()`` and ``reset_device()``), even when the run fails. Each run builds
in a fresh temporary folder that is removed afterwards, so parallel runs never share one; pass
``build_dir`` to build in a folder of your choice instead, which is kept (a deliberate cache:
when a later process builds the same network there, ``make`` recompiles only the files that
changed, e.g. 2 s instead of 8 s for a new run length; within one process Brian2 numbers its
code objects afresh for every build, so a rebuild there compiles everything again).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vle.sim.backend import BackendUnavailable
from vle.sim.brian2.env import import_brian2

TARGETS: tuple[str, ...] = ("numpy", "cython", "cpp_standalone")
"""Code-generation targets of the brian2 backend."""


def target_problem(target: str) -> str | None:
    """None when ``target`` can run here, else what is missing."""
    if target not in TARGETS:
        return f"unknown brian2 target {target!r}; use one of {', '.join(TARGETS)}"
    if target in ("cython", "cpp_standalone") and not (shutil.which("g++")
                                                       or shutil.which("c++")):
        return f"the {target} target needs a C++ compiler; install g++ (Debian: build-essential)"
    if target == "cython":
        try:
            import Cython  # noqa: F401
        except ImportError:
            return "the cython target needs Cython; run `pip install cython`"
    return None


@dataclass
class TargetSession:
    """One run on one target: ``codeobj_class`` for the objects (None for cpp_standalone),
    ``directory`` of a standalone build and ``timings`` in seconds (``build`` and ``run`` for
    cpp_standalone, filled by :meth:`finish`)."""

    target: str
    codeobj_class: Any
    directory: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def finish(self) -> None:
        """Build and run the standalone project (nothing to do for runtime targets).

        The compiler's output goes to ``vle-build.log`` in the build folder; a failed build
        raises :class:`RuntimeError` with the end of that log."""
        if self.target != "cpp_standalone":
            return
        assert self.directory is not None
        device = import_brian2().get_device()
        log = self.directory / "vle-build.log"
        start = time.perf_counter()
        try:
            with _output_to(log):
                device.build(directory=str(self.directory), compile=True, run=True,
                             debug=False, with_output=False)
        except Exception as exc:
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"the cpp_standalone build in {self.directory} failed ({exc}); "
                               f"end of its log:\n{tail}") from exc
        total = time.perf_counter() - start
        run = device.timers.get("run_binary") or 0.0
        self.timings["build"] = total - run
        self.timings["run"] = run


@contextmanager
def _output_to(path: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors 1 and 2, which the compiler
    inherits) to ``path`` for the duration."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    try:
        with open(path, "ab") as f:
            os.dup2(f.fileno(), 1)
            os.dup2(f.fileno(), 2)
            yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])


@contextmanager
def target_session(target: str, build_dir: str | Path | None = None) -> Iterator[TargetSession]:
    """A :class:`TargetSession` for ``target``; create the Brian2 objects inside the block."""
    problem = target_problem(target)
    if problem:
        raise BackendUnavailable(f"backend 'brian2' cannot run here: {problem}")
    b2 = import_brian2()
    if target == "numpy":
        yield TargetSession(target, b2.NumpyCodeObject)
        return
    if target == "cython":
        from brian2.codegen.runtime.cython_rt import CythonCodeObject

        yield TargetSession(target, CythonCodeObject)
        return
    from brian2.devices.device import reset_device

    temporary = build_dir is None
    directory = Path(tempfile.mkdtemp(prefix="vle-brian2-") if build_dir is None else build_dir)
    directory.mkdir(parents=True, exist_ok=True)
    b2.set_device("cpp_standalone", build_on_run=False)
    try:
        yield TargetSession(target, None, directory)
    finally:
        b2.get_device().reinit()
        reset_device()
        if temporary:
            shutil.rmtree(directory, ignore_errors=True)
