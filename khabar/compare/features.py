"""Pair features: how two :class:`~khabar.compare.profile.Profile` s relate, as one fixed-length vector.

Every feature is symmetric (swapping the articles gives the same vector), so the learned score is too.
Features that cannot be computed for a pair (no entities analysed, no numbers in one article, no
published dates, no headline on one side) are ``NaN``: the gradient-boosted model treats missing as its own case instead of
reading it as "no overlap".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from khabar.compare import minhash
from khabar.compare.config import DEFAULT
from khabar.compare.profile import Entity, Profile, Quote

LANGS = ("ar", "tr", "fr")
ENTITY_TYPES = ("PERS", "LOC", "ORG")

FEATURE_NAMES: list[str] = [
    # word TF-IDF cosines
    "cos_word", "cos_title", "cos_lead", "cos_char",
    "cos_title_text_min", "cos_title_text_max",
    "cos_lead_text_min", "cos_lead_text_max",
    "cos_title_lead_max", "cos_title_char", "cos_lead_char", "keywords",
    # IDF-weighted share of one article's terms found in the other: a brief inside a full report
    "contain_min", "contain_max",
    # best sentences
    "sent_max", "sent_top3", "sent_cover_min", "sent_cover_max",
    # shared text
    "minhash",
    # size
    "len_min", "len_max", "len_ratio",
    # figures
    "num_shared", "num_overlap", "year_shared", "year_overlap", "date_shared", "date_overlap", "weekday_same",
    "days_apart",
    # the lead's own weekdays and figures: what tells one happening from the next day's (NaN where absent)
    "lead_weekday_same", "lead_num_overlap",
    # entities and quotes (NaN until analysed)
    "ent_jaccard", "ent_overlap", "ent_shared", "ent_weighted", "ent_idf_jaccard", "ent_idf_shared",
    *[f"ent_{t.lower()}_overlap" for t in ENTITY_TYPES],
    "quote_shared", "quote_best",
    # language
    "same_lang", *[f"lang_{x}" for x in LANGS],
]
N_FEATURES = len(FEATURE_NAMES)
_IDX = {n: i for i, n in enumerate(FEATURE_NAMES)}


# --- entity and quote matching ----------------------------------------------------------------------


def _matches(k1: str, e1: Entity, k2: str, e2: Entity) -> bool:
    """Same entity: equal keys, or (same type) one name's words contained in the other's (بيرقدار ⊂ حمزه بيرقدار)."""
    if k1 == k2:
        return True
    if e1.type != e2.type:
        return False
    w1, w2 = k1.split(), k2.split()
    short, long_ = (w1, w2) if len(w1) <= len(w2) else (w2, w1)
    if e1.type == "PERS":
        # a surname alone names the person; a first name alone does not
        return short == long_[-len(short):] if len(short) < len(long_) else False
    # "الغوطه" ~ "الغوطه الشرقيه": a place or body named by its head word(s)
    return len(short) < len(long_) and short == long_[: len(short)]


def match_entities(a: dict[str, Entity], b: dict[str, Entity]) -> list[tuple[str, str]]:
    """Pairs of entity keys (one from each article) naming the same entity, each key used at most once.

    Two entities match when they share an alias (the canonical name or any surface form, by
    :func:`~khabar.compare.profile.entity_key`), else by :func:`_matches` on their canonical keys.
    """
    pairs: list[tuple[str, str]] = []
    used_b: set[str] = set()
    by_alias: dict[str, str] = {}
    for k2 in sorted(b):  # sorted: which of two candidates wins must not depend on dict order
        for alias in (k2, *b[k2].aliases):
            by_alias.setdefault(alias, k2)
    rest: list[str] = []
    for k1 in a:  # aliases first, so that a partial match cannot steal an exact partner
        hit = None
        for alias in (k1, *a[k1].aliases):
            k2 = by_alias.get(alias)
            if k2 is not None and k2 not in used_b:
                hit = k2
                break
        if hit is None:
            rest.append(k1)
        else:
            pairs.append((k1, hit))
            used_b.add(hit)
    if rest:
        # a partial match shares its first word (a place's head) or last word (a surname): look only there
        by_word: dict[str, list[str]] = {}
        for k2 in b:
            if k2 not in used_b:
                w = k2.split()
                by_word.setdefault(w[0], []).append(k2)
                if len(w) > 1:
                    by_word.setdefault(w[-1], []).append(k2)
        for k1 in rest:
            w = k1.split()
            cands = by_word.get(w[0], []) + (by_word.get(w[-1], []) if len(w) > 1 else [])
            for k2 in sorted(set(cands), key=list(b).index):
                if k2 not in used_b and _matches(k1, a[k1], k2, b[k2]):
                    pairs.append((k1, k2))
                    used_b.add(k2)
                    break
    return pairs


def shared_name(e1: Entity, e2: Entity) -> str:
    """How evidence names a matched pair: the longest alias both share, else the fuller canonical name."""
    common = set(e1.aliases) & set(e2.aliases)
    if common:
        return e1.aliases[max(common, key=lambda k: (len(k), k))]
    return e1.entity if len(e1.entity) >= len(e2.entity) else e2.entity


def _quote_scores(a: Sequence[Quote], b: Sequence[Quote]) -> list[tuple[float, int, int, int]]:
    """``(set cosine, shared terms, i, j)`` for every pair of quotes with a term in common."""
    out = []
    for i, qa in enumerate(a):
        if not qa.terms:
            continue
        for j, qb in enumerate(b):
            if qb.terms:
                shared = len(qa.terms & qb.terms)
                if shared:
                    out.append((shared / (len(qa.terms) * len(qb.terms)) ** 0.5, shared, i, j))
    return out


def _greedy(scores: list[tuple[float, int, int, int]], threshold: float,
            min_shared: int = DEFAULT.quote_min_shared) -> list[tuple[int, int, float]]:
    out: list[tuple[int, int, float]] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for ov, shared, i, j in sorted(scores, key=lambda t: (-t[0], t[2], t[3])):
        if ov < threshold:
            break
        if shared >= min_shared and i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((i, j, ov))
    return out


def best_quote_overlap(a: Sequence[Quote], b: Sequence[Quote]) -> float:
    """The highest set-cosine between any quote of ``a`` and any of ``b`` (0.0 when none share a term)."""
    return max((t[0] for t in _quote_scores(a, b)), default=0.0)


def match_quotes(a: Sequence[Quote], b: Sequence[Quote],
                 threshold: float = DEFAULT.quote_match) -> list[tuple[int, int, float]]:
    """``(i, j, overlap)`` for quotes of ``a`` and ``b`` whose term sets overlap ≥ ``threshold`` (set cosine).

    The defaults are :class:`~khabar.compare.config.CompareConfig`'s ``quote_match`` and ``quote_min_shared``.

    Best pairs first, each quote used once (so swapping ``a`` and ``b`` finds the same pairs).
    """
    return _greedy(_quote_scores(a, b), threshold)


# --- days named in the texts ----------------------------------------------------------------------------


def weekday_gap(a: set[int], b: set[int]) -> float:
    """Fewest days between a weekday of ``a`` and one of ``b`` (0 … 3, round the week); NaN when
    either text names none (unknown).

    >>> weekday_gap({0}, {6}), weekday_gap({1, 5}, {3}), weekday_gap(set(), {1})
    (1.0, 2.0, nan)
    """
    if not a or not b:
        return np.nan
    return float(min(min((x - y) % 7, (y - x) % 7) for x in a for y in b))


def _day_of_year(date: str) -> int | None:
    try:
        month, day = (int(x) for x in date.split("-"))
        return (dt.date(2000, month, day) - dt.date(2000, 1, 1)).days  # 2000: 29 February exists
    except ValueError:
        return None


def date_gap(a: set[str], b: set[str]) -> float:
    """Fewest days between a ``MM-DD`` date of ``a`` and one of ``b`` (the year is not known: round
    the year); NaN when either text names none.

    >>> date_gap({"09-10"}, {"09-11", "12-01"}), date_gap({"12-31"}, {"01-02"}), date_gap({"09-10"}, set())
    (1.0, 2.0, nan)
    """
    da = [d for d in map(_day_of_year, a) if d is not None]
    db = [d for d in map(_day_of_year, b) if d is not None]
    if not da or not db:
        return np.nan
    return float(min(min(abs(x - y), 366 - abs(x - y)) for x in da for y in db))


# --- feature computation ------------------------------------------------------------------------------


def _overlap(a: set, b: set) -> tuple[float, float]:
    """(shared count, overlap coefficient); NaN coefficient when either side is empty."""
    if not a or not b:
        return float(len(a & b)), np.nan
    n = len(a & b)
    return float(n), n / min(len(a), len(b))


def sentence_similarity(p1: Profile, p2: Profile) -> np.ndarray:
    """Cosine of every sentence of ``p1`` (rows) with every sentence of ``p2`` (columns), dense.

    Only the hash buckets both sides use contribute, so the product runs on a small dense block
    instead of transposing a 2^18-column sparse matrix.
    """
    n1, n2 = p1.sent_vecs.shape[0], p2.sent_vecs.shape[0]
    if n1 == 0 or n2 == 0:
        return np.zeros((n1, n2))
    # the common buckets of two sorted unique column lists (what intersect1d finds, without its sort)
    c1, c2 = p1.sent_cols, p2.sent_cols
    at = np.searchsorted(c2, c1)
    hit = c2[np.minimum(at, c2.size - 1)] == c1 if c2.size else np.zeros(c1.size, dtype=bool)
    i1 = np.flatnonzero(hit)
    if i1.size == 0:
        return np.zeros((n1, n2))
    i2 = at[i1]

    def block(p: Profile, idx: np.ndarray, n: int) -> np.ndarray:
        lut = np.full(p.sent_cols.size, -1, dtype=np.int64)
        lut[idx] = np.arange(idx.size)
        pos = lut[p.sent_colpos]
        keep = pos >= 0
        d = np.zeros((n, idx.size))
        d[p.sent_rows[keep], pos[keep]] = p.sent_vecs.data[keep]
        return d

    return block(p1, i1, n1) @ block(p2, i2, n2).T


def _sentence_features(p1: Profile, p2: Profile) -> tuple[float, float, float, float]:
    s1, s2 = p1.sent_vecs, p2.sent_vecs
    if s1.shape[0] == 0 or s2.shape[0] == 0:
        return 0.0, 0.0, 0.0, 0.0
    m = sentence_similarity(p1, p2)
    r1 = m.max(axis=1)
    r2 = m.max(axis=0)
    flat = m.ravel()
    # the three largest, largest first (a partition, then a sort of three: what a full sort gives)
    top = np.sort(np.partition(flat, flat.size - 3)[-3:])[::-1] if flat.size > 3 else np.sort(flat)[::-1]
    c1, c2 = float(r1.mean()), float(r2.mean())
    return float(top[0]), float(top.mean()), min(c1, c2), max(c1, c2)


def _pair_rest(p1: Profile, p2: Profile, row: np.ndarray) -> None:
    """The per-pair (non-vectorised) features, written into ``row``."""
    f = _IDX
    row[f["sent_max"]], row[f["sent_top3"]], row[f["sent_cover_min"]], row[f["sent_cover_max"]] = (
        _sentence_features(p1, p2)
    )
    l1, l2 = np.log1p(p1.n_terms), np.log1p(p2.n_terms)
    row[f["len_min"]], row[f["len_max"]] = min(l1, l2), max(l1, l2)
    row[f["len_ratio"]] = min(p1.n_terms, p2.n_terms) / max(p1.n_terms, p2.n_terms, 1)
    n1, n2 = p1.numbers, p2.numbers
    row[f["num_shared"]], row[f["num_overlap"]] = _overlap(n1.numbers, n2.numbers)
    row[f["year_shared"]], row[f["year_overlap"]] = _overlap(n1.years, n2.years)
    row[f["date_shared"]], row[f["date_overlap"]] = _overlap(n1.dates, n2.dates)
    row[f["weekday_same"]] = float(bool(n1.weekdays & n2.weekdays)) if n1.weekdays and n2.weekdays else np.nan
    w1, w2 = p1.lead_numbers.weekdays, p2.lead_numbers.weekdays
    row[f["lead_weekday_same"]] = float(bool(w1 & w2)) if w1 and w2 else np.nan
    row[f["lead_num_overlap"]] = _overlap(p1.lead_numbers.numbers | p1.lead_numbers.dates,
                                          p2.lead_numbers.numbers | p2.lead_numbers.dates)[1]
    if p1.published and p2.published:
        row[f["days_apart"]] = abs((p1.published - p2.published).days)
    else:
        row[f["days_apart"]] = np.nan

    if p1.entities is not None and p2.entities is not None:
        e1, e2 = p1.entities, p2.entities
        pairs = match_entities(e1, e2)
        shared = len(pairs)
        union = len(e1) + len(e2) - shared
        row[f["ent_shared"]] = shared
        row[f["ent_jaccard"]] = shared / union if union else np.nan
        row[f["ent_overlap"]] = shared / min(len(e1), len(e2)) if e1 and e2 else np.nan
        # mentions-weighted: the entities an article keeps coming back to are what it is about
        tot = sum(e.count for e in e1.values()) + sum(e.count for e in e2.values())
        row[f["ent_weighted"]] = (
            sum(e1[k1].count + e2[k2].count for k1, k2 in pairs) / tot if tot else np.nan
        )
        w_shared = sum(max(e1[k1].weight, e2[k2].weight) for k1, k2 in pairs)
        w_union = sum(e.weight for e in e1.values()) + sum(e.weight for e in e2.values()) - w_shared
        row[f["ent_idf_jaccard"]] = w_shared / w_union if w_union > 0 else np.nan
        row[f["ent_idf_shared"]] = w_shared
        for t in ENTITY_TYPES:
            t1 = {k for k, e in e1.items() if e.type == t}
            t2 = {k for k, e in e2.items() if e.type == t}
            if t1 and t2:
                n = sum(1 for k1, k2 in pairs if k1 in t1 and k2 in t2)
                row[f[f"ent_{t.lower()}_overlap"]] = n / min(len(t1), len(t2))
            else:
                row[f[f"ent_{t.lower()}_overlap"]] = np.nan
    else:
        for name in ("ent_jaccard", "ent_overlap", "ent_shared", "ent_weighted", "ent_idf_jaccard", "ent_idf_shared",
                     *[f"ent_{t.lower()}_overlap" for t in ENTITY_TYPES]):
            row[f[name]] = np.nan
    if p1.quotes is not None and p2.quotes is not None:
        if p1.quotes and p2.quotes:
            scores = _quote_scores(p1.quotes, p2.quotes)
            row[f["quote_shared"]] = len(_greedy(scores, DEFAULT.quote_match))
            row[f["quote_best"]] = max((t[0] for t in scores), default=0.0)
        else:
            row[f["quote_shared"]] = 0.0
            row[f["quote_best"]] = np.nan
    else:
        row[f["quote_shared"]] = row[f["quote_best"]] = np.nan
    row[f["same_lang"]] = float(p1.lang == p2.lang)
    for x in LANGS:
        # one-hot of the pair's language (either side counts: the pair is "Arabic" if one article is)
        row[f[f"lang_{x}"]] = float(x in (p1.lang, p2.lang))


# Packed forms: a profile's vectors side by side in one sparse row, segment k at columns k·_SEG…, so
# that one element-wise product of a left and a right form gives every cosine of a pair at once
# (a sum per segment). The left form puts title/lead again where the right form has the text, for
# the cross cosines; presence is multiplied by the other side's 0/1 presence for containment.
_SEG = 1 << 19
_N_SEG = 11


def _ones(m: sp.csr_matrix) -> sp.csr_matrix:
    out = m.copy()
    out.data = np.ones_like(out.data)
    return out


def _pack(vectors: list[sp.csr_matrix]) -> sp.csr_matrix:
    idx = np.concatenate([v.indices.astype(np.int64) + k * _SEG for k, v in enumerate(vectors)])
    data = np.concatenate([v.data.astype(np.float32) for v in vectors])
    # sorted columns: scipy then multiplies by merging rows; the segments come in column order, so
    # the sort is needed only where a vector's own columns are not in order
    if idx.size > 1 and not (idx[1:] > idx[:-1]).all():
        order = np.argsort(idx, kind="stable")
        data, idx = data[order], idx[order]
    m = sp.csr_matrix((data, idx.astype(np.int32), np.array([0, idx.size], dtype=np.int32)),
                      shape=(1, _N_SEG * _SEG))
    m.has_sorted_indices = True
    return m


def _packed(p: Profile) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``(left, right)`` packed rows of ``p``, built once and kept on the profile."""
    if p.packed is None:
        pres = p.presence
        left = _pack([p.word, p.title_vec, p.lead_vec, p.char, p.title_char, p.lead_char,
                      p.title_vec, p.lead_vec, p.title_vec, pres, _ones(pres)])
        right = _pack([p.word, p.title_vec, p.lead_vec, p.char, p.title_char, p.lead_char,
                       p.word, p.word, p.lead_vec, _ones(pres), pres])
        p.packed = (left, right)
    return p.packed


