"""The hashing space of profile vectors and the background document frequencies that weight it.

Vectors are hashed as :class:`sklearn.feature_extraction.text.HashingVectorizer` hashes them
(:data:`WORD_HV`, :data:`CHAR_HV`; :func:`murmurhash3_32` is its hash), so no vocabulary is stored;
the IDF weights come from a :class:`Background` of document frequencies per hash bucket.
The shipped background (in ``khabar/models/similarity.npz``) is the training corpus;
:func:`khabar.compare.profile.update_idf` adds a store's articles to it. The vectorizers are made on
first use (they import scikit-learn, which only training and the tests need).

>>> from khabar.types import Article
>>> bg = fit_background([Article(id="a", title="", text="جيش الإسلام ينفي", raw="")])
>>> bg.n_docs, int(bg.word_df.sum()) > 0
(1, True)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import mmh3
import numpy as np

from khabar.text import arabic
from khabar.types import Article

if TYPE_CHECKING:
    import scipy.sparse as sp

# The hashing space: part of the shipped model (its document frequencies are counted per bucket),
# so changing a size means retraining it. 2^18 word buckets keep collisions rare for a news
# vocabulary of light stems; character n-grams are many more.
WORD_FEATURES = 2**18
CHAR_FEATURES = 2**19
#: The character n-gram lengths of :data:`CHAR_HV` (``ngram_range``).
CHAR_NGRAMS = (3, 5)


@cache
def _vectorizers() -> dict[str, Any]:
    from sklearn.feature_extraction.text import HashingVectorizer

    return {
        "WORD_HV": HashingVectorizer(
            analyzer=_identity, n_features=WORD_FEATURES, alternate_sign=False, norm=None,
        ),
        # char_wb on the matching form: n-grams never straddle words, and spelling variants already agree.
        "CHAR_HV": HashingVectorizer(
            analyzer="char_wb", ngram_range=CHAR_NGRAMS, n_features=CHAR_FEATURES, alternate_sign=False,
            norm=None, lowercase=False, dtype=np.float32,
        ),
    }


def _identity(terms: list[str]) -> list[str]:
    return terms


def __getattr__(name: str) -> Any:
    # WORD_HV and CHAR_HV are made when first asked for: scoring never needs them
    if name in ("WORD_HV", "CHAR_HV"):
        return _vectorizers()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def murmurhash3_32(s: str, seed: int = 0) -> int:
    """MurmurHash3 (x86, 32-bit) of ``s``'s UTF-8 bytes, signed, as ``sklearn.utils.murmurhash3_32(s, seed)``
    gives it (the vectorizers' hash), from the ``mmh3`` C extension: no scikit-learn needed to hash.

    >>> murmurhash3_32("abc"), murmurhash3_32(" غوط ")
    (-1277324294, -116337020)
    """
    return mmh3.hash(s, seed)


#: The C function :func:`murmurhash3_32` calls (``HASH(s)`` is ``murmurhash3_32(s)``): hot loops call
#: it directly, one Python call less per n-gram.
HASH = mmh3.hash


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
    hv = _vectorizers()
    for a in articles:
        text = a.text
        bg.add(binary(hv["WORD_HV"].transform([arabic.terms(text, lang=a.lang)])),
               binary(hv["CHAR_HV"].transform([arabic.normalize(text)])))
    return bg


def binary(m: sp.csr_matrix) -> sp.csr_matrix:
    """Counts as CSR with duplicate entries summed: one entry per bucket, as document frequencies count."""
    m = m.tocsr()
    m.sum_duplicates()
    return m
