"""Listings: RSS, Atom, sitemaps (news, index, gzip, text), HTML feed discovery, and bad input."""

from __future__ import annotations

import gzip

import pytest

from khabar.fetch.feeds import ListingError, parse_listing, when

BASE = "http://127.0.0.1:8000/feed.xml"


def test_rss_links_resolve_against_the_feed_and_keep_their_dates():
    rss = ('<?xml version="1.0" encoding="windows-1256"?><rss version="2.0"><channel><title>t</title>'
           "<item><title>\u062e\u0628\u0631</title><link>/a/1</link>"
           "<pubDate>Mon, 23 Nov 2026 11:42:41 +0300</pubDate></item>"
           "<item><link>javascript:alert(1)</link></item><item><title>no link</title></item>"
           "</channel></rss>").encode("cp1256")
    found = parse_listing(rss, BASE)
    assert found.kind == "rss"
    assert [(p.url, p.published) for p in found.pages] == [("http://127.0.0.1:8000/a/1", "2026-11-23T11:42:41+03:00")]


def test_atom_feed():
    atom = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><title>a</title>'
            '<link rel="alternate" href="https://x.example/1"/><updated>2026-11-23T08:00:00Z</updated></entry></feed>')
    found = parse_listing(atom.encode(), BASE)
    assert found.kind == "atom" and [(p.url, p.modified) for p in found.pages] == [
        ("https://x.example/1", "2026-11-23T08:00:00+00:00")]


def test_news_sitemap_and_index_and_gzip_and_text_forms():
    news = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc> http://x.example/n1 </loc>'
            b"<lastmod>not a date</lastmod><news:news><news:publication_date>2026-11-23T08:00:00+03:00"
            b"</news:publication_date></news:news></url></urlset>")
    page = parse_listing(news, BASE).pages[0]
    assert (page.url, page.modified, page.published) == ("http://x.example/n1", None, "2026-11-23T08:00:00+03:00")
    index = b'<sitemapindex><sitemap><loc>/s1.xml.gz</loc></sitemap><sitemap><loc>/s2.xml</loc></sitemap></sitemapindex>'
    found = parse_listing(gzip.compress(index), BASE)
    assert (found.kind, found.children) == ("sitemap index", ["http://127.0.0.1:8000/s1.xml.gz",
                                                              "http://127.0.0.1:8000/s2.xml"])
    text = parse_listing(b"http://x.example/1\n\nhttps://x.example/2\nnot a url\n", BASE)
    assert [p.url for p in text.pages] == ["http://x.example/1", "https://x.example/2"]


def test_html_page_gives_its_feeds():
    html = (b'<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
            b"</head><body></body></html>")
    assert parse_listing(html, BASE).children == ["http://127.0.0.1:8000/rss.xml"]
    with pytest.raises(ListingError, match="links to no feed"):
        parse_listing(b"<!DOCTYPE html><html><body>nothing</body></html>", BASE)


@pytest.mark.parametrize("body, message", [
    (b"", "empty"),
    (b"   ", "empty"),
    (b'<?xml version="1.0"?><urlset><url><loc>http://x/1</loc></ur', "malformed sitemap XML"),
    (b'<?xml version="1.0"?><rss><channel><item><title>x</ti', "not a feed"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not a feed"),
    (b"\x1f\x8bnot gzip at all", "bad gzip"),
])
def test_bad_listings_raise_a_clear_error(body, message):
    with pytest.raises(ListingError, match=message):
        parse_listing(body, BASE)


def test_a_gzip_bomb_is_cut_at_the_cap():
    with pytest.raises(ListingError, match="decompressed"):
        parse_listing(gzip.compress(b"<urlset>" + b" " * 2_000_000), BASE, max_bytes=1_000_000)


def test_external_entities_are_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("http://leak.example/secret")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY e SYSTEM "file://{secret}">]>'
           '<urlset><url><loc>&e;</loc></url><url><loc>http://x.example/ok</loc></url></urlset>').encode()
    assert [p.url for p in parse_listing(xxe, BASE).pages] == ["http://x.example/ok"]


def test_when_returns_dates_only():
    assert when("2026-11-23") == "2026-11-23" and when("soon") is None and when(None) is None and when(" ") is None
