"""A per-article representation built once and compared many times (:mod:`khabar.compare.features`).

A :class:`Profile` holds what pair features need: TF-IDF vectors of the matching-form stems
(:func:`khabar.text.arabic.terms`) for the whole text, the title and the lead, a character n-gram TF-IDF
vector, per-sentence vectors (for best-sentence similarity and passage alignment), the entities
by type, the figures (:mod:`khabar.compare.figures`), quotes, a MinHash signature, length and date.
The vectors are weighted by a :class:`~khabar.compare.background.Background`: the shipped model's
(``khabar.compare.model.load_model().background``), or one fitted on other articles.

>>> entity_key("«جيش الإسلام»") == entity_key("جيش الاسلام")
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import scipy.sparse as sp

from khabar.analyse.bounds import analysed_part
from khabar.compare import minhash
from khabar.compare.background import Background, binary
from khabar.compare.config import DEFAULT, CompareConfig
from khabar.compare.figures import Numbers, extract_numbers
from khabar.compare.hashing import char_counts, term_buckets, word_counts
from khabar.text import arabic
from khabar.text.dates import parse_day
from khabar.types import Article, Mention, Statement

# --- entities, quotes ----------------------------------------------------------------------------------

_STRIP = re.compile(r"[\"'()\[\]{}«»“”‘’<>.,،:;!?؟\-_/]+")


def _display(name: str) -> str:
    """A name in matching form without brackets or quotes (how evidence names an entity)."""
    return " ".join(_STRIP.sub(" ", arabic.normalize(name)).split())


def entity_key(name: str) -> str:
    """The matching key of an entity name: matching form, brackets/quotes gone, ال and clitics off each word.

    >>> entity_key('(حمزة بيرقدار)') == entity_key('حمزه بيرقدار')
    True
    >>> entity_key('"الغوطة الشرقية"') == entity_key('غوطة شرقية')
    True
    """
    words = []
    for w in _STRIP.sub(" ", arabic.normalize(name)).split():
        if w.startswith("ال") and len(w) > 4:
            w = w[2:]
        elif w.startswith(("وال", "بال", "لل")) and len(w) > 5:
            w = w[3:] if w[1] == "ا" else w[2:]
        if w:
            words.append(w)
    return " ".join(words)


@dataclass
class Entity:
    """One entity of one article: its canonical name (Mention.entity), type, and the surface forms used."""

    entity: str
    type: str
    surfaces: list[str]
    count: int
    weight: float = 1.0  # mean IDF of its words: sharing "مصر" says less than sharing "بيرقدار"
    # entity_key of the canonical name and of every surface form → that name in matching form; the
    # linker may file "جيش الإسلام" under "هيئة أركان جيش الإسلام", and either should meet its namesake
    aliases: dict[str, str] = field(default_factory=dict)


@dataclass
class Quote:
    """One statement, reduced to what quote matching needs."""

    text: str
    speaker: str | None
    terms: frozenset[str]
    start: int
    end: int


# --- the profile ---------------------------------------------------------------------------------------


@dataclass
class Profile:
    """Everything pair features need about one article; build with :func:`build_profile`."""

    id: str
    lang: str | None
    title: str
    text: str
    n_terms: int
    published: date | None
    word: sp.csr_matrix  # 1 × WORD_FEATURES, sublinear TF-IDF, L2-normalized
    title_vec: sp.csr_matrix
    lead_vec: sp.csr_matrix
    char: sp.csr_matrix  # 1 × CHAR_FEATURES
    title_char: sp.csr_matrix
    lead_char: sp.csr_matrix
    keywords: frozenset[int]  # hash buckets of the CompareConfig.keywords heaviest terms
    presence: sp.csr_matrix  # 1 × WORD_FEATURES: IDF of each term present (for containment)
    sent_spans: list[tuple[int, int]]  # offsets into ``text``
    sent_vecs: sp.csr_matrix  # n_sent × WORD_FEATURES, L2-normalized rows
    word_tf: sp.csr_matrix  # raw counts, for update_idf
    char_tf: sp.csr_matrix
    numbers: Numbers
    signature: np.ndarray
    # figures of the lead alone: the day and the figures a report opens with name its happening
    lead_numbers: Numbers = field(default_factory=Numbers)
    entities: dict[str, Entity] | None = None  # entity_key → Entity; None when not analysed
    quotes: list[Quote] | None = None  # None when not analysed
    embedding: np.ndarray | None = None  # unit vector from an optional Embedder (khabar.compare.embed)
    # sent_vecs' non-zeros as (row, position in sent_cols), sent_cols the sorted buckets used: lets a
    # pair's sentence-by-sentence product run on the buckets both share (khabar.compare.features)
    sent_cols: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    sent_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    sent_colpos: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    packed: tuple[sp.csr_matrix, sp.csr_matrix] | None = field(default=None, repr=False)  # see khabar.compare.features

    def __post_init__(self) -> None:
        sv = self.sent_vecs
        self.sent_cols = np.unique(sv.indices).astype(np.int32)
        self.sent_rows = np.repeat(np.arange(sv.shape[0], dtype=np.int32), np.diff(sv.indptr))
        self.sent_colpos = np.searchsorted(self.sent_cols, sv.indices).astype(np.int32)

    # Pickled compactly (worker results, Spark rows, caches): raw counts travel as uint16 and share
    # their buckets with the weighted vector of the same row, and every array travels in one byte
    # buffer (one object to pickle instead of some forty arrays, which cost more than their bytes).
    def __getstate__(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k != "packed"}
        state["presence"] = _pack_counts(self.presence, self.word_tf, counts=False)
        for tf, vec in _SHARED:
            state[tf] = _pack_counts(state[tf], state[vec])
        for name in _VECTORS:
            m = state[name]
            if type(m) is sp.csr_matrix:
                state[name] = ("csr", sp.csr_matrix, dict(m.__dict__))
        return _to_buffer(state)

    def __setstate__(self, state: dict) -> None:
        state = _from_buffer(state)
        for name in _VECTORS:
            state[name] = _unpack_counts(state[name], None)
        for tf, vec in _SHARED:
            state[tf] = _unpack_counts(state[tf], state[vec])
        state["presence"] = _unpack_counts(state["presence"], state["word_tf"])
        derived = "sent_colpos" in state  # a profile pickled before derived arrays travelled lacks them
        self.__dict__.update(state)
        self.packed = None
        if not derived:
            self.__post_init__()


_SHARED = (("word_tf", "word"), ("char_tf", "char"))  # raw counts, and the weighted row of the same buckets
_VECTORS = ("word", "title_vec", "lead_vec", "char", "title_char", "lead_char", "sent_vecs")
_BUFFER = "_arrays"  # state key of the byte buffer and where each of its arrays goes


def _to_buffer(state: dict) -> dict:
    """``state`` with its numeric arrays (top level, and in matrix states) moved into one byte buffer."""
    parts: list[bytes] = []
    layout: list[tuple[str, str | None, str, tuple[int, ...], int, int]] = []
    todo: list[tuple[str, str | None, np.ndarray]] = []
    for key, v in list(state.items()):
        if type(v) is np.ndarray and v.dtype.kind in "biuf":
            todo.append((key, None, v))
            state[key] = None
        elif isinstance(v, tuple) and v[:1] == ("csr",):
            d = v[2]
            for sub, a in list(d.items()):
                if type(a) is np.ndarray and a.dtype.kind in "biuf":
                    todo.append((key, sub, a))
                    d[sub] = None
            if isinstance(d["data"], tuple):  # uint16 counts
                todo.append((key, "data16", d["data"][0]))
                d["data"] = (None, d["data"][1])
    offset = 0
    for key, sub, a in todo:
        raw = a.tobytes()  # C order, whatever the array's
        n = len(raw)
        parts.append(raw)
        layout.append((key, sub, a.dtype.str, a.shape, offset, n))
        pad = -n & 7  # every array starts 8-aligned in the buffer
        if pad:
            parts.append(b"\0" * pad)
        offset += n + pad
    state[_BUFFER] = (b"".join(parts), layout)
    return state


def _from_buffer(state: dict) -> dict:
    """The state :func:`_to_buffer` took apart, its arrays views of one writable copy of the buffer."""
    state = dict(state)
    packed = state.pop(_BUFFER, None)
    if packed is None:
        return state  # a profile pickled before the buffer
    raw, layout = packed
    mem = np.frombuffer(bytearray(raw), np.uint8)  # writable, as unpickled arrays are
    copied: set[str] = set()
    for key, sub, dtype, shape, offset, size in layout:
        a = mem[offset : offset + size].view(dtype)
        if len(shape) != 1:
            a = a.reshape(shape)
        if sub is None:
            state[key] = a
            continue
        if key not in copied:  # a matrix's state: filled in a copy (copy.copy hands the same state)
            tag, cls, d = state[key]
            state[key] = (tag, cls, dict(d))
            copied.add(key)
        d = state[key][2]
        if sub == "data16":
            d["data"] = (a, d["data"][1])
        else:
            d[sub] = a
    return state


def _pack_counts(m: sp.csr_matrix, like: sp.csr_matrix, counts: bool = True) -> Any:
    """``m`` as its matrix state, with the buckets dropped when ``like`` has the same (in any of the two
    orders the profile uses) and whole-number counts below 2^16 as uint16."""
    d = dict(m.__dict__)
    if d["indices"].size == like.indices.size and d["indptr"].size == 2:
        if np.array_equal(d["indices"], like.indices):
            d["indices"] = "same"
        elif np.array_equal(d["indices"], like.indices[::-1]):
            d["indices"] = "reversed"
    data = d["data"]
    if counts and data.size and data.max() < 65536 and np.array_equal(data, np.floor(data)):
        d["data"] = (data.astype(np.uint16), data.dtype.str)
    return ("csr", type(m), d)


def _unpack_counts(packed: Any, like: sp.csr_matrix) -> sp.csr_matrix:
    if not (isinstance(packed, tuple) and packed[:1] == ("csr",)):
        return packed  # a profile pickled before compact state
    _, cls, d = packed
    d = dict(d)
    if isinstance(d["indices"], str):
        d["indices"] = like.indices.copy() if d["indices"] == "same" else like.indices[::-1].copy()
    if isinstance(d["data"], tuple):
        d["data"] = d["data"][0].astype(np.dtype(d["data"][1]))
    m = cls.__new__(cls)  # as pickle itself rebuilds a matrix: its state, no format checks
    m.__dict__.update(d)
    return m


class _Rows:
    """A CSR matrix as its three arrays, cut into row ranges without scipy's per-slice checks."""

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, width: int) -> None:
        self.data, self.indices, self.indptr, self.width = data, indices, indptr, width

    def rows(self, start: int, stop: int | None = None) -> sp.csr_matrix:
        stop = start + 1 if stop is None else max(start, stop)
        a, b = self.indptr[start], self.indptr[stop]
        return _csr_view(self.data[a:b], self.indices[a:b], self.indptr[start : stop + 1] - a, stop - start,
                         self.width)


