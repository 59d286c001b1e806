"""Models and checks shared by the SPICE tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import wide_network

from vle.model import Model, Pwl, SimulationSettings
from vle.model.learning import LearningRule, Optimizer

SPICE_MARKS = [
    pytest.mark.spice,
    pytest.mark.skipif(shutil.which("ngspice") is None, reason="ngspice is not on PATH "
                       "(Debian: sudo apt-get install ngspice; or run `make setup`)"),
]
"""Marks of a test that runs ngspice (``pytestmark = SPICE_MARKS`` for a whole module)."""

def needs_ngspice[F: Callable[..., Any]](test: F) -> F:
    """Mark one test as running ngspice (:data:`SPICE_MARKS`)."""
    for mark in SPICE_MARKS:
        test = mark(test)
    return test

KNOT_SPACING = 0.05
"""Knots of the sum-of-sines PWL stimuli (model time units). The model's signal is that PWL:
both simulators see exactly the same signal, and ngspice needs only a few hundred points."""


def sines(t_stop: float, size: int, seed: int, scale: float = 1.0) -> Pwl:
    """A different sum of three sines (angular frequencies 0.7, 1.9, 3.1) per unit, as a PWL
    through knots every :data:`KNOT_SPACING`; ``scale`` squashes it through ``scale tanh``
    when not 1 (a target within reach of tanh outputs)."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, t_stop + KNOT_SPACING / 2, KNOT_SPACING)
    phase = rng.uniform(0, 2 * np.pi, (3, size))
    v = sum(a * np.sin(w * t[:, None] + phase[k]) for k, (a, w) in
            enumerate(zip((1.0, 0.5, 0.3), (0.7, 1.9, 3.1), strict=True)))
    if scale != 1.0:
        v = scale * np.tanh(v)
    return Pwl(t=t, values=np.asarray(v))


def three_layer_model(dt: float, t_stop: float, errors: bool = False) -> Model:
    """The issue's 8 -> 16 -> 8 -> 4 tanh network (:func:`helpers.wide_network`: LE, lagging
    and leading units) driven by :func:`sines`; with ``errors`` a GLE rule and a sum-of-sines
    target for the outputs, so the error neurons run."""
    net = wide_network()
    settings = SimulationSettings(dt=dt, t_stop=t_stop)
    if not errors:
        return Model(net, {"x": sines(t_stop, 8, seed=1)}, settings)
    rule = LearningRule("gle", beta=1.0, optimizer=Optimizer("sgd", 0.05), learn_bias=False)
    return Model(net, {"x": sines(t_stop, 8, seed=1)}, settings, learning=rule,
                 targets={"out": sines(t_stop, 4, seed=2, scale=0.5)})


def processes_in(folder: Path) -> list[int]:
    """Processes whose working folder is ``folder`` (ngspice runs in its netlist's folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "cwd") == str(folder):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found
