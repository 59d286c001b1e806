"""Training: LagLine moves toward the teacher with GLE and not with bp; history, checkpoints,
resume and the final model file; `vle train` on the command line."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import xarray as xr
from conftest import EXAMPLES

from vle import load_model
from vle.cli import main
from vle.learning.train import TrainingError, train

TEACHER = {"x->h1.W": 1.0, "h1->out.W": 2.0, "h1.tau_m": 1.0, "out.tau_m": 2.0}


def _distance(params) -> float:
    return float(np.sqrt(sum((float(np.ravel(params[k])[0]) - v) ** 2
                             for k, v in TEACHER.items())))


@pytest.fixture(scope="module")
def student():
    return load_model(EXAMPLES / "lagline_student.toml")


def test_lagline_gle_approaches_teacher_and_bp_does_not(student, tmp_path):
    """10 epochs (400 time units): GLE cuts the parameter distance to the teacher to below a
    third and the loss below 1e-3; bp stays far (measured 0.16 and 0.8 of the start)."""
    start = _distance({k: np.ravel(student.network.projection(*k[:-2].split("->")).weights)
                       if k.endswith(".W") else student.network.population(k[:-6]).tau_m
                       for k in TEACHER})
    out = {}
    for rule in ("gle", "bp"):
        model = dataclasses.replace(student, learning=dataclasses.replace(student.learning,
                                                                          rule=rule))
        out[rule] = train(model, tmp_path / rule, epochs=10, progress=False)
    assert _distance(out["gle"].parameters) < start / 3
    assert out["gle"].final_loss < 1e-3
    assert _distance(out["bp"].parameters) > 0.6 * start
    assert out["bp"].final_loss > 1e-3


def test_history_checkpoint_and_final_model(student, tmp_path):
    summary = train(student, tmp_path, epochs=2, progress=False, chunks_per_epoch=4)
    with xr.open_dataset(tmp_path / "history.nc") as h:
        assert h.sizes["row"] == 8
        assert set(h.data_vars) >= {"time", "epoch", "loss", "x->h1.W", "h1->out.W",
                                    "h1.tau_m", "out.tau_m"}
        np.testing.assert_allclose(h["time"].values, np.arange(1, 9) * 10.0)
        np.testing.assert_array_equal(h["x->h1.W"].values[-1], summary.parameters["x->h1.W"])
    final = load_model(summary.final_model)
    np.testing.assert_array_equal(final.network.projection("x", "h1").weights,
                                  summary.parameters["x->h1.W"])
    np.testing.assert_array_equal(final.network.population("out").tau_m,
                                  summary.parameters["out.tau_m"])
    assert final.learning == student.learning


def test_interrupted_run_resumes_to_identical_parameters(student, tmp_path):
    straight = train(student, tmp_path / "a", epochs=3, progress=False)

    def stop_after_five(step: int) -> None:
        if step >= 5 * 400:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(student, tmp_path / "b", epochs=3, progress=False, on_chunk=stop_after_five)
    with pytest.raises(TrainingError, match="--resume"):
        train(student, tmp_path / "b", epochs=3, progress=False)
    resumed = train(student, tmp_path / "b", epochs=3, progress=False, resume=True)
    assert resumed.resumed_from_step == 2000
    for name, value in straight.parameters.items():
        np.testing.assert_array_equal(resumed.parameters[name], value, err_msg=name)
    with xr.open_dataset(tmp_path / "a" / "history.nc") as a, \
            xr.open_dataset(tmp_path / "b" / "history.nc") as b:
        np.testing.assert_array_equal(a["loss"].values, b["loss"].values)


def test_resume_refuses_a_different_model(student, tmp_path):
    train(student, tmp_path, epochs=1, progress=False)
    other = student.with_simulation(t_stop=20.0)
    with pytest.raises(TrainingError, match="different model"):
        train(other, tmp_path, epochs=2, progress=False, resume=True)


def test_cli_train_and_simulate_final(tmp_path, capsys):
    out = tmp_path / "run"
    model = EXAMPLES / "lagline_student.toml"
    assert main(["train", str(model), "--out", str(out), "--epochs", "1", "--t-stop", "8",
                 "-q"]) == 0
    assert (out / "final.toml").exists() and (out / "history.nc").exists()
    assert main(["train", str(model), "--out", str(out), "--epochs", "1", "--t-stop", "8",
                 "-q"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["simulate", str(out / "final.toml"), "--out", str(tmp_path / "r.nc"),
                 "-q", "--t-stop", "4"]) == 0
    assert main(["train", str(out / "final.toml"), "--out", str(tmp_path / "again"),
                 "--epochs", "1", "--t-stop", "4", "-q"]) == 0


def test_simulate_with_target_records_error_neurons(tmp_path):
    assert main(["simulate", str(EXAMPLES / "lagline_student.toml"), "--out",
                 str(tmp_path / "r.nc"), "-q", "--t-stop", "2"]) == 0
    with xr.open_dataset(tmp_path / "r.nc") as ds:
        assert {"h1.v", "h1.e", "out.v", "out.e", "loss"} <= set(ds.data_vars)
        assert float(np.abs(ds["out.e"]).max()) > 0


def test_resume_without_a_checkpoint_is_refused_and_writes_nothing(tmp_path, capsys):
    model = str(EXAMPLES / "lagline_student.toml")
    for out in (tmp_path / "never", tmp_path / "empty"):
        if out.name == "empty":
            out.mkdir()
        assert main(["train", model, "--out", str(out), "--resume", "-q"]) == 2
        err = capsys.readouterr().err.strip()
        assert err.splitlines() == [err] and "Traceback" not in err
        assert f"--resume: {out} holds no checkpoint (checkpoint.npz)" in err
        assert "run without --resume to start afresh" in err
    assert not (tmp_path / "never").exists()
    assert list((tmp_path / "empty").iterdir()) == []
