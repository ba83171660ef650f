"""One fetch pass: read each feed or sitemap, download the pages it lists that are new (or changed,
or failed before and worth another try), and ingest them through ``ingest``'s own path (read →
clean → analyse → store → cluster), every URL's outcome remembered in the store.

A second pass over unchanged feeds sends only conditional requests (``If-None-Match``,
``If-Modified-Since``): a feed that answers 304 yields nothing new, and a page stored already is not
asked for again unless its listing says it changed since. Pages are stored in batches, each batch
with its URLs' rows in one transaction, so a stop (a signal) leaves nothing half written.

>>> sorted(FetchReport().to_dict())
['discovered', 'duplicates', 'failed', 'feeds', 'fetched', 'ingested', 'not_modified', 'skipped_robots']
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from khabar.fetch.feeds import ListingError, Page, parse_listing
from khabar.fetch.http import Downloader, FetchOptions, Response, Stopped, host_of
from khabar.fetch.robots import Robots
from khabar.follow.webhook import deliver_due
from khabar.pipeline import analysed_for_clustering, cleaned, store_batch
from khabar.read.formats import read_page
from khabar.store import urls
from khabar.store.db import Store
from khabar.store.urls import UrlState
from khabar.text.dates import as_aware, parse_when
from khabar.types import Document

__all__ = ["FetchReport", "Fetcher"]

#: Pages stored per transaction: small enough that a stop loses little work in flight, large
#: enough that the commit cost is spread (about 50 pages take a second or two to analyse).
BATCH = 50
ROBOTS_REFUSED = "disallowed by robots.txt"


@dataclass
class FetchReport:
    """What a pass did; ``to_dict`` is the stable ``khabar fetch --json`` shape."""

    feeds: int = 0
    discovered: int = 0
    fetched: int = 0
    not_modified: int = 0
    skipped_robots: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    ingested: int = 0
    duplicates: int = 0
    new_ids: list[str] = field(default_factory=list)  # not in the JSON
    stopped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"feeds": self.feeds, "discovered": self.discovered, "fetched": self.fetched,
                "not_modified": self.not_modified, "skipped_robots": self.skipped_robots,
                "failed": self.failed, "ingested": self.ingested, "duplicates": self.duplicates}

    def summary(self) -> str:
        return (f"feeds {self.feeds}, discovered {self.discovered}, fetched {self.fetched}, not modified "
                f"{self.not_modified}, robots {self.skipped_robots}, failed {len(self.failed)}, ingested "
                f"{self.ingested}, duplicates {self.duplicates}")


@dataclass
class _Todo:
    """A page to request: where it was listed, and what the store knew of it."""

    page: Page
    state: UrlState


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _newer(listed: str | None, fetched: str | None) -> bool:
    """Whether a listing's date says the page changed after we last fetched it."""
    a, b = parse_when(listed), parse_when(fetched)
    return a is not None and b is not None and as_aware(a) > as_aware(b)


def _usable(url: str) -> str | None:
    """Why ``url`` cannot be fetched, or None."""
    try:
        parts = urlsplit(url)
    except ValueError as e:
        return f"bad URL: {e}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL"
    return None


