"""The story index: stories, members and their postings, merges, copy groups, document frequencies."""

from __future__ import annotations

import pytest

from khabar.store.db import Store
from khabar.store.stories import NewMember, StoryIndex
from khabar.types import Article


@pytest.fixture
def index():
    with Store(":memory:") as store:
        store.add_many([Article(id=f"a{i}", title=f"title {i}", text=f"text {i}", raw="", source=f"s{i % 2}.example",
                                lang="ar" if i < 3 else "fr") for i in range(5)])
        yield StoryIndex(store)


def member(aid: str, day: int, **kw) -> NewMember:
    return NewMember(aid, f"2020-01-{day:02d}", 18260 + day, b"\x00" * 8, "{}", **kw)


def story(index: StoryIndex, aid: str, day: int, **kw) -> tuple[int, int]:
    """A story founded by ``aid``: ``(story id, mid)``, as the clusterer makes one."""
    m = member(aid, day, **kw)
    sid = index.new_story(f"title {aid[1:]}", aid, [aid], m.seen, m.seen, m.day)
    mid = index.add_member(sid, m)
    index.touch_story(sid, m.seen, m.day)
    return sid, mid


def test_a_story_its_members_and_their_postings(index):
    sid, mid = story(index, "a0", 1, bands=[11, 12], keys=["e:x", "t:y"])
    assert index.story_of("a0") == sid and index.story_of("a1") is None
    assert index.story_size(sid) == 1 and index.count_clustered() == 1
    [m] = index.members(sid)
    assert (m.mid, m.article_id, m.copy_group) == (mid, "a0", mid)  # a founder starts its own copy group
    assert index.members_of(["a0"]) == [m]
    assert index.by_mid([mid]) == [(mid, sid, b"\x00" * 8, mid)]
    assert index.features_row("a0") == ("2020-01-01", 18261, b"\x00" * 8, "{}")
    assert index.band_postings([11, 12, 13], 18261, 18261, 5) == {11: [mid], 12: [mid]}
    assert index.band_postings([11], 18262, 18270, 5) == {}  # outside the window
    assert index.key_postings(["e:x", "t:z"], 18250, 18270, 5) == {"e:x": [sid]}
    assert index.memberships() == {"a0": (sid, mid)}


def test_postings_are_capped_per_key(index):
    for i in range(4):
        story(index, f"a{i}", 1 + i, keys=["e:common"])
    assert len(index.key_postings(["e:common"], 0, 10**6, 3)["e:common"]) == 3


def test_touch_reps_and_centralities(index):
    sid, _ = story(index, "a0", 5)
    index.add_member(sid, member("a1", 2))
    index.touch_story(sid, "2020-01-02", 18262)
    row = index.stories([sid])[sid]
    assert (row.size, row.first_seen, row.last_seen, row.last_day) == (2, "2020-01-02", "2020-01-05", 18265)
    index.set_reps(sid, ["a1", "a0"])
    assert index.reps_of([sid]) == {sid: ["a1", "a0"]} and index.medoids([sid]) == {sid: "a1"}
    assert index.summary_row(sid) == (sid, "title 1", 2, "2020-01-02", "2020-01-05")  # the medoid's title
    index.bump_centralities([("a0", 1.5), ("a0", 2.5), ("a1", 1.0)])
    assert {m.article_id: (m.cent_sum, m.cent_n) for m in index.members(sid)} == {"a0": (4.0, 2), "a1": (1.0, 1)}
    ms = index.members(sid)
    for m in ms:
        m.cent_sum, m.cent_n = 9.0, 3
    index.set_centralities(ms)
    assert {index.centrality_row(m.mid) for m in ms} == {(9.0, 3)}


def test_merge_moves_members_and_keys_and_old_ids_resolve(index):
    big, _ = story(index, "a0", 1, keys=["e:x"])
    index.add_member(big, member("a1", 3, keys=["e:y"]))
    index.touch_story(big, "2020-01-03", 18263)
    small, _ = story(index, "a2", 9, keys=["e:y", "e:z"])
    rows = index.stories([big, small])
    index.merge_into(rows[big], [rows[small]])
    assert index.resolve(small) == big == index.resolve(big) and index.resolve(12345) is None
    assert index.story_of("a2") == big  # the members moved
    assert {m.article_id for m in index.members(big)} == {"a0", "a1", "a2"}
    assert index.key_postings(["e:x", "e:y", "e:z"], 0, 10**6, 9) == {"e:x": [big], "e:y": [big], "e:z": [big]}
    row = index.stories([big])[big]
    assert (row.size, row.first_seen, row.last_seen) == (3, "2020-01-01", "2020-01-09")
    assert index.live_count() == 1
    assert index.find(limit=10) == [index.summary_row(big)]
    assert index.stories_of(["a0", "a2", "a4"]) == {big}


