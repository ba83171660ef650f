"""The web app through its real routes (TestClient runs the app in-process) over real SQLite files."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from khabar.pipeline import ingest
from khabar.serve.app import create_app
from khabar.serve.middleware import MAX_BODY
from khabar.store.db import Store
from khabar.types import Article

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)"> "quoted" & \'single\''


def art(i: str, title: str, text: str, **kw) -> Article:
    return Article(id=i, title=title, text=text, raw=text, **kw)


def article_json(i: int, **kw) -> dict:
    body = (f"أعلنت وزارة الصحة في مدينة حمص اليوم عن افتتاح المستشفى رقم {i} في حي الوعر، "
            f"وقال الوزير إن المستشفى يضم {100 + i} سرير وسيخدم آلاف السكان في المنطقة.\n"
            f"وأضاف أن العمل في المشروع رقم {i} استمر عامين بتمويل محلي.")
    return {"url": f"https://example.com/news/{i}", "title": f"افتتاح المستشفى رقم {i} في حمص", "text": body,
            "published": "2018-03-21", **kw}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "k.db"


@pytest.fixture
def client(db: Path):
    with TestClient(create_app(db)) as c:
        yield c


@pytest.fixture(scope="module")
def example_db(tmp_path_factory) -> Path:
    """A store with the two example articles ingested (analysed and clustered) by the real pipeline."""
    path = tmp_path_factory.mktemp("ex") / "ex.db"
    with Store(path) as s:
        report = ingest(EXAMPLES, s)
    assert report.ingested == 2, report.to_dict()
    return path


@pytest.fixture(scope="module")
def ex(example_db: Path):
    with TestClient(create_app(example_db)) as c:
        yield c


# --- writing ---------------------------------------------------------------------------------------
def test_post_json_article_stores_it_once_and_gives_its_story(client: TestClient):
    r = client.post("/api/articles", json=article_json(1, source="example.com"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["new"] is True and body["id"] and body["story"] is not None
    again = client.post("/api/articles", json=article_json(1, source="example.com"))
    assert again.status_code == 200 and again.json()["new"] is False and again.json()["id"] == body["id"]
    got = client.get(f"/api/articles/{body['id']}").json()
    assert got["title"] == "افتتاح المستشفى رقم 1 في حمص" and got["source"] == "example.com"
    assert got["story"] == body["story"] and got["published"].startswith("2018-03-21")
    assert client.get("/health").json() == {"status": "ok", "articles": 1}


def test_post_uploaded_file(client: TestClient):
    data = (EXAMPLES / "orient-ghouta-denial.txt").read_bytes()
    r = client.post("/api/articles", files={"file": ("orient.txt", data, "text/plain")},
                    data={"source": "orient-news.net"})
    assert r.status_code == 201, r.text
    got = client.get(f"/api/articles/{r.json()['id']}").json()
    assert "جيش الإسلام" in got["title"] and got["source"] == "orient-news.net"
    jsonl = "\n".join(json.dumps(article_json(i), ensure_ascii=False) for i in (7, 8)).encode()
    r = client.post("/api/articles", files={"file": ("batch.jsonl", jsonl, "application/x-ndjson")})
    assert r.status_code == 201 and [a["new"] for a in r.json()["articles"]] == [True, True]
    assert client.get("/health").json()["articles"] == 3


def test_post_of_an_article_stored_without_analysis_analyses_and_clusters_it(db: Path, tmp_path: Path):
    data = (EXAMPLES / "alghad-ghouta-denial.txt").read_bytes()
    (tmp_path / "alghad.txt").write_bytes(data)  # no sources.json beside it: the outlet is --source's
    with Store(db) as s:  # stored by ``khabar ingest --no-analyse``: no analysis, no story
        [aid] = ingest(tmp_path / "alghad.txt", s, source="alghad.tv", analyse=False).ids
    with TestClient(create_app(db)) as c:
        r = c.post("/api/articles", files={"file": ("alghad.txt", data, "text/plain")}, data={"source": "alghad.tv"})
        assert r.status_code == 200, r.text  # nothing new
        assert r.json()["id"] == aid and r.json()["new"] is False and r.json()["story"] is not None
        got = c.get(f"/api/articles/{aid}").json()
    assert got["story"] is not None and got["mentions"] and got["statements"]


def test_writing_needs_the_token_when_set_reading_does_not(db: Path):
    with TestClient(create_app(db, token="s3cret")) as c:
        r = c.post("/api/articles", json=article_json(1))
        assert r.status_code == 401 and "Bearer" in r.json()["error"]
        assert r.headers["www-authenticate"] == "Bearer"
        assert c.post("/api/articles", json=article_json(1), headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.post("/api/articles", json=article_json(1), headers={"Authorization": "s3cret"}).status_code == 401
        assert c.get("/health").json()["articles"] == 0
        ok = c.post("/api/articles", json=article_json(1), headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 201
        assert c.get(f"/api/articles/{ok.json()['id']}").status_code == 200  # reading is open
        assert c.get("/api/stories").status_code == 200


def test_body_over_the_limit_is_413_declared_or_streamed(client: TestClient):
    big = b"x" * (MAX_BODY + 1)
    r = client.post("/api/articles", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "20 MB" in r.json()["error"]

    def chunks():  # no Content-Length: only counting the bytes as they arrive can catch it
        for _ in range(21):
            yield b" " * (1024 * 1024)

    r = client.post("/api/articles", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    r = client.post("/api/articles", files={"file": ("big.txt", big[:-1] + b"xx", "text/plain")})
    assert r.status_code == 413
    assert client.get("/health").json()["articles"] == 0


def test_streamed_limit_on_a_small_app(db: Path):
    with TestClient(create_app(db, max_body=1000)) as c:
        ok = c.post("/api/articles", content=iter([b" " * 500, json.dumps(article_json(2)).encode()[:400]]),
                    headers={"Content-Type": "application/json"})
        assert ok.status_code == 400  # under the limit: it is read (and found truncated)
        r = c.post("/api/articles", content=iter([b" " * 600, b" " * 600]), headers={"Content-Type": "application/json"})
        assert r.status_code == 413


@pytest.mark.parametrize(("body", "ctype", "status", "says"), [
    ('{"url": "https://x.com/1", "title": "t", "text": "نص",', "application/json", 400, "malformed JSON"),
    (b"\xff\xfe\x00", "application/json", 400, "malformed JSON"),
    ('["a", "b"]', "application/json", 422, "JSON object"),
    ('{"url": "https://x.com/1", "title": "t"}', "application/json", 422, "text"),
    ('{"url": "https://x.com/1", "title": "t", "text": "   "}', "application/json", 422, "blank"),
    ('{"url": "https://x.com/1", "title": "t", "text": "نص", "published": "yesterday"}', "application/json",
     422, "published"),
    ('{"title": "t", "text": "t"}', "application/json", 422, "url"),
    ("title\ntext", "text/plain", 415, "multipart"),
    ("--nope\r\n", "multipart/form-data; boundary=xyz", 4, ""),
])
def test_malformed_input_is_a_4xx_that_says_what_is_wrong(client, body, ctype, status, says):
    data = body.encode() if isinstance(body, str) else body
    r = client.post("/api/articles", content=data, headers={"Content-Type": ctype})
    assert (r.status_code // 100 == 4) if status == 4 else (r.status_code == status), r.text
    assert says in r.json()["error"]
    assert client.get("/health").json()["articles"] == 0  # nothing half written


def test_query_validation_errors_are_json(client: TestClient):
    r = client.get("/api/stories", params={"limit": 0, "since": "not-a-date"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert "limit" in err and "since" in err
    assert client.get("/api/search").status_code == 422
    assert client.post("/api/compare", json={"a": {"id": "x", "text": "y"}, "b": "z"}).status_code == 422


def test_concurrent_posts_lose_nothing(client: TestClient):
    n_threads, per_thread = 8, 5
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(t: int) -> None:
        try:
            for k in range(per_thread):
                r = client.post("/api/articles", json=article_json(100 + t * per_thread + k))
                with lock:
                    results.append((r.status_code, r.json().get("id", r.text)))
        except BaseException as e:  # surfaces in the main thread's assert
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [s for s, _ in results] == [201] * (n_threads * per_thread), results
    ids = {i for _, i in results}
    assert len(ids) == n_threads * per_thread
    assert client.get("/health").json()["articles"] == len(ids)
    with Store(client.app.state.stores.path) as s:
        assert set(s.ids()) == ids
        assert s.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- reading ---------------------------------------------------------------------------------------
def test_stories_list_filters_and_story(ex: TestClient):
    stories = ex.get("/api/stories").json()
    assert len(stories) == 1
    st = stories[0]
    assert st["size"] == 2 and set(st["sources"]) == {"orient-news.net", "alghad.tv"}
    assert set(st) >= {"id", "headline", "size", "sources", "first_seen", "last_seen"}
    assert ex.get("/api/stories", params={"source": "alghad.tv"}).json()[0]["id"] == st["id"]
    assert ex.get("/api/stories", params={"source": "nowhere.example"}).json() == []
    assert ex.get("/api/stories", params={"q": "الغوطه"}).json()[0]["id"] == st["id"]
    assert ex.get("/api/stories", params={"q": "برشلونة"}).json() == []
    assert ex.get("/api/stories", params={"lang": "ar"}).json()[0]["id"] == st["id"]
    assert ex.get("/api/stories", params={"lang": "tr"}).json() == []
    assert ex.get("/api/stories", params={"since": "2999-01-01"}).json() == []
    assert ex.get("/api/stories", params={"offset": 1}).json() == []
    full = ex.get(f"/api/stories/{st['id']}").json()
    assert len(full["articles"]) == 2 and full["statements"]
    assert {s["stance"] for s in full["statements"]} <= {"asserts", "denies"}
    assert ex.get("/api/stories/999999").status_code == 404
    assert ex.get("/api/stories/nonsense").status_code == 404


def test_article_search_and_404(ex: TestClient):
    hits = ex.get("/api/search", params={"q": "جيش الاسلام"}).json()
    assert len(hits) == 2 and {"id", "title", "score", "source", "published"} <= set(hits[0])
    a = ex.get(f"/api/articles/{hits[0]['id']}").json()
    assert a["mentions"] and a["story"] is not None
    r = ex.get("/api/articles/doesnotexist")
    assert r.status_code == 404 and "doesnotexist" in r.json()["error"]


def test_compare_by_ids_and_by_texts(ex: TestClient):
    ids = [h["id"] for h in ex.get("/api/search", params={"q": "جيش الاسلام"}).json()]
    r = ex.post("/api/compare", json={"a": ids[0], "b": {"id": ids[1]}})
    assert r.status_code == 200, r.text
    cmp = r.json()
    assert 1 <= cmp["overall"] <= 4 and cmp["verdict"] in {"same story", "related", "different"}
    assert cmp["explanation"][0].startswith("الدرجة") and cmp["a"]["stored"] is True
    texts = [(EXAMPLES / n).read_text(encoding="utf-8") for n in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt")]
    r = ex.post("/api/compare", json={"a": {"text": texts[0]}, "b": {"text": texts[1], "title": "عنوان"}})
    assert r.status_code == 200 and r.json()["a"]["stored"] is not None
    assert ex.post("/api/compare", json={"a": "nope-id", "b": ids[0]}).status_code == 404


def test_openapi_documents_the_api(client: TestClient):
    spec = client.get("/openapi.json").json()
    assert {"/api/articles", "/api/articles/{article_id}", "/api/stories", "/api/stories/{story_id}",
            "/api/compare", "/api/search"} <= set(spec["paths"])
    body = spec["paths"]["/api/articles"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)
    assert client.get("/docs").status_code == 200


# --- pages -----------------------------------------------------------------------------------------
def test_pages_are_rtl_arabic_with_a_strict_policy(ex: TestClient):
    home = ex.get("/")
    assert home.status_code == 200
    assert '<html lang="ar" dir="rtl">' in home.text
    assert "script-src 'self'" in home.headers["content-security-policy"]
    sid = ex.get("/api/stories").json()[0]["id"]
    assert f"/story/{sid}" in home.text
    page = ex.get(f"/story/{sid}").text
    assert '<svg class="timeline"' in page and page.count('<circle class="dot') == 2
    assert "ينفي" in page and "بيرقدار" in page
    assert ex.get("/story/424242").status_code == 404
    assert "تعذّر" in ex.get("/story/424242", headers={"Accept": "text/html"}).text


def test_hostile_article_renders_as_text(db: Path):
    with Store(db) as s:
        s.add(art("deadbeef01", HOSTILE, f"قبل {HOSTILE} بعد\nسطر ثان", url="javascript:alert(1)", source=HOSTILE))
    with TestClient(create_app(db)) as c:
        page = c.get("/article/deadbeef01").text
        assert "<script>alert" not in page and "<img" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page and "onerror=&#34;alert(1)&#34;" in page
        assert 'href="javascript:' not in page
        hits = c.get("/", params={"q": "alert"}).text
        assert "<script>alert" not in hits
        cmp = c.post("/compare", data={"a": "deadbeef01", "b": f"عنوان\n{HOSTILE} نص آخر"})
        assert cmp.status_code == 200 and "<script>alert" not in cmp.text and "<img" not in cmp.text
