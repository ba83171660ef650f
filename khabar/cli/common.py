"""What several commands share: printing JSON, failing clearly, an article by path or id or a clear exit."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer

from khabar.cli.app import db_path
from khabar.store.params import SQL_INT_MAX
from khabar.types import Article


def emit_json(obj: Any) -> None:
    """Print ``obj`` as JSON (UTF-8, Arabic as is) on stdout.

    >>> emit_json({"headline": "خبر", "size": 2})
    {
      "headline": "خبر",
      "size": 2
    }
    """
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def article_or_exit(arg: str, db: Path | None = None) -> Article:
    """:func:`khabar.load.load_article` (the store: ``--db``, ``$KHABAR_DB`` or ./khabar.db), exiting
    with a clear error when it fails or the article has no text."""
    from khabar.load import LoadError, load_article  # here: reading and the store stay unloaded for --help

    try:
        article = load_article(arg, db_path(db))
    except LoadError as e:
        fail(str(e))
    if not article.text.strip():
        fail(f"{arg}: the article has no text")
    return article


def since_option(value: str | None) -> str | None:
    """``--since`` checked: an ISO 8601 date or date and time, else a usage error (exit 2)."""
    from khabar.text.dates import parse_day

    if value is not None and parse_day(value) is None:
        raise typer.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM]")
    return value


def sql_int(value: int) -> int:
    """A count or offset SQLite can take (at most 2⁶³−1), else a usage error (exit 2)."""
    if value > SQL_INT_MAX:
        raise typer.BadParameter(f"{value} is too large (at most {SQL_INT_MAX})")
    return value


def open_store(db: Path | None, *, create: bool = False) -> Any:  # a khabar.store.db.Store
    """The store of ``--db`` (``$KHABAR_DB``, ./khabar.db); a clear exit when it is unreadable, or
    missing unless ``create`` (commands that store articles make it)."""
    from khabar.store.db import Store, StoreError

    path = db_path(db)
    if not create and not path.exists():
        fail(f"no store at {path} (ingest something first, or pass --db)")
    try:
        return Store(path)
    except StoreError as e:
        fail(str(e))
