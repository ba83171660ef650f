"""The Typer apps that command modules attach to, and the options every command shares."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="khabar",
    help="Turn scraped news (Arabic first) into stories: clean, compare, cluster, tell who said what.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
train_app = typer.Typer(help="Train the shipped models from data files.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure khabar on labelled data.", no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")

DEFAULT_DB = "khabar.db"

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable shapes, see README).")]
DbOpt = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite store (default: $KHABAR_DB or ./khabar.db).", show_default=False),
]


def db_path(db: Path | None) -> Path:
    """The store path: ``--db``, else ``$KHABAR_DB``, else ``./khabar.db``."""
    if db is not None:
        return db
    return Path(os.environ.get("KHABAR_DB") or DEFAULT_DB)
