"""Model files: valid files load; every bad input is one clear message through the CLI (exit 2)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import tomli_w

from vle import load_model
from vle.cli import main

BASE: dict[str, Any] = {
    "network": {"name": "chain"},
    "population": [
        {"name": "inp", "kind": "input", "size": 2},
        {"name": "h1", "size": 3, "tau_m": 1.0, "tau_r": [0.1, 0.2, 1.0], "phi": "tanh",
         "bias": 0.1},
        {"name": "out", "kind": "output", "size": 1, "tau_m": 2.0, "tau_r": 0.5,
         "phi": "linear"},
    ],
    "projection": [
        {"pre": "inp", "post": "h1", "weights": [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]},
        {"pre": "h1", "post": "out", "init": {"kind": "normal", "std": 0.5, "seed": 3}},
    ],
    "stimulus": {"inp": {"kind": "step", "amplitude": 1.0}},
    "simulation": {"dt": 0.01, "t_stop": 1.0, "scheme": "exact"},
}


def write(tmp_path: Path, data: dict[str, Any], name: str = "model.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(tomli_w.dumps(data).encode())
    return path


def mutate(**edits: Any) -> dict[str, Any]:
    """A copy of BASE with edits given as 'path' -> value (path like 'population.1.tau_m');
    a value of DELETE removes the key."""
    data = copy.deepcopy(BASE)
    for path, value in edits.items():
        *parents, last = path.split("__")
        node: Any = data
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        if value is DELETE:
            del node[int(last) if last.isdigit() else last]
        elif last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    return data


DELETE = object()
TARGET = {"out": {"kind": "sine", "amplitude": 0.5, "omega": 1.0}}


def test_base_file_loads(tmp_path):
    model = load_model(write(tmp_path, BASE))
    h1 = model.network.population("h1")
    np.testing.assert_array_equal(h1.tau_r, [0.1, 0.2, 1.0])
    np.testing.assert_array_equal(h1.tau_m, [1.0, 1.0, 1.0])
    w = model.network.projection("h1", "out").weights
    np.testing.assert_array_equal(w, np.random.default_rng(3).normal(0, 0.5, (1, 3)))
    assert model.simulation.n_steps == 100


def test_weights_and_pwl_from_npz(tmp_path):
    np.savez(tmp_path / "w.npz", W=np.full((1, 3), 0.25))
    t = np.array([0.0, 0.5, 1.0])
    np.savez(tmp_path / "x.npz", t=t, v=np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]))
    data = mutate(projection__1={"pre": "h1", "post": "out", "file": "w.npz:W"},
                  stimulus__inp={"kind": "pwl", "file": "x.npz", "t": "t", "values": "v"})
    model = load_model(write(tmp_path, data))
    np.testing.assert_array_equal(model.network.projection("h1", "out").weights, 0.25)
    sample = model.stimuli["inp"].sample(np.array([0.25, 2.0]), 2)
    np.testing.assert_allclose(sample, [[0.5, 1.0], [0.0, 0.0]])


BAD_CASES = {
    "unknown key": (mutate(population__1__tau_n=1.0), "population.h1.tau_n: unknown key"),
    "unknown top-level table": (mutate(extra={"a": 1}), "extra: unknown key"),
    "missing key": (mutate(population__1__tau_m=DELETE), "population.h1.tau_m: missing"),
    "missing phi": (mutate(population__1__phi=DELETE), "population.h1.phi: missing"),
    "missing simulation": (mutate(simulation=DELETE), "simulation: missing"),
    "wrong type": (mutate(population__1__size="3"), "population.h1.size: got '3'"),
    "bool is not a number": (mutate(simulation__dt=True), "simulation.dt: got True"),
    "wrong shape of tau list": (mutate(population__1__tau_r=[0.1, 0.2]),
                                "population.h1.tau_r: got shape (2,)"),
    "wrong weight shape": (mutate(projection__0__weights=[[1.0, 0.0]]),
                           "projection.inp->h1.weights: got shape [1, 2]; expected shape [3][2]"),
    "tau_m not > 0": (mutate(population__1__tau_m=-1.0), "population.h1.tau_m: got -1.0"),
    "tau_r not > 0": (mutate(population__2__tau_r=0.0), "population.out.tau_r: got 0.0"),
    "tau below dt": (mutate(population__1__tau_r=[0.001, 0.2, 1.0]),
                     "population.h1.tau_r: unit 0 has tau_r = 0.001, below dt = 0.01"),
    "unknown phi": (mutate(population__1__phi="gelu"), "population.h1.phi: got 'gelu'"),
    "missing population in projection": (
        mutate(projection__1__post="h2"), "projection.h1->h2.post: no population named 'h2'"),
    "unreadable weights file": (
        mutate(projection__1={"pre": "h1", "post": "out", "file": "nope.npz:W"}),
        "projection.h1->out.file: file"),
    "name not an identifier": (mutate(population__1__name="h 1"),
                               "population[1].name: got 'h 1'"),
    "name with SPICE card": (mutate(network__name="x\n.control"), "network.name"),
    "unknown stimulus kind": (mutate(stimulus__inp__kind="noise"), "stimulus.inp.kind"),
    "stimulus for hidden": (mutate(stimulus__h1={"kind": "step"}),
                            "stimulus.h1: 'h1' is a hidden population"),
    "missing stimulus": (mutate(stimulus=DELETE), "stimulus.inp: missing"),
    "t_stop not a multiple": (mutate(simulation__t_stop=1.005),
                              "simulation.t_stop: t_stop / dt = 100.5"),
    "unknown scheme": (mutate(simulation__scheme="rk4"), "simulation.scheme: got 'rk4'"),
    "random init without seed": (
        mutate(projection__1__init={"kind": "normal", "std": 0.5}),
        "projection.h1->out.init.seed: missing"),
    "input with tau": (mutate(population__0__tau_m=1.0), "population.inp.tau_m: unknown key"),
    "duplicate name": (mutate(population__2__name="h1"), "population.h1: the name is used twice"),
    # learning and targets
    "unknown rule": (mutate(learning={"rule": "hebb"}, target=TARGET),
                     "learning.rule: got 'hebb'"),
    "unknown learning key": (mutate(learning={"rate": 1.0}, target=TARGET),
                             "learning.rate: unknown key"),
    "unknown optimizer": (mutate(learning={"optimizer": {"kind": "lbfgs"}}, target=TARGET),
                          "learning.optimizer.kind: got 'lbfgs'"),
    "lr not > 0": (mutate(learning={"optimizer": {"kind": "sgd", "lr": 0.0}}, target=TARGET),
                   "learning.optimizer.lr: got 0.0"),
    "unknown loss": (mutate(learning={"loss": "l1"}, target=TARGET), "learning.loss: got 'l1'"),
    "unknown feedback": (mutate(learning={"feedback": "mirror"}, target=TARGET),
                         "learning.feedback: got 'mirror'"),
    "beta negative": (mutate(learning={"beta": -1.0}, target=TARGET),
                      "learning.beta: got -1.0"),
    "missing target": (mutate(learning={"rule": "gle"}), "target.out: missing"),
    "target for hidden": (mutate(learning={}, target={"h1": {"kind": "step"}}),
                          "target.h1: 'h1' is a hidden population"),
    "missing teacher file": (mutate(learning={}, target={"out": {"kind": "teacher",
                                                                  "model": "nope.toml"}}),
                             "target.out.model: the teacher model is invalid"),
    "bad dataset": (mutate(dataset={"name": "cifar", "input": "inp", "output": "out"}),
                    "dataset.name: got 'cifar'"),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_exit_2_with_one_clear_line(case, tmp_path, capsys):
    data, message = BAD_CASES[case]
    path = write(tmp_path, data)
    status = main(["simulate", str(path), "--out", str(tmp_path / "r.nc"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith(f"vle: error: {path}: "), err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "r.nc").exists()


def test_learning_file_loads_and_round_trips(tmp_path):
    from vle.model.writer import save_model

    data = mutate(learning={"rule": "gle", "loss": "mse", "beta": 0.5, "gamma": 0.1,
                            "optimizer": {"kind": "adam", "lr": 1e-3},
                            "learn_tau_m": True, "feedback": "learned", "decay": 0.01},
                  target=TARGET)
    model = load_model(write(tmp_path, data))
    assert model.learning.optimizer.kind == "adam" and model.learning.feedback == "learned"
    again = load_model(save_model(model, tmp_path / "again" / "m.toml"))
    assert again.learning == model.learning
    assert again.targets["out"] == model.targets["out"]
    np.testing.assert_array_equal(again.network.projection("h1", "out").weights,
                                  model.network.projection("h1", "out").weights)


def test_not_toml_and_missing_file(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[network\nname = 1")
    assert main(["simulate", str(bad), "--out", str(tmp_path / "r.nc")]) == 2
    assert "(syntax)" in capsys.readouterr().err
    assert main(["simulate", str(tmp_path / "none.toml"), "--out", str(tmp_path / "r.nc")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_cli_override_below_tau_is_reported_as_option(tmp_path, capsys):
    path = write(tmp_path, BASE)
    assert main(["simulate", str(path), "--out", str(tmp_path / "r.nc"), "--dt", "0.5"]) == 2
    err = capsys.readouterr().err
    assert "below dt = 0.5" in err
