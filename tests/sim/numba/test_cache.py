"""The kernels' numba cache is kept per version of their sources (sim/numba/_jit.py), so a
process started before the sources changed never overwrites the files of one started after."""

from __future__ import annotations

import shutil
from pathlib import Path

from vle.sim.numba import _jit, _kernels


def test_kernels_cache_in_the_folder_of_their_sources_version() -> None:
    path = Path(_kernels.run._cache.cache_path)
    assert path.name == f"vle-{_jit.sources_digest()}" and path.parent.name == "__pycache__"
    assert _jit.SOURCES_DIGEST == _jit.sources_digest()


def test_the_version_changes_with_any_source_file(tmp_path) -> None:
    copy = tmp_path / "numba"
    shutil.copytree(_jit.HERE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert _jit.sources_digest(copy) == _jit.SOURCES_DIGEST
    ops = copy / "_kernel_ops.py"
    ops.write_text(ops.read_text() + "\n# edited\n")
    assert _jit.sources_digest(copy) != _jit.SOURCES_DIGEST


def test_functions_elsewhere_keep_numbas_own_locators(tmp_path) -> None:
    def f() -> int:
        return 1

    assert _jit.VersionedCacheLocator.from_function(f, __file__) is None
    kernel = _jit.VersionedCacheLocator.from_function(_kernels.run.py_func,
                                                       _kernels.__file__)
    assert kernel is not None and kernel.get_cache_path() == _kernels.run._cache.cache_path
