"""The raw-file reader against files written here (every layout it reads) and by ngspice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from spice_cases import needs_ngspice

from vle.sim.spice.errors import RawFileError
from vle.sim.spice.rawfile import read_raw, transient


def header(names: list[str], points: int, *, flags: str = "real",
           plot: str = "Transient Analysis", body: str = "Binary:") -> bytes:
    """A raw-file header as ngspice writes it."""
    lines = ["Title: test", "Date: today", f"Plotname: {plot}", f"Flags: {flags}",
             f"No. Variables: {len(names)}", f"No. Points: {points}   ", "Variables:"]
    lines += [f"\t{k}\t{n}\t{'time' if k == 0 else 'voltage'}" for k, n in enumerate(names)]
    return ("\n".join(lines + [body]) + "\n").encode()


def binary(table: np.ndarray) -> bytes:
    """Rows of points, little-endian float64 (complex values as re, im pairs)."""
    if np.iscomplexobj(table):
        table = np.stack([table.real, table.imag], axis=-1)
    return np.ascontiguousarray(table, dtype="<f8").tobytes()


TABLE = np.array([[0.0, 1.0, -2.0], [1e-3, 1.5, -2.5], [2e-3, 2.0, -3.0]])


def test_binary_real(tmp_path: Path) -> None:
    path = tmp_path / "r.raw"
    path.write_bytes(header(["time", "v(a)", "V(B)"], 3) + binary(TABLE))
    (plot,) = read_raw(path)
    assert plot.plotname == "Transient Analysis" and plot.points == 3
    np.testing.assert_array_equal(plot.scale, TABLE[:, 0])
    np.testing.assert_array_equal(plot["v(b)"], TABLE[:, 2])  # names ignore case
    assert "V(A)" in plot and "v(c)" not in plot
    with pytest.raises(KeyError, match=r"no vector 'v\(c\)'.*time, v\(a\), V\(B\)"):
        plot["v(c)"]


def test_ascii_complex_and_several_plots(tmp_path: Path) -> None:
    values = "\n".join(f" {k}\t{k}.0,0.0\n\t{2 * k}.5,{-k}.0\n" for k in range(2))
    ac = header(["frequency", "v(out)"], 2, flags="complex", plot="AC Analysis",
                body="Values:") + values.encode()
    tran = header(["time", "v(a)", "v(b)"], 3) + binary(TABLE)
    path = tmp_path / "two.raw"
    path.write_bytes(ac + tran)
    first, second = read_raw(path)
    np.testing.assert_array_equal(first["v(out)"], [0.5 + 0j, 2.5 - 1j])
    assert transient((first, second)) is second
    with pytest.raises(RawFileError, match="has no transient analysis"):
        transient((first,))


def test_binary_complex(tmp_path: Path) -> None:
    table = np.array([[1.0 + 0j, 1 + 2j], [10.0 + 0j, 3 - 4j]])
    path = tmp_path / "c.raw"
    path.write_bytes(header(["frequency", "v(a)"], 2, flags="complex", plot="AC Analysis")
                     + binary(table))
    np.testing.assert_array_equal(read_raw(path)[0].data, table)


def test_unfinished_run(tmp_path: Path) -> None:
    path = tmp_path / "u.raw"
    path.write_bytes(header(["time", "v(a)", "v(b)"], 0) + binary(TABLE) + b"\x00" * 11)
    with pytest.raises(RawFileError, match="declares 0 points but holds 3: written by a run "
                       "that did not finish"):
        read_raw(path)
    (plot,) = read_raw(path, partial=True)
    np.testing.assert_array_equal(plot.data, TABLE)


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "is empty"),
    (b"\x7fELF\x02\x01\x01 not a raw file at all", "has no 'Binary:' or 'Values:' line"),
    (header(["time", "v(a)", "v(b)"], 5) + binary(TABLE), "is truncated: the header "
     "promises 5 points of 3 variables, the file holds 3"),
    (header(["time", "v(a)"], 1).replace(b"No. Variables: 2", b"No. Variables: 3")
     + binary(TABLE[:1]), "plot 'Transient Analysis' declares 3 variables but lists 2"),
    (header(["time"], 1).replace(b"No. Points: 1", b"No. Points: many")
     + binary(TABLE[:1, :1]), "'No. Points' is 'many', not a whole number"),
    (header(["time"], 1).replace(b"Flags: real\n", b"") + binary(TABLE[:1, :1]),
     "header lacks 'Flags'"),
    (b"Title: x\nPlotname: y\n\xff\xfe\nBinary:\n", "header at byte 0 is not text"),
])
def test_corrupt_files_name_the_file_and_the_problem(tmp_path: Path, content: bytes,
                                                     problem: str) -> None:
    path = tmp_path / "bad.raw"
    path.write_bytes(content)
    with pytest.raises(RawFileError, match="raw file .*bad.raw: " + problem.replace(
            "(", r"\(").replace(")", r"\)")):
        read_raw(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RawFileError, match="cannot be read"):
        read_raw(tmp_path / "nothing.raw")


@needs_ngspice
def test_files_written_by_ngspice_in_both_forms(tmp_path: Path) -> None:
    import subprocess

    netlist = tmp_path / "rc.cir"
    netlist.write_text("rc\nV1 a 0 SIN(0 1 1k)\nR1 a b 1k\nC1 b 0 1u\n.control\n"
                       "set filetype=ascii\ntran 10u 1m\nwrite asc.raw v(a) v(b)\n"
                       "set filetype=binary\nwrite bin.raw v(a) v(b)\n.endc\n.end\n")
    # ngspice exits 1 here ("no simulations run": the analyses ran in .control)
    subprocess.run(["ngspice", "-b", netlist.name], cwd=tmp_path, capture_output=True,
                   timeout=60)
    (asc,), (bin_,) = read_raw(tmp_path / "asc.raw"), read_raw(tmp_path / "bin.raw")
    assert asc.names == bin_.names == ("time", "v(a)", "v(b)") and asc.points > 100
    # the ASCII form prints 16 significant digits
    np.testing.assert_allclose(asc.data, bin_.data, rtol=1e-14, atol=1e-300)
