"""Netlists a user runs by hand: the golden netlists carry a ``.control`` block, so the plain
``ngspice -b netlists/<name>.cir`` runs the transient, writes ``netlists/<name>.raw`` (wherever
ngspice is started from) and exits 0; their header gives the command lines and the trace ->
node table. Without a control block the writer's output is what the SPICE backend runs."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT
from spice_cases import needs_ngspice

from vle.circuits import (
    Behavioral,
    Capacitor,
    Circuit,
    CircuitError,
    Probe,
    ProbeMap,
    Resistor,
    Section,
    Transient,
    format_value,
    parse_value,
    technology_names,
    write_netlist,
)
from vle.circuits.netlist import LINE_WIDTH, Control
from vle.cli import main
from vle.mapping import compile
from vle.model import load_model
from vle.sim.spice.rawfile import read_raw, transient

GOLDEN = sorted((ROOT / "netlists").glob("*.cir"))
FULL = [f"lagline_{tech}.cir" for tech in technology_names()]
"""Golden netlists also run here exactly as checked in: one per technology."""
SHORTEN = 20
"""The by-hand runs of every golden netlist simulate the first 1/SHORTEN of its ``.tran`` (the
rest of the file as checked in): about 1 s of CPU time for all of them instead of about 13 s
(a lagnet netlist takes 2 s). Full length: :data:`FULL` here, and every golden netlist in
tests/test_netlist_spice.py, whose batch runner reads the rawfile the control block wrote
(ngspice ignores its ``-r`` for a netlist with a control block)."""
NGSPICE_TIMEOUT_S = 120
"""Per run; the longest golden netlist takes about 2 s."""


def _header(text: str) -> list[str]:
    """The comment lines before ``.options``."""
    return text.split("\n.options", 1)[0].splitlines()


def _prose(text: str) -> str:
    """The header's comment text as one line (so a sentence broken over lines is found)."""
    return " ".join(ln[1:].strip() for ln in _header(text))


@functools.cache
def _compiled(netlist: Path) -> Circuit:
    """The circuit of a golden netlist ``<example>_<technology>.cir``."""
    example, tech = netlist.stem.rsplit("_", 1)
    return compile(load_model(ROOT / "examples" / f"{example}.toml"), tech)[0]


def _shortened(text: str) -> str:
    """``text`` with the stop time of its ``.tran`` card divided by :data:`SHORTEN`."""
    def cut(card: re.Match[str]) -> str:
        tokens = card.group(0).split()
        tokens[2] = format_value(parse_value(tokens[2]) / SHORTEN)
        return " ".join(tokens)

    return re.sub(r"^\.tran .*$", cut, text, count=1, flags=re.M)


CASES = [(p.name, "short") for p in GOLDEN] + [(name, "full") for name in FULL]


