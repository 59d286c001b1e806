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
    "gamma not a number": (mutate(learning={"gamma": "0.1"}, target=TARGET),
                           "learning.gamma: got '0.1'; expected a finite number"),
    "learn_tau_m not a bool": (mutate(learning={"learn_tau_m": 1}, target=TARGET),
                               "learning.learn_tau_m: got 1; expected true or false"),
    "learn_bias not a bool": (mutate(learning={"learn_bias": "yes"}, target=TARGET),
                              "learning.learn_bias: got 'yes'; expected true or false"),
    "tau_lr not > 0": (mutate(learning={"tau_lr": 0.0}, target=TARGET),
                       "learning.tau_lr: got 0.0; expected a number > 0"),
    "tau_m_min not > 0": (mutate(learning={"learn_tau_m": True, "tau_m_min": -0.5},
                                 target=TARGET),
                          "learning.tau_m_min: got -0.5; expected a number > 0"),
    "tau_m below dt": (mutate(population__1__tau_m=0.005, population__1__tau_r=0.005),
                       "population.h1.tau_m: unit 0 has tau_m = 0.005, below dt = 0.01"),
    "decay negative": (mutate(learning={"feedback": "learned", "decay": -0.1}, target=TARGET),
                       "learning.decay: got -0.1; expected a number >= 0"),
    "learned feedback on a fixed hidden projection": (
        mutate(projection__1__plastic=False, learning={"feedback": "learned"}, target=TARGET),
        "projection.h1->out.plastic: is false, but learning.feedback = 'learned' learns B"),
    "feedback_seed negative": (mutate(learning={"feedback": "random", "feedback_seed": -1},
                                      target=TARGET),
                               "learning.feedback_seed: got -1; expected an integer >= 0"),
    "feedback_seed not an integer": (
        mutate(learning={"feedback": "random", "feedback_seed": 1.5}, target=TARGET),
        "learning.feedback_seed: got 1.5; expected an integer >= 0"),
    "momentum not below 1": (
        mutate(learning={"optimizer": {"kind": "momentum", "momentum": 1.0}}, target=TARGET),
        "learning.optimizer.momentum: got 1; expected a number in [0, 1)"),
    "beta1 negative": (
        mutate(learning={"optimizer": {"kind": "adam", "beta1": -0.1}}, target=TARGET),
        "learning.optimizer.beta1: got -0.1; expected a number >= 0"),
    "beta2 not below 1": (
        mutate(learning={"optimizer": {"kind": "adam", "beta2": 1.0}}, target=TARGET),
        "learning.optimizer.beta2: got 1; expected a number in [0, 1)"),
    "adam eps not > 0": (
        mutate(learning={"optimizer": {"kind": "adam", "eps": 0.0}}, target=TARGET),
        "learning.optimizer.eps: got 0.0; expected a number > 0"),
    "unknown optimizer key": (
        mutate(learning={"optimizer": {"kind": "adam", "beta3": 0.5}}, target=TARGET),
        "learning.optimizer.beta3: unknown key"),
    "optimizer without kind": (mutate(learning={"optimizer": {"lr": 0.1}}, target=TARGET),
                               "learning.optimizer.kind: missing"),
    "unknown target kind": (mutate(learning={}, target={"out": {"kind": "noise"}}),
                            "target.out.kind: got 'noise'"),
    "target for unknown population": (
        mutate(learning={}, target={"out2": {"kind": "step"}}), "target.out2: unknown key"),
    "unknown target key": (
        mutate(learning={}, target={"out": {"kind": "sine", "freq": 1.0}}),
        "target.out.freq: unknown key"),
    "teacher model not a string": (
        mutate(learning={}, target={"out": {"kind": "teacher", "model": 3}}),
        "target.out.model: got 3; expected a file name"),
}

# [dataset] needs a one-unit input fed by the dataset (no stimulus table)
DATASET_BASE = dict(population__0__size=1, projection__0__weights=[[1.0], [0.5], [0.0]],
                    stimulus=DELETE)
DATASET = {"name": "mnist1d", "input": "inp", "output": "out"}


def _dataset(**changes: Any) -> dict[str, Any]:
    return mutate(**DATASET_BASE, dataset={**DATASET, **changes})


BAD_CASES.update({
    "dataset input unknown": (_dataset(input="nope"),
                              "dataset.input: no population named 'nope'"),
    "dataset output not an output": (_dataset(output="h1"),
                                     "dataset.output: 'h1' is a hidden population"),
    "dataset input not an input": (_dataset(input="h1"),
                                   "dataset.input: 'h1' is a hidden population"),
    "dataset input wider than 1": (mutate(**{**DATASET_BASE, "population__0__size": 2,
                                             "projection__0__weights": BASE["projection"][0][
                                                 "weights"]}, dataset=DATASET),
                                   "dataset.input: the input population has 2 units"),
    "dataset input also stimulated": (mutate(population__0__size=1,
                                             projection__0__weights=[[1.0], [0.5], [0.0]],
                                             stimulus__inp__amplitude=1.0, dataset=DATASET),
                                      "stimulus.inp: the dataset already drives this input"),
    "dataset input missing": (mutate(**DATASET_BASE, dataset={"name": "mnist1d",
                                                              "output": "out"}),
                              "dataset.input: missing"),
    "dataset batch 0": (_dataset(batch=0), "dataset.batch: got 0; expected an integer >= 1"),
    "dataset test_batch 0": (_dataset(test_batch=0), "dataset.test_batch: got 0"),
    "dataset time_per_sample negative": (_dataset(time_per_sample=-1.0),
                                         "dataset.time_per_sample: got -1.0"),
    "dataset too few samples": (_dataset(n_samples=5),
                                "dataset.n_samples: got 5; expected an integer >= 10"),
    "dataset seed negative": (_dataset(seed=-2), "dataset.seed: got -2"),
    "dataset unknown schedule": (_dataset(lr_schedule="cosine"),
                                 "dataset.lr_schedule: got 'cosine'"),
    "dataset patience 0": (_dataset(patience=0), "dataset.patience: got 0"),
    "dataset unknown key": (_dataset(epochs=3), "dataset.epochs: unknown key"),
})


