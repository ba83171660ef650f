"""What two articles share, as evidence for a comparison: entities, dates and numbers, quotes, passages.

The shapes are those of ``khabar compare --json`` (``evidence``) and of the HTTP API.

>>> from khabar.compare.background import Background
>>> from khabar.compare.profile import build_profile
>>> from khabar.types import Article
>>> a = Article(id="a", title="", text="قتل 15 شخصا في 27 يناير 2020 في دمشق", raw="")
>>> p = build_profile(a, Background.empty())
>>> ev = evidence(p, p)
>>> [d["value"] for d in ev["shared_dates"]], ev["shared_numbers"]
(['01-27', '2020'], [{'value': '15', 'a': '15', 'b': '15'}])
"""

from __future__ import annotations

from typing import Any

from khabar.compare import features as F
from khabar.compare.align import align
from khabar.compare.config import DEFAULT
from khabar.compare.profile import Profile

# Evidence names people, organisations and places; MISC mentions (events, titles) are too loose.
_NAMED = {"PERS", "ORG", "LOC"}


def _entity_evidence(p1: Profile, p2: Profile) -> list[dict[str, Any]]:
    if p1.entities is None or p2.entities is None:
        return []
    out = []
    for k1, k2 in F.match_entities(p1.entities, p2.entities):
        e1, e2 = p1.entities[k1], p2.entities[k2]
        if e1.type not in _NAMED and e2.type not in _NAMED:
            continue
        name = F.shared_name(e1, e2)
        typ = e1.type if e1.type in _NAMED else e2.type
        out.append({"entity": name, "type": typ, "a": list(e1.surfaces), "b": list(e2.surfaces),
                    "_n": e1.count + e2.count})
    out.sort(key=lambda d: (-d["_n"], d["entity"]))
    for d in out:
        del d["_n"]
    return out


def _figure_evidence(p1: Profile, p2: Profile) -> dict[str, list[dict[str, str]]]:
    n1, n2 = p1.numbers, p2.numbers
    out: dict[str, list[dict[str, str]]] = {}
    for name, s1, s2 in (("dates", n1.dates, n2.dates), ("years", n1.years, n2.years),
                         ("numbers", n1.numbers, n2.numbers)):
        out[name] = [{"value": v, "a": n1.surfaces.get(v, v), "b": n2.surfaces.get(v, v)}
                     for v in sorted(s1 & s2)]
    return out


def _quote_evidence(p1: Profile, p2: Profile) -> list[dict[str, Any]]:
    if not p1.quotes or not p2.quotes:
        return []
    out = []
    for i, j, ov in F.match_quotes(p1.quotes, p2.quotes):
        qa, qb = p1.quotes[i], p2.quotes[j]
        out.append({
            "a": {"speaker": qa.speaker, "text": qa.text, "start": qa.start, "end": qa.end},
            "b": {"speaker": qb.speaker, "text": qb.text, "start": qb.start, "end": qb.end},
            "overlap": round(ov, 3),
        })
    return out


def evidence(p1: Profile, p2: Profile, passages: int = DEFAULT.passages) -> dict[str, Any]:
    """What the two articles share: entities, dates and numbers, quotes, and the best-aligned passages."""
    figures = _figure_evidence(p1, p2)
    return {
        "shared_entities": _entity_evidence(p1, p2),
        "shared_dates": figures["dates"] + figures["years"],
        "shared_numbers": figures["numbers"],
        "shared_quotes": _quote_evidence(p1, p2),
        "passages": [p.to_dict() for p in align(p1, p2, k=passages)],
    }
