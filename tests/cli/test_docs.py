"""README snippets and example scripts are executed and assert what they show."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import numpy as np
import pytest
from conftest import EXAMPLES, ROOT, have_ngspice

from vle import load_model, simulate_model
from vle.model.loader import model_files


def _blocks(lang: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def test_readme_python_snippets(tmp_path, monkeypatch):
    blocks = _blocks("python")
    assert blocks
    monkeypatch.chdir(ROOT)
    for code in blocks:
        code = code.replace('res.save("le.nc")', f'res.save(r"{tmp_path / "le.nc"}")')
        exec(compile(code, "README.md", "exec"), {})


def test_readme_model_file_is_valid(tmp_path):
    (toml,) = _blocks("toml")
    tomllib.loads(toml)
    path = tmp_path / "chain.toml"
    path.write_text(toml)
    model = load_model(path)
    assert model.network.population("h1").kind == "hidden"


@pytest.mark.parametrize("path", model_files(EXAMPLES), ids=lambda p: p.name)
def test_examples_load_and_run(path):
    model = load_model(path)
    if model.dataset is not None:  # its input comes from the dataset (tests/test_datasets.py)
        return
    res = simulate_model(model, t_stop=min(1.0, model.simulation.t_stop))
    assert all(np.nanmax(np.abs(v)) < 1e3 for v in res.traces.values())


RUN_FILES = sorted(set(EXAMPLES.glob("*.toml")) - set(model_files(EXAMPLES)))


def test_every_example_toml_is_a_model_or_a_run_file() -> None:
    from vle.explore import load_sweep
    from vle.fidelity.config import load_fidelity_file

    assert RUN_FILES, "the sweep and fidelity run files"
    for path in RUN_FILES:
        if "[sweep]" in path.read_text():
            load_sweep(path).check()
        else:
            load_fidelity_file(path)


@pytest.mark.slow
@pytest.mark.brian2
def test_demo_script(tmp_path):
    out = tmp_path / "demo"
    proc = subprocess.run([sys.executable, str(EXAMPLES / "demo.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert (out / "lagline.nc").exists() and (out / "lagline.png").exists()
    assert (out / "lagline-train" / "final.toml").exists()
    assert (out / "lagline_ideal.cir").exists() and (out / "lagline_discrete.cir").exists()
    lines = proc.stdout.splitlines()
    learned = {ln.split()[1]: float(ln.split()[3]) for ln in lines
               if ln.startswith("[learning] ") and ln.split()[1] in ("x->h1.W", "h1->out.W")}
    assert abs(learned["h1->out.W"] - 2.0) < 0.1 and abs(learned["x->h1.W"] - 1.0) < 0.1
    assert any("realised by" in ln for ln in lines)
    assert sum(ln.startswith("[mnist1d] epoch") for ln in lines) == 2
    assert (out / "mnist1d-train" / "history.nc").exists()
    assert sum("[ok]" in ln for ln in lines if ln.startswith("[brian2]")) == 4
    three_way = [ln for ln in lines if ln.startswith("[3-way] ")][1:]
    assert three_way and all(ln.endswith(": ok") for ln in three_way)
    if have_ngspice():
        assert any(ln.startswith("[spice] LagLine") and "[ok]" in ln for ln in lines)
        assert [ln.split()[1] for ln in three_way] == ["brian2", "spice"]
