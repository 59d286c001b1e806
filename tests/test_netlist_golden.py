"""The checked-in netlists (netlists/*.cir) are what the code generates now. They change only
through `make netlists` (`vle netlist --golden netlists`)."""

from pathlib import Path

import pytest

from vle.commands.netlist import golden_netlists

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "netlists"


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return golden_netlists(ROOT / "examples")


def test_every_example_in_every_technology_is_checked_in(generated: dict[str, str]) -> None:
    on_disk = {p.name for p in GOLDEN.glob("*.cir")}
    assert on_disk == set(generated), "run `make netlists` to regenerate the golden netlists"


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.cir")))
def test_golden_netlist_is_current(name: str, generated: dict[str, str]) -> None:
    assert (GOLDEN / name).read_text() == generated[name], (
        f"netlists/{name} differs from what the code generates; if the change is intended, "
        "run `make netlists` and review the diff")
