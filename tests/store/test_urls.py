"""The URL table of fetching (migration 0005) on a real SQLite store."""

from __future__ import annotations

from khabar.store import urls
from khabar.store.db import Store
from khabar.store.urls import UrlState
from khabar.types import Article


def test_save_replaces_and_lookup_finds(tmp_path):
    with Store(tmp_path / "k.db") as s:
        urls.save(s, [UrlState("http://a/1", "page", status=500, failures=1)])
        urls.save(s, [UrlState("http://a/1", "page", status=200, etag='"e"')])
        got = urls.lookup(s, ["http://a/1", "http://a/2"])
        assert list(got) == ["http://a/1"] and (got["http://a/1"].status, got["http://a/1"].failures) == (200, 0)
        assert urls.count(s) == 1 and urls.count(s, "feed") == 0


def test_retryable_are_server_errors_and_no_answers_under_the_bound(tmp_path):
    with Store(tmp_path / "k.db") as s:
        urls.save(s, [
            UrlState("http://a/500", "page", feed="F", status=500, failures=1),
            UrlState("http://a/none", "page", feed="F", status=None, failures=2),
            UrlState("http://a/429", "page", feed="F", status=429, failures=0),
            UrlState("http://a/404", "page", feed="F", status=404, failures=1),
            UrlState("http://a/many", "page", feed="F", status=503, failures=3),
            UrlState("http://a/other", "page", feed="G", status=500, failures=1),
            UrlState("http://a/sub", "feed", feed="F", status=200),
        ])
        assert [u.url for u in urls.retryable(s, "F", 3)] == ["http://a/429", "http://a/500", "http://a/none"]
        assert urls.children(s, "F") == ["http://a/sub"]


def test_article_deleted_leaves_the_url_without_one(tmp_path):
    with Store(tmp_path / "k.db") as s:
        s.add(Article(id="x1", title="t", text="نص", raw="نص"))
        urls.save(s, [UrlState("http://a/1", "page", status=200, article_id="x1")])
        with s.transaction():
            s.db.execute("DELETE FROM articles_fts")
            s.db.execute("DELETE FROM articles WHERE id = 'x1'")
        assert urls.lookup(s, ["http://a/1"])["http://a/1"].article_id is None
