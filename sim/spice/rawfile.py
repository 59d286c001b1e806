"""SPICE raw files (ngspice ``-r`` output) read with numpy: header, variables, data.

A raw file holds one or more plots, each an ASCII header followed by its data::

    Title: vle lagline ideal
    Date: ...
    Plotname: Transient Analysis
    Flags: real                          (or ``complex``)
    No. Variables: 3
    No. Points: 40279
    Variables:
            0       time    time
            1       v(x_r_0)        voltage
            2       v(h1_u_0)       voltage
    Binary:                              (or ``Values:`` for the ASCII form)
    <points x variables little-endian float64; complex: (re, im) pairs of float64>

The first variable is the scale (``time`` of a transient analysis). ngspice writes
``No. Points: 0`` while it runs and fills in the count at the end, so a file left by an
aborted or killed run can still be read with ``partial=True`` (the complete points present).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vle.sim.spice.errors import RawFileError

_MARKERS = (b"Binary:\n", b"Values:\n")
_REQUIRED = ("Plotname", "Flags", "No. Variables", "No. Points")


@dataclass(frozen=True, eq=False)
class RawPlot:
    """One plot of a raw file: ``variables`` as ``(name, type)`` pairs and ``data`` of shape
    ``(points, variables)`` (float64, or complex128 for a complex plot). Vector names are as
    ngspice writes them (lower case; a node voltage is ``v(node)``)."""

    title: str
    plotname: str
    flags: tuple[str, ...]
    variables: tuple[tuple[str, str], ...]
    data: np.ndarray

    @property
    def names(self) -> tuple[str, ...]:
        """The vector names in file order (the scale first)."""
        return tuple(name for name, _ in self.variables)

    @property
    def scale(self) -> np.ndarray:
        """The first vector: time (s) of a transient analysis, frequency of an AC one."""
        return self.data[:, 0]

    @property
    def points(self) -> int:
        """Number of points."""
        return int(self.data.shape[0])

    def __getitem__(self, name: str) -> np.ndarray:
        """The vector called ``name`` (ignoring case, as SPICE does)."""
        lowered = name.lower()
        for k, (n, _) in enumerate(self.variables):
            if n.lower() == lowered:
                return self.data[:, k]
        raise KeyError(f"no vector {name!r} in plot {self.plotname!r}; it has "
                       f"{', '.join(self.names)}")

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in {n.lower() for n in self.names}


def read_raw(path: str | Path, *, partial: bool = False) -> tuple[RawPlot, ...]:
    """Every plot of the raw file at ``path``.

    With ``partial`` a last plot whose data stops early (a run that was aborted or killed)
    is returned with the complete points present instead of raising. Raises
    :class:`~vle.sim.spice.errors.RawFileError` naming the file and the problem for anything
    that is not a well-formed raw file.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RawFileError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    if not data:
        raise RawFileError(str(path), "is empty (ngspice stopped before writing any data)")
    plots: list[RawPlot] = []
    pos = 0
    while pos < len(data):
        plot, pos, cut = _read_plot(str(path), data, pos, partial)
        plots.append(plot)
        if cut:
            break  # what follows a cut-off plot is the rest of an unfinished point
        while pos < len(data) and data[pos:pos + 1] in (b"\n", b"\r", b" "):
            pos += 1
    return tuple(plots)


def transient(plots: tuple[RawPlot, ...], source: str = "raw file") -> RawPlot:
    """The (last) transient-analysis plot of ``plots``; ``source`` names the file in the
    error raised when there is none."""
    found = [p for p in plots if p.plotname.lower().startswith("transient")]
    if not found:
        names = ", ".join(repr(p.plotname) for p in plots) or "none"
        raise RawFileError(source, f"has no transient analysis (plots: {names})")
    return found[-1]


