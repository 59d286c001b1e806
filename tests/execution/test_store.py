"""The result store: round trip, resume, the spec's fingerprint, failed tasks, one writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from vle.execution import (
    ResultStore,
    StoreBusyError,
    StoreMismatchError,
    TaskRecord,
    Variable,
    fingerprint,
    make_tasks,
    read_results,
)

SPEC = {"model": "lagline", "samples": 4}
VARIABLES = {"v": Variable("membrane potential", "V", ("time",)), "n": Variable("count", "1")}


def ok(task, scale: float = 1.0) -> TaskRecord:  # type: ignore[no-untyped-def]
    return TaskRecord(task, "ok", values={"v": np.arange(3.0) * task.index * scale,
                                          "n": task.index}, elapsed=0.5)


def test_round_trip_through_netcdf(tmp_path: Path) -> None:
    tasks = make_tasks([{"x": i} for i in range(4)], root_seed=1)
    with ResultStore(tmp_path / "s", SPEC, dim="sample", variables=VARIABLES,
                     attrs={"title": "test"}) as store:
        for t in tasks[:3]:
            store.put(ok(t))
        store.put(TaskRecord(tasks[3], "failed", "ValueError: no convergence"))
        ds = store.to_dataset()
        path = store.consolidate()
    assert ds.sizes == {"sample": 4, "time": 3}
    assert list(ds["sample"].values) == [0, 1, 2, 3]
    assert list(ds["key"].values) == [t.key for t in tasks]
    assert list(ds["seed"].values) == [t.seed for t in tasks]
    assert list(ds["status"].values) == ["ok", "ok", "ok", "failed"]
    assert ds["message"].values[3] == "ValueError: no convergence"
    np.testing.assert_array_equal(ds["v"].values[2], [0.0, 2.0, 4.0])
    assert np.isnan(ds["v"].values[3]).all()
    assert ds["n"].dtype == np.float64  # an integer output with a gap becomes float (NaN)
    assert ds["v"].attrs == {"long_name": "membrane potential", "units": "V"}
    assert ds["elapsed"].attrs["units"] == "s"
    assert ds.attrs["spec_fingerprint"] == fingerprint(SPEC)
    assert ds.attrs["title"] == "test"
    with xr.open_dataset(path) as back:
        xr.testing.assert_identical(back.load(), ds)
    xr.testing.assert_identical(read_results(tmp_path / "s"), ds)


def test_reopening_resumes_with_the_finished_keys(tmp_path: Path) -> None:
    tasks = make_tasks([{} for _ in range(3)], root_seed=0)
    with ResultStore(tmp_path, SPEC) as store:
        store.put(ok(tasks[0]))
        store.put(TaskRecord(tasks[1], "timeout", "still running"))
    with ResultStore(tmp_path, SPEC) as store:
        assert store.done_keys() == {tasks[0].key, tasks[1].key}
        assert store.statuses() == {tasks[0].key: "ok", tasks[1].key: "timeout"}
        store.put(ok(tasks[1]))  # a rerun replaces the record: one row per key
        assert store.statuses()[tasks[1].key] == "ok"
        assert store.to_dataset().sizes["task"] == 2
        assert store.to_dataset()["n"].dtype == np.int64


def test_another_spec_is_refused_unless_new(tmp_path: Path) -> None:
    task = make_tasks([{}], 0)[0]
    with ResultStore(tmp_path, SPEC) as store:
        store.put(ok(task))
    with pytest.raises(StoreMismatchError, match="another spec.*new=True"):
        ResultStore(tmp_path, {**SPEC, "samples": 5})
    with pytest.raises(StoreMismatchError, match="task dimension"):
        ResultStore(tmp_path, SPEC, dim="point")
    with ResultStore(tmp_path, {**SPEC, "samples": 5}, new=True) as store:
        assert store.done_keys() == set()
        assert store.to_dataset().attrs["spec_fingerprint"] == fingerprint({**SPEC,
                                                                           "samples": 5})
    with ResultStore(tmp_path, {**SPEC, "samples": 5}) as store:
        assert store.done_keys() == set()


def test_an_interrupted_new_is_refused(tmp_path: Path) -> None:
    with ResultStore(tmp_path, SPEC) as store:
        store.put(ok(make_tasks([{}], 0)[0]))
    (tmp_path / "store.json").unlink()  # as a kill between the two steps of new=True
    with pytest.raises(StoreMismatchError, match="without store.json"):
        ResultStore(tmp_path, SPEC)
    ResultStore(tmp_path, SPEC, new=True).close()


def test_a_folder_that_is_no_store_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    for new in (False, True):
        with pytest.raises(ValueError, match="not a result store"):
            ResultStore(tmp_path, SPEC, new=new)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    with ResultStore(tmp_path, SPEC), pytest.raises(StoreBusyError, match="another process"):
        ResultStore(tmp_path, SPEC)
    ResultStore(tmp_path, SPEC).close()


def test_outputs_of_another_shape_make_the_task_failed(tmp_path: Path) -> None:
    tasks = make_tasks([{}, {}], 0)
    with ResultStore(tmp_path, SPEC) as store:
        store.put(ok(tasks[0]))
        bad = store.put(TaskRecord(tasks[1], "ok", values={"v": np.zeros(4), "n": 1}))
        assert bad.status == "failed"
        assert "v: (4,)" in bad.message and "v: (3,)" in bad.message
        assert store.statuses()[tasks[1].key] == "failed"


def test_leftover_temporaries_are_removed(tmp_path: Path) -> None:
    with ResultStore(tmp_path, SPEC) as store:
        store.put(ok(make_tasks([{}], 0)[0]))
    (tmp_path / "tasks" / ".tmp-000001.npz").write_bytes(b"half a file")
    with ResultStore(tmp_path, SPEC) as store:
        assert store.done_keys() == {"000000"}
    assert not (tmp_path / "tasks" / ".tmp-000001.npz").exists()


def test_a_changed_numbering_is_refused(tmp_path: Path) -> None:
    with ResultStore(tmp_path, SPEC) as store:
        store.put(ok(make_tasks([{}], 0)[0]))
        other = make_tasks([{}], 0, key=lambda i, p: "other")
        with pytest.raises(StoreMismatchError, match="index 0"):
            store.check_tasks(other)


@pytest.mark.parametrize(("values", "match"), [
    ({"s": "text"}, "dtype"), ({"status": 1.0}, "not usable"), ({"a/b": 1.0}, "not usable"),
])
def test_unusable_outputs_are_refused(values: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        TaskRecord(make_tasks([{}], 0)[0], "ok", values=values)  # type: ignore[arg-type]
