"""``vle fidelity`` through the command line: a run on the local Dask cluster with the same
bits as the samples computed alone, resume after SIGKILL, refusals that write nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import EXAMPLES

from vle import load_model
from vle.circuits.nonidealities import get_nonideality
from vle.fidelity import run_sample
from vle.fidelity.montecarlo import reference_result

VLE = [sys.executable, "-m", "vle"]
LAGLINE = str(EXAMPLES / "lagline.toml")
NIS = (get_nonideality("resistor-tolerance"), get_nonideality("capacitor-tolerance"))


def _vle(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VLE, *args], capture_output=True, text=True, timeout=600, **kw)


def _alone(indices) -> dict[int, dict[str, float]]:
    model = load_model(LAGLINE)
    ref = reference_result(model)
    return {i: run_sample(model, "discrete", NIS, seed=3, index=i, reference=ref).metrics
            for i in indices}


def _same_as_alone(ds: xr.Dataset, n: int) -> None:
    assert list(ds["sample"].values) == list(range(n))
    assert set(ds["status"].values) == {"ok"}
    alone = _alone(range(n))
    for name in alone[0]:
        assert np.array_equal(ds[name].values, [alone[i][name] for i in range(n)]), name


def test_list_nonidealities() -> None:
    out = _vle("fidelity", "--list-nonidealities", "--technology", "onchip")
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[2].startswith("mismatch: ") and "0.32 % at 5e-15 F" in lines[2]
    assert "not available" in lines[0]


def test_a_run_has_the_bits_of_its_samples_alone_and_a_report(tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = _vle("fidelity", LAGLINE, "-t", "discrete", "--mc", "6", "--seed", "3",
                "--workers", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "6 samples done, 0 already there, 0 failed" in done.stdout
    ds = xr.open_dataset(out / "samples" / "results.nc")
    _same_as_alone(ds, 6)
    assert ds["out.r:nrmse"].attrs["units"] == "1"
    assert "normalised RMS error" in ds["out.r:nrmse"].attrs["long_name"]
    assert ds["out.r:phase@0.49"].attrs["units"] == "rad"
    assert ds.attrs["technology"] == "discrete"
    page = (out / "report.html").read_text()
    assert "6 finished, 0 failed" in page and page.count("data:image/png") >= 4
    again = _vle("fidelity", LAGLINE, "-t", "discrete", "--mc", "6", "--seed", "3",
                 "--out", str(out))
    assert again.returncode == 0 and "0 samples done, 6 already there" in again.stdout
    other = _vle("fidelity", LAGLINE, "-t", "discrete", "--mc", "6", "--seed", "4",
                 "--out", str(out))
    assert other.returncode == 2 and "--new" in other.stderr
    assert "Traceback" not in other.stderr
    assert xr.open_dataset(out / "samples" / "results.nc").equals(ds)


@pytest.mark.parametrize(("args", "fragment"), [
    (["-n", "leakage"], "unknown non-ideality 'leakage'"),
    (["-n", "resistor-tolerance=-0.01"], "must be a relative value in [0, 1)"),
    (["-n", "mismatch"], "technology 'discrete' has no Pelgrom mismatch"),
    (["-n", "resistor-tolerance=abc"], "'abc' is not a number"),
    (["--mc", "0"], "the sample count must be an integer >= 1"),
    (["--workers", "0"], "--workers: must be >= 1"),
    (["--backend", "brian2"], "invalid choice: 'brian2'"),
    (["--learning", "3"], "--learning needs --lr LR > 0"),
    (["--learning", "3", "--lr", "1"], "has no [learning] rule with [target] tables"),
])
def test_bad_input_is_one_message_and_writes_nothing(tmp_path: Path, args: list[str],
                                                     fragment: str) -> None:
    out = tmp_path / "run"
    base = ["fidelity", LAGLINE, "-t", "discrete", "--out", str(out)]
    if "--mc" not in args:
        base += ["--mc", "3"]
    done = _vle(*base, *args)
    assert done.returncode == 2, done.stderr
    assert fragment in done.stderr and "Traceback" not in done.stderr
    assert len([line for line in done.stderr.splitlines() if "error:" in line]) == 1
    assert not out.exists()


def test_ideal_technology_without_a_named_nonideality_is_refused(tmp_path: Path) -> None:
    done = _vle("fidelity", LAGLINE, "-t", "ideal", "--mc", "3", "--out", str(tmp_path / "r"))
    assert done.returncode == 2
    assert "has no non-idealities to draw; name one with --nonideality" in done.stderr


@pytest.mark.slow
def test_sigkill_then_rerun_gives_the_uninterrupted_result(tmp_path: Path) -> None:
    out = tmp_path / "run"
    n = 40
    args = ["fidelity", LAGLINE, "-t", "discrete", "--mc", str(n), "--seed", "3",
            "--workers", "1", "--out", str(out), "-q"]
    proc = subprocess.Popen([*VLE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    tasks = out / "samples" / "tasks"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if tasks.is_dir() and len(list(tasks.glob("*.npz"))) >= 5:
            break
        time.sleep(0.1)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    before = len(list(tasks.glob("*.npz")))
    assert 5 <= before < n
    done = _vle(*args[:-1])
    assert done.returncode == 0, done.stderr
    assert "already there" in done.stdout
    _same_as_alone(xr.open_dataset(out / "samples" / "results.nc"), n)


def test_out_into_a_missing_tree_is_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "run"
    done = _vle("fidelity", LAGLINE, "-t", "discrete", "--mc", "3", "--out", str(out))
    assert done.returncode == 2 and "pass --parents" in done.stderr
    assert not (tmp_path / "a").exists()


def test_learning_on_the_circuit_in_the_command_and_the_report(tmp_path: Path) -> None:
    from vle.model.writer import save_model

    trained = load_model(EXAMPLES / "lagline_student.toml").with_parameters(
        {"x->h1.W": np.array([[1.0]]), "h1->out.W": np.array([[2.0]]),
         "h1.tau_m": np.array([1.0]), "out.tau_m": np.array([2.0])})
    model = save_model(trained, tmp_path / "trained.toml")
    out = tmp_path / "run"
    done = _vle("fidelity", str(model), "-t", "discrete", "--mc", "2", "--learning", "3",
                "--lr", "10", "--workers", "1", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "learning on the circuit: fine tuned: median task loss" in done.stdout
    ds = xr.open_dataset(out / "learning.nc")
    assert ds.sizes["sample"] == 2 and ds.attrs["epochs"] == 3
    assert np.all(ds["fine_tuned"].values < ds["as_is"].values)
    page = (out / "report.html").read_text()
    assert "Learning on the circuit" in page and "better than as is" in page
    # the samples' store holds the gradient metrics of the model that learns
    samples = xr.open_dataset(out / "samples" / "results.nc")
    assert "h1->out.W:grad_cos_ideal" in samples


def test_a_run_file_gives_the_settings_and_the_command_line_overrides_it(tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = _vle("fidelity", str(EXAMPLES / "lagline_fidelity.toml"), "--mc", "3", "--workers",
                "1", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "3 samples done" in done.stdout  # --mc 3 over the file's 50
    ds = xr.open_dataset(out / "samples" / "results.nc")
    assert ds.attrs["technology"] == "onchip"
    assert ds.attrs["nonidealities"] == "mismatch opamp-offset capacitor-tolerance"
    assert "normal" in ds.attrs["nonidealities_described"]


@pytest.mark.parametrize(("text", "fragment"), [
    ('model = "lagline.toml"\nmcc = 3', "fidelity.mcc is not a setting"),
    ('model = "nothere.toml"', "no model file at"),
    ('model = "lagline.toml"\nmc = "many"', "fidelity.mc = 'many' must be of type int"),
    ('model = "lagline.toml"\nnonidealities = [{ name = "mismatch", sigma = 1 }]',
     "mismatch"),
])
def test_a_bad_run_file_is_one_message(tmp_path: Path, text: str, fragment: str) -> None:
    import shutil

    shutil.copy(EXAMPLES / "lagline.toml", tmp_path / "lagline.toml")
    run = tmp_path / "run.toml"
    run.write_text(f"[fidelity]\ntechnology = \"onchip\"\n{text}\n")
    done = _vle("fidelity", str(run), "--mc", "2", "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    assert fragment in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()
