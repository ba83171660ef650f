"""The one date parser: ISO 8601 (zone kept), RFC 2822, day/month/year, and what is not a date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from khabar.text.dates import as_aware, has_time, iso_date, parse_day, parse_when


@pytest.mark.parametrize(
    ("given", "iso"),
    [
        # ISO 8601: a date stays a date, a time keeps its zone (or stays naive without one)
        ("2018-03-07", "2018-03-07"),
        ("2018-03-07T10:30:00+03:00", "2018-03-07T10:30:00+03:00"),
        ("2018-03-07T10:30:00Z", "2018-03-07T10:30:00+00:00"),
        ("2018-03-07 10:30", "2018-03-07T10:30:00"),
        ("  2018-03-07  ", "2018-03-07"),
        # RFC 2822 (feeds, WARC and HTTP headers)
        ("Wed, 07 Mar 2018 10:30:00 GMT", "2018-03-07T10:30:00+00:00"),
        ("Wed, 21 Mar 2018 09:15:00 +0200", "2018-03-21T09:15:00+02:00"),
        # day/month/year and named months
        ("07/03/2018", "2018-03-07"),
        ("07-03-2018", "2018-03-07"),
        ("07.03.2018", "2018-03-07"),
        ("2018/03/07", "2018-03-07"),
        ("07/03/2018 10:30", "2018-03-07T10:30:00"),
        ("March 7, 2018", "2018-03-07"),
        ("7 Mar 2018", "2018-03-07"),
        # not a date: kept as given, so nothing is lost; empty is no date
        ("الأربعاء 7 آذار", "الأربعاء 7 آذار"),
        ("yesterday", "yesterday"),
        ("31/02/2018", "31/02/2018"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_iso_date(given: str | None, iso: str | None) -> None:
    assert iso_date(given) == iso


def test_parse_when_keeps_the_zone_or_none():
    assert parse_when("2018-03-21T09:15:00+02:00") == datetime(2018, 3, 21, 9, 15, tzinfo=timezone(timedelta(hours=2)))
    assert parse_when("2018-03-21T09:15:00Z") == datetime(2018, 3, 21, 9, 15, tzinfo=UTC)
    assert parse_when("2018-03-21T09:15:00").tzinfo is None
    assert parse_when("2018-03-21") == datetime(2018, 3, 21)


@pytest.mark.parametrize("garbage", [None, "", "not a date", "21/03/2018", "2018-13-01", "Wed, 21 Mar 2018"])
def test_parse_when_of_garbage_is_none(garbage):
    assert parse_when(garbage) is None
    assert parse_day(garbage) is None


def test_parse_when_falls_back_to_a_leading_date():
    assert parse_when("2018-03-21 at noon") == datetime(2018, 3, 21)


def test_parse_day_is_the_day_as_the_source_wrote_it():
    # 23:30 at +03:00 is 20:30 UTC the same day, and 01:00 at +03:00 the day before in UTC: the day stays local
    assert parse_day("2018-03-21T01:00:00+03:00") == date(2018, 3, 21)
    assert parse_day(iso_date("Wed, 21 Mar 2018 23:30:00 +0300")) == date(2018, 3, 21)


def test_as_aware_and_has_time():
    naive = datetime(2018, 3, 21, 9, 15)
    assert as_aware(naive) == datetime(2018, 3, 21, 9, 15, tzinfo=UTC)
    zoned = datetime(2018, 3, 21, 9, 15, tzinfo=timezone(timedelta(hours=2)))
    assert as_aware(zoned) is zoned
    assert has_time("2018-03-21T09:15:00") and not has_time("2018-03-21")
    assert not has_time(None) and not has_time("")
