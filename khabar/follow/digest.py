"""The digest: the top stories of a period with their outlets and key statements, as Markdown or HTML.

For a morning email: :func:`build` ranks the stories that moved in the period as the front page
does (:func:`khabar.store.browse.moving_stories`: distinct outlets in the period, then growth over
the period before), and gives each its outlets and the statements most widely carried — who said
or denied what. :func:`markdown` and :func:`html` render it; the HTML is one self-contained
right-to-left file (inline CSS, no script, nothing fetched), every value escaped by Jinja2.

>>> from datetime import datetime, UTC
>>> now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
>>> parse_since("24h", now).isoformat(), parse_since("2026-03-01", now).isoformat()
('2026-03-01T08:00:00+00:00', '2026-03-01T00:00:00+00:00')
>>> md_escape("*عاجل* <b>")
'\\\\*عاجل\\\\* \\\\<b\\\\>'
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2

from khabar.store.db import Store
from khabar.text.dates import as_aware, parse_when

__all__ = ["MAX_PERIOD", "articles_ar", "base_link", "build", "counted_ar", "growth_ar", "outlets_ar", "html", "markdown", "md_escape", "parse_since"]

#: The longest period a digest covers: ten years; a longer one is a typo (``24000h``), not a digest.
MAX_PERIOD = timedelta(days=3653)
#: Stories in a digest: a morning email is read in minutes.
TOP = 10
#: Statements shown per story: the most widely carried, enough to say who said and denied what.
STATEMENTS = 3
#: A statement longer than this is cut, with an ellipsis, in the rendered digest (the JSON keeps it whole).
QUOTE_CHARS = 300

_DURATION = re.compile(r"(\d{1,7})\s*([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# Markdown's inline syntax characters, and &, each shown literally with a backslash (CommonMark).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&!])")

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True)


def parse_since(value: str, now: datetime) -> datetime:
    """The start of the period: a duration back from ``now`` (``90m``, ``24h``, ``7d``, ``2w``) or an
    ISO 8601 date or date-time (no zone: UTC). :class:`ValueError` for anything else, a period over
    :data:`MAX_PERIOD` or a start after ``now``."""
    text = value.strip().lower()
    m = _DURATION.fullmatch(text)
    if m:
        span = timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
        if not span or span > MAX_PERIOD:
            raise ValueError(f"{value!r}: the period must be more than 0 and at most {MAX_PERIOD.days} days")
        return now - span
    when = parse_when(value) if re.fullmatch(r"\d{4}-\d\d-\d\d([T ][0-9:.]+([+-]\d\d:?\d\d|Z)?)?", text, re.I) else None
    if when is None:
        raise ValueError(f"{value!r} is neither a duration (90m, 24h, 7d, 2w) nor an ISO date (2026-03-01)")
    start = as_aware(when)
    if start > now or now - start > MAX_PERIOD:
        raise ValueError(f"{value!r}: the start must be in the past, at most {MAX_PERIOD.days} days ago")
    return start


def _key_statements(statements: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """The statements with a known speaker carried by the most outlets (a denial first among equals)."""
    known = [s for s in statements if s.get("speaker")]
    ranked = sorted(known, key=lambda s: (-len(s["outlets"]), s["stance"] != "denies"))
    # each speaker's best statement before anyone's second: a digest says who spoke, not one voice thrice
    seen: set[str] = set()
    firsts = [s for s in ranked if not (s["speaker"] in seen or seen.add(s["speaker"]))]
    ranked = firsts + [s for s in ranked if s not in firsts]
    return [{k: s[k] for k in ("speaker", "role", "stance", "text", "outlets")} for s in ranked[:n]]


def build(store: Store, since: datetime, until: datetime | None = None, *, top: int = TOP,
          statements: int = STATEMENTS) -> dict[str, Any]:
    """The digest of the period from ``since`` to ``until`` (now): ``{since, until, stories: [{id,
    headline, size, sources, first_seen, last_seen, outlets_in_period, articles_in_period, growth,
    statements: [{speaker, role, stance, text, outlets}]}]}``, the story that moved most first."""
    from khabar.store.browse import moving_stories
    from khabar.stories.telling import get_story

    until = until or datetime.now(UTC)
    prior = since - (until - since)  # growth is measured against a period as long, just before
    rows = moving_stories(store, since=since.isoformat(), prior=prior.isoformat(), until=until.isoformat(),
                          recent_only=True, limit=top)
    out = []
    for r in rows:
        told = get_story(store, r["id"]) or {"statements": []}
        out.append({
            "id": r["id"], "headline": r["headline"], "size": r["size"], "sources": r["sources"],
            "first_seen": r["first_seen"], "last_seen": r["last_seen"], "outlets_in_period": r["recent_outlets"],
            "articles_in_period": r["recent"], "growth": r["recent"] - r["previous"],
            "statements": _key_statements(told["statements"], statements),
        })
    return {"since": since.isoformat(timespec="seconds"), "until": until.isoformat(timespec="seconds"),
            "stories": out}


def counted_ar(n: int, one: str, two: str, few: str, many: str) -> str:
    """``n`` with the Arabic noun in the form the number takes (مصدر واحد، مصدران، 3 مصادر، 11 مصدرًا).

    >>> counted_ar(1, "مصدر", "مصدران", "مصادر", "مصدرًا"), counted_ar(12, "مصدر", "مصدران", "مصادر", "مصدرًا")
    ('مصدر واحد', '12 مصدرًا')
    """
    if n == 1:
        return f"{one} واحد"
    if n == 2:
        return two
    return f"{n} {few}" if 3 <= n % 100 <= 10 else f"{n} {many}"


def outlets_ar(n: int) -> str:
    """``n`` outlets in Arabic."""
    return counted_ar(n, "مصدر", "مصدران", "مصادر", "مصدرًا")


def articles_ar(n: int) -> str:
    """``n`` articles in Arabic."""
    return counted_ar(n, "مقال", "مقالان", "مقالات", "مقالًا")


def growth_ar(n: int) -> str:
    """Growth over the period before, in words (a sign would drift in right-to-left text)."""
    return f"زيادة {n}" if n > 0 else (f"تراجع {-n}" if n < 0 else "بلا تغير")


def _cut(text: str | None) -> str:
    text = " ".join((text or "").split())  # one line: a newline in a quote must not start a Markdown block
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def md_escape(text: str | None) -> str:
    """Text shown literally in Markdown: on one line, each syntax character backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


