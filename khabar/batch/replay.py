"""Step 3 of the batch job: the stories, decided on the driver by the online clusterer itself.

The tasks did the costly, parallel part (reading, cleaning, analysis, stemming, and each article's
comparison profile, built once); here :class:`~khabar.stories.online.Clusterer`, the very code
``khabar ingest`` runs, takes the articles in the order ``ingest`` would meet them, in batches of the
size ``ingest`` stores them, on a scratch store. Every decision (candidates, the lexical gate, joins,
merges, representatives) is therefore taken by the same code on the same inputs: the stories are
those of ``ingest`` by construction, not by a parallel re-implementation of its rules.

Cost and memory. The replay does what ingest's clustering does, O(articles + candidate pairs): each
article's candidate lookups are capped reads of the scratch store's index (``max_postings``, ``top_k``
× ``reps``), so the cost per article does not grow with the corpus. Rows arrive a partition at a
time (partitions of at most :data:`ROWS_PER_PARTITION` rows), the clusterer's caches are bounded
LRUs, the story index is an SQLite file, and profiles wait on disk in a :class:`ProfileShelf` (an
append-only file; memory holds one offset per article), so the driver's memory does not grow with
the corpus beyond that offset table.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     shelf = ProfileShelf(d)
...     shelf.put("a", b"\\x80\\x05K\\x07.")
...     shelf.get("a"), len(shelf)
(7, 1)
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from khabar.batch.rows import mentions, split_terms
from khabar.config import StoryConfig
from khabar.store.stories import StoryIndex
from khabar.stories.features import ArticleText, Features, sig_from_blob
from khabar.types import Article, Mention

#: Rows per partition (at most) of the analysis, each partition one job whose rows go to the driver:
#: a few partitions are in driver memory at a time, the one clustered and those analysed meanwhile
#: (one per core; a profile pickles to ~35 KiB, SemEval mean: 500 rows ≈ 17 MiB), whatever the
#: corpus size. 1,700-row partitions were lost from a local driver's 1 GiB.
ROWS_PER_PARTITION = 500
#: Articles per clustering batch, as ``khabar ingest`` stores and clusters them
#: (:func:`khabar.pipeline.ingest`'s ``batch_size``): the online clusterer settles the small stories'
#: medoids at the end of each batch, so the same boundaries give the same stories.
INGEST_BATCH = 200

#: The columns the replay reads of each article, in arrival order.
REPLAY_COLUMNS = ("id", "title", "lang", "published", "ingested", "url", "source", "entities", "sig",
                  "profile", "title_terms", "body_terms")


class ProfileShelf:
    """Pickled profiles on local disk, by article id: the story representatives' profiles come back
    from here when the clusterer's LRU has let them go (online, they are rebuilt from the store)."""

    def __init__(self, folder: str) -> None:
        self.path = os.path.join(folder, "profiles.bin")
        self._file = open(self.path, "w+b")  # noqa: SIM115 - kept open for the replay's lifetime
        self._where: dict[str, tuple[int, int]] = {}

    def put(self, article_id: str, blob: bytes) -> None:
        self._file.seek(0, os.SEEK_END)
        self._where[article_id] = (self._file.tell(), len(blob))
        self._file.write(blob)

    def get(self, article_id: str) -> Any:
        offset, size = self._where[article_id]
        self._file.seek(offset)
        return pickle.loads(self._file.read(size))  # noqa: S301 - written by this job's own tasks

    def __len__(self) -> int:
        return len(self._where)

    def close(self) -> None:
        self._file.close()


@dataclass
class Item:
    """An article as the clusterer takes it from ingest (an Analysis), with its terms stemmed in a task."""

    article: Article
    mentions: list[Mention]
    statements: list[Any] = field(default_factory=list)
    profile: Any = None
    terms: ArticleText | None = None


def shelf_scorer(shelf: ProfileShelf) -> Any:
    """The comparison model as ingest scores with it (:class:`~khabar.stories.scorers.ModelScorer`),
    except that a stored article's profile comes from the :class:`ProfileShelf`, where the online path
    rebuilds the same profile from the store (a new article's comes with it, as from ingest's workers)."""
    from khabar.stories.scorers import ModelScorer

    class ShelfScorer(ModelScorer):
        def prepare(self, item: Any, features: Features) -> Any:
            # the profile the task built (unpickled only now: many articles are never scored)
            return shelf.get(features.article_id)

        def load(self, store: Any, features: Features) -> Any:
            return shelf.get(features.article_id)

    return ShelfScorer()


def scorer_name() -> str:
    """What the online path would score with here: the comparison model when it loads, else lexical."""
    from khabar.stories.scorers import default_scorer

    return default_scorer().name


