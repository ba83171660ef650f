"""The heavy part of a request, done in worker processes with a time budget, never in the server's own.

Reading, cleaning and analysing a posted body (and comparing pasted texts) is CPU-bound Python: in
a server thread it would hold the GIL and stall every other request (``/health`` included) for as
long as one hostile input keeps it busy. Here it runs in one of a few worker processes; a job
past its budget has its worker killed (the only way to stop Python code mid-way) and answers
413 with the reason, and a fresh worker takes the slot. The store is only *read* in a worker (to
skip analysing articles stored already); the server writes what a worker prepared under its write
lock, which is so held for the write alone (:func:`khabar.serve.backend.locked_ingest`).

>>> Prepared([], [], 0).failed
[]
"""

from __future__ import annotations

import io
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from khabar.types import Article, Document

#: Seconds one request's work may take (reading, cleaning, analysis, comparison). Long enough for a
#: legitimate upload of a few hundred articles; a bigger batch belongs to ``khabar ingest``.
BUDGET = 60.0
#: Worker processes: each can hold one request's work; more posts wait for a free one (within their
#: budget). Two keep the server answering with one slow post in flight without taking every core.
WORKERS = 2


class OverBudget(Exception):
    """The work took longer than its budget (its worker was killed)."""


class Busy(Exception):
    """No worker became free within the budget."""


class WorkFailed(Exception):
    """The work raised in the worker (the message says what)."""


@dataclass
class Prepared:
    """A post read, cleaned and analysed in a worker, ready to store: ``items`` in input order
    (each article once, with its analysis when it was not stored yet), ``failed`` as ingest reports
    it, ``duplicates`` repeated within the post."""

    items: list[tuple[Article, Any]]
    failed: list[dict[str, str]]
    duplicates: int


# -- the jobs (run in a worker) ------------------------------------------------------------------
def prepare_post(data: bytes | None, path: str | None, source: str | None, store_path: str) -> Prepared:
    """Read ``data`` (as stdin) or the file at ``path``, clean each document as ``ingest`` does, and
    analyse the articles the store at ``store_path`` holds no analysis of yet (with their comparison
    profiles, for clustering)."""
    from khabar.pipeline import analysed_for_clustering, cleaned
    from khabar.read.formats import read
    from khabar.store.db import Store

    src, stdin = ("-", io.BytesIO(data)) if data is not None else (path or "", None)
    failed: list[dict[str, str]] = []
    articles: dict[str, Article] = {}
    duplicates = 0
    for article in cleaned(read(src, source=source, stdin=stdin), failed):
        if article.id in articles:
            duplicates += 1
        else:
            articles[article.id] = article
    with Store(store_path) as store:
        done = store.analysed(articles)
    return Prepared([(a, None if a.id in done else analysed_for_clustering(a)) for a in articles.values()],
                    failed, duplicates)


def compare_texts(a: Article | Document, b: Article | Document, analyses: tuple[Any, Any]) -> dict[str, Any]:
    """``compare``'s answer for two articles; a :class:`Document` (a pasted text) is cleaned here first.
    Answers ``{"error": …}`` for a text that cleans to nothing."""
    from khabar.compare.comparison import compare
    from khabar.read.clean import to_article

    sides = []
    for side in (a, b):
        if isinstance(side, Document):
            try:
                side = to_article(side)
            except ValueError as e:
                return {"error": f"text: {e}"}
        sides.append(side)
    try:
        result = compare(sides[0], sides[1], analyses=analyses).to_dict()
    except FileNotFoundError as e:  # no trained model shipped in this install
        return {"unavailable": str(e)}
    return {"result": result, "a": sides[0], "b": sides[1]}


def _warm() -> None:
    """Load the taggers and the comparison model before the first job, not during it."""
    from khabar.pipeline import analysed_for_clustering

    try:
        analysed_for_clustering(Article(id="warm", title="", text="قال الوزير إن الاجتماع انتهى في دمشق.", raw=""))
    except Exception:  # a broken model shows in the first real job, with its message
        pass


def _serve(conn: Any) -> None:
    """A worker's loop: run each ``(function, args)`` received, send back ``(ok, value)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when workers stop
    _warm()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args = job
        try:
            answer = (True, fn(*args))
        except Exception as e:  # sent as words: not every exception pickles
            answer = (False, f"{type(e).__name__}: {e}")
        conn.send(answer)


# -- the pool (in the server) --------------------------------------------------------------------
class _Worker:
    def __init__(self, ctx: Any) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child,), daemon=True, name="khabar-work")
        self.process.start()
        child.close()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class Workers:
    """A few worker processes that run one job each at a time, each job under a time budget.

    Started on first use (forkserver: a worker is forked from a clean single-threaded process,
    never from the threaded server). :meth:`call` raises :class:`Busy`, :class:`OverBudget` or
    :class:`WorkFailed`.
    """

    def __init__(self, size: int = WORKERS, budget: float = BUDGET) -> None:
        if size < 1 or not budget > 0:
            raise ValueError("workers need a size ≥ 1 and a budget > 0 s")
        self.size, self.budget = size, budget
        self._ctx = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = self._closed = False

    def start(self) -> None:
        """Start the workers now (they warm up in the background) rather than on the first job."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
            if hasattr(self._ctx, "set_forkserver_preload"):
                self._ctx.set_forkserver_preload(["khabar.serve.work"])
            for _ in range(self.size):
                self._add()

    def _add(self) -> None:
        w = _Worker(self._ctx)
        self._all.add(w)
        self._idle.put(w)

    def call(self, fn: Callable[..., Any], *args: Any, budget: float | None = None) -> Any:
        """``fn(*args)`` in a worker, within ``budget`` seconds (the pool's by default) all told:
        waiting for a free worker, sending the job and getting the answer."""
        budget = self.budget if budget is None else budget
        deadline = time.monotonic() + budget
        self.start()
        while True:
            if self._closed:
                raise WorkFailed("the server is stopping")
            try:
                w = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise Busy(f"every worker stayed busy for {budget:g} s") from None
            if w.process.is_alive():
                break
            self._replace(w)  # died while idle (killed from outside): its replacement is queued
        try:
            w.conn.send((fn, args))
            ready = w.conn.poll(max(0.0, deadline - time.monotonic()))
            ok, value = w.conn.recv() if ready else (None, None)
        except (EOFError, OSError) as e:  # the worker died (killed for memory, or closing)
            self._replace(w)
            raise WorkFailed(f"the worker stopped ({type(e).__name__})") from e
        if not ready:
            self._replace(w)
            raise OverBudget(f"the work took longer than the {budget:g} s budget")
        self._idle.put(w)
        if not ok:
            raise WorkFailed(value)
        return value

    def _replace(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)
            if not self._closed:
                self._add()

    def close(self) -> None:
        """Stop every worker (a job in flight answers :class:`WorkFailed`)."""
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for w in workers:
            w.kill()

