"""What a feed URL answered, as a list of pages: RSS and Atom (feedparser), sitemaps, news sitemaps
and sitemap indexes (lxml, with entities and network access off), plain-text sitemaps, and an HTML
page's links to its feeds (trafilatura's feed discovery).

>>> xml = b'''<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
... <url><loc>http://a.example/1</loc><lastmod>2026-11-30</lastmod></url></urlset>'''
>>> found = parse_listing(xml, "http://a.example/sitemap.xml")
>>> found.kind, [(p.url, p.modified) for p in found.pages]
('sitemap', [('http://a.example/1', '2026-11-30')])
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree
from trafilatura.feeds import FeedParameters, determine_feed

from khabar.read.decode import DecodeError, decode
from khabar.read.formats import MAX_BYTES
from khabar.text.dates import iso_date, parse_when

__all__ = ["Listing", "ListingError", "Page", "parse_listing", "when"]

#: Pages one listing yields at most: the sitemap protocol's own limit is 50,000 URLs a file.
MAX_ENTRIES = 50_000
_GZIP = b"\x1f\x8b"
_HEAD = 4096


class ListingError(ValueError):
    """The body is no feed, sitemap or HTML page, or is malformed (the message says how)."""


@dataclass
class Page:
    """A page a listing names, with its dates as the listing gives them (ISO 8601)."""

    url: str
    modified: str | None = None
    published: str | None = None


@dataclass
class Listing:
    """``kind``: ``rss``/``atom`` (feeds), ``sitemap``, ``sitemap index``, or ``html`` (a page whose
    feed links are ``children``); ``children`` are the sitemaps an index lists, read in turn."""

    kind: str
    pages: list[Page] = field(default_factory=list)
    children: list[str] = field(default_factory=list)


def when(value: object) -> str | None:
    """A listing's date as ISO 8601, or None when it is no date (never the text as given)."""
    iso = iso_date(value) if isinstance(value, str) and value.strip() else None
    return iso if iso and parse_when(iso) is not None else None


def parse_listing(body: bytes, url: str, content_type: str = "", max_bytes: int = MAX_BYTES) -> Listing:
    """The pages (or further listings) that ``body``, fetched from ``url``, names."""
    if body.startswith(_GZIP):  # sitemap.xml.gz, served as a file rather than with Content-Encoding
        body = _gunzip(body, max_bytes)
    head = body[:_HEAD].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        raise ListingError("empty answer")
    if b"<urlset" in head or b"<sitemapindex" in head:
        return _sitemap(body, url)
    if b"<html" in head or b"<!doctype html" in head:
        return _html(body, url, content_type)
    if head.startswith((b"http://", b"https://")):
        return _text_sitemap(body, url)
    return _feed(body, url, content_type)


def _gunzip(body: bytes, max_bytes: int) -> bytes:
    try:
        z = zlib.decompressobj(31)
        out = z.decompress(body, max_bytes + 1)
    except zlib.error as e:
        raise ListingError(f"bad gzip data: {e}") from e
    if len(out) > max_bytes:
        raise ListingError(f"over {max_bytes // 1024 // 1024} MB once decompressed")
    return out


def _http(link: str, base: str) -> str | None:
    """``link`` made absolute against ``base``, if it is an http(s) URL."""
    link = link.strip()
    if not link:
        return None
    try:
        absolute = urljoin(base, link)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    return absolute if parts.scheme in ("http", "https") and parts.hostname else None


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _sitemap(body: bytes, url: str) -> Listing:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as e:
        raise ListingError(f"malformed sitemap XML: {e}") from e
    index = _local(root) == "sitemapindex"
    out = Listing("sitemap index" if index else "sitemap")
    for entry in root:
        fields_: dict[str, str] = {}
        for child in entry.iter():
            name = _local(child)
            if name in ("loc", "lastmod", "publication_date") and child.text and name not in fields_:
                fields_[name] = child.text
        link = _http(fields_.get("loc", ""), url)
        if link is None:
            continue
        if index:
            out.children.append(link)
        else:
            out.pages.append(Page(link, when(fields_.get("lastmod")), when(fields_.get("publication_date"))))
        if len(out.pages) + len(out.children) >= MAX_ENTRIES:
            break
    return out


def _text_sitemap(body: bytes, url: str) -> Listing:
    """The protocol's text form: one URL a line, UTF-8."""
    try:
        text = decode(body, url)
    except DecodeError as e:
        raise ListingError(str(e)) from e
    lines = (line.strip() for line in text.splitlines()[:MAX_ENTRIES])
    # absolute URLs only: the protocol's form, and a stray word is no page
    pages = [Page(link) for line in lines if line.startswith(("http://", "https://")) and not any(
        c.isspace() for c in line) and (link := _http(line, url))]
    return Listing("sitemap", pages=pages)


def _feed(body: bytes, url: str, content_type: str) -> Listing:
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    version = parsed.get("version") or ""
    pages = []
    for entry in parsed.entries[:MAX_ENTRIES]:
        link = _http(entry.get("link") or "", url)
        if link is None:
            continue
        # an entry never updated was last modified when published; dict.get, since feedparser's own
        # get() makes that fallback too but warns that it will stop doing so
        published = dict.get(entry, "published")
        pages.append(Page(link, when(dict.get(entry, "updated") or published), when(published)))
    if not pages and (parsed.get("bozo") or not version):
        why = parsed.get("bozo_exception")
        raise ListingError(f"not a feed or sitemap ({type(why).__name__}: {why})" if why
                           else "not a feed or sitemap")
    return Listing("atom" if version.startswith("atom") else "rss", pages=pages)


def _html(body: bytes, url: str, content_type: str) -> Listing:
    """An HTML page given as a feed URL: the feeds it links to (``<link rel="alternate">``)."""
    charset = content_type.partition("charset=")[2].strip(" \"';") or None
    try:
        text = decode(body, url, charset)
    except DecodeError as e:
        raise ListingError(str(e)) from e
    host = urlsplit(url).hostname or ""
    feeds = [link for f in determine_feed(text, FeedParameters(url, host, url)) if (link := _http(f, url))]
    if not feeds:
        raise ListingError("an HTML page that links to no feed")
    return Listing("html", children=feeds[:10])
