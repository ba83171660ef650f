"""Ingest: read → clean → store, in batches, each batch one transaction.

One bad file or record never stops the others: it is reported in :attr:`IngestReport.failed` and
the stream goes on. An interruption (Ctrl-C, a crash) rolls back only the batch in flight; every
batch before it is complete in the store.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import operator
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from khabar.analyse.analysis import Analysis
from khabar.analyse.analysis import analyse as analyse_article
from khabar.analyse.bounds import analysed_part
from khabar.follow.alerts import on_stored
from khabar.follow.webhook import deliver_due
from khabar.read.clean import to_article
from khabar.read.formats import read
from khabar.store.db import Store
from khabar.stories.features import ArticleText
from khabar.stories.online import assign
from khabar.types import Article, Document, Mention, ReadError, Statement


@dataclass
class IngestReport:
    """What an ingest did; ``to_dict`` is the stable ``khabar ingest --json`` shape.

    ``ids`` are the articles read (each once, in input order), stored before or by this call;
    ``new_ids`` those of them that this call stored, in order (``new_ids`` is not in the JSON).

    >>> r = IngestReport(ingested=1, duplicates=1, ids=["a1", "b2"], new_ids=["b2"])
    >>> r.was_new("b2"), r.was_new("a1")
    (True, False)
    >>> sorted(r.to_dict())
    ['duplicates', 'failed', 'ids', 'ingested']
    """

    ingested: int = 0
    duplicates: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)
    # ``new_ids`` as a set, for was_new on large reports (the server asks once per posted article)
    _new: set[str] = field(default_factory=set, init=False, repr=False, compare=False)

    def was_new(self, article_id: str) -> bool:
        """Whether this call stored ``article_id`` (False for a duplicate or an id never read)."""
        if len(self._new) != len(self.new_ids):  # new_ids only grows, and holds each id once
            self._new = set(self.new_ids)
        return article_id in self._new

    def to_dict(self) -> dict[str, Any]:
        return {"ingested": self.ingested, "duplicates": self.duplicates, "failed": self.failed, "ids": self.ids}

    def summary(self) -> str:
        return f"ingested {self.ingested}, duplicates {self.duplicates}, failed {len(self.failed)}"


def ingest(
    inputs: str | Path | Iterable[str | Path],
    store: Store,
    *,
    source: str | None = None,
    stdin: BinaryIO | None = None,
    batch_size: int = 200,
    analyse: bool = True,
    workers: int | None = None,
    cluster: bool = True,
    on_item: Callable[[str, bool], None] | None = None,
) -> IngestReport:
    """Read, clean and store every article found in ``inputs``.

    With ``analyse`` (the default) each new article's entities and statements are found and kept
    with it, in the same transaction, and (with ``cluster``) each new article joins a story or
    starts one; ``workers`` processes share that work (default: one per
    core, up to 4; 1 analyses in this process). ``on_item(origin, ok)`` is called once per
    document or error (progress bars hook in here).

    >>> from khabar.store.db import Store
    >>> with Store(":memory:") as s:
    ...     ingest("examples/", s).ingested
    2
    """
    report = IngestReport()
    batches = _Batches(store, report, batch_size, _Analyser(workers, profiles=cluster) if analyse else None, cluster)
    try:
        try:
            _stream(read(inputs, source=source, stdin=stdin), report, batches, on_item)
            batches.flush()
        finally:
            batches.drain()  # a batch read before an interruption is still stored whole
    finally:
        batches.close()
    return report


def _stream(items: Iterable[Document | ReadError], report: IngestReport, batches: _Batches,
            on_item: Callable[[str, bool], None] | None) -> None:
    """Clean each document into ``batches``; errors go to ``report.failed`` and the stream goes on."""
    seen: set[str] = set()
    for article in cleaned(items, report.failed, on_item):
        if article.id in seen:  # the same article twice in one run
            report.duplicates += 1
        else:
            seen.add(article.id)
            batches.add(article)


def cleaned(items: Iterable[Document | ReadError], failed: list[dict[str, str]],
            on_item: Callable[[str, bool], None] | None = None) -> Iterator[Article]:
    """The clean article of each document read; read errors and documents that clean to nothing go
    to ``failed`` (``{"path", "error"}``, as ``ingest --json`` reports them) and the stream goes on.
    ``on_item(origin, ok)`` is called once per item."""
    for item in items:
        if isinstance(item, ReadError):
            failed.append(item.to_dict())
            if on_item:
                on_item(item.path, False)
            continue
        try:
            article = to_article(item)
        except ValueError as e:
            failed.append({"path": item.origin or "<input>", "error": str(e)})
            if on_item:
                on_item(item.origin or "<input>", False)
            continue
        yield article
        if on_item:
            on_item(item.origin or "<input>", True)


class _Batches:
    """Articles on their way into the store, ``batch_size`` at a time, each batch one transaction.

    A batch is analysed in the worker processes while this process stores and clusters the one
    before it (clustering is sequential by nature); ``pending`` holds that one batch in flight.
    """

    def __init__(self, store: Store, report: IngestReport, batch_size: int, analyser: _Analyser | None,
                 cluster: bool) -> None:
        self.store, self.report, self.batch_size = store, report, batch_size
        self.analyser, self.cluster = analyser, cluster
        self.batch: list[Article] = []
        self.pending: list[tuple[list[Article], list[Article], Any]] = []

    def add(self, article: Article) -> None:
        self.batch.append(article)
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Send the batch collected so far to analysis, and store the one sent before it."""
        if not self.batch:
            return
        arts, self.batch = self.batch, []
        sent: list[Article] = []
        job = None
        if self.analyser is not None:
            # stored already but never analysed (ingested with --no-analyse): analyse it now too
            done = self.store.analysed([a.id for a in arts])
            sent = [a for a in arts if a.id not in done]
            job = self.analyser.submit(sent)
        self.drain()
        self.pending.append((arts, sent, job))

    def drain(self) -> None:
        """Store the batch in flight, if any."""
        while self.pending:
            self._finish(*self.pending.pop())

    def close(self) -> None:
        if self.analyser is not None:
            self.analyser.close()

    def _finish(self, arts: list[Article], sent: list[Article], job: Any) -> None:
        found = None
        if self.analyser is not None:
            results = job.get() if job is not None else []
            found = {a.id: _restore(a, r) for a, r in zip(sent, results, strict=True)}
        flags = store_batch(self.store, arts, found, cluster=self.cluster)
        new = [a for a, is_new in zip(arts, flags, strict=True) if is_new]
        self.report.ingested += len(new)
        self.report.duplicates += len(arts) - len(new)
        self.report.ids.extend(a.id for a in arts)
        self.report.new_ids.extend(a.id for a in new)


