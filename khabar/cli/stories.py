"""``khabar stories``, ``khabar story``, ``khabar recluster`` and ``khabar eval stories``."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from khabar.cli.app import DbOpt, JsonOpt, app, db_path, eval_app
from khabar.cli.common import emit_json, fail, open_store, since_option, sql_int
from khabar.cli.richlazy import Console, LazyConsole, Table
from khabar.store.params import SQL_INT_MAX, whole_number

err = LazyConsole(stderr=True)



def _story_id(value: str) -> str:
    """``STORY_ID`` checked: a whole number from 1 to 2⁶³−1 (``#12`` too), else a usage error (exit 2)."""
    try:
        number = whole_number(value)
    except ValueError:
        number = None
    if number is None or number < 1:
        raise typer.BadParameter(f"{value!r} is not a story id (a whole number from 1 to {SQL_INT_MAX})")
    return str(number)


@app.command()
def stories(
    since: Annotated[str | None, typer.Option(help="Only stories seen on or after this date (YYYY-MM-DD).",
                                              callback=since_option)] = None,
    lang: Annotated[str | None, typer.Option(help="Only stories with an article in this language (ar, fr…).")] = None,
    source: Annotated[str | None, typer.Option(help="Only stories an outlet reported (e.g. alghad.tv).")] = None,
    q: Annotated[str | None, typer.Option("--q", help="Only stories with an article matching these words.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many stories.", callback=sql_int)] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many (for paging).", callback=sql_int)] = 0,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List stories, newest first: headline, size, sources, first and last seen."""
    from khabar.stories.telling import list_stories

    with open_store(db) as store:
        found = list_stories(store, since=since, lang=lang, source=source, q=q, limit=limit, offset=offset)
    if as_json:
        emit_json(found)
        return
    if not found:
        typer.echo("no stories")
        return
    table = Table("id", "headline", "size", "sources", "last seen")
    for s in found:
        table.add_row(str(s["id"]), s["headline"] or "", str(s["size"]), ", ".join(s["sources"][:4]),
                      (s["last_seen"] or "")[:16])
    Console().print(table)


@app.command()
def story(
    story_id: Annotated[str, typer.Argument(help="Story id (from khabar stories).", callback=_story_id)],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tell one story: its articles in time order, near-copies, people and places, who said what."""
    from khabar.stories.telling import get_story

    with open_store(db) as store:
        found = get_story(store, story_id)
    if found is None:
        fail(f"{story_id}: no such story in {db_path(db)}")
    if as_json:
        emit_json(found)
        return
    out = Console()
    out.print(found["headline"] or "", style="bold", markup=False, highlight=False)
    out.print(f"story {found['id']} · {found['size']} articles · {', '.join(found['sources'])} · "
              f"{(found['first_seen'] or '')[:16]} → {(found['last_seen'] or '')[:16]}", style="dim", markup=False)
    table = Table("seen", "source", "title", "score")
    for a in found["articles"]:
        sim = "" if a["similarity"] is None else f"{a['similarity']:.2f}"
        table.add_row((a["seen"] or "")[:16], a["source"] or "", a["title"] or "", sim)
    out.print(table)
    if found["copies"]:
        out.print(f"near-copies: {len(found['copies'])} group(s): "
                  + "; ".join(", ".join(g) for g in found["copies"]), markup=False, highlight=False)
    if found["entities"]:
        out.print("entities: " + "، ".join(
            f"{e['entity']} ({e['type']} ×{e['count']})" for e in found["entities"]), markup=False, highlight=False)
    for s in found["statements"]:
        who = s["speaker"] or "?"
        role = f" ({s['role']})" if s["role"] else ""
        out.print(f"{who}{role} {s['stance']}: «{s['text']}» — {', '.join(s['outlets'])}",
                  markup=False, highlight=False)


@app.command()
def recluster(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Rebuild every story from the stored articles, in a fixed order (published, then id): deterministic."""
    from khabar.stories.online import recluster as run

    with open_store(db) as store:
        total = store.count()
        with err.status(f"reclustering {total} articles") if err.is_terminal else nullcontext():
            report = run(store)
    if as_json:
        emit_json(report)
    else:
        typer.echo(f"{report['articles']} articles in {report['stories']} stories ({report['seconds']} s)")


@eval_app.command("stories")
def eval_stories(
    gold: Annotated[Path, typer.Argument(help="JSONL: id, title, text, optional url/published, gold story.")],
    batch_size: Annotated[int, typer.Option(min=1, help="Records per ingest batch.")] = 200,
    as_json: JsonOpt = False,
) -> None:
    """Cluster a gold file from scratch, in file order, as a stream; BCubed P/R/F1, ARI, story counts, speed."""
    from khabar.stories.evaluate import evaluate

    if not gold.is_file():
        fail(f"{gold}: no such file")
    result = evaluate(str(gold), batch_size=batch_size)
    if as_json:
        emit_json(result)
        return
    b = result["bcubed"]
    typer.echo(f"BCubed    P {b['p']:.3f}  R {b['r']:.3f}  F1 {b['f1']:.3f}")
    typer.echo(f"ARI       {result['ari']:.3f}")
    typer.echo(f"stories   {result['stories']} found, {result['gold_stories']} in gold, "
               f"{result['articles']} articles ({result['failed']} failed)")
    if "copies" in result:
        c = result["copies"]
        typer.echo(f"copies    P {c['p']:.3f}  R {c['r']:.3f}")
    typer.echo(f"speed     {result['articles_per_s']:.0f} articles/s (scorer: {result['scorer']})")
