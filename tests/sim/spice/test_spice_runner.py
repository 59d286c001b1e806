"""Runs that fail: each gives one clear error (the netlist, what happened, how far it got) and
leaves no ngspice process behind."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import EXAMPLES
from spice_cases import needs_ngspice, processes_in

from vle import simulate, simulate_model
from vle.cli import main
from vle.model import Sine, load_model
from vle.sim.backend import BackendUnavailable
from vle.sim.spice.batch import BatchRunner
from vle.sim.spice.errors import SpiceError, SpiceNotFound, SpiceTimeout
from vle.sim.spice.pyspice_runner import PySpiceRunner
from vle.sim.spice.runner import get_runner

NO_CONVERGENCE = """no convergence: two behavioural sources in a loop with no solution
V1 a 0 PULSE(0 1 0.1m 1n 1n 1m 2m)
B1 b 0 V= V(a) > 0.5 ? -V(b)+2*V(c) : 0
B2 c 0 V= V(b) > 0.3 ? 1-V(b) : V(b)+1
R1 b 0 1k
R2 c 0 1k
.tran 1u 1m
.end
"""

SINGULAR = """singular: a floating node that ngspice rescues by gmin stepping (exit status 0)
V1 a 0 DC 1
R1 a b 1k
C1 b c 1u
C2 c d 1u
.tran 1u 1m
.end
"""

SLOW = """slow: a billion time steps
V1 a 0 SIN(0 1 1k)
R1 a b 1k
C1 b 0 1u
.tran 1n 1 0 1n
.end
"""

FAKE_NGSPICE = """#!/bin/sh
# stands in for `ngspice -b -r RAW NETLIST`: says all is well, writes a cut-off raw file
printf 'Title: fake\\nPlotname: Transient Analysis\\nFlags: real\\nNo. Variables: 2\\n' > "$3"
printf 'No. Points: 10\\nVariables:\\n\\t0\\ttime\\ttime\\n\\t1\\tv(a)\\tvoltage\\n' >> "$3"
printf 'Binary:\\ngarbage' >> "$3"
echo "Circuit: fake"
"""


@needs_ngspice
@pytest.mark.parametrize("runner", ["batch", "pyspice"])
def test_netlist_that_cannot_converge(runner: str, tmp_path: Path) -> None:
    with pytest.raises(SpiceError) as info:
        get_runner(runner).run(NO_CONVERGENCE, name="loop", workdir=tmp_path)
    err = info.value
    assert "loop" in str(err) and "Timestep too small" in str(err)
    assert "at t = 0.0001 s of 0.001 s" in str(err)
    assert err.reached == pytest.approx(1e-4) and err.stop == pytest.approx(1e-3)
    assert processes_in(tmp_path) == []


@needs_ngspice
@pytest.mark.parametrize("runner", ["batch", "pyspice"])
def test_rescued_singular_matrix_is_a_failure(runner: str, tmp_path: Path) -> None:
    with pytest.raises(SpiceError, match=r"ran to the end.*singular matrix"):
        get_runner(runner).run(SINGULAR, name="floating", workdir=tmp_path)


@needs_ngspice
@pytest.mark.parametrize("runner", ["batch", "pyspice"])
def test_unknown_subcircuit(runner: str, tmp_path: Path) -> None:
    netlist = "bad\nV1 a 0 DC 1\nX1 a b nosuch\n.tran 1u 1m\n.end\n"
    with pytest.raises(SpiceError, match=r"bad\.cir.*unknown subckt"):
        get_runner(runner).run(netlist, name="bad", workdir=tmp_path)


@needs_ngspice
@pytest.mark.parametrize("runner", ["batch", "pyspice"])
def test_timeout_stops_ngspice(runner: str, tmp_path: Path) -> None:
    start = time.perf_counter()
    with pytest.raises(SpiceTimeout, match=r"timed out on netlist .*slow.*of 1 s: no result "
                       r"within 0.5 s") as info:
        get_runner(runner).run(SLOW, name="slow", workdir=tmp_path, timeout=0.5)
    assert time.perf_counter() - start < 10
    assert info.value.reached is not None and 0 < info.value.reached < 1
    assert processes_in(tmp_path) == []
    # the runner works again afterwards
    again = get_runner(runner).run(SLOW.replace(".tran 1n 1 0 1n", ".tran 1u 1m"),
                                   name="quick", workdir=tmp_path)
    assert again.plot.scale[-1] == pytest.approx(1e-3)


@needs_ngspice
def test_failed_run_without_workdir_keeps_its_files() -> None:
    with pytest.raises(SpiceError) as info:
        BatchRunner().run(NO_CONVERGENCE, name="kept")
    path = Path(info.value.netlist)
    try:
        assert path.name == "kept.cir" and path.read_text() == NO_CONVERGENCE
    finally:
        for f in path.parent.iterdir():
            f.unlink()
        path.parent.rmdir()


def test_missing_ngspice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SpiceNotFound, match=r"sudo apt-get install ngspice"):
        get_runner("batch")
    with pytest.raises(BackendUnavailable, match=r"backend 'spice'.*sudo apt-get install "
                       r"ngspice"):
        simulate_model(load_model(EXAMPLES / "lagline.toml"), backend="spice")
    assert main(["simulate", str(EXAMPLES / "lagline.toml"), "--backend", "spice", "-o",
                 str(tmp_path / "r.nc"), "-q"]) == 1
    assert "install it with `sudo apt-get install ngspice`" in capsys.readouterr().err


def test_missing_libngspice(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes.util

    monkeypatch.delenv("NGSPICE_LIBRARY_PATH", raising=False)
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert "sudo apt-get install libngspice0-dev" in str(PySpiceRunner().unavailable())


def test_corrupt_raw_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bin" / "ngspice"
    fake.parent.mkdir()
    fake.write_text(FAKE_NGSPICE)
    fake.chmod(0o755)
    work = tmp_path / "work"
    with pytest.raises(SpiceError, match=r"c\.cir: its result cannot be read: raw file "
                       r".*c\.raw: is truncated: the header promises 10 points of 2 "
                       r"variables, the file holds 0"):
        BatchRunner(str(fake)).run(SINGULAR, name="c", workdir=work)
    assert processes_in(work) == []
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(SpiceError, match="is truncated"):
        simulate(load_model(EXAMPLES / "lagline.toml").network, {"x": Sine()}, t_stop=1.0,
                 dt=0.01, backend="spice", workdir=str(tmp_path / "sim"))


@needs_ngspice
def test_unknown_option_and_runner_are_refused() -> None:
    net = load_model(EXAMPLES / "lagline.toml").network
    with pytest.raises(ValueError, match=r"no option 'technolgy'; its options are"):
        simulate(net, {"x": Sine()}, t_stop=1.0, dt=0.01, backend="spice", technolgy="ideal")
    with pytest.raises(ValueError, match=r"unknown SPICE runner 'fast'; use one of batch, "
                       "pyspice"):
        simulate(net, {"x": Sine()}, t_stop=1.0, dt=0.01, backend="spice", runner="fast")
    result = simulate(net, {"x": Sine()}, t_stop=1.0, dt=0.01, backend="spice")
    assert np.all(np.isfinite(result["out.r"]))
