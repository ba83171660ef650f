"""Online, incremental story clustering with a bounded candidate index.

Each new article is compared only with a few *candidate* stories, found through indexes kept in
SQLite (``0003_stories.sql``), so the cost of one article does not grow with the store:

* **near-copies** — LSH band keys of the article's MinHash signature (``story_bands``); a candidate
  whose estimated resemblance reaches ``copy_threshold`` is the same text, and the article joins that
  article's story and near-copy group without further scoring;
* **shared keys** — an inverted index (``story_keys``) from the article's most mentioned canonical
  entities and its rarest terms (highest tf·idf stems) to stories; keys posted by more than
  ``max_postings`` stories inside the time window are too common and are ignored;
* **time** — only postings within ``window_days`` of the article's date count.

The best ``top_k`` candidates by shared-key weight go to the comparison model, which scores the
article against each story's representatives (the medoid and the next most central members). The
article joins the best story whose medoid, or a majority of whose representatives, score as the same
story; it never joins on one member alone, so a chain of weak links cannot glue stories together. An
article that links two or more stories *strongly* (medoid score ≤ ``merge_score``) merges them when
their medoids also agree. Otherwise it starts a new story.

>>> from khabar.store.db import Store
>>> from khabar.types import Article
>>> with Store(":memory:") as store:
...     a = Article(id="a1", title="t", text="جيش الإسلام ينفي المفاوضات في الغوطة الشرقية", raw="")
...     _ = store.add_many([a])
...     assign(store, [a], scorer=LexicalScorer())
[1]
"""

from __future__ import annotations

import heapq
import json
import math
import tempfile
import time
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from datasketch import MinHash

from khabar.compare import minhash
from khabar.config import DEFAULT, StoryConfig
from khabar.store.db import Store
from khabar.text import arabic
from khabar.text.dates import parse_when
from khabar.types import Article, Mention, Statement

__all__ = [
    "Clusterer",
    "Features",
    "LexicalScorer",
    "ModelScorer",
    "Scorer",
    "assign",
    "band_keys",
    "clusterer_for",
    "default_scorer",
    "recluster",
    "resolve",
]

_EPOCH = date(1970, 1, 1).toordinal()
_MASK64 = 2**64 - 1
_NO_CENTRALITY = 2.5  # mean score given to a member never compared with another (a founder alone)
_TOP_TERMS = 30  # terms kept per article for the lexical profile (and the rare-term keys among them)


# --- features ------------------------------------------------------------------------------------


def when_of(article: Article) -> tuple[str, int]:
    """The article's time for the timeline (``published``, else ``ingested``, else now) and its day number."""
    for value in (article.published, article.ingested):
        dt = parse_when(value)
        if dt is not None:
            seen = dt.date().isoformat() if len(value.strip()) <= 10 else dt.isoformat()
            return seen, dt.date().toordinal() - _EPOCH
    now = datetime.now(UTC)
    return now.isoformat(timespec="seconds"), now.date().toordinal() - _EPOCH


@lru_cache(maxsize=100_000)
def _entity_key(name: str) -> str:
    try:
        from khabar.compare.profile import entity_key
    except ImportError:  # profile is optional for clustering; the matching form is nearly as good
        return arabic.normalize(name)
    return entity_key(name)


def band_keys(sig: np.ndarray, bands: int, rows: int) -> list[int]:
    """LSH band keys of a signature as signed 64-bit integers (stable across processes and runs)."""
    if minhash.is_empty(sig):
        return []
    m = sig[: bands * rows].astype(np.uint64).reshape(bands, rows)
    # A fixed odd multiplier per row, then the band index mixed in: collisions between different
    # bands or different rows are as unlikely as between random 64-bit values.
    mult = np.array([(0x9E3779B97F4A7C15 ^ (i * 0xBF58476D1CE4E5B9)) & _MASK64 | 1 for i in range(rows)],
                    dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = (m * mult).sum(axis=1, dtype=np.uint64)
        h ^= np.arange(bands, dtype=np.uint64) * np.uint64(0x94D049BB133111EB)
    return [int(x) for x in h.view(np.int64)]


@lru_cache(maxsize=1)
def _permutations() -> tuple[Any, str]:
    m = MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED)
    return m.permutations, m.scheme


def signature(text: str, words: list[str] | None = None) -> np.ndarray:
    """:func:`khabar.compare.minhash.signature` of the text's word shingles, the permutations made once, not per call.

    ``words``: :func:`khabar.text.arabic.words` of ``text`` when the caller has them already.
    """
    items = minhash.shingles(arabic.words(text) if words is None else words)
    perms, scheme = _permutations()
    m = MinHash(num_perm=minhash.NUM_PERM, seed=minhash.SEED, permutations=perms, scheme=scheme)
    if items:
        m.update_batch([s.encode("utf-8") for s in items])
    return np.asarray(m.hashvalues, dtype=np.uint64)


def _sig_blob(sig: np.ndarray) -> bytes:
    # datasketch values are below 2**32: half the bytes as uint32, with uint64 kept for anything else
    if sig.max(initial=0) < 2**32:
        return sig.astype(np.uint32).tobytes()
    return sig.astype(np.uint64).tobytes()


def _sig_from_blob(blob: bytes) -> np.ndarray:
    dtype = np.uint32 if len(blob) == 4 * minhash.NUM_PERM else np.uint64
    return np.frombuffer(blob, dtype=dtype).astype(np.uint64)


