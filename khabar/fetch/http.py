"""The polite downloader: one request at a time per host with a delay between, conditional GET,
timeouts, bounded retries with backoff, a size cap while streaming, and bounded redirects.

Built on urllib3 (its pool, its gzip decoding); redirects and retries are done here, because each
hop must be checked against robots.txt and each retry must wait its host's turn.

>>> retry_after("7", 60.0), retry_after("nonsense", 60.0), retry_after("86400", 60.0)
(7.0, None, inf)
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import urllib3

from khabar.read.formats import MAX_BYTES

__all__ = ["Downloader", "FetchOptions", "Response", "host_of", "retry_after"]

USER_AGENT = "khabar/0.1 (news monitor; +https://github.com/khabar)"
_CHUNK = 65536
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchOptions:
    """How politely and how patiently to fetch. Tests shrink the delays and timeouts."""

    #: Seconds between two requests to one host: one request a second is the usual courtesy of
    #: crawlers, and a news site's robots.txt may ask for more (``Crawl-delay``).
    delay: float = 1.0
    #: A robots.txt ``Crawl-delay`` is honoured up to this (a hostile one could stall a pass forever).
    max_crawl_delay: float = 30.0
    #: Seconds to connect, and to wait for each read: a live news server answers well within this.
    timeout: float = 20.0
    #: Seconds for one whole response: a server dripping bytes slowly never trips the read timeout.
    total_timeout: float = 60.0
    #: Tries after the first on a 5xx or 429 answer, a timeout or a broken connection.
    retries: int = 2
    #: Seconds before the first retry, doubled for each next one.
    backoff: float = 1.0
    #: A ``Retry-After`` longer than this is not waited for: the URL fails this pass.
    max_retry_after: float = 120.0
    #: Body size cap, as for a file given to ``ingest``.
    max_bytes: int = MAX_BYTES
    #: Redirect hops followed for one URL (browsers allow about 20; news sites need one or two).
    max_redirects: int = 5
    #: Hosts fetched at the same time (each host still gets one request at a time).
    hosts: int = 4
    #: A page that failed this many passes in a row is not tried again until its feed lists it anew.
    max_failures: int = 3
    #: Pages fetched in one pass at most; the rest wait for the next pass.
    max_pages: int = 5000
    #: Sitemaps followed from one sitemap index, and index nesting depth.
    max_sitemaps: int = 50
    max_depth: int = 3
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        for name in ("delay", "max_crawl_delay", "backoff", "max_retry_after"):
            if not (getattr(self, name) >= 0 and math.isfinite(getattr(self, name))):
                raise ValueError(f"{name} must be a finite number ≥ 0")
        for name in ("timeout", "total_timeout"):
            if not (getattr(self, name) > 0 and math.isfinite(getattr(self, name))):
                raise ValueError(f"{name} must be a finite number > 0")
        for name in ("retries", "max_redirects", "max_failures", "max_pages", "max_sitemaps", "max_depth"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be ≥ 0")
        if self.hosts < 1 or self.max_bytes < 1:
            raise ValueError("hosts and max_bytes must be ≥ 1")


@dataclass
class Response:
    """What one URL answered, after redirects and retries. ``status`` is ``None`` when no answer
    came (network error, timeout, robots.txt refused a redirect); ``error`` says why it failed."""

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None
    robots: bool = False  # refused by robots.txt (a redirect into a disallowed path)
    requests: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200


def host_of(url: str) -> str:
    """The host:port a URL's requests take turns on (the politeness unit)."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def retry_after(value: str | None, limit: float) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta seconds or an HTTP date); ``inf`` when over
    ``limit``; ``None`` when absent or malformed (the backoff decides then)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        seconds = float(value) if len(value) <= 9 else math.inf
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = max(0.0, (when - datetime.now(UTC)).total_seconds())
    return math.inf if seconds > limit else seconds


class Stopped(Exception):
    """The pass was asked to stop while waiting its turn."""


