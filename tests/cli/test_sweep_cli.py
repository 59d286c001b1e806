"""``vle sweep`` and ``vle pareto`` as a user runs them: tables, plots, the page in a real
browser, and one clear message (exit 2) for bad input."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from helpers import CHROMIUM, open_in_chromium

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "explore"))
from sweeps import tiny_sweep  # noqa: E402

from vle.cli import main  # noqa: E402


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("swept")
    assert main(["sweep", str(tiny_sweep(folder)), "--out", str(folder / "store"),
                 "--workers", "1", "--quiet"]) == 0
    return folder / "store"


def test_sweep_prints_the_front(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", str(tiny_sweep(tmp_path)), "--out", str(tmp_path / "s"),
                 "--workers", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "4 points done, 0 already there, 0 failed" in out
    assert re.search(r"Pareto front: \d of 4 feasible points", out)
    assert "technology.weight_bits" in out and "nrmse (min)" in out


def test_pareto_writes_the_plot_and_the_page(swept: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pareto", str(swept), "--out", str(tmp_path / "plots")]) == 0
    out = capsys.readouterr().out
    assert "Pareto front:" in out and "plot:" in out
    assert (tmp_path / "plots" / "pareto.png").stat().st_size > 10000
    page = (tmp_path / "plots" / "pareto.html").read_text()
    data = json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>',
                                page, re.S).group(1).replace("<\\/", "</"))
    assert len(data["points"]) == 4
    assert "technology.section_capacitance" in data["columns"]
    assert "http" not in page.split("<script id")[0]  # nothing fetched from a network


def test_pareto_with_other_objectives(swept: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pareto", str(swept), "--objective", "nrmse_max=min", "--out",
                 str(tmp_path)]) == 0
    assert "nrmse_max (min)" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["sweep", "missing.toml", "--out", "x"], "no such sweep file"),
    (["pareto", "."], "not a sweep store"),
    (["sweep", "SWEEP", "--out", "x", "--workers", "0"], "--workers: must be >= 1"),
    (["pareto", "STORE", "--objective", "nrmse=least"], "give METRIC=min or METRIC=max"),
])
def test_bad_input_is_one_message(tmp_path: Path, swept: Path, args: list[str], message: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    sweep = tiny_sweep(tmp_path / "in")
    args = [str(sweep) if a == "SWEEP" else str(swept) if a == "STORE" else
            str(tmp_path / a) if a == "x" else a for a in args]
    assert exit_code(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert not (tmp_path / "x").exists()


def exit_code(args: list[str]) -> int:
    """``vle ARGS``'s exit status, also when argparse refuses the arguments."""
    try:
        return main(args)
    except SystemExit as stop:
        return int(stop.code or 0)


def test_a_typo_in_a_path_is_exit_2_naming_the_nearest(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    sweep = tiny_sweep(tmp_path)
    sweep.write_text(sweep.read_text().replace("technology.weight_bits", "technology.wieght_bits"))
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'technology.weight_bits'" in err
    assert not (tmp_path / "s").exists()


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get "
                    "install chromium)")
def test_the_pareto_page_draws_in_headless_chromium(swept: Path, tmp_path: Path) -> None:
    assert main(["pareto", str(swept), "--out", str(tmp_path), "--quiet"]) == 0
    shot, console, dom = open_in_chromium(tmp_path / "pareto.html", tmp_path, "900,1100")
    assert not console, console
    assert shot.stat().st_size > 20000
    assert dom.count("<circle") == 4  # every feasible point drawn
    assert dom.count('class="front"') >= 1
    assert "<option>area</option>" in dom
