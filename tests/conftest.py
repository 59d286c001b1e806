"""Shared fixtures and helpers for the test suite."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def lagline_path() -> Path:
    return EXAMPLES / "lagline.toml"


def have_ngspice() -> bool:
    return shutil.which("ngspice") is not None
