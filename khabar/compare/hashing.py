"""The hash buckets of profile vectors, as the shipped model's vectorizers make them, computed once
per distinct string.

:data:`~khabar.compare.background.WORD_HV` and :data:`~khabar.compare.background.CHAR_HV` define
the hashing space (the background's document frequencies are counted in it); this module gives the
same count matrices without their per-call cost: a term's bucket and a word's character n-gram
buckets are remembered (words repeat across articles), and the matrices are built with numpy.
``tests/compare/test_profile.py`` checks that they equal the vectorizers' output.

>>> from khabar.compare.background import WORD_HV
>>> rows = [["مفاوض", "غوط", "مفاوض"], []]
>>> (word_counts(rows).csr() != WORD_HV.transform(rows)).nnz
0
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from khabar.compare.background import CHAR_FEATURES, CHAR_NGRAMS, HASH, WORD_FEATURES, murmurhash3_32

_MIN_N, _MAX_N = CHAR_NGRAMS
# Caches are cleared when full: bounded memory per process (~20–30 MB each), and a
# news vocabulary's frequent words are back in them within one batch.
_CACHE_MAX = 1 << 17
_TERM: dict[str, int] = {}
_WORD_GRAMS: dict[str, bytes] = {}


def _bucket(s: str, n_features: int) -> int:
    """scikit-learn's FeatureHasher bucket of ``s`` (signed murmurhash3, seed 0, ``abs`` mod size)."""
    h = murmurhash3_32(s, 0)
    if h == -2147483648:  # abs(-2**31) overflows int32: sklearn's own definition of that case
        return (2147483647 - (n_features - 1)) % n_features
    return abs(h) % n_features


def term_bucket(term: str) -> int:
    """The word-vector bucket of one index term."""
    b = _TERM.get(term)
    if b is None:
        if len(_TERM) >= _CACHE_MAX:
            _TERM.clear()
        b = _TERM[term] = _bucket(term, WORD_FEATURES)
    return b


def _grams(word: str) -> bytes:
    """Char n-gram buckets of one word of matching-form text, as ``char_wb`` makes them (padded by
    spaces), as int32 bytes: a fifth of the memory of a tuple of ints, and joined without a loop."""
    hit = _WORD_GRAMS.get(word)
    if hit is not None:
        return hit
    w = " " + word + " "
    h = HASH
    out = []
    for n in range(_MIN_N, _MAX_N + 1):
        if len(w) <= n:  # a short word counts once, whole, and no longer n-gram follows
            out.append(h(w))
            break
        out.extend([h(w[i : i + n]) for i in range(len(w) - n + 1)])
    if len(_WORD_GRAMS) >= _CACHE_MAX:
        _WORD_GRAMS.clear()
    hit = _WORD_GRAMS[word] = _buckets(np.array(out, dtype=np.int64), CHAR_FEATURES).tobytes()
    return hit


def _buckets(h: np.ndarray, n_features: int) -> np.ndarray:
    """:func:`_bucket` of many signed hashes at once (int32)."""
    out = np.abs(h) % n_features
    out[h == -2147483648] = (2147483647 - (n_features - 1)) % n_features
    return out.astype(np.int32)


def term_buckets(terms: Sequence[str]) -> np.ndarray:
    """The buckets of ``terms``, in order (int32)."""
    return np.fromiter(map(term_bucket, terms), dtype=np.int32, count=len(terms))


def _csr(rows: list[np.ndarray], n_features: int, dtype: type) -> Counts:
    """Count rows (each an array of buckets, repeats counted) as canonical CSR arrays: sorted, summed."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int32)
    idx, cnt = [], []
    for i, r in enumerate(rows):
        u, c = np.unique(r, return_counts=True)
        idx.append(u.astype(np.int32, copy=False))
        cnt.append(c)
        indptr[i + 1] = indptr[i] + u.size
    indices = np.concatenate(idx) if idx else np.zeros(0, np.int32)
    data = np.concatenate(cnt).astype(dtype) if cnt else np.zeros(0, dtype)
    return Counts(data, indices, indptr, n_features)


class Counts(NamedTuple):
    """A canonical CSR count matrix as its arrays (``csr`` makes the scipy matrix)."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    width: int

    def csr(self) -> sp.csr_matrix:
        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=(self.indptr.size - 1, self.width))


def word_counts(rows: Sequence[Sequence[str]]) -> Counts:
    """``WORD_HV.transform(rows)``: term counts per row (float64)."""
    return _csr([term_buckets(r) for r in rows], WORD_FEATURES, np.float64)


def char_counts(texts: Sequence[str]) -> Counts:
    """``CHAR_HV.transform(texts)`` of matching-form texts: char 3–5-gram counts per row (float32)."""
    rows = [np.frombuffer(b"".join(map(_grams, t.split())), dtype=np.int32) for t in texts]
    return _csr(rows, CHAR_FEATURES, np.float32)
