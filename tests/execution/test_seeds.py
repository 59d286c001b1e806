"""Seeds derived per task, and the Task a function receives."""

from __future__ import annotations

import numpy as np
import pytest

from vle.execution import Task, derive_seed, make_tasks


def test_a_seed_is_numpys_spawned_child() -> None:
    children = np.random.SeedSequence(42).spawn(5)
    for i, child in enumerate(children):
        assert derive_seed(42, i) == int(child.generate_state(1, dtype=np.uint64)[0])


def test_seeds_depend_only_on_root_and_index() -> None:
    forward = [derive_seed(7, i) for i in range(1000)]
    backward = [derive_seed(7, i) for i in reversed(range(1000))][::-1]
    assert forward == backward
    assert len(set(forward)) == 1000
    assert all(0 <= s < 2**64 for s in forward)
    assert derive_seed(8, 0) != derive_seed(7, 0)
    assert np.random.default_rng(forward[3]).normal() == np.random.default_rng(
        derive_seed(7, 3)).normal()


@pytest.mark.parametrize(("root", "index"), [(-1, 0), (0, -1), (True, 0), (1.5, 0)])
def test_bad_seed_arguments_are_refused(root: object, index: object) -> None:
    with pytest.raises(ValueError, match="non-negative integer"):
        derive_seed(root, index)  # type: ignore[arg-type]


def test_make_tasks_numbers_keys_and_seeds() -> None:
    tasks = make_tasks([{"x": 1}, {"x": 2}], root_seed=3)
    assert [t.index for t in tasks] == [0, 1]
    assert [t.key for t in tasks] == ["000000", "000001"]
    assert [t.seed for t in tasks] == [derive_seed(3, 0), derive_seed(3, 1)]
    named = make_tasks([{"x": 1}], 3, key=lambda i, p: f"x={p['x']}")
    assert named[0].key == "x=1"


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"key": "a/b"}, "key"), ({"key": ""}, "key"), ({"index": -1}, "index"),
    ({"seed": 2**64}, "seed"), ({"params": {"x": object()}}, "JSON"),
    ({"params": {"x": float("nan")}}, "JSON"),
])
def test_a_bad_task_is_refused(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"index": 0, "key": "k", "seed": 0, "params": {}} | kwargs
    with pytest.raises(ValueError, match=match):
        Task(**args)  # type: ignore[arg-type]
