"""The pages in a real browser (Debian's chromium driven by Playwright) against a real uvicorn server.

Screenshots go to ``tests/artifacts/`` for a person to look at. Skipped where /usr/bin/chromium is
absent (CI installs it: ``apt-get install chromium fonts-noto-core fonts-hosny-amiri``).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from khabar.serve.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "tests" / "artifacts"
# Each payload would set window.__xss (and open a dialog) if it ever ran.
PAYLOAD = ('<script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=2;alert(2)">'
           '<svg onload="window.__xss=3;alert(3)"></svg>')


@pytest.fixture(scope="module")
def server(tmp_path_factory, serve_app) -> dict:
    """uvicorn on a free port over a fresh store: the two example articles and one hostile article,
    all posted through the API as a scraper would."""
    db = tmp_path_factory.mktemp("web") / "web.db"
    base = serve_app(create_app(db, token="t0ken"))
    auth = {"Authorization": "Bearer t0ken"}
    ids = {}
    with httpx.Client(base_url=base, headers=auth, timeout=120) as c:
        for name, source in (("orient-ghouta-denial.txt", "orient-news.net"), ("alghad-ghouta-denial.txt", "alghad.tv")):
            files = {"file": (name, (EXAMPLES / name).read_bytes(), "text/plain")}
            r = c.post("/api/articles", files=files, data={"source": source})
            assert r.status_code == 201, r.text
            ids[name] = r.json()["id"]
        r = c.post("/api/articles", json={
            "url": "https://evil.example/x", "source": "evil.example", "published": "2018-03-22",
            "title": f"عنوان خبيث {PAYLOAD}",
            "text": f"قال المتحدث باسم البلدية إن المياه ستعود غداً {PAYLOAD} إلى كل الأحياء.\nوأضاف أن الإصلاح انتهى.",
        })
        assert r.status_code == 201, r.text
        ids["evil"] = r.json()["id"]
    return {"base": base, "ids": ids}


@pytest.fixture
def page(open_page, server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg = open_page()
    yield pg
    pg.context.close()


def _no_sideways_scroll(pg) -> bool:
    return pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_story_list_search_and_story(page, server):
    page.goto(server["base"] + "/")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert "Noto" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert page.locator(".story-item").count() == 2
    page.screenshot(path=str(ARTIFACTS / "index.png"), full_page=True)
    assert _no_sideways_scroll(page)

    page.fill(".filters input[name=q]", "الغوطه")  # spelling variant of الغوطة
    page.click(".filters button")
    assert page.locator(".story-item").count() == 1
    assert page.locator(".hits li").count() == 2
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)

    page.click(".story-item a.headline")
    page.wait_for_url("**/story/*")
    assert page.locator("svg.timeline circle.dot").count() == 2
    assert page.locator("svg.timeline text.row-label").all_inner_texts() != []
    speakers = " ".join(page.locator(".statement .speaker").all_inner_texts())
    assert "بيرقدار" in speakers or "جيش الإسلام" in speakers, speakers
    badges = set(page.locator(".statement .badge").all_inner_texts())
    assert badges and badges <= {"ينفي", "يؤكد"} and "ينفي" in badges
    assert page.locator("table.articles tbody tr").count() == 2
    page.screenshot(path=str(ARTIFACTS / "story.png"), full_page=True)
    assert _no_sideways_scroll(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "story-phone.png"), full_page=True)
    assert _no_sideways_scroll(page)
    assert not page.errors


def test_compare_two_articles_side_by_side(page, server):
    page.goto(server["base"] + "/compare")
    page.fill("textarea[name=a]", server["ids"]["orient-ghouta-denial.txt"])
    page.fill("textarea[name=b]", server["ids"]["alghad-ghouta-denial.txt"])
    page.click(".compare-form button")
    page.wait_for_selector(".verdict")
    assert page.locator(".verdict .explain li").first.inner_text().startswith("الدرجة")
    cols = page.locator(".side-by-side .column")
    assert cols.count() == 2
    for i in range(2):
        assert cols.nth(i).locator("mark.hl-entity").count() > 0
    assert cols.nth(0).locator("mark.hl-passage").count() > 0 and cols.nth(1).locator("mark.hl-passage").count() > 0
    # the right-hand column is the first article (right-to-left reading order)
    boxes = [cols.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["x"] > boxes[1]["x"]
    page.locator(".side-by-side mark[data-p]").first.hover()
    assert page.locator("mark.partner").count() >= 2
    page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)
    assert _no_sideways_scroll(page)
    assert not page.errors


def test_hostile_article_is_inert_text(page, server):
    evil = server["ids"]["evil"]
    for path in (f"/article/{evil}", "/?q=" + "المياه", f"/compare?a={evil}&b={server['ids']['alghad-ghouta-denial.txt']}"):
        page.goto(server["base"] + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") is None, path
        assert page.locator("img").count() == 0 and page.locator("main script").count() == 0, path
        assert page.evaluate("document.querySelectorAll('svg[onload], [onerror]').length") == 0, path
    page.goto(server["base"] + f"/article/{evil}")
    assert "<script>window.__xss=1" in page.locator("h1").inner_text()
    assert "onerror=" in page.locator(".body").inner_text()
    story = httpx.get(server["base"] + f"/api/articles/{evil}").json()["story"]
    page.goto(server["base"] + f"/story/{story}")
    assert page.evaluate("window.__xss") is None
    page.screenshot(path=str(ARTIFACTS / "xss-story.png"), full_page=True)
    page.goto(server["base"] + f"/article/{evil}")
    page.screenshot(path=str(ARTIFACTS / "xss-article.png"), full_page=True)
    assert page.dialogs == []
    assert not page.errors
