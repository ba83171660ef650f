"""Comparison thresholds and weights, in one place, with the reasons for their defaults.

The values that shape a profile or a pair feature (``lead_sentences``, ``keywords``,
``max_sentences``, ``min_quantity``, ``quote_match``, ``quote_min_shared``) are what the shipped
model (``khabar/models/similarity.npz``) was trained with: change one and retrain it
(``khabar train similarity``). The verdict cuts live in :mod:`khabar.compare.verdict`, the MinHash
scheme in :mod:`khabar.compare.minhash`, the hashing space in :mod:`khabar.compare.background`.

>>> DEFAULT.quote_match < 1 and DEFAULT.lead_sentences == 3
True
>>> DEFAULT.with_(passages=5).passages
5
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any


@dataclass(frozen=True)
class CompareConfig:
    """Thresholds and weights of :mod:`khabar.compare` (profiles, features, evidence, training)."""

    # --- the profile (khabar.compare.profile) -----------------------------------------------------
    #: Sentences that make the lead (its own vector, and the text an embedder sees with the title):
    #: news writing puts who, what, where and when in the first two or three sentences.
    lead_sentences: int = 3
    #: Heaviest terms (by TF-IDF) kept as an article's keywords; their overlap is one feature.
    keywords: int = 15
    #: Sentence vectors kept per article: sentences beyond this add time, not signal (the story is
    #: told early), and they bound the cost of a sentence-by-sentence comparison.
    max_sentences: int = 80
    #: Smallest whole number kept as a figure: one-digit counts ("3 أشخاص") match by chance between
    #: any two articles, larger and decimal figures are specific to an event.
    min_quantity: int = 10

    # --- quotes (khabar.compare.features) ---------------------------------------------------------
    #: Quotes match on their term sets: shared / sqrt(|a|·|b|) (the cosine of the sets) at or above
    #: this keeps a quote one outlet cut short (5 of 10 terms: 0.71) and drops two quotes that merely
    #: share a topic's words.
    quote_match: float = 0.5
    #: … and they must share at least this many terms: two-word fragments match anything.
    quote_min_shared: int = 3

    # --- evidence (khabar.compare.align, khabar.compare.evidence) ---------------------------------
    #: Sentence cosine below which two sentences share a word or two by chance, not a statement.
    passage_min_score: float = 0.15
    #: Best-aligned passages shown as evidence: enough to see the shared account, short to read.
    passages: int = 3

    # --- training (khabar.compare.training) -------------------------------------------------------
    #: Weight of an Arabic pair in training (others 1): Arabic is the language that matters most,
    #: and only 145 of the 507 SemEval-2022 training pairs are Arabic (315 Turkish).
    arabic_weight: float = 2.0
    #: Characters of a page opening in the training variants without headlines
    #: (:data:`khabar.compare.training.VARIANTS`): web archives and feeds often keep only the first part
    #: of a page (the stories dev set's openings run 880 characters on average), the lead that tells
    #: the story; the SemEval texts are whole articles.
    opening_chars: int = 900

    def with_(self, **changes: Any) -> CompareConfig:
        """A copy with some values changed."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT = CompareConfig()
