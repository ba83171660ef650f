"""MinHash signatures of word shingles: a cheap estimate of how much text two articles share.

A signature is a ``numpy.uint32`` array (datasketch's ``affine32`` scheme) of ``NUM_PERM`` values made by :mod:`datasketch` with a fixed
seed, so signatures made in different processes (or stored and read back) compare correctly, and
:func:`lean` turns one into a :class:`datasketch.LeanMinHash` for ``MinHashLSH`` candidate search.

>>> a = signature(shingles("the cat sat on the mat today".split()))
>>> b = signature(shingles("the cat sat on the mat today".split()))
>>> resemblance(a, b)
1.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from datasketch import LeanMinHash, MinHash

NUM_PERM = 128
SEED = 1
SHINGLE = 3  # word 3-grams: short enough to survive rewording of a sentence, long enough to be specific


def shingles(tokens: Sequence[str], k: int = SHINGLE) -> set[str]:
    """The set of ``k``-word shingles of ``tokens`` (the whole text as one shingle when it is shorter)."""
    if len(tokens) < k:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)}


def signature(items: set[str] | Sequence[str], num_perm: int = NUM_PERM, seed: int = SEED) -> np.ndarray:
    """The MinHash signature of a set of strings (an empty set gives an all-max signature)."""
    m = MinHash(num_perm=num_perm, seed=seed)
    if items:
        # sorted: update order does not change a MinHash, but sorting keeps the work reproducible to read
        m.update_batch([s.encode("utf-8") for s in sorted(items)])
    return np.asarray(m.hashvalues)


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
