"""Alerts in the store: saved once by name, matches once per (alert, article), read marks, the outbox."""

from __future__ import annotations

import pytest

from khabar.store import alerts as db
from khabar.store.db import Store
from khabar.types import Article


@pytest.fixture
def store():
    with Store(":memory:") as s:
        for i in ("a1", "a2"):
            s.add(Article(id=i, title=f"t {i}", text="نص", raw="نص", source="x.com"))
        yield s


def test_names_are_unique_and_remove_takes_name_or_id(store):
    first = db.add(store, {"name": "g", "query": "x", "fts": '"x"'})
    with pytest.raises(db.AlertExists):
        db.add(store, {"name": "g"})
    second = db.add(store, {"name": "h", "stance": "denies"})
    assert db.remove(store, str(first)) and db.remove(store, "h")
    assert not db.remove(store, "h") and db.rules(store) == [] and second != first


def test_a_match_is_recorded_once_and_read_once(store):
    alert = db.add(store, {"name": "g", "webhook": "http://127.0.0.1:9/"})
    assert db.record(store, [(alert, "a1", {"words": "x"}, True)], "2026-01-01T00:00:00+00:00") == 1
    assert db.record(store, [(alert, "a1", {"words": "y"}, True), (alert, "a2", {}, True)], "2026-01-02") == 1
    rows = db.matches(store)
    assert [r["article"] for r in rows] == ["a2", "a1"] and rows[1]["matched"] == {"words": "x"}
    assert len(db.outbox(store)) == 2  # one delivery per match, not per attempt to record it
    db.mark_read(store, [rows[1]["id"]], "2026-01-03")
    assert [r["article"] for r in db.matches(store, unread=True)] == ["a2"]
    assert db.rules(store)[0]["unread"] == 1 and db.rules(store)[0]["matches"] == 2


def test_removing_an_alert_removes_its_matches_and_deliveries(store):
    alert = db.add(store, {"name": "g", "webhook": "http://127.0.0.1:9/"})
    db.record(store, [(alert, "a1", {}, True)], "2026-01-01")
    db.remove(store, "g")
    assert db.matches(store) == [] and db.outbox(store) == []


def test_claimed_deliveries_are_left_to_their_claimant(store):
    alert = db.add(store, {"name": "g", "webhook": "http://127.0.0.1:9/"})
    db.record(store, [(alert, "a1", {}, True)], "2026-01-01T00:00:00+00:00")
    assert db.any_due(store, "2026-01-01T00:00:01+00:00")
    claimed = db.claim_due(store, "2026-01-01T00:00:01+00:00", "2026-01-01T00:01:01+00:00", 10)
    assert len(claimed) == 1
    assert db.claim_due(store, "2026-01-01T00:00:02+00:00", "2026-01-01T00:01:02+00:00", 10) == []
