"""Highlighted article text: escaped first, then wrapped in ``<mark>`` (entities, passages, quotes).

Scraped text is hostile, so the markup is built from escaped pieces only.

>>> str(highlight("a<b c", [(4, 5, "entity", "")]))
'a&lt;b <mark class="hl hl-entity">c</mark>'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from markupsafe import Markup, escape

from khabar.serve.format import entity_label


def highlight(text: str, spans: Iterable[tuple[int, int, str, str]]) -> Markup:
    """``text`` escaped, with ``<mark>`` around each span ``(start, end, kind, label)``.

    ``kind`` is a CSS class suffix from a fixed set (``passage``, ``entity``, ``PERS`` …);
    ``label`` goes into the ``title`` attribute (escaped). Passage kinds look like ``passage:3``
    and put the number before the passage so the two columns can be read against each other.
    Overlapping spans split the text into segments, each wrapped once with all of its classes.
    """
    n = len(text)
    clean = [(max(0, s), min(n, e), k, lbl) for s, e, k, lbl in spans if 0 <= s < e and s < n]
    if not clean:
        return Markup(escape(text))
    cuts = sorted({0, n, *(s for s, _, _, _ in clean), *(e for _, e, _, _ in clean)})
    starts: dict[int, list[int]] = {}
    for s, _, k, _ in clean:
        if k.startswith("passage:"):
            starts.setdefault(s, []).append(int(k.split(":", 1)[1]))
    out: list[str] = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        for num in sorted(starts.get(lo, [])):
            out.append(f'<sup class="pnum">{num:d}</sup>')
        piece = escape(text[lo:hi])
        active = [(k, lbl) for s, e, k, lbl in clean if s <= lo and hi <= e]
        out.append(_mark(piece, active) if active else str(piece))
    return Markup("".join(out))


def _mark(piece: Markup, active: list[tuple[str, str]]) -> str:
    """One segment wrapped once, with the classes, passage numbers and labels of every span over it."""
    classes, passages, labels = [], [], []
    for k, lbl in active:
        if k.startswith("passage:"):
            classes.append("hl-passage")
            passages.append(k.split(":", 1)[1])
        else:
            classes.append("hl-" + re.sub(r"[^A-Za-z]", "", k))
        if lbl:
            labels.append(lbl)
    attrs = f' class="hl {" ".join(sorted(set(classes)))}"'
    if passages:
        attrs += f' data-p="{" ".join(sorted(set(passages)))}"'
    if labels:
        attrs += f' title="{escape(" · ".join(dict.fromkeys(labels)))}"'
    return f"<mark{attrs}>{piece}</mark>"


def _occurrences(text: str, needle: str) -> Iterator[tuple[int, int]]:
    if len(needle) < 2:
        return
    i = text.find(needle)
    while i >= 0:
        yield i, i + len(needle)
        i = text.find(needle, i + len(needle))


def compare_spans(text: str, cmp: dict[str, Any], side: str) -> list[tuple[int, int, str, str]]:
    """The highlight spans of one side (``"a"`` or ``"b"``) of a comparison: aligned passages by
    their offsets (re-found by text when an offset does not fit) and every occurrence of the shared
    entities' surface forms."""
    ev = cmp.get("evidence") or {}
    spans: list[tuple[int, int, str, str]] = []
    for num, p in enumerate(ev.get("passages") or [], start=1):
        part = p.get(side) or {}
        s, e, ptext = part.get("start"), part.get("end"), part.get("text") or ""
        if not (isinstance(s, int) and isinstance(e, int) and text[s:e] == ptext) and ptext:
            found = text.find(ptext)
            s, e = (found, found + len(ptext)) if found >= 0 else (s, e)
        if isinstance(s, int) and isinstance(e, int):
            score = p.get("score")
            label = f"مقطع {num}" + (f" (تقارب {score:.2f})" if isinstance(score, int | float) else "")
            spans.append((s, e, f"passage:{num}", label))
    for q in ev.get("shared_quotes") or []:
        part = q.get(side) or {}
        if isinstance(part.get("start"), int) and isinstance(part.get("end"), int):
            who = part.get("speaker")
            spans.append((part["start"], part["end"], "quote", f"قول مشترك{f' — {who}' if who else ''}"))
    for fig in (ev.get("shared_dates") or []) + (ev.get("shared_numbers") or []):
        form = fig.get(side) if isinstance(fig, dict) else None
        if isinstance(form, str):
            for s, e in _occurrences(text, form):
                spans.append((s, e, "figure", "رقم أو تاريخ مشترك"))
    for ent in ev.get("shared_entities") or []:
        label = entity_label(ent)
        for form in sorted(set(ent.get(side) or []), key=len, reverse=True):
            for s, e in _occurrences(text, str(form)):
                spans.append((s, e, "entity", label))
    return spans
