"""``khabar export KIND``: stories, articles, memberships or statements as CSV, JSONL or Parquet."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from khabar.cli.app import DbOpt, JsonOpt, app
from khabar.cli.common import emit_json, fail, open_store, since_option

_KINDS = ("stories", "articles", "members", "statements")
_FORMATS = ("csv", "jsonl", "parquet")


def _choice(allowed: tuple[str, ...], what: str):
    def check(value: str) -> str:
        if value not in allowed:
            raise typer.BadParameter(f"{value!r} is not a {what}: use one of {', '.join(allowed)}")
        return value

    return check


@app.command()
def export(
    kind: Annotated[str, typer.Argument(help="stories, articles, members or statements.",
                                        callback=_choice(_KINDS, "kind of export"))],
    fmt: Annotated[str, typer.Option("--format", help="csv (UTF-8 with BOM), jsonl or parquet.",
                                     callback=_choice(_FORMATS, "format"))] = "csv",
    output: Annotated[str, typer.Option("-o", "--output", help="File to write, or - for stdout.")] = "-",
    since: Annotated[str | None, typer.Option(help="Only what was seen on or after this date (YYYY-MM-DD).",
                                              callback=since_option)] = None,
    source: Annotated[str | None, typer.Option(help="Only one outlet's rows (e.g. alghad.tv).")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export a table of the store, streamed (constant memory): every format has the same columns."""
    from khabar.follow.exports import ExportError
    from khabar.follow.exports import export as write

    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401  (only to say clearly what is missing, before any work)
        except ImportError:
            fail("--format parquet needs pyarrow: pip install pyarrow (csv and jsonl need nothing more)")
    with open_store(db) as store:
        try:
            if output == "-":
                count = write(store, kind, fmt, sys.stdout.buffer, since=since, source=source)
                sys.stdout.buffer.flush()
            else:
                count = _to_file(store, kind, fmt, Path(output), since, source, write)
        except (ExportError, OSError) as e:
            fail(f"{output}: {e}")
    summary = {"kind": kind, "format": fmt, "rows": count, "output": output}
    if as_json and output != "-":
        emit_json(summary)
    elif output != "-":
        typer.echo(f"{count} {kind} written to {output}")


def _to_file(store, kind: str, fmt: str, path: Path, since: str | None, source: str | None, write) -> int:
    """Write to a temporary file beside ``path``, then rename: an interrupted export leaves no half file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "wb") as out:
            count = write(store, kind, fmt, out, since=since, source=source)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
