"""Telling stories: listing and filters, one story's articles, copies, entities, and who said what."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khabar.pipeline import ingest
from khabar.store.db import Store
from khabar.store.stories import StoryIndex
from khabar.stories import online as cluster
from khabar.stories import telling as story
from khabar.stories.scorers import LexicalScorer
from khabar.text import arabic
from khabar.types import Article, Mention, Statement

GOLD = Path(__file__).parents[1] / "data" / "stories_gold.jsonl"
LEX = LexicalScorer()


def gold_records() -> list[dict]:
    with GOLD.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def ingest_and_cluster(inputs, store: Store, **kw) -> list[int]:
    report = ingest(inputs, store)
    return cluster.assign(store, [cluster.load_item(store, i) for i in dict.fromkeys(report.ids)], **kw)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "k.db") as s:
        yield s


# --- the examples: one story, two outlets, a denial carried by both ------------------------------------


def test_examples_story_tells_who_said_what(store, examples_dir):
    sid = ingest_and_cluster(examples_dir, store)[0]
    told = story.get_story(store, sid)
    assert told["size"] == 2 and set(told["sources"]) == {"orient-news.net", "alghad.tv"}
    assert told["headline"] in {a["title"] for a in told["articles"]}
    assert {t["source"] for t in told["timeline"]} == {"orient-news.net", "alghad.tv"}
    bayraqdar = [s for s in told["statements"] if s["speaker"] and arabic.normalize(s["speaker"]) == "حمزه بيرقدار"]
    assert any(s["stance"] == "denies" for s in bayraqdar)
    assert {o for s in bayraqdar for o in s["outlets"]} == {"orient-news.net", "alghad.tv"}
    people = [e for e in told["entities"] if e["type"] == "PERS"]
    assert arabic.normalize(people[0]["entity"]) == "حمزه بيرقدار" and people[0]["count"] == 2


# --- statements merged across outlets ------------------------------------------------------------------


def st(speaker, text, stance="asserts", role=None) -> Statement:
    return Statement(speaker=speaker, text=text, start=0, end=len(text), direct=True, stance=stance, role=role)


def test_one_statement_reported_by_two_outlets_is_merged():
    said = [
        ("a1", "alghad.tv", st("حمزه بيرقدار", "لا توجد أي مفاوضات حول خروج المقاتلين من الغوطة", "denies",
                                "المتحدث العسكري باسم جيش الإسلام")),
        ("a1", "alghad.tv", st("حمزه بيرقدار", "فصائل الغوطة متمسكة بأرضها وستدافع عنها")),
        ("a2", "orient-news.net", st("بيرقدار", "لا مفاوضات حول خروج المقاتلين من الغوطة الشرقية", "denies")),
        ("a2", "orient-news.net", st(None, "الوضع الإنساني في الغوطة كارثي")),
        ("a3", "enab.net", st("واءل علوان", "الروس يضغطون على الفصائل بالقصف اليومي")),
    ]
    out = story.merge_statements(said, "ar")
    assert len(out) == 4
    first = out[0]  # the most widely reported speaker first, his most widely carried statement first
    assert arabic.normalize(first["speaker"]) == "حمزه بيرقدار" and first["stance"] == "denies"
    assert first["outlets"] == ["alghad.tv", "orient-news.net"] and first["articles"] == ["a1", "a2"]
    assert first["role"] == "المتحدث العسكري باسم جيش الإسلام"
    assert out[1]["speaker"] == first["speaker"] and out[1]["outlets"] == ["alghad.tv"]
    assert out[-1]["speaker"] is None  # unattributed statements come last
    assert {o["stance"] for o in out} <= {"asserts", "denies"}


def test_different_statements_of_one_speaker_stay_apart():
    said = [("a1", "x.com", st("منذر فارس", "لم نفاوض أي طرف باسم الحركة", "denies")),
            ("a2", "y.com", st("منذر فارس", "نسعى لأن يكون القرار العسكري موحدا في مؤسسة واحدة"))]
    out = story.merge_statements(said, "ar")
    assert [o["outlets"] for o in out] == [["x.com"], ["y.com"]]


def test_a_speaker_known_only_by_a_role_is_shown_as_written():
    role = "المتحدث باسم البلدية"
    said = [("a1", "x.com", st(arabic.normalize(role), "المياه ستعود غدا إلى كل الأحياء", "asserts", role))]
    assert story.merge_statements(said, "ar")[0]["speaker"] == role


# --- listing, filters, one story -------------------------------------------------------------------


def dated(records: list[dict], start_day: int) -> list[dict]:
    return [{**r, "published": f"2020-03-{start_day + i // 10:02d}T{i % 10:02d}:00:00"} for i, r in enumerate(records)]


@pytest.fixture
def filled(store, tmp_path) -> Store:
    recs = dated([r for r in gold_records() if r.get("source") is None][:50], 1)
    path = tmp_path / "g.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    ingest_and_cluster(path, store, scorer=LEX)
    return store


def test_list_stories_newest_first_with_filters(filled):
    listed = story.list_stories(filled, limit=500)
    index = StoryIndex(filled)
    assert len(listed) == len({sid for sid, _ in index.memberships().values()})
    assert [s["last_seen"] for s in listed] == sorted((s["last_seen"] for s in listed), reverse=True)
    assert set(listed[0]) == {"id", "headline", "size", "sources", "first_seen", "last_seen"}
    assert sum(s["size"] for s in listed) == index.count_clustered()
    assert len(story.list_stories(filled, limit=3)) == 3
    assert story.list_stories(filled, limit=2, offset=1)[0] == listed[1]
    since = listed[2]["last_seen"][:10]
    assert all(s["last_seen"] >= since for s in story.list_stories(filled, since=since, limit=500))
    assert story.list_stories(filled, since="2999-01-01") == []
    fr = story.list_stories(filled, lang="fr", limit=500)
    assert fr and len(fr) < len(listed)
    src = listed[0]["sources"][0]
    assert all(src in s["sources"] for s in story.list_stories(filled, source=src, limit=500))
    title_word = arabic.words(listed[0]["headline"])
    hits = story.list_stories(filled, q=max(title_word, key=len), limit=500)
    assert listed[0]["id"] in {s["id"] for s in hits}
    assert story.list_stories(filled, q="كلمةلاتوجدفيأيمقال") == []


def test_get_story_shape_order_and_unknown_ids(filled):
    big = max(story.list_stories(filled, limit=500), key=lambda s: s["size"])
    told = story.get_story(filled, big["id"])
    assert set(told) >= {"id", "headline", "size", "sources", "first_seen", "last_seen", "articles", "copies",
                         "entities", "statements", "timeline"}
    assert len(told["articles"]) == told["size"]
    assert [a["seen"] for a in told["articles"]] == sorted(a["seen"] for a in told["articles"])
    assert set(told["articles"][0]) == {"id", "title", "source", "published", "seen", "similarity"}
    assert told["first_seen"] == told["articles"][0]["seen"] and told["last_seen"] == told["articles"][-1]["seen"]
    assert sum(t["count"] for t in told["timeline"]) == told["size"]
    assert story.get_story(filled, str(big["id"]))["id"] == big["id"]
    assert story.get_story(filled, 999999) is None and story.get_story(filled, "nonsense") is None
    some = told["articles"][0]["id"]
    assert story.story_of(filled, some) == big["id"] and story.story_of(filled, "0" * 16) is None


def test_copies_and_entities_are_told(store, tmp_path):
    text = ("نفى حمزة بيرقدار المتحدث باسم جيش الإسلام وجود مفاوضات على الخروج من الغوطة الشرقية. "
            "وقال بيرقدار إن المقاتلين باقون في أرضهم ولن يخرجوا منها. "
            "وتتعرض الغوطة الشرقية لقصف متواصل منذ أسابيع أدى إلى سقوط مئات الضحايا المدنيين.")
    arts = [Article(id=f"a{i}", title=f"بيرقدار ينفي المفاوضات {i}", text=text + ("" if i else " ومن جديد."),
                    raw=text, source=src, published=f"2018-03-0{i + 1}")
            for i, src in enumerate(["orient-news.net", "alghad.tv", "enab.net"])]
    store.add_many(arts)
    for a in arts:
        store.save_analysis(a.id, [Mention("حمزة بيرقدار", "PERS", 4, 16, "حمزه بيرقدار"),
                                   Mention("بيرقدار", "PERS", 80, 87, "بيرقدار"),
                                   Mention("جيش الإسلام", "ORG", 30, 41, "جيش الاسلام")],
                            [st("حمزه بيرقدار", "المقاتلون باقون في أرضهم ولن يخرجوا منها", "denies")])
    ids = cluster.assign(store, [cluster.load_item(store, a.id) for a in arts], scorer=LEX)
    assert len(set(ids)) == 1
    told = story.get_story(store, ids[0])
    assert sorted(map(sorted, told["copies"])) == [["a0", "a1", "a2"]]
    people = [e for e in told["entities"] if e["type"] == "PERS"]
    assert people == [{"entity": "حمزة بيرقدار", "type": "PERS", "count": 3}]  # بيرقدار is the same man
    assert told["statements"][0]["outlets"] == ["alghad.tv", "enab.net", "orient-news.net"]
    assert told["statements"][0]["speaker"] == "حمزة بيرقدار"
