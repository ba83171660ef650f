"""``khabar fetch`` (one pass over feeds and sitemaps) and ``khabar watch`` (a pass every N seconds)."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from khabar.cli.app import DbOpt, JsonOpt, app
from khabar.cli.common import emit_json, fail, open_store
from khabar.cli.richlazy import (
    BarColumn,
    LazyConsole,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    escape,
)
from khabar.read.untrusted import display_name

err = LazyConsole(stderr=True)
#: The longest pause ``watch --every`` accepts: a week (anything longer is a cron job's business).
MAX_EVERY = 7 * 24 * 3600

ProgressOpt = Annotated[bool | None, typer.Option(help="Progress bar (default: on a terminal).")]
AnalyseOpt = Annotated[bool, typer.Option(help="Find entities and statements (needed for stories).")]
DelayOpt = Annotated[float, typer.Option(min=0.0, max=3600.0, help="Seconds between two requests to one host.")]
TimeoutOpt = Annotated[float, typer.Option(min=0.1, max=600.0, help="Seconds to connect and for each read.")]
RetriesOpt = Annotated[int, typer.Option(min=0, max=10, help="Retries of a 5xx, 429 or timeout (backoff, Retry-After).")]
MaxPagesOpt = Annotated[int, typer.Option(min=1, max=1_000_000, help="Pages fetched per pass at most; the rest wait.")]
AgentOpt = Annotated[str | None, typer.Option(help="User-Agent to send (and to match in robots.txt).")]


def _options(delay: float, timeout: float, retries: int, max_pages: int, user_agent: str | None) -> Any:
    from khabar.fetch.http import FetchOptions

    extra = {"user_agent": user_agent.strip()} if user_agent and user_agent.strip() else {}
    return FetchOptions(delay=delay, timeout=timeout, total_timeout=max(60.0, 3 * timeout), retries=retries,
                        max_pages=max_pages, **extra)


@contextmanager
def _stoppable() -> Iterator[threading.Event]:
    """An event the first Ctrl-C or SIGTERM sets (the pass ends cleanly at its next step); a second
    one interrupts at once (the transaction in flight rolls back)."""
    stop = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        typer.echo("stopping: finishing what is in flight (again to stop at once)", err=True)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _progress(show: bool) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("[bold]fetch"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[last]}"), TimeElapsedColumn(), console=err, disable=not show,
                    transient=True)


def _fetcher(store: Any, options: Any, stop: threading.Event, analyse: bool) -> Any:
    from khabar.fetch.fetcher import Fetcher

    return Fetcher(store, options, stop=stop, analyse=analyse)


def _pass(fetcher: Any, feeds: list[str], show: bool) -> Any:
    """One pass of ``fetcher`` over ``feeds``, with a progress bar when ``show``."""
    with _progress(show) as bar:
        task = bar.add_task("fetch", total=None, last="")
        # a URL is the site's text: shown as one printable line, never read as rich markup
        fetcher.on_page = lambda url, ok: bar.update(task, advance=1, last=escape(display_name(url[-50:])))
        fetcher.on_total = lambda n: bar.update(task, total=n)
        return fetcher.run(feeds)


def _report_failures(report: Any) -> None:
    for f in report.failed:
        typer.echo(f"error: {display_name(f['url'])}: {display_name(f['error'])}", err=True)


@app.command()
def fetch(
    urls: Annotated[list[str], typer.Argument(help="Feed (RSS, Atom), sitemap or sitemap index URLs.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
    progress: ProgressOpt = None,
    analyse: AnalyseOpt = True,
    delay: DelayOpt = 1.0,
    timeout: TimeoutOpt = 20.0,
    retries: RetriesOpt = 2,
    max_pages: MaxPagesOpt = 5000,
    user_agent: AgentOpt = None,
) -> None:
    """Fetch feeds and sitemaps once and ingest the new pages they list (as ingest does).

    Polite: robots.txt, a delay per host, conditional requests (a second pass over unchanged feeds
    fetches nothing). Exits 1 when a feed or page failed (the others are done), 130 when stopped.
    """
    options = _options(delay, timeout, retries, max_pages, user_agent)
    store = open_store(db, create=True)
    interrupted = False
    with store, _stoppable() as stop:
        fetcher = _fetcher(store, options, stop, analyse)
        try:
            report = _pass(fetcher, urls, err.is_terminal if progress is None else progress)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            fetcher.close()
    if interrupted:
        fail("interrupted: the batch in flight was rolled back, earlier batches are stored", code=130)
    _report_failures(report)
    if as_json:
        emit_json(report.to_dict())
    else:
        typer.echo(report.summary())
    if report.stopped:
        fail("stopped: the pages fetched so far are stored", code=130)
    raise typer.Exit(1 if report.failed else 0)


def read_feed_list(path: Path) -> list[str]:
    """The URLs of a watch file: one a line; blank lines and ``#`` comments are skipped.

    Raises :class:`OSError` or :class:`ValueError` (not UTF-8) when it cannot be read.
    """
    text = path.read_bytes().decode("utf-8-sig")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@app.command()
def watch(
    file: Annotated[Path, typer.Argument(help="A file of feed or sitemap URLs, one a line (# comments).")],
    every: Annotated[int, typer.Option(min=1, max=MAX_EVERY, help="Seconds from one pass's start to the next.")] = 600,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    progress: ProgressOpt = None,
    analyse: AnalyseOpt = True,
    delay: DelayOpt = 1.0,
    timeout: TimeoutOpt = 20.0,
    retries: RetriesOpt = 2,
    max_pages: MaxPagesOpt = 5000,
    user_agent: AgentOpt = None,
) -> None:
    """Fetch the feeds in FILE every N seconds until stopped (Ctrl-C or SIGTERM: the pass in
    flight ends cleanly, nothing half written, exit 0). FILE is read again before each pass.

    Each pass prints its summary (with --json: fetch's JSON object, one line a pass)."""
    options = _options(delay, timeout, retries, max_pages, user_agent)
    try:
        feeds = read_feed_list(file)
    except (OSError, ValueError) as e:
        fail(f"{file}: cannot read the feed list ({e})")
    if not feeds:
        fail(f"{file}: no feed URL in it (one a line)")
    show = err.is_terminal if progress is None else progress
    store = open_store(db, create=True)
    with store, _stoppable() as stop:
        # one fetcher for every pass: robots.txt files are kept (a day) and hosts' turns carry over
        fetcher = _fetcher(store, options, stop, analyse)
        try:
            _watch_loop(fetcher, stop, file, feeds, every, as_json, show)
        except KeyboardInterrupt:
            fail("interrupted: the batch in flight was rolled back, earlier batches are stored", code=130)
        finally:
            fetcher.close()
    typer.echo("stopped", err=True)


def _watch_loop(fetcher: Any, stop: threading.Event, file: Path, feeds: list[str], every: int,
                as_json: bool, show: bool) -> None:
    while not stop.is_set():
        started = time.monotonic()
        try:
            feeds = read_feed_list(file) or feeds
        except (OSError, ValueError) as e:  # being edited, moved: keep the last list
            typer.echo(f"error: {file}: cannot read the feed list ({e}); using the last one", err=True)
        report = _pass(fetcher, feeds, show)
        _report_failures(report)
        if as_json:
            sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            typer.echo(report.summary())
        stop.wait(max(0.0, every - (time.monotonic() - started)))
