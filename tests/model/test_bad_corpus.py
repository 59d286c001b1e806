"""A held-out corpus of bad model files and bad paths, each tried through the CLI.

Every case is a small set of files (a model file and whatever it names) and the command line
that uses them; each must end with exit status 2, one line on stderr that holds the case's
expected fragment, no traceback, and nothing written. The families cover every kind of key:
sizes, times, arrays, files, names, encodings (and, with the resource budget and output paths,
budgets and paths). ``tests/conftest.py`` prints how many cases ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from conftest import EXAMPLES

from vle.cli import main

BASE = """\
[network]
name = "chain"

[[population]]
name = "x"
kind = "input"
size = 2

[[population]]
name = "h1"
size = 3
tau_m = 1.0
tau_r = 0.1
phi = "tanh"

[[projection]]
pre = "x"
post = "h1"
weights = [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]

[stimulus.x]
kind = "step"
amplitude = 1.0

[simulation]
dt = 0.01
t_stop = 1.0
"""


def edit(old: str, new: str, text: str = BASE) -> str:
    """``BASE`` with one exact piece replaced (the piece must occur)."""
    assert old in text, old
    return text.replace(old, new, 1)


@dataclass(frozen=True)
class Case:
    """Files to write (name -> text or bytes; ``model.toml`` is the model), the command line
    (``{tmp}`` is the case's folder) and the fragment the one-line message must hold."""

    family: str
    name: str
    fragment: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    args: tuple[str, ...] = ("simulate", "{tmp}/model.toml", "-o", "{tmp}/r.nc", "-q")


def _npz(**arrays: np.ndarray) -> bytes:
    import io

    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


CASES: list[Case] = [
    # sizes
    Case("sizes", "zero", "population.h1.size: got 0; expected an integer >= 1",
         {"model.toml": edit("size = 3", "size = 0")}),
    Case("sizes", "float", "population.h1.size: got 1.5", {"model.toml": edit("size = 3",
                                                                              "size = 1.5")}),
    Case("sizes", "string", "population.x.size: got '2'",
         {"model.toml": edit("size = 2", 'size = "2"')}),
    Case("sizes", "bool", "population.h1.size: got True",
         {"model.toml": edit("size = 3", "size = true")}),
    Case("sizes", "negative", "population.x.size: got -2",
         {"model.toml": edit("size = 2", "size = -2")}),
    # times
    Case("times", "dt zero", "simulation.dt: got 0.0; expected a number > 0",
         {"model.toml": edit("dt = 0.01", "dt = 0.0")}),
    Case("times", "t_stop negative", "simulation.t_stop: got -1.0",
         {"model.toml": edit("t_stop = 1.0", "t_stop = -1.0")}),
    Case("times", "not whole steps", "is not a whole number of steps",
         {"model.toml": edit("t_stop = 1.0", "t_stop = 1.005")}),
    Case("times", "dt infinite", "simulation.dt: got inf",
         {"model.toml": edit("dt = 0.01", "dt = inf")}),
    Case("times", "tau_m zero", "population.h1.tau_m: got 0.0",
         {"model.toml": edit("tau_m = 1.0", "tau_m = 0.0")}),
    Case("times", "tau_r below dt", "population.h1.tau_r: unit 0 has tau_r = 0.001, below dt",
         {"model.toml": edit("tau_r = 0.1", "tau_r = 0.001")}),
    Case("times", "--dt below tau_r, key as in the file", "population.h1.tau_r: unit 0",
         {"model.toml": BASE},
         ("simulate", "{tmp}/model.toml", "-o", "{tmp}/r.nc", "-q", "--dt", "0.5")),
    Case("times", "--t-stop not whole steps", "--t-stop: t_stop / dt = 100.5",
         {"model.toml": BASE},
         ("simulate", "{tmp}/model.toml", "-o", "{tmp}/r.nc", "-q", "--t-stop", "1.005")),
    # arrays
    Case("arrays", "weights shape", "projection.x->h1.weights: got shape [2, 2]; expected "
         "shape [3][2]", {"model.toml": edit("[[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]",
                                             "[[1.0, 0.0], [0.5, 0.5]]")}),
    Case("arrays", "weights text", "projection.x->h1.weights: got",
         {"model.toml": edit("[0.0, 1.0]]", '[0.0, "one"]]')}),
    Case("arrays", "weights nan", "projection.x->h1.weights: contains NaN",
         {"model.toml": edit("[0.0, 1.0]]", "[0.0, nan]]")}),
    Case("arrays", "tau_m per unit length", "population.h1.tau_m: got shape (2,)",
         {"model.toml": edit("tau_m = 1.0", "tau_m = [1.0, 2.0]")}),
    Case("arrays", "file array shape", "projection.x->h1.file: got shape [2]",
         {"model.toml": edit("weights = [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]",
                             'file = "w.npz:W"'), "w.npz": _npz(W=np.ones(2))}),
    # files
    Case("files", "model missing", "none.toml: (file): no such file", {},
         ("simulate", "{tmp}/none.toml", "-o", "{tmp}/r.nc", "-q")),
    Case("files", "model is a folder", "(file): is a folder", {"sub/model.toml": BASE},
         ("simulate", "{tmp}/sub", "-o", "{tmp}/r.nc", "-q")),
    Case("files", "weights file missing", "projection.x->h1.file: file",
         {"model.toml": edit("weights = [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]",
                             'file = "nowhere.npz:W"')}),
    Case("files", "weights file not numpy", "is not a .npy or .npz file",
         {"model.toml": edit("weights = [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]",
                             'file = "w.npy"'), "w.npy": "1 2 3\n"}),
    Case("files", "weights array missing", "has no array 'V'",
         {"model.toml": edit("weights = [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]",
                             'file = "w.npz:V"'), "w.npz": _npz(W=np.ones((3, 2)))}),
    Case("files", "teacher missing", "target.h1.model: the teacher model is invalid",
         {"model.toml": BASE.replace('name = "h1"\nsize = 3', 'name = "h1"\nkind = "output"\n'
                                     'size = 3') + '\n[target.h1]\nkind = "teacher"\n'
                                     'model = "teacher.toml"\n\n[learning]\nrule = "gle"\n'}),
    # names
    Case("names", "network name with a space", "network.name: got 'a b'",
         {"model.toml": edit('name = "chain"', 'name = "a b"')}),
    Case("names", "population name a SPICE card", "population[1].name: got '.control'",
         {"model.toml": edit('name = "h1"', 'name = ".control"')}),
    Case("names", "duplicate population", "population.x: the name is used twice",
         {"model.toml": edit('name = "h1"', 'name = "x"')}),
    Case("names", "unknown projection end", "projection.x->h2.post: no population named 'h2'",
         {"model.toml": edit('post = "h1"', 'post = "h2"')}),
    Case("names", "misspelt key", "population.h1.tau-r: unknown key",
         {"model.toml": edit("tau_r = 0.1", "tau-r = 0.1")}),
    Case("names", "unknown phi", "population.h1.phi: got 'tanhh'",
         {"model.toml": edit('phi = "tanh"', 'phi = "tanhh"')}),
    # budgets (sizes and times that cannot fit in memory, refused before any array exists)
    Case("sizes", "a billion units", "population.h1.size: the run needs about",
         {"model.toml": edit("size = 3", "size = 1000000000")}),
    Case("sizes", "a dense layer too large", "projection.x->h1: the run needs about",
         {"model.toml": edit("size = 2", "size = 200000").replace(
             "weights = [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]",
             'init = {kind = "constant", value = 1.0}').replace("size = 3", "size = 200000")}),
    Case("times", "t_stop of 1e12", "simulation.t_stop: the run needs about",
         {"model.toml": edit("t_stop = 1.0", "t_stop = 1e12")}),
    Case("times", "--t-stop over --max-memory", "more than the budget of --max-memory 1 MiB",
         {"model.toml": BASE}, ("simulate", "{tmp}/model.toml", "-o", "{tmp}/r.nc", "-q",
                                "--t-stop", "1000", "--max-memory", "1M")),
    Case("times", "netlist of t_stop 1e12", "at least 1e+15 time points",
         {"model.toml": edit("t_stop = 1.0", "t_stop = 1e12")},
         ("netlist", "{tmp}/model.toml", "-o", "{tmp}/model.cir")),
    # paths
    Case("paths", "--out under a missing folder", "does not exist; create it, or pass "
         "--parents", {"model.toml": BASE},
         ("simulate", "{tmp}/model.toml", "-o", "{tmp}/no/such/r.nc", "-q")),
    Case("paths", "--out unwritable", "--out /sys/r.nc: cannot write into /sys",
         {"model.toml": BASE}, ("simulate", "{tmp}/model.toml", "-o", "/sys/r.nc", "-q")),
    Case("paths", "--out a folder", "is a folder; give a file name in it",
         {"model.toml": BASE, "r.nc/keep": ""},
         ("simulate", "{tmp}/model.toml", "-o", "{tmp}/r.nc", "-q")),
    Case("paths", "--out under a file", "is a file, not a folder",
         {"model.toml": BASE, "f": ""},
         ("simulate", "{tmp}/model.toml", "-o", "{tmp}/f/r.nc", "-q")),
    Case("paths", "train --out is a file", "--out {tmp}/f: is a file, not a folder",
         {"model.toml": BASE, "f": ""}, ("train", "{tmp}/model.toml", "--out", "{tmp}/f")),
    Case("paths", "compare --out unwritable", "--out /sys/cmp: cannot write into /sys",
         {"model.toml": BASE}, ("compare", "{tmp}/model.toml", "--backends", "numba,numpy",
                                "--out", "/sys/cmp")),
    Case("paths", "netlist --probes missing folder", "--probes {tmp}/a/b/p.json: the folder",
         {"model.toml": BASE}, ("netlist", "{tmp}/model.toml", "-o", "{tmp}/m.cir",
                                "--probes", "{tmp}/a/b/p.json")),
    Case("paths", "train --resume without a checkpoint", "holds no checkpoint",
         {"run/notes.txt": ""},
         ("train", str(EXAMPLES / "lagline_student.toml"), "--out", "{tmp}/run", "--resume")),
    # encodings
    Case("encodings", "binary", "model.toml: (file): is not a TOML text file (binary data",
         {"model.toml": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256))}),
    Case("encodings", "latin-1", "is not a TOML text file (not UTF-8: byte 0xe9",
         {"model.toml": edit('"chain"', '"caf\xe9"').encode("latin-1")}),
    Case("encodings", "utf-16", "is not a TOML text file",
         {"model.toml": BASE.encode("utf-16")}),
    Case("encodings", "NUL inside a string", "a NUL byte at byte",
         {"model.toml": edit('"chain"', '"ch\x00ain"').encode()}),
    Case("encodings", "empty file", "network: missing; expected a [network] table",
         {"model.toml": ""}),
    Case("encodings", "not TOML", "(syntax)", {"model.toml": "[network\nname = 1\n"}),
]


def _write(tmp: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.family}: {c.name}" for c in CASES])
def test_bad_input_is_one_message(case: Case, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, case.files)
    before = _tree(tmp_path)
    status = main([a.replace("{tmp}", str(tmp_path)) for a in case.args])
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vle: error: "), err
    assert "Traceback" not in err
    assert case.fragment.replace("{tmp}", str(tmp_path)) in lines[0], lines[0]
    assert _tree(tmp_path) == before, "a refused run wrote files"


def test_the_corpus_covers_every_family() -> None:
    families = {c.family for c in CASES}
    assert {"sizes", "times", "arrays", "files", "names", "encodings", "paths"} <= families
    assert len(CASES) >= 30
