"""Entity postings: replaced per article, every analysed article indexed (with entities or none)."""

from __future__ import annotations

from khabar.follow.entities import catch_up, needs_catch_up
from khabar.store import entities as db
from khabar.store.db import Store
from khabar.types import Article, Mention


def test_postings_replace_per_article_and_join_their_article():
    with Store(":memory:") as s:
        s.add(Article(id="a1", title="t", text="نص", raw="نص", source="x.com", published="2026-01-02"))
        db.add_postings(s, {"a1": [("جيش اسلام", "ORG", "جيش الإسلام", "جيش اسلام", 2)]})
        db.add_postings(s, {"a1": [("دوما", "LOC", "دوما", "دوما", 1)]})
        assert db.postings(s, "جيش اسلام") == []
        (hit,) = db.postings(s, "دوما")
        assert (hit["source"], hit["published"], hit["story_id"]) == ("x.com", "2026-01-02", None)
        assert db.article_postings(s, ["a1"]) == [("a1", "دوما", "LOC", "دوما", "دوما", 1)]


def test_articles_analysed_before_the_postings_are_caught_up():
    with Store(":memory:") as s:
        for i in ("a1", "a2"):
            s.add(Article(id=i, title="t", text="حمزة بيرقدار", raw="x"))
        s.save_analysis("a1", [Mention("حمزة بيرقدار", "PERS", 0, 12, "حمزه بيرقدار")], [])
        s.save_analysis("a2", [], [])  # no entities: indexed all the same, never looked at again
        assert needs_catch_up(s)
        assert catch_up(s) == 2 and not needs_catch_up(s) and catch_up(s) == 0
        assert [p["form"] for p in db.postings(s, "حمزه بيرقدار")] == ["حمزة بيرقدار"]


def test_a_merged_story_resolves_to_its_survivor():
    with Store(":memory:") as s:
        s.db.execute("INSERT INTO stories (id) VALUES (1)")
        s.db.execute("INSERT INTO stories (id, merged_into) VALUES (2, 1)")
        s.db.execute("INSERT INTO stories (id, merged_into) VALUES (3, 2)")
        assert [db.resolve_story(s, i) for i in (3, 2, 1, None)] == [1, 1, 1, None]