def store_batch(store: Store, articles: list[Article], found: dict[str, Analysis] | None, *,
                cluster: bool = True, deliver: bool = True) -> list[bool]:
    """Store ``articles`` in one transaction; whether each was new.

    With ``found`` (analysis on: what was analysed elsewhere beforehand, by article id) each new
    article, and each stored one that was never analysed (``--no-analyse``), gets its analysis
    kept and, with ``cluster``, joins a story, in the same transaction. An article missing from
    ``found``, or whose stored text is spaced otherwise than the one analysed (offsets differ), is
    analysed here.
    """
    with store.transaction():
        flags = store.add_many(articles)
        analyses = [] if found is None else _analysed(store, articles, flags, found)
        if cluster and analyses:
            assign(store, analyses)  # joins this transaction
        on_stored(store, articles, flags, analyses)  # alerts and entity postings, in this transaction
    if deliver:  # alert webhooks, after the commit (from an outbox: a failed one is retried later)
        deliver_due(store)
    return flags


def _analysed(store: Store, articles: list[Article], flags: list[bool], found: dict[str, Analysis]) -> list[Analysis]:
    """The analyses to keep: of each new article and each stored one never analysed, saved now."""
    analyses = []
    new = [a for a, is_new in zip(articles, flags, strict=True) if is_new]
    for article in [*new, *_unanalysed(store, articles, flags)]:
        hit = found.get(article.id)
        if hit is not None and hit.article.text == article.text:
            analysis = Analysis(article, hit.mentions, hit.statements, hit.profile)
        else:
            analysis = analyse_article(article)
        store.save_analysis(article.id, analysis.mentions, analysis.statements)
        terms = _index_terms(store, article)
        if terms is not None:
            analysis.terms = terms  # type: ignore[attr-defined]  # clustering reads it (getattr)
        analyses.append(analysis)
    return analyses


def _index_terms(store: Store, article: Article) -> ArticleText | None:
    """Clustering's terms of ``article`` from what the full-text index took of it when it was just
    stored, when that is the same text (stored unchanged, and whole within analysis's bound): the
    words and stems are not computed twice."""
    got = store.recent_words.get(article.id)
    if got is None:
        return None
    title, text, title_stems, body_stems, body_words = got
    if title != article.title or text != article.text or analysed_part(article.text) != article.text:
        return None
    return ArticleText(title_stems, body_stems, body_words)


