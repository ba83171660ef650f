"""The story index: the one owner of the story tables (``stories``, ``story_articles``, ``story_bands``,
``story_keys``, ``term_df``; see ``migrations/0003_stories.sql``).

The online clusterer (:mod:`khabar.stories.online`), the batch import (:mod:`khabar.batch.importer`)
and the telling of stories (:mod:`khabar.stories.telling`) read and write stories only through
:class:`StoryIndex`, so each insert and each query exists once. It takes no decision: which story an
article joins is :mod:`khabar.stories.rules`' business; this module only keeps what was decided.

>>> from khabar.store.db import Store
>>> with Store(":memory:") as store:
...     index = StoryIndex(store)
...     sid = index.new_story("headline", "a1", ["a1"], "2020-01-01", "2020-01-01", 18262)
...     index.resolve(sid), index.resolve(999), index.reps_of([sid])
(1, None, {1: ['a1']})
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from khabar.store.db import Store
from khabar.store.params import chunks, marks
from khabar.text.dates import as_aware, parse_when

__all__ = ["Member", "NewMember", "StoryIndex", "StoryRow"]

def _instant(seen: str | None) -> datetime:
    """A stored time as an aware instant, for min and max across zones (no time: the earliest)."""
    parsed = parse_when(seen)
    return as_aware(parsed) if parsed is not None else datetime.min.replace(tzinfo=UTC)


@dataclass
class Member:
    """A stored member of a story, as the representatives are chosen from it."""

    mid: int
    article_id: str
    cent_sum: float
    cent_n: int
    copy_group: int


@dataclass
class NewMember:
    """A member to store: its clustering features (as stored) and its index rows (band and key postings).

    ``copy_group`` ``None`` starts the article's own near-copy group.
    """

    article_id: str
    seen: str
    day: int
    sig: bytes  # the encoded MinHash signature (:func:`khabar.stories.features.sig_blob`)
    features: str  # the JSON of :meth:`khabar.stories.features.Features.to_json`
    bands: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    cent_sum: float = 0.0
    cent_n: int = 0
    copy_group: int | None = None


@dataclass
class StoryRow:
    """A story's size, representatives and time span."""

    id: int
    size: int
    reps: list[str]
    first_seen: str | None
    last_seen: str | None
    last_day: int | None


