"""The entity page in a real browser (Debian's chromium driven by Playwright) against a real uvicorn server.

Screenshots go to ``tests/artifacts/`` (``entity.png``, ``entity-phone.png``) for a person to look at.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import uvicorn

from khabar.serve.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "tests" / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PAYLOAD = ('<script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=2;alert(2)">'
           '<svg onload="window.__xss=3;alert(3)"></svg>')
SPEAKER = "حمزة بيرقدار"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """uvicorn over a store fed by the API: the two examples and a hostile article quoting the speaker."""
    db = tmp_path_factory.mktemp("entity-web") / "web.db"
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url, timeout=120) as c:
        for name, source in (("orient-ghouta-denial.txt", "orient-news.net"), ("alghad-ghouta-denial.txt", "alghad.tv")):
            files = {"file": (name, (EXAMPLES / name).read_bytes(), "text/plain")}
            assert c.post("/api/articles", files=files, data={"source": source}).status_code == 201
        r = c.post("/api/articles", json={
            "url": "https://evil.example/x", "published": "2018-03-25", "title": f"خبر خبيث {PAYLOAD}",
            "text": f"نفى حمزة بيرقدار المتحدث باسم جيش الإسلام ما وصفه بشائعات {PAYLOAD} عن الانسحاب من الغوطة.\n"
                    "وأضاف أن المقاتلين باقون.",
        })
        assert r.status_code == 201, r.text
    yield url
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(base):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar")
        pg = ctx.new_page()
        pg.dialogs, pg.errors = [], []  # type: ignore[attr-defined]
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))
        yield pg
        browser.close()


def test_entity_page_from_a_story_link(page, base):
    page.goto(base + "/")
    page.click(".story-item a.headline >> nth=0")
    page.wait_for_url("**/story/*")
    page.click(f".entities a[href='/entity/{quote(SPEAKER)}']")
    page.wait_for_url("**/entity/*")
    assert page.locator("h1").inner_text() == SPEAKER
    outlets = set(page.locator(".denial-timeline .statement:has(.badge.denies) .chip").all_inner_texts())
    assert {"alghad.tv", "orient-news.net"} <= outlets, outlets
    assert page.locator("svg.volume rect.bar").count() >= 2  # two days: the examples' ingest day and the 25th
    page.screenshot(path=str(ARTIFACTS / "entity.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "entity-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_hostile_text_on_the_entity_page_stays_text(page, base):
    page.goto(f"{base}/entity/{quote(SPEAKER)}")
    said = " ".join(page.locator(".denial-timeline blockquote").all_inner_texts())
    assert "<script>window.__xss=1" in said  # shown as the source wrote it …
    assert page.evaluate("window.__xss") is None and page.dialogs == []  # … and never run
    assert page.locator(".denial-timeline script, .denial-timeline img").count() == 0
    assert not page.errors
