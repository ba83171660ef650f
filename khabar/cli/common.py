"""What several commands share: printing JSON, failing clearly, finding an article by path or id."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer

from khabar.cli.app import db_path
from khabar.types import Article


class InputError(Exception):
    """Bad input named in the message; the CLI prints it and exits with code 1."""


def emit_json(obj: Any) -> None:
    """Print ``obj`` as JSON (UTF-8, Arabic as is) on stdout."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def load_article(arg: str, db: Path | None = None) -> Article:
    """An article from a file (read and cleaned) or, when ``arg`` is not a file, from the store by id.

    Raises :class:`InputError` naming ``arg`` when neither works.
    """
    from khabar.read.clean import to_article
    from khabar.read.formats import read
    from khabar.store.db import Store
    from khabar.types import ReadError

    path = Path(arg)
    if arg == "-" or path.exists():
        for item in read(arg):
            if isinstance(item, ReadError):
                raise InputError(f"{item.path}: {item.error}")
            try:
                return to_article(item)
            except ValueError as e:
                raise InputError(str(e)) from e
        raise InputError(f"{arg}: no article found")
    store_file = db_path(db)
    if not store_file.exists():
        raise InputError(f"{arg}: no such file, and no store at {store_file} to look the id up in")
    with Store(store_file) as store:
        article = store.get(arg)
    if article is None:
        raise InputError(f"{arg}: no such file or stored article id (store: {store_file})")
    return article


def article_or_exit(arg: str, db: Path | None = None) -> Article:
    """:func:`load_article`, exiting with a clear error when it fails or the article has no text."""
    try:
        article = load_article(arg, db)
    except InputError as e:
        fail(str(e))
    if not article.text.strip():
        fail(f"{arg}: the article has no text")
    return article
