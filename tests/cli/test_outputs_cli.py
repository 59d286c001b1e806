"""Output paths, progress bars and the shared mapping options of the sub-commands, through the
CLI: a refused output path is one message naming the option, given before any work and with
nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES
from spice_cases import needs_ngspice

from vle.cli import build_parser, main

LAGLINE = str(EXAMPLES / "lagline.toml")
STUDENT = str(EXAMPLES / "lagline_student.toml")
UNWRITABLE = Path("/sys")
"""A folder nobody may create files in, root included (sysfs refuses new files)."""


def one_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vle: error: "), err
    assert "Traceback" not in err
    return lines[0]


def _fail_if_run(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the run started before its output path was checked")


@pytest.mark.parametrize("command", [
    ["simulate", LAGLINE, "-o", "{missing}/r.nc"],
    ["netlist", LAGLINE, "-o", "{missing}/r.cir"],
    ["netlist", LAGLINE, "-o", "{tmp}/r.cir", "--probes", "{missing}/p.json"],
    ["compare", LAGLINE, "--backends", "numba,numpy", "--out", "{missing}/cmp"],
    ["train", STUDENT, "--out", "{missing}/run"],
])
def test_out_into_a_missing_folder_is_refused(command: list[str], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vle.commands.compare.compare_backends", _fail_if_run)
    missing = tmp_path / "no" / "such"
    args = [a.format(missing=missing, tmp=tmp_path) for a in command]
    assert main([*args, "-q"]) == 2
    line = one_error(capsys)
    option = "--probes" if "--probes" in command else "--out"
    assert f"{option} {missing}/" in line
    assert f"the folder {tmp_path / 'no'} does not exist" in line and "--parents" in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [
    ["simulate", LAGLINE, "-o", "{bad}/r.nc"],
    ["netlist", LAGLINE, "-o", "{bad}/r.cir"],
    ["compare", LAGLINE, "--backends", "numba,numpy", "--out", "{bad}/cmp"],
    ["train", STUDENT, "--out", "{bad}/run"],
])
def test_unwritable_out_is_one_message_before_any_run(command: list[str],
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vle.commands.compare.compare_backends", _fail_if_run)
    monkeypatch.setattr("vle.commands.simulate.simulate_model", _fail_if_run)
    assert main([*(a.format(bad=UNWRITABLE) for a in command), "-q"]) == 2
    line = one_error(capsys)
    assert f"--out {UNWRITABLE}/" in line and f"cannot write into {UNWRITABLE}" in line
    assert "Errno" not in line


def test_one_missing_level_is_created_and_parents_creates_all(tmp_path: Path) -> None:
    assert main(["simulate", LAGLINE, "-o", str(tmp_path / "run" / "r.nc"), "-q",
                 "--t-stop", "1"]) == 0
    assert (tmp_path / "run" / "r.nc").exists()
    deep = tmp_path / "a" / "b" / "c"
    assert main(["netlist", LAGLINE, "-o", str(deep / "l.cir"), "--parents", "-q"]) == 0
    assert (deep / "l.cir").exists()
    assert main(["compare", LAGLINE, "--backends", "numba,numpy", "--t-stop", "1",
                 "--out", str(tmp_path / "x" / "y"), "--parents", "-q"]) == 0
    assert (tmp_path / "x" / "y" / "comparison.txt").exists()


def test_out_that_is_a_folder_or_under_a_file(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r.nc").mkdir()
    assert main(["simulate", LAGLINE, "-o", str(tmp_path / "r.nc"), "-q"]) == 2
    line = one_error(capsys)
    assert f"--out {tmp_path / 'r.nc'}: is a folder" in line
    (tmp_path / "f").write_text("")
    assert main(["train", STUDENT, "--out", str(tmp_path / "f"), "-q"]) == 2
    assert "is a file, not a folder" in one_error(capsys)


def test_the_convention_is_in_every_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("simulate", "train", "netlist", "compare"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "one missing level is created" in text and "--parents" in text, command


def test_mapping_options_are_one_definition_shared_by_the_commands() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices  # type: ignore[attr-defined]

    def option(command: str, flag: str) -> tuple[Any, ...]:
        action = next(a for a in sub[command]._actions if flag in a.option_strings)
        return action.option_strings, action.type, action.help

    for flag in ("--time-scale", "--prune-below"):
        assert option("netlist", flag) == option("compare", flag) == option("simulate", flag)


def test_mapping_options_without_spice_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", LAGLINE, "--backends", "numba,numpy", "--prune-below",
                 "1e-3"]) == 2
    assert "--prune-below apply to the spice backend" in one_error(capsys)


@needs_ngspice
def test_compare_accepts_the_options_its_refusals_suggest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gle = str(EXAMPLES / "lagline_gle.toml")
    args = ["compare", gle, "--backends", "numba,spice", "-t", "onchip", "--t-stop", "1",
            "--tol", "1", "-q"]
    assert main(args) == 2
    refusal = one_error(capsys)
    assert "--time-scale" in refusal
    assert main([*args, "--time-scale", "1e-5", "--prune-below", "1e-9"]) == 0


def test_progress_bars_only_on_a_terminal_unless_forced(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[bool] = []

    def fake(model: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["progress"])
        raise KeyboardInterrupt

    monkeypatch.setattr("vle.commands.simulate.simulate_model", fake)
    out = ["simulate", LAGLINE, "-o", str(tmp_path / "r.nc")]
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    for extra in ([], ["--progress"], ["--no-progress"], ["--progress", "-q"]):
        main([*out, *extra])
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    main(out)
    assert seen == [False, True, False, False, True]


def test_a_piped_run_writes_no_progress_bar_unless_forced(tmp_path: Path) -> None:
    """Through a real pipe, a training run long enough to draw a bar (tqdm waits one second
    before its first one; this run trains for about 1.5 s): stderr stays empty, and holds
    the bar with --progress."""
    def train(out: str, *extra: str) -> str:
        proc = subprocess.run([sys.executable, "-m", "vle", "train", STUDENT, "--out",
                               str(tmp_path / out), "--t-stop", "2500", *extra],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc.stderr

    assert train("piped") == ""
    assert "step/s" in train("forced", "--progress")
