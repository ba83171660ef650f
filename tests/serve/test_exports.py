"""The API's CSV routes (:mod:`khabar.serve.exports`) on a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from khabar.pipeline import ingest
from khabar.serve.app import create_app
from khabar.store.db import Store

HOSTILE = '=cmd|" /C calc"!A0 <script>alert(1)</script>'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base(tmp_path_factory, examples_dir) -> Iterator[str]:
    db = tmp_path_factory.mktemp("csv") / "k.db"
    with Store(db) as s:
        ingest(examples_dir, s)
        evil = db.parent / "evil.jsonl"
        evil.write_text(json.dumps({"url": "https://evil.example/1", "title": HOSTILE, "published": "2018-03-22",
                                    "text": "-قال المتحدث باسم البلدية إن المياه ستعود غداً إلى كل الأحياء."},
                                   ensure_ascii=False) + "\n", encoding="utf-8")
        ingest(evil, s)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def _table(r: httpx.Response) -> list[dict[str, str]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))


def test_stories_csv_matches_the_json_list(base):
    with httpx.Client(base_url=base) as c:
        listed = c.get("/api/stories").json()
        table = _table(c.get("/api/stories.csv"))
        assert [int(t["id"]) for t in table] == [s["id"] for s in listed]
        ghouta = next(t for t in table if "الغوطة" in t["headline"])
        assert set(ghouta["sources"].split("; ")) == {"alghad.tv", "orient-news.net"}
        assert _table(c.get("/api/stories.csv", params={"source": "evil.example"}))[0]["headline"] == "'" + HOSTILE
        assert c.get("/api/stories.csv", params={"limit": 501}).status_code == 422
        r = c.get("/api/stories.csv", params={"since": "2019-01-01"})
        assert all("الغوطة" in t["headline"] for t in _table(r))


def test_search_csv(base):
    with httpx.Client(base_url=base) as c:
        table = _table(c.get("/api/search.csv", params={"q": "الغوطه"}))
        assert len(table) == 2 and list(table[0]) == ["id", "title", "score", "source", "published"]
        assert c.get("/api/search.csv").status_code == 422


def test_table_exports_stream_with_arabic_intact(base):
    with httpx.Client(base_url=base) as c:
        statements = _table(c.get("/api/statements.csv"))
        his = {r["source"] for r in statements if r["speaker"] == "حمزة بيرقدار" and r["stance"] == "denies"}
        assert his == {"alghad.tv", "orient-news.net"}
        articles = _table(c.get("/api/articles.csv", params={"source": "evil.example"}))
        assert [a["title"] for a in articles] == ["'" + HOSTILE] and articles[0]["text"].startswith("'-قال")
        assert len(_table(c.get("/api/members.csv"))) == 3
        r = c.get("/api/articles.csv")
        assert 'filename="articles.csv"' in r.headers["content-disposition"] and len(_table(r)) == 3
        assert c.get("/api/articles.csv", params={"since": "not a date"}).status_code == 422
        # the pool's connections come back: many exports in a row still answer
        for _ in range(40):
            assert c.get("/api/members.csv").status_code == 200
        assert c.get("/health").json()["articles"] == 3


def test_moving_json_and_csv(base):
    with httpx.Client(base_url=base) as c:
        ranked = c.get("/api/moving").json()
        assert "الغوطة" in ranked[0]["headline"] and ranked[0]["recent_outlets"] == 2  # the examples: now
        assert ranked[-1]["recent"] == 0  # the hostile article was published in 2018
        recent = c.get("/api/moving", params={"view": "24h"}).json()
        assert [r["id"] for r in recent] == [ranked[0]["id"]]
        assert c.get("/api/moving", params={"entity": "جيش الإسلام"}).json()[0]["id"] == ranked[0]["id"]
        table = _table(c.get("/api/moving.csv"))
        assert [int(t["id"]) for t in table] == [r["id"] for r in ranked] and table[0]["growth"] == "2"
        assert c.get("/api/moving", params={"view": "random"}).status_code == 422
        assert c.get("/api/moving", params={"entity": "x" * 201}).status_code == 422


def test_csv_routes_are_documented(base):
    with httpx.Client(base_url=base) as c:
        paths = c.get("/openapi.json").json()["paths"]
    assert {"/api/stories.csv", "/api/search.csv", "/api/articles.csv", "/api/members.csv",
            "/api/statements.csv", "/api/moving", "/api/moving.csv"} <= set(paths)