_STANCE_AR = {"denies": "نفى", "asserts": "قال"}


def markdown(digest: dict[str, Any], base_url: str | None = None) -> str:
    """The digest as Markdown (Arabic headings; every text from the store escaped)."""
    lines = [f"# موجز الأخبار: {digest['since'][:16]} — {digest['until'][:16]}", ""]
    if not digest["stories"]:
        lines.append("لا قصص جديدة في هذه الفترة.")
    for i, st in enumerate(digest["stories"], 1):
        head = md_escape(st["headline"] or "(بلا عنوان)")
        if base := base_link(base_url):
            head = f"[{head}]({base}/story/{int(st['id'])})"
        lines += [f"## {i}. {head}", "",
                  f"{outlets_ar(st['outlets_in_period'])} في الفترة، {articles_ar(st['articles_in_period'])} "
                  f"({growth_ar(st['growth'])} عن الفترة السابقة)؛ المصادر: {md_escape('، '.join(st['sources']))}", ""]
        for s in st["statements"]:
            role = f" ({md_escape(s['role'])})" if s["role"] else ""
            lines.append(f"- **{md_escape(s['speaker'])}**{role} {_STANCE_AR.get(s['stance'], s['stance'])}: "
                         f"«{md_escape(_cut(s['text']))}» — {md_escape('، '.join(s['outlets']))}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def html(digest: dict[str, Any], base_url: str | None = None) -> str:
    """The digest as one self-contained right-to-left HTML file (autoescaped; links only for http(s))."""
    return _env.get_template("digest.html").render(d=digest, base=base_link(base_url), stance=_STANCE_AR, cut=_cut,
                                                   outlets=outlets_ar, articles=articles_ar, growth=growth_ar)


def base_link(base_url: str | None) -> str | None:
    """The server address stories link to, only when it is http(s) (never ``javascript:`` …)."""
    if base_url and re.fullmatch(r"https?://[^\s<>\"'()]+", base_url.strip(), re.IGNORECASE):
        return base_url.strip().rstrip("/")
    return None