@dataclass
class Features:
    """What clustering keeps of one article: signature, top weighted terms, entities, time."""

    article_id: str
    title: str
    lang: str | None
    seen: str
    day: int
    sig: np.ndarray
    terms: dict[str, float]  # top tf·idf stems, L2-normalized weights
    entities: list[tuple[str, str, int]]  # (entity key, type, count), most mentioned first
    vocabulary: frozenset[str] = field(default_factory=frozenset)  # every term, for document frequencies

    def to_json(self) -> str:
        return json.dumps(
            {"t": [[t, round(w, 4)] for t, w in self.terms.items()], "e": [list(e) for e in self.entities],
             "l": self.lang, "h": self.title},
            ensure_ascii=False, separators=(",", ":"),
        )

    @classmethod
    def from_row(cls, article_id: str, seen: str, day: int, sig: bytes, features: str) -> Features:
        d = json.loads(features)
        return cls(article_id, d.get("h", ""), d.get("l"), seen, day, _sig_from_blob(sig),
                   {t: w for t, w in d["t"]}, [(e, ty, c) for e, ty, c in d["e"]])

    def keys(self, config: StoryConfig) -> list[str]:
        """Inverted-index keys: the most mentioned entities, then the rarest terms."""
        ents = [f"e:{e}" for e, _, _ in self.entities[: config.entity_keys]]
        rare = [f"t:{t}" for t in list(self.terms)[: config.term_keys]]
        return ents + rare


def _item_parts(item: Any) -> tuple[Article, list[Mention] | None, list[Statement] | None, Any]:
    """``(article, mentions, statements, profile)`` of an Analysis-like object or a bare Article."""
    if isinstance(item, Article):
        return item, None, None, None
    return item.article, getattr(item, "mentions", None), getattr(item, "statements", None), getattr(
        item, "profile", None)


def _indexable(term: str) -> bool:
    # Numbers change between reports of one story (tolls, times); 2-letter stems are mostly noise.
    return len(term) >= 3 and not term[0].isdigit()


@dataclass
class _Text:
    """An article's words and index terms, computed once (splitting and stemming are the cost)."""

    title_terms: list[str]
    body_terms: list[str]
    body_words: list[str]


def article_terms(article: Article) -> _Text:
    """Index terms of the title and of the body, and the body's words."""
    body_words = arabic.words(article.text)
    return _Text(arabic.terms(article.title, lang=article.lang), arabic.stems(body_words, article.lang), body_words)


