"""The one error type of a bad model description."""

from __future__ import annotations

from pathlib import Path


class ModelError(ValueError):
    """A model description (file or Python objects) is invalid.

    The message names where (the file, when there is one, and the key, as a dotted path such as
    ``population.h1.tau_m``), what is wrong, and what was expected::

        chain.toml: population.h1.tau_m: got -1.0; expected a number > 0 or a list of 1 such numbers
    """

    def __init__(
        self,
        key: str,
        problem: str,
        expected: str | None = None,
        *,
        file: str | Path | None = None,
    ) -> None:
        self.key = key
        self.problem = problem
        self.expected = expected
        self.file = None if file is None else str(file)
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"{self.file}: " if self.file else ""
        text = f"{where}{self.key}: {self.problem}"
        if self.expected:
            text += f"; expected {self.expected}"
        return text

    def in_file(self, file: str | Path) -> ModelError:
        """The same error, located in ``file`` (kept if the error already names a file)."""
        if self.file is not None:
            return self
        return ModelError(self.key, self.problem, self.expected, file=file)
