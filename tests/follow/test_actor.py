"""The page per actor on the real examples: names as written, stories, the denial timeline, company, volume."""

from __future__ import annotations

from pathlib import Path

import pytest

from khabar.follow.actor import entity_page
from khabar.pipeline import ingest
from khabar.store.db import Store

SHARED_EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "examples"
SPEAKER = "حمزة بيرقدار"


@pytest.fixture(scope="module")
def store(tmp_path_factory, examples_dir):
    source = SHARED_EXAMPLES if SHARED_EXAMPLES.is_dir() else examples_dir
    with Store(tmp_path_factory.mktemp("actor") / "k.db") as s:
        ingest(source, s)
        yield s


def test_the_speakers_page_lists_his_denials_from_both_outlets(store):
    page = entity_page(store, SPEAKER)
    assert set(page) == {"entity", "type", "names", "stories", "statements", "with", "by_day"}
    assert page["entity"] == SPEAKER and page["type"] == "PERS"
    denials = [st for st in page["statements"] if st["stance"] == "denies"]
    assert {o for st in denials for o in st["outlets"]} == {"alghad.tv", "orient-news.net"}
    assert any("لا توجد أي مفاوضات" in st["text"] for st in denials)  # Al Ghad's quote, as written
    for st in page["statements"]:
        assert st["speaker"] == SPEAKER and st["first_seen"] and st["stories"] and st["articles"]


def test_names_are_as_written_and_any_spelling_finds_the_actor(store):
    page = entity_page(store, "حمزه بيرقدار")  # the matching form finds the page …
    assert page["entity"] == SPEAKER  # … which shows the name as the outlets wrote it
    assert set(page["names"]) == {SPEAKER, "بيرقدار"} and "حمزه بيرقدار" not in page["names"]


def test_an_organisation_named_inside_a_longer_name_is_found(store):
    page = entity_page(store, "جيش الإسلام")
    assert page["type"] == "ORG" and page["entity"] == "جيش الإسلام"
    assert len(page["by_day"]) >= 1 and sum(d["count"] for d in page["by_day"]) == 2
    (story,) = page["stories"]
    assert story["articles"] == 2 and set(story["sources"]) == {"alghad.tv", "orient-news.net"}
    assert any(w["entity"] == SPEAKER for w in page["with"])
    assert all(w["entity"] != "جيش الإسلام" for w in page["with"])


def test_an_unknown_name_has_no_page(store):
    assert entity_page(store, "أحد لا يذكره أحد") is None and entity_page(store, "«»") is None