class Fetcher:
    """Fetch passes into ``store``. ``stop`` (an event a signal sets) ends a pass early and cleanly;
    ``on_page(url, ok)`` is called once per page handled and ``on_total(n)`` once the pages are
    known (progress bars hook in here). ``analyse=False`` stores pages without analysis, as
    ``ingest --no-analyse``. Analysis runs in this process, before each batch's transaction (so the
    write lock is held for the write alone), while the download threads go on."""

    def __init__(self, store: Store, options: FetchOptions | None = None, *,
                 stop: threading.Event | None = None, analyse: bool = True,
                 on_page: Callable[[str, bool], None] | None = None,
                 on_total: Callable[[int], None] | None = None) -> None:
        self.store, self.options = store, options or FetchOptions()
        self.stop = stop or threading.Event()
        self.downloader = Downloader(self.options, self.stop)
        self.robots = Robots(self.downloader)
        self.on_page, self.on_total = on_page, on_total
        self.analyse = analyse
        self._abandoned = False  # the main thread stopped reading the downloads (see _pages)

    def close(self) -> None:
        self.downloader.close()

    def run(self, feed_urls: Iterable[str]) -> FetchReport:
        """One pass over ``feed_urls`` (feeds, sitemaps, sitemap indexes, pages linking to feeds)."""
        report = FetchReport()
        todo: dict[str, _Todo] = {}
        try:
            for url in dict.fromkeys(u.strip() for u in feed_urls):
                if self.stop.is_set():
                    break
                self._listing(url, None, 0, report, todo)
            self._pages(list(todo.values())[: self.options.max_pages], report)
        except Stopped:
            pass
        report.stopped = self.stop.is_set()
        return report

    # -- feeds and sitemaps ----------------------------------------------------------------------
    def _listing(self, url: str, parent: str | None, depth: int, report: FetchReport,
                 todo: dict[str, _Todo]) -> None:
        report.feeds += 1
        bad = _usable(url)
        if bad:
            report.failed.append({"url": url, "error": bad})
            return
        old = urls.lookup(self.store, [url]).get(url) or UrlState(url, "feed")
        state = replace(old, kind="feed", feed=parent or old.feed)
        if not self.robots.allowed(url):
            self._refused(url, report)
            urls.save(self.store, [replace(state, status=None, error=self._refusal(url), fetched=_now())])
            return
        answer = self.downloader.get(url, etag=old.etag, last_modified=old.last_modified,
                                     delay=self.robots.delay(url), allowed=self.robots.allowed)
        state = self._answered(state, answer)
        children: list[str] = []
        pages: list[Page] = []
        if answer.status == 304:
            report.not_modified += 1
            children = urls.children(self.store, url)
        elif answer.robots:
            report.skipped_robots += 1
        elif not answer.ok:
            report.failed.append({"url": url, "error": answer.error or f"HTTP {answer.status}"})
        else:
            try:
                found = parse_listing(answer.body, answer.final_url, answer.headers.get("content-type", ""),
                                      self.options.max_bytes)
                children, pages = found.children, found.pages
            except ListingError as e:
                state = replace(state, error=str(e), failures=old.failures + 1)
                report.failed.append({"url": url, "error": str(e)})
        urls.save(self.store, [state])
        self._queue(url, pages, report, todo)
        if children and depth >= self.options.max_depth:
            report.failed.append({"url": url, "error": f"sitemaps nested deeper than {self.options.max_depth}"})
            return
        for child in children[: self.options.max_sitemaps]:
            if self.stop.is_set():
                return
            if child != url:
                self._listing(child, url, depth + 1, report, todo)

    def _refused(self, url: str, report: FetchReport) -> None:
        """Count a URL robots.txt keeps us from: refused by the site, or failed when its file could not be read."""
        rules = self.robots.rules(url)
        if rules.unreachable:
            report.failed.append({"url": url, "error": rules.reason})
        else:
            report.skipped_robots += 1

    def _refusal(self, url: str) -> str:
        reason = self.robots.rules(url).reason
        return f"{ROBOTS_REFUSED} ({reason})" if reason else ROBOTS_REFUSED

    def _answered(self, state: UrlState, answer: Response) -> UrlState:
        """``state`` after ``answer``: validators kept from a 200 (or a 304), failures counted."""
        now = _now()
        if answer.status == 304:
            return replace(state, status=304, error=None, fetched=now, failures=0)
        if answer.ok:
            return replace(state, status=200, error=None, fetched=now, changed=now, failures=0,
                           etag=answer.headers.get("etag"), last_modified=answer.headers.get("last-modified"),
                           final_url=answer.final_url if answer.final_url != answer.url else None)
        if answer.robots:
            return replace(state, status=None, error=answer.error, fetched=now)
        return replace(state, status=answer.status, error=answer.error or f"HTTP {answer.status}", fetched=now,
                       failures=state.failures + 1)

    def _queue(self, feed: str, pages: list[Page], report: FetchReport, todo: dict[str, _Todo]) -> None:
        """Add to ``todo`` the pages of ``feed`` worth a request: new ones, changed ones, and those
        that failed before in a way worth another try."""
        listed = {p.url: p for p in pages}
        report.discovered += len(listed)
        known = urls.lookup(self.store, listed)
        for state in urls.retryable(self.store, feed, self.options.max_failures):
            known.setdefault(state.url, state)
            listed.setdefault(state.url, Page(state.url, state.listed_mod))
        fresh = []
        for link, page in listed.items():
            if link in todo:
                continue
            old = known.get(link)
            state = replace(old, feed=feed, listed_mod=page.modified or old.listed_mod) if old else UrlState(
                link, "page", feed=feed, listed_mod=page.modified)
            if old is None:
                fresh.append(state)  # remembered now, so a stop or the page cap leaves it for next time
            elif state.article_id is not None or state.status in (200, 304, 404, 410):
                if not _newer(page.modified, state.fetched):
                    continue
            elif state.failures >= self.options.max_failures or (
                    state.status is not None and state.status < 500 and state.status != 429):
                if not _newer(page.modified, state.fetched):
                    continue
            todo[link] = _Todo(page, state)
        urls.save(self.store, fresh)

    # -- pages -----------------------------------------------------------------------------------
    def _pages(self, todo: list[_Todo], report: FetchReport) -> None:
        """Download ``todo`` (hosts in parallel, each host one request at a time) and ingest the
        pages in batches as they arrive."""
        if self.on_total:
            self.on_total(len(todo))
        by_host: dict[str, list[_Todo]] = {}
        for item in todo:
            by_host.setdefault(host_of(item.page.url), []).append(item)
        # bounded: downloads wait for the analysis rather than pile up bodies in memory
        results: queue.Queue[tuple[_Todo, Response | None] | None] = queue.Queue(maxsize=2 * BATCH)
        self._abandoned = False
        pool = ThreadPoolExecutor(max_workers=min(self.options.hosts, max(1, len(by_host))),
                                  thread_name_prefix="khabar-fetch")
        try:
            for items in by_host.values():
                pool.submit(self._host, items, results)
            self._consume(results, len(by_host), report)
        except BaseException:
            self._abandoned = True  # a second Ctrl-C, a crash: nobody reads the results any more,
            self.stop.set()  # and the threads end at their next turn
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _host(self, items: list[_Todo], results: queue.Queue[Any]) -> None:
        """One host's pages, in turn (runs in a thread); ``None`` marks the host done."""
        try:
            for item in items:
                if self.stop.is_set():
                    break
                url = item.page.url
                if not self.robots.allowed(url):
                    self._put(results, (item, None))
                    continue
                answer = self.downloader.get(url, etag=item.state.etag, last_modified=item.state.last_modified,
                                             delay=self.robots.delay(url), allowed=self.robots.allowed)
                self._put(results, (item, answer))
        except Stopped:
            pass
        except Exception as e:  # noqa: BLE001 - one host's bug must not hang the pass: report it
            first = items[0].page.url
            self._put(results, (items[0], Response(first, first, error=f"{type(e).__name__}: {e}")))
        finally:
            self._put(results, None)

    def _put(self, results: queue.Queue[Any], item: Any) -> None:
        """Hand a result to the main thread, unless it has given up reading them."""
        while not self._abandoned:
            try:
                results.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _consume(self, results: queue.Queue[Any], hosts: int, report: FetchReport) -> None:
        batch: list[tuple[Document | None, UrlState]] = []
        while hosts:
            got = results.get()
            if got is None:
                hosts -= 1
                continue
            item, answer = got
            batch.append(self._page(item, answer, report))
            if sum(doc is not None for doc, _ in batch) >= BATCH:
                self._store(batch, report)
                batch = []
        self._store(batch, report)

    def _page(self, item: _Todo, answer: Response | None, report: FetchReport) -> tuple[Document | None, UrlState]:
        """What one page's answer adds: a document to ingest, and the URL's new state."""
        url = item.page.url
        if answer is None or answer.robots:
            if answer is None:
                self._refused(url, report)
            else:
                report.skipped_robots += 1
            error = answer.error if answer is not None else self._refusal(url)
            self._tick(url, False)
            return None, replace(item.state, status=None, error=error, fetched=_now())
        state = self._answered(item.state, answer)
        if answer.status == 304:
            report.not_modified += 1
            self._tick(url, True)
            return None, state
        if not answer.ok:
            report.failed.append({"url": url, "error": state.error or "failed"})
            self._tick(url, False)
            return None, state
        report.fetched += 1
        ctype = answer.headers.get("content-type", "").lower()
        if ctype and not any(kind in ctype for kind in ("html", "xml", "text/")):
            error = f"not an HTML page ({ctype.split(';')[0].strip()[:60]})"
            report.failed.append({"url": url, "error": error})
            self._tick(url, False)
            return None, replace(state, error=error)
        charset = ctype.partition("charset=")[2].strip(" \"';") or None
        doc = read_page(answer.body, answer.final_url, charset)
        if not isinstance(doc, Document):
            report.failed.append({"url": url, "error": doc.error})
            self._tick(url, False)
            return None, replace(state, error=doc.error)
        doc.published = doc.published or item.page.published
        doc.origin = url
        return doc, state

    def _tick(self, url: str, ok: bool) -> None:
        if self.on_page:
            self.on_page(url, ok)

    def _store(self, batch: list[tuple[Document | None, UrlState]], report: FetchReport) -> None:
        """Ingest the batch's documents as ``ingest`` does and save every URL's state, in one transaction."""
        articles, states, owners = [], [], []
        for doc, state in batch:
            if doc is not None:
                errors: list[dict[str, str]] = []
                found = list(cleaned([doc], errors))
                for e in errors:
                    report.failed.append({"url": state.url, "error": e["error"]})
                    state = replace(state, error=e["error"])
                if found:
                    articles.append(found[0])
                    owners.append(len(states))
                self._tick(state.url, bool(found))
            states.append(state)
        analyses = None
        if self.analyse and articles:
            done = self.store.analysed([a.id for a in articles])
            analyses = {a.id: analysed_for_clustering(a) for a in articles if a.id not in done}
        with self.store.transaction():
            flags = store_batch(self.store, articles, analyses) if articles else []
            for article, at, new in zip(articles, owners, flags, strict=True):
                states[at] = replace(states[at], article_id=article.id)
                report.ingested += new
                report.duplicates += not new
                if new:
                    report.new_ids.append(article.id)
            urls.save(self.store, states)
        deliver_due(self.store)  # the batch's alert webhooks, now that its matches are committed
