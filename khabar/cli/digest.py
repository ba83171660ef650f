"""``khabar digest``: the top stories of a period with their outlets and key statements."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from khabar.cli.app import DbOpt, JsonOpt, app
from khabar.cli.common import emit_json, fail, open_store


@app.command()
def digest(
    since: Annotated[str, typer.Option(help="Period start: 90m, 24h, 7d, 2w back from now, or an ISO date.")] = "24h",
    fmt: Annotated[str, typer.Option("--format", help="md (Markdown) or html (one self-contained RTL file).")] = "md",
    output: Annotated[str, typer.Option("-o", "--output", help="File to write, or - for stdout.")] = "-",
    top: Annotated[int, typer.Option(min=1, max=500, help="At most this many stories.")] = 10,
    base_url: Annotated[str | None, typer.Option(help="The khabar server to link stories to (http(s)://…).")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a digest: the stories that moved most in the period, their outlets, who said or denied what."""
    from khabar.follow import digest as make

    now = datetime.now(UTC)
    try:
        start = make.parse_since(since, now)
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--since") from None
    if fmt not in ("md", "html"):
        raise typer.BadParameter(f"{fmt!r}: use md or html", param_hint="--format")
    if base_url is not None and make.base_link(base_url) is None:
        raise typer.BadParameter(f"{base_url!r} is not an http(s) URL", param_hint="--base-url")
    with open_store(db) as store:
        found = make.build(store, start, now, top=top)
    if as_json:  # the data on stdout; with -o FILE the rendered digest is written as well
        emit_json(found)
        if output == "-":
            return
    text = make.html(found, base_url) if fmt == "html" else make.markdown(found, base_url)
    if output == "-":
        sys.stdout.write(text)
        return
    _write(Path(output), text)
    typer.echo(f"{len(found['stories'])} stories written to {output}", err=True)


def _write(path: Path, text: str) -> None:
    """Write through a temporary file beside ``path`` and rename: never a half-written digest."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as e:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        fail(f"{path}: {e}")
