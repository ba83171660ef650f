"""The SQLite store: migrations, dedup by content id, spelling-tolerant search, transactions."""

from __future__ import annotations

import sqlite3

import pytest

from khabar.store.db import Store, StoreError, migrations
from khabar.types import Article, Mention, Statement


def art(i: str, title: str, text: str, **kw) -> Article:
    return Article(id=i, title=title, text=text, raw=text, **kw)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "k.db") as s:
        yield s


def test_migrations_run_once_and_set_version(tmp_path):
    path = tmp_path / "k.db"
    with Store(path) as s:
        assert s.version == migrations()[-1][0]
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Store(path) as s:  # reopening runs nothing again and keeps data
        assert s.version == migrations()[-1][0]


def test_add_is_idempotent(store):
    a = art("a1", "عنوان", "نص المقال", url="https://x.com/1", source="x.com", input_id="in-1")
    assert store.add(a) is True
    assert store.add(a) is False
    assert store.count() == 1
    got = store.get("a1")
    assert got.title == "عنوان" and got.source == "x.com" and got.ingested


def test_get_by_prefix_and_input_id(store):
    store.add_many([art("abcdef0123456789", "t1", "x y z", input_id="wire-7"),
                    art("abcdef9999999999", "t2", "x y w")])
    assert store.get("wire-7").id == "abcdef0123456789"
    assert store.get("abcdef0") .id == "abcdef0123456789"
    assert store.get("abcdef") is None  # ambiguous prefix
    assert store.get("nope") is None


def test_spans_round_trip(store):
    store.add(Article(id="s", title="t", text="ab", raw="xxab", spans=[(0, 2, 2)]))
    assert store.get("s").spans == [(0, 2, 2)]


@pytest.mark.parametrize("stored, query", [
    ("قال أحمد إن الاجتماع انتهى", "احمد"),
    ("افتتحت مدرسة جديدة في المدينة", "مدرسه"),
    ("وصل إلى الغوطة الشرقية", "الغوطه"),
    ("انتهت المفاوضات أمس", "مفاوضات"),       # via the stems column
    ("وبالغوطة قتال عنيف", "الغوطة"),          # clitics split before indexing
])
def test_search_across_spelling_variants(store, stored, query):
    store.add(art("id1", "خبر", stored))
    for i, other in enumerate(["لا علاقة لهذا النص بشيء", "مباراة كرة القدم", "أسعار النفط ترتفع"]):
        store.add(art(f"other{i}", "آخر", other))
    hits = store.search(query)
    assert [h["id"] for h in hits] == ["id1"]
    assert hits[0]["score"] > 0


def test_search_is_safe_with_query_syntax(store):
    store.add(art("id1", "t", 'نص "مقتبس" OR NOT'))
    assert store.search('"') == []
    assert store.search("OR NOT *") in ([], [{"id": "id1", "title": "t", "score": pytest.approx(0, abs=99),
                                               "source": None, "published": None}])


def test_interrupted_batch_rolls_back(store):
    store.add(art("keep", "t", "x"))

    def boom():
        yield art("b1", "t", "y")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.add_many(boom())
    assert store.ids() == ["keep"]
    assert store.search("y") == []
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_analysis_round_trip(store):
    store.add(art("a", "t", "قال حمزة"))
    m = Mention("حمزة", "PERS", 4, 8, "حمزه")
    st = Statement(speaker="حمزه", text="x", start=0, end=1, direct=True, stance="denies")
    store.save_analysis("a", [m, m], [st])
    mentions, statements = store.get_analysis("a")
    assert mentions == [m, m] and statements == [st]
    assert store.db.execute("SELECT count FROM article_entities").fetchone()[0] == 2
    assert store.get_analysis("missing") is None


def test_not_a_database(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="bad.db"):
        Store(bad)


def test_memory_store():
    with Store(":memory:") as s:
        assert s.count() == 0
        assert isinstance(s.db, sqlite3.Connection)


def test_analysed_says_which_articles_have_an_analysis(store):
    store.add_many([art("a1", "t", "نص أول"), art("a2", "t", "نص ثان")])
    store.save_analysis("a2", [], [])
    assert store.analysed(["a1", "a2", "zz"]) == {"a2"}


def test_a_store_made_before_publication_ids_still_finds_its_articles(tmp_path):
    """Rows stored under the old content-only ids: re-ingesting one (same text, same URL or outlet) is a
    duplicate that answers the stored id; another outlet's copy is a new article."""
    from khabar.read.clean import article_id, content_id

    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    for version, _name, sql in migrations():
        if version < 4:  # the store as it was before migration 0004
            db.executescript(sql)
            db.execute(f"PRAGMA user_version={version}")
    title, text = "عنوان", "نص الخبر كما نشرته الوكالة صباح اليوم."
    old = content_id(title, text)
    db.execute("INSERT INTO articles (id, title, text, raw, url, source, ingested) VALUES (?, ?, ?, ?, ?, ?, ?)",
               (old, title, text, text, "https://a.example/1", "a.example", "2020-01-01T00:00:00+00:00"))
    db.commit()
    db.close()
    with Store(path) as s:
        again = art(article_id(title, text, "https://a.example/1", "a.example"), title, text,
                    url="https://a.example/1", source="a.example")
        assert again.id != old and s.add(again) is False and again.id == old and s.count() == 1
        repost = art(article_id(title, text, "https://b.example/9", "b.example"), title, text,
                     url="https://b.example/9", source="b.example")
        assert s.add(repost) is True and s.count() == 2 and s.get(old[:8]).id == old
    with Store(tmp_path / "new.db") as s:  # a store made now has no such rows to look for
        assert s._content_ids is False


def test_a_word_past_the_index_bound_is_still_found(store, monkeypatch):
    # past INDEX_WORD_CHARS the body is indexed in matching form, word for word: still searchable
    from khabar.text import arabic

    monkeypatch.setattr(arabic, "INDEX_WORD_CHARS", 200)
    monkeypatch.setattr(arabic.index_text, "__defaults__", (200,))
    body = "نص الخبر في جملة كاملة عن الاجتماع.\n" * 40 + "وفي الختام أعلن الرئيس المستقيل برنامجه."
    store.add_many([Article(id="long", title="عنوان", text=body, raw="")])
    assert [h["id"] for h in store.search("المستقيل")] == ["long"]
    assert [h["id"] for h in store.search("الاجتماع")] == ["long"]
