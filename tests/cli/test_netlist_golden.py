"""The checked-in netlists (netlists/*.cir) and refusals (netlists/*.refused: a model the
technology cannot realise at its default time scale) are what the code generates now. They
change only through `make netlists` (`vle netlist --golden netlists`)."""


import pytest
from conftest import ROOT

from vle.commands.netlist import golden_files, golden_netlists

GOLDEN = ROOT / "netlists"


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return golden_netlists(ROOT / "examples")


def test_every_example_in_every_technology_is_checked_in(generated: dict[str, str]) -> None:
    on_disk = {p.name for p in golden_files(GOLDEN)}
    assert on_disk == set(generated), "run `make netlists` to regenerate the golden netlists"


@pytest.mark.parametrize("name", [p.name for p in golden_files(GOLDEN)])
def test_golden_netlist_is_current(name: str, generated: dict[str, str]) -> None:
    assert (GOLDEN / name).read_text() == generated[name], (
        f"netlists/{name} differs from what the code generates; if the change is intended, "
        "run `make netlists` and review the diff")


def test_a_refusal_says_why_and_what_to_do() -> None:
    """lagline_gle's output error neuron (q = tau_m / tau_r = 20, tau_r = 0.1 us on-chip) is
    beyond a 200 MHz op-amp; the golden refusal keeps the explanation in the repository."""
    text = (GOLDEN / "lagline_gle_onchip.refused").read_text()
    assert text.startswith("population out unit 0 (error neuron): tau_m / tau_r = 20")
    assert "use a larger --time-scale" in text
