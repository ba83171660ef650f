"""The import of a batch result, on a small result folder written here (no Spark needed).

The import of a real batch run is tested with the job, in ``test_job.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install -e .[spark])")
pq = pytest.importorskip("pyarrow.parquet")

from khabar.batch.importer import import_batch  # noqa: E402
from khabar.config import DEFAULT  # noqa: E402
from khabar.store.db import Store  # noqa: E402
from khabar.store.stories import StoryIndex  # noqa: E402
from khabar.stories import online  # noqa: E402
from khabar.stories.features import compute_features, sig_blob  # noqa: E402
from khabar.stories.scorers import LexicalScorer  # noqa: E402
from khabar.types import Article  # noqa: E402

TEXT = ("نفى حمزة بيرقدار المتحدث باسم جيش الإسلام وجود مفاوضات على الخروج من الغوطة الشرقية. "
        "وقال بيرقدار إن المقاتلين باقون في أرضهم ولن يخرجوا منها.")
OTHER = "أعلنت الجامعة العربية تأجيل فعاليات يوم الإعلام العربي بسبب انتشار فيروس كورونا في المنطقة."


def _article_row(a: Article) -> dict:
    return {"id": a.id, "title": a.title, "text": a.text, "raw": a.raw, "url": None, "source": a.source,
            "lang": "ar", "published": a.published, "input_id": None, "author": None, "origin": None,
            "ingested": a.published, "spans": "[]", "entities": [], "statements": []}


def _member_row(a: Article, story: int, cent_sum: float, cent_n: int, group: str) -> dict:
    """A member as the job writes it: with the clustering features the story index keeps."""
    f = compute_features(a, None, {}, 0)
    return {"article_id": a.id, "story_id": story, "cent_sum": cent_sum, "cent_n": cent_n, "copy_group": group,
            "seen": f.seen, "day": f.day, "sig": sig_blob(f.sig), "features": f.to_json()}


@pytest.fixture
def result(tmp_path) -> Path:
    """Two stories: a0 with its near-copy a1, and a2 alone."""
    out = tmp_path / "out"
    arts = [Article(id="a0", title="بيرقدار ينفي", text=TEXT, raw=TEXT, source="x.example", published="2018-03-01"),
            Article(id="a1", title="نقلا: بيرقدار ينفي", text=TEXT, raw=TEXT, source="y.example",
                    published="2018-03-02"),
            Article(id="a2", title="تأجيل يوم الإعلام", text=OTHER, raw=OTHER, source="z.example",
                    published="2018-03-02")]
    rows = [_article_row(a) for a in arts]
    tables = {
        "articles": rows,
        "stories": [{"id": 1, "headline": "بيرقدار ينفي", "medoid": "a0", "reps": ["a0"], "size": 2,
                     "first_seen": "2018-03-01", "last_seen": "2018-03-02", "last_day": 17592},
                    {"id": 2, "headline": "تأجيل يوم الإعلام", "medoid": "a2", "reps": ["a2"], "size": 1,
                     "first_seen": "2018-03-02", "last_seen": "2018-03-02", "last_day": 17592}],
        "members": [_member_row(arts[0], 1, 1.0, 1, "a0"), _member_row(arts[1], 1, 1.0, 1, "a0"),
                    _member_row(arts[2], 2, 0.0, 0, "a2")],
        "terms": [{"term": "غوطه", "df": 2}],
    }
    for name, table in tables.items():
        (out / name).mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist(table), out / name / "part-0.parquet")
    (out / "report.json").write_text(json.dumps({"config": DEFAULT.to_dict()}), encoding="utf-8")
    return out


def test_import_writes_stories_members_copies_and_postings(result, tmp_path):
    with Store(tmp_path / "k.db") as store:
        got = import_batch(str(result), store)
        assert (got.articles, got.stories, got.members, got.duplicates) == (3, 2, 3, 0)
        index = StoryIndex(store)
        members = index.memberships()
        sid = members["a0"][0]
        assert members["a1"] == (sid, members["a0"][1])  # the near-copy is in its head's copy group
        assert index.story_size(sid) == 2 and index.reps_of([sid]) == {sid: ["a0"]}
        assert index.document_frequencies(["غوطه"]) == {"غوطه": 2}
        # the online path goes on from the imported index: a re-post of a0 joins its story and copy group
        again = Article(id="a3", title="منقول", text=TEXT, raw=TEXT, published="2018-03-03")
        store.add_many([again])
        assert online.assign(store, [again], scorer=LexicalScorer()) == [sid]
        assert index.memberships()["a3"][1] == members["a0"][1]


def test_import_again_keeps_what_is_stored(result, tmp_path):
    with Store(tmp_path / "k.db") as store:
        import_batch(str(result), store)
        again = import_batch(str(result), store)
        assert (again.articles, again.duplicates, again.stories, again.members) == (0, 3, 0, 0)
        assert StoryIndex(store).live_count() == 2


def test_imported_articles_fire_alerts_once(result, tmp_path):
    from khabar.follow import alerts

    with Store(tmp_path / "k.db") as store:
        alerts.add_alert(store, words="الغوطة", name="ghouta")
        import_batch(str(result), store)
        import_batch(str(result), store)  # stored already: no second match
        found = alerts.feed_rows(store, limit=10)
        assert sorted(m["article"] for m in found) == ["a0", "a1"]  # a2 does not mention the Ghouta
        assert {m["alert"] for m in found} == {"ghouta"}
