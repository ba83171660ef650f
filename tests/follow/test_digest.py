"""The digest (:mod:`khabar.follow.digest`) of a real store: the examples, real SemEval texts, a hostile article."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from khabar.follow import digest
from khabar.pipeline import ingest
from khabar.store.db import Store

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PAYLOAD = '<script>alert(1)</script><img src=x onerror="alert(2)"> *bold* [x](javascript:alert(3))'


@pytest.fixture(scope="module")
def db(tmp_path_factory, examples_dir, semeval_path) -> Path:
    """The examples (undated: seen when ingested, i.e. now), two SemEval articles published yesterday
    and last month, and a hostile article published an hour ago."""
    tmp = tmp_path_factory.mktemp("digest")
    now = datetime.now(UTC)
    records = []
    with semeval_path.open(encoding="utf-8") as f:
        for line in f:
            pair = json.loads(line)
            if pair["lang"] == "ar" and pair["text1"].strip():
                when = now - (timedelta(hours=20) if not records else timedelta(days=30))
                records.append({"url": pair["url1"], "title": pair["title1"], "text": pair["text1"],
                                "published": when.isoformat(timespec="seconds")})
            if len(records) == 2:
                break
    records.append({"url": "https://evil.example/1", "title": f"عنوان خبيث {PAYLOAD}",
                    "published": (now - timedelta(hours=1)).isoformat(timespec="seconds"),
                    "text": f"قال المتحدث باسم البلدية إن المياه ستعود غداً {PAYLOAD} إلى كل الأحياء."})
    feed = tmp / "more.jsonl"
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    path = tmp / "k.db"
    with Store(path) as s:
        ingest(examples_dir, s)
        ingest(feed, s)
    return path


def test_parse_since():
    assert digest.parse_since("90m", NOW) == NOW - timedelta(minutes=90)
    assert digest.parse_since(" 7D ", NOW) == NOW - timedelta(days=7)
    assert digest.parse_since("2w", NOW) == NOW - timedelta(weeks=2)
    assert digest.parse_since("2026-03-01T10:00:00+02:00", NOW) == datetime(2026, 3, 1, 8, tzinfo=UTC)
    for bad in ("", "24", "h", "0h", "-5h", "24 hours", "99999999d", "3653d1", "2026-13-01", "tomorrow",
                "2027-01-01", "1990-01-01", "24h; DROP TABLE stories"):
        with pytest.raises(ValueError):
            digest.parse_since(bad, NOW)


def test_top_stories_of_the_period(db):
    now = datetime.now(UTC)
    with Store(db) as s:
        day = digest.build(s, digest.parse_since("24h", now), now)
        month = digest.build(s, digest.parse_since("60d", now), now)
    heads = [st["headline"] for st in day["stories"]]
    assert len(heads) == 3  # the examples' story, yesterday's article, the hostile one; not last month's
    first = day["stories"][0]
    assert sorted(first["sources"]) == ["alghad.tv", "orient-news.net"] and first["outlets_in_period"] == 2
    assert first["articles_in_period"] == 2 and first["growth"] == 2
    assert len(month["stories"]) == 4
    # key statements: who denied what, the speaker as written, with the outlets that carried it
    said = first["statements"]
    assert said and len(said) <= digest.STATEMENTS
    assert said[0]["speaker"] == "حمزة بيرقدار" and said[0]["stance"] == "denies"
    assert {o for st in said for o in st["outlets"]} <= {"alghad.tv", "orient-news.net"}


def test_markdown_escapes_and_links(db):
    now = datetime.now(UTC)
    with Store(db) as s:
        d = digest.build(s, digest.parse_since("24h", now), now)
    md = digest.markdown(d, base_url="http://127.0.0.1:8000/")
    assert "# موجز الأخبار" in md and "حمزة بيرقدار" in md and "نفى" in md
    assert f"](http://127.0.0.1:8000/story/{d['stories'][0]['id']})" in md
    assert not re.search(r"(?<!\\)[<>]", md) and not re.search(r"(?<!\\)\]\(javascript", md)
    assert "\\<script\\>" in md and "\\*bold\\*" in md
    assert "/story/" not in digest.markdown(d, base_url="javascript:alert(1)")  # not a link base


def test_html_is_self_contained_rtl_and_escaped(db):
    now = datetime.now(UTC)
    with Store(db) as s:
        d = digest.build(s, digest.parse_since("24h", now), now)
    page = digest.html(d, base_url="https://khabar.example")
    assert re.search(r'<html lang="ar" dir="rtl">', page)
    assert "<script" not in page and "<img" not in page and "onerror=\"" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r'(src|href)="(?!https://khabar\.example/story/\d+")', page)  # nothing fetched
    assert "<style>" in page and "حمزة بيرقدار" in page and 'class="denies"' in page
    assert 'href="javascript' not in digest.html(d, base_url="javascript:alert(1)")


def test_empty_period(db):
    with Store(db) as s:
        d = digest.build(s, datetime(2000, 1, 1, tzinfo=UTC), datetime(2000, 1, 2, tzinfo=UTC))
    assert d["stories"] == []
    assert "لا قصص" in digest.markdown(d) and "لا قصص" in digest.html(d)
