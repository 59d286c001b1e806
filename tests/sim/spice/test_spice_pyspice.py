"""The PySpice runner: the same numbers as the batch runner, alter-based reruns, and PySpice
1.5's quirks kept out of sight."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT
from spice_cases import SPICE_MARKS

from vle import load_model, simulate_model
from vle.circuits import write_netlist
from vle.mapping import compile
from vle.model import Network
from vle.sim.spice import simulate_models, sweep_circuit
from vle.sim.spice.pyspice_runner import PySpiceRunner, device_name
from vle.sim.spice.runner import get_runner

pytestmark = SPICE_MARKS

SAME_ENGINE = 1e-12
"""In-process (alter) and batch runs are the same ngspice 39 on the same circuit; only the
output path differs (binary rawfile against shared-library vectors), so volts agree to
rounding."""
ALTERED = 1e-6
"""An altered capacitor against a netlist compiled with the new time constants: the two
circuits differ in the last digits of their component values and in ngspice's adaptive time
points, both far below 1e-6 of a unit-range trace."""
NETLIST = write_netlist(compile(load_model(ROOT / "examples" / "lagline.toml"), "ideal")[0])
"""The ideal LagLine netlist as the backend writes it: the checked-in one without its by-hand
.control block (which writes its own rawfile and would leave the runner's -r file empty)."""


def test_device_names() -> None:
    assert device_name("xsec_h1_0.R1") == "r.xsec_h1_0.r1"
    assert device_name("x1.x2.C1") == "c.x1.x2.c1"
    assert device_name("Vone") == "vone"


def test_same_numbers_as_the_batch_runner(tmp_path: Path) -> None:
    batch = get_runner("batch").run(NETLIST, name="lagline", workdir=tmp_path)
    inproc = get_runner("pyspice").run(NETLIST, name="lagline")
    assert set(inproc.plot.names) == set(batch.plot.names)
    for name in batch.plot.names:
        np.testing.assert_array_equal(inproc.plot[name], batch.plot[name])
    assert inproc.runner == "pyspice" and inproc.warnings == ()


def test_alter_reruns_equal_edited_netlists(tmp_path: Path) -> None:
    values = (800.0, 900.0, 1234.5)
    runs = PySpiceRunner().sweep(NETLIST, [{"r.xsec_h1_0.r1[resistance]": v} for v in values])
    for value, run in zip(values, runs, strict=True):
        edited = NETLIST.replace("R1 inp out 900", f"R1 inp out {value:g}")
        assert edited != NETLIST or value == 900.0
        want = get_runner("batch").run(edited, name=f"r{value:g}", workdir=tmp_path)
        np.testing.assert_allclose(run.plot["v(out_r_0)"], want.plot["v(out_r_0)"],
                                   rtol=0, atol=SAME_ENGINE)
    assert not np.allclose(runs[0].plot["v(out_r_0)"][-1], runs[1].plot["v(out_r_0)"][-1])


def test_quirks_stay_inside(capfd: pytest.CaptureFixture[str]) -> None:
    from vle.sim.spice import pyspice_runner

    floating = "floating\nV1 a 0 DC 1\nR1 a b 1k\nC1 b c 1u\nC2 c d 1u\n.tran 1u 1m\n.end\n"
    with pytest.raises(Exception, match="singular matrix"):
        PySpiceRunner().run(floating, name="floating")
    run = PySpiceRunner().run(NETLIST)
    assert run.plot.points > 1000
    out = capfd.readouterr()
    # no version warning, no notes logged as errors, no cffi callback complaints
    for text in ("Unsupported Ngspice version", "gmin", "integer is required"):
        assert text not in out.out + out.err
    shared = pyspice_runner._shared()
    assert shared is pyspice_runner._shared()  # one instance per process
    assert shared.plot_names == ["const"]  # every circuit and plot removed after its run


def test_backend_with_the_pyspice_runner() -> None:
    model = load_model(ROOT / "examples" / "lagline.toml").with_simulation(t_stop=8.0)
    a = simulate_model(model, backend="spice", runner="pyspice")
    b = simulate_model(model, backend="spice")
    assert a.metadata["runner"] == "pyspice" and "PySpice" in a.metadata["versions"]
    for name in b.traces:
        np.testing.assert_array_equal(a[name], b[name])



def test_sweep_circuit_alters_time_constants() -> None:
    model = load_model(ROOT / "examples" / "lagline.toml").with_simulation(t_stop=8.0)
    circuit, _ = compile(model)
    cap = device_name("xsec_h1_0.C1")  # tau_m = (R1 + R2) C1, tau_r = R2 C1 of unit h1[0]
    same, doubled = sweep_circuit(circuit, [{}, {f"{cap}[capacitance]": 2e-6}])
    net = model.network
    pops = tuple(replace(p, tau_m=2.0, tau_r=0.2) if p.name == "h1" else p
                 for p in net.populations)
    slower = replace(model, network=Network(net.name, pops, net.projections))
    (want,) = simulate_models([slower])
    np.testing.assert_allclose(np.interp(want.raw.time, doubled.time, doubled["out.r"][:, 0]),
                               want.raw["out.r"][:, 0], atol=ALTERED)
    assert abs(same["out.r"][-1, 0] - doubled["out.r"][-1, 0]) > 1e-3
