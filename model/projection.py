"""A projection: dense synaptic weights from one population to another."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vle.model import converters


@dataclass(frozen=True, eq=False)
class Projection:
    """Synapses from population ``pre`` to population ``post``.

    ``weights`` has shape ``(post.size, pre.size)`` (dimensionless): the projection adds
    ``weights @ r_pre`` to the input current of ``post`` (equations.md section 2). ``plastic``
    says whether a learning rule may change the weights.
    """

    pre: str
    post: str
    weights: np.ndarray
    plastic: bool = True

    def __post_init__(self) -> None:
        converters.identifier("projection.pre", self.pre)
        converters.identifier("projection.post", self.post)
        w = converters.real_array(f"projection.{self.name}.weights", self.weights)
        if w.ndim != 2:
            converters.real_array(f"projection.{self.name}.weights", w, shape=(-1, -1))
        object.__setattr__(self, "weights", w)
        object.__setattr__(
            self, "plastic", converters.boolean(f"projection.{self.name}.plastic", self.plastic)
        )

    @property
    def name(self) -> str:
        """``'pre->post'``, the name used for this projection's traces and parameters."""
        return f"{self.pre}->{self.post}"

    @property
    def shape(self) -> tuple[int, int]:
        """``(post size, pre size)``."""
        return (int(self.weights.shape[0]), int(self.weights.shape[1]))