def test_copy_groups(index):
    sid, m0 = story(index, "a0", 1)
    m1 = index.add_member(sid, member("a1", 1))
    m2 = index.add_member(sid, member("a2", 1, copy_group=m0))
    groups = {m.article_id: m.copy_group for m in index.members(sid)}
    assert groups == {"a0": m0, "a1": m1, "a2": m0}
    index.join_copy_groups(m0, [m1])
    assert {m.copy_group for m in index.members(sid)} == {m0}
    m3 = index.add_member(sid, member("a3", 1))
    index.copy_to_heads([("a3", "a2"), ("a4", "a2")])  # a4 is no member: nothing to do for it
    assert index.centrality_row(m3) == (0.0, 0) and index.memberships()["a3"] == (sid, m2)  # the head's mid


def test_sizes_settle_from_members_and_empty_stories_go(index):
    kept = index.new_story("h", "a0", ["a0"], None, None, None)
    index.add_member(kept, member("a0", 1))
    empty = index.new_story("h", "a1", ["a1"], None, None, None)
    assert index.settle_sizes([kept, empty]) == 1
    assert index.story_size(kept) == 1 and index.resolve(empty) is None


def test_find_filters_and_told_members(index):
    sid, _ = story(index, "a0", 1)
    index.add_member(sid, member("a3", 2))
    index.touch_story(sid, "2020-01-02", 18262)
    other, _ = story(index, "a1", 3)
    assert [r[0] for r in index.find()] == [other, sid]  # newest first
    assert [r[0] for r in index.find(lang="fr")] == [sid]
    assert [r[0] for r in index.find(source="s0.example")] == [sid]
    assert [r[0] for r in index.find(since="2020-01-03")] == [other]
    assert [r[0] for r in index.find(among=[sid])] == [sid]
    assert index.find(limit=1, offset=1) == [index.summary_row(sid)]
    assert index.sources(sid) == ["s0.example", "s1.example"]  # a tie in count: the earliest first
    assert [m[0] for m in index.told_members(sid)] == ["a0", "a3"]
    assert index.told_members(sid)[1][5:] == ("title 3", "s1.example", None, "fr")


def test_document_frequencies_and_clear(index):
    index.add_document_frequencies([("غوطه", 2), ("مفاوض", 1)])
    index.add_document_frequencies([("غوطه", 1)])
    assert index.document_frequencies(["غوطه", "مفاوض", "other"]) == {"غوطه": 3, "مفاوض": 1}
    assert list(index.all_document_frequencies()) == [("غوطه", 3), ("مفاوض", 1)]
    terms = [f"t{i}" for i in range(2000)]  # more than one statement's worth of bound parameters
    index.add_document_frequencies([(t, 1) for t in terms])
    assert len(index.document_frequencies(terms)) == 2000
    sid, _ = story(index, "a0", 1, bands=[1], keys=["e:x"])
    index.clear()
    assert index.count_clustered() == 0 and index.live_count() == 0 and index.document_frequencies(["غوطه"]) == {}
    assert index.recluster_order() == ["a0", "a1", "a2", "a3", "a4"]  # no dates: by id


def test_a_storys_time_span_is_in_real_time_across_zones(index):
    sid, _ = story(index, "a0", 1)
    for aid, seen in (("a1", "2020-01-05T08:00:00+00:00"), ("a2", "2020-01-05T09:15:00+02:00"),
                      ("a3", "2020-01-05T09:30:00+00:00")):
        index.add_member(sid, NewMember(aid, seen, 18266, b"\x00" * 8, "{}"))
        index.touch_story(sid, seen, 18266)
    row = index.summary_row(sid)
    # 09:15+02:00 is 07:15 UTC: never the last, though it sorts last as a string
    assert (row[3], row[4]) == ("2020-01-01", "2020-01-05T09:30:00+00:00")


def test_renumber_gives_ids_back_and_redirects_resolve(index):
    index.id_floor = 10  # a recluster numbers its stories above every id shown
    s1, _ = story(index, "a0", 1, keys=["e:x"])
    s2, _ = story(index, "a1", 2)
    assert (s1, s2) == (10, 11)
    index.renumber({10: 3}, [(4, 3), (5, 4), (6, 11)])
    assert index.story_of("a0") == 3 and index.story_of("a1") == 11
    assert [index.resolve(i) for i in (3, 4, 5, 6, 11, 10)] == [3, 3, 3, 11, 11, None]
    assert index.summary_row(3)[1:3] == ("title 0", 1) and index.key_postings(["e:x"], 0, 99999, 5) == {"e:x": [3]}
    assert index.live_count() == 2 and [r[0] for r in index.find()] == [11, 3]