def _stack(rows: Sequence[tuple[np.ndarray, np.ndarray]]) -> sp.csr_matrix:
    """Rows ``(data, indices)`` with sorted columns stacked directly (scipy's vstack re-checks and
    re-sorts them)."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([r[1].size for r in rows], out=indptr[1:])
    m = sp.csr_matrix((np.concatenate([r[0] for r in rows]), np.concatenate([r[1] for r in rows]), indptr),
                      shape=(len(rows), _N_SEG * _SEG))
    m.has_sorted_indices = True
    return m


def _whole(m: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    return m.data, m.indices


# Of the second product (p2's left form against p1's right form) only the cross segments 6–8
# (headline or lead against the other's text, headline against lead) are read: the others are the
# first product's again. The slice of those segments alone gives the same sums at a fraction of the
# cost (the character n-grams, most of a row, are left out).
_CROSS = (6 * _SEG, 9 * _SEG)


def _cross(m: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.searchsorted(m.indices, _CROSS)
    return m.data[lo:hi], m.indices[lo:hi]


def _segment_sums(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    prod = a.multiply(b).tocsr()
    n = a.shape[0]
    rows = np.repeat(np.arange(n), np.diff(prod.indptr))
    seg = prod.indices // _SEG
    return np.bincount(rows * _N_SEG + seg, weights=prod.data, minlength=n * _N_SEG).reshape(n, _N_SEG)


def has_title(p: Profile) -> bool:
    """Whether the article has a headline with terms (most page openings have none)."""
    return p.title_vec.nnz > 0


def _unknown_titles(pairs: Sequence[tuple[Profile, Profile]], x: np.ndarray, s12: np.ndarray,
                    s21: np.ndarray) -> None:
    """A missing headline is unknown, not a mismatch: its cosines become NaN.

    With one headline, the features that need both are NaN and the "max" ones keep the one headline
    against the other side's text or lead (the "min" ones need both headlines).
    """
    f = _IDX
    t1 = np.array([has_title(p1) for p1, _ in pairs])
    t2 = np.array([has_title(p2) for _, p2 in pairs])
    one = t1 != t2
    none = ~t1 & ~t2
    for name in ("cos_title", "cos_title_char", "cos_title_text_min"):
        x[~(t1 & t2), f[name]] = np.nan
    # the one headline's side of the pair: s12 holds p1's title against p2, s21 p2's against p1
    x[one, f["cos_title_text_max"]] = np.where(t1, s12[:, 6], s21[:, 6])[one]
    x[one, f["cos_title_lead_max"]] = np.where(t1, s12[:, 8], s21[:, 8])[one]
    x[none, f["cos_title_text_max"]] = np.nan
    x[none, f["cos_title_lead_max"]] = np.nan


def pair_features_batch(pairs: Sequence[tuple[Profile, Profile]]) -> np.ndarray:
    """Features of many pairs at once, ``(len(pairs), N_FEATURES)``; cosines are computed in bulk."""
    n = len(pairs)
    x = np.zeros((n, N_FEATURES), dtype=np.float64)
    if n == 0:
        return x
    f = _IDX
    packed = [(_packed(p1), _packed(p2)) for p1, p2 in pairs]
    l1, r2 = _stack([_whole(a[0]) for a, _ in packed]), _stack([_whole(b[1]) for _, b in packed])
    l2, r1 = _stack([_cross(b[0]) for _, b in packed]), _stack([_cross(a[1]) for a, _ in packed])
    s12 = _segment_sums(l1, r2)  # p1's left form against p2's right form
    s21 = _segment_sums(l2, r1)  # p2's against p1's: the cross segments 6–8 alone (the rest stay 0)
    for k, name in enumerate(("cos_word", "cos_title", "cos_lead", "cos_char", "cos_title_char", "cos_lead_char")):
        x[:, f[name]] = s12[:, k]
    a, b = s12[:, 6], s21[:, 6]  # title of one against the other's text
    x[:, f["cos_title_text_min"]], x[:, f["cos_title_text_max"]] = np.minimum(a, b), np.maximum(a, b)
    a, b = s12[:, 7], s21[:, 7]
    x[:, f["cos_lead_text_min"]], x[:, f["cos_lead_text_max"]] = np.minimum(a, b), np.maximum(a, b)
    x[:, f["cos_title_lead_max"]] = np.maximum(s12[:, 8], s21[:, 8])
    _unknown_titles(pairs, x, s12, s21)
    tot1 = np.array([p1.presence.data.sum() for p1, _ in pairs], dtype=np.float64)
    tot2 = np.array([p2.presence.data.sum() for _, p2 in pairs], dtype=np.float64)
    c1 = s12[:, 9] / np.maximum(tot1, 1e-9)  # share of p1's (IDF-weighted) terms that p2 has
    c2 = s12[:, 10] / np.maximum(tot2, 1e-9)
    x[:, f["contain_min"]], x[:, f["contain_max"]] = np.minimum(c1, c2), np.maximum(c1, c2)
    x[:, f["keywords"]] = [
        len(p1.keywords & p2.keywords) / max(1, min(len(p1.keywords), len(p2.keywords))) for p1, p2 in pairs
    ]
    x[:, f["minhash"]] = minhash.resemblance_batch(
        np.stack([p[0].signature for p in pairs]), np.stack([p[1].signature for p in pairs])
    )
    for i, (p1, p2) in enumerate(pairs):
        _pair_rest(p1, p2, x[i])
    return x


def pair_features(p1: Profile, p2: Profile) -> np.ndarray:
    """The feature vector of one pair (``N_FEATURES`` floats, NaN where a feature does not apply)."""
    return pair_features_batch([(p1, p2)])[0]
