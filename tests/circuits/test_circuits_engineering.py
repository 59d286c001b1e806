"""Exact engineering notation: values written into netlists read back as the same float."""

import numpy as np
import pytest

from vle.circuits import CircuitError, format_value, parse_value
from vle.circuits.engineering import format_constant, format_short


@pytest.mark.parametrize(("value", "text"), [
    (1e-6, "1u"), (4.7e3, "4.7k"), (1.5e6, "1.5Meg"), (-2e-3, "-2m"), (0.0, "0"), (1.0, "1"),
    (100.0, "100"), (1e12, "1T"), (1e-15, "1f"), (0.00037, "370u"), (2.2e-9, "2.2n"),
    (10e-12, "10p"), (1e-18, "1e-18"), (1e15, "1e15"), (9.999999e-07, "999.9999n"),
])
def test_known_values(value: float, text: str) -> None:
    assert format_value(value) == text
    assert parse_value(text) == value


def test_round_trip_is_exact_for_many_floats() -> None:
    rng = np.random.default_rng(1)
    values = np.concatenate([
        10.0 ** rng.uniform(-20, 16, 3000) * rng.choice([-1, 1], 3000),
        rng.uniform(0, 1, 1000),
        [0.1 + 0.2, 1 / 3, 2 / 3, np.pi, 1e-6 * 3, 0.1 * 1e-3],
    ])
    for v in values:
        text = format_value(float(v))
        assert parse_value(text) == float(v), (v, text)
        assert "e-0" not in text and len(text) <= 24


def test_no_float_noise_for_decimal_inputs() -> None:
    # what the issue forbids: 1e-6 written as 9.999999e-07 or 1.0000000000000002e-06
    for text in ("1u", "2.2k", "4.99k", "100n", "33p", "1.5Meg"):
        assert format_value(parse_value(text)) == text


@pytest.mark.parametrize(("text", "value"), [
    ("1M", 1e-3), ("1Meg", 1e6), ("1MEG", 1e6), ("2mil", 2 * 25.4e-6), ("10V", 10.0),
    ("1000.0Hz", 1000.0), ("1e-06s", 1e-6), ("1F", 1e-15), ("3.3kOhm", 3300.0), (".5", 0.5),
])
def test_spice_reading_rules(text: str, value: float) -> None:
    assert parse_value(text) == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("bad", ["", "abc", "1..2", "1 2", "--1", "k1"])
def test_unreadable_numbers_are_refused(bad: str) -> None:
    with pytest.raises(CircuitError, match="cannot read"):
        parse_value(bad)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_values_are_refused(bad: float) -> None:
    with pytest.raises(CircuitError, match="finite"):
        format_value(bad)


def test_constants_and_short_forms() -> None:
    assert format_constant(0.5) == "0.5"
    assert format_constant(2.0) == "2"
    assert format_constant(1e-6) == "1e-06"
    assert float(format_constant(0.1 + 0.2)) == 0.1 + 0.2
    assert format_short(99.99999999999999e-6) == "100u"
