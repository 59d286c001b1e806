"""Old import paths (before the layout issue) keep working: each is the module at its new path,
with one DeprecationWarning that names the new path."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from vle.moved import MOVED


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_old_path_is_the_new_module(old: str, new: str) -> None:
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=f"{old} has moved to {new}"):
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)


def test_old_from_import_in_a_fresh_process() -> None:
    code = ("import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
            "try:\n    from vle.sim.adjoint import adjoint_gradients\n"
            "except DeprecationWarning as w:\n    print(w)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd="/")
    assert out.stdout.strip() == ("vle.sim.adjoint has moved to vle.learning.adjoint; import "
                                  "it from there")


def test_unknown_paths_still_fail() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("vle.sim.no_such_module")
