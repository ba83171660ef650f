"""``khabar entities`` and ``khabar quotes``: who and what one article names, and who said what."""

from __future__ import annotations

from typing import Annotated

import typer

from khabar.cli.app import DbOpt, JsonOpt, app
from khabar.cli.common import article_or_exit, emit_json
from khabar.cli.richlazy import Console, Table

ArticleArg = Annotated[str, typer.Argument(help="A file (text, HTML, JSONL: its first article) or a stored article id.")]


@app.command()
def entities(arg: ArticleArg, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Named entities of one article, linked within it (one canonical name per entity)."""
    from khabar.analyse.entities import entities_summary, extract

    article = article_or_exit(arg, db)
    mentions = extract(article.text)
    if as_json:
        emit_json([m.to_dict() for m in mentions])
        return
    table = Table(title=f"{len(mentions)} mentions, {len(entities_summary(mentions))} entities")
    for col in ("entity", "type", "count", "as written"):
        table.add_column(col, justify="right" if col != "count" else "center")
    forms: dict[tuple[str, str], list[str]] = {}
    for m in mentions:
        seen = forms.setdefault((m.entity, m.type), [])
        if m.text not in seen:
            seen.append(m.text)
    for row in entities_summary(mentions):
        table.add_row(row["entity"], row["type"], str(row["count"]), "، ".join(forms[(row["entity"], row["type"])]))
    Console().print(table)


@app.command()
def quotes(arg: ArticleArg, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Who said what in one article: speaker (as written), role, outlet, stance (asserts/denies/neutral) and
    the denied claim, direct or reported."""
    from khabar.analyse.analysis import analyse

    article = article_or_exit(arg, db)
    statements = analyse(article).statements
    if as_json:
        emit_json([s.to_dict() for s in statements])
        return
    table = Table(title=f"{len(statements)} statements", show_lines=True)
    table.add_column("speaker", justify="right")
    table.add_column("stance", justify="center")
    table.add_column("said", justify="right", ratio=3)
    table.add_column("how", justify="right")
    for s in statements:
        speaker = s.speaker or "?"
        if s.role:
            speaker += f"\n{s.role}"
        how = [s.verb or "", "direct" if s.direct else "reported"]
        if s.outlet:
            how.append(f"→ {s.outlet}")
        if s.claim:
            how.append(f"✗ {s.claim}")
        stance = "[red]denies[/red]" if s.stance == "denies" else s.stance
        text = f"«{s.text}»" if s.direct else s.text
        table.add_row(speaker, stance, text, "\n".join(h for h in how if h))
    Console().print(table)
