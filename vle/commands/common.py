"""Helpers shared by the sub-commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path


def out_path(suffixes: Sequence[str]) -> Callable[[str], Path]:
    """An argparse type that accepts a path ending in one of ``suffixes``."""

    def convert(text: str) -> Path:
        path = Path(text)
        if path.suffix.lower() not in suffixes:
            raise argparse.ArgumentTypeError(
                f"{text!r}: the file name must end in {' or '.join(suffixes)}")
        return path

    return convert
