"""ngspice runs every generated netlist cleanly; the ideal LagLine netlist agrees with the
numba reference."""

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT
from spice_cases import SPICE_MARKS

from vle.circuits import write_netlist
from vle.mapping import compile
from vle.model import (
    Model,
    Network,
    Population,
    Projection,
    Pwl,
    SimulationSettings,
    Sine,
    load_model,
)
from vle.model.learning import LearningRule, Optimizer
from vle.sim.spice.runner import get_runner

pytestmark = SPICE_MARKS


def run(netlist: Path, tmp: Path) -> dict[str, np.ndarray]:
    """The vectors of a clean run of ``netlist`` (the runner raises on any trouble ngspice
    reports, whatever its exit status; warnings must not appear either)."""
    done = get_runner("batch").run(netlist.read_text(), name=netlist.stem, workdir=tmp)
    assert done.warnings == (), f"{netlist.name}: {done.warnings}"
    return {name: done.plot[name] for name in done.plot.names}


@pytest.mark.parametrize("netlist", sorted((ROOT / "netlists").glob("*.cir")),
                         ids=lambda p: p.name)
def test_golden_netlists_run_cleanly(netlist: Path, tmp_path: Path) -> None:
    vectors = run(netlist, tmp_path)
    saved = re.findall(r"v\(([a-z0-9_]+)\)", netlist.read_text().split("\n.save", 1)[1])
    assert {f"v({n})" for n in saved} <= set(vectors)
    assert vectors["time"][0] == 0.0


SMOOTH = ("tanh", "sigmoid", "softplus", "linear")
ALL = ("tanh", "relu", "hardtanh", "sigmoid", "linear")


def _zoo(rule: str, gamma: float, phis: tuple[str, ...]) -> Model:
    """Nonlinearities ``phis``, a PWL input, learning with the cross-entropy loss."""
    t = np.linspace(0, 4, 9)
    x = Pwl(t=t, values=np.stack([np.sin(t), np.cos(t)], axis=1))
    pops = [Population("x", 2, kind="input")]
    projs = []
    for k, phi in enumerate(phis):
        pops.append(Population(f"h{k}", 2, tau_m=1.0, tau_r=[0.2, 1.5], phi=phi, bias=0.1))
        projs += [Projection("x", f"h{k}", np.array([[0.8, -0.4], [0.3, 0.9]])),
                  Projection(f"h{k}", "out", np.array([[0.5, -0.3], [0.2, 0.4]]))]
    pops.append(Population("out", 2, kind="output", tau_m=0.5, tau_r=0.1, phi="softplus"))
    net = Network("zoo", tuple(pops), tuple(projs))
    learning = LearningRule(rule, loss="ce", gamma=gamma, beta=0.5,
                            optimizer=Optimizer("sgd", 0.05))
    return Model(net, {"x": x}, SimulationSettings(dt=0.01, t_stop=4.0), learning=learning,
                 targets={"out": Sine(amplitude=(0.5,), omega=(2.0,), offset=0.5)})


@pytest.mark.parametrize(("rule", "tech", "gamma", "phis"), [
    ("gle", "ideal", 0.0, ALL), ("gle", "discrete", 0.0, ALL), ("gle", "onchip", 0.0, ALL),
    ("bp", "ideal", 0.0, ALL), ("le", "discrete", 0.0, ALL),
    # nudging with phi' a step (relu, hardtanh) closes an instantaneous loop through a
    # discontinuity (see the compile note), so nudging is run with smooth phis
    ("gle", "ideal", 0.1, SMOOTH), ("bp", "ideal", 0.1, SMOOTH),
])
def test_every_block_runs_cleanly(rule: str, tech: str, gamma: float, phis: tuple[str, ...],
                                  tmp_path: Path) -> None:
    path = tmp_path / f"zoo_{rule}_{tech}.cir"
    circuit, _ = compile(_zoo(rule, gamma, phis), tech)
    path.write_text(write_netlist(circuit))
    vectors = run(path, tmp_path)
    assert circuit.probes is not None
    for probe in circuit.probes.probes:
        for vec in probe.vectors:
            assert np.all(np.isfinite(vectors[vec]))


NRMSE = 1e-3
"""The SPICE issue's bound for the ideal technology. The netlist is exact; the reference's
first-order error (about 1e-3 at dt = 0.01 for LagLine, 1e-4 at dt = 1e-3) is what remains."""
LAGLINE_NRMSE = NRMSE / 5
"""LagLine at dt = 1e-3 measures 1.1e-4; a fifth of the general bound still leaves ~2x room and
catches a netlist that is right only to the issue's 1e-3."""