def _item(r: Any, model: bool, shelf: ProfileShelf) -> Item:
    article = Article(id=r["id"], title=r["title"] or "", text="", raw="", url=r["url"], source=r["source"],
                      lang=r["lang"], published=r["published"], ingested=r["ingested"])
    if model:  # the scorer takes the profile from the shelf when it needs it (shelf_scorer)
        shelf.put(r["id"], bytes(r["profile"]))
    # the features need only the signature, and the one the task computed (from the profile, as
    # ingest's features take it) is that one
    profile = SimpleNamespace(signature=sig_from_blob(bytes(r["sig"])))
    terms = ArticleText(split_terms(r["title_terms"]), split_terms(r["body_terms"]), [])
    return Item(article, mentions(r["entities"]), [], profile, terms)


#: Rows per chunk of an output table handed to the writer (bounded driver memory while writing).
WRITE_CHUNK = 20_000


@dataclass
class Replayed:
    """What the replay counted; its tables went to the writer."""

    stories: int = 0
    multi: int = 0  # stories of two articles or more
    largest: int = 0
    copies: int = 0  # members in the near-copy group of an earlier article
    pairs_scored: int = 0
    pairs_gated: int = 0


def replay(
    rows: Iterable[Any], scorer_name: str, config: StoryConfig, folder: str,
    write: Callable[[str, list[tuple[Any, ...]]], None],
) -> Replayed:
    """Cluster ``rows`` (in arrival order, :data:`REPLAY_COLUMNS`) with the online clusterer in ``folder``.

    ``write(table, rows)`` receives the ``members``, ``stories`` and ``terms`` rows
    (:data:`khabar.batch.tables.MEMBER_COLUMNS`, :data:`~khabar.batch.tables.STORY_COLUMNS`,
    :data:`~khabar.batch.tables.TERM_COLUMNS`) in chunks.
    """
    from khabar.store.db import Store
    from khabar.stories.online import Clusterer
    from khabar.stories.scorers import LexicalScorer

    model = scorer_name == "model"
    shelf = ProfileShelf(folder)
    try:
        with Store(os.path.join(folder, "replay.db")) as store:
            scorer = shelf_scorer(shelf) if model else LexicalScorer()
            clusterer = Clusterer(store, config, scorer)
            for batch in _batches((_item(r, model, shelf) for r in rows), INGEST_BATCH):
                with store.transaction():
                    # the scratch store holds what the story tables point at, not the texts
                    store.add_many([it.article for it in batch])
                    clusterer.assign(batch)
            out = _tables(clusterer.index, write)
            _terms(store, write)
            out.pairs_scored, out.pairs_gated = clusterer.pairs_scored, clusterer.pairs_gated
            return out
    finally:
        shelf.close()


def _terms(store: Any, write: Callable[[str, list[tuple[Any, ...]]], None]) -> None:
    """The ``terms`` table: document frequencies as the clusterer counted them (each clustered
    article's vocabulary once), from the scratch store."""
    chunk: list[tuple[Any, ...]] = []
    for row in StoryIndex(store).all_document_frequencies():
        chunk.append(row)
        if len(chunk) >= WRITE_CHUNK:
            write("terms", chunk)
            chunk = []
    if chunk:
        write("terms", chunk)


def _batches(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for it in items:
        batch.append(it)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _tables(index: Any, write: Callable[[str, list[tuple[Any, ...]]], None]) -> Replayed:
    """The scratch store's live stories and their members, to ``write`` in chunks."""
    out = Replayed()
    live = sorted({index.resolve(s) or s for s, _ in index.memberships().values()})
    members: list[tuple[Any, ...]] = []
    stories: list[tuple[Any, ...]] = []
    for k in range(0, len(live), 500):
        ids = live[k : k + 500]
        found, medoids = index.stories(ids), index.medoids(ids)
        for sid in ids:
            ms = index.members(sid)
            heads = {m.mid: m.article_id for m in ms}  # a copy group is named by its first member's mid
            for m in ms:
                head = heads.get(m.copy_group, m.article_id)
                out.copies += head != m.article_id
                sim = round(m.cent_sum / m.cent_n, 3) if m.cent_n else None
                members.append((m.article_id, sid, sim, head, float(m.cent_sum), int(m.cent_n),
                                *index.features_row(m.article_id)))
            row = found[sid]
            stories.append((sid, index.summary_row(sid)[1], row.size, sorted(index.sources(sid)), row.first_seen,
                            row.last_seen, row.last_day, medoids[sid], list(row.reps)))
            out.stories += 1
            out.multi += row.size > 1
            out.largest = max(out.largest, row.size)
        for table, chunk in (("members", members), ("stories", stories)):
            if len(chunk) >= WRITE_CHUNK or (chunk and k + 500 >= len(live)):
                write(table, list(chunk))
                chunk.clear()
    return out
