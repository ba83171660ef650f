"""Comparison models as the story engine uses them: a :class:`Scorer` scores pairs of articles on the
1..4 scale (1 = the same story, 4 = unrelated; lower is closer).

:class:`ModelScorer` wraps the learned model of :mod:`khabar.compare.model`; :class:`LexicalScorer`
is the fast fallback on clustering's own features, and the lexical gate in front of the model.

>>> from khabar.stories.features import compute_features
>>> from khabar.types import Article
>>> a = Article(id="a1", title="t", text="جيش الإسلام ينفي المفاوضات في الغوطة الشرقية", raw="")
>>> f = compute_features(a, None, {}, 0)
>>> float(LexicalScorer().score([f], [f])[0])
1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import mul
from typing import Any, Protocol

import numpy as np

from khabar.compare import minhash
from khabar.config import DEFAULT, StoryConfig
from khabar.store.db import Store
from khabar.stories.features import Features, item_parts
from khabar.stories.rules import event_score, in_conflict
from khabar.types import Mention, Statement

__all__ = ["LexicalScorer", "ModelScorer", "Scorer", "default_scorer", "stored_analysis"]


class Scorer(Protocol):
    """What clustering needs from a comparison model (scores on the 1..4 scale, lower = closer)."""

    name: str

    def prepare(self, item: Any, features: Features) -> Any:
        """The comparable representation of a new article (``item`` is an Analysis or an Article)."""

    def load(self, store: Store, features: Features) -> Any:
        """The representation of a stored article (a story representative), from the store."""

    def score(self, a: Sequence[Any], b: Sequence[Any]) -> np.ndarray:
        """Scores of the pairs ``(a[i], b[i])``."""


class LexicalScorer:
    """A fast scorer on clustering's own features: cosine of top terms, shared entities, resemblance.

    Used when :mod:`khabar.compare.model` is not available, and by tests that must not depend on a model.
    The mapping to the 1..4 scale is a least-squares fit on the SemEval-2022 Task 8 training pairs.
    """

    name = "lexical"

    def prepare(self, item: Any, features: Features) -> Features:
        return features

    def load(self, store: Store, features: Features) -> Features:
        return features

    def score(self, a: Sequence[Features], b: Sequence[Features]) -> np.ndarray:
        out = np.empty(len(a), dtype=np.float64)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            small, big = (x.terms, y.terms) if len(x.terms) <= len(y.terms) else (y.terms, x.terms)
            cos = sum(map(mul, small.values(), map(big.get, small, repeat(0.0))))  # in C, the same order
            ex, ey = {e for e, _, _ in x.entities}, {e for e, _, _ in y.entities}
            ent = len(ex & ey) / len(ex | ey) if ex and ey else 0.0
            r = minhash.resemblance(x.sig, y.sig)
            closeness = min(1.0, 1.45 * cos + 0.35 * ent + 0.5 * r)
            out[i] = 4.0 - 3.0 * closeness
        return out


class ModelScorer:
    """The comparison model of :mod:`khabar.compare.model` (``load_model``, ``score_pairs``).

    ``path``: a model file other than the shipped one. Scores are the model's, with the story rule
    :func:`~khabar.stories.rules.event_score` applied: what the texts say about the day can overrule
    a close score (``config``: its thresholds).
    """

    name = "model"

    def __init__(self, path: str | None = None, config: StoryConfig = DEFAULT) -> None:
        from khabar.compare import model as similarity

        self._similarity = similarity
        self.model = similarity.load_model(path)
        self.config = config
        self._shipped = path is None  # profiles built elsewhere (ingest's workers) use the shipped model

    def prepare(self, item: Any, features: Features) -> Any:
        article, mentions, statements, profile = item_parts(item)
        if profile is not None and self._shipped:
            return profile
        return self.model.profile(article, mentions, statements)

    def load(self, store: Store, features: Features) -> Any:
        article = store.get(features.article_id)
        if article is None:
            raise KeyError(features.article_id)
        mentions, statements = stored_analysis(store, article.id)
        return self.model.profile(article, mentions, statements)

    def score(self, a: Sequence[Any], b: Sequence[Any]) -> np.ndarray:
        if not a:
            return np.empty(0)
        from khabar.compare.features import date_gap, weekday_gap

        if len(a) != len(b):
            raise ValueError(f"{len(a)} profiles against {len(b)}")
        raw = self.model.predict_targets(list(zip(a, b, strict=True)), targets=(0,))[:, 0]  # the overall score's trees alone
        out = np.empty(len(a), dtype=np.float64)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            conflict = in_conflict(weekday_gap(x.numbers.weekdays, y.numbers.weekdays),
                                   date_gap(x.numbers.dates, y.numbers.dates), self.config)
            out[i] = event_score(float(raw[i]), conflict, self.config)
        return out


def default_scorer() -> Scorer:
    """The comparison model when it is installed and loads, else :class:`LexicalScorer`."""
    try:
        return ModelScorer()
    except (ImportError, FileNotFoundError, OSError, AttributeError):
        return LexicalScorer()


def stored_analysis(store: Store, article_id: str) -> tuple[list[Mention] | None, list[Statement] | None]:
    """Mentions and statements the store keeps for an article (``None`` when it was never analysed)."""
    found = store.get_analysis(article_id)
    return found if found is not None else (None, None)
