"""How an article travels through the Spark job: its row schema, term lists as one string, rows back to dataclasses.

The schemas are made from :mod:`khabar.types`' dataclasses, so a field added there travels too.

>>> split_terms(join_terms(["قمة", "غزة"]))
['قمة', 'غزة']
>>> split_terms(None), split_terms("")
([], [])
>>> found = mentions([{"text": "غزة", "type": "LOC", "start": 0, "end": 3, "entity": "غزة"}])
>>> found[0].type, as_tuples(found, Mention)
('LOC', [('غزة', 'LOC', 0, 3, 'غزة')])
>>> mentions(as_tuples(found, Mention)) == found
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from khabar.types import Mention, Statement

# Joins term lists into one string column (a stem never holds a control character): one string
# pickles and crosses to the JVM far cheaper than hundreds.
SEP = "\x1f"


def join_terms(terms: Iterable[str]) -> str:
    """A term list as one string (the inverse of :func:`split_terms`)."""
    return SEP.join(terms)


def split_terms(joined: str | None) -> list[str]:
    """The term list :func:`join_terms` made (empty for an empty or missing string)."""
    return joined.split(SEP) if joined else []


def mentions(rows: Iterable[Any] | None) -> list[Mention]:
    """Spark rows, dicts or field tuples (:func:`as_tuples`) of the ``entities`` column as :class:`Mention` objects."""
    return [_made(Mention, r) for r in rows or ()]


def statements(rows: Iterable[Any] | None) -> list[Statement]:
    """Spark rows (or dicts) of the ``statements`` column as :class:`Statement` objects."""
    return [_made(Statement, r) for r in rows or ()]


def _made(cls: type, r: Any) -> Any:
    if hasattr(r, "asDict"):  # a Spark Row is a tuple too: by name, whatever its field order
        return cls(**r.asDict())
    return cls(**r) if isinstance(r, dict) else cls(*r)


def as_tuples(items: Iterable[Any], cls: type) -> list[tuple[Any, ...]]:
    """Dataclass objects as tuples in field order: the struct rows of :func:`struct_of`."""
    names = [f.name for f in fields(cls)]
    return [tuple(getattr(x, n) for n in names) for x in items]


#: The fields of an analysed article's row (:func:`article_schema`), by name: tasks build the tuples.
ROW_FIELDS = ("id", "url", "source", "lang", "published", "title", "text", "entities", "statements", "raw",
              "author", "input_id", "origin", "ingested", "spans", "seen", "day", "sig", "title_terms",
              "body_terms", "o_file", "o_block", "o_line", "profile")


# --- schemas -----------------------------------------------------------------------------------------


def _spark_type(annotation: str) -> Any:
    from pyspark.sql import types as T

    if "bool" in annotation:
        return T.BooleanType()
    if "int" in annotation:
        return T.LongType()
    if "float" in annotation:
        return T.DoubleType()
    return T.StringType()


def struct_of(cls: type) -> Any:
    """A Spark struct with one field per dataclass field (so a field added to types.py travels too)."""
    from pyspark.sql import types as T

    return T.StructType([T.StructField(f.name, _spark_type(str(f.type))) for f in fields(cls)])


def article_schema() -> Any:
    """The fields of an analysed article's row, in the order :mod:`khabar.batch.inputs` builds it (the
    ``articles`` table is its first fields, :data:`khabar.batch.tables.ARTICLE_COLUMNS`)."""
    from pyspark.sql import types as T

    s, L = T.StringType(), T.LongType()
    return T.StructType(
        [
            T.StructField("id", s, False),
            T.StructField("url", s),
            T.StructField("source", s),
            T.StructField("lang", s),
            T.StructField("published", s),
            T.StructField("title", s),
            T.StructField("text", s),
            T.StructField("entities", T.ArrayType(struct_of(Mention))),
            T.StructField("statements", T.ArrayType(struct_of(Statement))),
            # what the store keeps beside them (import needs them; ``show --raw`` and the page use them)
            T.StructField("raw", s),
            T.StructField("author", s),
            T.StructField("input_id", s),
            T.StructField("origin", s),
            T.StructField("ingested", s),
            T.StructField("spans", s),
            # clustering features, as the online path keeps them per story member
            T.StructField("seen", s),
            T.StructField("day", L),
            T.StructField("sig", T.BinaryType()),
            # stems of title and body, joined by SEP (one string pickles far cheaper than hundreds): the
            # replay's features (the driver does not stem again)
            T.StructField("title_terms", s),
            T.StructField("body_terms", s),
            # the arrival position (file rank, block, record): ingest's order, for the replay
            T.StructField("o_file", L),
            T.StructField("o_block", L),
            T.StructField("o_line", L),
            # the comparison profile, pickled, when the model scores (else null)
            T.StructField("profile", T.BinaryType()),
        ]
    )


def reject_schema() -> Any:
    from pyspark.sql import types as T

    return T.StructType([T.StructField("path", T.StringType()), T.StructField("reason", T.StringType())])
