"""Alerts matched by the real pipeline on real articles, in the transaction that stores them."""

from __future__ import annotations

import pytest

from khabar.follow import alerts
from khabar.follow.query import QueryError
from khabar.pipeline import ingest, store_batch
from khabar.store.db import Store
from khabar.types import Article

SPEAKER = "حمزة بيرقدار"


def _store(tmp_path):
    return Store(tmp_path / "k.db")


def by_alert(store: Store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in alerts.matches(store, limit=1000):
        out.setdefault(m["alert"], []).append(m["article"])
    return {k: sorted(v) for k, v in out.items()}


def test_each_kind_of_alert_fires_once_per_matching_article(tmp_path, examples_dir):
    with _store(tmp_path) as s:
        alerts.add_alert(s, words="الغوطة", name="words")
        alerts.add_alert(s, words='"مجلس الأمن"', name="phrase")  # only the Orient article says it
        alerts.add_alert(s, entity="جيش الإسلام", name="entity")
        alerts.add_alert(s, speaker=SPEAKER, stance="denies", name="denials")
        alerts.add_alert(s, speaker="منذر فارس", stance="asserts", name="fares")  # speaks in Orient only
        alerts.add_alert(s, speaker="بشار الأسد", name="silent")  # named by Al Ghad, says nothing
        alerts.add_alert(s, words="بوتين", name="nothing")
        ids = ingest(examples_dir, s).ids
        again = ingest(examples_dir, s)  # duplicates: no second match
        assert again.ingested == 0
        found = by_alert(s)
        orient = [i for i in ids if "orient" in (s.get(i).origin or "")]
        assert found["words"] == sorted(ids) and found["entity"] == sorted(ids)
        assert found["denials"] == sorted(ids)  # he denies in both outlets
        assert found["phrase"] == orient and found["fares"] == orient
        assert "nothing" not in found and "silent" not in found
        m = next(m for m in alerts.matches(s) if m["alert"] == "denials")
        assert m["matched"]["statement"]["stance"] == "denies" and m["story"] is not None
        assert set(m) == {"alert", "article", "story", "matched", "at"}


def test_criteria_combine(tmp_path, examples_dir):
    with _store(tmp_path) as s:
        alerts.add_alert(s, words="مجلس", speaker=SPEAKER, stance="denies", name="both")
        alerts.add_alert(s, words="رويترز", entity="فيلق الرحمن", name="never")  # in different articles
        ids = ingest(examples_dir, s).ids
        found = by_alert(s)
        orient = [i for i in ids if "orient" in (s.get(i).origin or "")]
        assert found == {"both": orient}
        (m,) = alerts.matches(s)
        assert set(m["matched"]) == {"words", "statement"}


def test_new_reads_each_match_once(tmp_path, examples_dir):
    with _store(tmp_path) as s:
        alerts.add_alert(s, words="الغوطة", name="g")
        ingest(examples_dir, s)
        assert len(alerts.matches(s, new=True)) == 2
        assert alerts.matches(s, new=True) == []
        assert len(alerts.matches(s)) == 2


def test_a_match_is_stored_with_its_article_or_not_at_all(tmp_path):
    art = Article(id="a1", title="الغوطة", text="قال الناطق إن الغوطة صامدة.", raw="x", source="x.com")
    with _store(tmp_path) as s:
        alerts.add_alert(s, words="الغوطة", name="g")
        with pytest.raises(RuntimeError), s.transaction():
            store_batch(s, [art], {})
            assert len(alerts.matches(s)) == 1  # matched inside the batch's transaction …
            raise RuntimeError("interrupted")
        assert s.count() == 0 and alerts.matches(s) == []  # … and gone with it


def test_an_article_stored_unanalysed_fires_its_entity_alerts_when_analysed(tmp_path, examples_dir):
    with _store(tmp_path) as s:
        alerts.add_alert(s, words="الغوطة", name="words")
        alerts.add_alert(s, speaker=SPEAKER, name="speaker")
        ingest(examples_dir, s, analyse=False)
        assert set(by_alert(s)) == {"words"}
        ingest(examples_dir, s)
        found = by_alert(s)
        assert len(found["words"]) == 2 and len(found["speaker"]) == 2


@pytest.mark.parametrize("kw", [{}, {"words": "(الغوطة"}, {"stance": "maybe"}, {"entity": "«»"},
                                {"words": "x", "webhook": "file:///etc/passwd"}])
def test_bad_alerts_are_refused(tmp_path, kw):
    with _store(tmp_path) as s, pytest.raises(QueryError if "webhook" not in kw else ValueError):
        alerts.add_alert(s, **kw)


def test_names_default_to_the_criteria_and_stay_unique(tmp_path):
    with _store(tmp_path) as s:
        a = alerts.add_alert(s, speaker=SPEAKER, stance="denies")
        assert a["name"] == f"speaker:{SPEAKER} stance:denies"
        with pytest.raises(QueryError, match="another --name"):
            alerts.add_alert(s, speaker=SPEAKER, stance="denies")
