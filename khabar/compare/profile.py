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

import numpy as np
import scipy.sparse as sp

from khabar.analyse.bounds import analysed_part
from khabar.compare import minhash
from khabar.compare.background import CHAR_HV, WORD_HV, Background, binary
from khabar.compare.config import DEFAULT, CompareConfig
from khabar.compare.figures import Numbers, extract_numbers
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


def _weigh(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF × IDF, rows L2-normalized (an all-zero row stays zero)."""
    m = counts.tocsr().astype(np.float32)
    m.sum_duplicates()
    m.data = (1.0 + np.log(m.data)) * idf[m.indices]
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m, dtype=np.float32)


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
        idx = WORD_HV.transform([arabic.terms(e.entity, lang=lang)]).indices
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
    sent_terms = [arabic.terms(text[a:b], lang=lang) for a, b in spans]
    all_terms = [t for st in sent_terms for t in st]
    n_lead = config.lead_sentences
    lead_terms = [t for st in sent_terms[:n_lead] for t in st]
    title_terms = arabic.terms(article.title, lang=lang)

    kept = [i for i, st in enumerate(sent_terms) if st][: config.max_sentences]
    counts = WORD_HV.transform([all_terms, title_terms, lead_terms] + [sent_terms[i] for i in kept])
    weighted = _weigh(counts, word_idf)
    lead_text = text[spans[0][0] : spans[min(n_lead, len(spans)) - 1][1]] if spans else ""
    char_counts = CHAR_HV.transform([arabic.normalize(t) for t in (text, article.title, lead_text)])
    chars = _weigh(char_counts, char_idf)
    w = weighted[0]
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
        word=weighted[0],
        title_vec=weighted[1],
        lead_vec=weighted[2],
        char=chars[0],
        title_char=chars[1],
        lead_char=chars[2],
        keywords=frozenset(top.tolist()),
        presence=_presence(counts[0], word_idf),
        sent_spans=[spans[i] for i in kept],
        sent_vecs=weighted[3:],
        word_tf=counts[0],
        char_tf=char_counts[0],
        numbers=extract_numbers(article.title + "\n" + text, config.min_quantity),
        signature=minhash.text_signature(text),
        lead_numbers=extract_numbers(lead_text, config.min_quantity),
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
