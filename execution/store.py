"""The result store: one folder that a run fills task by task, and a dataset read from it.

Layout of a store folder::

    store.json      format, spec fingerprint and spec, task dimension name, attributes and
                    variable metadata (written once, atomically, when the store is created)
    tasks/KEY.npz   one fragment per finished task: its outputs, status, message, seed, ...
    results.nc      the consolidated netCDF file, rewritten (atomically) by consolidate()
    .lock           held (flock) by the one process writing the store

Why fragments rather than appending to one netCDF or zarr store: a task counts as done only
once its fragment exists, and a fragment is written to a temporary name and renamed into
place (``os.replace``, atomic on POSIX), so at any instant - including a SIGKILL in the middle
of a write - every fragment is either complete or absent. A killed run therefore loses only
the tasks in flight, and no file is ever half written: a leftover temporary is deleted when
the store is next opened. The file name is the task's key, so a task cannot be stored twice.
Appending rows to one HDF5 (netCDF4) file in place has no such guarantee: a kill during the
write can leave the file unreadable and lose every finished task. A zarr array appended along
a dimension needs its chunks and its metadata updated in two steps, which a kill can separate,
and it would add a dependency for what ``os.replace`` already gives. The price is one small
file per task and a consolidation step; :meth:`ResultStore.consolidate` writes
``results.nc`` (readable with ``xarray.open_dataset``), and :func:`read_results` reads a
store's current state at any time, also while a run is writing it. (The write is not
fsync'ed: a killed process loses nothing the kernel has accepted; a power cut may.)

The store holds a fingerprint of the spec the caller passes (a JSON-able description of the
run: model, sweep ranges, sample count, ...). Opening a store with another spec raises
:class:`StoreMismatchError` unless ``new=True``, which deletes the old results first, so
results of two specs are never mixed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from vle.execution.record import STATUSES, TaskRecord
from vle.execution.task import Task

FORMAT = "vle.execution.store/1"
"""The ``format`` entry of ``store.json``."""

_TMP = ".tmp-"
_OWN = {
    "key": ("key of the task (its identity across runs)", None),
    "seed": ("seed of the task's random draws (numpy.random.default_rng)", None),
    "status": ("status of the task: " + ", ".join(STATUSES), None),
    "message": ("why the task did not succeed (empty when ok)", None),
    "attempts": ("times the task was started (retries after a worker died included)", "1"),
    "elapsed": ("wall time of the task's last attempt on its worker", "s"),
    "params": ("parameters of the task (JSON)", None),
}


@dataclass(frozen=True)
class Variable:
    """Metadata of one output: ``long_name`` and ``units`` (attributes of its variable) and
    the names of its dimensions after the task dimension (default ``NAME_dim0``, ...)."""

    long_name: str
    units: str
    dims: tuple[str, ...] = ()


class StoreMismatchError(ValueError):
    """A store exists at the path but belongs to another spec (or another layout)."""


class StoreBusyError(RuntimeError):
    """Another process is writing the store."""


def _canonical(spec: Any) -> str:
    try:
        return json.dumps(spec, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as err:
        raise ValueError(f"the run's spec must be JSON-able (dicts, lists, strings, finite "
                         f"numbers): {err}") from None


def fingerprint(spec: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``spec`` (keys sorted, no whitespace)."""
    return hashlib.sha256(_canonical(spec).encode()).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f"{_TMP}{path.name}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class ResultStore:
    """The results of a run at folder ``path`` (created if missing), for ``spec``.

    ``dim`` names the task dimension (``"sample"``, ``"point"``); ``variables`` gives
    :class:`Variable` metadata for outputs; ``attrs`` (strings and numbers) become global
    attributes of the dataset. ``new=True`` deletes the results already at ``path`` and starts
    over. The store holds an exclusive lock on the folder until :meth:`close` (or the end of a
    ``with`` block, or the process): a second writer gets :class:`StoreBusyError`.
    """

    def __init__(self, path: str | Path, spec: Any, *, dim: str = "task",
                 variables: Mapping[str, Variable] | None = None,
                 attrs: Mapping[str, str | int | float] | None = None,
                 new: bool = False) -> None:
        if not dim.isidentifier() or dim in _OWN:
            raise ValueError(f"ResultStore: dim {dim!r} must be an identifier other than "
                             f"{sorted(_OWN)}")
        for k, v in (attrs or {}).items():
            if isinstance(v, bool) or not isinstance(v, str | int | float):
                raise ValueError(f"ResultStore: attribute {k!r} must be a string or a number, "
                                 f"got {type(v).__name__}")
        self.path = Path(path)
        self.dim = dim
        self.spec = json.loads(_canonical(spec))
        self.fingerprint = fingerprint(spec)
        self.attrs = dict(attrs or {})
        self.variables = dict(variables or {})
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(self.path / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            raise StoreBusyError(f"{self.path}: another process is writing this store; wait "
                                 "for it to finish or stop it") from None
        try:
            self._open(new)
        except BaseException:
            self.close()
            raise

    @property
    def tasks_dir(self) -> Path:
        return self.path / "tasks"

    @property
    def results_path(self) -> Path:
        """The consolidated netCDF file (written by :meth:`consolidate`)."""
        return self.path / "results.nc"

    def _open(self, new: bool) -> None:
        meta_path = self.path / "store.json"
        if new:
            # store.json goes first: a kill in between leaves fragments without it, which the
            # next open refuses instead of taking them for results of either spec
            meta_path.unlink(missing_ok=True)
            shutil.rmtree(self.tasks_dir, ignore_errors=True)
            self.results_path.unlink(missing_ok=True)
        if meta_path.exists():
            meta = json.loads(meta_path.read_text())
            if meta.get("format") != FORMAT:
                raise StoreMismatchError(f"{self.path}: store format {meta.get('format')!r}, "
                                         f"this version of vle reads {FORMAT!r}")
            if meta["fingerprint"] != self.fingerprint:
                raise StoreMismatchError(
                    f"{self.path}: the store holds results of another spec (fingerprint "
                    f"{meta['fingerprint'][:12]}, this run's is {self.fingerprint[:12]}); "
                    "use another folder, or pass new=True (--new) to delete them and start "
                    "over")
            if meta["dim"] != self.dim:
                raise StoreMismatchError(f"{self.path}: the store's task dimension is "
                                         f"{meta['dim']!r}, not {self.dim!r}")
            self.attrs = {**meta["attrs"], **self.attrs}
            self.variables = {**{k: Variable(v["long_name"], v["units"], tuple(v["dims"]))
                                 for k, v in meta["variables"].items()}, **self.variables}
        else:
            if self.tasks_dir.exists() and any(not p.name.startswith(_TMP)
                                               for p in self.tasks_dir.iterdir()):
                raise StoreMismatchError(f"{self.path}: task fragments without store.json "
                                         "(an interrupted new=True?); pass new=True again")
            others = sorted(p.name for p in self.path.iterdir()
                            if p.name not in {".lock", "tasks", "results.nc"})
            if others:
                raise ValueError(f"{self.path}: not empty and not a result store "
                                 f"({', '.join(others[:3])}...); choose an empty or new folder")
        self._write_meta()
        self.tasks_dir.mkdir(exist_ok=True)
        for p in [*self.tasks_dir.glob(f"{_TMP}*"), *self.path.glob(f"{_TMP}*")]:
            p.unlink()
        self._index: dict[str, tuple[int, str]] = {}
        self._shapes: dict[str, tuple[int, ...]] | None = None
        for meta, _ in _fragments(self.tasks_dir, with_values=False):
            self._index[meta["key"]] = (meta["index"], meta["status"])
            if meta["status"] == "ok" and self._shapes is None:
                self._shapes = {k: tuple(v) for k, v in meta["shapes"].items()}

    def _write_meta(self) -> None:
        meta = {"format": FORMAT, "fingerprint": self.fingerprint, "spec": self.spec,
                "dim": self.dim, "attrs": self.attrs,
                "variables": {k: {"long_name": v.long_name, "units": v.units,
                                  "dims": list(v.dims)} for k, v in self.variables.items()}}
        text = json.dumps(meta, indent=1, sort_keys=True)
        meta_path = self.path / "store.json"
        if not meta_path.exists() or meta_path.read_text() != text:
            _atomic_write(meta_path, text.encode())

    def statuses(self) -> dict[str, str]:
        """Key -> status of every finished task."""
        return {k: s for k, (_, s) in self._index.items()}

    def done_keys(self) -> set[str]:
        """Keys of the finished tasks (any status)."""
        return set(self._index)

    def check_tasks(self, tasks: Iterable[Task]) -> None:
        """Refuse (StoreMismatchError) tasks whose index the store gives to another key."""
        by_index = {i: k for k, (i, _) in self._index.items()}
        for t in tasks:
            other = by_index.get(t.index, t.key)
            if other != t.key:
                raise StoreMismatchError(f"{self.path}: task {t.key!r} has index {t.index}, "
                                         f"which the store's task {other!r} already has; the "
                                         "tasks changed but the spec did not")

    def put(self, record: TaskRecord) -> TaskRecord:
        """Persist ``record`` (replacing an earlier record of its key) and return what was
        written: outputs whose names or shapes differ from the earlier tasks' make the record
        ``failed`` with a message saying so."""
        if record.status == "ok":
            shapes = {k: tuple(v.shape) for k, v in record.values.items()}
            if self._shapes is not None and shapes != self._shapes:
                record = TaskRecord(record.task, "failed", "outputs differ from the earlier "
                                    f"tasks': got {_describe(shapes)}, expected "
                                    f"{_describe(self._shapes)}", attempts=record.attempts,
                                    elapsed=record.elapsed, worker=record.worker)
        t = record.task
        meta = {"index": t.index, "key": t.key, "seed": t.seed, "params": t.params,
                "status": record.status, "message": record.message,
                "attempts": record.attempts, "worker": record.worker,
                "elapsed": None if math.isnan(record.elapsed) else record.elapsed,
                "shapes": {k: list(v.shape) for k, v in record.values.items()}}
        path = self.tasks_dir / f"{t.key}.npz"
        tmp = path.with_name(f"{_TMP}{path.name}")
        with open(tmp, "wb") as f:
            np.savez(f, __meta__=np.array(json.dumps(meta)),
                     **{f"v:{k}": v for k, v in record.values.items()})  # type: ignore[arg-type]
        os.replace(tmp, path)
        self._index[t.key] = (t.index, record.status)
        if record.status == "ok" and self._shapes is None:
            self._shapes = {k: tuple(v.shape) for k, v in record.values.items()}
        return record

    def to_dataset(self) -> xr.Dataset:
        """The finished tasks as a dataset along the task dimension (sorted by index)."""
        return _dataset(self.tasks_dir, self.dim, self.spec, self.fingerprint, self.attrs,
                        self.variables)

    def consolidate(self) -> Path:
        """Write :meth:`to_dataset` to ``results.nc`` (atomically) and return its path."""
        tmp = self.path / f"{_TMP}results.nc"
        self.to_dataset().to_netcdf(tmp)
        os.replace(tmp, self.results_path)
        return self.results_path

    def close(self) -> None:
        """Release the folder's lock (the store is not usable afterwards)."""
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_results(path: str | Path) -> xr.Dataset:
    """The dataset of the store at ``path`` as it is now (no lock needed: fragments appear
    whole)."""
    path = Path(path)
    meta_path = path / "store.json"
    if not meta_path.exists():
        raise FileNotFoundError(f"{path}: not a result store (no store.json)")
    meta = json.loads(meta_path.read_text())
    variables = {k: Variable(v["long_name"], v["units"], tuple(v["dims"]))
                 for k, v in meta["variables"].items()}
    return _dataset(path / "tasks", meta["dim"], meta["spec"], meta["fingerprint"],
                    meta["attrs"], variables)


def _describe(shapes: Mapping[str, tuple[int, ...]]) -> str:
    return "{" + ", ".join(f"{k}: {tuple(v)}" for k, v in sorted(shapes.items())) + "}"


def _fragments(folder: Path, with_values: bool = True
               ) -> Iterable[tuple[dict[str, Any], dict[str, np.ndarray]]]:
    for path in sorted(folder.glob("*.npz")):
        if path.name.startswith(_TMP):
            continue
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["__meta__"]))
                values = ({k[2:]: z[k] for k in z.files if k.startswith("v:")}
                          if with_values else {})
        except FileNotFoundError:
            continue  # replaced by a writer while this reader listed the folder
        except Exception as err:
            raise ValueError(f"{path}: unreadable task fragment ({err}); delete it to run "
                             "that task again") from None
        yield meta, values


