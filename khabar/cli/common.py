"""What several commands share: printing JSON, failing clearly, an article by path or id or a clear exit."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer

from khabar.cli.app import db_path
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