class Downloader:
    """Thread-safe GETs under :class:`FetchOptions`; ``stop`` (set by a signal) ends waits early."""

    def __init__(self, options: FetchOptions, stop: threading.Event | None = None) -> None:
        self.options = options
        self.stop = stop or threading.Event()
        self.pool = urllib3.PoolManager(
            num_pools=64, maxsize=2, retries=False, headers={"User-Agent": options.user_agent},
            timeout=urllib3.Timeout(connect=options.timeout, read=options.timeout),
        )
        self._lock = threading.Lock()
        self._hosts: dict[str, tuple[threading.Lock, list[float]]] = {}
        self.requests = 0  # sent, all told

    def close(self) -> None:
        self.pool.clear()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            delay: float | None = None, allowed: Callable[[str], bool] | None = None) -> Response:
        """GET ``url``, conditionally when ``etag``/``last_modified`` are given, following redirects
        (each hop must pass ``allowed``) and retrying server errors. Never raises but :class:`Stopped`."""
        seen = {url}
        current = url
        out = Response(url, url)
        for _hop in range(self.options.max_redirects + 1):
            answer = self._with_retries(current, etag, last_modified, delay)
            out.requests += answer.requests
            out.status, out.headers, out.body, out.error = answer.status, answer.headers, answer.body, answer.error
            out.final_url = current
            if answer.error or answer.status not in (301, 302, 303, 307, 308):
                return out
            target = answer.headers.get("location", "").strip()
            nxt = urljoin(current, target) if target else ""
            if urlsplit(nxt).scheme not in ("http", "https"):
                out.error = f"redirect to an unusable location: {target[:100]!r}"
                return out
            if nxt in seen:
                out.error = f"redirect loop ({len(seen)} URLs)"
                return out
            if allowed is not None and not allowed(nxt):
                out.error, out.robots = f"redirected to {nxt[:200]}, which robots.txt disallows", True
                return out
            seen.add(nxt)
            current = nxt
            if host_of(nxt) != host_of(url):
                etag = last_modified = None  # validators belong to the URL that gave them
        out.error = f"more than {self.options.max_redirects} redirects"
        return out

    def _with_retries(self, url: str, etag: str | None, last_modified: str | None,
                      delay: float | None) -> Response:
        headers = {"Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        tries = 0
        while True:
            self._take_turn(url, delay)
            tries += 1
            answer = self._once(url, headers)
            answer.requests = tries
            if tries > self.options.retries:
                return answer
            if answer.status is None and answer.error and "too large" in answer.error:
                return answer  # the same body would be too large again
            if answer.status is not None and answer.status not in _RETRY_STATUS:
                return answer
            wait = self.options.backoff * 2 ** (tries - 1)
            asked = retry_after(answer.headers.get("retry-after"), self.options.max_retry_after)
            if asked == math.inf:
                answer.error = f"HTTP {answer.status}: Retry-After over {self.options.max_retry_after:g} s"
                return answer
            if asked is not None:
                wait = max(wait, asked)
            if self.stop.wait(wait):
                raise Stopped

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        """One request, its body streamed up to the cap and the total time."""
        opts = self.options
        with self._lock:
            self.requests += 1
        start = time.monotonic()
        try:
            r = self.pool.request("GET", url, headers=headers, preload_content=False, redirect=False)
        except urllib3.exceptions.HTTPError as e:
            return Response(url, url, error=_network_error(e))
        except ValueError as e:  # a URL urllib3 cannot parse
            return Response(url, url, error=f"bad URL: {e}")
        out = Response(url, url, status=r.status, headers={k.lower(): v for k, v in r.headers.items()})
        whole = False  # the body read to its end: the connection can serve the next request
        try:
            length = out.headers.get("content-length", "").strip()
            if length.isascii() and length.isdigit() and int(length) > opts.max_bytes:
                out.status, out.error = None, f"too large ({int(length) / 1024 / 1024:.1f} MB > {_mb(opts)} MB)"
                return out
            if r.status != 200:
                out.error = None if r.status in (301, 302, 303, 304, 307, 308) else f"HTTP {r.status}"
                return out
            parts, size = [], 0
            while chunk := r.read1(_CHUNK):
                size += len(chunk)
                if size > opts.max_bytes:
                    out.status, out.error = None, f"too large (over {_mb(opts)} MB)"
                    return out
                if time.monotonic() - start > opts.total_timeout:
                    out.status, out.error = None, f"timed out (response over {opts.total_timeout:g} s)"
                    return out
                parts.append(chunk)
            out.body, whole = b"".join(parts), True
        except urllib3.exceptions.HTTPError as e:
            out.status, out.error = None, _network_error(e)
        finally:
            if not whole:
                r.close()  # an unread rest (an error page, an oversize body) must not be read next
            r.release_conn()
        return out

    def _take_turn(self, url: str, delay: float | None) -> None:
        """Wait until this URL's host may be asked again, then book the next turn."""
        host = host_of(url)
        with self._lock:
            lock, next_at = self._hosts.setdefault(host, (threading.Lock(), [0.0]))
        gap = self.options.delay if delay is None else delay
        with lock:
            wait = next_at[0] - time.monotonic()
            if wait > 0 and self.stop.wait(wait):
                raise Stopped
            if self.stop.is_set():
                raise Stopped
            next_at[0] = time.monotonic() + gap


def _mb(opts: FetchOptions) -> str:
    return f"{opts.max_bytes / 1024 / 1024:g}"


def _network_error(e: Exception) -> str:
    """A short reason for a failed connection (urllib3 nests the cause in long messages)."""
    if isinstance(e, urllib3.exceptions.TimeoutError) or "timed out" in str(e).lower():
        return "timed out"
    reason = getattr(e, "reason", None) or e
    text = " ".join(f"{type(reason).__name__}: {reason}".split())
    return text if len(text) <= 200 else text[:199] + "…"
