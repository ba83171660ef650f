"""Bound-parameter lists for ``IN (…)`` queries, kept under SQLite's limit on bound parameters.

>>> [list(c) for c in chunks(list(range(5)), size=2)], marks(3)
([[0, 1], [2, 3], [4]], '?,?,?')
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["CHUNK", "chunks", "marks"]

CHUNK = 900  # ids bound per statement: under SQLite's default limit (999 before 3.32)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """``items`` in slices of at most ``size``."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def marks(n: int) -> str:
    """``n`` placeholders for an ``IN (…)`` list."""
    return ",".join("?" * n)