def compute_features(
    article: Article, mentions: Sequence[Mention] | None, df: dict[str, int], n_docs: int,
    profile: Any = None, terms: _Text | None = None,
) -> Features:
    """Features of ``article`` with term weights from document frequencies ``df`` over ``n_docs`` articles."""
    seen, day = when_of(article)
    text = terms if terms is not None else article_terms(article)
    sig = getattr(profile, "signature", None)
    if sig is None:
        sig = signature(article.text, text.body_words)
    counts = Counter(text.body_terms)
    for t in text.title_terms:
        counts[t] += 2  # the title names the story; its words weigh like a repeated lead
    for t in [t for t in counts if not _indexable(t)]:
        del counts[t]
    weights = {}
    for t, c in counts.items():
        idf = math.log((n_docs + 1) / (df.get(t, 0) + 1)) + 1.0
        weights[t] = (1.0 + math.log(c)) * idf
    top = heapq.nsmallest(_TOP_TERMS, weights.items(), key=lambda kv: (-kv[1], kv[0]))
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    ents: Counter[tuple[str, str]] = Counter()
    for m in mentions or ():
        key = _entity_key(m.entity or m.text)
        if key:
            ents[(key, m.type)] += 1
    entities = [(k, ty, c) for (k, ty), c in sorted(ents.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Features(article.id, article.title, article.lang, seen, day, sig, {t: w / norm for t, w in top},
                    entities[:20], frozenset(counts))


# --- scorers -------------------------------------------------------------------------------------


class Scorer(Protocol):
    """What clustering needs from a comparison model (scores on the 1..4 scale, lower = closer)."""

    name: str

    def prepare(self, item: Any, features: Features) -> Any:
        """The comparable representation of a new article (``item`` is an Analysis or an Article)."""

    def load(self, store: Store, features: Features) -> Any:
        """The representation of a stored article (a story representative), from the store."""

    def score(self, a: Sequence[Any], b: Sequence[Any]) -> np.ndarray:
        """Scores of the pairs ``(a[i], b[i])``."""


class LexicalScorer:
    """A fast scorer on clustering's own features: cosine of top terms, shared entities, resemblance.

    Used when :mod:`khabar.compare.model` is not available, and by tests that must not depend on a model.
    The mapping to the 1..4 scale is a least-squares fit on the SemEval-2022 Task 8 training pairs.
    """

    name = "lexical"

    def prepare(self, item: Any, features: Features) -> Features:
        return features

    def load(self, store: Store, features: Features) -> Features:
        return features

    def score(self, a: Sequence[Features], b: Sequence[Features]) -> np.ndarray:
        out = np.empty(len(a), dtype=np.float64)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            small, big = (x.terms, y.terms) if len(x.terms) <= len(y.terms) else (y.terms, x.terms)
            cos = sum(w * big.get(t, 0.0) for t, w in small.items())
            ex, ey = {e for e, _, _ in x.entities}, {e for e, _, _ in y.entities}
            ent = len(ex & ey) / len(ex | ey) if ex and ey else 0.0
            r = minhash.resemblance(x.sig, y.sig)
            closeness = min(1.0, 1.45 * cos + 0.35 * ent + 0.5 * r)
            out[i] = 4.0 - 3.0 * closeness
        return out


class ModelScorer:
    """The comparison model of :mod:`khabar.compare.model` (``load_model``, ``score_pairs``).

    ``path``: a model file other than the shipped one.
    """

    name = "model"

    def __init__(self, path: str | None = None) -> None:
        from khabar.compare import model as similarity

        self._similarity = similarity
        self.model = similarity.load_model(path)
        self._shipped = path is None  # profiles built elsewhere (ingest's workers) use the shipped model

    def prepare(self, item: Any, features: Features) -> Any:
        article, mentions, statements, profile = _item_parts(item)
        if profile is not None and self._shipped:
            return profile
        return self.model.profile(article, mentions, statements)

    def load(self, store: Store, features: Features) -> Any:
        article = store.get(features.article_id)
        if article is None:
            raise KeyError(features.article_id)
        mentions, statements = stored_analysis(store, article.id)
        return self.model.profile(article, mentions, statements)

    def score(self, a: Sequence[Any], b: Sequence[Any]) -> np.ndarray:
        if not a:
            return np.empty(0)
        return np.asarray(self._similarity.score_pairs(list(a), list(b), model=self.model), dtype=np.float64)


def default_scorer() -> Scorer:
    """The comparison model when it is installed and loads, else :class:`LexicalScorer`."""
    try:
        return ModelScorer()
    except (ImportError, FileNotFoundError, OSError, AttributeError):
        return LexicalScorer()


def stored_analysis(store: Store, article_id: str) -> tuple[list[Mention] | None, list[Statement] | None]:
    """Mentions and statements the store keeps for an article (``None`` when it was never analysed)."""
    found = store.get_analysis(article_id)
    return found if found is not None else (None, None)


# --- the clusterer -------------------------------------------------------------------------------


@dataclass
class _Member:
    mid: int
    article_id: str
    cent_sum: float
    cent_n: int
    copy_group: int

    @property
    def centrality(self) -> float:
        return self.cent_sum / self.cent_n if self.cent_n else _NO_CENTRALITY


def _pk(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


class Clusterer:
    """Assigns articles to stories in a store.

    A batch is handled in three passes: (1) features and candidates of every article, and one
    scoring call for all the pairs the decisions will need (the article against its candidate
    stories' representatives, and against earlier articles of the batch that share its keys);
    (2) the decisions, in order, from those scores; (3) exact medoids of the small stories the
    batch touched, again in one call. The comparison model has a large cost per call, so this
    batching, and a lexical gate (``gate_score``) that keeps clearly unrelated pairs from the model,
    are what make it affordable. Caches are bounded: features and profiles of recent articles
    (LRU) and the scores of the current batch.
    """

    def __init__(
        self, store: Store, config: StoryConfig = DEFAULT, scorer: Scorer | None = None, cache_size: int = 4000,
    ) -> None:
        self.store = store
        self.db = store.db
        self.config = config
        self.scorer = scorer if scorer is not None else default_scorer()
        self.cache_size = cache_size
        self._lex = LexicalScorer()
        # article id → Features / scorer representation: content-addressed, so safe across rollbacks
        self._feats: OrderedDict[str, Features] = OrderedDict()
        self._profiles: OrderedDict[str, Any] = OrderedDict()
        self._pending: dict[str, Any] = {}  # the batch's items, to prepare their representations
        self._pair: dict[tuple[str, str], float] = {}  # scores of the batch in flight
        self.pairs_scored = 0  # pairs the scorer was asked about
        self.batches: list[tuple[int, float]] = []  # (articles, seconds) of each assign call
        self.pairs_gated = 0  # pairs the lexical gate settled without the model

    # -- public ----------------------------------------------------------------------------------
    def assign(self, items: Iterable[Any]) -> list[int]:
        """Put each article (an Analysis or a stored Article) in a story; returns their story ids.

        Runs inside ``store.transaction()`` (the caller's, when there is one). Articles already
        clustered keep their story. The articles must already be in the store.
        """
        items = list(items)
        t0 = time.perf_counter()
        out = self._assign(items)
        self.batches.append((len(items), time.perf_counter() - t0))
        return out

    def _assign(self, items: list[Any]) -> list[int]:
        out: list[int | None] = [None] * len(items)
        with self.store.transaction():
            todo: list[tuple[int, Any, _Text]] = []
            first: dict[str, int] = {}
            later: list[tuple[int, int]] = []  # the same article again in this batch: (position, first's)
            for idx, item in enumerate(items):
                article = _item_parts(item)[0]
                row = self.db.execute(
                    "SELECT story_id FROM story_articles WHERE article_id = ?", (article.id,)
                ).fetchone()
                if row is not None:
                    out[idx] = row[0]
                elif article.id in first:
                    later.append((idx, first[article.id]))
                else:
                    first[article.id] = idx
                    todo.append((idx, item, article_terms(article)))
            df, n_docs = self._df_for([t for _, _, t in todo])
            batch: list[tuple[int, Any, Features]] = []
            new_df: Counter[str] = Counter()
            for idx, item, text in todo:
                article, mentions, _, profile = _item_parts(item)
                f = compute_features(article, mentions, df, n_docs, profile, text)
                for t in f.vocabulary:
                    df[t] = df.get(t, 0) + 1
                new_df.update(f.vocabulary)
                n_docs += 1
                batch.append((idx, item, f))
                self._remember(self._feats, f.article_id, f, 4 * self.cache_size)
            self._pending = {f.article_id: item for _, item, f in batch}
            try:
                self._prefetch([f for _, _, f in batch])
                touched: set[int] = set()
                for idx, _, f in batch:
                    out[idx] = self._assign_one(f, touched)
                self._refine(touched)
            finally:
                self._pending = {}
                self._pair = {}
            for idx, src in later:
                out[idx] = out[src]
            self.db.executemany(
                "INSERT INTO term_df (term, df) VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
                sorted(new_df.items()),
            )
            return [resolve(self.store, sid) for sid in out if sid is not None]

    # -- document frequencies ---------------------------------------------------------------------
    def _df_for(self, texts: list[_Text]) -> tuple[dict[str, int], int]:
        vocab: set[str] = set()
        for t in texts:
            vocab.update(t.title_terms)
            vocab.update(t.body_terms)
        df: dict[str, int] = {}
        words = sorted(vocab)
        for i in range(0, len(words), 900):  # SQLite's bound-parameter limit
            chunk = words[i : i + 900]
            q = ",".join("?" * len(chunk))
            df.update(self.db.execute(f"SELECT term, df FROM term_df WHERE term IN ({q})", chunk).fetchall())
        n_docs = self.db.execute("SELECT count(*) FROM story_articles").fetchone()[0]
        return df, n_docs

    # -- candidates -------------------------------------------------------------------------------
    def candidates(self, f: Features) -> tuple[Counter[int], list[tuple[float, int, int, int]]]:
        """Candidate stories of an article by shared-key weight, and its near-copies.

        Near-copies come as ``(resemblance, mid, story id, copy group)``. Every lookup is an indexed
        range read capped at ``max_postings``/``max_band_postings`` rows inside the time window, so
        the cost does not depend on the size of the store.
        """
        cfg = self.config
        lo, hi = f.day - cfg.window_days, f.day + cfg.window_days
        near: set[int] = set()
        bands = band_keys(f.sig, cfg.lsh_bands, cfg.lsh_rows)
        if bands:
            # one statement: each band's postings in the window, capped, as a union of indexed range reads
            sub = " UNION ALL ".join(
                "SELECT * FROM (SELECT band, mid FROM story_bands WHERE band = ? AND day BETWEEN ? AND ? LIMIT ?)"
                for _ in bands
            )
            found: dict[int, list[int]] = {}
            for band, mid in self.db.execute(
                sub, [v for b in bands for v in (b, lo, hi, cfg.max_band_postings + 1)]
            ):
                found.setdefault(band, []).append(mid)
            for mids in found.values():
                if len(mids) <= cfg.max_band_postings:
                    near.update(mids)
        weight: Counter[int] = Counter()
        copies: list[tuple[float, int, int, int]] = []
        if near:
            q = ",".join("?" * len(near))
            for mid, sid, sig, group in self.db.execute(
                f"SELECT mid, story_id, sig, copy_group FROM story_articles WHERE mid IN ({q})", sorted(near)
            ):
                r = minhash.resemblance(f.sig, _sig_from_blob(sig))
                weight[sid] += 5.0 * r  # sharing whole passages outweighs any handful of shared keys
                if r >= cfg.copy_threshold:
                    copies.append((r, mid, sid, group))
        keys = f.keys(cfg)
        if keys:
            sub = " UNION ALL ".join(
                "SELECT * FROM (SELECT key, story_id FROM story_keys WHERE key = ? AND day BETWEEN ? AND ? LIMIT ?)"
                for _ in keys
            )
            posted: dict[str, list[int]] = {}
            for key, sid in self.db.execute(sub, [v for k in keys for v in (k, lo, hi, cfg.max_postings + 1)]):
                posted.setdefault(key, []).append(sid)
            for sids in posted.values():
                if len(sids) <= cfg.max_postings:  # a key of too many stories tells none of them apart
                    for sid in sids:
                        weight[sid] += 1.0
        return weight, copies

    def _top(self, weight: Counter[int]) -> list[int]:
        ranked = sorted(weight.items(), key=lambda kv: (-kv[1], -kv[0]))
        return [sid for sid, w in ranked if w >= self.config.min_key_weight][: self.config.top_k]

    def _reps_of(self, sids: list[int]) -> dict[int, list[str]]:
        if not sids:
            return {}
        q = ",".join("?" * len(sids))
        return {sid: json.loads(r)[: self.config.reps]
                for sid, r in self.db.execute(f"SELECT id, reps FROM stories WHERE id IN ({q})", sids)}

    def _prefetch(self, batch: list[Features]) -> None:
        """Score, in one call, the pairs the batch's decisions are likely to need."""
        cfg = self.config
        want: set[tuple[str, str]] = set()
        index: dict[str, list[str]] = {}  # key → earlier articles of this batch
        for f in batch:
            weight, copies = self.candidates(f)
            keys = f.keys(cfg) + [f"b:{b}" for b in band_keys(f.sig, cfg.lsh_bands, cfg.lsh_rows)]
            if not copies:
                for reps in self._reps_of(self._top(weight)).values():
                    want.update(_pk(f.article_id, aid) for aid in reps)
                near: Counter[str] = Counter()
                for k in keys:
                    earlier = index.get(k, ())
                    if len(earlier) <= cfg.max_postings:
                        near.update(earlier)
                ranked = sorted(near.items(), key=lambda kv: (-kv[1], kv[0]))
                want.update(_pk(f.article_id, aid) for aid, w in ranked[: cfg.top_k * cfg.reps]
                            if w >= cfg.min_key_weight)
            for k in keys:
                index.setdefault(k, []).append(f.article_id)
        self._scores(sorted(want))

    # -- scores -----------------------------------------------------------------------------------
    def _scores(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Scores of article-id pairs: from this batch's cache, else lexical gate, then the scorer in one call."""
        keyed = [_pk(a, b) for a, b in pairs]
        missing = sorted({k for k in keyed if k not in self._pair})
        if missing:
            fa = [self._features(a) for a, _ in missing]
            fb = [self._features(b) for _, b in missing]
            vals = self._lex.score(fa, fb)
            if isinstance(self.scorer, LexicalScorer):
                self.pairs_scored += len(missing)
            else:
                ask = [i for i, v in enumerate(vals) if v < self.config.gate_score]
                if ask:
                    got = self.scorer.score([self._profile(missing[i][0]) for i in ask],
                                            [self._profile(missing[i][1]) for i in ask])
                    vals[ask] = got
                self.pairs_scored += len(ask)
                self.pairs_gated += len(missing) - len(ask)
            for k, v in zip(missing, vals, strict=True):
                self._pair[k] = float(v)
        return np.array([self._pair[k] for k in keyed], dtype=np.float64)

    def _remember(self, cache: OrderedDict, key: str, value: Any, size: int) -> None:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > size:
            cache.popitem(last=False)

    def _features(self, article_id: str) -> Features:
        hit = self._feats.get(article_id)
        if hit is not None:
            self._feats.move_to_end(article_id)
            return hit
        row = self.db.execute(
            "SELECT seen, day, sig, features FROM story_articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        f = Features.from_row(article_id, *row)
        self._remember(self._feats, article_id, f, 4 * self.cache_size)
        return f

    def _profile(self, article_id: str) -> Any:
        hit = self._profiles.get(article_id)
        if hit is not None:
            self._profiles.move_to_end(article_id)
            return hit
        f = self._features(article_id)
        item = self._pending.get(article_id)
        p = self.scorer.prepare(item, f) if item is not None else self.scorer.load(self.store, f)
        self._remember(self._profiles, article_id, p, self.cache_size)
        return p

    # -- one article ------------------------------------------------------------------------------
    def _assign_one(self, f: Features, touched: set[int]) -> int:
        cfg = self.config
        bands = band_keys(f.sig, cfg.lsh_bands, cfg.lsh_rows)
        keys = f.keys(cfg)
        weight, copies = self.candidates(f)

        if copies:
            copies.sort(key=lambda c: (-c[0], c[1]))
            _, mid, sid, group = copies[0]
            sid = self._merge_linked(sid, sorted({c[2] for c in copies} - {sid}))
            groups = sorted({c[3] for c in copies if resolve(self.store, c[2]) == sid})
            group = groups[0]
            for g in groups[1:]:  # the article bridges two copy groups of one story: one group now
                self.db.execute("UPDATE story_articles SET copy_group = ? WHERE copy_group = ?", (group, g))
            orig = self.db.execute("SELECT cent_sum, cent_n FROM story_articles WHERE mid = ?", (mid,)).fetchone()
            self._insert_member(sid, f, bands, keys, orig[0], orig[1], group)
            self._touch_story(sid, f)
            touched.add(sid)
            return sid

        best, strong, rep_scores = self._judge(f, self._top(weight))
        if best is None:
            sid = self.db.execute(
                "INSERT INTO stories (headline, medoid, reps, size, first_seen, last_seen, last_day) "
                "VALUES (?, ?, ?, 0, ?, ?, ?)",
                (f.title, f.article_id, json.dumps([f.article_id]), f.seen, f.seen, f.day),
            ).lastrowid
            self._insert_member(sid, f, bands, keys, 0.0, 0, None)
            self._touch_story(sid, f)
            touched.add(sid)
            return sid
        sid = self._merge_linked(best, [s for s in strong if s != best])
        scored = rep_scores[best]
        self._insert_member(sid, f, bands, keys, sum(scored.values()), len(scored), None)
        self.db.executemany(
            "UPDATE story_articles SET cent_sum = cent_sum + ?, cent_n = cent_n + 1 WHERE article_id = ?",
            [(s, aid) for aid, s in scored.items()],
        )
        self._touch_story(sid, f, joined=True)
        touched.add(sid)
        return sid

    def _judge(self, f: Features, cands: list[int]) -> tuple[int | None, list[int], dict[int, dict[str, float]]]:
        """Score the article against the candidates' representatives; the story to join and strong links."""
        cfg = self.config
        reps = self._reps_of(cands)
        pairs = [(sid, aid) for sid in cands for aid in reps.get(sid, [])]
        if not pairs:
            return None, [], {}
        scores = self._scores([(f.article_id, aid) for _, aid in pairs])
        by_story: dict[int, dict[str, float]] = {}
        for (sid, aid), s in zip(pairs, scores, strict=True):
            by_story.setdefault(sid, {})[aid] = float(s)
        joinable: list[tuple[float, float, int]] = []
        strong: list[int] = []
        for sid in cands:
            got = by_story.get(sid)
            if not got:
                continue
            medoid = got[reps[sid][0]]
            vals = list(got.values())
            share = sum(v <= cfg.join_score for v in vals) / len(vals)
            if medoid <= cfg.join_score or (len(vals) >= 2 and share >= cfg.join_share):
                joinable.append((float(np.mean(vals)), medoid, sid))
                if medoid <= cfg.merge_score:
                    strong.append(sid)
        if not joinable:
            return None, [], by_story
        joinable.sort()
        return joinable[0][2], strong, by_story

    # -- representatives --------------------------------------------------------------------------
    def _members(self, sid: int, only: Sequence[str] | None = None) -> list[_Member]:
        if only is None:
            rows = self.db.execute(
                "SELECT mid, article_id, cent_sum, cent_n, copy_group FROM story_articles WHERE story_id = ?", (sid,)
            )
        else:
            q = ",".join("?" * len(only))
            rows = self.db.execute(
                f"SELECT mid, article_id, cent_sum, cent_n, copy_group FROM story_articles WHERE article_id IN ({q})",
                list(only),
            )
        return [_Member(*r) for r in rows]

    def _pick_reps(self, members: list[_Member]) -> list[str]:
        """The most central members, one per near-copy group, most central (the medoid) first."""
        out, groups = [], set()
        for m in sorted(members, key=lambda m: (m.centrality, m.mid)):
            if m.copy_group in groups:
                continue
            groups.add(m.copy_group)
            out.append(m.article_id)
            if len(out) == self.config.reps:
                break
        return out

    def _refine(self, touched: set[int]) -> None:
        """Exact centralities (every pair of members scored) for the small stories the batch touched."""
        small: dict[int, list[_Member]] = {}
        for sid in sorted({resolve(self.store, s) for s in touched}):
            size = self.db.execute("SELECT size FROM stories WHERE id = ?", (sid,)).fetchone()[0]
            if 2 <= size <= self.config.exact_medoid_size:
                small[sid] = self._members(sid)
        pairs = [(a.article_id, b.article_id) for ms in small.values() for k, a in enumerate(ms) for b in ms[k + 1 :]]
        if not pairs:
            return
        scores = dict(zip(pairs, self._scores(pairs), strict=True))
        for sid, ms in small.items():
            for m in ms:
                got = [scores.get((m.article_id, o.article_id), scores.get((o.article_id, m.article_id)))
                       for o in ms if o is not m]
                m.cent_sum, m.cent_n = float(sum(got)), len(got)
            self.db.executemany(
                "UPDATE story_articles SET cent_sum = ?, cent_n = ? WHERE mid = ?",
                [(m.cent_sum, m.cent_n, m.mid) for m in ms],
            )
            self._set_reps(sid, self._pick_reps(ms))

    # -- writes -----------------------------------------------------------------------------------
    def _insert_member(
        self, sid: int, f: Features, bands: list[int], keys: list[str], cent_sum: float, cent_n: int,
        group: int | None,
    ) -> int:
        mid = self.db.execute(
            "INSERT INTO story_articles (article_id, story_id, seen, day, cent_sum, cent_n, copy_group, sig, features) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (f.article_id, sid, f.seen, f.day, cent_sum, cent_n, group, _sig_blob(f.sig), f.to_json()),
        ).lastrowid
        if group is None:
            self.db.execute("UPDATE story_articles SET copy_group = mid WHERE mid = ?", (mid,))
        self.db.executemany(
            "INSERT OR IGNORE INTO story_bands (band, day, mid) VALUES (?, ?, ?)", [(b, f.day, mid) for b in bands]
        )
        self.db.executemany(
            "INSERT INTO story_keys (key, story_id, day) VALUES (?, ?, ?) "
            "ON CONFLICT(key, story_id) DO UPDATE SET day = max(day, excluded.day)",
            [(k, sid, f.day) for k in keys],
        )
        return mid

    def _touch_story(self, sid: int, f: Features, joined: bool = False) -> None:
        """Update size, first/last seen and, after a scored join, the representatives."""
        self.db.execute(
            "UPDATE stories SET size = size + 1, first_seen = min(coalesce(first_seen, ?), ?), "
            "last_seen = max(coalesce(last_seen, ?), ?), last_day = max(coalesce(last_day, ?), ?) WHERE id = ?",
            (f.seen, f.seen, f.seen, f.seen, f.day, f.day, sid),
        )
        if not joined:
            return
        size, reps = self.db.execute("SELECT size, reps FROM stories WHERE id = ?", (sid,)).fetchone()
        # small stories: any member may be the medoid (exact at the end of the batch); large ones: the
        # newcomer may displace a representative, judged on the scores it has
        only = None if size <= self.config.exact_medoid_size else [*json.loads(reps), f.article_id]
        self._set_reps(sid, self._pick_reps(self._members(sid, only)))

    def _set_reps(self, sid: int, reps: list[str]) -> None:
        head = self.db.execute("SELECT title FROM articles WHERE id = ?", (reps[0],)).fetchone()
        self.db.execute(
            "UPDATE stories SET reps = ?, medoid = ?, headline = ? WHERE id = ?",
            (json.dumps(reps), reps[0], head[0] if head else None, sid),
        )

    def _merge_linked(self, sid: int, others: list[int]) -> int:
        """Merge into one story those of ``others`` whose medoid agrees with ``sid``'s; returns the survivor."""
        others = sorted({resolve(self.store, o) for o in others} - {resolve(self.store, sid)})
        sid = resolve(self.store, sid)
        if not others:
            return sid
        medoids = dict(self.db.execute(
            f"SELECT id, medoid FROM stories WHERE id IN ({','.join('?' * (len(others) + 1))})", [sid, *others]
        ).fetchall())
        scores = self._scores([(medoids[sid], medoids[o]) for o in others])
        agree = [o for o, s in zip(others, scores, strict=True) if s <= self.config.merge_link_score]
        if not agree:
            return sid
        return self.merge([sid, *agree])

    def merge(self, story_ids: Sequence[int]) -> int:
        """Merge stories into the largest (the oldest on a tie); returns the surviving id."""
        ids = sorted({resolve(self.store, s) for s in story_ids})
        if len(ids) < 2:
            return ids[0]
        q = ",".join("?" * len(ids))
        rows = {r[0]: r for r in self.db.execute(
            f"SELECT id, size, reps, first_seen, last_seen, last_day FROM stories WHERE id IN ({q})", ids)}
        survivor = min(ids, key=lambda i: (-rows[i][1], i))
        gone = [i for i in ids if i != survivor]
        reps = [aid for i in [survivor, *gone] for aid in json.loads(rows[i][2])]
        for g in gone:
            self.db.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?", (survivor, g))
            self.db.execute(
                "INSERT INTO story_keys (key, story_id, day) SELECT key, ?, day FROM story_keys WHERE story_id = ? "
                "ON CONFLICT(key, story_id) DO UPDATE SET day = max(story_keys.day, excluded.day)",
                (survivor, g),
            )
            self.db.execute("DELETE FROM story_keys WHERE story_id = ?", (g,))
            # two statements, so each uses its index (an OR across columns would scan the table)
            self.db.execute("UPDATE stories SET merged_into = ? WHERE merged_into = ?", (survivor, g))
            self.db.execute("UPDATE stories SET merged_into = ? WHERE id = ?", (survivor, g))
        self.db.execute(
            "UPDATE stories SET size = ?, first_seen = ?, last_seen = ?, last_day = ? WHERE id = ?",
            (sum(rows[i][1] for i in ids), min(rows[i][3] for i in ids), max(rows[i][4] for i in ids),
             max(rows[i][5] for i in ids), survivor),
        )
        # Representatives of the merged story: the old ones met each other only within their story;
        # score the cross pairs once so their centralities cover the whole story.
        owner = {aid: i for i in ids for aid in json.loads(rows[i][2])}
        cross = [(a, b) for k, a in enumerate(reps) for b in reps[k + 1 :] if owner[a] != owner[b]]
        if cross:
            for (a, b), s in zip(cross, self._scores(cross), strict=True):
                self.db.executemany(
                    "UPDATE story_articles SET cent_sum = cent_sum + ?, cent_n = cent_n + 1 WHERE article_id = ?",
                    [(float(s), a), (float(s), b)],
                )
        self._set_reps(survivor, self._pick_reps(self._members(survivor, only=reps)))
        return survivor


def resolve(store: Store, story_id: int) -> int:
    """The live story an id stands for (a merged story points at the one it was merged into)."""
    row = store.db.execute("SELECT merged_into FROM stories WHERE id = ?", (story_id,)).fetchone()
    while row is not None and row[0] is not None:
        story_id = row[0]
        row = store.db.execute("SELECT merged_into FROM stories WHERE id = ?", (story_id,)).fetchone()
    return story_id


# --- module-level entry points -------------------------------------------------------------------

_CLUSTERERS: weakref.WeakKeyDictionary[Store, Clusterer] = weakref.WeakKeyDictionary()


def clusterer_for(store: Store, config: StoryConfig | None = None, scorer: Scorer | None = None) -> Clusterer:
    """The store's clusterer, made once per store and process so that its caches carry over batches."""
    c = _CLUSTERERS.get(store)
    if c is None or (config is not None and c.config != config) or (scorer is not None and c.scorer is not scorer):
        c = Clusterer(store, config or DEFAULT, scorer)
        _CLUSTERERS[store] = c
    return c


def assign(
    store: Store, analyses: Iterable[Any], *, config: StoryConfig | None = None, scorer: Scorer | None = None,
) -> list[int]:
    """Put stored articles (Analysis objects, or bare Articles) into stories; one story id per item.

    Call it on each stored batch inside the batch's transaction: it joins that transaction.
    """
    return clusterer_for(store, config, scorer).assign(analyses)


def load_item(store: Store, article_id: str) -> Any:
    """A stored article with its stored analysis (an Analysis when the store has one, else the Article)."""
    article = store.get(article_id)
    if article is None:
        raise KeyError(article_id)
    mentions, statements = stored_analysis(store, article_id)
    if mentions is None:
        return article
    from khabar.analyse.analysis import Analysis

    return Analysis(article, mentions, statements or [])


def recluster(
    store: Store, *, config: StoryConfig | None = None, scorer: Scorer | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Rebuild every story from the stored articles, in a fixed order (published, then id), in one transaction.

    The result depends only on the stored articles, their analyses and the config: two runs give the
    same stories with the same ids.
    """
    cfg = config or DEFAULT
    c = Clusterer(store, cfg, scorer or clusterer_for(store).scorer)
    t0 = time.perf_counter()
    with store.transaction():
        for table in ("story_bands", "story_keys", "story_articles", "term_df"):
            store.db.execute(f"DELETE FROM {table}")
        store.db.execute("UPDATE stories SET merged_into = NULL")  # let the rows go despite the self-reference
        store.db.execute("DELETE FROM stories")
        ids = [r[0] for r in store.db.execute(
            "SELECT id FROM articles ORDER BY published IS NULL, published, id")]
        for i in range(0, len(ids), cfg.batch_size):
            c.assign([load_item(store, aid) for aid in ids[i : i + cfg.batch_size]])
            if on_batch:
                on_batch(min(i + cfg.batch_size, len(ids)))
    _CLUSTERERS[store] = c
    n = store.db.execute("SELECT count(*) FROM stories WHERE merged_into IS NULL").fetchone()[0]
    return {"articles": len(ids), "stories": n, "seconds": round(time.perf_counter() - t0, 3),
            "scorer": c.scorer.name}


# --- evaluation ----------------------------------------------------------------------------------


def bcubed(gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, float]:
    """BCubed precision, recall and F1 of a clustering ``pred`` against ``gold`` (one label per item).

    >>> bcubed(["a", "a", "b"], [1, 1, 2])
    {'p': 1.0, 'r': 1.0, 'f1': 1.0}
    """
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    if not gold:
        return {"p": 0.0, "r": 0.0, "f1": 0.0}
    both = Counter(zip(gold, pred, strict=True))
    g, p = Counter(gold), Counter(pred)
    # every item of a (gold, pred) cell sees the same cell: sum over cells instead of over items
    prec = sum(n * n / p[pl] for (_, pl), n in both.items()) / len(gold)
    rec = sum(n * n / g[gl] for (gl, _), n in both.items()) / len(gold)
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"p": round(prec, 4), "r": round(rec, 4), "f1": round(f1, 4)}


def pair_scores(gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, float]:
    """Pairwise precision/recall of grouping: of the pairs put together, how many belong together.

    Used for near-copy groups; ``None`` labels are singletons.
    """
    def pairs(labels: Sequence[Any]) -> set[tuple[int, int]]:
        groups: dict[Any, list[int]] = {}
        for i, lab in enumerate(labels):
            if lab is not None:
                groups.setdefault(lab, []).append(i)
        return {(a, b) for idx in groups.values() for k, a in enumerate(idx) for b in idx[k + 1 :]}

    gp, pp = pairs(gold), pairs(pred)
    prec = len(gp & pp) / len(pp) if pp else 1.0
    rec = len(gp & pp) / len(gp) if gp else 1.0
    return {"p": round(prec, 4), "r": round(rec, 4), "pairs_gold": len(gp), "pairs_found": len(pp)}


def _gold_records(path: str) -> tuple[list[dict[str, Any]], int]:
    """The gold file's records that carry an id and a story (in file order); and how many lines were unusable."""
    from pathlib import Path

    records, bad = [], 0
    with Path(path).open(encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                bad += 1
                continue
            if not isinstance(rec, dict) or rec.get("id") is None or rec.get("story") is None:
                bad += 1
                continue
            records.append(rec)
    return records, bad


def record_article_ids(path: str) -> dict[str, str]:
    """Each JSONL record's own id → the id of the article it became (duplicates share one article).

    Reads and cleans the file again, the way ingest does: the store keeps one input id per article,
    so records that repeat an article are found this way only.
    """
    from khabar.read.clean import to_article
    from khabar.read.formats import read
    from khabar.types import ReadError

    out = {}
    for doc in read(path):
        if isinstance(doc, ReadError) or doc.input_id is None:
            continue
        try:
            out[doc.input_id] = to_article(doc).id
        except ValueError:
            continue
    return out


def stream(
    path: str, store: Store, *, config: StoryConfig | None = None, scorer: Scorer | None = None,
    batch_size: int = 200, on_batch: Callable[[int], None] | None = None, analyse: bool = True,
) -> dict[str, Any]:
    """Ingest a JSONL file as a stream: read, clean, analyse, store and cluster, ``batch_size`` records at a time.

    With analysis the file goes through :func:`khabar.pipeline.ingest`, which clusters each batch
    as it stores it; without, each chunk is stored and then clustered here. Broken records are
    reported, never fatal. ``on_batch(n)`` is called as each ``batch_size`` records are read.
    """
    from khabar.pipeline import ingest

    report: dict[str, Any] = {"ingested": 0, "duplicates": 0, "failed": [], "cluster_seconds": 0.0,
                              "cluster_batches": []}
    c = clusterer_for(store, config, scorer)
    first_batch = len(c.batches)
    if analyse:
        # one ingest over the whole file: the pipeline analyses a batch while it clusters the one before
        seen = 0

        def on_item(_origin: str, _ok: bool) -> None:
            nonlocal seen
            seen += 1
            if on_batch and seen % batch_size == 0:
                on_batch(batch_size)

        r = ingest(path, store, batch_size=batch_size, on_item=on_item)
        report.update(ingested=r.ingested, duplicates=r.duplicates, failed=r.failed)
        if on_batch and seen % batch_size:
            on_batch(seen % batch_size)
    else:
        _stream_unanalysed(path, store, c, batch_size, on_batch, report)
    report["cluster_batches"] = c.batches[first_batch:]
    report["cluster_seconds"] = sum(t for _, t in report["cluster_batches"])
    report["pairs_scored"] = c.pairs_scored
    return report


def _stream_unanalysed(path: str, store: Store, c: Clusterer, batch_size: int,
                       on_batch: Callable[[int], None] | None, report: dict[str, Any]) -> None:
    """Without analysis the pipeline does not cluster: store each chunk, then cluster its articles."""
    from khabar.pipeline import ingest

    with Path(path).open("rb") as f:
        chunk: list[bytes] = []

        def flush() -> None:
            with tempfile.TemporaryDirectory(prefix="khabar-stream-") as tmp:
                part = Path(tmp) / f"{Path(path).stem}.jsonl"
                part.write_bytes(b"".join(chunk))
                r = ingest(part, store, batch_size=max(batch_size, len(chunk)), analyse=False)
            report["ingested"] += r.ingested
            report["duplicates"] += r.duplicates
            report["failed"].extend(r.failed)
            with store.transaction():
                c.assign([load_item(store, i) for i in dict.fromkeys(r.ids)])
            if on_batch:
                on_batch(len(chunk))
            chunk.clear()

        for line in f:
            chunk.append(line if line.endswith(b"\n") else line + b"\n")
            if len(chunk) >= batch_size:
                flush()
        if chunk:
            flush()


def evaluate(
    path: str, *, config: StoryConfig | None = None, scorer: Scorer | None = None, batch_size: int = 200,
    db_path: str | None = None,
) -> dict[str, Any]:
    """Cluster a gold JSONL file (``id, title, text``, optional ``url, published``, gold ``story``) from
    scratch, in file order, as a stream in a temporary store; BCubed, ARI, story counts and speed.

    Records may also carry ``copy`` (a gold near-copy group); then near-copy pair precision/recall
    is reported too.
    """
    import tempfile
    from pathlib import Path

    from sklearn.metrics import adjusted_rand_score

    records, bad = _gold_records(path)
    with tempfile.TemporaryDirectory(prefix="khabar-eval-") as tmp:
        with Store(db_path or Path(tmp) / "eval.db") as store:
            t0 = time.perf_counter()
            report = stream(path, store, config=config, scorer=scorer, batch_size=batch_size)
            elapsed = time.perf_counter() - t0
            ids = record_article_ids(path)
            rows = {r[0]: (r[1], r[2]) for r in store.db.execute(
                "SELECT article_id, story_id, copy_group FROM story_articles")}
            by_input = {k: rows[a][0] for k, a in ids.items() if a in rows}
            copy_of = {k: rows[a][1] for k, a in ids.items() if a in rows}
            live = {sid: resolve(store, sid) for sid in set(by_input.values())}
            scorer_name = clusterer_for(store).scorer.name
    gold, pred, gold_copy, pred_copy = [], [], [], []
    missing = 0
    for rec in records:
        sid = by_input.get(str(rec["id"]))
        if sid is None:  # failed to read or clean: not clustered, not scored
            missing += 1
            continue
        gold.append(str(rec["story"]))
        pred.append(live[sid])
        gold_copy.append(rec.get("copy"))
        pred_copy.append(copy_of.get(str(rec["id"])))
    out: dict[str, Any] = {
        "bcubed": bcubed(gold, pred),
        "ari": round(float(adjusted_rand_score(gold, pred)), 4) if gold else 0.0,
        "stories": len(set(pred)),
        "gold_stories": len(set(gold)),
        "articles": len(gold),
        "failed": len(report["failed"]),
        "no_gold": bad,
        "not_clustered": missing,
        "seconds": round(elapsed, 3),
        "articles_per_s": round(len(gold) / elapsed, 1) if elapsed else 0.0,
        "pairs_scored": report["pairs_scored"],
        "scorer": scorer_name,
    }
    if any(c is not None for c in gold_copy):
        # a gold singleton is its own group; so is a predicted one
        gc = [c if c is not None else f"_single{i}" for i, c in enumerate(gold_copy)]
        out["copies"] = pair_scores(gc, pred_copy)
    return out
