"""One article by what a user names: a file (read and cleaned) or the id of a stored article.

``khabar entities``, ``quotes`` and ``compare`` take either, and so can any caller of the library:

>>> article = load_article("examples/orient-ghouta-denial.txt")
>>> article.lang, len(article.id)
('ar', 16)
>>> load_article("no-such-file.txt")
Traceback (most recent call last):
...
khabar.load.LoadError: no-such-file.txt: no such file (and no store given to look the id up in)
"""

from __future__ import annotations

from pathlib import Path

from khabar.read.clean import to_article
from khabar.read.formats import read
from khabar.store.db import Store
from khabar.types import Article, ReadError


class LoadError(ValueError):
    """The named file or id gave no article; the message names it and says why."""


def load_article(arg: str, db_path: str | Path | None = None) -> Article:
    """The article in file ``arg`` (``-`` is stdin), else the one stored under id ``arg`` in ``db_path``.

    A file gives its first article (a JSONL file's first line), read and cleaned as ``ingest``
    would; an id may be a unique prefix or the input's own id, as ``Store.get`` takes it. The store
    is only opened, never created. Raises :class:`LoadError` when neither gives an article.
    """
    if names_file(arg):
        return _from_file(arg)
    if db_path is None:
        raise LoadError(f"{arg}: no such file (and no store given to look the id up in)")
    store_file = Path(db_path)
    if not store_file.exists():
        raise LoadError(f"{arg}: no such file, and no store at {store_file} to look the id up in")
    with Store(store_file) as store:
        article = store.get(arg)
    if article is None:
        raise LoadError(f"{arg}: no such file or stored article id (store: {store_file})")
    return article


def names_file(arg: str) -> bool:
    """Whether :func:`load_article` reads ``arg`` as a file (``-`` or an existing path), not as an id."""
    return arg == "-" or Path(arg).exists()


def _from_file(arg: str) -> Article:
    for item in read(arg):
        if isinstance(item, ReadError):
            raise LoadError(f"{item.path}: {item.error}")
        try:
            return to_article(item)
        except ValueError as e:
            raise LoadError(str(e)) from e
    raise LoadError(f"{arg}: no article found")
