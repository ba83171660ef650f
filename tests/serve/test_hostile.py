"""Hostile requests against a real server (uvicorn on 127.0.0.1, started here) and the app in-process:
no request blocks the others, no number or body gets a 500, the docs work offline under the CSP."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from khabar.serve.app import create_app
from khabar.serve.work import Busy, OverBudget, Workers
from khabar.store.db import Store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HUGE = 2**63
BAD_NUMBERS = [str(HUGE), str(2**64 + 7), "9" * 40, "-1", "abc", "1e3"]


def article(i: int, text: str | None = None) -> dict:
    body = text or (f"أعلنت وزارة الصحة في مدينة حمص اليوم عن افتتاح المستشفى رقم {i} في حي الوعر، "
                    f"وقال الوزير إن المستشفى يضم {100 + i} سرير وسيخدم آلاف السكان في المنطقة.")
    return {"url": f"https://example.com/news/{i}", "title": f"افتتاح المستشفى رقم {i}", "text": body}


def big_text(chars: int) -> str:
    """Real Arabic prose (the examples' bodies) to ``chars`` characters, each line numbered: a line
    repeated is boilerplate to the cleaner, which would shrink the article."""
    lines = [x for n in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt")
             for x in (EXAMPLES / n).read_text(encoding="utf-8").splitlines()[1:] if x.strip()]
    out, size = [], 0
    while size < chars:
        out.append(f"{lines[len(out) % len(lines)]} ({len(out)})")
        size += len(out[-1]) + 1
    return "\n".join(out)[:chars]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "k.db"
    Store(path).close()
    return path


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as c:
        yield c


class Served:
    """The app under uvicorn on 127.0.0.1 in a thread of this process, as ``khabar serve`` runs it."""

    def __init__(self, app) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.app = app
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> httpx.Client:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=120)
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(30)


# --- the time budget -------------------------------------------------------------------------------
def test_a_job_over_its_budget_is_killed_and_its_worker_replaced():
    work = Workers(1, budget=0.5)
    try:
        t0 = time.monotonic()
        with pytest.raises(OverBudget, match="0.5 s budget"):
            work.call(time.sleep, 30)
        assert time.monotonic() - t0 < 10  # stopped at the budget, not after the 30 s sleep
        assert work.call(sum, [1, 2, 3], budget=120) == 6  # the replacement works
    finally:
        work.close()


def test_every_worker_busy_is_busy_not_a_hang():
    work = Workers(1, budget=60)
    try:
        work.call(len, "warm", budget=120)
        outcome: list[BaseException] = []

        def slow() -> None:
            try:
                work.call(time.sleep, 30, budget=3)
            except OverBudget as e:
                outcome.append(e)

        busy = threading.Thread(target=slow)
        busy.start()
        time.sleep(0.5)
        with pytest.raises(Busy):
            work.call(len, "x", budget=0.5)
        busy.join(30)
        assert len(outcome) == 1
    finally:
        work.close()


def test_a_post_over_budget_answers_413_and_health_stays_responsive(db: Path):
    app = create_app(db, budget=0.001)  # no real ingest fits in a millisecond
    with Served(app) as c:
        replies: list[httpx.Response] = []
        post = threading.Thread(target=lambda: replies.append(
            c.post("/api/articles", json=article(1, big_text(2_000_000)))))
        post.start()
        slowest = 0.0
        while post.is_alive():
            t0 = time.perf_counter()
            assert c.get("/health").status_code == 200
            slowest = max(slowest, time.perf_counter() - t0)
            time.sleep(0.02)
        post.join()
        assert replies[0].status_code == 413 and "budget" in replies[0].json()["error"], replies[0].text
        assert slowest < 2.0  # generous for a loaded machine; the bench reports the p95
        assert c.get("/health").json()["articles"] == 0


def test_the_write_lock_is_free_while_a_post_is_analysed(db: Path):
    app = create_app(db)
    with Served(app) as c:
        done: list[httpx.Response] = []
        post = threading.Thread(target=lambda: done.append(c.post("/api/articles", json=article(1, big_text(1_500_000)))))
        post.start()
        time.sleep(0.5)  # the big post is being read and analysed in its worker
        assert post.is_alive() and not app.state.stores.write_lock.locked()
        small = c.post("/api/articles", json=article(2))
        assert small.status_code == 201, small.text
        assert post.is_alive()  # the small post was stored without queueing behind the big one
        post.join()
        assert done[0].status_code == 201, done[0].text
        assert c.get("/health").json()["articles"] == 2


# --- numbers and bodies ---------------------------------------------------------------------------
@pytest.mark.parametrize("n", BAD_NUMBERS)
@pytest.mark.parametrize("route", ["/api/stories?offset={n}", "/api/stories?limit={n}", "/?offset={n}",
                                   "/api/stories/{n}", "/story/{n}", "/api/search?q=x&limit={n}",
                                   "/api/articles/{n}", "/article/{n}"])
def test_out_of_range_numbers_are_4xx_with_the_reason(client: TestClient, route: str, n: str):
    for accept in ("application/json", "text/html"):
        r = client.get(route.format(n=n), headers={"Accept": accept})
        assert 400 <= r.status_code < 500, (route, n, r.status_code, r.text[:300])
        if accept == "application/json" or r.headers["content-type"].startswith("application/json"):
            assert r.json()["error"]


def test_huge_story_id_says_what_is_wrong(client: TestClient):
    r = client.get(f"/api/stories/{HUGE}")
    assert r.status_code == 422 and "2^63" in r.json()["error"]
    assert client.get(f"/api/stories/{HUGE - 1}").status_code == 404  # in range: simply not there
    assert client.get(f"/api/stories?offset={HUGE - 1}").json() == []


@pytest.mark.parametrize("route", ["/api/articles", "/api/compare"])
@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 50_000, b"[" * 100_000 + b"]" * 100_000])
def test_deep_json_is_refused_before_parsing(client: TestClient, route: str, body: bytes):
    r = client.post(route, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "nested" in r.json()["error"], r.text[:300]


def test_a_deep_line_in_an_uploaded_jsonl_costs_only_that_line(client: TestClient):
    lines = [json.dumps(article(1), ensure_ascii=False), "[" * 100_000, json.dumps(article(2), ensure_ascii=False)]
    r = client.post("/api/articles", files={"file": ("batch.jsonl", "\n".join(lines).encode(), "application/x-ndjson")})
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["articles"]) == 2 and [f["path"].rsplit(":", 1)[-1] for f in body["failed"]] == ["2"]


def test_missing_fields_answer_422_with_details(client: TestClient):
    r = client.post("/api/articles", json={"title": "t"})
    assert r.status_code == 422
    details = r.json()["details"]
    assert {tuple(d["loc"]) for d in details} >= {("url",), ("text",)}
    assert all(d["type"] == "missing" and d["msg"] for d in details)
    assert "url" in r.json()["error"]
    r = client.post("/api/compare", json={"a": "x"})
    assert r.status_code == 422 and [d["loc"] for d in r.json()["details"]] == [["b"]]


def test_compare_of_pasted_texts_runs_in_a_worker(client: TestClient):
    texts = [(EXAMPLES / n).read_text(encoding="utf-8") for n in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt")]
    r = client.post("/api/compare", json={"a": {"text": texts[0]}, "b": {"text": texts[1]}})
    assert r.status_code == 200, r.text
    assert r.json()["verdict"] == "same story" and r.json()["a"]["stored"] is False
    assert client.post("/api/compare", json={"a": {"text": "   x"}, "b": {"text": texts[1]}}).status_code // 100 == 4


# --- HEAD and the docs ----------------------------------------------------------------------------
def test_head_answers_like_get(client: TestClient):
    for route in ("/", "/health", "/compare", "/docs"):
        r = client.head(route)
        assert r.status_code == 200 and r.content == b"", route
    assert client.head("/story/424242").status_code == 404


def test_docs_come_from_local_assets_under_the_csp(client: TestClient):
    r = client.get("/docs")
    assert r.status_code == 200
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "http" not in r.text.split("<body>", 1)[1]  # no CDN: every asset is a local path
    assert "<script>" not in r.text  # no inline script (the CSP would block it)
    for src in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css", "/static/docs.js"):
        assert src in r.text
        asset = client.get(src)
        assert asset.status_code == 200 and len(asset.content) > 100, src
    assert "SwaggerUIBundle" in client.get("/static/docs.js").text
    assert client.get("/openapi.json").json()["paths"]["/api/compare"]["post"]["requestBody"]


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)")
def test_docs_render_offline_in_a_browser_without_csp_violations(db: Path):
    from playwright.sync_api import sync_playwright

    with Served(create_app(db)) as c, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            pg = browser.new_page()
            outside: list[str] = []
            refused: list[str] = []

            def offline(route) -> None:  # nothing but the server answers: as on a machine with no network
                if route.request.url.startswith(str(c.base_url)):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            pg.route("**/*", offline)
            pg.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
            pg.goto(f"{c.base_url}/docs")
            pg.wait_for_selector(".opblock", timeout=60_000)
            assert pg.locator(".opblock").count() >= 7  # one per API operation
            assert "khabar" in pg.locator(".title").first.inner_text()
            assert outside == [] and refused == [], (outside, refused)
        finally:
            browser.close()
