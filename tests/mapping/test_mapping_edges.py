"""Edges of step and square-wave sources stay long enough for ngspice to place a time point
on both corners, also at the small dt the SPICE agreement needs (fixes square waves sampled
between corners at dt = 1e-4)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import EXAMPLES
from spice_cases import needs_ngspice

from vle.circuits import Pulse, VoltageSource
from vle.mapping import compile
from vle.mapping.assembly import EDGE_MIN_BREAKS, MIN_BREAK_FRACTION
from vle.model import load_model


@pytest.mark.parametrize("dt", [1e-2, 1e-3, 1e-4, 1e-5])
def test_edges_are_longer_than_ngspice_merges(dt: float) -> None:
    model = load_model(EXAMPLES / "twolayer.toml").with_simulation(dt=dt, t_stop=4.0)
    circuit, _ = compile(model, "ideal")
    (tran,) = circuit.analyses
    assert tran.max_step is not None
    shortest = EDGE_MIN_BREAKS * MIN_BREAK_FRACTION * tran.max_step
    pulses = [el.waveform for el in circuit.elements
              if isinstance(el, VoltageSource) and isinstance(el.waveform, Pulse)]
    assert pulses
    for w in pulses:
        assert w.rise >= shortest * (1 - 1e-9) and w.fall >= shortest * (1 - 1e-9)
        assert w.rise <= max(1e-3 * dt * 1e-3, shortest) * (1 + 1e-9)  # still far below dt


@needs_ngspice
def test_square_wave_sampled_from_spice_equals_the_stimulus_at_small_dt() -> None:
    from vle import simulate_model

    model = load_model(EXAMPLES / "twolayer.toml").with_simulation(dt=1e-4, t_stop=12.0)
    result = simulate_model(model, backend="spice", record=["a.r", "b.r"])
    want = model.stimuli["a"].sample(result.time, 2)
    # before the fix, the edges (1e-10 s) were shorter than ngspice's breakpoint spacing
    # (5e-5 of the 2 us maximum step), and the sample next to every edge was off by up to 2
    np.testing.assert_allclose(result["a.r"], want, atol=1e-9)
