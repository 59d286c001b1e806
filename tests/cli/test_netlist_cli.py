"""`vle netlist`: writing netlists, reports and probe maps; one-line errors with exit 2."""

import json
from pathlib import Path

import pytest
from conftest import ROOT

from vle.circuits import technology_names
from vle.cli import main
from vle.commands.netlist import golden_files


def test_list_technologies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["netlist", "--list-technologies"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [x.split()[0] for x in lines] == list(technology_names())
    assert "1e-06 s/unit, 0.1 V/unit" in lines[2]


def test_write_netlist_report_and_probes(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    # the golden file's own name: the control block names the netlist and its rawfile
    out, probes = tmp_path / "sub" / "lagline_discrete.cir", tmp_path / "p.json"
    rc = main(["netlist", str(ROOT / "examples/lagline.toml"), "-t", "discrete", "-o", str(out),
               "--report", "--probes", str(probes)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "h1[0]         tau_m" in text and "realised by" in text
    assert text.splitlines()[-1].startswith("lagline: 11 elements in technology discrete")
    assert out.read_text() == (ROOT / "netlists/lagline_discrete.cir").read_text()
    data = json.loads(probes.read_text())
    assert data["time_scale"] == 1e-3
    assert data["traces"]["h1.ub"] == {"nodes": ["h1_ub_0"], "shape": [1], "scale": 1.0,
                                       "offset": 0.0}


def test_time_scale_option(tmp_path: Path) -> None:
    out = tmp_path / "l.cir"
    assert main(["netlist", str(ROOT / "examples/lagline.toml"), "--time-scale", "1e-6", "-o",
                 str(out), "-q"]) == 0
    assert ".tran 10n 40u 0 1n" in out.read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["examples/lagline.toml", "-t", "bogus", "-o", "x.cir"], "unknown technology 'bogus'"),
    (["nope.toml", "-o", "x.cir"], "nope.toml: (file): no such file"),
    (["examples/lagline.toml", "-t", "discrete", "--time-scale", "1e-9", "-o", "x.cir"],
     "population h1 unit 0: tau_r = 1e-10 s is below"),
    (["examples/lagline.toml", "--time-scale", "-1", "-o", "x.cir"], "time_scale must be"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = [str(tmp_path / a) if a == "x.cir" else a for a in args]
    assert main(["netlist", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("vle: error: ") and message in err


@pytest.mark.parametrize("args", [["examples/lagline.toml"], [], ["x.toml", "-o", "x.txt"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    with pytest.raises(SystemExit) as err:
        main(["netlist", *args])
    assert err.value.code == 2


def test_golden_option_writes_every_netlist(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    (tmp_path / "stale.cir").write_text("old")
    assert main(["netlist", "--golden", str(tmp_path), "-q"]) == 0
    written = [p.name for p in golden_files(tmp_path)]
    assert written == [p.name for p in golden_files(ROOT / "netlists")]
    assert not (tmp_path / "stale.cir").exists()


def test_golden_without_model_files_changes_nothing(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "kept.cir").write_text("old")
    assert main(["netlist", "--golden", "out"]) == 2
    assert "no model files (*.toml) in" in capsys.readouterr().err
    assert (tmp_path / "out" / "kept.cir").read_text() == "old"
    assert main(["netlist", "--golden", "out", "--examples", str(ROOT / "examples"), "-q"]) == 0
    assert not (tmp_path / "out" / "kept.cir").exists()