class StoryIndex:
    """Reads and writes of the story tables of one :class:`~khabar.store.db.Store`.

    Writes join the caller's transaction (``store.transaction()``); none opens its own.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db
        # new stories get ids from here up: a recluster numbers its stories above every id ever shown,
        # then gives the shown ids back (:mod:`khabar.stories.ids`)
        self.id_floor = 1

    # -- stories -----------------------------------------------------------------------------------
    def resolve(self, story_id: int) -> int | None:
        """The live story an id stands for (a merged story points at its survivor); ``None`` if no such story."""
        seen = set()
        while story_id not in seen:
            seen.add(story_id)
            row = self.db.execute("SELECT merged_into FROM stories WHERE id = ?", (story_id,)).fetchone()
            if row is None:
                return None
            if row[0] is None:
                return story_id
            story_id = row[0]
        return None  # a loop of merges cannot be made here; do not follow one forever

    def new_story(
        self, headline: str | None, medoid: str, reps: Sequence[str], first_seen: str | None,
        last_seen: str | None, last_day: int | None,
    ) -> int:
        """A new, empty story (size 0: members count as they are added); its id."""
        return self.db.execute(
            "INSERT INTO stories (id, headline, medoid, reps, size, first_seen, last_seen, last_day) "
            "VALUES ((SELECT max(coalesce(max(id), 0) + 1, ?) FROM stories), ?, ?, ?, 0, ?, ?, ?)",
            (self.id_floor, headline, medoid, json.dumps(list(reps)), first_seen, last_seen, last_day),
        ).lastrowid

    def dated_spans(self, story_ids: Sequence[int], undated: int) -> dict[int, tuple[int, int]]:
        """``(first, last)`` day of the dated members (day above ``undated``) of each story that has one."""
        if not story_ids:
            return {}
        rows = self.db.execute(
            f"SELECT story_id, min(day), max(day) FROM story_articles WHERE story_id IN ({marks(len(story_ids))}) "
            "AND day > ? GROUP BY story_id", [*story_ids, undated])
        return {r[0]: (r[1], r[2]) for r in rows}

    def story_size(self, story_id: int) -> int:
        return self.db.execute("SELECT size FROM stories WHERE id = ?", (story_id,)).fetchone()[0]

    def stories(self, story_ids: Sequence[int]) -> dict[int, StoryRow]:
        """Size, representatives and time span of the stories."""
        rows = self.db.execute(
            f"SELECT id, size, reps, first_seen, last_seen, last_day FROM stories WHERE id IN ({marks(len(story_ids))})",
            list(story_ids),
        )
        return {r[0]: StoryRow(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5]) for r in rows}

    def reps_of(self, story_ids: Sequence[int]) -> dict[int, list[str]]:
        """Representatives of the stories (the medoid first)."""
        if not story_ids:
            return {}
        q = marks(len(story_ids))
        return {sid: json.loads(r) for sid, r in self.db.execute(f"SELECT id, reps FROM stories WHERE id IN ({q})",
                                                                 list(story_ids))}

    def medoids(self, story_ids: Sequence[int]) -> dict[int, str]:
        q = marks(len(story_ids))
        return {r[0]: r[1] for r in self.db.execute(f"SELECT id, medoid FROM stories WHERE id IN ({q})",
                                                    list(story_ids))}

    def touch_story(self, story_id: int, seen: str, day: int) -> None:
        """One member more, seen at ``seen`` (day ``day``): size and time span follow."""
        # compared as instants (julianday reads the zone), not as strings: 09:15+02:00 is before 08:00Z
        self.db.execute(
            "UPDATE stories SET size = size + 1, "
            "first_seen = CASE WHEN first_seen IS NULL OR julianday(?1) < julianday(first_seen) THEN ?1 "
            "ELSE first_seen END, "
            "last_seen = CASE WHEN last_seen IS NULL OR julianday(?1) > julianday(last_seen) THEN ?1 "
            "ELSE last_seen END, last_day = max(coalesce(last_day, ?2), ?2) WHERE id = ?3",
            (seen, day, story_id),
        )

    def set_reps(self, story_id: int, reps: Sequence[str]) -> None:
        """New representatives; the first is the medoid, whose title becomes the headline."""
        head = self.db.execute("SELECT title FROM articles WHERE id = ?", (reps[0],)).fetchone()
        self.db.execute(
            "UPDATE stories SET reps = ?, medoid = ?, headline = ? WHERE id = ?",
            (json.dumps(list(reps)), reps[0], head[0] if head else None, story_id),
        )

    def merge_into(self, survivor: StoryRow, gone: Sequence[StoryRow]) -> None:
        """Move the members and keys of ``gone`` to ``survivor``; the gone ids then resolve to it.

        The survivor's size and time span become those of all of them together.
        """
        for g in gone:
            self.db.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?", (survivor.id, g.id))
            self.db.execute(
                "INSERT INTO story_keys (key, story_id, day) SELECT key, ?, day FROM story_keys WHERE story_id = ? "
                "ON CONFLICT(key, story_id) DO UPDATE SET day = max(story_keys.day, excluded.day)",
                (survivor.id, g.id),
            )
            self.db.execute("DELETE FROM story_keys WHERE story_id = ?", (g.id,))
            # two statements, so each uses its index (an OR across columns would scan the table)
            self.db.execute("UPDATE stories SET merged_into = ? WHERE merged_into = ?", (survivor.id, g.id))
            self.db.execute("UPDATE stories SET merged_into = ? WHERE id = ?", (survivor.id, g.id))
        rows = [survivor, *gone]
        self.db.execute(
            "UPDATE stories SET size = ?, first_seen = ?, last_seen = ?, last_day = ? WHERE id = ?",
            (sum(r.size for r in rows), min((r.first_seen for r in rows), key=_instant),
             max((r.last_seen for r in rows), key=_instant), max(r.last_day for r in rows), survivor.id),
        )

    def settle_sizes(self, story_ids: Sequence[int]) -> int:
        """Sizes counted from the members; stories left without any are deleted (how many)."""
        dropped = 0
        for chunk in chunks(list(story_ids)):
            q = marks(len(chunk))
            self.db.execute(
                f"UPDATE stories SET size = (SELECT count(*) FROM story_articles sa "
                f"WHERE sa.story_id = stories.id) WHERE id IN ({q})",
                chunk,
            )
            dropped += self.db.execute(f"DELETE FROM stories WHERE id IN ({q}) AND size = 0", chunk).rowcount
        return dropped

    def live_count(self) -> int:
        """Stories not merged into another."""
        return self.db.execute("SELECT count(*) FROM stories WHERE merged_into IS NULL").fetchone()[0]

    # -- members -----------------------------------------------------------------------------------
    def story_of(self, article_id: str) -> int | None:
        """The story id stored for a clustered article (not resolved), or ``None``."""
        row = self.db.execute("SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)).fetchone()
        return None if row is None else row[0]

    def stories_of(self, article_ids: Sequence[str]) -> set[int]:
        """Story ids stored for the articles (not resolved)."""
        found: set[int] = set()
        for chunk in chunks(list(article_ids)):
            found.update(r[0] for r in self.db.execute(
                f"SELECT story_id FROM story_articles WHERE article_id IN ({marks(len(chunk))})", chunk))
        return found

    def count_clustered(self) -> int:
        return self.db.execute("SELECT count(*) FROM story_articles").fetchone()[0]

    def memberships(self) -> dict[str, tuple[int, int]]:
        """Every clustered article → ``(story id, copy group)`` (story ids not resolved)."""
        return {r[0]: (r[1], r[2]) for r in self.db.execute(
            "SELECT article_id, story_id, copy_group FROM story_articles")}

    def features_row(self, article_id: str) -> tuple[str, int, bytes, str]:
        """``(seen, day, sig, features)`` stored for a clustered article."""
        return tuple(self.db.execute(
            "SELECT seen, day, sig, features FROM story_articles WHERE article_id = ?", (article_id,)
        ).fetchone())

    def by_mid(self, mids: Sequence[int]) -> list[tuple[int, int, bytes, int]]:
        """``(mid, story id, sig, copy group)`` of the members with these mids."""
        q = marks(len(mids))
        return [tuple(r) for r in self.db.execute(
            f"SELECT mid, story_id, sig, copy_group FROM story_articles WHERE mid IN ({q})", list(mids))]

    def centrality_row(self, mid: int) -> tuple[float, int]:
        """``(cent_sum, cent_n)`` of a member."""
        return tuple(self.db.execute("SELECT cent_sum, cent_n FROM story_articles WHERE mid = ?", (mid,)).fetchone())

    def members(self, story_id: int) -> list[Member]:
        """The members of a story."""
        return [Member(*r) for r in self.db.execute(
            "SELECT mid, article_id, cent_sum, cent_n, copy_group FROM story_articles WHERE story_id = ?", (story_id,))]

    def members_of(self, article_ids: Sequence[str]) -> list[Member]:
        """The member rows of these articles (of whichever story)."""
        q = marks(len(article_ids))
        return [Member(*r) for r in self.db.execute(
            f"SELECT mid, article_id, cent_sum, cent_n, copy_group FROM story_articles WHERE article_id IN ({q})",
            list(article_ids))]

    def add_member(self, story_id: int, m: NewMember) -> int:
        """Store a member with its band and key postings; its mid. (The story's size: :meth:`touch_story`.)"""
        mid = self.db.execute(
            "INSERT INTO story_articles (article_id, story_id, seen, day, cent_sum, cent_n, copy_group, sig, features) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (m.article_id, story_id, m.seen, m.day, m.cent_sum, m.cent_n, m.copy_group, m.sig, m.features),
        ).lastrowid
        if m.copy_group is None:
            self.db.execute("UPDATE story_articles SET copy_group = mid WHERE mid = ?", (mid,))
        self.db.executemany(
            "INSERT OR IGNORE INTO story_bands (band, day, mid) VALUES (?, ?, ?)", [(b, m.day, mid) for b in m.bands]
        )
        self.db.executemany(
            "INSERT INTO story_keys (key, story_id, day) VALUES (?, ?, ?) "
            "ON CONFLICT(key, story_id) DO UPDATE SET day = max(day, excluded.day)",
            [(k, story_id, m.day) for k in m.keys],
        )
        return mid

    def bump_centralities(self, scores: Iterable[tuple[str, float]]) -> None:
        """Add one comparison score to each ``(article id, score)`` member's centrality, in order."""
        self.db.executemany(
            "UPDATE story_articles SET cent_sum = cent_sum + ?, cent_n = cent_n + 1 WHERE article_id = ?",
            [(float(s), aid) for aid, s in scores],
        )

    def set_centralities(self, members: Iterable[Member]) -> None:
        """Store the members' ``cent_sum`` and ``cent_n`` as they are now."""
        self.db.executemany(
            "UPDATE story_articles SET cent_sum = ?, cent_n = ? WHERE mid = ?",
            [(m.cent_sum, m.cent_n, m.mid) for m in members],
        )

    def join_copy_groups(self, group: int, others: Iterable[int]) -> None:
        """The near-copy groups ``others`` become part of ``group``."""
        for g in others:
            self.db.execute("UPDATE story_articles SET copy_group = ? WHERE copy_group = ?", (group, g))

    def copy_to_heads(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Each ``(article id, head article id)``: the article joins the head's near-copy group (both stored)."""
        self.db.executemany(
            "UPDATE story_articles SET copy_group = (SELECT mid FROM story_articles WHERE article_id = ?) "
            "WHERE article_id = ? AND EXISTS (SELECT 1 FROM story_articles WHERE article_id = ?)",
            [(head, aid, head) for aid, head in pairs],
        )

    # -- the candidate index -----------------------------------------------------------------------
    def band_postings(self, bands: Sequence[int], lo: int, hi: int, limit: int) -> dict[int, list[int]]:
        """Each band's members (mids) posted on days ``lo..hi``, at most ``limit`` per band.

        One statement: a union of indexed range reads, so the cost does not grow with the store.
        """
        if not bands:
            return {}
        sub = " UNION ALL ".join(
            "SELECT * FROM (SELECT band, mid FROM story_bands WHERE band = ? AND day BETWEEN ? AND ? LIMIT ?)"
            for _ in bands
        )
        found: dict[int, list[int]] = {}
        for band, mid in self.db.execute(sub, [v for b in bands for v in (b, lo, hi, limit)]):
            found.setdefault(band, []).append(mid)
        return found

    def key_postings(self, keys: Sequence[str], lo: int, hi: int, limit: int) -> dict[str, list[int]]:
        """Each key's stories posted on days ``lo..hi``, at most ``limit`` per key (as :meth:`band_postings`)."""
        if not keys:
            return {}
        sub = " UNION ALL ".join(
            "SELECT * FROM (SELECT key, story_id FROM story_keys WHERE key = ? AND day BETWEEN ? AND ? LIMIT ?)"
            for _ in keys
        )
        posted: dict[str, list[int]] = {}
        for key, sid in self.db.execute(sub, [v for k in keys for v in (k, lo, hi, limit)]):
            posted.setdefault(key, []).append(sid)
        return posted

    # -- document frequencies ----------------------------------------------------------------------
    def document_frequencies(self, terms: Iterable[str]) -> dict[str, int]:
        """Document frequencies of the terms that have one."""
        df: dict[str, int] = {}
        for chunk in chunks(sorted(set(terms))):
            df.update((r[0], r[1]) for r in self.db.execute(
                f"SELECT term, df FROM term_df WHERE term IN ({marks(len(chunk))})", chunk))
        return df

    def all_document_frequencies(self) -> Iterator[tuple[str, int]]:
        """Every ``(term, document frequency)``, in term order (streamed: a corpus's vocabulary)."""
        for term, df in self.db.execute("SELECT term, df FROM term_df ORDER BY term"):
            yield term, int(df)

    def add_document_frequencies(self, counts: Iterable[tuple[str, int]]) -> None:
        """Add ``(term, articles)`` counts to the document frequencies."""
        self.db.executemany(
            "INSERT INTO term_df (term, df) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
            counts,
        )

    # -- reads for telling a story -----------------------------------------------------------------
    def summary_row(self, story_id: int) -> tuple[int, str | None, int, str | None, str | None] | None:
        """``(id, headline, size, first_seen, last_seen)`` of a story, or ``None``."""
        row = self.db.execute(
            "SELECT id, headline, size, first_seen, last_seen FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        return None if row is None else tuple(row)

    def find(
        self, *, since: str | None = None, lang: str | None = None, source: str | None = None,
        among: Iterable[int] | None = None, limit: int = 50, offset: int = 0,
    ) -> list[tuple[int, str | None, int, str | None, str | None]]:
        """Live, non-empty stories as :meth:`summary_row` gives them, newest first (by last article).

        ``since``: last seen on or after; ``lang``/``source``: with an article in that language / from
        that outlet; ``among``: only these story ids.
        """
        where, params = ["s.merged_into IS NULL", "s.size > 0"], []
        if since:
            where.append("s.last_seen >= ?")
            params.append(since)
        for column, value in (("lang", lang), ("source", source)):
            if value:
                where.append(
                    f"EXISTS (SELECT 1 FROM story_articles sa JOIN articles a ON a.id = sa.article_id "
                    f"WHERE sa.story_id = s.id AND a.{column} = ?)"
                )
                params.append(value)
        if among is not None:
            where.append(f"s.id IN ({','.join(str(int(s)) for s in sorted(among))})")
        rows = self.db.execute(
            f"SELECT s.id, s.headline, s.size, s.first_seen, s.last_seen FROM stories s WHERE {' AND '.join(where)} "
            "ORDER BY s.last_seen DESC, s.id DESC LIMIT ? OFFSET ?",
            (*params, max(0, limit), max(0, offset)),
        ).fetchall()
        return [tuple(r) for r in rows]

    def sources(self, story_id: int) -> list[str]:
        """The story's outlets, the most articles first (then the earliest, then by name)."""
        rows = self.db.execute(
            "SELECT a.source, count(*) AS n, min(sa.seen) AS first FROM story_articles sa "
            "JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = ? AND a.source IS NOT NULL "
            "GROUP BY a.source ORDER BY n DESC, first, a.source",
            (story_id,),
        )
        return [r[0] for r in rows]

    def told_members(self, story_id: int) -> list[tuple[Any, ...]]:
        """The story's members in time order: ``(article_id, seen, cent_sum, cent_n, copy_group, title,
        source, published, lang)``."""
        return [tuple(r) for r in self.db.execute(
            "SELECT sa.article_id, sa.seen, sa.cent_sum, sa.cent_n, sa.copy_group, a.title, a.source, a.published, "
            "a.lang FROM story_articles sa JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = ? "
            "ORDER BY sa.seen, sa.mid",
            (story_id,),
        )]

    # -- rebuilding --------------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every story, member, posting and document frequency (before a recluster)."""
        for table in ("story_bands", "story_keys", "story_articles", "term_df"):
            self.db.execute(f"DELETE FROM {table}")
        self.db.execute("UPDATE stories SET merged_into = NULL")  # let the rows go despite the self-reference
        self.db.execute("DELETE FROM stories")

    def shown_ids(self) -> tuple[dict[int, str], dict[int, int], int]:
        """What a recluster must keep: live stories' medoids, merged ids' survivors, and the highest id."""
        medoids, merged = {}, {}
        for sid, medoid, into in self.db.execute("SELECT id, medoid, merged_into FROM stories"):
            if into is None:
                medoids[sid] = medoid
            else:
                merged[sid] = into
        return medoids, merged, max([*medoids, *merged], default=0)

    def renumber(self, renames: dict[int, int], redirects: Sequence[tuple[int, int]]) -> None:
        """Give live stories the ids ``renames`` maps them to (ids not in use), drop merged rows of ids
        never shown (at or above :attr:`id_floor`), then add ``(id, target)`` rows that resolve to
        ``target``, in order (a target is live or added before)."""
        self.db.execute("DELETE FROM stories WHERE merged_into IS NOT NULL AND id >= ?", (self.id_floor,))
        for new, old in sorted(renames.items()):
            self.db.execute(
                "INSERT INTO stories (id, headline, medoid, reps, size, first_seen, last_seen, last_day) "
                "SELECT ?, headline, medoid, reps, size, first_seen, last_seen, last_day FROM stories WHERE id = ?",
                (old, new))
            self.db.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?", (old, new))
            self.db.execute("UPDATE story_keys SET story_id = ? WHERE story_id = ?", (old, new))
            self.db.execute("DELETE FROM stories WHERE id = ?", (new,))
        self.db.executemany("INSERT INTO stories (id, size, merged_into) VALUES (?, 0, ?)", redirects)

    def recluster_order(self) -> list[str]:
        """Every stored article id in the order a recluster takes them: published (unknown last), then id."""
        return [r[0] for r in self.db.execute("SELECT id FROM articles ORDER BY published IS NULL, published, id")]
