"""The front page (what moves, last 24 hours, newest, by entity) in a real browser against a real uvicorn server.

Screenshots go to ``tests/artifacts/`` for a person to look at. Skipped where /usr/bin/chromium is absent.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from khabar.pipeline import ingest
from khabar.serve.app import create_app
from khabar.store.db import Store

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)")

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PAYLOAD = ('<script>window.__xss=1;alert(1)</script><img src=x onerror="window.__xss=2;alert(2)">'
           '<svg onload="window.__xss=3;alert(3)"></svg>')


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def front_db(tmp_path_factory, examples_dir, semeval_path) -> Path:
    """The examples (two outlets, seen now), a hostile article an hour old, a real SemEval article of last
    month, and last a real SemEval article with no date (seen when stored: the newest of all)."""
    tmp = tmp_path_factory.mktemp("front")
    now = datetime.now(UTC)
    texts = []
    with semeval_path.open(encoding="utf-8") as f:
        for line in f:
            pair = json.loads(line)
            if pair["lang"] == "ar" and pair["text1"].strip():
                texts.append(pair)
            if len(texts) == 2:
                break
    db = tmp / "k.db"
    with Store(db) as s:
        ingest(examples_dir, s)
        ingest(_jsonl(tmp / "a.jsonl", [
            {"url": "https://evil.example/x", "title": f"عنوان خبيث {PAYLOAD}",
             "published": (now - timedelta(hours=1)).isoformat(timespec="seconds"),
             "text": f"قال المتحدث باسم البلدية إن المياه ستعود غداً {PAYLOAD} إلى كل الأحياء."},
            {"url": texts[0]["url1"], "title": texts[0]["title1"], "text": texts[0]["text1"],
             "published": (now - timedelta(days=30)).isoformat(timespec="seconds")}]), s)
        time.sleep(1.1)  # ingest times have whole seconds: this one is stored after the examples
        ingest(_jsonl(tmp / "b.jsonl", [{"url": texts[1]["url1"], "title": texts[1]["title1"],
                                        "text": texts[1]["text1"]}]), s)
    return db


@pytest.fixture(scope="module")
def base(front_db, serve_app) -> str:
    return serve_app(create_app(front_db))


@pytest.fixture
def page(base, open_page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg = open_page()
    yield pg
    pg.context.close()


def _headlines(pg) -> list[str]:
    return pg.locator(".story-item a.headline").all_inner_texts()


def test_front_page_ranks_what_moves_and_filters(page, base):
    page.goto(base + "/")
    heads = _headlines(page)
    assert len(heads) == 4
    assert "الغوطة" in heads[0]  # two outlets in the last 24 hours: first
    assert page.locator(".story-item").first.locator(".moving").inner_text().startswith("مصدران")
    assert page.locator(".views a.current").inner_text() == "ما يتحرك الآن"
    # the hostile headline is shown as text, never run
    assert any("<script>window.__xss=1" in h for h in heads)
    assert page.evaluate("window.__xss === undefined") and not page.dialogs
    page.screenshot(path=str(ARTIFACTS / "front.png"), full_page=True)

    page.click(".views a:has-text('الأحدث')")
    page.wait_for_url("**view=newest**")
    newest = _headlines(page)
    # the undated article, stored last, leads the newest; in "what moves" the two-outlet story led it
    assert newest == [heads[1], heads[0], heads[2], heads[3]]

    page.click(".views a:has-text('آخر 24 ساعة')")
    page.wait_for_url("**view=24h**")
    recent = _headlines(page)
    assert len(recent) == 3 and texts_not_old(recent, heads)

    page.fill(".filters input[name=entity]", "جيش الإسلام")  # as written; stored in matching form
    page.click(".filters button")
    page.wait_for_url("**entity=**")
    only = _headlines(page)
    assert len(only) == 1 and "الغوطة" in only[0]
    page.screenshot(path=str(ARTIFACTS / "front-entity.png"), full_page=True)

    page.goto(base + "/?entity=" + PAYLOAD)
    assert page.locator(".filters input[name=entity]").input_value() == PAYLOAD
    assert page.evaluate("window.__xss === undefined") and not page.dialogs
    assert page.locator(".empty").count() == 1


def texts_not_old(recent: list[str], ranked: list[str]) -> bool:
    """The last-24-hours view drops the month-old story, the last of the ranked list (it has one outlet
    and nothing recent), and keeps the others in the ranked order."""
    return recent == [h for h in ranked if h != ranked[-1]]


def test_digest_html_in_a_browser(page, base, front_db, tmp_path):
    """The digest file opened as an email client would: self-contained (no request beyond itself),
    right to left, hostile text shown, never run."""
    from khabar.follow import digest

    now = datetime.now(UTC)
    with Store(front_db) as s:
        html = digest.html(digest.build(s, digest.parse_since("24h", now), now), base_url=base)
    path = tmp_path / "digest.html"
    path.write_text(html, encoding="utf-8")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    assert requests == [path.as_uri()]
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert page.locator("article").count() == 3 and page.locator(".denies").count() >= 1
    assert page.evaluate("window.__xss === undefined") and not page.dialogs
    page.screenshot(path=str(ARTIFACTS / "digest.png"), full_page=True)
