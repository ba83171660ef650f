"""Analysis of one clean article: its named entities and who said what.

This is the step between cleaning and comparison: :func:`analyse` runs the NER tagger (with
within-article entity linking) and the quote extractor, and returns an :class:`Analysis` that
the store keeps and the comparison and clustering use. It is the one place that runs the two in
order: ingest, the Spark job and comparison all call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from khabar.analyse import entities, quotes
from khabar.types import Article, Mention, Statement


@dataclass
class Analysis:
    """An article with what analysis found in it."""

    article: Article
    mentions: list[Mention] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    # the comparison profile (khabar.compare.profile.Profile), when built where the analysis ran
    profile: Any = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.article.id,
            "mentions": [m.to_dict() for m in self.mentions],
            "statements": [s.to_dict() for s in self.statements],
        }


def analyse(article: Article) -> Analysis:
    """Entities and statements of ``article`` (offsets into ``article.text``).

    >>> from khabar.types import Article
    >>> a = analyse(Article(id="x", title="t", text="قال حمزة بيرقدار إنه لا صحة للأنباء عن المفاوضات.", raw=""))
    >>> [(s.stance, s.claim) for s in a.statements]
    [('denies', 'المفاوضات')]
    """
    mentions = entities.extract(article.text)
    statements = quotes.extract(article.text, mentions)
    return Analysis(article, mentions, statements)
