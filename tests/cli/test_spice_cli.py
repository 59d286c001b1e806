"""`vle simulate --backend spice`, `vle compare` and the LagLine example script."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES
from helpers import load_script
from spice_cases import SPICE_MARKS

from vle import Result
from vle.cli import main

pytestmark = SPICE_MARKS
LAGLINE = str(EXAMPLES / "lagline.toml")


def test_simulate_writes_the_result_and_the_raw_traces(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]):
    out = tmp_path / "lag.nc"
    assert main(["simulate", LAGLINE, "--backend", "spice", "-t", "discrete", "--t-stop", "4",
                 "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "traces written to" in text and "lag.spice-raw.nc" in text
    res, raw = Result.load(out), Result.load(tmp_path / "lag.spice-raw.nc")
    assert res.metadata["backend"] == "spice" and res.metadata["technology"] == "discrete"
    assert res.time.shape == (401,) and raw.time.size > res.time.size
    assert set(res.traces) == {"x.r", "h1.u", "h1.ub", "h1.r", "out.u", "out.ub", "out.r"}


def test_spice_options_need_the_spice_backend(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", LAGLINE, "-t", "onchip", "-o", str(tmp_path / "r.nc")]) == 2
    assert "--technology applies to --backend spice only" in capsys.readouterr().err


def test_compare_writes_tables_and_overlays(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cmp"
    assert main(["compare", LAGLINE, "--dt", "1e-3", "--t-stop", "12", "--out", str(out),
                 "-q"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("spice against numba") and "out.ub" in text
    assert sorted(p.name for p in out.iterdir()) == ["comparison.txt", "h1.png", "out.png",
                                                     "x.png"]


def test_compare_fails_above_the_tolerance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", LAGLINE, "--t-stop", "4", "--tol", "1e-9", "-q"]) == 1
    err = capsys.readouterr().err
    assert "trace(s) above the tolerance: spice x.r, spice h1.u" in err


def test_compare_any_backends(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", LAGLINE, "--t-stop", "4", "--backends", "numba,numpy", "-q"]) == 0
    assert capsys.readouterr().out.startswith("numpy against numba")
    with pytest.raises(SystemExit):
        main(["compare", LAGLINE, "--backends", "numba,nosuch"])
    assert "unknown backend 'nosuch'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["compare", LAGLINE, "--backends", "numba"])


def test_compare_learning_weights(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(EXAMPLES / "lagline_gle.toml"), "--dt", "2.5e-4", "--t-stop",
                 "4", "--plastic", "-q"]) == 0
    text = capsys.readouterr().out
    assert "x->h1.W" in text and "h1->out.W" in text and "loss" in text


def test_example_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = load_script(EXAMPLES / "spice_lagline.py")
    comparison = module.compare_lagline(dt=1e-3, out=tmp_path)
    assert comparison.passed and comparison.row("out.r").nrmse < 2e-4
    assert "[spice] LagLine, ideal technology, dt = 0.001: largest NRMSE" in \
        capsys.readouterr().out
    assert (tmp_path / "lagline_spice_ideal.png").exists()


def test_benchmark_script_runs_both_forms_of_the_same_circuit() -> None:
    import json
    import subprocess
    import sys

    script = EXAMPLES.parent / "benchmarks" / "spice.py"
    done = subprocess.run([sys.executable, str(script), "--widths", "4", "--runs", "1",
                           "--t-stop", "0.5"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    record = json.loads(line)
    assert record["width"] == 4 and record["ratio_naive_over_compiled"] > 0
    assert record["max_difference_last_layer"] < 1e-9  # the naive form is the same circuit


@pytest.mark.brian2
def test_compare_three_backends(capsys: pytest.CaptureFixture[str]) -> None:
    from vle.sim.brian2.env import brian2_problem

    if brian2_problem():
        pytest.skip(f"brian2 backend unavailable: {brian2_problem()}")
    assert main(["compare", LAGLINE, "--backends", "numba,brian2,spice", "--dt", "1e-3",
                 "--t-stop", "4", "-q"]) == 0
    text = capsys.readouterr().out
    assert "brian2 against numba" in text and "spice against numba" in text
