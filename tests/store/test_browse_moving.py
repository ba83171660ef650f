"""The front page's ranking (:func:`khabar.store.browse.moving_stories`) over a real SQLite store."""

from __future__ import annotations

import pytest

from khabar.store.browse import moving_stories
from khabar.store.db import Store
from khabar.store.stories import NewMember, StoryIndex
from khabar.types import Article

SINCE, PRIOR = "2026-03-01T08:00:00+00:00", "2026-02-28T08:00:00+00:00"


def _story(store: Store, headline: str, members: list[tuple[str, str, str]], entity: str | None = None) -> int:
    """A story of ``(article id, outlet, seen)`` members, stored as the clusterer stores one."""
    index = StoryIndex(store)
    with store.transaction():
        sid = index.new_story(headline, members[0][0], [members[0][0]], None, None, None)
        for aid, source, seen in members:
            store.add(Article(id=aid, title=headline, text="نص الخبر", raw="نص الخبر", source=source, published=seen))
            index.add_member(sid, NewMember(article_id=aid, seen=seen, day=0, sig=b"", features="{}"))
            index.touch_story(sid, seen, 0)
    if entity:
        from khabar.types import Mention

        store.save_analysis(members[0][0], [Mention(entity, "ORG", 0, 3, entity)], [])
    return sid


@pytest.fixture
def store():
    with Store(":memory:") as s:
        # old: two outlets, three days before the window
        s.old = _story(s, "قديم", [("o1", "a.com", "2026-02-26T10:00:00+00:00"),
                                   ("o2", "b.com", "2026-02-26T11:00:00+00:00")])
        # one outlet, now, growing from nothing
        s.single = _story(s, "منفرد", [("s1", "a.com", "2026-03-01T20:00:00+00:00"),
                                     ("s2", "a.com", "2026-03-01T21:00:00+00:00")])
        # three outlets inside the window; one of its articles in a +03:00 zone (09:30+03:00 is 06:30Z:
        # before the window, though the string sorts after its start)
        s.wide = _story(s, "واسع", [("w0", "c.com", "2026-03-01T09:30:00+03:00"),
                                   ("w1", "a.com", "2026-03-01T12:00:00+00:00"),
                                   ("w2", "b.com", "2026-03-01T13:00:00+00:00"),
                                   ("w3", "c.com", "2026-03-01T14:00:00+00:00")], entity="هيءه اركان جيش الاسلام")
        # two outlets in the window, but as many articles the day before: no growth
        s.steady = _story(s, "ثابت", [("t1", "a.com", "2026-02-28T12:00:00+00:00"),
                                     ("t2", "b.com", "2026-02-28T13:00:00+00:00"),
                                     ("t3", "a.com", "2026-03-01T12:00:00+00:00"),
                                     ("t4", "b.com", "2026-03-01T13:00:00+00:00")])
        # as many outlets in the window as steady, but all new: it grows, so it ranks above steady
        s.rising = _story(s, "صاعد", [("r1", "a.com", "2026-03-01T15:00:00+00:00"),
                                     ("r2", "b.com", "2026-03-01T16:00:00+00:00"),
                                     ("r3", "b.com", "2026-03-01T17:00:00+00:00")])
        yield s


def test_moving_ranks_recent_outlets_then_growth_then_multi_source(store):
    rows = moving_stories(store, since=SINCE, prior=PRIOR)
    assert [r["id"] for r in rows] == [store.wide, store.rising, store.steady, store.single, store.old]
    wide = rows[0]
    assert (wide["recent_outlets"], wide["outlets"], wide["size"]) == (3, 3, 4)
    by_id = {r["id"]: r for r in rows}
    assert (by_id[store.steady]["recent"], by_id[store.steady]["previous"]) == (2, 2)
    assert (by_id[store.old]["recent"], by_id[store.old]["outlets"]) == (0, 2)
    assert by_id[store.wide]["sources"][0] == "c.com"  # the outlet with the most articles first


def test_zone_aware_window(store):
    wide = moving_stories(store, since=SINCE, prior=PRIOR)[0]
    # w0 (06:30Z) is before the window: 3 recent articles from 3 outlets, 1 in the day before
    assert (wide["recent"], wide["recent_outlets"], wide["previous"]) == (3, 3, 1)


def test_last_24_hours_view_and_newest_order(store):
    recent = moving_stories(store, since=SINCE, prior=PRIOR, recent_only=True)
    assert {r["id"] for r in recent} == {store.wide, store.rising, store.steady, store.single}
    newest = moving_stories(store, since=SINCE, prior=PRIOR, order="newest")
    assert [r["id"] for r in newest][:1] == [store.single] and newest[-1]["id"] == store.old
    with pytest.raises(ValueError):
        moving_stories(store, since=SINCE, prior=PRIOR, order="random")


def test_entity_filter_matches_whole_words_only(store):
    for name in ("جيش الاسلام", "هيءه اركان جيش الاسلام", "اركان"):
        assert [r["id"] for r in moving_stories(store, since=SINCE, prior=PRIOR, entity=name)] == [store.wide], name
    for name in ("جيش الاسل", "%", "_", "جيش%", "\\"):
        assert moving_stories(store, since=SINCE, prior=PRIOR, entity=name) == [], name


def test_among_and_paging(store):
    rows = moving_stories(store, since=SINCE, prior=PRIOR, among=[store.old, store.single])
    assert [r["id"] for r in rows] == [store.single, store.old]
    assert [r["id"] for r in moving_stories(store, since=SINCE, prior=PRIOR, limit=1, offset=1)] == [store.rising]
