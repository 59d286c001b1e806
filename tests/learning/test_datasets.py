"""Dataset training (MNIST-1D, generated locally): history, resume, final model, errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import xarray as xr
from conftest import EXAMPLES

from vle import load_model
from vle.learning.dataset_train import (
    PLATEAU_FACTOR,
    PLATEAU_MIN_CHANGE,
    PLATEAU_THRESHOLD,
    _evaluate,
    plateau_step,
    train_dataset,
)
from vle.learning.datasets import mnist1d
from vle.mapping import MappingError, compile
from vle.model.learning import Optimizer
from vle.sim.kernel_args import KernelArgs
from vle.sim.layout import Layout

SMALL = 200  # training samples used by the quick runs (2 batches of 100)


@pytest.fixture(scope="module")
def model():
    return load_model(EXAMPLES / "mnist1d.toml")


def test_mnist1d_is_generated_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("VLE_CACHE_DIR", str(tmp_path))
    a = mnist1d(40, 500)
    assert a["x_train"].shape == (400, 40) and a["x_test"].shape == (100, 40)
    assert set(np.unique(a["y_train"])) <= set(range(10))
    assert len(list(tmp_path.glob("mnist1d-40-500-*.npz"))) == 1
    b = mnist1d(40, 500)
    np.testing.assert_array_equal(a["x_train"], b["x_train"])


def test_quick_training_run_writes_history_and_final_model(model, tmp_path):
    summary = train_dataset(model, tmp_path, epochs=2, max_train=SMALL, progress=False)
    assert 0.0 <= summary.test_accuracy <= 1.0 and summary.ms_per_step > 0
    assert summary.train_ms_per_step >= summary.ms_per_step
    with xr.open_dataset(tmp_path / "history.nc") as h:
        assert h.sizes["row"] == 2
        assert {"train_loss", "test_accuracy", "ms_per_step", "train_ms_per_step", "in->h1.W",
                "h5->out.W", "out.b"} <= set(h.data_vars)
        assert float(h["train_loss"][0]) == pytest.approx(np.log(10), rel=0.2)
    final = load_model(summary.final_model)
    np.testing.assert_array_equal(final.network.projection("h5", "out").weights,
                                  summary.parameters["h5->out.W"])
    assert final.dataset == model.dataset


def test_resume_gives_the_same_parameters(model, tmp_path):
    straight = train_dataset(model, tmp_path / "a", epochs=2, max_train=SMALL, progress=False)
    train_dataset(model, tmp_path / "b", epochs=1, max_train=SMALL, progress=False)
    resumed = train_dataset(model, tmp_path / "b", epochs=2, max_train=SMALL, progress=False,
                            resume=True)
    for name, value in straight.parameters.items():
        np.testing.assert_array_equal(resumed.parameters[name], value, err_msg=name)
    assert resumed.test_accuracies == straight.test_accuracies  # read from the history


# float32 rounding (6e-8 relative per operation) accumulated over 360 steps of learning on
# weights of order 0.1. Plain SGD: Adam would amplify rounding where a gradient is near zero.
FLOAT32_WEIGHTS = 1e-5


def test_float32_tracks_the_float64_reference(model, tmp_path):
    """One batch of 100 sequences trained in float32 and in float64 (the reference)."""
    sgd = dataclasses.replace(model, learning=dataclasses.replace(
        model.learning, optimizer=Optimizer("sgd", 0.05)))
    a = train_dataset(sgd, tmp_path / "64", epochs=1, max_train=100, progress=False)
    b = train_dataset(sgd, tmp_path / "32", epochs=1, max_train=100, progress=False,
                      dtype=np.float32)
    for name in ("in->h1.W", "h5->out.W"):
        np.testing.assert_allclose(b.parameters[name], a.parameters[name],
                                   atol=FLOAT32_WEIGHTS)


def test_dataset_model_cannot_be_netlisted(model):
    with pytest.raises(MappingError, match="fed by the 'mnist1d' dataset"):
        compile(model, "ideal")


def test_plateau_schedule_halves_after_patience_and_stops_at_the_floor():
    lr, best, bad = 1e-3, np.inf, 0
    lr, best, bad = plateau_step(lr, best, bad, 2.0, patience=2)
    assert (lr, best, bad) == (1e-3, 2.0, 0)
    for _ in range(2):  # within the patience, and a gain below the relative threshold
        lr, best, bad = plateau_step(lr, best, bad, 2.0 * (1 - PLATEAU_THRESHOLD / 2), 2)
    assert (lr, bad) == (1e-3, 2)
    lr, best, bad = plateau_step(lr, best, bad, 2.0, 2)
    assert (lr, best, bad) == (5e-4, 2.0, 0)
    lr = 1e-3
    for _ in range(3 * 40):  # 40 plateaus: PyTorch's rate stops at 1e-3 / 2^16
        lr, best, bad = plateau_step(lr, best, bad, 2.0, 2)
    assert lr == 1e-3 / 2**16 and lr - lr * PLATEAU_FACTOR <= PLATEAU_MIN_CHANGE


# float64 products of batch 6 against batch 1 (BLAS blocks differently): rounding only
CARRIED_TOL = 1e-12


def test_a_carried_test_pass_starts_each_sequence_from_its_training_column(model):
    """Test batch column j starts from training column j mod batch, and the first ``batch``
    columns of the final state come back; from rest the same pass gives another loss."""
    rng = np.random.default_rng(3)
    seqs, labels = rng.normal(size=(6, 30)), np.array([0, 1, 2, 3, 4, 5])
    shapes = KernelArgs.build(Layout.of(model.network), dt=0.2, scheme="euler", batch=3).state
    start = tuple(rng.normal(scale=0.3, size=a.shape) for a in shapes)
    loss, acc, end = _evaluate(model, {}, seqs, labels, 6, 0.2, np.float64, "ce", start=start)
    losses, hits = [], []
    for j in range(6):
        one = tuple(a[:, j % 3:j % 3 + 1] for a in start)
        lj, aj, ej = _evaluate(model, {}, seqs[j:j + 1], labels[j:j + 1], 1, 0.2, np.float64,
                               "ce", start=one)
        losses.append(lj)
        hits.append(aj)
        if j < 3:
            for a, b in zip(end, ej, strict=True):
                np.testing.assert_allclose(a[:, j:j + 1], b, atol=CARRIED_TOL)
    assert loss == pytest.approx(np.mean(losses), abs=CARRIED_TOL)
    assert acc == pytest.approx(np.mean(hits))
    rest_loss, _, none = _evaluate(model, {}, seqs, labels, 6, 0.2, np.float64, "ce")
    assert none is None and abs(rest_loss - loss) > 1e-3
