"""Part non-idealities as data: the registry, magnitudes from the technology, distributions and
Pelgrom's area law against their closed forms, and clear refusals."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from vle.circuits import get_technology
from vle.circuits.nonidealities import (
    BOLTZMANN,
    NORMAL_SIGMAS_PER_TOLERANCE,
    NonIdealityError,
    OpAmpOffset,
    ThermalNoise,
    get_nonideality,
    nonideality_names,
    technology_nonidealities,
)

N_DRAWS = 200_000
STAT_BOUND = 5.0 / np.sqrt(N_DRAWS)
"""Relative bound on a sample standard deviation from N_DRAWS normal draws: its standard error
is about 1 / sqrt(2 N), so 5 / sqrt(N) is beyond 7 standard errors (a test that flakes once in
about 1e11 runs)."""


def test_registry_lists_every_nonideality_with_its_physics() -> None:
    assert nonideality_names() == ("resistor-tolerance", "capacitor-tolerance", "mismatch",
                                   "opamp-offset", "thermal-noise", "temperature",
                                   "opamp-swing")
    for name in nonideality_names():
        ni = get_nonideality(name)
        assert type(ni).__doc__ and len(type(ni).__doc__ or "") > 150
        assert ni.describe().startswith(name)


def test_tolerance_comes_from_the_technology_and_stays_in_its_band() -> None:
    tech = get_technology("discrete")
    ni = get_nonideality("capacitor-tolerance")
    d = ni.relative_errors(np.random.default_rng(0), "capacitor", np.ones(N_DRAWS), tech)
    assert np.all(np.abs(d) <= 0.05) and np.max(np.abs(d)) > 0.0499
    assert not ni.relative_errors(np.random.default_rng(0), "resistor", np.ones(5), tech).any()
    assert "5 %" in ni.describe(tech)


def test_normal_tolerance_reads_the_band_as_three_sigma() -> None:
    tech = get_technology("discrete")
    ni = get_nonideality("resistor-tolerance", distribution="normal")
    d = ni.relative_errors(np.random.default_rng(1), "resistor", np.ones(N_DRAWS), tech)
    sigma = 0.01 / NORMAL_SIGMAS_PER_TOLERANCE
    assert abs(d.std() / sigma - 1) < STAT_BOUND


def test_mismatch_follows_pelgrom_area_law() -> None:
    tech = get_technology("onchip")
    ni = get_nonideality("mismatch")
    m = tech.mismatch
    assert m is not None and tech.capacitor_density is not None
    c = np.array([5e-15, 20e-15, 1e-12])
    want_c = m.capacitor_pelgrom / np.sqrt(c / tech.capacitor_density)
    assert np.allclose(ni.sigma("capacitor", c, tech), want_c, rtol=1e-15)
    assert np.isclose(ni.sigma("capacitor", c, tech)[0] / ni.sigma("capacitor", c, tech)[1], 2.0)
    r = np.array([10e3, 200e3])
    want_r = m.resistor_pelgrom / np.sqrt(m.resistor_width ** 2 * r / m.resistor_sheet)
    assert np.allclose(ni.sigma("resistor", r, tech), want_r, rtol=1e-15)
    d = ni.relative_errors(np.random.default_rng(2), "capacitor", np.full(N_DRAWS, 5e-15), tech)
    assert abs(d.std() / want_c[0] - 1) < STAT_BOUND
    assert np.allclose(get_nonideality("mismatch", scale=3.0).sigma("capacitor", c, tech),
                       3 * want_c)


def test_opamp_offset_is_nominal_plus_a_normal_draw_per_opamp() -> None:
    tech = get_technology("discrete")
    assert tech.opamp is not None and tech.opamp.offset_sigma == 1e-3
    ni = get_nonideality("opamp-offset")
    d = ni.offset_errors(np.random.default_rng(3), N_DRAWS, tech)
    assert abs(d.std() / 1e-3 - 1) < STAT_BOUND and abs(d.mean()) < 5 * 1e-3 / np.sqrt(N_DRAWS)
    assert not ni.relative_errors(np.random.default_rng(0), "resistor", np.ones(5), tech).any()
    exact = get_nonideality("opamp-offset", value=0.0, offset=0.01)
    assert np.all(exact.offset_errors(np.random.default_rng(0), 4, tech) == 0.01)
    assert "sigma 1 mV" in ni.describe(tech) and "2 mV" in ni.describe(get_technology("onchip"))
    assert ni.scaled(3.0, tech) == OpAmpOffset(value=3e-3, offset=0.0)
    assert ni.params() == {"value": None, "offset": None}
    for name in ("resistor-tolerance", "capacitor-tolerance", "mismatch"):
        assert not get_nonideality(name).offset_errors(np.random.default_rng(0), 3, tech).any()
    exact_parts = replace(tech, opamp=replace(tech.opamp, offset_sigma=0.0))
    with pytest.raises(NonIdealityError, match="has no op-amp offset .* opamp-offset=0.001"):
        ni.check(exact_parts)
    get_nonideality("opamp-offset", value=1e-3).check(exact_parts)


def test_opamp_offset_is_drawn_only_when_named() -> None:
    for tech in ("discrete", "onchip"):
        names = [ni.name for ni in technology_nonidealities(get_technology(tech))]
        assert "opamp-offset" not in names and names
    get_nonideality("opamp-offset").check(get_technology("onchip"))


def test_thermal_noise_is_4kTR_per_resistor_and_draws_no_part() -> None:
    ni = get_nonideality("thermal-noise")
    r = np.array([9e3, 1e3])
    assert np.allclose(ni.noise_densities(r), 4 * BOLTZMANN * 300.0 * r, rtol=1e-15)
    assert 4 * BOLTZMANN * 300.0 * 1e3 == pytest.approx(1.657e-17, rel=1e-3)  # 4 nV/sqrt(Hz)
    hot = get_nonideality("thermal-noise", temperature=600.0, scale=2.0)
    assert np.allclose(hot.noise_densities(r), 4 * ni.noise_densities(r), rtol=1e-15)
    given = get_nonideality("thermal-noise", density=1e-12)
    assert np.allclose(given.noise_densities(r), [0.9e-12, 0.1e-12], rtol=1e-15)
    tech = get_technology("onchip")
    assert not ni.relative_errors(np.random.default_rng(0), "resistor", r, tech).any()
    assert not ni.offset_errors(np.random.default_rng(0), 3, tech).any()
    assert ni.scaled(3.0, tech) == ThermalNoise(scale=3.0)
    assert ni.params() == {"temperature": 300.0, "scale": 1.0, "density": None}
    assert "T = 300 K" in ni.describe(tech) and "kT/C" in ni.describe()
    for name in ("resistor-tolerance", "mismatch", "opamp-offset"):
        assert not get_nonideality(name).noise_densities(r).any()
    for tech_name in ("ideal", "discrete", "onchip"):
        ni.check(get_technology(tech_name))  # every technology has resistors and a temperature
        names = [n.name for n in technology_nonidealities(get_technology(tech_name))]
        assert "thermal-noise" not in names


@pytest.mark.parametrize(("name", "params", "tech", "fragment"), [
    ("thermal-noise", {"temperature": 0.0}, None, "temperature 0.0 must be > 0"),
    ("thermal-noise", {"scale": -1.0}, None, "scale -1.0 must be a number >= 0"),
    ("thermal-noise", {"density": float("inf")}, None, "density inf must be >= 0"),
    ("opamp-offset", {}, "ideal", "technology 'ideal' has no op-amps"),
    ("opamp-offset", {"value": -1e-3}, None, "sigma -0.001 must be a voltage >= 0"),
    ("opamp-offset", {"offset": float("nan")}, None, "must be a finite voltage"),
    ("opamp-offset", {"sigma": 1e-3}, None, "opamp-offset:"),
    ("mismatch", {}, "discrete", "technology 'discrete' has no Pelgrom mismatch"),
    ("resistor-tolerance", {}, "ideal", "technology 'ideal' has no resistor_tolerance"),
    ("resistor-tolerance", {"value": -0.1}, None, "must be a relative value in [0, 1)"),
    ("capacitor-tolerance", {"distribution": "cauchy"}, None, "distribution 'cauchy'"),
    ("mismatch", {"scale": -1.0}, None, "scale -1.0 must be a number >= 0"),
    ("leakage", {}, None, "unknown non-ideality 'leakage'; known: resistor-tolerance"),
    ("mismatch", {"sigma": 0.1}, None, "mismatch:"),
])
def test_bad_nonidealities_are_one_clear_error(name: str, params: dict, tech: str | None,
                                               fragment: str) -> None:
    with pytest.raises(NonIdealityError, match=None) as info:
        ni = get_nonideality(name, **params)
        assert tech is not None
        ni.check(get_technology(tech))
    assert fragment in str(info.value)
