"""``khabar ingest``, ``khabar show`` and ``khabar search``: the store's front door."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from khabar.cli.app import DbOpt, JsonOpt, app, db_path
from khabar.cli.common import emit_json, fail
from khabar.cli.richlazy import (
    BarColumn,
    Console,
    LazyConsole,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    Table,
    TextColumn,
    TimeElapsedColumn,
)

err = LazyConsole(stderr=True)


@app.command()
def ingest(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, globs, or - for stdin.")],
    source: Annotated[str | None, typer.Option(help="Outlet name for inputs that carry no URL.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    progress: Annotated[bool | None, typer.Option(help="Progress bar (default: on a terminal).")] = None,
    analyse: Annotated[bool, typer.Option(help="Find entities and statements (needed for stories).")] = True,
    workers: Annotated[int | None, typer.Option(min=1, max=64, help="Analysis processes (default: one per core, up to 4).")] = None,
) -> None:
    """Read, clean and store articles (text, HTML, JSONL, WARC). Re-ingesting an article stores it once."""
    from khabar.pipeline import ingest as run_ingest
    from khabar.store.db import Store, StoreError

    show_progress = err.is_terminal if progress is None else progress
    try:
        store = Store(db_path(db))
    except StoreError as e:
        fail(str(e))
    bar = Progress(
        SpinnerColumn(), TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"), TimeElapsedColumn(), console=err, disable=not show_progress,
        transient=True,
    )

    def on_item(origin: str, ok: bool) -> None:
        bar.update(task, advance=1, last=Path(origin.split(":")[0].split("#")[0]).name[-40:])

    interrupted = False
    with store, bar:
        task = bar.add_task("ingest", total=None, last="")
        try:
            report = run_ingest(inputs, store, source=source, stdin=sys.stdin.buffer, analyse=analyse,
                                workers=workers, on_item=on_item)
        except KeyboardInterrupt:
            interrupted = True
    if interrupted:
        fail("interrupted: the batch in flight was rolled back, earlier batches are stored", code=130)
    for f in report.failed:
        typer.echo(f"error: {f['path']}: {f['error']}", err=True)
    if as_json:
        emit_json(report.to_dict())
    else:
        typer.echo(report.summary())
    raise typer.Exit(1 if report.failed else 0)


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(help="Article id (or a unique prefix, or the input's own id).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
    raw: Annotated[bool, typer.Option("--raw", help="Print the raw text instead of the clean one.")] = False,
) -> None:
    """Show a stored article: the clean text and its metadata."""
    from khabar.store.db import Store

    path = db_path(db)
    if not path.exists():
        fail(f"no store at {path} (ingest something first, or pass --db)")
    with Store(path) as store:
        article = store.get(article_id)
    if article is None:
        if len(article_id) < 6 and re.fullmatch(r"[0-9a-f]+", article_id):
            # no article has this input id, and a prefix of an id this short would be ambiguous
            fail(f"{article_id}: prefix shorter than 6 characters (give at least 6 of the id)", code=2)
        fail(f"{article_id}: no such article in {path}")
    if as_json:
        emit_json(article.to_dict())
        return
    out = Console()
    out.print(f"[bold]{article.title}[/bold]")
    meta = " · ".join(str(v) for v in (article.source, article.published, article.lang, article.id) if v)
    out.print(f"[dim]{meta}[/dim]")
    if article.url:
        out.print(f"[dim]{article.url}[/dim]", soft_wrap=True)
    out.print()
    out.print(article.raw if raw else article.text, markup=False, highlight=False)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to find (Arabic spelling variants match).")],
    limit: Annotated[int, typer.Option(min=1, help="At most this many results.")] = 20,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Full-text search of the stored articles, on the Arabic matching form."""
    from khabar.store.db import Store

    path = db_path(db)
    if not path.exists():
        fail(f"no store at {path} (ingest something first, or pass --db)")
    with Store(path) as store:
        hits = store.search(query, limit=limit)
    if as_json:
        emit_json([{"id": h["id"], "title": h["title"], "score": h["score"]} for h in hits])
        return
    if not hits:
        typer.echo("no match")
        return
    table = Table("id", "title", "source", "score")
    for h in hits:
        table.add_row(h["id"], h["title"], h["source"] or "", f"{h['score']:.2f}")
    Console().print(table)
