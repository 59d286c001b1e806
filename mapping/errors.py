"""The error of a model that a technology cannot realise."""

from __future__ import annotations


class MappingError(ValueError):
    """A requested quantity cannot be realised: names the item (population and unit, or
    projection and synapse), the quantity, the problem and the technology's limit::

        population h1 unit 0: tau_r = 1e-09 s is below what technology 'discrete' can
        realise; limit: R C >= 100 ohm x 100p F = 10n s; use a larger --time-scale
    """

    def __init__(self, item: str, quantity: str, problem: str, limit: str | None = None,
                 hint: str | None = None) -> None:
        self.item = item
        self.quantity = quantity
        self.problem = problem
        self.limit = limit
        text = f"{item}: {quantity} {problem}"
        if limit:
            text += f"; limit: {limit}"
        if hint:
            text += f"; {hint}"
        super().__init__(text)
