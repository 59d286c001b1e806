"""The euler step shares populations out to threads in balanced buckets; the result may not
depend on how many threads there are (each population's arithmetic is the same, only which
thread does it changes)."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from conftest import EXAMPLES

from vle import load_model
from vle.learning.dataset_train import _Runner
from vle.sim.kernel_args import KernelArgs
from vle.sim.layout import Layout
from vle.sim.numba import _kernels


@pytest.fixture(scope="module")
def mnist():
    return load_model(EXAMPLES / "mnist1d.toml")


def _train(model, threads: int) -> dict[str, np.ndarray]:
    """Two batches of 40 steps of learning on random sequences, on ``threads`` threads."""
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        layout = Layout.of(model.network)
        spec = model.dataset
        args = KernelArgs.build(layout, dt=0.2, scheme="euler", batch=8, rule=model.learning,
                                targets=[spec.output], plastic=True, dtype=np.float64)
        s = layout.units(spec.output)
        runner = _Runner(args, 40, np.arange(s.start, s.stop, dtype=np.int64))
        rng = np.random.default_rng(5)
        for _ in range(2):
            runner.batch(rng.normal(size=(8, 40)), np.eye(10)[rng.integers(0, 10, 8)])
        return {**args.parameters(), **{f"state{i}": a.copy() for i, a in
                                        enumerate(args.state)}}
    finally:
        numba.set_num_threads(before)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two numba threads")
def test_training_gives_the_same_bits_on_one_and_two_threads(mnist):
    one, two = _train(mnist, 1), _train(mnist, 2)
    for name, value in one.items():
        np.testing.assert_array_equal(two[name], value, err_msg=name)


def test_buckets_hold_every_population_once_and_balance_the_heavy_ones(mnist):
    layout = Layout.of(mnist.network)
    args = KernelArgs.build(layout, dt=0.2, scheme="euler", batch=8, rule=mnist.learning,
                            targets=["out"], plastic=True)
    order = args.tables[3]
    for n in (1, 2, 3):
        for ptr, pops in _kernels._buckets(args.tables, args.flags, n):
            assert ptr[0] == 0 and ptr[-1] == len(order) and len(ptr) == n + 1
            assert sorted(pops) == sorted(order)
    (eptr, epops), (fptr, fpops) = _kernels._buckets(args.tables, args.flags, 2)
    # forward: the five 53 x 53 learning projections (with their W^T e) into h1..h5; errors:
    # six equal 53-unit populations (in, h1..h5), three per thread; so of the five heavy
    # populations named, each phase puts three on one thread and two on the other
    for (ptr, pops), heavy in (((fptr, fpops), ("h1", "h2", "h3", "h4", "h5")),
                               ((eptr, epops), ("in", "h1", "h2", "h3", "h4"))):
        index = {layout.names.index(n) for n in heavy}
        counts = sorted(len(index & set(pops[ptr[w]:ptr[w + 1]])) for w in range(2))
        assert counts == [2, 3]
