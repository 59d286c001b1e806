"""Versions and machine facts recorded in every result's metadata."""

from __future__ import annotations

import importlib.metadata
import platform


def package_version(name: str) -> str:
    """The installed version of distribution ``name``, or ``'not installed'``."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def versions(*extra: str) -> dict[str, str]:
    """Versions of Python, vle, numpy and the named extra distributions."""
    out = {"python": platform.python_version(), "vle": package_version("vle"),
           "numpy": package_version("numpy")}
    for name in extra:
        out[name] = package_version(name)
    return out


def machine() -> dict[str, str]:
    """A short description of this machine (for benchmark lines)."""
    import os

    return {"machine": platform.machine(), "processor": platform.processor() or "unknown",
            "cpus": str(os.cpu_count()), "system": platform.system()}
