"""A page per actor: one person's or organisation's names, stories, statements, company and volume.

Shape (``khabar entity NAME --json``, ``/api/entities/{name}``)::

    {"entity", "type", "names", "stories", "statements", "with", "by_day"}

``entity`` is the name as the articles wrote it (the most used spelling of what was asked),
``names`` every spelling (most used first), ``stories`` its stories newest first (the list shape
of ``khabar stories`` plus ``articles``: how many of the story's articles name it),
``statements`` everything it said in time order, the same statement from several outlets once
(``{"speaker", "role", "stance", "text", "outlets", "articles", "first_seen", "stories"}``: a
denial timeline), ``with`` the people and organisations named beside it (``{"entity", "type",
"count"}``, ``count`` = articles), and ``by_day`` its articles per day (``{"day", "count"}``).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from khabar.follow import entities as ent
from khabar.store import entities as db
from khabar.store.db import Store
from khabar.store.stories import StoryIndex
from khabar.stories.telling import merge_statements, moment
from khabar.text.dates import parse_day
from khabar.types import Statement

#: Actors listed beside one entity: the page is for the actor, its company is a pointer.
WITH_SHOWN = 15
_ACTOR_TYPES = ("PERS", "ORG")


def entity_page(store: Store, name: str, *, catch_up: bool = True) -> dict[str, Any] | None:
    """The page of the actor ``name`` (any spelling), or ``None`` when no article names it.

    ``catch_up`` first posts analysed articles not posted yet (a write; the server does it under its
    write lock and passes ``False``)."""
    key = ent.key_of(name)
    if not key:
        return None
    if catch_up:
        ent.catch_up(store)
    hits = db.postings(store, key)
    if not hits:
        return None
    arts: dict[str, dict[str, Any]] = {}
    for h in hits:
        arts.setdefault(h["article_id"], h)
    everything = db.article_postings(store, arts)
    pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for aid, k, _t, _f, c, _n in everything:
        pairs[aid].append((k, c))
    alias = {aid: ent.aliases(key, pairs[aid]) for aid in arts}
    own = [p for p in everything if p[4] in alias[p[0]]]
    # the page's name: the most used spelling of what was asked (حمزة بيرقدار, not its short بيرقدار)
    exact = [h for h in hits if ent.key_of(h["form"]) == key] or hits
    asked: Counter[str] = Counter()
    for h in exact:
        asked[h["form"]] += h["n"]
    forms: Counter[str] = Counter()
    for _aid, _k, _t, f, _c, n in own:
        forms[f] += n
    types: Counter[str] = Counter()
    for h in hits:
        types[h["type"]] += h["n"]
    return {
        "entity": asked.most_common(1)[0][0],
        "type": types.most_common(1)[0][0],
        "names": [f for f, _ in sorted(forms.items(), key=lambda x: (-x[1], x[0]))],
        "stories": _stories(store, arts),
        "statements": _statements(store, arts, alias, everything, asked.most_common(1)[0][0]),
        "with": _company(everything, alias),
        "by_day": _by_day(arts),
    }


def _seen(h: dict[str, Any]) -> str | None:
    return h["seen"] or h["published"] or h["ingested"]


def _stories(store: Store, arts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    index = StoryIndex(store)
    counts: Counter[int] = Counter()
    for h in arts.values():
        sid = db.resolve_story(store, h["story_id"])
        if sid is not None:
            counts[sid] += 1
    rows = index.find(among=list(counts), limit=len(counts)) if counts else []
    return [{"id": sid, "headline": headline, "size": size, "sources": index.sources(sid),
             "first_seen": first, "last_seen": last, "articles": counts[sid]}
            for sid, headline, size, first, last in rows]


def _statements(store: Store, arts: dict[str, dict[str, Any]], alias: dict[str, set[str]],
                everything: list[tuple], display: str) -> list[dict[str, Any]]:
    people: dict[str, list[str]] = defaultdict(list)
    for aid, _k, t, _f, c, _n in everything:
        if t == "PERS":
            people[aid].append(c)
    said: list[tuple[str, str | None, Statement]] = []
    stored = db.statements_json(store, arts)
    for aid in sorted(arts, key=lambda a: (moment(_seen(arts[a])), a)):
        for s in (Statement(**d) for d in json.loads(stored.get(aid) or "[]")):
            if ent.speaks_as(s.speaker, alias[aid], sorted(set(people[aid]))):
                said.append((aid, arts[aid]["source"], s))
    names = {ent.key_of(s.speaker): display for _, _, s in said if s.speaker}
    merged = merge_statements(said, names=names, people=[k for a in alias.values() for k in a])
    for m in merged:
        m["speaker"] = display  # every one of them is this actor's, however the article named it
        seen = sorted((_seen(arts[a]) for a in m["articles"] if _seen(arts[a])), key=moment)
        m["first_seen"] = seen[0] if seen else None
        m["stories"] = sorted({sid for a in m["articles"]
                               if (sid := db.resolve_story(store, arts[a]["story_id"])) is not None})
    return sorted(merged, key=lambda m: moment(m["first_seen"]))


def _company(everything: list[tuple], alias: dict[str, set[str]]) -> list[dict[str, Any]]:
    """People and organisations in the same articles (not the actor itself), by articles naming them."""
    arts: dict[tuple[str, str], set[str]] = defaultdict(set)
    forms: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for aid, k, t, f, c, n in everything:
        if t in _ACTOR_TYPES and c not in alias[aid] and k == c:
            arts[(c, t)].add(aid)
            forms[(c, t)][f] += n
    # two canonical names written alike (جيش الإسلام inside هيئة أركان جيش الإسلام) are one line
    shown: dict[tuple[str, str], set[str]] = defaultdict(set)
    weight: Counter[tuple[str, str]] = Counter()
    for (c, t), ids in arts.items():
        name = (forms[(c, t)].most_common(1)[0][0], t)
        shown[name] |= ids
        weight[name] += sum(forms[(c, t)].values())
    ranked = sorted(shown, key=lambda nt: (-len(shown[nt]), -weight[nt], nt))
    return [{"entity": n, "type": t, "count": len(shown[(n, t)])} for n, t in ranked[:WITH_SHOWN]]


def _by_day(arts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    days: Counter[str] = Counter()
    for h in arts.values():
        day = parse_day(_seen(h))
        if day is not None:
            days[day.isoformat()] += 1
    return [{"day": d, "count": days[d]} for d in sorted(days)]
