"""Sweep files for the explore tests, written next to a copy of examples/lagline.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import EXAMPLES

TINY = """
[sweep]
model = "lagline.toml"
technology = "onchip"
sampling = "grid"
seed = 3
backend = "numba"
samples = {samples}
nonidealities = ["mismatch"]

[sweep.parameters]
"technology.section_capacitance" = {capacitance}
"technology.weight_bits" = {bits}

[sweep.objectives]
nrmse = "min"
area = "min"
power = "min"
"""


def tiny_sweep(folder: Path, *, samples: int = 1, capacitance: str = "[0.5e-12, 2e-12]",
               bits: str = "[4, 8]", extra: str = "") -> Path:
    """A grid sweep of LagLine on onchip (2 x 2 points by default) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLES / "lagline.toml", folder / "lagline.toml")
    path = folder / "sweep.toml"
    path.write_text(TINY.format(samples=samples, capacitance=capacitance, bits=bits) + extra)
    return path
