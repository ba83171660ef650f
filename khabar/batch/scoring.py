"""Step 5 of the batch job: pairs of articles scored by the online path's scorer, in tasks.

The scorer is :func:`khabar.stories.scorers.default_scorer`'s choice (the comparison model, or the
lexical fallback), made once per Python worker; as online, the cheap lexical score decides first and
only the pairs :func:`khabar.stories.rules.needs_model` lets through cost a profile and a model call.
The score table ``(a, b, score)`` holds every pair once, ``a < b``; the refinement grows it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from khabar.batch.rows import mentions, statements
from khabar.batch.session import cut
from khabar.config import DEFAULT, StoryConfig
from khabar.stories import rules
from khabar.types import Article

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# A scoring task scores this many pairs per model call (the model is vectorised over pairs).
_SCORE_CHUNK = 256
# Prepared articles (profiles) kept per scoring task; pairs arrive grouped by one side.
_PREPARED_CACHE = 2048

_SCORER: dict[str, Any] = {}


def _scorer(name: str) -> Any:
    """The scorer ``name`` ("model" or "lexical"), made once per Python worker (models load once)."""
    if name not in _SCORER:
        from khabar.stories.scorers import LexicalScorer, ModelScorer

        _SCORER[name] = ModelScorer() if name == "model" else LexicalScorer()
    return _SCORER[name]


def scorer_name() -> str:
    """What the online path would score with here: the comparison model when it loads, else lexical."""
    from khabar.stories.scorers import default_scorer

    return default_scorer().name


#: The article columns a scoring task needs of each side of a pair (the scorer prepares an article from them).
PAYLOAD = (
    "id",
    "title",
    "text",
    "lang",
    "published",
    "ingested",
    "entities",
    "statements",
    "seen",
    "day",
    "sig",
    "features",
)


def _prepare(scorer: Any, r: Any) -> Any:
    """The scorer's representation of one article row, as :class:`~khabar.stories.online.Clusterer` prepares a new one."""
    from khabar.analyse.analysis import Analysis
    from khabar.stories.features import Features

    article = Article(
        id=r["id"],
        title=r["title"] or "",
        text=r["text"] or "",
        raw="",
        lang=r["lang"],
        published=r["published"],
        ingested=r["ingested"],
    )
    feats = Features.from_row(r["id"], r["seen"], r["day"], bytes(r["sig"]), r["features"])
    return scorer.prepare(Analysis(article, mentions(r["entities"]), statements(r["statements"])), feats)


def _score_partition(rows: Iterable[Any], name: str, config: StoryConfig) -> Iterator[tuple[int, int, float]]:
    """Rows ``(a, b, pa, pb)`` (pa/pb: payload structs) → ``(a, b, score)``, in chunks per model call.

    As online, the cheap lexical score decides first: a pair it puts at or above ``gate_score`` keeps
    that score (different stories) and never costs a profile or a model call.
    """
    from khabar.stories.features import Features
    from khabar.stories.scorers import LexicalScorer

    scorer = _scorer(name)
    lexical = LexicalScorer()
    cache: OrderedDict[int, Any] = OrderedDict()

    def prepared(n: int, payload: Any) -> Any:
        hit = cache.get(n)
        if hit is None:
            hit = _prepare(scorer, payload)
            cache[n] = hit
            if len(cache) > _PREPARED_CACHE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(n)
        return hit

    def features(p: Any) -> Features:
        return Features.from_row(p["id"], p["seen"], p["day"], bytes(p["sig"]), p["features"])

    chunk: list[Any] = []

    def flush() -> Iterator[tuple[int, int, float]]:
        scores = lexical.score([features(r["pa"]) for r in chunk], [features(r["pb"]) for r in chunk])
        if name != lexical.name:
            ask = [i for i, v in enumerate(scores) if rules.needs_model(v, config)]
            if ask:
                scores[ask] = scorer.score(
                    [prepared(chunk[i]["a"], chunk[i]["pa"]) for i in ask],
                    [prepared(chunk[i]["b"], chunk[i]["pb"]) for i in ask],
                )
        for r, s in zip(chunk, scores, strict=True):
            yield r["a"], r["b"], float(s)
        chunk.clear()

    for r in rows:
        chunk.append(r)
        if len(chunk) >= _SCORE_CHUNK:
            yield from flush()
    if chunk:
        yield from flush()


def score_pairs(
    spark: SparkSession, pairs: DataFrame, payload: DataFrame, name: str, config: StoryConfig = DEFAULT
) -> DataFrame:
    """``(a, b, score)`` for the pairs ``(a, b)``: both articles' payloads joined on, scored in tasks."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    p = payload.select("n", F.struct(*PAYLOAD).alias("p"))
    rows = (
        pairs.select("a", "b")
        .join(p.withColumnRenamed("n", "a").withColumnRenamed("p", "pa"), "a")
        .join(p.withColumnRenamed("n", "b").withColumnRenamed("p", "pb"), "b")
    )
    # the second join leaves each task's pairs grouped by b: sorting keeps one b's pairs together (cache hits)
    rows = rows.sortWithinPartitions("b", "a")
    schema = T.StructType(
        [
            T.StructField("a", T.LongType()),
            T.StructField("b", T.LongType()),
            T.StructField("score", T.DoubleType()),
        ]
    )
    return spark.createDataFrame(
        rows.rdd.mapPartitions(lambda it: _score_partition(it, name, config)), schema, verifySchema=False
    )


# --- the score table ------------------------------------------------------------------------------------


class ScoreTable:
    """The pairs scored so far, ``(a, b, score)`` with ``a < b``, and what grows it: pairs scored on demand.

    ``scored`` counts the pairs in it (those it started with, then every pair added).
    """

    def __init__(
        self, spark: SparkSession, payload: DataFrame, name: str, config: StoryConfig, scores: DataFrame
    ) -> None:
        self.spark, self.payload, self.name, self.config = spark, payload, name, config
        self.scores = scores
        self.scored = scores.count()

    def add(self, pairs: DataFrame) -> int:
        """Score the ``pairs`` ``(a, b)`` (none of them in the table yet) into the table; how many they were."""
        pairs = cut(pairs)
        n = pairs.count()
        if n:
            new = score_pairs(self.spark, pairs, self.payload, self.name, self.config)
            self.scores = cut(self.scores.unionByName(new.select("a", "b", "score")))
            self.scored += n
        return n

    def on(self, rows: DataFrame, other: str) -> DataFrame:
        """``rows`` (columns ``g`` and ``other``) with the pair's ``score``, scoring the pairs not yet scored."""
        from pyspark.sql import functions as F

        need = (
            rows.select(F.least("g", other).alias("a"), F.greatest("g", other).alias("b"))
            .distinct()
            .join(self.scores, ["a", "b"], "left_anti")
        )
        self.add(need)
        both = both_ways(self.scores).withColumnRenamed("a", "g").withColumnRenamed("b", other)
        return rows.join(both, ["g", other])


def both_ways(scores: DataFrame) -> DataFrame:
    """Every scored pair in both directions, ``(a, b, score)`` and ``(b, a, score)``, for joins on one side."""
    from pyspark.sql import functions as F

    return scores.select("a", "b", "score").unionByName(
        scores.select(F.col("b").alias("a"), F.col("a").alias("b"), "score")
    )