@pytest.mark.slow
def test_lagline_ideal_agrees_with_the_reference(tmp_path: Path) -> None:
    import vle

    model = load_model(ROOT / "examples/lagline.toml")
    circuit, _ = compile(model, "ideal")
    path = tmp_path / "lagline.cir"
    path.write_text(write_netlist(circuit))
    vectors = run(path, tmp_path)
    assert circuit.probes is not None
    t = vectors["time"] / circuit.probes.time_scale
    ref = vle.simulate_model(model.with_simulation(dt=1e-3))
    for trace in ("h1.u", "h1.ub", "h1.r", "out.u", "out.ub", "out.r"):
        probe = circuit.probes[trace]
        got = probe.to_model(np.interp(ref.time, t, vectors[probe.vectors[0]]))
        want = ref[trace][:, 0]
        assert np.sqrt(np.mean((got - want) ** 2)) / np.ptp(want) < LAGLINE_NRMSE, trace


def _gle_lagline(t_eval: np.ndarray) -> dict[str, np.ndarray]:
    """The GLE equations (equations.md section 2) of examples/lagline_gle.toml integrated by
    scipy: a student 1 -> 1 -> 1 softplus chain learning w from the teacher lagline.toml."""
    from scipy.integrate import solve_ivp

    def sp(x: float) -> float:
        return max(x, 0.0) + np.log1p(np.exp(-abs(x)))

    def sg(x: float) -> float:
        return 0.5 * (1 + np.tanh(0.5 * x))

    def x_in(t: float) -> float:
        return sum(a * np.sin(w * t + p) for a, w, p in
                   zip((0.6, 0.4, 0.3), (0.49, 1.07, 1.98), (0.0, 1.0, 2.0), strict=True))

    tm1, tm2, tr, lr, beta = 1.0, 2.0, 0.1, 0.05, 1.0

    def parts(t: float, s: np.ndarray) -> tuple[np.ndarray, float, float]:
        uh, uo, vh, vo, w1, w2, th, to = s
        x = x_in(t)
        dth = (-th + x) / tm1
        dto = (-to + 2.0 * sp(th + tr * dth)) / tm2
        y = sp(to + tr * dto)
        duh = (-uh + w1 * x) / tm1
        ubh = uh + tr * duh
        rh = sp(ubh)
        duo = (-uo + w2 * rh) / tm2
        ubo = uo + tr * duo
        dvo = (-vo + sg(ubo) * beta * (y - sp(ubo))) / tr
        eo = vo + tm2 * dvo
        dvh = (-vh + sg(ubh) * w2 * eo) / tr
        eh = vh + tm1 * dvh
        return np.array([duh, duo, dvh, dvo, lr * eh * x, lr * eo * rh, dth, dto]), eh, eo

    sol = solve_ivp(lambda t, s: parts(t, s)[0], (0, t_eval[-1]),
                    [0, 0, 0, 0, 0.5, 1.0, 0, 0], t_eval=t_eval, rtol=1e-10, atol=1e-12)
    es = np.array([parts(t, s)[1:] for t, s in zip(sol.t, sol.y.T, strict=True)])
    return {"h1.u": sol.y[0], "out.u": sol.y[1], "h1.v": sol.y[2], "out.v": sol.y[3],
            "x->h1.W": sol.y[4], "h1->out.W": sol.y[5], "h1.e": es[:, 0], "out.e": es[:, 1]}


LEARNING = 1e-5
"""The ideal learning netlist against an accurate integration of the GLE equations: ngspice at
reltol 1e-6 with a step bound of tau/100 reaches about 1e-7 (measured)."""


@pytest.mark.slow
def test_lagline_gle_ideal_integrates_the_gle_equations(tmp_path: Path) -> None:
    circuit, _ = compile(load_model(ROOT / "examples/lagline_gle.toml"), "ideal")
    path = tmp_path / "gle.cir"
    path.write_text(write_netlist(circuit))
    vectors = run(path, tmp_path)
    assert circuit.probes is not None
    t = vectors["time"] / circuit.probes.time_scale
    grid = np.linspace(0, 40, 4001)
    want = _gle_lagline(grid)
    for trace, ref in want.items():
        probe = circuit.probes[trace]
        got = probe.to_model(np.interp(grid, t, vectors[probe.vectors[0]]))
        assert np.sqrt(np.mean((got - ref) ** 2)) / np.ptp(ref) < LEARNING, trace
