"""An HTML page's publication time read from its markup, time of day and zone kept (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from khabar.read.formats import read
from khabar.read.pagetime import published_time

BODY = ("<article><h1>عنوان الخبر</h1><p>قال المتحدث باسم الوزارة إن الاجتماع سيعقد في العاصمة صباح الغد "
        "لبحث الأوضاع الإنسانية في المنطقة بعد الزلزال.</p><p>وأضاف أن الوفود ستصل تباعاً خلال الليل، وأن "
        "جدول الأعمال يشمل المساعدات وإعادة الإعمار.</p></article>")


def page(head: str, body: str = "") -> str:
    return f"<!DOCTYPE html><html lang='ar'><head><meta charset='utf-8'><title>عنوان الخبر</title>{head}</head>" \
           f"<body>{body}{BODY}</body></html>"


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        ('<meta property="article:published_time" content="2023-02-06T09:15:00+02:00">', "",
         "2023-02-06T09:15:00+02:00"),
        # attribute order, single quotes, entities, other case
        ("<META content='2023-02-06T09:15:00&#43;02:00' PROPERTY='og:published_time'>", "",
         "2023-02-06T09:15:00+02:00"),
        ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2023-02-06T07:15:00Z",'
         ' "dateModified": "2023-02-07T10:00:00Z"}</script>', "", "2023-02-06T07:15:00+00:00"),
        ('<meta itemprop="datePublished" content="2023-02-06T09:15">', "", "2023-02-06T09:15:00"),
        ("", '<p>نشر في <time class="d" datetime="2023-02-06T09:15:00+03:00">6 فبراير</time></p>',
         "2023-02-06T09:15:00+03:00"),
        # article:published_time wins over a later <time> (a related article's)
        ('<meta property="article:published_time" content="2023-02-06T09:15:00+02:00">',
         '<time datetime="2021-01-01T00:00:00Z"></time>', "2023-02-06T09:15:00+02:00"),
        # placeholders and garbage are no date; the next source is asked
        ('<meta property="article:published_time" content="0000-00-00T00:00:00">'
         '<meta property="og:published_time" content="yesterday">', '<time datetime="2023-02-06">', "2023-02-06"),
        ('<meta property="article:published_time" content="">', "", None),
    ],
)
def test_published_time_from_markup(head: str, body: str, expected: str | None) -> None:
    assert published_time(page(head, body)) == expected


def test_an_html_pages_published_time_is_kept_with_its_zone(tmp_path: Path) -> None:
    (tmp_path / "p.html").write_text(
        page('<meta property="article:published_time" content="2023-02-06T09:15:00+02:00">'), encoding="utf-8")
    [doc] = read(tmp_path / "p.html")
    assert doc.published == "2023-02-06T09:15:00+02:00"  # trafilatura alone answers 2023-02-06


def test_without_a_time_in_the_markup_trafilaturas_date_is_used(tmp_path: Path) -> None:
    (tmp_path / "p.html").write_text(
        page('<meta name="date" content="2023-02-06">'), encoding="utf-8")
    [doc] = read(tmp_path / "p.html")
    assert doc.published == "2023-02-06"
