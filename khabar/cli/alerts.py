"""``khabar alert add|list|remove|deliver`` and ``khabar alerts``: saved queries and their matches."""

from __future__ import annotations

from typing import Annotated

import typer

from khabar.cli.app import DbOpt, JsonOpt, _Group, app, db_path
from khabar.cli.common import emit_json, fail, open_store, sql_int

alert_app = typer.Typer(cls=_Group, help="Saved queries matched on every new article.", no_args_is_help=True)
app.add_typer(alert_app, name="alert")


@alert_app.command("add")
def alert_add(
    words: Annotated[str | None, typer.Argument(help="Words in FTS syntax: \"a phrase\", OR, NOT, ( ), prefix*.",
                                                show_default=False)] = None,
    name: Annotated[str | None, typer.Option(help="A name for it (default: its criteria).")] = None,
    entity: Annotated[str | None, typer.Option(help="An article must name this person, organisation or place.")] = None,
    speaker: Annotated[str | None, typer.Option(help="A statement must be by this speaker.")] = None,
    stance: Annotated[str | None, typer.Option(help="A statement must have this stance: denies or asserts.")] = None,
    webhook: Annotated[str | None, typer.Option(help="POST each match as JSON to this http(s) URL.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Save an alert; every criterion given must hold. It matches articles stored from now on."""
    # an alert may come before the first ingest: the store is created here
    from khabar.follow.alerts import add_alert
    from khabar.store.db import Store, StoreError

    try:
        with Store(db_path(db)) as store:
            saved = add_alert(store, words=words, entity=entity, speaker=speaker, stance=stance, name=name,
                              webhook=webhook)
    except StoreError as e:
        fail(str(e))
    except ValueError as e:
        fail(str(e), 2)
    if as_json:
        emit_json(saved)
    else:
        typer.echo(f"alert {saved['name']!r} saved")


@alert_app.command("list")
def alert_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """The saved alerts with their match counts."""
    from khabar.follow.alerts import list_alerts

    with open_store(db) as store:
        found = list_alerts(store)
    if as_json:
        emit_json(found)
        return
    for a in found:
        what = " ".join(f"{k}={a[k]}" for k in ("query", "entity", "speaker", "stance", "webhook") if a[k])
        typer.echo(f"{a['name']}\t{what}\t{a['matches']} matches, {a['unread']} unread")


@alert_app.command("remove")
def alert_remove(name: Annotated[str, typer.Argument(help="The alert's name (or id).")], db: DbOpt = None) -> None:
    """Delete an alert and its matches."""
    from khabar.follow.alerts import remove_alert

    with open_store(db) as store:
        if not remove_alert(store, name):
            fail(f"no alert named {name!r}")
    typer.echo(f"alert {name!r} removed")


@alert_app.command("deliver")
def alert_deliver(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Send the webhooks that are due now (ingest does this after each batch)."""
    from khabar.follow.webhook import deliver_due

    with open_store(db) as store:
        done = deliver_due(store)
    if as_json:
        emit_json(done)
    else:
        typer.echo(f"delivered {done['delivered']}, failed {done['failed']} (retried later)")


@app.command()
def alerts(
    new: Annotated[bool, typer.Option("--new", help="Only matches not read yet, and mark them read.")] = False,
    alert: Annotated[str | None, typer.Option(help="Only this alert's matches.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many matches.", callback=sql_int)] = 100,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Alert matches, newest first."""
    from khabar.follow.alerts import matches

    with open_store(db) as store:
        found = matches(store, new=new, alert=alert, limit=limit)
    if as_json:
        emit_json(found)
        return
    if not found:
        typer.echo("no matches" + (" since last read" if new else ""))
    for m in found:
        story = f"story {m['story']}" if m["story"] is not None else "no story"
        typer.echo(f"{m['at']}\t{m['alert']}\t{m['article']}\t{story}")
