"""The memory budget: a run that cannot fit is refused before any work, through the CLI, with
one message naming the key and the estimate; --record and --record-every cut what is kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES

from vle.cli import main
from vle.model import ModelError, load_model
from vle.model.budget import default_budget, format_bytes, machine_memory, parse_bytes
from vle.sim import simulate_model
from vle.sim.budget import check_run_memory

LAGLINE = str(EXAMPLES / "lagline.toml")


def one_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vle: error: ") and "Traceback" not in err
    return lines[0]


def test_a_run_too_long_for_memory_is_refused_before_it_starts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", LAGLINE, "--t-stop", "1e12", "-o", str(tmp_path / "r.nc")]) == 2
    line = one_error(capsys)
    assert f"{LAGLINE}: simulation.t_stop: the run needs about" in line
    assert "PiB of memory (t_stop / dt = 1e+14 steps" in line and "--max-memory" in line
    assert list(tmp_path.iterdir()) == []


def test_a_population_too_large_is_refused_before_its_arrays_exist(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = Path(LAGLINE).read_text().replace('name = "h1"\nsize = 1', 'name = "h1"\n'
                                             'size = 1000000000')
    (tmp_path / "big.toml").write_text(text)
    assert main(["simulate", str(tmp_path / "big.toml"), "-o", str(tmp_path / "r.nc")]) == 2
    line = one_error(capsys)
    assert "big.toml: population.h1.size: the run needs about" in line
    assert "the parameters alone; 1e+09 units" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.toml"]


def test_max_memory_lowers_the_budget_and_record_cuts_the_estimate(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "r.nc")
    # 4001 points x 7 values: about 0.45 MB with both copies
    assert main(["simulate", LAGLINE, "-o", out, "-q", "--max-memory", "100K"]) == 2
    assert "more than the budget of --max-memory 100 KiB" in one_error(capsys)
    assert main(["simulate", LAGLINE, "-o", out, "-q", "--max-memory", "100K",
                 "--record", "out.ub", "--record-every", "10"]) == 0
    from vle import Result

    res = Result.load(out)
    assert list(res.traces) == ["out.ub"] and res.time.size == 401


def test_train_refuses_before_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", str(EXAMPLES / "lagline_student.toml"), "--t-stop", "1e12",
                 "--out", str(tmp_path / "run")]) == 2
    assert "simulation.t_stop: the run needs about" in one_error(capsys)
    assert list(tmp_path.iterdir()) == []


def test_bad_memory_size_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["simulate", LAGLINE, "-o", "r.nc", "--max-memory", "lots"])
    assert info.value.code == 2
    assert "'lots' is not a memory size" in capsys.readouterr().err


def test_the_budget_and_sizes() -> None:
    total = machine_memory()
    assert total is not None and default_budget() == total // 2
    assert parse_bytes("2G") == 2 * 2**30 and parse_bytes("1.5k") == 1536
    assert parse_bytes("500MiB") == 500 * 2**20 and parse_bytes("1e3") == 1000
    assert format_bytes(8e9) == "7.45 GiB" and format_bytes(1.6e18) == "1.39 EiB"
    for bad in ("", "-1G", "0", "2X"):
        with pytest.raises(ValueError, match="is not a memory size"):
            parse_bytes(bad)


def test_the_python_api_holds_the_same_budget() -> None:
    model = load_model(LAGLINE)
    with pytest.raises(ModelError, match=r"simulation\.t_stop: the run needs"):
        simulate_model(model, t_stop=1e12)
    with pytest.raises(ModelError, match=r"batch: the run needs about 358 GiB"):
        check_run_memory(model.network, n_steps=1, batch=10**9, budget=2**30)
