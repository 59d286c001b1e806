"""Sweep specs: parameter paths, sampling, and one clear error per mistake."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from sweeps import tiny_sweep

from vle.circuits import get_technology
from vle.explore import Axis, SweepError, apply_point, load_sweep, sample_points
from vle.explore.spec import read_model_table


def test_a_sweep_file_gives_its_grid(tmp_path: Path) -> None:
    spec = load_sweep(tiny_sweep(tmp_path))
    pts = spec.point_values()
    assert len(pts) == 4
    assert pts[0] == {"technology.section_capacitance": 0.5e-12, "technology.weight_bits": 4}
    assert pts[-1] == {"technology.section_capacitance": 2e-12, "technology.weight_bits": 8}
    assert spec.model == str((tmp_path / "lagline.toml").resolve())


@pytest.mark.parametrize(("path", "nearest"), [
    ("technology.opamp.gwb", "technology.opamp.gbw"),
    ("population.h1.tau_rr", "population.h1.tau_r"),
    ("technology.weight_bit", "technology.weight_bits"),
])
def test_a_typo_names_the_nearest_valid_path(tmp_path: Path, path: str, nearest: str) -> None:
    sweep = tiny_sweep(tmp_path)
    sweep.write_text(sweep.read_text().replace('"technology.weight_bits" = [4, 8]',
                                               f'"{path}" = [1.0]'))
    with pytest.raises(SweepError, match=rf"{path!r}.*did you mean {nearest!r}"):
        load_sweep(sweep)


@pytest.mark.parametrize(("old", "new", "match"), [
    ('nrmse = "min"', 'nrmse = "smallest"', r'use "min" or "max"'),
    ('nrmse = "min"', 'nrsme = "min"', r"'nrsme' is not a metric; did you mean nrmse"),
    ('sampling = "grid"', 'sampling = "latin"', r"sampling 'latin' is not one of"),
    ('backend = "numba"', 'backend = "brian2"', r"backend 'brian2'"),
    ('technology = "onchip"', 'technology = "ideal"', r"behavioural .* no area, power"),
    ('technology = "onchip"', 'technology = "onchipp"', r"unknown technology 'onchipp'"),
    ('seed = 3', 'seed = -1', r"seed = -1 must be an integer >= 0"),
    ('seed = 3', 'sed = 3', r"sweep.sed is not a sweep setting; did you mean sweep.seed"),
    ('model = "lagline.toml"', 'model = "nothere.toml"', r"no model file"),
    ('"technology.weight_bits" = [4, 8]', '"technology.weight_bits" = []', r"values is empty"),
    ('"technology.weight_bits" = [4, 8]',
     '"technology.weight_bits" = { low = 8, high = 4, count = 2 }', r"must be below high"),
    ('"technology.weight_bits" = [4, 8]',
     '"technology.opamp.gbw" = { low = 0, high = 1e9, scale = "log", count = 3 }',
     r"a log scale needs low > 0"),
])
def test_bad_specs_are_one_message(tmp_path: Path, old: str, new: str, match: str) -> None:
    sweep = tiny_sweep(tmp_path)
    sweep.write_text(sweep.read_text().replace(old, new))
    with pytest.raises(SweepError, match=match) as err:
        load_sweep(sweep)
    assert str(sweep) in str(err.value)


def test_a_grid_over_a_range_needs_a_count(tmp_path: Path) -> None:
    sweep = tiny_sweep(tmp_path)
    sweep.write_text(sweep.read_text().replace('"technology.weight_bits" = [4, 8]',
                                               '"technology.weight_bits" = { low = 4, high = 8 }'))
    spec = load_sweep(sweep)  # a search or a sensitivity analysis needs no grid
    with pytest.raises(SweepError, match=r"a grid over a range needs count"):
        spec.point_values()


def test_a_value_the_model_refuses_is_found_before_the_run(tmp_path: Path) -> None:
    sweep = tiny_sweep(tmp_path)
    sweep.write_text(sweep.read_text().replace(
        '"technology.weight_bits" = [4, 8]', '"population.h1.tau_m" = [1.0, -2.0]'))
    spec = load_sweep(sweep)
    with pytest.raises(SweepError, match=r"population.h1.tau_m = -2.0.*the model refuses"):
        spec.check()


def test_apply_point_sets_model_and_technology(lagline_path: Path) -> None:
    raw = read_model_table(str(lagline_path))
    tech = get_technology("onchip")
    model, t, ni = apply_point(raw, tech, {"population.h1.tau_r": 0.3,
                                           "technology.opamp.gbw": 5e7,
                                           "technology.time_scale": 2e-6,
                                           "technology.section_capacitance": 1e-12,
                                           "nonideality.mismatch.scale": 2.0},
                               base_dir=lagline_path.parent)
    assert float(model.network.population("h1").tau_r[0]) == 0.3
    assert t.opamp is not None and t.opamp.gbw == 5e7
    # R_u = time_scale / C_1, with the point's own time scale (applied first)
    assert t.unit_resistance == pytest.approx(2e-6 / 1e-12, rel=1e-15)
    assert ni == {"mismatch": {"scale": 2.0}}
    assert tech.opamp is not None and tech.opamp.gbw == 200e6  # the base is untouched
    assert float(read_model_table(str(lagline_path))["population"][1]["tau_r"]) == 0.1


def test_a_latin_hypercube_puts_one_point_in_every_stratum() -> None:
    axes = [Axis("a", low=0.0, high=1.0), Axis("b", low=1e6, high=1e9, scale="log")]
    pts = sample_points(axes, "lhs", 20, seed=1)
    a = np.array([p["a"] for p in pts])
    b = np.log10([p["b"] for p in pts])
    assert sorted(np.floor(a * 20).astype(int)) == list(range(20))
    assert sorted(np.floor((b - 6) / 3 * 20).astype(int)) == list(range(20))
    assert sample_points(axes, "lhs", 20, seed=1) == pts
    assert sample_points(axes, "lhs", 20, seed=2) != pts


def test_choices_under_random_sampling_and_integer_ranges() -> None:
    axes = [Axis("rule", values=("gle", "le")), Axis("bits", low=2, high=8, integer=True)]
    pts = sample_points(axes, "sobol", 64, seed=0)
    assert {p["rule"] for p in pts} == {"gle", "le"}
    assert all(isinstance(p["bits"], int) and 2 <= p["bits"] <= 8 for p in pts)
    assert {p["bits"] for p in pts} == set(range(2, 9))
    grid = sample_points([Axis("x", low=1.0, high=100.0, scale="log", count=3)], "grid",
                         None, 0)
    assert [p["x"] for p in grid] == pytest.approx([1.0, 10.0, 100.0], rel=1e-12)
    assert grid[0]["x"] == 1.0 and grid[-1]["x"] == 100.0  # the ends exactly


def test_the_spec_round_trips_through_json(tmp_path: Path) -> None:
    spec = load_sweep(tiny_sweep(tmp_path))
    again = type(spec).from_json(spec.to_json())
    assert again.to_json() == spec.to_json()
    assert dataclasses.replace(spec, seed=4).to_json() != spec.to_json()
