"""Compare two articles: overall score (1..4), verdict, facets and evidence (``khabar.compare``).

This is what ``khabar compare``, the HTTP API and ``khabar.compare(a, b)`` return; the score comes
from the shipped model (:mod:`khabar.compare.model`), the verdict from :mod:`khabar.compare.verdict`,
the evidence from :mod:`khabar.compare.evidence`.

>>> sorted(FACETS)
['entities', 'geography', 'narrative', 'time']
"""

from __future__ import annotations

from typing import Any

from khabar.analyse import analysis
from khabar.compare.evidence import evidence
from khabar.compare.model import ShippedModel, load_model
from khabar.compare.profile import Profile
from khabar.compare.verdict import verdict
from khabar.types import Article, Comparison, Mention, Statement

# Facets as the comparison names them → the model's target columns.
FACETS = {"entities": "Entities", "geography": "Geography", "time": "Time", "narrative": "Narrative"}


def analyse(article: Article) -> tuple[list[Mention], list[Statement]]:
    """``(mentions, statements)`` of ``article`` (:func:`khabar.analyse.analysis.analyse`), the form ``analyses`` takes."""
    result = analysis.analyse(article)
    return result.mentions, result.statements


def compare_profiles(p1: Profile, p2: Profile, model: ShippedModel | None = None) -> Comparison:
    """The comparison of two prepared profiles (see :func:`compare`)."""
    m = model or load_model()
    row = m.predict_targets([(p1, p2)])[0]
    by_target = dict(zip(m.targets, (float(v) for v in row), strict=True))
    overall = round(by_target["Overall"], 3)
    facets = {k: round(by_target[t], 3) for k, t in FACETS.items() if t in by_target}
    return Comparison(overall=overall, verdict=verdict(overall), facets=facets, evidence=evidence(p1, p2))


def compare(
    a: Article,
    b: Article,
    model: ShippedModel | None = None,
    *,
    analyses: tuple[tuple[Any, Any] | None, tuple[Any, Any] | None] | None = None,
) -> Comparison:
    """Compare two articles: overall score (1..4), verdict, facets and evidence.

    ``analyses`` gives ``(mentions, statements)`` per article when already known (from the store);
    otherwise they are computed with :mod:`khabar.analyse.entities` and :mod:`khabar.analyse.quotes`.
    """
    m = model or load_model()
    given = analyses or (None, None)
    profiles = []
    for art, an in zip((a, b), given, strict=True):
        mentions, statements = an if an is not None else analyse(art)
        profiles.append(m.profile(art, mentions, statements))
    return compare_profiles(profiles[0], profiles[1], m)