_MAXPRINT = sp.csr_matrix((1, 1)).maxprint


def _csr_view(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, n_rows: int, width: int) -> sp.csr_matrix:
    """``csr_matrix((data, indices, indptr), shape=(n_rows, width))`` for canonical int32 arrays: the
    matrix scipy's constructor makes of them (the same arrays, unconverted), without its checks, which
    cost more than the rest of a profile's vectors (a dozen matrices an article)."""
    if indices.dtype != np.int32 or indptr.dtype != np.int32 or width >= 2**31:
        return sp.csr_matrix((data, indices, indptr), shape=(n_rows, width))
    m = sp.csr_matrix.__new__(sp.csr_matrix)
    m.__dict__.update(_shape=(n_rows, width), maxprint=_MAXPRINT, indices=indices, indptr=indptr, data=data)
    return m


def _weigh(counts: _Rows, idf: np.ndarray) -> _Rows:
    """Sublinear TF × IDF, rows L2-normalized (an all-zero row stays zero); ``counts`` canonical.

    The arithmetic and the entries' order are exactly those of ``diags(1 / norms) @ tfidf`` in
    float32 (each row's sum of squares as scipy's row sum adds it; each row's
    entries in reverse bucket order, as scipy's product leaves them) without its cost.
    """
    ptr = counts.indptr
    data = (1.0 + np.log(counts.data.astype(np.float32))) * idf[counts.indices]
    sq = data * data
    lens = np.diff(ptr)
    norms = np.ones(lens.size, dtype=np.float32)
    full = lens > 0
    if sq.size:  # reduceat sums as scipy's row sum does (an empty row would read its neighbour)
        norms[full] = np.sqrt(np.add.reduceat(sq, ptr[:-1][full]))
    norms[norms == 0] = 1.0
    rows = np.repeat(np.arange(lens.size), lens)
    src = (ptr[rows] + ptr[rows + 1] - 1) - np.arange(data.size)  # each row reversed
    scaled = ((1.0 / norms)[rows] * data)[src]
    return _Rows(scaled, counts.indices[src], ptr, counts.width)