def _dataset(folder: Path, dim: str, spec: Any, fp: str, attrs: Mapping[str, Any],
             variables: Mapping[str, Variable]) -> xr.Dataset:
    frags = sorted(_fragments(folder), key=lambda f: f[0]["index"])
    metas = [m for m, _ in frags]
    index = np.array([m["index"] for m in metas], dtype=np.int64)
    if len(set(index.tolist())) != len(index):
        raise StoreMismatchError(f"{folder.parent}: two tasks share an index")
    n = len(frags)
    oks = [v for m, v in frags if m["status"] == "ok"]
    data: dict[str, Any] = {}
    for name, first in (oks[0].items() if oks else ()):
        dtype = np.result_type(*[v[name].dtype for v in oks])
        if len(oks) < n:
            dtype = np.result_type(dtype, np.float64)  # NaN marks the tasks without a value
        arr = np.full((n, *first.shape), np.nan if dtype.kind == "f" else 0, dtype=dtype)
        for row, (m, v) in enumerate(frags):
            if m["status"] == "ok":
                arr[row] = v[name]
        var = variables.get(name)
        extra = var.dims if var is not None and var.dims else tuple(
            f"{name}_dim{i}" for i in range(first.ndim))
        if len(extra) != first.ndim:
            raise ValueError(f"variable {name!r}: {len(extra)} dims named for an output of "
                             f"{first.ndim} dimensions")
        data[name] = ((dim, *extra), arr,
                      {"long_name": var.long_name, "units": var.units} if var else {})
    own = {
        "status": np.array([m["status"] for m in metas], dtype=object),
        "message": np.array([m["message"] for m in metas], dtype=object),
        "attempts": np.array([m["attempts"] for m in metas], dtype=np.int64),
        "elapsed": np.array([math.nan if m["elapsed"] is None else m["elapsed"]
                             for m in metas], dtype=np.float64),
        "params": np.array([json.dumps(m["params"], sort_keys=True) for m in metas],
                           dtype=object),
    }
    for name, arr in own.items():
        long_name, units = _OWN[name]
        data[name] = ((dim,), arr, {"long_name": long_name, **({"units": units} if units
                                                               else {})})
    coords = {
        dim: (dim, index, {"long_name": f"{dim} index"}),
        "key": (dim, np.array([m["key"] for m in metas], dtype=object),
                {"long_name": _OWN["key"][0]}),
        "seed": (dim, np.array([m["seed"] for m in metas], dtype=np.uint64),
                 {"long_name": _OWN["seed"][0]}),
    }
    ds = xr.Dataset(data, coords=coords)
    ds.attrs = {**attrs, "spec_fingerprint": fp, "spec": _canonical(spec),
                "store_format": FORMAT}
    return ds