def _read_plot(path: str, data: bytes, pos: int,
               partial: bool) -> tuple[RawPlot, int, bool]:
    """The plot whose header starts at byte ``pos``, the position after its data, and whether
    its data were cut off (read with ``partial``)."""
    starts = [(data.find(m, pos), m) for m in _MARKERS]
    found = [(i, m) for i, m in starts if i >= 0]
    if not found:
        raise RawFileError(path, "has no 'Binary:' or 'Values:' line after byte "
                           f"{pos} (not an ngspice raw file, or one cut off in its header)")
    at, marker = min(found)
    try:
        header_text = data[pos:at].decode("ascii")
    except UnicodeDecodeError:
        raise RawFileError(path, f"header at byte {pos} is not text (not a raw file, or "
                           "corrupt)") from None
    header, variables = _header(path, header_text)
    flags = tuple(header["Flags"].lower().split())
    is_complex = "complex" in flags
    n_vars, n_points = _count(path, header, "No. Variables"), _count(path, header, "No. Points")
    if len(variables) != n_vars:
        raise RawFileError(path, f"plot {header['Plotname']!r} declares {n_vars} variables "
                           f"but lists {len(variables)}")
    body = at + len(marker)
    if marker == b"Binary:\n":
        table, end = _binary(path, data, body, n_vars, n_points, is_complex, partial)
    else:
        table, end = _ascii(path, data, body, n_vars, n_points, is_complex, partial)
    plot = RawPlot(header.get("Title", ""), header["Plotname"], flags, tuple(variables), table)
    return plot, end, len(table) != n_points or n_points == 0


def _header(path: str, text: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    header: dict[str, str] = {}
    variables: list[tuple[str, str]] = []
    in_vars = False
    for line in text.splitlines():
        if in_vars and line[:1] in ("\t", " ") and line.strip():
            fields = line.split()
            if len(fields) < 3 or not fields[0].isdigit():
                raise RawFileError(path, f"bad variable line {line.strip()!r}")
            variables.append((fields[1], fields[2]))
            continue
        key, sep, value = line.partition(":")
        if not sep:
            if line.strip():
                raise RawFileError(path, f"unexpected header line {line.strip()!r}")
            continue
        in_vars = key == "Variables"
        if in_vars and value.strip():
            fields = value.split()
            variables.append((fields[1], fields[2]) if len(fields) >= 3 else ("", ""))
        header[key.strip()] = value.strip()
    missing = [k for k in _REQUIRED if k not in header]
    if missing:
        raise RawFileError(path, f"header lacks {', '.join(repr(k) for k in missing)}")
    return header, variables


def _count(path: str, header: dict[str, str], key: str) -> int:
    try:
        value = int(header[key])
    except ValueError:
        raise RawFileError(path, f"{key!r} is {header[key]!r}, not a whole number") from None
    if value < 0:
        raise RawFileError(path, f"{key!r} is negative ({value})")
    return value


def _points(path: str, n_points: int, n_vars: int, available: int, partial: bool) -> int:
    """How many points to read of the ``n_points`` declared when ``available`` are there.

    ngspice writes ``No. Points: 0`` until a run ends, so a zero count with data behind it is
    the file of a run that did not finish; with ``partial`` that, or data cut short, gives
    the points present."""
    if n_points == 0 and available:
        if not partial:
            raise RawFileError(path, f"declares 0 points but holds {available}: written by a "
                               "run that did not finish (read it with partial=True)")
        return available
    if available < n_points:
        if not partial:
            raise RawFileError(path, f"is truncated: the header promises {n_points} points "
                               f"of {n_vars} variables, the file holds {available}")
        return available
    return n_points


def _binary(path: str, data: bytes, start: int, n_vars: int, n_points: int,
            is_complex: bool, partial: bool) -> tuple[np.ndarray, int]:
    width = 16 if is_complex else 8
    row = n_vars * width
    available = (len(data) - start) // row if row else 0
    n_points = _points(path, n_points, n_vars, available, partial)
    values = np.frombuffer(data, dtype="<f8", count=n_points * row // 8, offset=start)
    if is_complex:
        table = values.reshape(n_points, n_vars, 2)
        out = (table[..., 0] + 1j * table[..., 1]).astype(np.complex128)
    else:
        out = values.reshape(n_points, n_vars).copy()
    return out, start + n_points * row


def _ascii(path: str, data: bytes, start: int, n_vars: int, n_points: int,
           is_complex: bool, partial: bool) -> tuple[np.ndarray, int]:
    """Values as ``index value`` then one value per line (complex: ``re,im``)."""
    end = data.find(b"\nTitle:", start)
    end = len(data) if end < 0 else end + 1
    tokens = data[start:end].split()
    per_point = n_vars + 1
    available = len(tokens) // per_point
    n_points = _points(path, n_points, n_vars, available, partial)
    out = np.empty((n_points, n_vars), dtype=np.complex128 if is_complex else np.float64)
    try:
        for p in range(n_points):
            fields = tokens[p * per_point + 1:(p + 1) * per_point]
            if is_complex:
                out[p] = [complex(*map(float, f.split(b","))) for f in fields]
            else:
                out[p] = [float(f) for f in fields]
    except ValueError:
        raise RawFileError(path, f"point {p} has a value that is not a number") from None
    return out, end