def _presence(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    m = counts.tocsr().astype(np.float32)
    m.sum_duplicates()
    m.data = idf[m.indices].astype(np.float32)
    return m


def _entities(mentions: Sequence[Mention], lang: str | None, word_idf: np.ndarray) -> dict[str, Entity]:
    """The article's entities by :func:`entity_key`, each with its surface forms, aliases and IDF weight."""
    ents: dict[str, Entity] = {}
    for m in mentions:
        key = entity_key(m.entity or m.text)
        if not key:
            continue
        e = ents.get(key)
        if e is None:
            e = ents[key] = Entity(m.entity or m.text, m.type, [m.text], 1)
            e.aliases[key] = _display(m.entity or m.text)
        else:
            e.count += 1
            if m.text not in e.surfaces:
                e.surfaces.append(m.text)
        alias = entity_key(m.text)
        if alias:
            e.aliases.setdefault(alias, _display(m.text))
    for e in ents.values():
        idx = np.unique(term_buckets(arabic.terms(e.entity, lang=lang)))
        e.weight = float(word_idf[idx].mean()) if idx.size else float(word_idf.max())
    return ents


def build_profile(
    article: Article,
    background: Background,
    mentions: Sequence[Mention] | None = None,
    statements: Sequence[Statement] | None = None,
    config: CompareConfig = DEFAULT,
) -> Profile:
    """The profile of ``article`` weighted by ``background`` (the shipped one:
    ``khabar.compare.model.load_model().background``).

    ``mentions``/``statements`` come from :mod:`khabar.analyse.entities`/:mod:`khabar.analyse.quotes` on ``article.text``;
    without them the entity and quote features are missing (NaN), not zero.
    """
    word_idf, char_idf = background.idf()
    text = analysed_part(article.text)  # the bound on cost per article, as for entities and quotes
    lang = article.lang
    spans = arabic.sentences(text)
    # tokenised once: the sentences' words give the terms and, end to end, the signature's shingles
    # (no word crosses a sentence boundary: spans cover every non-space character)
    sent_words = [arabic.words(text[a:b]) for a, b in spans]
    sent_terms = [arabic.stems(ws, lang) for ws in sent_words]
    all_terms = [t for st in sent_terms for t in st]
    n_lead = config.lead_sentences
    lead_terms = [t for st in sent_terms[:n_lead] for t in st]
    title_terms = arabic.terms(article.title, lang=lang)

    kept = [i for i, st in enumerate(sent_terms) if st][: config.max_sentences]
    counts = _Rows(*word_counts([all_terms, title_terms, lead_terms] + [sent_terms[i] for i in kept]))
    weighted = _weigh(counts, word_idf)
    lead_text = text[spans[0][0] : spans[min(n_lead, len(spans)) - 1][1]] if spans else ""
    norm_text, norm_title, norm_lead = arabic.normalize(text), arabic.normalize(article.title), arabic.normalize(lead_text)
    chars_tf = _Rows(*char_counts([norm_text, norm_title, norm_lead]))
    chars = _weigh(chars_tf, char_idf)
    w = weighted.rows(0)
    top = w.indices[np.argsort(-w.data, kind="stable")[: config.keywords]]
    quotes: list[Quote] | None = None
    if statements is not None:
        quotes = [
            Quote(s.text, s.speaker, frozenset(arabic.terms(s.text, lang=lang)), s.start, s.end)
            for s in statements
        ]
    return Profile(
        id=article.id,
        lang=lang,
        title=article.title,
        text=text,
        n_terms=len(all_terms),
        published=parse_day(article.published),
        word=w,
        title_vec=weighted.rows(1),
        lead_vec=weighted.rows(2),
        char=chars.rows(0),
        title_char=chars.rows(1),
        lead_char=chars.rows(2),
        keywords=frozenset(top.tolist()),
        presence=_presence(counts.rows(0), word_idf),
        sent_spans=[spans[i] for i in kept],
        sent_vecs=weighted.rows(3, len(kept) + 3),
        word_tf=counts.rows(0),
        char_tf=chars_tf.rows(0),
        # normalize(title + "\n" + text), without normalizing the text a second time
        numbers=extract_numbers(" ".join(filter(None, (norm_title, norm_text))), config.min_quantity,
                                normalized=True),
        signature=minhash.text_signature(text, [w for ws in sent_words for w in ws]),
        lead_numbers=extract_numbers(norm_lead, config.min_quantity, normalized=True),
        entities=None if mentions is None else _entities(mentions, lang, word_idf),
        quotes=quotes,
    )


def update_idf(background: Background, profiles: Iterable[Profile]) -> Background:
    """A copy of ``background`` that also counts ``profiles`` (e.g. every article of a store).

    Profiles built earlier keep their old weights; rebuild them (or :func:`reweight`) to use the new one.
    """
    bg = Background(background.n_docs, background.word_df.copy(), background.char_df.copy())
    for p in profiles:
        bg.add(binary(p.word_tf), binary(p.char_tf))
    return bg


def reweight(profile: Profile, background: Background) -> Profile:
    """Rebuild ``profile``'s vectors with a new background (cheaper than re-reading the article)."""
    art = Article(id=profile.id, title=profile.title, text=profile.text, raw="", lang=profile.lang,
                  published=profile.published.isoformat() if profile.published else None)
    p = build_profile(art, background)
    p.entities, p.quotes = profile.entities, profile.quotes
    return p
