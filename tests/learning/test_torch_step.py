"""The plain-PyTorch GLE step of the speed benchmark (benchmarks/torch_gle.py) is the numba
reference's training step: from the same initial weights and inputs, in float64, weights,
biases, outputs, the whole state and the per-step loss agree to rounding after a few steps.

Builds the torch venv (tools/ensure-bench-venv.sh) when it is missing; skips, saying what to
install, where there is no Python 3.11 or no torch wheel for it.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from conftest import ROOT

from vle import load_model

BENCHMARKS = ROOT / "benchmarks"
STEPS = 30
"""Steps per batch: more than the 7 layers, so every projection has learned for several
steps when the first batch ends (errors move back one layer per step in the euler scheme)."""
BATCHES = 2
"""Two batches: the state carried from one batch into the next is checked too."""
ROUNDING = 1e-9
"""Largest difference allowed, relative to the array's largest magnitude. The two sides sum
in other orders (BLAS, softmax), and Adam divides each gradient by its own running RMS, so a
gradient that nearly cancels over the batch (the output biases: sum of onehot - softmax)
carries the relative rounding of its terms into the parameters amplified, more so in Adam's
first steps: measured 8e-13 here and 1.4e-10 after two batches of 40 steps on other inputs;
the weights themselves move by about 1e-2 in these steps."""


@pytest.fixture(scope="module")
def compare():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import torch_compare
    finally:
        sys.path.remove(str(BENCHMARKS))
    try:
        torch_compare.bench_python()
    except torch_compare.TorchUnavailable as exc:
        pytest.skip(f"no torch for the benchmark's PyTorch step: {exc}")
    return torch_compare


@pytest.mark.slow
def test_torch_step_matches_numba_float64(compare) -> None:
    model = load_model(ROOT / "examples" / "mnist1d.toml")
    rng = np.random.default_rng(1)
    batch = model.dataset.batch
    seqs = rng.normal(size=(BATCHES, batch, STEPS))
    labels = rng.integers(0, 10, size=(BATCHES, batch))
    numba_side = compare.NumbaTrainer(model, np.float64, seqs, labels)
    with compare.TorchWorker(compare.export(model, np.float64, seqs, labels), 1) as torch_side:
        for i in range(BATCHES):
            numba_loss = numba_side.run(i)["loss"]
            torch_loss = torch_side.run(i)["loss"]
            assert torch_loss == pytest.approx(numba_loss, rel=ROUNDING)
            ours, theirs = numba_side.arrays(), torch_side.arrays()
            assert ours.keys() == theirs.keys()
            for name, a in ours.items():
                scale = float(np.abs(a).max()) or 1.0
                err = float(np.abs(a - theirs[name]).max()) / scale
                assert err <= ROUNDING, f"batch {i}, {name}: {err:.2e} of {scale:.3g}"
    changed = np.abs(ours["W6"] - compare.export(model, np.float64, seqs, labels)["W6"]).max()
    assert changed > 1e3 * ROUNDING  # the weights did learn
