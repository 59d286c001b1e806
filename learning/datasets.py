"""Datasets generated locally (no download) and cached under the user's cache folder.

The cache folder is ``$VLE_CACHE_DIR``, else ``$XDG_CACHE_HOME/vle``, else ``~/.cache/vle``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np


def cache_dir() -> Path:
    """Where generated datasets are cached (created on first use)."""
    if os.environ.get("VLE_CACHE_DIR"):
        base = Path(os.environ["VLE_CACHE_DIR"])
    elif os.environ.get("XDG_CACHE_HOME"):
        base = Path(os.environ["XDG_CACHE_HOME"]) / "vle"
    else:
        base = Path.home() / ".cache" / "vle"
    base.mkdir(parents=True, exist_ok=True)
    return base


def mnist1d(n_points: int, n_samples: int = 5000) -> dict[str, np.ndarray]:
    """MNIST-1D from the ``mnist1d`` package's generator with its standard arguments (seed 42,
    80 % training split), each sequence generated at ``n_points`` points.

    Returns ``x_train`` ``(n, n_points)``, ``y_train`` ``(n,)`` and ``x_test``, ``y_test``.
    Cached as an ``.npz`` file named by a hash of the arguments and the package version.
    """
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as exc:
        raise RuntimeError(f"MNIST-1D needs the mnist1d package ({exc}): pip install mnist1d "
                           "(`make venv` in the repository installs it)") from None
    from vle.sim.provenance import package_version

    key = {"dataset": "mnist1d", "n_points": n_points, "n_samples": n_samples,
           "version": package_version("mnist1d")}
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]
    path = cache_dir() / f"mnist1d-{n_points}-{n_samples}-{digest}.npz"
    if path.exists():
        with np.load(path) as f:
            return {k: f[k] for k in f.files}
    args = get_dataset_args(as_dict=False)
    args.final_seq_length = n_points
    args.num_samples = n_samples
    data = make_dataset(args)
    out = {"x_train": np.asarray(data["x"], dtype=np.float64),
           "y_train": np.asarray(data["y"], dtype=np.int64),
           "x_test": np.asarray(data["x_test"], dtype=np.float64),
           "y_test": np.asarray(data["y_test"], dtype=np.int64)}
    tmp = path.with_name(f".{path.name}.tmp.npz")
    np.savez(tmp, **out)  # type: ignore[arg-type]
    os.replace(tmp, path)
    return out


def load(name: str, n_points: int, n_samples: int) -> dict[str, np.ndarray]:
    """The dataset ``name`` at ``n_points`` points per sequence."""
    if name == "mnist1d":
        return mnist1d(n_points, n_samples)
    raise ValueError(f"unknown dataset {name!r}")
