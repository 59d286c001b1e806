"""A network: named populations and the projections between them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vle.model import converters
from vle.model.errors import ModelError
from vle.model.population import Population
from vle.model.projection import Projection


@dataclass(frozen=True, eq=False)
class Network:
    """Populations (named nodes) and projections (edges ``pre -> post``), as in NIR.

    Validation: names unique, every projection names existing populations, never ends on an
    input population, has weights of shape ``(post.size, pre.size)``, and no two projections
    join the same pair. At least one input and one non-input population are required.
    """

    name: str
    populations: tuple[Population, ...]
    projections: tuple[Projection, ...] = ()

    def __post_init__(self) -> None:
        converters.identifier("network.name", self.name)
        pops = tuple(self.populations)
        projs = tuple(self.projections)
        object.__setattr__(self, "populations", pops)
        object.__setattr__(self, "projections", projs)
        by_name: dict[str, Population] = {}
        for p in pops:
            if p.name in by_name:
                raise ModelError(f"population.{p.name}", "the name is used twice",
                                 "unique population names")
            by_name[p.name] = p
        if not any(p.is_input for p in pops):
            raise ModelError("population", "no input population", "at least one population "
                             "with kind = \"input\"")
        if all(p.is_input for p in pops):
            raise ModelError("population", "no hidden or output population",
                             "at least one population that is not an input")
        seen: set[tuple[str, str]] = set()
        for pr in projs:
            key = f"projection.{pr.name}"
            for end in ("pre", "post"):
                if getattr(pr, end) not in by_name:
                    raise ModelError(f"{key}.{end}", f"no population named {getattr(pr, end)!r}",
                                     "one of " + ", ".join(map(repr, by_name)))
            post, pre = by_name[pr.post], by_name[pr.pre]
            if post.is_input:
                raise ModelError(f"{key}.post", f"{pr.post!r} is an input population",
                                 "a hidden or output population as the target")
            if pr.shape != (post.size, pre.size):
                raise ModelError(f"{key}.weights", f"got shape {list(pr.shape)}",
                                 f"shape [{post.size}][{pre.size}] (post size x pre size)")
            if (pr.pre, pr.post) in seen:
                raise ModelError(key, "a second projection joins the same populations",
                                 "at most one projection per (pre, post) pair")
            seen.add((pr.pre, pr.post))

    def population(self, name: str) -> Population:
        """The population called ``name`` (KeyError with the known names otherwise)."""
        for p in self.populations:
            if p.name == name:
                return p
        raise KeyError(f"no population {name!r} in network {self.name!r}; "
                       f"known: {', '.join(p.name for p in self.populations)}")

    def projection(self, pre: str, post: str) -> Projection:
        """The projection from ``pre`` to ``post``."""
        for pr in self.projections:
            if pr.pre == pre and pr.post == post:
                return pr
        raise KeyError(f"no projection {pre}->{post} in network {self.name!r}")

    @property
    def inputs(self) -> tuple[Population, ...]:
        """The input populations, in file order."""
        return tuple(p for p in self.populations if p.is_input)

    @property
    def neurons(self) -> tuple[Population, ...]:
        """The non-input populations, in file order."""
        return tuple(p for p in self.populations if not p.is_input)

    def update_order(self) -> tuple[tuple[str, ...], frozenset[str]]:
        """The order in which populations are updated within a time step, and the back edges.

        Returns ``(order, delayed)``: ``order`` lists every non-input population so that each
        comes after the populations projecting to it (a topological order, ties broken by file
        order). Where projections form a cycle, the cycle is cut at the earliest population (in
        file order) still waiting, and the projections into it from populations not yet placed
        are ``delayed``: in the ``exact`` scheme they carry the previous step's rate (a
        one-step lag, stated in the result metadata). ``delayed`` holds projection names.
        """
        remaining = [p.name for p in self.neurons]
        placed = {p.name for p in self.inputs}
        incoming: dict[str, list[Projection]] = {n: [] for n in remaining}
        for pr in self.projections:
            incoming[pr.post].append(pr)
        order: list[str] = []
        delayed: set[str] = set()
        while remaining:
            ready = [n for n in remaining
                     if all(pr.pre in placed or pr.pre == n for pr in incoming[n])]
            pick = ready[0] if ready else remaining[0]
            for pr in incoming[pick]:
                if pr.pre not in placed:
                    delayed.add(pr.name)
            order.append(pick)
            placed.add(pick)
            remaining.remove(pick)
        return tuple(order), frozenset(delayed)

    def with_weights(self, weights: dict[str, object]) -> Network:
        """A copy with the named projections' weights replaced (``{'pre->post': array}``)."""
        projs = [
            Projection(pr.pre, pr.post, weights[pr.name], pr.plastic)  # type: ignore[arg-type]
            if pr.name in weights else pr
            for pr in self.projections
        ]
        return Network(self.name, self.populations, tuple(projs))


def chain(
    name: str, populations: Sequence[Population], weights: Sequence[object]
) -> Network:
    """A feed-forward chain: ``populations[i] -> populations[i+1]`` with ``weights[i]``."""
    projs = tuple(
        Projection(a.name, b.name, w)  # type: ignore[arg-type]
        for a, b, w in zip(populations[:-1], populations[1:], weights, strict=True)
    )
    return Network(name, tuple(populations), projs)
