"""Closed forms of equations.md section 3 in SPICE: one neuron's step response and its
sinusoidal steady state, on ngspice's own time points (no resampling), for a lagging unit
(tau_r < tau_m), an LE unit (tau_r = tau_m: a wire) and a leading unit (tau_r > tau_m: a
lead section with gain)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import single_neuron
from spice_cases import SPICE_MARKS

from vle.model import Model, SimulationSettings, Sine, Step
from vle.sim.spice.backend import simulate_models

pytestmark = SPICE_MARKS

CLOSED_FORM = 5e-5
"""Largest error of SPICE's own points against a closed form (model units, signals of size
1). The ideal technology bounds ngspice's steps by a hundredth of the shortest time constant
and integrates with second-order gear, whose error is then about (h / tau)^2 / 8 = 1.2e-5
where the step bound is tau_m / 100 (measured 1.2e-5 for the LE and lead units; 1e-7 for the
lagging unit, whose step bound is tau_r / 100 = tau_m / 1000)."""

UNITS = [(1.0, 0.1), (1.0, 1.0), (0.5, 1.5)]
"""(tau_m, tau_r): lagging, LE, leading."""


@pytest.mark.parametrize(("tau_m", "tau_r"), UNITS, ids=["lag", "le", "lead"])
def test_step_response(tau_m: float, tau_r: float) -> None:
    model = Model(single_neuron(tau_m, tau_r), {"x": Step(amplitude=1.0)},
                  SimulationSettings(dt=0.01, t_stop=6 * tau_m))
    (run,) = simulate_models([model])
    t, raw = run.raw.time, run.raw.traces
    assert t[0] == 0.0 and t[-1] == pytest.approx(6 * tau_m)
    decay = np.exp(-t / tau_m)
    np.testing.assert_allclose(raw["n.u"][:, 0], 1 - decay, atol=CLOSED_FORM)
    np.testing.assert_allclose(raw["n.ub"][:, 0], 1 - (1 - tau_r / tau_m) * decay,
                               atol=CLOSED_FORM)
    np.testing.assert_allclose(raw["n.r"], raw["n.ub"], atol=CLOSED_FORM)  # phi linear


@pytest.mark.parametrize(("tau_m", "tau_r"), UNITS, ids=["lag", "le", "lead"])
def test_sinusoidal_steady_state(tau_m: float, tau_r: float) -> None:
    omega = 1.3
    settle = 12 * tau_m  # transients below exp(-12)
    model = Model(single_neuron(tau_m, tau_r), {"x": Sine((1.0,), (omega,))},
                  SimulationSettings(dt=0.01, t_stop=round(settle + 2 * np.pi / omega + 0.01, 2)))
    (run,) = simulate_models([model])
    t, ub = run.raw.time, run.raw.traces["n.ub"][:, 0]
    late = t >= settle
    # least-squares fit of a sin(w t) + b cos(w t) over one period
    basis = np.stack([np.sin(omega * t[late]), np.cos(omega * t[late])], axis=1)
    (a, b), *_ = np.linalg.lstsq(basis, ub[late], rcond=None)
    want = (1 + 1j * omega * tau_r) / (1 + 1j * omega * tau_m)  # equations.md fact 3
    assert complex(a, b) == pytest.approx(want, abs=CLOSED_FORM)


PHI_CELL = 3e-9
"""The phi and phi' cells are algebraic behavioural sources, evaluated in double precision at
each Newton iteration; the linear cell reproduces the ramp exactly, so what remains is
ngspice's convergence at the test's reltol = 1e-9 of signals of about 1 (measured 9.7e-10,
sigmoid near x = 14.5); three times that."""
KINK = 1e-6
"""phi' of relu and hardtanh steps at their kinks; points closer than this are left out (the
cells take 0 exactly at the kink, like the reference, but the sampled ramp may straddle it)."""


@pytest.mark.parametrize("v_unit", [1.0, 0.1])
def test_phi_cells_equal_the_model_nonlinearities(v_unit: float, tmp_path) -> None:
    """Every nonlinearity's phi and phi' cell, driven by a ramp over x in [-30, 30] model
    units (saturation and the kinks included), against :mod:`vle.model.nonlinearity` at
    ngspice's own time points."""
    from vle.circuits import (
        Circuit,
        Instance,
        Options,
        Pwl,
        Section,
        Transient,
        VoltageSource,
        write_netlist,
    )
    from vle.circuits.cells import phi_cell, phi_prime_cell
    from vle.model.nonlinearity import PHI_NAMES, phi, phi_prime
    from vle.sim.spice.runner import get_runner

    span, t_stop = 30.0, 1.0
    cells, elements = [], [VoltageSource("Vx", "x", "0", Pwl((0.0, t_stop),
                                                             (-span * v_unit, span * v_unit)))]
    for name in PHI_NAMES:
        cells += [phi_cell(f"phi_{name}", name, v_unit),
                  phi_prime_cell(f"dphi_{name}", name, v_unit)]
        elements += [Instance(f"Xr_{name}", f"phi_{name}", ("x", f"r_{name}")),
                     Instance(f"Xd_{name}", f"dphi_{name}", ("x", f"d_{name}"))]
    circuit = Circuit("phi cells", (Section("ramp and cells", tuple(elements)),),
                      subcircuits=tuple(cells), analyses=(Transient(1e-3, t_stop),),
                      options=Options(reltol=1e-9, abstol=1e-15, vntol=1e-12))
    done = get_runner("batch").run(write_netlist(circuit), name="phi", workdir=tmp_path)
    assert done.warnings == ()
    t = done.plot["time"]
    x = -span + 2 * span * t / t_stop
    away = np.ones_like(x, dtype=bool)
    for kink in (-1.0, 0.0, 1.0):
        away &= np.abs(x - kink) > KINK
    for name in PHI_NAMES:
        r = done.plot[f"v(r_{name})"] / v_unit
        d = done.plot[f"v(d_{name})"] / v_unit
        np.testing.assert_allclose(r, phi(name, x), rtol=PHI_CELL, atol=PHI_CELL,
                                   err_msg=f"phi {name}")
        np.testing.assert_allclose(d[away], phi_prime(name, x[away]), rtol=PHI_CELL,
                                   atol=PHI_CELL, err_msg=f"phi' {name}")
