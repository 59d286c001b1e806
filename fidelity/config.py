"""A fidelity run file: the settings of ``vle fidelity`` as a ``[fidelity]`` TOML table, so a
run can be written down, versioned and repeated::

    [fidelity]
    model = "lagline.toml"          # relative to this file
    technology = "onchip"
    mc = 200                        # Monte Carlo samples
    seed = 0
    backend = "numba"               # numba | spice
    nonidealities = ["mismatch", "opamp-offset",
                     { name = "capacitor-tolerance", value = 0.02, distribution = "normal" }]
    sensitivity = true              # also the one-at-a-time ranking
    timeout = 600                   # seconds per sample
    # learning = 10                 # epochs of learning on the circuit (a trained model)
    # lr = 10.0

Each non-ideality is a name (the technology's magnitude), ``"NAME=VALUE"`` as on the command
line, or a table of the non-ideality's parameters. Options given on the command line override
the file's. :func:`load_fidelity_file` returns the settings with every value checked.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from vle.circuits.nonidealities import NonIdealityError, get_nonideality

KEYS = ("model", "technology", "mc", "seed", "backend", "nonidealities", "sensitivity",
        "timeout", "learning", "lr")


def is_fidelity_file(path: Path) -> bool:
    """True when ``path`` is a TOML file with a top-level ``[fidelity]`` table and no model of
    its own (no ``[network]``)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("fidelity"), dict) and "network" not in data


def _nonideality(item: Any, where: str) -> str | tuple[str, dict[str, Any]]:
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        params = {k: v for k, v in item.items() if k != "name"}
        try:
            get_nonideality(item["name"], **params)
        except TypeError as err:
            raise NonIdealityError(f"{where}: {item['name']}: {err}") from None
        return item["name"], params
    raise NonIdealityError(f"{where}: expected a name, \"NAME=VALUE\" or a table with name = "
                           f"..., got {item!r}")


def load_fidelity_file(path: str | Path) -> dict[str, Any]:
    """The settings of the ``[fidelity]`` table at ``path`` (model as an absolute path)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ValueError(f"{path}: not a valid TOML file ({err})") from None
    table = data.get("fidelity")
    if not isinstance(table, dict):
        raise ValueError(f"{path}: no [fidelity] table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ValueError(f"{path}: fidelity.{unknown[0]} is not a setting (settings: "
                         f"{', '.join(KEYS)})")
    if "model" not in table or not isinstance(table["model"], str):
        raise ValueError(f"{path}: fidelity.model is missing (the model file, relative to "
                         "this file)")
    out = dict(table)
    out["model"] = str((path.parent / table["model"]).resolve())
    if not Path(out["model"]).is_file():
        raise ValueError(f"{path}: fidelity.model: no model file at {out['model']}")
    nis = table.get("nonidealities", [])
    if not isinstance(nis, list):
        raise ValueError(f"{path}: fidelity.nonidealities must be a list")
    out["nonidealities"] = [_nonideality(x, f"{path}: fidelity.nonidealities[{i}]")
                            for i, x in enumerate(nis)]
    for key, kind in (("mc", int), ("seed", int), ("learning", int), ("timeout", float),
                      ("lr", float), ("sensitivity", bool), ("technology", str),
                      ("backend", str)):
        v = out.get(key)
        if v is not None and not _typed(v, kind):
            raise ValueError(f"{path}: fidelity.{key} = {v!r} must be of type {kind.__name__}")
    return out


def _typed(v: Any, kind: type) -> bool:
    if kind is bool or isinstance(v, bool):
        return kind is bool and isinstance(v, bool)
    if kind is float:
        return isinstance(v, int | float)
    return isinstance(v, kind)
