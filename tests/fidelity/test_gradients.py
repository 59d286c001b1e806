"""Gradient fidelity: the drawn circuit's accumulated update against the ideal model's and
against its own exact gradient."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import EXAMPLES

from vle.circuits import get_technology
from vle.circuits.nonidealities import technology_nonidealities
from vle.fidelity.gradients import KINDS, gradient_metrics, ideal_updates
from vle.fidelity.montecarlo import sample_variation
from vle.model import load_model

NOMINAL = 1e-9
"""The ideal technology realises the ideal network exactly (values rounded to 12 significant
digits): its update equals the ideal one to far better than this."""


@pytest.fixture(scope="module")
def lagnet():  # type: ignore[no-untyped-def]
    model = load_model(EXAMPLES / "lagnet.toml")
    return model, ideal_updates(model)


def test_the_ideal_circuit_learns_what_the_model_learns(lagnet) -> None:  # type: ignore[no-untyped-def]
    model, ideal = lagnet
    m = gradient_metrics(model, "ideal", None, ideal)
    names = {f"{pr.name}.W:{k}" for pr in model.network.projections for k in KINDS}
    assert set(m) == names
    for pr in model.network.projections:
        assert m[f"{pr.name}.W:grad_cos_ideal"] == pytest.approx(1.0, abs=NOMINAL)
        assert m[f"{pr.name}.W:grad_ratio_ideal"] == pytest.approx(1.0, abs=NOMINAL)
        # against its own adjoint: the rule's alignment, the same as on the ideal model
        local, exact = ideal[pr.name]
        cos = np.sum(local * exact) / np.linalg.norm(local) / np.linalg.norm(exact)
        assert m[f"{pr.name}.W:grad_cos_adjoint"] == pytest.approx(cos, abs=NOMINAL)


def test_drawn_parts_turn_the_update_and_the_same_seed_gives_the_same_bits(lagnet) -> None:  # type: ignore[no-untyped-def]
    model, ideal = lagnet
    nis = technology_nonidealities(get_technology("discrete"))
    a = gradient_metrics(model, "discrete", sample_variation(nis, 5, 0), ideal)
    b = gradient_metrics(model, "discrete", sample_variation(nis, 5, 0), ideal)
    c = gradient_metrics(model, "discrete", sample_variation(nis, 5, 1), ideal)
    assert a == b and a != c
    cos = np.array([a[f"{pr.name}.W:grad_cos_ideal"] for pr in model.network.projections
                    if pr.weights.size > 1])
    assert np.all(cos < 1.0 - NOMINAL) and np.all(cos > 0.9)  # 1 % / 5 % parts: a small turn


def test_a_model_that_does_not_learn_is_refused(lagline_path: Path) -> None:
    with pytest.raises(ValueError, match=r"needs a \[learning\] rule and targets"):
        gradient_metrics(load_model(lagline_path), "discrete", None)


def test_a_fidelity_run_of_a_learning_model_records_the_gradient_metrics(
        tmp_path: Path, dask_cluster: str) -> None:
    from vle.fidelity.run import FidelitySpec, run_fidelity, write_fidelity_report

    spec = FidelitySpec(str(EXAMPLES / "lagline_student.toml"), "discrete", 2, seed=1)
    _, ds = run_fidelity(spec, tmp_path, scheduler=dask_cluster, progress=False)
    assert list(ds["status"].values) == ["ok", "ok"], ds["message"].values
    ratio = ds["x->h1.W:grad_ratio_ideal"]
    assert ratio.attrs["units"] == "1" and np.all(np.abs(ratio.values - 1) < 0.1)
    page = write_fidelity_report(spec, ds, tmp_path).read_text()
    assert "h1-&gt;out.W:grad_cos_adjoint" in page or "h1->out.W:grad_cos_adjoint" in page