def _unanalysed(store: Store, articles: list[Article], flags: list[bool]) -> list[Article]:
    """The stored form of those of ``articles`` that were there already without an analysis (``--no-analyse``)."""
    old = [a.id for a, is_new in zip(articles, flags, strict=True) if not is_new]
    done = store.analysed(old)
    todo = [aid for aid in dict.fromkeys(old) if aid not in done]
    return [stored for aid in todo if (stored := store.get(aid)) is not None]


def analysed_for_clustering(article: Article) -> Analysis:
    """:func:`~khabar.analyse.analysis.analyse`, with the comparison profile clustering will need
    (``None`` without a usable model: clustering then falls back on its lexical scorer)."""
    result = analyse_article(article)
    result.profile = _profile(result)
    return result


def _found(article: Article, profile: bool = False) -> tuple[list[Mention], list[Statement], Any]:
    """:func:`~khabar.analyse.analysis.analyse` as a worker runs it: only what it found goes back
    (the parent has the article), with the comparison profile when ``profile``."""
    result = analyse_article(article)
    return result.mentions, result.statements, _profile(result) if profile else None


def _found_compact(article: Article, profile: bool = False) -> tuple[list[Mention], list[Statement], Any]:
    """:func:`_found` for the trip back from a worker: the profile without its text, which the
    parent has (:func:`_restore` puts it back)."""
    mentions, statements, p = _found(article, profile)
    if p is not None:
        p.text = ""
    # as tuples of their fields: half the pickling of dataclass instances, both ways
    return [_MENTION_FIELDS(m) for m in mentions], [_STATEMENT_FIELDS(s) for s in statements], p  # type: ignore[return-value]


def _restore(article: Article, result: tuple[list[Mention], list[Statement], Any]) -> Analysis:
    """The analysis of ``article`` from a worker's result, its profile's text back in place."""
    mentions, statements, p = result
    if mentions and type(mentions[0]) is tuple:  # from _found_compact
        mentions = [Mention(*m) for m in mentions]  # type: ignore[misc]
    if statements and type(statements[0]) is tuple:
        statements = [Statement(*s) for s in statements]  # type: ignore[misc]
    if p is not None and not p.text:
        p.text = analysed_part(article.text)
    return Analysis(article, mentions, statements, p)


def _profile(result: Analysis) -> Any:
    """The comparison profile clustering will need, built here so that worker processes share the work."""
    try:
        from khabar.compare.model import load_model

        model = load_model()
    except Exception:  # no usable model: clustering falls back to its lexical scorer
        return None
    return model.profile(result.article, result.mentions, result.statements)


_MENTION_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(Mention)))
_STATEMENT_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(Statement)))


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Done:
    """Results computed already, with the interface of a pool's async result (``then``: a pool's
    async result whose values follow them)."""

    def __init__(self, value: list[Any], then: Any = None) -> None:
        self.value, self.then = value, then

    def get(self) -> list[Any]:
        return self.value + (self.then.get() if self.then is not None else [])


class _Analyser:
    """Analyses batches of articles, in a pool of worker processes when that pays off.

    The NER tagger and quote rules are CPU-bound Python, so processes (not threads) are what use
    the cores; each worker loads the models once. Small batches stay in this process.
    """

    MIN_PARALLEL = 24

    def __init__(self, workers: int | None, profiles: bool = False) -> None:
        self.workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
        self.profiles = profiles  # also build comparison profiles in the workers (for clustering)
        self.pool: Any = None

    def submit(self, articles: list[Article]) -> Any:
        """Start analysing ``articles``; ``.get()`` on the answer waits for their results, in order."""
        if self.workers <= 1 or len(articles) < self.MIN_PARALLEL:
            return _Done([_found(a) for a in articles])  # clustering builds the profiles it needs
        first: list[Any] = []
        if self.pool is None:
            # The first article is analysed here: that loads the tagger, the word lists and the
            # comparison model (scikit-learn) once, before the fork, instead of once per worker.
            first = [_found(articles[0], profile=self.profiles)]
            articles = articles[1:]
            # fork: workers inherit the loaded code; they never touch the parent's SQLite handle.
            # Workers ignore Ctrl-C: this process decides, so a batch they are analysing is not
            # lost half-way (ingest stores it whole, then stops). Frozen across the fork, what is
            # loaded stays out of the workers' collections, so their pages stay shared.
            gc.freeze()
            try:
                self.pool = multiprocessing.get_context("fork").Pool(self.workers, initializer=_ignore_sigint)
            finally:
                gc.unfreeze()  # this process collects as before
        chunk = max(1, len(articles) // (self.workers * 4))
        job = self.pool.map_async(partial(_found_compact, profile=self.profiles), articles, chunksize=chunk)
        return _Done(first, job) if first else job

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