@pytest.fixture(scope="module")
def by_hand(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every case run as a user would from the repository root: ``ngspice -b
    netlists/<name>.cir`` in a copy of the root (one per length), two at a time. Returns the
    copy of each case after its run, which must have exited 0."""
    roots = {length: tmp_path_factory.mktemp(f"repo_{length}") for length in ("short", "full")}
    for length, root in roots.items():
        (root / "netlists").mkdir()
        for name, case_length in CASES:
            if case_length == length:
                text = (ROOT / "netlists" / name).read_text()
                (root / "netlists" / name).write_text(_shortened(text) if length == "short"
                                                      else text)

    def run(case: tuple[str, str]) -> int:
        return subprocess.run(["ngspice", "-b", f"netlists/{case[0]}"], cwd=roots[case[1]],
                              stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=NGSPICE_TIMEOUT_S).returncode

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        status = dict(zip(CASES, pool.map(run, CASES), strict=True))
    assert {case: rc for case, rc in status.items() if rc} == {}, "ngspice -b exit status"
    return {case: roots[case[1]] for case in CASES}


@needs_ngspice
@pytest.mark.parametrize(("name", "length"), CASES, ids=[f"{n}-{m}" for n, m in CASES])
def test_golden_netlist_runs_by_hand(name: str, length: str,
                                     by_hand: dict[tuple[str, str], Path]) -> None:
    """Exit status 0 (checked by the fixture), the rawfile where the header says, every probed
    node in it and finite, over the whole transient."""
    root = by_hand[name, length]
    text = (root / "netlists" / name).read_text()
    raw = Path(name).with_suffix(".raw").name
    assert f"write the binary rawfile {raw} into the folder of this netlist" in _prose(text)
    assert (root / "netlists" / raw).is_file() and not (root / raw).exists()
    plot = transient(read_raw(root / "netlists" / raw))
    saved = re.findall(r"v\(([a-z0-9_]+)\)", text.split("\n.save", 1)[1].split(".control")[0])
    assert saved
    for node in saved:
        assert np.all(np.isfinite(plot[f"v({node})"])), node
    tran = re.search(r"^\.tran \S+ (\S+)", text, flags=re.M)
    assert tran is not None
    assert plot.scale[0] == 0.0 and plot.scale[-1] == pytest.approx(parse_value(tran.group(1)))


@needs_ngspice
def test_control_block_runs_the_transient_once_and_changes_nothing(tmp_path: Path) -> None:
    """The rawfile the block writes holds bit for bit the vectors of the backend's own run
    (``ngspice -b -r`` of the netlist without a control block), and batch mode ran one
    transient, not the ``.tran`` card and then ``run`` again."""
    circuit = _compiled(ROOT / "netlists/lagline_ideal.cir")
    (tmp_path / "plain.cir").write_text(write_netlist(circuit))
    (tmp_path / "hand.cir").write_text(write_netlist(circuit, control=Control("hand.cir")))
    subprocess.run(["ngspice", "-b", "-r", "plain.raw", "plain.cir"], cwd=tmp_path,
                   capture_output=True, check=True, timeout=NGSPICE_TIMEOUT_S)
    done = subprocess.run(["ngspice", "-b", "hand.cir"], cwd=tmp_path, capture_output=True,
                          text=True, check=True, timeout=NGSPICE_TIMEOUT_S)
    assert done.stdout.count("Initial Transient Solution") == 1
    plain, hand = transient(read_raw(tmp_path / "plain.raw")), transient(read_raw(tmp_path /
                                                                                  "hand.raw"))
    assert sorted(plain.names) == sorted(hand.names)
    for name in plain.names:
        assert np.array_equal(plain[name], hand[name]), name


@needs_ngspice
def test_interactive_mode_writes_the_rawfile_and_stays_at_the_prompt(tmp_path: Path) -> None:
    """``ngspice model.cir``: the block runs on loading; without ``$batchmode`` it does not quit,
    so the commands typed afterwards (here on standard input) see the one transient plot."""
    shutil.copy(ROOT / "netlists/twolayer_ideal.cir", tmp_path)
    done = subprocess.run(["ngspice", "-i", "twolayer_ideal.cir"], cwd=tmp_path,
                          input="echo plots: $plots\nquit\n", capture_output=True, text=True,
                          timeout=NGSPICE_TIMEOUT_S)
    assert done.returncode == 0
    assert "plots: const tran1" in done.stdout
    assert transient(read_raw(tmp_path / "twolayer_ideal.raw")).points > 100


def _runaway() -> Circuit:
    """C dv/dt = v^2 (C = 1 F, v(0) = 1 V): v = 1 / (1 - t) blows up at t = 1 s, so the
    2 s transient aborts ("Timestep too small")."""
    return Circuit(
        "runaway", (Section("cells", (Capacitor("C1", "a", "0", 1.0),
                                      Behavioral("B1", "0", "a", "i", "v(a)*v(a)"))),),
        initial_conditions=(("a", 1.0),), analyses=(Transient(1e-3, 2.0),),
        probes=ProbeMap(1.0, (Probe("a.u", ("a",), 1.0),)))


@needs_ngspice
def test_a_failed_transient_writes_no_rawfile_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "runaway.cir").write_text(write_netlist(_runaway(),
                                                        control=Control("runaway.cir")))
    done = subprocess.run(["ngspice", "-b", "runaway.cir"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=NGSPICE_TIMEOUT_S)
    assert done.returncode == 1
    assert "Timestep too small" in done.stdout + done.stderr
    assert not (tmp_path / "runaway.raw").exists()


def _trace_table(text: str) -> dict[str, tuple[str, str, list[str]]]:
    """The header's trace table: trace -> (scale, offset, nodes)."""
    lines = _header(text)
    start = next(k for k, ln in enumerate(lines) if ln.startswith("*   trace  ")) + 1
    table: dict[str, tuple[str, str, list[str]]] = {}
    last = ""
    for line in lines[start:]:
        fields = line[1:].split()
        if line[4:5].strip():  # a trace's row; a continuation has only nodes, further right
            last = fields[0]
            table[last] = (fields[1], fields[2], fields[3:])
        else:
            table[last][2].extend(fields)
    return table


@pytest.mark.parametrize("netlist", GOLDEN, ids=lambda p: p.name)
def test_header_names_every_probe_and_the_commands(netlist: Path) -> None:
    circuit = _compiled(netlist)
    assert circuit.probes is not None
    text = netlist.read_text()
    header = _header(text)
    assert f"*   batch:       ngspice -b {netlist.name}" in header
    assert any(ln.startswith(f"*   interactive: ngspice {netlist.name}   ") for ln in header)
    table = _trace_table(text)
    assert list(table) == list(circuit.probes.traces)
    for probe in circuit.probes.probes:
        scale, offset, nodes = table[probe.trace]
        assert nodes == list(probe.nodes)
        assert parse_value(scale) == probe.scale and parse_value(offset) == probe.offset
    assert f"model time = time / {format_value(circuit.probes.time_scale)}s" in _prose(text)


@pytest.mark.parametrize("netlist", GOLDEN, ids=lambda p: p.name)
def test_control_only_adds_the_header_and_the_block(netlist: Path) -> None:
    """Without a control block the text is the control-on text less the two additions: the
    header block after the circuit's own header, and the block before ``.end``."""
    circuit = _compiled(netlist)
    plain = write_netlist(circuit)
    assert plain == write_netlist(circuit, control=None)
    hand = netlist.read_text()
    assert hand == write_netlist(circuit, control=Control(netlist.name))
    first = len(circuit.header) + 1
    header_end = hand.index("\n.options")
    block = hand.index("\n\n* run by hand")
    stripped = "\n".join(hand[:header_end].splitlines()[:first]) + hand[header_end:block] + \
        "\n.end\n"
    assert stripped == plain
    assert ".control" not in plain and "Run by hand" not in plain


def test_long_node_lists_continue_under_the_nodes_column() -> None:
    nodes = tuple(f"hidden_layer_ub_{k}" for k in range(40))
    circuit = Circuit("wide", (Section("loads", tuple(Resistor(f"R{k}", n, "0", 1e3)
                                                     for k, n in enumerate(nodes))),),
                      analyses=(Transient(1e-3, 1.0),),
                      probes=ProbeMap(1e-3, (Probe("hidden_layer.ub", nodes, 0.1),
                                             Probe("x.r", nodes[:1], 0.1))))
    text = write_netlist(circuit, control=Control("wide.cir"))
    assert max(len(ln) for ln in _header(text)[1:]) <= LINE_WIDTH
    assert _trace_table(text) == {"hidden_layer.ub": ("100m", "0", list(nodes)),
                                  "x.r": ("100m", "0", [nodes[0]])}


def test_the_backend_runs_netlists_without_a_control_block(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The SPICE backend's own runs (``ngspice -b -r``) get the netlist without the block: a
    ``.control`` block would make ngspice ignore ``-r``."""
    from vle.sim.spice import backend
    from vle.sim.spice.pool import Job

    seen: list[str] = []

    def capture(jobs: list[Job], **_: object) -> None:
        seen.extend(job.netlist for job in jobs)
        raise RuntimeError("captured")

    monkeypatch.setattr(backend, "run_jobs", capture)
    circuit = _compiled(ROOT / "netlists/lagline_ideal.cir")
    with pytest.raises(RuntimeError, match="captured"):
        backend.run_circuits([("lagline", circuit, None)], backend.SpiceOptions())
    assert seen == [write_netlist(circuit)]


BAD_FILE_NAMES = ["x.raw\n.control", "x.raw\nshell rm -rf ~", "a b.raw", "$HOME.raw",
                  "x;quit.raw", "shell.raw", "x.control.raw", "x.endc.raw", "../x.raw",
                  "/tmp/x.raw", "sub/x.raw", ".x.raw", "-x.raw", "x.raw\r", "x(1).raw", "",
                  "x" * 200 + ".raw", 7]


@pytest.mark.parametrize("name", [n for n in BAD_FILE_NAMES if n != ""], ids=repr)
def test_rawfile_names_cannot_inject(name: object) -> None:
    with pytest.raises(CircuitError) as err:
        Control("model.cir", rawfile=name)  # type: ignore[arg-type]
    assert str(err.value).startswith("control block: rawfile name: ")


@pytest.mark.parametrize("name", [n.replace(".raw", ".cir") if isinstance(n, str) else n
                                  for n in BAD_FILE_NAMES], ids=repr)
def test_netlist_names_cannot_inject(name: object) -> None:
    with pytest.raises(CircuitError) as err:
        Control(name)  # type: ignore[arg-type]
    assert str(err.value).startswith("control block: netlist file name: ")


def test_rawfile_name_rules() -> None:
    assert Control("lagline_ideal.cir").rawfile == "lagline_ideal.raw"
    assert Control("run-2.v1.cir", rawfile="out_2.RAW").rawfile == "out_2.RAW"
    with pytest.raises(CircuitError, match="does not end in '.raw'"):
        Control("model.cir", rawfile="model.cir2")
    with pytest.raises(CircuitError, match="the netlist's own name"):
        Control("model.raw")


def test_a_control_block_needs_exactly_one_transient() -> None:
    circuit = _runaway()
    for analyses in ((), (Transient(1e-3, 1.0), Transient(1e-3, 2.0))):
        bare = Circuit(circuit.title, circuit.sections, analyses=analyses)
        assert ".control" not in write_netlist(bare)
        with pytest.raises(CircuitError, match=f"has {len(analyses)} .tran analyses"):
            write_netlist(bare, control=Control("x.cir"))


def test_cli_control_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = str(ROOT / "examples/lagline.toml")
    assert main(["netlist", model, "-o", str(tmp_path / "a.cir"), "-q"]) == 0
    assert main(["netlist", model, "-o", str(tmp_path / "b.cir"), "-q", "--no-control"]) == 0
    hand, plain = (tmp_path / "a.cir").read_text(), (tmp_path / "b.cir").read_text()
    assert "write $inputdir/a.raw" in hand and "*   batch:       ngspice -b a.cir" in hand
    assert plain == write_netlist(_compiled(ROOT / "netlists/lagline_ideal.cir"))
    assert main(["netlist", model, "-o", str(tmp_path / "a b.cir")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--no-control" in err and "'a b.cir'" in err
    assert main(["netlist", model, "-o", str(tmp_path / "a b.cir"), "-q", "--no-control"]) == 0