def test_dataset_base_loads(tmp_path):
    """The dataset cases above differ from a valid file only in the key they name."""
    model = load_model(write(tmp_path, _dataset()))
    assert model.dataset is not None and model.dataset.input == "inp"


def _check_cli_error(path: Path, tmp_path: Path, capsys, message: str) -> str:
    status = main(["simulate", str(path), "--out", str(tmp_path / "r.nc"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith(f"vle: error: {path}: "), err
    assert message in err, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "r.nc").exists()
    return err


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_exit_2_with_one_clear_line(case, tmp_path, capsys):
    data, message = BAD_CASES[case]
    _check_cli_error(write(tmp_path, data), tmp_path, capsys, message)


def _teacher(out_name: str = "out", out_size: int = 1) -> dict[str, Any]:
    data = mutate(population__2__name=out_name, population__2__size=out_size,
                  projection__1__post=out_name)
    data["projection"][1]["init"] = {"kind": "constant", "value": 0.5}
    return data


def _npy_of_objects(path: Path) -> None:
    np.save(path, np.array([{"w": 1.0}], dtype=object), allow_pickle=True)


PWL_TARGET = {"out": {"kind": "pwl", "file": "y.npz", "t": "t", "values": "v"}}
# case: (files to write next to the model, model data, message, text the message must not hold)
FILE_CASES: dict[str, tuple[dict[str, Any], dict[str, Any], str, str]] = {
    "corrupt weights .npy": (
        {"w.npy": b"these bytes are not an array"},
        mutate(projection__1={"pre": "h1", "post": "out", "file": "w.npy"}),
        "projection.h1->out.file: file", "pickle"),
    "corrupt weights .npz": (
        {"w.npz": b"PK\x03\x04 a zip header and nothing else"},
        mutate(projection__1={"pre": "h1", "post": "out", "file": "w.npz:W"}),
        "is not a valid numeric array file", "pickle"),
    "weights .npy of Python objects": (
        {"w.npy": _npy_of_objects},
        mutate(projection__1={"pre": "h1", "post": "out", "file": "w.npy"}),
        "holds Python objects, not numbers", "allow_pickle"),
    "weights .npz without the named array": (
        {"w.npz": {"V": np.zeros((1, 3))}},
        mutate(projection__1={"pre": "h1", "post": "out", "file": "w.npz:W"}),
        "projection.h1->out.file: '", "Traceback"),
    "missing pwl stimulus file": (
        {}, mutate(stimulus__inp={"kind": "pwl", "file": "x.npz", "t": "t", "values": "v"}),
        "stimulus.inp.file: file", "inp.inp"),
    "missing pwl target file": (
        {}, mutate(learning={}, target=PWL_TARGET), "target.out.file: file", "out.out"),
    "pwl target of the wrong width": (
        {"y.npz": {"t": np.array([0.0, 1.0]), "v": np.zeros((2, 2))}},
        mutate(learning={}, target=PWL_TARGET),
        "target.out.values: got 2 columns; expected 1 columns", "stimulus"),
    "pwl target with decreasing times": (
        {"y.npz": {"t": np.array([1.0, 0.0]), "v": np.zeros(2)}},
        mutate(learning={}, target=PWL_TARGET),
        "target.out.t: time points are not strictly increasing", "stimulus"),
    "teacher without the output population": (
        {"teacher.toml": _teacher(out_name="y")},
        mutate(learning={}, target={"out": {"kind": "teacher", "model": "teacher.toml"}}),
        "target.out.population: the teacher 'teacher.toml' has no population 'out'",
        "target.model"),
    "teacher population of the wrong size": (
        {"teacher.toml": _teacher(out_size=2)},
        mutate(learning={}, target={"out": {"kind": "teacher", "model": "teacher.toml"}}),
        "target.out.model: teacher population 'out' has 2 units", "Traceback"),
}


def _write_files(tmp_path: Path, files: dict[str, Any]) -> None:
    for name, content in files.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif callable(content):
            content(path)
        elif name.endswith(".toml"):
            write(tmp_path, content, name)
        else:
            np.savez(path, **content)


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_bad_side_file_exit_2_with_one_clear_line(case, tmp_path, capsys):
    """Arrays and teachers in files next to the model: a bad one is one clear line too."""
    files, data, message, absent = FILE_CASES[case]
    _write_files(tmp_path, files)
    err = _check_cli_error(write(tmp_path, data), tmp_path, capsys, message)
    assert absent not in err, err


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
