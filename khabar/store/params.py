"""Query parameters: bound lists for ``IN (…)`` under SQLite's limit, whole numbers within its integer
range, and FTS5 strings quoted as plain text.

>>> [list(c) for c in chunks(list(range(5)), size=2)], marks(3)
([[0, 1], [2, 3], [4]], '?,?,?')
>>> whole_number("#12"), whole_number("nonsense"), whole_number("-3")
(12, None, None)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["CHUNK", "SQL_INT_MAX", "chunks", "marks", "whole_number"]

CHUNK = 900  # ids bound per statement: under SQLite's default limit (999 before 3.32)
#: SQLite's integers are signed 64-bit: no id, count or offset above this can be bound.
SQL_INT_MAX = 2**63 - 1


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """``items`` in slices of at most ``size``."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def marks(n: int) -> str:
    """``n`` placeholders for an ``IN (…)`` list."""
    return ",".join("?" * n)


def whole_number(value: int | str) -> int | None:
    """An id as people write it (``12``, ``#12``): the number, ``None`` when it is not a whole number.

    Raises :class:`ValueError` for a whole number SQLite cannot hold (over :data:`SQL_INT_MAX`).
    """
    digits = str(value).strip().removeprefix("#")
    if not (digits.isascii() and digits.isdigit()):
        return None
    if len(digits) > 19 or int(digits) > SQL_INT_MAX:
        raise ValueError(f"ids are whole numbers up to 2^63 - 1, got {digits[:40]!r}")
    return int(digits)


def fts_quote(token: str) -> str:
    """``token`` as an FTS5 string: quoted, so it is always plain text and never query syntax.

    >>> fts_quote('a"b')
    '"a""b"'
    """
    return '"' + token.replace('"', '""') + '"'
