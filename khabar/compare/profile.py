"""A per-article representation built once and compared many times (:mod:`khabar.compare.features`).

A :class:`Profile` holds what pair features need: TF-IDF vectors of the matching-form stems
(:func:`khabar.text.arabic.terms`) for the whole text, the title and the lead, a character n-gram TF-IDF
vector, per-sentence vectors (for best-sentence similarity and passage alignment), the entities
by type, numbers, years, dates and weekdays, quotes, a MinHash signature, length and date.

Vectors come from :class:`sklearn.feature_extraction.text.HashingVectorizer`, so no vocabulary is
stored; the IDF weights come from a :class:`Background` of document frequencies per hash bucket.
The shipped background is the training corpus; :func:`update_idf` adds a store's articles to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from khabar.compare import minhash
from khabar.text import arabic
from khabar.text.dates import parse_day
from khabar.types import Article, Mention, Statement

WORD_FEATURES = 2**18
CHAR_FEATURES = 2**19
LEAD_SENTENCES = 3
KEYWORDS = 15
MAX_SENTENCES = 80  # sentence vectors beyond this add time, not signal (the story is told early)

_WORD_HV = HashingVectorizer(
    analyzer=lambda terms: terms, n_features=WORD_FEATURES, alternate_sign=False, norm=None,
)
# char_wb on the matching form: n-grams never straddle words, and spelling variants already agree.
_CHAR_HV = HashingVectorizer(
    analyzer="char_wb", ngram_range=(3, 5), n_features=CHAR_FEATURES, alternate_sign=False, norm=None,
    lowercase=False, dtype=np.float32,
)


# --- background document frequencies -----------------------------------------------------------------


@dataclass
class Background:
    """Document frequencies per hash bucket of the word and char vectorizers, and the corpus size.

    ``idf = log((1 + n_docs) / (1 + df)) + 1`` as scikit-learn's smoothed IDF; unseen buckets
    get the largest weight.
    """

    n_docs: int
    word_df: np.ndarray  # int32, WORD_FEATURES
    char_df: np.ndarray  # int32, CHAR_FEATURES

    def __post_init__(self) -> None:
        self._idf: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def empty(cls) -> Background:
        return cls(0, np.zeros(WORD_FEATURES, np.int32), np.zeros(CHAR_FEATURES, np.int32))

    def idf(self) -> tuple[np.ndarray, np.ndarray]:
        """The word and char IDF vectors (float32), computed once."""
        if self._idf is None:
            n = self.n_docs + 1
            w = (np.log(n / (1.0 + self.word_df)) + 1.0).astype(np.float32)
            c = (np.log(n / (1.0 + self.char_df)) + 1.0).astype(np.float32)
            self._idf = (w, c)
        return self._idf

    def add(self, word_counts: sp.csr_matrix, char_counts: sp.csr_matrix) -> None:
        """Count the documents given as rows of raw count matrices."""
        self.n_docs += word_counts.shape[0]
        self.word_df += np.bincount(word_counts.indices, minlength=WORD_FEATURES).astype(np.int32)
        self.char_df += np.bincount(char_counts.indices, minlength=CHAR_FEATURES).astype(np.int32)
        self._idf = None

    def to_state(self) -> dict:
        """A compact picklable form: only the non-zero buckets (most of the char space is empty)."""
        wi = np.flatnonzero(self.word_df).astype(np.int32)
        ci = np.flatnonzero(self.char_df).astype(np.int32)
        return {
            "n_docs": self.n_docs,
            "word": (wi, self.word_df[wi].astype(np.uint16 if self.word_df.max(initial=0) < 65535 else np.int32)),
            "char": (ci, self.char_df[ci].astype(np.uint16 if self.char_df.max(initial=0) < 65535 else np.int32)),
        }

    @classmethod
    def from_state(cls, state: dict) -> Background:
        bg = cls.empty()
        bg.n_docs = int(state["n_docs"])
        bg.word_df[state["word"][0]] = state["word"][1]
        bg.char_df[state["char"][0]] = state["char"][1]
        return bg


def fit_background(articles: Iterable[Article]) -> Background:
    """Document frequencies of the given articles (the training corpus, or a store)."""
    bg = Background.empty()
    for a in articles:
        text = _body(a)
        bg.add(_binary(_WORD_HV.transform([arabic.terms(text, lang=a.lang)])),
               _binary(_CHAR_HV.transform([arabic.normalize(text)])))
    return bg


def update_idf(background: Background, profiles: Iterable[Profile]) -> Background:
    """A copy of ``background`` that also counts ``profiles`` (e.g. every article of a store).

    Profiles built earlier keep their old weights; rebuild them (or :func:`reweight`) to use the new one.
    """
    bg = Background(background.n_docs, background.word_df.copy(), background.char_df.copy())
    for p in profiles:
        bg.add(_binary(p.word_tf), _binary(p.char_tf))
    return bg


def _binary(m: sp.csr_matrix) -> sp.csr_matrix:
    m = m.tocsr()
    m.sum_duplicates()
    return m


# --- numbers, dates -----------------------------------------------------------------------------------

# One entry per month, names separated by "|": Egyptian/Gulf, Levantine, Maghrebi, Turkish, French (matching form).
_MONTH_NAMES = [
    "يناير|كانون الثاني|جانفي|ocak|janvier|janv",
    "فبراير|شباط|فيفري|şubat|subat|février|fevrier|févr",
    "مارس|اذار|mart|mars",
    "ابريل|نيسان|افريل|nisan|avril",
    "مايو|ايار|ماي|mayıs|mayis|mai",
    "يونيو|يونيه|حزيران|جوان|haziran|juin",
    "يوليو|يوليه|تموز|جويليه|temmuz|juillet",
    "اغسطس|اب|اوت|ağustos|agustos|août|aout",
    "سبتمبر|ايلول|eylül|eylul|septembre|sept",
    "اكتوبر|تشرين الاول|ekim|octobre|oct",
    "نوفمبر|تشرين الثاني|kasım|kasim|novembre|nov",
    "ديسمبر|كانون الاول|aralık|aralik|décembre|decembre|déc",
]
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES, start=1) for name in names.split("|")}
# "اب" (August) and "ماي"/"mai"/"mars" double as ordinary words; they count only next to a day number.
_MONTH_RX = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
_DAY_MONTH = re.compile(rf"(?<!\d)([0-3]?\d)(?:er)?\s+(?:من\s+)?(?:شهر\s+)?({_MONTH_RX})(?![^\W\d_])")
_MONTH_DAY = re.compile(rf"(?<![^\W\d_])({_MONTH_RX})\s+([0-3]?\d)(?![\d.,])")
_NUMERIC_DATE = re.compile(r"(?<![\d.,/])([0-3]?\d)[/.-](0?[1-9]|1[0-2])[/.-]((?:19|20)\d\d)(?![\d])")
_YEAR = re.compile(r"(?<![\d.,])((?:19[5-9]|20[0-4])\d)(?![\d.,%])")
_NUMBER = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*")
_WEEKDAYS = {
    w: i
    for i, names in enumerate(
        [
            "الاثنين الإثنين pazartesi lundi",
            "الثلاثاء salı sali mardi",
            "الاربعاء çarşamba carsamba mercredi",
            "الخميس perşembe persembe jeudi",
            "الجمعه cuma vendredi",
            "السبت cumartesi samedi",
            "الاحد pazar dimanche",
        ]
    )
    for w in names.split()
}
_WEEKDAY_RX = re.compile(r"(?<![^\W\d_])(" + "|".join(map(re.escape, _WEEKDAYS)) + r")(?![^\W\d_])")


def _number_key(s: str) -> str | None:
    """A canonical form of a number as written: thousands separators dropped, decimal point kept."""
    s = s.strip(".,")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", s) or re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", s):
        s = s.replace(",", "").replace(".", "")
    else:
        s = s.replace(",", ".")
    if s.count(".") > 1:
        return None
    if "." in s:
        whole, frac = s.split(".")
        frac = frac.rstrip("0")
        s = f"{int(whole)}.{frac}" if frac else str(int(whole))
    else:
        s = str(int(s))
    return s


@dataclass
class Numbers:
    """What an article says in figures, as canonical strings."""

    numbers: set[str] = field(default_factory=set)  # quantities ≥ 10 or with decimals (not years, not dates)
    years: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)  # "MM-DD"
    weekdays: set[int] = field(default_factory=set)
    # surface forms as written, for evidence: canonical → first form seen
    surfaces: dict[str, str] = field(default_factory=dict)


def extract_numbers(text: str) -> Numbers:
    """Numbers, years, day+month dates (Arabic, Levantine, Maghrebi, Turkish, French month names) and weekdays.

    >>> n = extract_numbers("في 27 كانون الثاني/يناير 2020 قُتل ١٥ شخصاً وأصيب 1,200، الإثنين")
    >>> sorted(n.dates), sorted(n.years), sorted(n.numbers), sorted(n.weekdays)
    (['01-27'], ['2020'], ['1200', '15'], [0])
    """
    norm = arabic.normalize(text)
    out = Numbers()
    taken: list[tuple[int, int]] = []
    for m in _DAY_MONTH.finditer(norm):
        day, month = int(m.group(1)), _MONTHS[m.group(2)]
        if 1 <= day <= 31:
            key = f"{month:02d}-{day:02d}"
            out.dates.add(key)
            out.surfaces.setdefault(key, m.group(0))
            taken.append(m.span(1))
    for m in _MONTH_DAY.finditer(norm):
        day, month = int(m.group(2)), _MONTHS[m.group(1)]
        if 1 <= day <= 31 and not any(a <= m.start(2) < b for a, b in taken):
            key = f"{month:02d}-{day:02d}"
            out.dates.add(key)
            out.surfaces.setdefault(key, m.group(0))
            taken.append(m.span(2))
    for m in _NUMERIC_DATE.finditer(norm):
        key = f"{int(m.group(2)):02d}-{int(m.group(1)):02d}"
        out.dates.add(key)
        out.years.add(m.group(3))
        out.surfaces.setdefault(key, m.group(0))
        taken.append(m.span())
    for m in _YEAR.finditer(norm):
        if not any(a <= m.start() < b for a, b in taken):
            out.years.add(m.group(1))
            taken.append(m.span())
    for m in _NUMBER.finditer(norm):
        if any(a <= m.start() < b for a, b in taken):
            continue
        key = _number_key(m.group())
        if key is None:
            continue
        # one-digit counts ("3 أشخاص") match by chance between any two articles; keep the specific ones
        if "." in key or int(key) >= 10:
            out.numbers.add(key)
            out.surfaces.setdefault(key, m.group())
    out.weekdays = {_WEEKDAYS[m.group(1)] for m in _WEEKDAY_RX.finditer(norm)}
    return out


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
    keywords: frozenset[int]  # hash buckets of the KEYWORDS heaviest terms
    presence: sp.csr_matrix  # 1 × WORD_FEATURES: IDF of each term present (for containment)
    sent_spans: list[tuple[int, int]]  # offsets into ``text``
    sent_vecs: sp.csr_matrix  # n_sent × WORD_FEATURES, L2-normalized rows
    word_tf: sp.csr_matrix  # raw counts, for update_idf
    char_tf: sp.csr_matrix
    numbers: Numbers
    signature: np.ndarray
    entities: dict[str, Entity] | None = None  # entity_key → Entity; None when not analysed
    quotes: list[Quote] | None = None  # None when not analysed
    embedding: np.ndarray | None = None  # unit vector from an optional Embedder (khabar.compare.model)
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


def _body(a: Article) -> str:
    return a.text


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


def build_profile(
    article: Article,
    background: Background | None = None,
    mentions: Sequence[Mention] | None = None,
    statements: Sequence[Statement] | None = None,
) -> Profile:
    """The profile of ``article`` weighted by ``background`` (default: the shipped model's, see
    :func:`khabar.compare.model.load_model`).

    ``mentions``/``statements`` come from :mod:`khabar.analyse.entities`/:mod:`khabar.analyse.quotes` on ``article.text``;
    without them the entity and quote features are missing (NaN), not zero.
    """
    if background is None:
        from khabar.compare.model import load_model  # here: similarity imports this module

        background = load_model().background
    word_idf, char_idf = background.idf()
    text = _body(article)
    lang = article.lang
    spans = arabic.sentences(text)
    sent_terms = [arabic.terms(text[a:b], lang=lang) for a, b in spans]
    all_terms = [t for st in sent_terms for t in st]
    lead_terms = [t for st in sent_terms[:LEAD_SENTENCES] for t in st]
    title_terms = arabic.terms(article.title, lang=lang)

    kept = [i for i, st in enumerate(sent_terms) if st][:MAX_SENTENCES]
    counts = _WORD_HV.transform([all_terms, title_terms, lead_terms] + [sent_terms[i] for i in kept])
    weighted = _weigh(counts, word_idf)
    lead_text = text[spans[0][0] : spans[min(LEAD_SENTENCES, len(spans)) - 1][1]] if spans else ""
    char_counts = _CHAR_HV.transform([arabic.normalize(t) for t in (text, article.title, lead_text)])
    char_tf = char_counts[0]
    chars = _weigh(char_counts, char_idf)
    w = weighted[0]
    top = w.indices[np.argsort(-w.data, kind="stable")[:KEYWORDS]]

    ents: dict[str, Entity] | None = None
    if mentions is not None:
        ents = {}
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
            idx = _WORD_HV.transform([arabic.terms(e.entity, lang=lang)]).indices
            e.weight = float(word_idf[idx].mean()) if idx.size else float(word_idf.max())
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
        char_tf=char_tf,
        numbers=extract_numbers(article.title + "\n" + text),
        signature=minhash.signature(minhash.shingles(arabic.words(text))),
        entities=ents,
        quotes=quotes,
    )


def reweight(profile: Profile, background: Background) -> Profile:
    """Rebuild ``profile``'s vectors with a new background (cheaper than re-reading the article)."""
    art = Article(id=profile.id, title=profile.title, text=profile.text, raw="", lang=profile.lang,
                  published=profile.published.isoformat() if profile.published else None)
    p = build_profile(art, background)
    p.entities, p.quotes = profile.entities, profile.quotes
    return p
