"""What the story engine keeps of one article: its time, MinHash signature, top weighted terms and
entities (:class:`Features`), and the index keys derived from them (LSH band keys, entity and rare-term keys).

The online clusterer and the Spark job compute features here, and the store keeps them as
:func:`sig_blob` and :meth:`Features.to_json` give them.

>>> from khabar.config import DEFAULT
>>> from khabar.types import Article
>>> a = Article(id="a1", title="نفي المفاوضات", text="جيش الإسلام ينفي المفاوضات في الغوطة الشرقية", raw="",
...             published="2018-03-01")
>>> f = compute_features(a, None, {}, 0)
>>> f.seen, f.day, len(band_keys(f.sig, DEFAULT.lsh_bands, DEFAULT.lsh_rows)) == DEFAULT.lsh_bands
('2018-03-01', 17591, True)
>>> bool((sig_from_blob(sig_blob(f.sig)) == f.sig).all())
True
"""

from __future__ import annotations

import heapq
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import numpy as np

from khabar.analyse.bounds import analysed_part
from khabar.compare import minhash
from khabar.config import StoryConfig
from khabar.stories.rules import UNDATED
from khabar.text import arabic
from khabar.text.dates import parse_when
from khabar.types import Article, Mention, Statement

__all__ = [
    "ArticleText",
    "Features",
    "article_terms",
    "band_keys",
    "compute_features",
    "entity_key",
    "item_parts",
    "sig_blob",
    "sig_from_blob",
    "when_of",
]

_EPOCH = date(1970, 1, 1).toordinal()
_MASK64 = 2**64 - 1
_TOP_TERMS = 30  # terms kept per article for the lexical profile (and the rare-term keys among them)


def when_of(article: Article) -> tuple[str, int]:
    """The article's time for the timeline (``published``, else ``ingested``, else now) and its day number
    for the time window: the published day, else :data:`~khabar.stories.rules.UNDATED` (an ingest
    day says nothing of when the event happened)."""
    for dated, value in ((True, article.published), (False, article.ingested)):
        dt = parse_when(value)
        if dt is not None:
            seen = dt.date().isoformat() if len(value.strip()) <= 10 else dt.isoformat()
            return seen, dt.date().toordinal() - _EPOCH if dated else UNDATED
    return datetime.now(UTC).isoformat(timespec="seconds"), UNDATED


@lru_cache(maxsize=100_000)
def entity_key(name: str) -> str:
    """The canonical key of an entity name (:func:`khabar.compare.profile.entity_key`), cached."""
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


def sig_blob(sig: np.ndarray) -> bytes:
    """A signature as the store keeps it."""
    # datasketch values are below 2**32: half the bytes as uint32, with uint64 kept for anything else
    if sig.max(initial=0) < 2**32:
        return sig.astype(np.uint32).tobytes()
    return sig.astype(np.uint64).tobytes()


def sig_from_blob(blob: bytes) -> np.ndarray:
    """A signature from its stored form (:func:`sig_blob`)."""
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
    # band keys by (bands, rows): clustering asks for them several times per article
    _bands: dict[tuple[int, int], list[int]] = field(default_factory=dict, repr=False, compare=False)

    def band_keys(self, bands: int, rows: int) -> list[int]:
        """:func:`band_keys` of the signature, computed once (the list is shared: do not change it)."""
        hit = self._bands.get((bands, rows))
        if hit is None:
            hit = self._bands[(bands, rows)] = band_keys(self.sig, bands, rows)
        return hit

    def to_json(self) -> str:
        return json.dumps(
            {"t": [[t, round(w, 4)] for t, w in self.terms.items()], "e": [list(e) for e in self.entities],
             "l": self.lang, "h": self.title},
            ensure_ascii=False, separators=(",", ":"),
        )

    @classmethod
    def from_row(cls, article_id: str, seen: str, day: int, sig: bytes, features: str) -> Features:
        d = json.loads(features)
        return cls(article_id, d.get("h", ""), d.get("l"), seen, day, sig_from_blob(sig),
                   {t: w for t, w in d["t"]}, [(e, ty, c) for e, ty, c in d["e"]])

    def keys(self, config: StoryConfig) -> list[str]:
        """Inverted-index keys: the most mentioned entities, then the rarest terms."""
        ents = [f"e:{e}" for e, _, _ in self.entities[: config.entity_keys]]
        rare = [f"t:{t}" for t in list(self.terms)[: config.term_keys]]
        return ents + rare


def item_parts(item: Any) -> tuple[Article, list[Mention] | None, list[Statement] | None, Any]:
    """``(article, mentions, statements, profile)`` of an Analysis-like object or a bare Article."""
    if isinstance(item, Article):
        return item, None, None, None
    return item.article, getattr(item, "mentions", None), getattr(item, "statements", None), getattr(
        item, "profile", None)


@dataclass
class ArticleText:
    """An article's words and index terms, computed once (splitting and stemming are the cost)."""

    title_terms: list[str]
    body_terms: list[str]
    body_words: list[str]


def article_terms(article: Article) -> ArticleText:
    """Index terms of the title and of the body, and the body's words."""
    body_words = arabic.words(analysed_part(article.text))  # bounded cost, as for analysis
    return ArticleText(arabic.terms(article.title, lang=article.lang), arabic.stems(body_words, article.lang), body_words)


def compute_features(
    article: Article, mentions: Sequence[Mention] | None, df: dict[str, int], n_docs: int,
    profile: Any = None, terms: ArticleText | None = None,
) -> Features:
    """Features of ``article`` with term weights from document frequencies ``df`` over ``n_docs`` articles."""
    seen, day = when_of(article)
    text = terms if terms is not None else article_terms(article)
    sig = getattr(profile, "signature", None)
    if sig is None:
        sig = minhash.text_signature("", text.body_words)  # the words of the analysed part
    counts = Counter(text.body_terms)
    for t in text.title_terms:
        counts[t] += 2  # the title names the story; its words weigh like a repeated lead
    # not indexable: numbers change between reports of one story (tolls, times); 2-letter stems are mostly noise
    for t in [t for t in counts if len(t) < 3 or t[0].isdigit()]:
        del counts[t]
    weights = {}
    for t, c in counts.items():
        idf = math.log((n_docs + 1) / (df.get(t, 0) + 1)) + 1.0
        weights[t] = (1.0 + math.log(c)) * idf
    top = heapq.nsmallest(_TOP_TERMS, weights.items(), key=lambda kv: (-kv[1], kv[0]))
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    ents: Counter[tuple[str, str]] = Counter()
    for m in mentions or ():
        key = entity_key(m.entity or m.text)
        if key:
            ents[(key, m.type)] += 1
    entities = [(k, ty, c) for (k, ty), c in sorted(ents.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Features(article.id, article.title, article.lang, seen, day, sig, {t: w / norm for t, w in top},
                    entities[:20], frozenset(counts))
