"""The store reads the web pages' menus use, and the pool's connection hygiene."""

from __future__ import annotations

from khabar.store import browse
from khabar.store.db import Store
from khabar.types import Article


def art(i: str, **kw) -> Article:
    return Article(id=i, title="t", text=f"نص {i}", raw=f"نص {i}", **kw)


def test_languages_and_sources_for_the_menus():
    with Store(":memory:") as s:
        s.add(art("a1", lang="tr", source="b.com"))
        s.add(art("a2", lang="ar", source="a.com"))
        s.add(art("a3", lang="ar", source="b.com"))
        s.add(art("a4"))
        assert browse.languages(s) == ["ar", "tr"]
        assert browse.sources(s) == ["b.com", "a.com"]  # most articles first
        assert browse.sources(s, limit=1) == ["b.com"]


def test_end_open_transaction_rolls_back_what_a_failed_request_left():
    with Store(":memory:") as s:
        s.db.execute("BEGIN IMMEDIATE")
        s.add(art("a1"))
        assert browse.end_open_transaction(s) is True
        assert s.count() == 0 and not s.db.in_transaction
        assert browse.end_open_transaction(s) is False
