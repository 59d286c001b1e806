"""`vle netlist`: writing netlists, reports and probe maps; one-line errors with exit 2."""

import json
from pathlib import Path

import pytest
from conftest import ROOT

from vle.circuits import technology_names
from vle.cli import main
from vle.commands.netlist import golden_files
from vle.mapping import compile_plan, plan_cost
from vle.model import load_model

REPORT_DIGITS = 1e-3
"""The cost table prints 4 significant digits (half a unit in the last: 5e-4 relative)."""


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


def test_report_shows_cost_per_population(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    model = ROOT / "examples/lagline.toml"
    assert main(["netlist", str(model), "-t", "onchip", "--report"]) == 0
    assert list(tmp_path.iterdir()) == []  # without --out nothing is written
    lines = capsys.readouterr().out.splitlines()
    plan, _ = compile_plan(load_model(model), "onchip")
    cost = plan_cost(plan)
    rows = {ln.split()[0]: ln.split() for ln in lines[lines.index(
        "cost on technology onchip (estimates; area and static power per block)"):]
        if ln.split() and ln.split()[0] in ("h1", "out", "x->h1", "h1->out", "total")}
    for block in cost.populations:
        name, kind, r, c, amps, _, area, power = rows[block.name]
        assert (kind, int(r), int(c), int(amps)) == (block.kind, block.resistors,
                                                     block.capacitors, block.opamps)
        assert float(area) == pytest.approx(block.area * 1e6, rel=REPORT_DIGITS)
        assert float(power) == pytest.approx(block.power * 1e3, rel=REPORT_DIGITS)
    assert rows["h1"][1:5] == ["population", "5", "1", "3"]
    total = rows["total"]
    assert float(total[-2]) == pytest.approx(cost.area * 1e6, rel=REPORT_DIGITS)
    assert float(total[-1]) == pytest.approx(cost.power * 1e3, rel=REPORT_DIGITS)
    assert any(ln.startswith("speed 1e+06 model time units per s") for ln in lines)
    assert any(ln.startswith("assumption: op-amps: two-stage Miller OTAs") for ln in lines)
    assert lines[-1].endswith("not written (no --out)")


def test_report_on_ideal_says_there_is_no_cost(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "l.cir"
    assert main(["netlist", str(ROOT / "examples/lagline.toml"), "-o", str(out), "--report"]) \
        == 0
    text = capsys.readouterr().out
    assert "cost: technology 'ideal': has no cost model" in text and out.exists()


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
