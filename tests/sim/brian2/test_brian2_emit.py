"""The emitted Brian2 model as text, the backend's interface (registration, CLI, options,
time units) and its hygiene (no files left in the temporary folder, device state reset)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from helpers import mixed_network, single_neuron

from vle import Result, Sine, Step, backend_names, load_model, simulate
from vle.cli import main
from vle.model.learning import LearningRule, Optimizer
from vle.sim.brian2.env import brian2_problem
from vle.sim.brian2.program import brian2_equations, emit_program

needs_brian2 = pytest.mark.skipif(bool(brian2_problem()),
                                  reason=f"brian2 unavailable: {brian2_problem()}")


def _positions(program, labels):
    text = [f"{op.owner}:{op.kind}:{op.label}" for op in program.plan]
    return [text.index(label) for label in labels]


def test_readout_comes_from_the_right_hand_side(lagline_path):
    eqs = brian2_equations(load_model(lagline_path).network)
    assert set(eqs) == {"pop_x", "pop_h1", "pop_out", "syn_x_to_h1", "syn_h1_to_out"}
    h1 = eqs["pop_h1"]
    assert "du/dt = (I - u) / tau_m : 1" in h1
    assert "dudt = (I - u) / tau_m\nub = u + tau_r * dudt" in h1
    assert "x_x(t, i)" in eqs["pop_x"]
    assert "I_x_post = w * r_pre : 1 (summed)" in eqs["syn_x_to_h1"]


def test_exact_plan_sweeps_layers_and_errors_in_reverse(lagline_path):
    net = load_model(lagline_path).network
    prog = emit_program(net, scheme="exact", targets=["out"], plastic=True)
    assert prog.record_when == "end"
    order = _positions(prog, ["pop_h1:state_update:exact", "syn_x_to_h1:summed:I_x_post",
                              "pop_h1:code:forward", "pop_h1:code:rate",
                              "syn_h1_to_out:summed:I_h1_post", "pop_out:code:forward",
                              "pop_out:code:error", "syn_h1_to_out:summed:fb_out_pre",
                              "pop_h1:code:error", "syn_x_to_h1:code:weight plasticity"])
    assert order == sorted(order)
    assert not any(op.initial for op in prog.plan if "plasticity" in op.label)
    text = prog.text()
    assert "fb_out_pre = w * err_post : 1 (summed)" in text["syn_h1_to_out"]
    assert "err = v + tau_m * (eps - v) / tau_r" in text["pop_h1"]


def test_euler_plan_reads_only_the_previous_step(lagline_path):
    """Every summed variable is evaluated before any population changes its rate."""
    net = load_model(lagline_path).network
    prog = emit_program(net, scheme="euler", targets=["out"], plastic=True)
    assert prog.record_when == "start"
    kinds = [(op.kind, op.label) for op in prog.plan]
    last_summed = max(k for k, (kind, _) in enumerate(kinds) if kind == "summed")
    first_change = min(k for k, (_, label) in enumerate(kinds) if label in ("rate", "euler"))
    assert last_summed < first_change
    order = _positions(prog, ["pop_out:code:error", "syn_h1_to_out:code:weight plasticity",
                              "pop_out:code:forward", "pop_out:state_update:euler",
                              "pop_out:code:rate", "pop_out:code:parameter plasticity"])
    assert order == sorted(order)


def test_emitted_options_follow_the_rule():
    net = mixed_network(with_cycle=True)
    rule = LearningRule(rule="bp", loss="ce", feedback="random", learn_tau_m=True,
                        learn_bias=False, optimizer=Optimizer("adam"))
    text = brian2_equations(net, scheme="exact", learning=rule, targets=["c"], plastic=True)
    assert "I_b_post = w * r_prev_pre : 1 (summed)" in text["syn_b_to_a"]  # the cut cycle
    assert "r_prev = r" in text["pop_b"]
    assert "fb_c_pre = F * err_post" in text["syn_b_to_c"]
    assert "err = eps" in text["pop_a"] and "dv/dt" not in text["pop_a"]
    assert "e_target = beta * (y_c(t, i) - 1 / zsm)" in text["pop_c"]
    assert "zsm_post = exp(r_pre - r_post)" in text["softmax_c"]
    # exact: plasticity changes nothing on step 0 (the t = 0 sweep), where Adam counts 1
    assert "past_t0 = int(t_in_timesteps > 0)" in text["pop_a"]
    assert ("tau_m = past_t0 * (clip(tau_m / t_unit + d_tau, tau_min, inf) * t_unit) "
            "+ (1 - past_t0) * tau_m") in text["pop_a"]
    assert "b = b + d_b" not in text["pop_a"]
    assert "w = past_t0 * (w + d_w) + (1 - past_t0) * w" in text["syn_a_to_b"]
    assert "(1 - beta1**(t_in_timesteps + int(t_in_timesteps == 0)))" in text["syn_a_to_b"]
    euler = brian2_equations(net, scheme="euler", learning=rule, targets=["c"], plastic=True)
    assert "past_t0" not in euler["syn_a_to_b"] and "w = w + d_w" in euler["syn_a_to_b"]
    assert "(1 - beta1**(t_in_timesteps + 1))" in euler["syn_a_to_b"]
    forward = brian2_equations(net, scheme="euler")
    assert all("err" not in t and "summed)" in t for k, t in forward.items()
               if k.startswith("syn_"))


def test_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="unknown scheme 'rk4'"):
        emit_program(mixed_network(), scheme="rk4")


def test_backend_is_registered():
    assert "brian2" in backend_names()


@pytest.mark.brian2
@needs_brian2
def test_time_units_and_quantities():
    from brian2 import ms, second, volt

    from vle.sim.brian2.api import simulate_brian2
    from vle.sim.brian2.env import model_time

    assert model_time(20 * ms) == pytest.approx(0.02)
    assert model_time(3) == 3.0
    with pytest.raises(ValueError, match="must be a time"):
        model_time(1 * volt)
    with pytest.raises(TypeError, match="Brian2 time"):
        model_time("1 s")
    res = simulate_brian2(single_neuron(1.0, 0.5), {"x": Step(1.0)}, t_stop=0.5 * second,
                          dt=10 * ms)
    assert res.time[-1] == pytest.approx(0.5)
    assert res.metadata["time_unit"] == "1 model time unit = 1 second of Brian2 time"


@pytest.mark.brian2
@needs_brian2
def test_brian2_network_can_be_run_and_continued_in_brian2():
    from brian2 import ms

    from vle.sim.brian2.api import brian2_network
    from vle.sim.brian2.build import run_steps

    model = brian2_network(single_neuron(1.0, 0.2), {"x": Step(1.0)}, t_stop=1.0, dt=0.01)
    run_steps(model, 100)
    ub = model.monitors["n"].ub[0]
    assert ub.shape == (101,)
    np.testing.assert_allclose(ub, 1 - 0.8 * np.exp(-np.arange(101) * 0.01), atol=1e-12)
    model.network.run(10 * ms, namespace=model.namespace)  # plain Brian2 from here
    assert model.monitors["n"].ub.shape == (1, 102)


@pytest.mark.brian2
@needs_brian2
@pytest.mark.parametrize("scheme", ["exact", "euler"])
def test_a_simulation_is_one_brian2_run(scheme, monkeypatch):
    """One ``Network.run`` of N + 1 steps per simulation, learning included (on cpp_standalone
    every further run would generate and compile another copy of each code object)."""
    import brian2

    durations = []
    run = brian2.Network.run

    def counted(self, duration, *args, **kwargs):
        durations.append(float(duration / brian2.second))
        return run(self, duration, *args, **kwargs)

    monkeypatch.setattr(brian2.Network, "run", counted)
    res = simulate(mixed_network(), {"x": Sine()}, t_stop=0.2, dt=0.01, scheme=scheme,
                   backend="brian2", targets={"c": Sine()}, plastic=True, record=["W", "e"])
    assert durations == [pytest.approx(0.21)]
    assert res["a->b.W"].shape[0] == 21


@pytest.mark.brian2
@needs_brian2
def test_euler_brian2_network_continues_the_grid():
    """After run_steps the euler model stands at t_(N+1) with t_0 .. t_N recorded, so a further
    Brian2 run records t_(N+1) onwards."""
    from brian2 import ms

    from vle.sim.brian2.api import brian2_network
    from vle.sim.brian2.build import run_steps

    model = brian2_network(single_neuron(1.0, 0.2), {"x": Step(1.0)}, t_stop=1.0, dt=0.01,
                           scheme="euler")
    run_steps(model, 50)
    model.network.run(10 * ms, namespace=model.namespace)
    ub = model.monitors["n"].ub[0]
    assert ub.shape == (52,)
    # forward Euler of tau_m du/dt = I - u with I = 1 from t_1 on (the input's rate reaches n
    # one step later): u_n = 1 - 0.99^(n-1), ub_n = u_n + 0.2 (1 - u_n), ub_0 = 0
    u = 1 - 0.99 ** np.arange(51)
    np.testing.assert_allclose(ub, np.r_[0.0, u + 0.2 * (1 - u)], atol=1e-12)


@pytest.mark.brian2
@needs_brian2
def test_cli_brian2_euler_matches_numba(tmp_path, lagline_path, capsys):
    out = tmp_path / "b.nc"
    assert main(["simulate", str(lagline_path), "-o", str(out), "--t-stop", "1",
                 "--scheme", "euler", "--backend", "brian2", "--brian2-target", "numpy"]) == 0
    assert "euler, brian2" in capsys.readouterr().out
    res = Result.load(out)
    ref = simulate(load_model(lagline_path).network, load_model(lagline_path).stimuli,
                   t_stop=1.0, dt=0.01, scheme="euler")
    for name in ref:
        np.testing.assert_allclose(res[name], ref[name], rtol=0, atol=1e-12)
    assert main(["simulate", str(lagline_path), "-o", str(out), "--brian2-target",
                 "numpy"]) == 2
    assert "--brian2-target needs --backend brian2" in capsys.readouterr().err


@pytest.mark.brian2
@needs_brian2
def test_bad_options_are_clear():
    kw = dict(t_stop=0.1, dt=0.01, backend="brian2")
    with pytest.raises(ValueError, match=r"unknown brian2 option\(s\) \['brian2_targte'\]"):
        simulate(mixed_network(), {"x": Sine()}, brian2_targte="numpy", **kw)
    from vle.sim.backend import BackendUnavailable

    with pytest.raises(BackendUnavailable, match="unknown brian2 target 'gpu'"):
        simulate(mixed_network(), {"x": Sine()}, brian2_target="gpu", **kw)


_SCRIPT = """
import numpy as np
from vle import Step, simulate
from vle import Network, Population, Projection
net = Network("n", (Population("x", 1, "input"), Population("n", 1, "output", tau_m=1.0)),
              (Projection("x", "n", np.ones((1, 1))),))
