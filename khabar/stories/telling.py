"""Telling a story: its headline, sources, timeline, articles, near-copies, entities, and who said what.

Stories are made by :mod:`khabar.stories.online`; this module only reads them, through
:class:`khabar.store.stories.StoryIndex`. Shapes (stable, as printed by ``khabar stories --json`` and
``khabar story ID --json``):

* :func:`list_stories` → ``[{id, headline, size, sources, first_seen, last_seen}]``, newest first;
* :func:`get_story` → the same fields plus ``articles`` (``{id, title, source, published, seen,
  similarity}`` in time order, as instants (zones compared); ``similarity`` is the article's mean comparison score against the
  members it was compared with, on the 1 = same … 4 = different scale, ``null`` for an article never
  compared), ``copies`` (near-copy groups of two or more article ids), ``entities`` (``{entity, type,
  count}``: people, organisations and places, ``count`` = articles naming them), ``statements``
  (``{speaker, role, stance, text, outlets, articles}``, grouped by speaker, one entry per statement
  however many outlets carried it) and ``timeline`` (``{source, first_seen, last_seen, count}``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from khabar.config import DEFAULT, StoryConfig
from khabar.store.db import Store
from khabar.store.params import whole_number
from khabar.store.stories import StoryIndex
from khabar.stories.features import entity_key
from khabar.text import arabic
from khabar.text.dates import as_aware, parse_when
from khabar.types import Mention, Statement

__all__ = ["get_story", "list_stories", "merge_statements", "moment", "story_of"]

_TYPES = ("PERS", "ORG", "LOC")
_NO_TIME = datetime.min.replace(tzinfo=UTC)


def _story_id(value: int | str) -> int | None:
    """A story id as given, ``None`` when it names no story (not a whole number, or too large to store)."""
    try:
        return whole_number(value)
    except ValueError:
        return None


def story_of(store: Store, article_id: str) -> int | None:
    """The story an article belongs to (``article_id`` as :meth:`Store.get` takes it), or ``None``."""
    index = StoryIndex(store)
    sid = index.story_of(article_id)
    if sid is None:
        article = store.get(article_id)
        if article is None:
            return None
        sid = index.story_of(article.id)
        if sid is None:
            return None
    return index.resolve(sid)


def moment(seen: str | None) -> datetime:
    """A member's time as an aware datetime for ordering (a bare date is its midnight UTC; none: first).

    >>> moment("2023-02-06T09:15:00+02:00") < moment("2023-02-06T08:00:00+00:00")
    True
    """
    parsed = parse_when(seen)
    return as_aware(parsed) if parsed is not None else _NO_TIME


def _summary(index: StoryIndex, row: Sequence[Any]) -> dict[str, Any]:
    sid, headline, size, first_seen, last_seen = row
    return {"id": sid, "headline": headline, "size": size, "sources": index.sources(sid),
            "first_seen": first_seen, "last_seen": last_seen}


def list_stories(
    store: Store, *, since: str | None = None, lang: str | None = None, source: str | None = None,
    q: str | None = None, limit: int = 50, offset: int = 0,
) -> list[dict[str, Any]]:
    """Stories, newest first (by last article), filtered.

    ``since``: last seen on or after this ISO date; ``lang``/``source``: with at least one article in
    that language / from that outlet; ``q``: with an article that full-text search finds for ``q``.
    """
    index = StoryIndex(store)
    among = None
    if q and q.strip():
        ids = [h["id"] for h in store.search(q, limit=2000)]
        among = index.stories_of(ids) if ids else set()
        if not among:
            return []
    rows = index.find(since=since, lang=lang, source=source, among=among, limit=limit, offset=offset)
    return [_summary(index, r) for r in rows]


# --- statements and entities across outlets --------------------------------------------------------


@dataclass
class _Said:
    """One statement as one article reports it."""

    article_id: str
    source: str | None
    speaker: str | None
    role: str | None
    stance: str
    text: str
    terms: frozenset[str]


@dataclass
class _Merged:
    speaker: str | None
    texts: list[_Said] = field(default_factory=list)

    def to_dict(self, names: dict[str, str], role: str | None = None) -> dict[str, Any]:
        stances = Counter(s.stance for s in self.texts)
        # "denies" wins a tie: a denial reported by one outlet is the news, not the neutral paraphrase
        stance = "denies" if stances["denies"] >= stances["asserts"] and stances["denies"] else (
            "neutral" if stances["neutral"] > stances["asserts"] else "asserts")  # a question asked, reported
        best = max(self.texts, key=lambda s: (len(s.terms), len(s.text)))
        roles = Counter(s.role for s in self.texts if s.role)
        return {
            "speaker": names.get(self.speaker, self.speaker) if self.speaker else None,
            "role": roles.most_common(1)[0][0] if roles else role,
            "stance": stance,
            "text": best.text,
            "outlets": sorted({s.source for s in self.texts if s.source}),
            "articles": list(dict.fromkeys(s.article_id for s in self.texts)),
        }


def _same_statement(a: frozenset[str], b: frozenset[str], overlap: float) -> bool:
    if not a or not b:
        return False
    inter = len(a & b)
    return inter / len(a | b) >= overlap or inter / min(len(a), len(b)) >= max(0.6, overlap * 1.7)


def _name_map(keys: Iterable[str]) -> dict[str, str]:
    """Short names to the one longer name that contains them (بيرقدار → حمزه بيرقدار), else themselves."""
    keys = sorted(set(keys), key=lambda k: (-len(k.split()), k))
    out = {}
    for k in keys:
        toks = set(k.split())
        longer = [m for m in keys if len(m.split()) > len(toks) and toks <= set(m.split())]
        roots = {out.get(m, m) for m in longer}
        out[k] = roots.pop() if len(roots) == 1 else k
    return out


def role_as_written(speaker: str | None, role: str | None) -> str | None:
    """The role as the text wrote it, when the speaker is known only by that role (المتحدث باسم البلدية).

    Speakers are kept in matching form (البلديه); this is the spelling to show instead.
    """
    return role if speaker and role and arabic.normalize(role) == speaker else None


def merge_statements(
    said: Sequence[tuple[str, str | None, Statement]], lang: str | None = None, *,
    names: dict[str, str] | None = None, people: Iterable[str] = (), config: StoryConfig = DEFAULT,
) -> list[dict[str, Any]]:
    """Statements of a story's articles, ``(article_id, outlet, statement)`` in time order, merged.

    Statements by the same speaker whose words overlap enough (``config.statement_overlap``) are one
    statement carried by several outlets. A speaker named in short by one outlet (بيرقدار) is the one
    named in full by another, or in ``people`` (entity keys), when exactly one full name fits.
    Speakers are grouped: the most widely reported first; statements with no known speaker come
    last. ``names`` maps speaker keys to display names.
    """
    keyed = {s.speaker: entity_key(s.speaker) for _, _, s in said if s.speaker}
    canon = _name_map([*(v for v in keyed.values() if v), *people])
    by_speaker: dict[str | None, list[_Merged]] = defaultdict(list)
    for article_id, source, s in said:
        key = canon.get(keyed.get(s.speaker, ""), None) if s.speaker else None
        item = _Said(article_id, source, key, s.role, s.stance, s.text, frozenset(arabic.terms(s.text, lang=lang)))
        groups = by_speaker[key]
        for g in groups:
            if any(_same_statement(item.terms, t.terms, config.statement_overlap) for t in g.texts):
                g.texts.append(item)
                break
        else:
            groups.append(_Merged(key, [item]))
    display = dict(names or {})
    as_written = {s.speaker: r for _, _, s in said if (r := role_as_written(s.speaker, s.role))}
    for spk, key in keyed.items():  # a speaker's own spelling, when no mention gave a better one
        display.setdefault(canon.get(key, key), as_written.get(spk, spk))

    def weight(spk: str | None) -> tuple:
        gs = by_speaker[spk]
        outlets = {t.source for g in gs for t in g.texts if t.source}
        return (spk is None, -len(outlets), -sum(len(g.texts) for g in gs), spk or "")

    out = []
    for spk in sorted(by_speaker, key=weight):
        gs = sorted(by_speaker[spk], key=lambda g: -len({t.source for t in g.texts}))  # stable: time order kept
        # a statement reported without the speaker's role gets the role other reports give him
        roles = Counter(t.role for g in gs for t in g.texts if t.role)
        role = roles.most_common(1)[0][0] if roles and spk is not None else None
        out.extend(g.to_dict(display, role) for g in gs)
    return out


def _entities(
    mentions: Sequence[tuple[str, Sequence[Mention]]], config: StoryConfig
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """People, organisations and places by the number of articles naming them; and display names by key."""
    forms: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    arts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for article_id, ms in mentions:
        for m in ms:
            key = entity_key(m.entity or m.text)
            if key:
                forms[(key, m.type)][m.text.strip("()\"'«» ")] += 1
                arts[(key, m.type)].add(article_id)
    out, names = [], {}
    for ty in _TYPES:
        keys = [k for k, t in arts if t == ty]
        canon = _name_map(keys) if ty == "PERS" else {k: k for k in keys}
        merged_arts: dict[str, set[str]] = defaultdict(set)
        merged_forms: dict[str, Counter[str]] = defaultdict(Counter)
        for k in keys:
            merged_arts[canon[k]] |= arts[(k, ty)]
            merged_forms[canon[k]].update(forms[(k, ty)])
        ranked = sorted(merged_arts, key=lambda k: (-len(merged_arts[k]), -sum(merged_forms[k].values()), k))
        for k in ranked:
            # the display name: the most used spelling among the longest forms (the full name)
            fs = merged_forms[k]
            longest = max(len(f.split()) for f in fs)
            name = max((f for f in fs if len(f.split()) == longest), key=lambda f: (fs[f], f))
            names[k] = name
            for short, root in canon.items():
                if root == k:
                    names.setdefault(short, name)
        out.extend({"entity": names[k], "type": ty, "count": len(merged_arts[k])}
                   for k in ranked[: config.story_entities])
    return out, names


def get_story(store: Store, story_id: int | str, *, config: StoryConfig = DEFAULT) -> dict[str, Any] | None:
    """A story told in full (see the module docstring for the shape), or ``None`` for an unknown id.

    A story merged into another answers with the surviving story (``id`` says which).
    """
    sid = _story_id(story_id)
    if sid is None:
        return None
    index = StoryIndex(store)
    sid = index.resolve(sid)
    if sid is None:
        return None
    row = index.summary_row(sid)
    if row is None or not row[2]:
        return None
    story = _summary(index, row)
    # in real time: 09:15+02:00 comes before 08:00+00:00, which the stored strings' order would not say
    members = sorted(index.told_members(sid), key=lambda m: moment(m[1]))
    articles, groups, timeline = [], defaultdict(list), {}
    langs: Counter[str] = Counter()
    for aid, seen, cent_sum, cent_n, group, title, source, published, lang in members:
        articles.append({"id": aid, "title": title, "source": source, "published": published, "seen": seen,
                         "similarity": round(cent_sum / cent_n, 3) if cent_n else None})
        groups[group].append(aid)
        langs[lang or ""] += 1
        t = timeline.setdefault(source, {"source": source, "first_seen": seen, "last_seen": seen, "count": 0})
        t["last_seen"] = seen  # members come in time order
        t["count"] += 1
    if members:
        story["first_seen"], story["last_seen"] = members[0][1], members[-1][1]
    lang = langs.most_common(1)[0][0] or None if langs else None

    analysed: list[tuple[str, str | None, list[Mention], list[Statement]]] = []
    for a in articles:
        found = store.get_analysis(a["id"])
        if found is not None:
            analysed.append((a["id"], a["source"], found[0], found[1]))
    entities, names = _entities([(aid, ms) for aid, _, ms, _ in analysed], config)
    statements = merge_statements(
        [(aid, src, s) for aid, src, _, ss in analysed for s in ss], lang, names=names,
        people=[entity_key(m.entity or m.text) for _, _, ms, _ in analysed for m in ms if m.type == "PERS"],
        config=config,
    )
    story.update({
        "articles": articles,
        "copies": [g for g in groups.values() if len(g) > 1],
        "entities": entities,
        "statements": statements,
        "timeline": sorted(timeline.values(), key=lambda t: (moment(t["first_seen"]), t["source"] or "")),
    })
    return story
