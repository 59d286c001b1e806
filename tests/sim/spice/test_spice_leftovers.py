"""SPICE temporary folders: removed after a run, a timeout and a kill of ``vle`` (through the
CLI, with its own TMPDIR), kept with --keep; a failed run keeps only the netlist its error
names."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES
from spice_cases import SPICE_MARKS, processes_in

from vle.sim.spice.batch import TEMP_PREFIX, BatchRunner
from vle.sim.spice.errors import SpiceError

pytestmark = SPICE_MARKS
LAGLINE = str(EXAMPLES / "lagline.toml")
LONG = ["--t-stop", "4000", "--max-memory", "20G"]
"""A run of about a minute (4000 model time units, 4e6 time points; its rawfile, some 250 MB,
is above the default budget of a small machine, hence the explicit budget)."""


def vle(tmp: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TMPDIR": str(tmp / "tmp")}
    (tmp / "tmp").mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "vle", "simulate", LAGLINE, "--backend",
                             "spice", "-o", str(tmp / "r.nc"), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def folders(tmp: Path) -> list[Path]:
    return sorted((tmp / "tmp").glob(f"{TEMP_PREFIX}*"))


def test_a_run_leaves_nothing_and_keep_keeps_it(tmp_path: Path) -> None:
    assert finish(vle(tmp_path, "--t-stop", "2"))[0] == 0
    assert folders(tmp_path) == []
    status, out, _ = finish(vle(tmp_path, "--t-stop", "2", "--keep"))
    assert status == 0
    kept = folders(tmp_path)
    assert len(kept) == 1 and f"SPICE files kept in {kept[0]}" in out
    assert sorted(p.name for p in kept[0].iterdir()) == ["lagline.cir", "lagline.raw"]


def test_a_timeout_leaves_nothing(tmp_path: Path) -> None:
    status, _, err = finish(vle(tmp_path, *LONG, "--timeout", "0.5"))
    assert status == 1 and "ngspice timed out on netlist" in err
    assert "its temporary folder was removed (keep=True, or --keep, keeps it)" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert folders(tmp_path) == []


def test_a_killed_vle_stops_ngspice_and_leaves_nothing(tmp_path: Path) -> None:
    proc = vle(tmp_path, *LONG)
    deadline = time.monotonic() + 60
    while not any(processes_in(f) for f in folders(tmp_path)):  # until ngspice runs
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
        time.sleep(0.05)
    running = folders(tmp_path)
    time.sleep(0.3)  # let it write part of its rawfile
    proc.send_signal(signal.SIGTERM)
    status, _, err = finish(proc)
    assert status == 143 and err.strip() == "vle: terminated"
    assert folders(tmp_path) == []
    assert all(processes_in(f) == [] for f in running)
    assert not (tmp_path / "r.nc").exists()


def test_a_failed_run_keeps_only_its_netlist() -> None:
    from test_spice_runner import NO_CONVERGENCE

    with pytest.raises(SpiceError) as info:
        BatchRunner().run(NO_CONVERGENCE, name="failed")
    folder = Path(info.value.netlist).parent
    try:
        assert [p.name for p in folder.iterdir()] == ["failed.cir"]
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


POOL_SCRIPT = """
import signal, sys
from vle.sim.spice.pool import Job, raise_terminated, run_jobs
SLOW = "slow\\nV1 a 0 SIN(0 1 1k)\\nR1 a b 1k\\nC1 b 0 1u\\n.tran 1n 1 0 1n\\n.end\\n"
if __name__ == "__main__":
    signal.signal(signal.SIGTERM, raise_terminated)  # as the CLI does
    try:
        run_jobs([Job(SLOW, "a"), Job(SLOW, "b")], workers=2, timeout=100)
    except KeyboardInterrupt:
        sys.exit(143)
"""


def test_a_killed_pool_stops_its_workers_runs_and_leaves_nothing(tmp_path: Path) -> None:
    script = tmp_path / "pool.py"
    script.write_text(POOL_SCRIPT)
    (tmp_path / "tmp").mkdir()
    proc = subprocess.Popen([sys.executable, str(script)], stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(tmp_path / "tmp")})
    deadline = time.monotonic() + 60
    while sum(bool(processes_in(f)) for f in folders(tmp_path)) < 2:  # both ngspice run
        assert proc.poll() is None and time.monotonic() < deadline, proc.stderr
        time.sleep(0.05)
    running = folders(tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert folders(tmp_path) == [] and all(processes_in(f) == [] for f in running)
