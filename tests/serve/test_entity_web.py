"""The entity page in a real browser (Debian's chromium driven by Playwright) against a real uvicorn server.

Screenshots go to ``tests/artifacts/`` (``entity.png``, ``entity-phone.png``) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from khabar.serve.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "tests" / "artifacts"
PAYLOAD = ('<script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=2;alert(2)">'
           '<svg onload="window.__xss=3;alert(3)"></svg>')
SPEAKER = "حمزة بيرقدار"


@pytest.fixture(scope="module")
def base(tmp_path_factory, serve_app):
    """uvicorn over a store fed by the API: the two examples and a hostile article quoting the speaker."""
    db = tmp_path_factory.mktemp("entity-web") / "web.db"
    url = serve_app(create_app(db))
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
    return url


@pytest.fixture(scope="module")
def page(base, open_page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return open_page()


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
