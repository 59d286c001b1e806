"""The SPICE run's size from its circuit: time points and rawfile, refused before ngspice starts
(and before `vle netlist` writes a netlist no machine could run)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES
from spice_cases import needs_ngspice

from vle.cli import main
from vle.mapping import compile
from vle.model import ModelError, load_model
from vle.sim import simulate_model
from vle.sim.spice.budget import check_spice_run, raw_size

LAGLINE = EXAMPLES / "lagline.toml"


def long_model(tmp_path: Path, t_stop: str = "1e12") -> Path:
    path = tmp_path / "long.toml"
    path.write_text(LAGLINE.read_text().replace("t_stop = 40.0", f"t_stop = {t_stop}"))
    return path


def test_the_rawfile_estimate_of_the_example() -> None:
    circuit, _ = compile(load_model(LAGLINE), "ideal")
    size = raw_size(circuit)
    assert size is not None
    # .tran 10u 40m 0 1u with 7 saved nodes and time
    assert size.points == pytest.approx(40001) and size.vectors == 8
    assert size.bytes == pytest.approx(40001 * 8 * 8)


def test_netlist_of_a_run_no_machine_can_hold_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = long_model(tmp_path)
    assert main(["netlist", str(model), "-o", str(tmp_path / "long.cir")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"{model}: simulation.t_stop: the run needs about" in err
    assert ".tran to 1e+09 s in steps of at most 1e-06 s: at least 1e+15 time points x 8 " \
           "vectors, a rawfile of" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.toml"]


def test_the_estimate_holds_the_budget() -> None:
    circuit, _ = compile(load_model(LAGLINE), "ideal")
    assert check_spice_run(circuit) is not None
    with pytest.raises(ModelError, match=r"simulation\.t_stop: the run needs about 7.32 MiB "
                       r".*a rawfile of 2.44 MiB, read back 3 times"):
        check_spice_run(circuit, budget=2**20)


@needs_ngspice
def test_the_backend_refuses_before_ngspice_starts(tmp_path: Path) -> None:
    model = load_model(LAGLINE)
    with pytest.raises(ModelError, match=r"simulation\.t_stop: .*a rawfile of 2.44 MiB"):
        simulate_model(model, backend="spice", max_memory=2**20, workdir=str(tmp_path))
    assert list(tmp_path.iterdir()) == []
