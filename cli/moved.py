"""Old import paths that users may have written keep working: ``vle.sim.adjoint`` is
``vle.learning.adjoint`` now, ``vle.sim.brian2_api`` is ``vle.sim.brian2.api``, and so on.

An import of an old path finds the module at its new path, warns once with a
:class:`DeprecationWarning` that names the new path, and returns that same module object (so
``vle.sim.adjoint is vle.learning.adjoint``). Installed by :mod:`vle` on import, before any
old path can be looked up; nothing else in the package uses the old paths.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType

MOVED: dict[str, str] = {
    "vle.sim._jit": "vle.sim.numba._jit",
    "vle.sim._kernel_ops": "vle.sim.numba._kernel_ops",
    "vle.sim._kernels": "vle.sim.numba._kernels",
    "vle.sim.numba_backend": "vle.sim.numba.backend",
    "vle.sim.numpy_backend": "vle.sim.numpy.backend",
    "vle.sim.brian2_api": "vle.sim.brian2.api",
    "vle.sim.brian2_backend": "vle.sim.brian2.backend",
    "vle.sim.brian2_build": "vle.sim.brian2.build",
    "vle.sim.brian2_code": "vle.sim.brian2.code",
    "vle.sim.brian2_device": "vle.sim.brian2.device",
    "vle.sim.brian2_env": "vle.sim.brian2.env",
    "vle.sim.brian2_program": "vle.sim.brian2.program",
    "vle.sim.brian2_run": "vle.sim.brian2.run",
    "vle.sim.compare": "vle.sim.trace_comparison",
    "vle.sim.compare_backends": "vle.sim.backend_comparison",
    "vle.sim.train": "vle.learning.train",
    "vle.sim.dataset_train": "vle.learning.dataset_train",
    "vle.sim.datasets": "vle.learning.datasets",
    "vle.sim.history": "vle.learning.history",
    "vle.sim.checkpoint": "vle.learning.checkpoint",
    "vle.sim.adjoint": "vle.learning.adjoint",
    "vle.sim.diagnostics": "vle.learning.alignment",
    "vle.circuits.technologies": "vle.circuits.builtin_technologies",
    "vle.mapping.values": "vle.mapping.value_selection",
    "vle.mapping.cells": "vle.mapping.cell_selection",
    "vle.mapping.netlisting": "vle.mapping.assembly",
    "vle.model.values": "vle.model.converters",
}
"""Old module path -> new module path (December 2026, the layout issue)."""


class _Alias(importlib.abc.Loader):
    """Loads an old path as the module at its new path."""

    def __init__(self, new: str) -> None:
        self.new = new

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        warnings.warn(f"{spec.name} has moved to {self.new}; import it from there",
                      DeprecationWarning, stacklevel=2)
        return importlib.import_module(self.new)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module at the new path is already executed."""


class MovedFinder(importlib.abc.MetaPathFinder):
    """Finds the old paths of :data:`MOVED` (and only those)."""

    def find_spec(self, fullname: str, path: object = None,
                  target: object = None) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Alias(new))


def install() -> None:
    """Put the finder first on :data:`sys.meta_path` (once)."""
    if not any(isinstance(f, MovedFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, MovedFinder())
