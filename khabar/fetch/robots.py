"""robots.txt, read with Protego (Google's rules: wildcards, ``$``, longest match wins), one per
origin, kept a day as RFC 9309 allows.

What an answer means follows RFC 9309: a 4xx (no robots.txt) allows everything; a 5xx or no
answer at all disallows everything for now (the site may be down or refusing; ask again later).

>>> r = Rules.parse("User-agent: *\\nDisallow: /private/\\nCrawl-delay: 3\\nSitemap: /news.xml", "http://a.example")
>>> r.allowed("http://a.example/private/x", "khabar"), r.allowed("http://a.example/news/1", "khabar")
(False, True)
>>> r.delay("khabar"), r.sitemaps
(3.0, ['http://a.example/news.xml'])
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from protego import Protego

from khabar.fetch.http import Downloader

#: Seconds a robots.txt is trusted before it is asked again (RFC 9309 §2.4: no more than 24 hours).
TTL = 24 * 3600.0
#: Seconds an unreachable robots.txt keeps its site refused before it is asked again: the outage
#: may be brief, and a ``watch`` must not skip the site for a whole day.
UNREACHABLE_TTL = 600.0
#: A robots.txt is read up to this size (RFC 9309 §2.5 asks parsers to read at least 500 KiB).
MAX_ROBOTS = 512 * 1024


@dataclass
class Rules:
    """One origin's robots.txt: ``everything`` is True (all allowed), False (all refused) or None
    (the parsed file decides)."""

    parser: Protego | None = None
    everything: bool | None = None
    sitemaps: list[str] = field(default_factory=list)
    reason: str = ""
    unreachable: bool = False  # refused because the file could not be read: a failure, not a refusal

    @classmethod
    def parse(cls, text: str, origin: str) -> Rules:
        parser = Protego.parse(text)
        sitemaps = [urljoin(origin + "/", s.strip()) for s in parser.sitemaps]
        return cls(parser=parser, sitemaps=[s for s in sitemaps if urlsplit(s).scheme in ("http", "https")])

    def allowed(self, url: str, agent: str) -> bool:
        if self.everything is not None or self.parser is None:
            return bool(self.everything)
        return self.parser.can_fetch(url, agent)

    def delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        value = self.parser.crawl_delay(agent)
        return float(value) if value is not None else None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Robots:
    """robots.txt per origin, fetched through ``downloader`` on first need and kept :data:`TTL` seconds."""

    def __init__(self, downloader: Downloader) -> None:
        self.downloader = downloader
        self.agent = downloader.options.user_agent.split("/")[0]  # the product token ("khabar")
        self._cache: dict[str, tuple[float, Rules]] = {}
        self._lock = threading.Lock()
        self._fetching: dict[str, threading.Lock] = {}

    def rules(self, url: str) -> Rules:
        origin = origin_of(url)
        with self._lock:
            one = self._fetching.setdefault(origin, threading.Lock())
        with one:  # two threads needing one origin's file fetch it once
            hit = self._cache.get(origin)
            if hit is not None and time.monotonic() - hit[0] < (UNREACHABLE_TTL if hit[1].unreachable else TTL):
                return hit[1]
            rules = self._fetch(origin)
            self._cache[origin] = (time.monotonic(), rules)
            return rules

    def allowed(self, url: str) -> bool:
        return self.rules(url).allowed(url, self.agent)

    def delay(self, url: str) -> float:
        """Seconds between two requests to ``url``'s host: ours, or robots.txt's if longer (bounded)."""
        opts = self.downloader.options
        asked = self.rules(url).delay(self.agent)
        return min(max(opts.delay, asked or 0.0), max(opts.delay, opts.max_crawl_delay))

    def _fetch(self, origin: str) -> Rules:
        answer = self.downloader.get(origin + "/robots.txt")
        if answer.status == 200 and answer.error is None:
            text = answer.body[:MAX_ROBOTS].decode("utf-8", "replace")
            return Rules.parse(text, origin)
        if answer.status is not None and 400 <= answer.status < 500:
            return Rules(everything=True, reason=f"no robots.txt (HTTP {answer.status})")
        why = answer.error or f"HTTP {answer.status}"
        return Rules(everything=False, reason=f"robots.txt unavailable ({why}): nothing fetched from this site now",
                     unreachable=True)
