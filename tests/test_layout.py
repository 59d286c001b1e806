"""The tree is the architecture: each room imports only what its ``__init__`` docstring allows.

Walks every module of the package (the folders mapped into ``vle`` in pyproject.toml), reads
its imports (top level and inside functions) and holds them to :data:`ALLOWED`: the pipeline
flows one way (model -> circuits -> mapping -> sim -> learning -> face), no backend imports
another, the shared layer of ``vle.sim`` imports no backend (only ``sim/__init__.py``
does, to register them), nothing but the face imports the face, and no module imports another
room's private modules (``_name``).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT

BACKENDS = ("vle.sim.numba", "vle.sim.numpy", "vle.sim.brian2", "vle.sim.spice")
SHARED = "vle.sim (shared layer)"
FACE = "vle (face)"

ALLOWED: dict[str, set[str]] = {
    "vle.model": {"vle.model"},
    "vle.circuits": {"vle.circuits"},
    "vle.mapping": {"vle.model", "vle.circuits", "vle.mapping"},
    SHARED: {"vle.model", SHARED},
    "vle.sim.numba": {"vle.model", SHARED, "vle.sim.numba"},
    "vle.sim.numpy": {"vle.model", SHARED, "vle.sim.numpy"},
    "vle.sim.brian2": {"vle.model", SHARED, "vle.sim.brian2"},
    "vle.sim.spice": {"vle.model", "vle.circuits", "vle.mapping", SHARED, "vle.sim.spice"},
    "vle.learning": {"vle.model", SHARED, "vle.sim.numba", "vle.learning"},
    "vle.execution": {"vle.execution"},
    "vle.fidelity": {"vle.model", "vle.circuits", "vle.mapping", SHARED, "vle.sim.numba",
                     "vle.learning",
                     "vle.execution", "vle.fidelity"},
    "vle.explore": {"vle.model", "vle.circuits", "vle.mapping", SHARED, "vle.learning",
                    "vle.execution", "vle.fidelity", "vle.explore"},
}
"""Room -> the rooms it may import (the face may import every room)."""


def _package_dirs() -> dict[str, Path]:
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {pkg: ROOT / d for pkg, d in cfg["tool"]["setuptools"]["package-dir"].items()}


def _modules() -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    dirs = _package_dirs()
    out: dict[str, Path] = {}
    for pkg, folder in dirs.items():
        for path in folder.rglob("*.py"):
            rel = path.relative_to(folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            name = ".".join([pkg, *parts])
            # a folder mapped to a package of its own is counted there, not under its parent
            if any(name.startswith(other + ".") or name == other for other in dirs
                   if other != pkg and other.startswith(pkg + ".")):
                continue
            out[name] = path
    return out


MODULES = _modules()


def room(module: str) -> str:
    """The room a module belongs to."""
    for backend in BACKENDS:
        if module == backend or module.startswith(backend + "."):
            return backend
    for top in ("vle.model", "vle.circuits", "vle.mapping", "vle.learning", "vle.execution",
                "vle.fidelity", "vle.explore"):
        if module == top or module.startswith(top + "."):
            return top
    if module == "vle.sim" or module.startswith("vle.sim."):
        return SHARED
    return FACE


def imports(path: Path, module: str) -> set[str]:
    """The first-party modules ``path`` imports (``from vle.sim import x`` counts as
    ``vle.sim.x`` when x is a module, else as ``vle.sim``)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "vle")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            if base.split(".")[0] != "vle":
                continue
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.add(sub if sub in MODULES else base)
    return out


def test_the_walk_sees_every_room() -> None:
    rooms = {room(m) for m in MODULES}
    assert rooms == set(ALLOWED) | {FACE}
    assert len(MODULES) > 100


def violations(module: str, targets: set[str]) -> list[str]:
    """The imports of ``module`` that break the rules, each with the reason."""
    here = room(module)
    bad = []
    for target in sorted(targets):
        there = room(target)
        private = any(p.startswith("_") and p != "__init__" for p in target.split("."))
        if here == FACE:
            continue
        if module == "vle.sim" and there in BACKENDS:
            continue  # the registry registers the backends
        if there not in ALLOWED[here]:
            bad.append(f"{target} ({there})")
        elif private and there != here:
            bad.append(f"{target} (private to {there})")
        elif here == "vle.learning" and there in BACKENDS and target != there:
            bad.append(f"{target} (only the public names of {there})")
    return bad


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_follow_the_rooms(module: str) -> None:
    bad = violations(module, imports(MODULES[module], module))
    assert not bad, f"{module} ({room(module)}) may not import: {', '.join(bad)}"


@pytest.mark.parametrize(("module", "target"), [
    ("vle.sim.brian2.run", "vle.sim.numba.driver"),      # a backend importing another
    ("vle.sim.targets", "vle.sim.numba"),                 # the shared layer importing a backend
    ("vle.sim.simulate", "vle.learning.train"),           # sim importing training
    ("vle.sim.result", "vle.plots"),                      # sim importing the face
    ("vle.learning.train", "vle.sim.numba._kernels"),     # another room's private module
    ("vle.learning.train", "vle.sim.numba.backend"),      # past the reference's public names
    ("vle.model.network", "vle.sim.layout"),              # against the pipeline's direction
    ("vle.circuits.netlist", "vle.mapping"),
    ("vle.execution.executor", "vle.sim.spice"),          # the execution layer is generic
])
def test_the_rules_catch_a_violation(module: str, target: str) -> None:
    assert violations(module, {target})


@pytest.mark.parametrize("module", sorted(set(_package_dirs()) | set(BACKENDS)))
def test_every_room_says_what_it_holds_and_may_import(module: str) -> None:
    doc = ast.get_docstring(ast.parse(MODULES[module].read_text())) or ""
    assert len(doc) > 200, f"{module}: its docstring should say what the room holds"
    assert "May import" in doc, f"{module}: its docstring should say what it may import"


def test_nothing_at_the_root_shadows_the_package() -> None:
    assert not (ROOT / "vle").exists()
