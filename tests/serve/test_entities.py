"""``/api/entities/{name}`` and ``/entity/{name}`` over the examples posted through the server."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from khabar.pipeline import ingest
from khabar.serve.app import create_app
from khabar.serve.entities import CHART_BARS, volume_chart
from khabar.serve.pages import CSP
from khabar.store.db import Store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEAKER = "حمزة بيرقدار"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    db = tmp_path_factory.mktemp("ent") / "k.db"
    with Store(db) as s:
        ingest(EXAMPLES, s)
        # as a store analysed before the postings existed: the first lookup catches up
        s.db.execute("DELETE FROM entity_indexed")
        s.db.execute("DELETE FROM entity_postings")
    with TestClient(create_app(db)) as c:
        yield c


def test_api_answers_the_cli_shape(client):
    r = client.get(f"/api/entities/{quote(SPEAKER)}")
    assert r.status_code == 200
    page = r.json()
    assert list(page) == ["entity", "type", "names", "stories", "statements", "with", "by_day"]
    assert {o for st in page["statements"] if st["stance"] == "denies" for o in st["outlets"]} == {
        "alghad.tv", "orient-news.net"}


def test_unknown_and_oversized_names(client):
    r = client.get("/api/entities/" + quote("لا أحد"))
    assert r.status_code == 404 and "error" in r.json()
    assert client.get("/api/entities/" + "x" * 201).status_code == 422
    r = client.get("/entity/" + quote("<script>x</script>"), headers={"Accept": "text/html"})
    assert r.status_code == 404 and "<script>x" not in r.text and "&lt;script&gt;" in r.text


def test_the_page_shows_the_denial_timeline_and_a_chart(client):
    r = client.get(f"/entity/{quote(SPEAKER)}")
    assert r.status_code == 200 and r.headers["content-security-policy"] == CSP
    html = r.text
    assert "<svg class=\"volume\"" in html and "<rect class=\"bar\"" in html and "<script>" not in html
    assert "لا توجد أي مفاوضات" in html and "alghad.tv" in html and "orient-news.net" in html
    assert html.count('class="badge denies"') >= 2
    assert f'href="/entity/{quote("جيش الإسلام")}"' in html  # the actors beside it link to their pages


def test_story_page_links_entities_to_their_pages(client):
    story = client.get("/api/stories").json()[0]["id"]
    html = client.get(f"/story/{story}").text
    assert f'href="/entity/{quote(SPEAKER)}"' in html
    assert client.get(f"/entity/{quote(SPEAKER)}").status_code == 200


def test_volume_chart_fills_empty_days_and_keeps_the_latest():
    c = volume_chart([{"day": "2026-01-01", "count": 4}, {"day": "2026-01-04", "count": 2}])
    assert [b["count"] for b in c["bars"]] == [4, 0, 0, 2] and c["bars"][1]["h"] == 0
    assert c["bars"][0]["h"] == 2 * c["bars"][3]["h"] and c["bars"][0]["x"] > c["bars"][3]["x"]  # oldest right
    weeks = volume_chart([{"day": "2025-01-01", "count": 1}, {"day": "2026-01-01", "count": 1}])
    assert weeks["unit"] == "week" and len(weeks["bars"]) <= CHART_BARS and sum(b["count"] for b in weeks["bars"]) == 2
    months = volume_chart([{"day": "2018-03-25", "count": 3}, {"day": "2026-12-01", "count": 2}])
    assert months["unit"] == "month" and [b["label"] for b in months["bars"]][::len(months["bars"]) - 1] == [
        "مارس 2018", "ديسمبر 2026"] and months["cut"] == 0
    ages = volume_chart([{"day": "1900-01-01", "count": 1}, {"day": "2026-12-01", "count": 1}])
    assert len(ages["bars"]) == CHART_BARS and ages["cut"] == 1  # the latest ten years, the rest counted
    assert volume_chart([])["bars"] == []


def test_speakers_of_a_story_link_to_their_pages(client):
    import re

    story = client.get("/api/stories").json()[0]["id"]
    html = client.get(f"/story/{story}").text
    links = set(re.findall(r'<strong class="speaker" dir="auto"><a href="(/entity/[^"]+)">', html))
    assert f"/entity/{quote(SPEAKER)}" in links
    assert all(client.get(link).status_code == 200 for link in links)  # every speaker link resolves


def test_an_article_page_links_the_actors_it_names(client):
    import re

    story = client.get("/api/stories").json()[0]["id"]
    article = client.get(f"/api/stories/{story}").json()["articles"][0]["id"]
    html = client.get(f"/article/{article}").text
    links = re.findall(r'<a class="hl hl-(?:PERS|ORG|LOC|MISC)" href="(/entity/[^"]+)"', html)
    assert f"/entity/{quote(SPEAKER)}" in links and f"/entity/{quote('جيش الإسلام')}" in links
    assert all(client.get(link).status_code == 200 for link in links)
