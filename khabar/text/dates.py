"""Dates: one parser for every date khabar reads, stores, clusters on or shows.

Input dates come in many forms (ISO 8601, RFC 2822 from feeds and WARC headers, day/month/year);
:func:`iso_date` turns them into ISO 8601 once, when an article is read, keeping the time and zone
where the source gave them. Everything after that parses only ISO 8601, with :func:`parse_when`.

>>> iso_date("Wed, 21 Mar 2018 09:15:00 +0200")
'2018-03-21T09:15:00+02:00'
>>> iso_date("21/03/2018")
'2018-03-21'
>>> parse_when("2018-03-21T09:15:00Z")
datetime.datetime(2018, 3, 21, 9, 15, tzinfo=datetime.timezone.utc)
>>> parse_day("2018-03-21 garbage")
datetime.date(2018, 3, 21)
"""

from __future__ import annotations

import email.utils
from datetime import UTC, date, datetime
from typing import Any

__all__ = ["as_aware", "has_time", "iso_date", "parse_day", "parse_when"]

_DATE_FORMATS = (
    ("%Y/%m/%d", True),
    ("%d/%m/%Y", True),
    ("%d-%m-%Y", True),
    ("%d.%m.%Y", True),
    ("%Y-%m-%d %H:%M", False),
    ("%Y/%m/%d %H:%M", False),
    ("%Y/%m/%d %H:%M:%S", False),
    ("%d/%m/%Y %H:%M", False),
    ("%d/%m/%Y %H:%M:%S", False),
    ("%B %d, %Y", True),
    ("%b %d, %Y", True),
    ("%d %B %Y", True),
    ("%d %b %Y", True),
)


def iso_date(value: Any) -> str | None:
    """``value`` as ISO 8601 (a date, or a datetime when it has a time) where parseable, else as given.

    Hand-written because dateutil is not a dependency; covers ISO, RFC 2822 and a few common forms.
    """
    if value is None:
        return None
    s = " ".join(str(value).split())
    if not s:
        return None
    try:
        return date.fromisoformat(s).isoformat() if len(s) <= 10 else datetime.fromisoformat(s).isoformat()
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(s).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt, date_only in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(s, fmt)
        except ValueError:
            continue
        return parsed.date().isoformat() if date_only else parsed.isoformat()
    return s


def parse_when(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as a datetime (naive when the value has no zone), else None.

    A value that is not ISO 8601 as a whole but starts with a date (``2018-03-21 …``) gives that day
    at midnight. Hand-written: the standard library parses ISO 8601, this only adds the fallback.
    """
    if not value:
        return None
    v = value.strip()
    try:
        return datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        try:
            return datetime.combine(date.fromisoformat(v[:10]), datetime.min.time())
        except ValueError:
            return None


def as_aware(when: datetime) -> datetime:
    """``when`` with a zone: UTC when it has none (for comparing dates from different sources)."""
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_day(value: str | None) -> date | None:
    """The calendar day of an ISO 8601 date or datetime (as the source wrote it), else None."""
    when = parse_when(value)
    return when.date() if when is not None else None


def has_time(value: str | None) -> bool:
    """Whether an ISO 8601 value carries a time of day (more than ``YYYY-MM-DD``)."""
    return bool(value) and len(value.strip()) > 10
