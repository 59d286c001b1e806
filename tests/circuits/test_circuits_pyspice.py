"""to_pyspice(): PySpice writes the same netlist as ours, element by element (values compared
as numbers, since PySpice formats floats its own way)."""

import logging

import pytest
from helpers import EXAMPLE_TIME_SCALE

from vle.circuits import Circuit, parse_value, to_pyspice, write_netlist
from vle.mapping import compile
from vle.model import load_model

logging.getLogger("PySpice").setLevel(logging.ERROR)  # "Unsupported Ngspice version 39"


def _cards(text: str) -> dict[tuple[str, str], list[str]]:
    """Element cards by (subcircuit or '', element name), continuation lines joined (the
    first line is the title)."""
    out: dict[tuple[str, str], list[str]] = {}
    scope = ""
    for line in text.replace("\n+ ", " ").splitlines()[1:]:
        tokens = line.split()
        if not tokens or tokens[0].startswith("*") or tokens[0].lower() in (".title", ".end"):
            continue
        head = tokens[0].lower()
        if head == ".subckt":
            scope = tokens[1]
        elif head == ".ends":
            scope = ""
        elif not head.startswith("."):
            out[(scope, tokens[0].lower())] = tokens[1:]
    return out


def _same(a: str, b: str) -> bool:
    try:
        return parse_value(a) == parse_value(b)
    except ValueError:
        return a.lower() == b.lower()


@pytest.mark.parametrize("example", ["lagline", "lagline_gle", "twolayer"])
@pytest.mark.parametrize("tech", ["ideal", "discrete", "onchip"])
def test_pyspice_netlist_matches_ours(example: str, tech: str) -> None:
    circuit: Circuit = compile(load_model(f"examples/{example}.toml"), tech,
                               time_scale=EXAMPLE_TIME_SCALE.get((example, tech)))[0]
    ours = _cards(write_netlist(circuit))
    theirs = _cards(str(to_pyspice(circuit)))
    assert set(theirs) == set(ours)
    for key, tokens in ours.items():
        other = theirs[key]
        assert len(other) == len(tokens), (key, tokens, other)
        assert all(_same(a, b) for a, b in zip(tokens, other, strict=True)), (key, tokens,
                                                                              other)
    subckts = [line.split()[1] for line in str(to_pyspice(circuit)).splitlines()
               if line.startswith(".subckt")]
    assert subckts == [s.name for s in circuit.subcircuits]
