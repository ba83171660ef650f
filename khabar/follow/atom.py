"""The alert matches as an Atom 1.0 feed (RFC 4287) any feed reader can follow.

Built with ElementTree, so every text is escaped; characters XML 1.0 forbids (controls, lone
surrogates from a hostile page) are dropped from what is shown, never from what is stored.

>>> xml = atom_feed([{"id": 1, "alert": "g", "article": "a1", "story": 2, "matched": {"words": "x"},
...                   "at": "2026-01-01T00:00:00+00:00", "title": "t\\x01", "url": None, "source": "s"}],
...                 "http://h")
>>> b"<title>[g] t</title>" in xml
True
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import quote

from khabar.follow.shape import now_iso

ATOM = "http://www.w3.org/2005/Atom"
# what XML 1.0 cannot carry: C0 controls but tab/newline/return, lone surrogates, U+FFFE/U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


def _sub(parent: ET.Element, tag: str, text: Any = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _text(text)
    return el


def _summary(m: dict[str, Any]) -> str:
    got = m["matched"] or {}
    parts = []
    if got.get("words"):
        parts.append(f"الكلمات: {got['words']}")
    if got.get("entity"):
        parts.append(f"الاسم: {got['entity']}")
    if st := got.get("statement"):
        parts.append(f"{st.get('speaker') or ''} ({'ينفي' if st.get('stance') == 'denies' else 'يؤكد'}): {st.get('text')}")
    return " — ".join(parts) + (f" — {m['source']}" if m.get("source") else "")


def atom_feed(rows: list[dict[str, Any]], base: str) -> bytes:
    """The feed of ``rows`` (:func:`khabar.follow.alerts.feed_rows`, newest first); ``base`` is the
    server's URL, for the links to each article's page."""
    base = base.rstrip("/")
    feed = ET.Element("feed", {"xmlns": ATOM})
    _sub(feed, "id", f"{base}/alerts.atom")
    _sub(feed, "title", "خبر — التنبيهات")
    _sub(feed, "updated", rows[0]["at"] if rows else now_iso())
    _sub(feed, "link", rel="self", href=f"{base}/alerts.atom", type="application/atom+xml")
    _sub(_sub(feed, "author"), "name", "khabar")
    for m in rows:
        entry = _sub(feed, "entry")
        # permanent whatever host the feed is read through: one entry per (alert, article), as matches are
        _sub(entry, "id", f"urn:khabar:alert:{quote(m['alert'], safe='')}:{quote(m['article'], safe='')}")
        _sub(entry, "title", f"[{m['alert']}] {m.get('title') or m['article']}")
        _sub(entry, "updated", m["at"])
        _sub(entry, "link", rel="alternate", type="text/html", href=f"{base}/article/{quote(m['article'])}")
        if m.get("story") is not None:
            _sub(entry, "link", rel="related", type="text/html", href=f"{base}/story/{int(m['story'])}")
        if m.get("url") and str(m["url"]).startswith(("http://", "https://")):
            _sub(entry, "link", rel="via", href=m["url"])
        if m.get("source"):
            _sub(_sub(entry, "author"), "name", m["source"])
        _sub(entry, "summary", _summary(m))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
