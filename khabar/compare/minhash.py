"""MinHash signatures of word shingles: a cheap estimate of how much text two articles share.

A signature is a ``numpy.uint32`` array (datasketch's ``affine32`` scheme) of ``NUM_PERM`` values made by :mod:`datasketch` with a fixed
seed, so signatures made in different processes (or stored and read back) compare correctly, and
:func:`lean` turns one into a :class:`datasketch.LeanMinHash` for ``MinHashLSH`` candidate search.
:func:`text_signature` is THE signature of an article (comparison profiles and story clustering
both use it); :func:`signature` hashes any set of strings. The permutations are made once per
process, not per call.

>>> a = signature(shingles("the cat sat on the mat today".split()))
>>> b = text_signature("the cat sat on the mat today")
>>> resemblance(a, b)
1.0
>>> is_empty(text_signature(""))
True
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from datasketch import LeanMinHash, MinHash

from khabar.text import arabic

NUM_PERM = 128
SEED = 1
SHINGLE = 3  # word 3-grams: short enough to survive rewording of a sentence, long enough to be specific


def shingles(tokens: Sequence[str], k: int = SHINGLE) -> set[str]:
    """The set of ``k``-word shingles of ``tokens`` (the whole text as one shingle when it is shorter)."""
    if len(tokens) < k:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)}


@lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int) -> tuple[Any, str]:
    # drawing the permutations costs more than hashing an article's shingles: do it once
    m = MinHash(num_perm=num_perm, seed=seed)
    return m.permutations, m.scheme


def signature(items: set[str] | Sequence[str], num_perm: int = NUM_PERM, seed: int = SEED) -> np.ndarray:
    """The MinHash signature of a set of strings (an empty set gives an all-max signature)."""
    perms, scheme = _permutations(num_perm, seed)
    m = MinHash(num_perm=num_perm, seed=seed, permutations=perms, scheme=scheme)
    if items:
        m.update_batch([s.encode("utf-8") for s in items])  # any order: a minimum does not depend on it
    return np.asarray(m.hashvalues)


def text_signature(text: str, words: Sequence[str] | None = None) -> np.ndarray:
    """The signature of ``text``: its word shingles (:func:`shingles` of :func:`khabar.text.arabic.words`).

    ``words``: ``arabic.words(text)`` when the caller has them already (it saves tokenizing twice).
    """
    return signature(shingles(arabic.words(text) if words is None else words))


_EMPTY = 2**32 - 1  # datasketch's initial value: no element has been hashed in
SCHEME = MinHash(num_perm=1, seed=SEED).scheme  # recorded so LeanMinHash knows how the values were made


def is_empty(sig: np.ndarray) -> bool:
    """True for the signature of an empty set."""
    return bool(np.all(sig == _EMPTY))


def resemblance(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard resemblance of the two shingle sets (0.0 when either is empty)."""
    if a.shape != b.shape:
        raise ValueError(f"signatures differ in length: {a.shape} vs {b.shape}")
    if is_empty(a) or is_empty(b):
        return 0.0
    return float(np.mean(a == b))


def resemblance_batch(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise resemblance of two ``(n, NUM_PERM)`` signature matrices."""
    r = np.mean(a == b, axis=1)
    r[np.all(a == _EMPTY, axis=1) | np.all(b == _EMPTY, axis=1)] = 0.0
    return r


def lean(sig: np.ndarray, seed: int = SEED) -> LeanMinHash:
    """A :class:`datasketch.LeanMinHash` holding ``sig``, for ``datasketch.MinHashLSH``."""
    return LeanMinHash(seed=seed, hashvalues=sig, scheme=SCHEME)
