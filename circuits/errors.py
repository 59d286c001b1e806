"""The one error type of invalid circuit data."""

from __future__ import annotations


class CircuitError(ValueError):
    """Circuit data is invalid: a bad name, value, expression or connection.

    The message says where (an element, node or subcircuit), what is wrong and what was
    expected::

        element 'Rh1_1_0': resistance got -1.0; expected a finite number > 0 (ohms)
    """

    def __init__(self, where: str, problem: str, expected: str | None = None) -> None:
        self.where = where
        self.problem = problem
        self.expected = expected
        text = f"{where}: {problem}"
        if expected:
            text += f"; expected {expected}"
        super().__init__(text)
