"""MinHash signatures of word shingles: a cheap estimate of how much text two articles share.

A signature is a ``numpy.uint32`` array of ``NUM_PERM`` values, exactly as :mod:`datasketch` makes
them (its ``affine32`` scheme, SHA-1 of each shingle) with a fixed seed, so signatures made in
different processes (or stored and read back) compare correctly, and :func:`lean` turns one into a :class:`datasketch.LeanMinHash` for ``MinHashLSH`` candidate search.
:func:`text_signature` is THE signature of an article (comparison profiles and story clustering
both use it); :func:`signature` hashes any set of strings. The permutations are drawn once per
process, and an article's shingles are hashed in one numpy pass.

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
from hashlib import sha1
from typing import Any

import numpy as np

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
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations ``h → a·h + b mod 2^32`` (odd ``a``) for ``seed``, drawn once
    (drawing them costs more than hashing an article's shingles)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch mixes each hash before its permutations."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signature(items: set[str] | Sequence[str], num_perm: int = NUM_PERM, seed: int = SEED) -> np.ndarray:
    """The MinHash signature of a set of strings (an empty set gives an all-max signature).

    The values are datasketch's (``MinHash(num_perm, seed).update_batch`` of the UTF-8 strings,
    SHA-1 hashing, affine32 scheme), computed here in one numpy pass without a MinHash object, and
    without importing datasketch (it imports scipy.integrate: seconds of start-up for a CLI call).
    """
    if not items:
        return np.full(num_perm, _EMPTY, dtype=np.uint32)
    a, b = _permutations(num_perm, seed)
    digests = b"".join(sha1(s.encode("utf-8")).digest()[:4] for s in items)  # any order: a minimum
    hv = _fmix32(np.frombuffer(digests, dtype="<u4").astype(np.uint32))
    with np.errstate(over="ignore"):  # the affine map is arithmetic modulo 2^32
        return (hv[:, None] * a + b).min(axis=0)


def text_signature(text: str, words: Sequence[str] | None = None) -> np.ndarray:
    """The signature of ``text``: its word shingles (:func:`shingles` of :func:`khabar.text.arabic.words`).

    ``words``: ``arabic.words(text)`` when the caller has them already (it saves tokenizing twice).
    """
    return signature(shingles(arabic.words(text) if words is None else words))


_EMPTY = 2**32 - 1  # datasketch's initial value: no element has been hashed in
SCHEME = "affine32"  # recorded so LeanMinHash knows how the values were made


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


def lean(sig: np.ndarray, seed: int = SEED) -> Any:
    """A :class:`datasketch.LeanMinHash` holding ``sig``, for ``datasketch.MinHashLSH``."""
    from datasketch import LeanMinHash  # only here: datasketch is slow to import

    return LeanMinHash(seed=seed, hashvalues=sig, scheme=SCHEME)
