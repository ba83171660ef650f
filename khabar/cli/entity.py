"""``khabar entity NAME``: one actor over time (names, stories, statements, company, volume)."""

from __future__ import annotations

from typing import Annotated

import typer

from khabar.cli.app import DbOpt, JsonOpt, app
from khabar.cli.common import emit_json, fail, open_store

_STANCE_AR = {"denies": "نفى", "asserts": "قال"}


@app.command()
def entity(
    name: Annotated[str, typer.Argument(help="The person's or organisation's name, in any spelling.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One actor over time: its names, stories, every statement (with stance, outlets, date), company, volume."""
    from khabar.follow.actor import entity_page

    with open_store(db) as store:
        page = entity_page(store, name)
    if page is None:
        fail(f"no article names {name!r}")
    if as_json:
        emit_json(page)
        return
    typer.echo(f"{page['entity']} ({page['type']}): {', '.join(page['names'])}")
    typer.echo(f"stories: {len(page['stories'])}")
    for s in page["stories"]:
        typer.echo(f"  #{s['id']} {s['headline']} ({', '.join(s['sources'])})")
    typer.echo(f"statements: {len(page['statements'])}")
    for st in page["statements"]:
        typer.echo(f"  {st['first_seen'] or '—'} [{st['stance']}] {', '.join(st['outlets'])}: {st['text']}")
    if page["with"]:
        typer.echo("with: " + ", ".join(w["entity"] for w in page["with"]))
    typer.echo("by day: " + ", ".join(f"{d['day']} {d['count']}" for d in page["by_day"]))
