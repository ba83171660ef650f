"""Step 3 of the batch job: the clustering features the online path keeps, with corpus document frequencies.

Document frequencies are counted over the corpus by Spark, then
:func:`khabar.stories.features.compute_features` gives each article its top terms, entities, MinHash
signature and the time window's day, and the index keys and LSH band keys the candidates step joins on.

>>> lookup = _DfWithoutSelf({"غزة": 3})
>>> lookup.get("غزة"), lookup.get("قمة")
(2, 0)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from khabar.batch.rows import SEP, mentions, split_terms
from khabar.config import StoryConfig
from khabar.types import Article

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


class _DfWithoutSelf:
    """Corpus document frequencies as one article sees them: every *other* article counts.

    The online path counts the articles clustered before this one; counting all the others is the
    order-free version of that. Terms seen in one article only are absent (their df is then 0).
    """

    def __init__(self, df: dict[str, int]) -> None:
        self.df = df

    def get(self, term: str, default: int = 0) -> int:
        n = self.df.get(term)
        return n - 1 if n is not None else default


def _features_partition(
    rows: Iterable[Any], df: dict[str, int], n_docs: int, config: StoryConfig
) -> Iterator[tuple[Any, ...]]:
    """Article rows → ``(n, features JSON, index keys, band keys)`` with the online path's functions."""
    from khabar.stories.features import band_keys, compute_features, sig_from_blob

    lookup = _DfWithoutSelf(df)
    for r in rows:
        stub = Article(
            id=r["id"],
            title=r["title"] or "",
            text="",
            raw="",
            lang=r["lang"],
            published=r["published"],
            ingested=r["ingested"],
        )
        sig = sig_from_blob(bytes(r["sig"]))
        feats = compute_features(
            stub,
            mentions(r["entities"]),
            lookup,
            n_docs,  # type: ignore[arg-type]
            SimpleNamespace(signature=sig),
            # the terms found in step 2 (words are only needed for a signature)
            SimpleNamespace(
                title_terms=split_terms(r["title_terms"]),
                body_terms=split_terms(r["body_terms"]),
                body_words=[],
            ),
        )
        yield (r["n"], feats.to_json(), feats.keys(config), band_keys(sig, config.lsh_bands, config.lsh_rows))


def add_features(
    spark: SparkSession, articles: DataFrame, config: StoryConfig
) -> tuple[DataFrame, DataFrame]:
    """``(articles with n, features, keys, bands; term document frequencies)``.

    Document frequencies are counted by Spark; only the terms found in two articles or more (the
    ones whose weight differs from a term's maximum) travel to the executors, as a broadcast.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    vocab = articles.select(F.explode(F.split("vocabulary", SEP)).alias("term")).where(F.col("term") != "")
    terms = vocab.groupBy("term").agg(F.count(F.lit(1)).alias("df"))
    n_docs = articles.count()
    df = {r["term"]: r["df"] for r in terms.where("df >= 2").collect()}
    bdf = spark.sparkContext.broadcast(df)
    schema = T.StructType(
        [
            T.StructField("n", T.LongType()),
            T.StructField("features", T.StringType()),
            T.StructField("keys", T.ArrayType(T.StringType())),
            T.StructField("bands", T.ArrayType(T.LongType())),
        ]
    )
    cols = [
        "n",
        "id",
        "title",
        "lang",
        "published",
        "ingested",
        "entities",
        "sig",
        "title_terms",
        "body_terms",
    ]
    feats = articles.select(*cols).rdd.mapPartitions(
        lambda rows: _features_partition(rows, bdf.value, max(n_docs - 1, 0), config)
    )
    out = articles.drop("title_terms", "body_terms", "vocabulary").join(
        spark.createDataFrame(feats, schema, verifySchema=False), "n"
    )
    return out, terms
