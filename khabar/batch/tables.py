"""The batch job's output tables: ``articles``, ``stories``, ``members`` (and ``rejects``, ``terms``), as the store keeps them.

``articles`` holds what the store keeps of an article and its analysis; ``members`` each article's
story, centrality (sum and count of scores against fellow members), near-copy group (its first
article) and clustering features as the story index keeps them; ``stories`` their medoid, headline,
sources, dates and representatives. Stories and members are what the online clusterer decided
(:mod:`khabar.batch.replay`), with its story ids.
"""

from __future__ import annotations

from typing import Any

TABLES = ("articles", "stories", "members", "rejects")

#: The ``articles`` table: what the store keeps of an article and its analysis.
ARTICLE_COLUMNS = (
    "id",
    "url",
    "source",
    "lang",
    "published",
    "title",
    "text",
    "entities",
    "statements",
    "raw",
    "author",
    "input_id",
    "origin",
    "ingested",
    "spans",
)

#: The ``members`` table's columns, in the order of :class:`khabar.batch.replay.Replayed` rows.
MEMBER_COLUMNS = ("article_id", "story_id", "similarity", "copy_group", "cent_sum", "cent_n",
                  "seen", "day", "sig", "features")
#: The ``stories`` table's columns.
STORY_COLUMNS = ("id", "headline", "size", "sources", "first_seen", "last_seen", "last_day", "medoid", "reps")


#: The ``terms`` table's columns: each term's document frequency over the clustered articles.
TERM_COLUMNS = ("term", "df")


def member_schema() -> Any:
    from pyspark.sql import types as T

    s, L, D = T.StringType(), T.LongType(), T.DoubleType()
    types = (s, L, D, s, D, L, s, L, T.BinaryType(), s)
    return T.StructType([T.StructField(n, t) for n, t in zip(MEMBER_COLUMNS, types, strict=True)])


def story_schema() -> Any:
    from pyspark.sql import types as T

    s, L, A = T.StringType(), T.LongType(), T.ArrayType(T.StringType())
    types = (L, s, L, A, s, s, L, s, A)
    return T.StructType([T.StructField(n, t) for n, t in zip(STORY_COLUMNS, types, strict=True)])


def terms_schema() -> Any:
    from pyspark.sql import types as T

    return T.StructType([T.StructField("term", T.StringType()), T.StructField("df", T.LongType())])