res = simulate(net, {"x": Step(1.0)}, t_stop=0.05, dt=0.01, backend="brian2",
               brian2_target=TARGET)
assert res["n.u"].shape == (6, 1)
from vle.sim.brian2.env import import_brian2
assert type(import_brian2().get_device()).__name__ == "RuntimeDevice"
"""


@pytest.mark.brian2
@needs_brian2
@pytest.mark.parametrize("target", ["numpy", pytest.param("cpp_standalone",
                                                          marks=pytest.mark.slow)])
def test_nothing_is_left_in_the_temporary_folder(tmp_path, target):
    """Brian2's debug log, script copy and (cpp_standalone) build folder are all gone after a
    run, and the runtime device is back."""
    env = dict(os.environ, TMPDIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", _SCRIPT.replace("TARGET", repr(target))],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.iterdir()) == []
    assert "g++" not in proc.stdout


@pytest.mark.brian2
@needs_brian2
def test_standalone_sessions_use_their_own_folders_and_reset_the_device():
    from vle.sim.brian2.device import target_session
    from vle.sim.brian2.env import import_brian2

    b2 = import_brian2()
    with target_session("cpp_standalone") as one, target_session("cpp_standalone") as two:
        assert one.directory != two.directory
        assert one.directory.is_dir() and two.directory.is_dir()
    assert not one.directory.exists() and not two.directory.exists()
    with pytest.raises(RuntimeError, match="boom"), target_session("cpp_standalone"):
        raise RuntimeError("boom")
    assert type(b2.get_device()).__name__ == "RuntimeDevice"


@pytest.mark.brian2
@needs_brian2
def test_example_compare_lagline(capsys):
    """examples/brian2_lagline.py: the function `make demo` calls prints one line per run."""
    from conftest import EXAMPLES
    from helpers import load_script

    mod = load_script(EXAMPLES / "brian2_lagline.py")
    worst = mod.compare_lagline(t_stop=1.0)
    assert set(worst) == {"forward/exact", "learning/exact", "forward/euler", "learning/euler"}
    assert max(worst.values()) <= 1e-9
    out = capsys.readouterr().out
    assert out.count("[brian2] LagLine") == 4 and "[ok]" in out
