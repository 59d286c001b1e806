"""Write a :class:`~vle.model.model.Model` back to a model file (TOML plus an ``.npz`` file for
arrays), so that :func:`~vle.model.loader.load_model` reads the same model again."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import numpy as np
import tomli_w

from vle.model.learning import LearningRule, Teacher
from vle.model.model import Model
from vle.model.stimulus import Pwl, Stimulus

INLINE_MAX = 64
"""Arrays with at most this many values are written inline; larger ones go to the .npz file."""


def _per_unit(arr: np.ndarray) -> float | list[float]:
    arr = np.asarray(arr, dtype=float)
    if arr.size and np.all(arr == arr[0]):
        return float(arr[0])
    return [float(v) for v in arr]


class _Arrays:
    def __init__(self, npz_name: str) -> None:
        self.npz_name = npz_name
        self.arrays: dict[str, np.ndarray] = {}

    def put(self, key: str, arr: np.ndarray) -> str:
        self.arrays[key] = np.asarray(arr)
        return f"{self.npz_name}:{key}"


def _signal(stim: Stimulus | Teacher, key: str, arrays: _Arrays, here: Path,
            source_dir: Path | None) -> dict[str, Any]:
    if isinstance(stim, Teacher):
        teacher = Path(stim.source)
        if source_dir is not None and not teacher.is_absolute():
            teacher = source_dir / teacher
        rel = os.path.relpath(teacher.resolve(), here.resolve())
        return {"kind": "teacher", "model": rel, "population": stim.population}
    if isinstance(stim, Pwl):
        file = arrays.put(f"{key}_t", stim.t).split(":")[0]
        arrays.put(f"{key}_values", stim.values)
        return {"kind": "pwl", "file": file, "t": f"{key}_t", "values": f"{key}_values"}
    out: dict[str, Any] = {"kind": stim.kind}
    for f in dataclasses.fields(stim):  # type: ignore[arg-type]
        value = getattr(stim, f.name)
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def _learning(rule: LearningRule) -> dict[str, Any]:
    out = {f.name: getattr(rule, f.name) for f in dataclasses.fields(rule)
           if getattr(rule, f.name) is not None and f.name != "optimizer"}
    out["optimizer"] = dataclasses.asdict(rule.optimizer)
    return out


def model_to_dict(model: Model, here: Path, npz_name: str) -> tuple[dict[str, Any],
                                                                     dict[str, np.ndarray]]:
    """The TOML document of ``model`` for a file in folder ``here`` and the arrays it keeps in
    ``here / npz_name``."""
    arrays = _Arrays(npz_name)
    net = model.network
    pops = []
    for p in net.populations:
        entry: dict[str, Any] = {"name": p.name, "kind": p.kind, "size": p.size}
        if not p.is_input:
            tau_m, tau_r = p.taus
            entry.update(tau_m=_per_unit(tau_m), tau_r=_per_unit(tau_r), phi=p.phi,
                         bias=_per_unit(p.bias_array))
            if p.saturating:
                entry["drive_limits"] = [_per_unit(x) for x in p.drive_range]
        pops.append(entry)
    projs = []
    for pr in net.projections:
        entry = {"pre": pr.pre, "post": pr.post, "plastic": pr.plastic}
        if pr.weights.size <= INLINE_MAX:
            entry["weights"] = pr.weights.tolist()
        else:
            entry["file"] = arrays.put(f"W_{pr.pre}_{pr.post}", pr.weights)
        projs.append(entry)
    src = model.source.parent if model.source is not None else None
    doc: dict[str, Any] = {
        "network": {"name": net.name},
        "population": pops,
        "projection": projs,
        "stimulus": {k: _signal(v, f"stimulus_{k}", arrays, here, src)
                     for k, v in model.stimuli.items()},
        "simulation": dataclasses.asdict(model.simulation),
    }
    if model.learning is not None:
        doc["learning"] = _learning(model.learning)
    if model.dataset is not None:
        doc["dataset"] = dataclasses.asdict(model.dataset)
    if model.targets:
        doc["target"] = {k: _signal(v, f"target_{k}", arrays, here, src)
                         for k, v in model.targets.items()}
    return doc, arrays.arrays


def save_model(model: Model, path: str | Path, npz_name: str | None = None) -> Path:
    """Write ``model`` to ``path`` (TOML) and, if needed, its arrays to ``npz_name`` beside it
    (default: the TOML's name with ``.npz``). Both are written atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    npz = npz_name or path.with_suffix(".npz").name
    doc, arrays = model_to_dict(model, path.parent, npz)
    if arrays:
        tmp = path.parent / f".{npz}.tmp.npz"
        np.savez(tmp, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path.parent / npz)
    tmp_toml = path.with_name(f".{path.name}.tmp")
    tmp_toml.write_text(tomli_w.dumps(doc))
    os.replace(tmp_toml, path)
    return path
