"""The design-space exploration examples run as a user runs them, on tiny sweeps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES


def run_example(name: str, out: Path) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLES / name), "--tiny", "--out", str(out),
                           "--workers", "2"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.slow  # about 10 s
def test_the_pareto_example(tmp_path: Path) -> None:
    out = run_example("dse_pareto.py", tmp_path)
    assert "8 points (0 failed)" in out and "Pareto front:" in out
    assert (tmp_path / "pareto.png").exists() and (tmp_path / "pareto.html").exists()
    assert (tmp_path / "store" / "results.nc").exists()


@pytest.mark.slow  # about 15 s
def test_the_search_example(tmp_path: Path) -> None:
    out = run_example("dse_search.py", tmp_path)
    assert "NSGA-II: 8 points" in out
    assert "Morris sensitivity of nrmse (10 points)" in out
    assert (tmp_path / "morris" / "sensitivity.nc").exists()
