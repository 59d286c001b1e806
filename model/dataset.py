"""A dataset task (the ``[dataset]`` table): labelled sequences fed to an input population."""

from __future__ import annotations

from dataclasses import dataclass

from vle.model import converters

DATASETS: tuple[str, ...] = ("mnist1d",)
"""Known datasets; ``mnist1d`` is generated locally by the ``mnist1d`` package."""
SCHEDULES: tuple[str, ...] = ("none", "plateau")
TEST_STATES: tuple[str, ...] = ("rest", "carried")
"""Where a test pass starts: from rest, or from the training state (see DatasetSpec)."""


@dataclass(frozen=True)
class DatasetSpec:
    """Sequences of ``name`` stream into population ``input``, one value per time step, each
    sample lasting ``time_per_sample`` model time units (the sequence is generated at
    ``time_per_sample / dt`` points); the one-hot label is the target of population ``output``
    at every step, and the prediction is the argmax of ``output``'s rate summed over the sample.

    ``batch`` samples run in parallel (``test_batch`` for evaluation); the network state carries
    over from one batch to the next. ``seed`` shuffles the training set each epoch.
    ``lr_schedule = "plateau"`` halves the learning rate when the test loss has not improved for
    ``patience`` epochs.

    ``test_state = "rest"`` evaluates every test batch from rest (u = v = e = 0).
    ``"carried"`` evaluates from the training state, as the GLE authors' MNIST-1D code does:
    the state at the end of the epoch, its ``batch`` columns tiled to ``test_batch``, starts
    every test batch, and the first ``batch`` columns of the last test batch's final state
    carry back into training (errors and plasticity stay off during the test, so e and v keep
    their carried values).
    """

    name: str
    input: str
    output: str
    batch: int = 100
    test_batch: int = 1000
    time_per_sample: float = 72.0
    n_samples: int = 5000
    seed: int = 0
    lr_schedule: str = "none"
    patience: int = 2
    test_state: str = "rest"

    def __post_init__(self) -> None:
        converters.choice("dataset.name", self.name, DATASETS)
        converters.identifier("dataset.input", self.input)
        converters.identifier("dataset.output", self.output)
        converters.integer("dataset.batch", self.batch, minimum=1)
        converters.integer("dataset.test_batch", self.test_batch, minimum=1)
        converters.number("dataset.time_per_sample", self.time_per_sample, positive=True)
        converters.integer("dataset.n_samples", self.n_samples, minimum=10)
        converters.integer("dataset.seed", self.seed, minimum=0)
        converters.choice("dataset.lr_schedule", self.lr_schedule, SCHEDULES)
        converters.integer("dataset.patience", self.patience, minimum=1)
        converters.choice("dataset.test_state", self.test_state, TEST_STATES)
