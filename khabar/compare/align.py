"""Passage alignment: which sentences of one article say what a sentence of the other says.

Sentences are compared by the cosine of their TF-IDF stem vectors (:class:`~khabar.compare.profile.Profile`
keeps one per sentence); the best pairs are taken greedily so that no sentence is used twice.
Offsets are ``[start, end)`` into each article's clean text (``Article.text``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from khabar.compare.config import DEFAULT
from khabar.compare.features import sentence_similarity
from khabar.compare.profile import Profile


@dataclass
class Span:
    start: int
    end: int
    text: str


@dataclass
class Passage:
    """Two aligned passages and their similarity (cosine, 0..1)."""

    a: Span
    b: Span
    score: float

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["score"] = round(self.score, 4)
        return d


def similarity_matrix(p1: Profile, p2: Profile) -> np.ndarray:
    """Cosine similarity of every sentence of ``p1`` (rows) with every sentence of ``p2`` (columns)."""
    return sentence_similarity(p1, p2)


def align(p1: Profile, p2: Profile, k: int = DEFAULT.passages,
          min_score: float = DEFAULT.passage_min_score) -> list[Passage]:
    """The ``k`` best-aligned sentence pairs of two profiles, best first, each sentence used once.

    Pairs under ``min_score`` (cosine) share a word or two by chance, not a statement: never aligned.
    """
    m = similarity_matrix(p1, p2)
    out: list[Passage] = []
    if m.size == 0:
        return out
    # order every cell once (stable on ties, so results are reproducible), then take greedily
    flat = np.argsort(-m, axis=None, kind="stable")
    used_a: set[int] = set()
    used_b: set[int] = set()
    for cell in flat:
        i, j = divmod(int(cell), m.shape[1])
        score = float(m[i, j])
        if score < min_score or len(out) >= k:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        (sa, ea), (sb, eb) = p1.sent_spans[i], p2.sent_spans[j]
        out.append(Passage(Span(sa, ea, p1.text[sa:ea]), Span(sb, eb, p2.text[sb:eb]), min(score, 1.0)))
    return out
