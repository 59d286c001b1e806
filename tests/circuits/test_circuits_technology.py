"""Technologies are data, registered by name and listable; built-ins state their scales."""

import pytest

from vle.circuits import Technology, get_technology, register_technology, technology_names
from vle.circuits.eseries import E12, E96, nearest_in, series_values


def test_builtins_are_registered_in_order() -> None:
    assert technology_names()[:3] == ("ideal", "discrete", "onchip")
    assert get_technology("ideal").time_scale == 1e-3 and get_technology("ideal").v_unit == 1.0
    assert get_technology("discrete").time_scale == 1e-3
    assert get_technology("onchip").time_scale == 1e-6 and get_technology("onchip").v_unit == 0.1


def test_physical_technologies_state_parts_and_op_amps() -> None:
    d = get_technology("discrete")
    assert (d.resistor_series, d.capacitor_series) == ("E96", "E12")
    assert (d.resistor_tolerance, d.capacitor_tolerance) == (0.01, 0.05)
    assert d.opamp is not None and 1e6 <= d.opamp.gbw <= 10e6
    o = get_technology("onchip")
    assert o.capacitor_density and o.mismatch and o.capacitor_unit and o.weight_bits == 8


def test_registry_refuses_duplicates_and_names_unknowns() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_technology(get_technology("ideal"))
    with pytest.raises(ValueError, match="unknown technology 'tsmc'; available: ideal"):
        get_technology("tsmc")
    custom = Technology("x", "custom", 1.0, 1.0, True, "exact", 1e3, 1e3)
    assert get_technology(custom) is custom
    with pytest.raises(ValueError, match="needs an op-amp"):
        Technology("y", "bad", 1.0, 1.0, False, "exact", 1e3, 1e3)


def test_e_series() -> None:
    assert len(E12) == 12 and len(E96) == 96
    assert series_values("E12", 1e-9, 1e-8)[:3] == (1e-9, 1.2e-9, 1.5e-9)
    assert len(series_values("E96", 100.0, 1e6)) == 4 * 96 + 1
    assert nearest_in("E96", 9000.0, 100.0, 1e6) == 9090.0
    assert nearest_in("E96", 5.0, 100.0, 1e6) == 100.0
