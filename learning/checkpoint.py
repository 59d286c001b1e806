"""Atomic checkpoints of a run's arrays plus a few scalars (``.npz``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np


def save_checkpoint(path: Path, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> None:
    """Write ``arrays`` and the JSON-serialisable ``meta`` to ``path`` atomically (a crash
    while writing leaves the previous checkpoint intact)."""
    tmp = path.with_name(f".{path.name}.tmp.npz")
    np.savez(tmp, **dict(arrays), __meta__=np.array(json.dumps(dict(meta))))  # type: ignore[arg-type]
    os.replace(tmp, path)


def load_checkpoint(path: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The arrays and meta written by :func:`save_checkpoint`."""
    with np.load(path, allow_pickle=False) as f:
        meta = json.loads(str(f["__meta__"]))
        arrays = {k: f[k] for k in f.files if k != "__meta__"}
    return arrays, meta
