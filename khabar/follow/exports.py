"""Exports of stories, articles, memberships and statements as CSV, JSONL or Parquet, streamed.

Rows come from :mod:`khabar.store.exports` one at a time and are written as they come, so an
export's memory does not grow with the store. Every format has the same columns
(:data:`COLUMNS`); JSONL is one object per line with exactly those keys. Names are shown as the
source wrote them: a statement's speaker is the spelling its article used, never the matching form.

CSV is for spreadsheets: UTF-8 with a byte-order mark (without one, Excel reads UTF-8 as a local
code page and Arabic turns to mojibake), lists joined with ``; ``, and a text cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so that a
spreadsheet shows it rather than running it as a formula (OWASP's advice on CSV injection).
JSONL and Parquet keep values exactly as stored.

>>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("-3 قتلى"), csv_cell(-3), csv_cell(["a", "b"])
('\\'=HYPERLINK("http://x")', "'-3 قتلى", '-3', 'a; b')
>>> "".join(csv_lines(("id", "title"), [{"id": 1, "title": "خبر"}])) == "\\ufeffid,title\\r\\n1,خبر\\r\\n"
True
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import IO, Any

from khabar.store import exports as rows_of
from khabar.store.db import Store

__all__ = ["COLUMNS", "FORMATS", "KINDS", "ExportError", "csv_cell", "csv_lines", "export", "rows", "statement_rows"]

KINDS = ("stories", "articles", "members", "statements")
FORMATS = ("csv", "jsonl", "parquet")
STATEMENT_COLUMNS = ("article", "story", "source", "seen", "speaker", "role", "stance", "direct", "verb",
                     "outlet", "text")
COLUMNS: dict[str, tuple[str, ...]] = {
    "stories": rows_of.STORY_COLUMNS, "articles": rows_of.ARTICLE_COLUMNS, "members": rows_of.MEMBER_COLUMNS,
    "statements": STATEMENT_COLUMNS,
}
# Parquet column types; every other column is a string. Declared, so an empty export has a schema too.
_INTS = {"size", "story"}  # and a story's own "id"; other ids are strings
_FLOATS = {"similarity"}
_BOOLS = {"direct"}
_LISTS = {"sources"}
#: Rows per Parquet row group: big enough for good compression, small enough to hold in memory.
PARQUET_BATCH = 5000
#: Cells a spreadsheet would run as a formula (OWASP's CSV-injection list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(RuntimeError):
    """An export that cannot be made (an unknown kind or format, pyarrow missing for Parquet)."""


def statement_rows(store: Store, *, since: str | None = None, source: str | None = None,
                   ) -> Iterator[dict[str, Any]]:
    """Every stored statement, article by article in ingest order, its speaker as the article wrote it."""
    from khabar.stories.telling import role_as_written

    for aid, story, src, seen, mentions, statements in rows_of.statement_sources(store, since=since, source=source):
        written: dict[str, Counter[str]] = {}
        for m in json.loads(mentions):
            written.setdefault(m["entity"], Counter())[m["text"]] += 1
        for st in json.loads(statements):
            speaker = st.get("speaker")
            if speaker is not None:
                forms = written.get(speaker)
                speaker = forms.most_common(1)[0][0] if forms else (role_as_written(speaker, st.get("role")) or speaker)
            yield {"article": aid, "story": story, "source": src, "seen": seen, "speaker": speaker,
                   "role": st.get("role"), "stance": st.get("stance"), "direct": bool(st.get("direct")),
                   "verb": st.get("verb"), "outlet": st.get("outlet"), "text": st.get("text")}


def rows(store: Store, kind: str, *, since: str | None = None, source: str | None = None,
         ) -> Iterator[dict[str, Any]]:
    """The rows of one kind as dicts with :data:`COLUMNS` ``[kind]`` as keys, streamed."""
    if kind == "statements":
        return statement_rows(store, since=since, source=source)
    read = {"stories": rows_of.story_rows, "articles": rows_of.article_rows, "members": rows_of.member_rows}.get(kind)
    if read is None:
        raise ExportError(f"unknown export {kind!r} (one of {', '.join(KINDS)})")
    columns = COLUMNS[kind]
    return (dict(zip(columns, r, strict=True)) for r in read(store, since=since, source=source))


def csv_cell(value: Any) -> str:
    """One value as a CSV cell: lists joined with ``; ``, text that a spreadsheet would run as a formula
    prefixed with ``'`` (numbers stay numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_lines(columns: Iterable[str], items: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text as it is made: the byte-order mark and header first, then one line a row."""
    columns = tuple(columns)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    yield "\ufeff" + buf.getvalue()
    for item in items:
        buf.seek(0)
        buf.truncate()
        writer.writerow([csv_cell(item.get(c)) for c in columns])
        yield buf.getvalue()


def export(store: Store, kind: str, fmt: str, out: IO[bytes], *, since: str | None = None,
           source: str | None = None) -> int:
    """Write every row of ``kind`` to ``out`` (binary) in ``fmt``; how many rows."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if kind not in KINDS:
        raise ExportError(f"unknown export {kind!r} (one of {', '.join(KINDS)})")
    if fmt == "parquet":
        return _parquet(kind, rows(store, kind, since=since, source=source), out)
    count = 0

    def counted(items: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal count
        for item in items:
            count += 1
            yield item

    items = counted(rows(store, kind, since=since, source=source))
    if fmt == "csv":
        for line in csv_lines(COLUMNS[kind], items):
            out.write(line.encode("utf-8"))
    else:
        for item in items:
            out.write((json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8"))
    return count


def _schema(kind: str) -> Any:
    import pyarrow as pa

    def typed(c: str) -> Any:
        if c in _INTS or (kind == "stories" and c == "id"):
            return pa.int64()
        if c in _FLOATS:
            return pa.float64()
        if c in _BOOLS:
            return pa.bool_()
        return pa.list_(pa.string()) if c in _LISTS else pa.string()

    return pa.schema([(c, typed(c)) for c in COLUMNS[kind]])


def _parquet(kind: str, items: Iterable[dict[str, Any]], out: IO[bytes]) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:
        raise ExportError("Parquet needs pyarrow: pip install pyarrow (or the spark extra: pip install "
                          "'khabar[spark]'); csv and jsonl need nothing more") from e
    schema, count, batch = _schema(kind), 0, []
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for item in items:
            batch.append(item)
            if len(batch) >= PARQUET_BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count, batch = count + len(batch), []
        if batch or not count:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
        count += len(batch)
    return count
