"""The Typer apps that command modules attach to, and the options every command shares."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption


class _Argument(TyperArgument):
    """An argument shown as ``NAME`` (``NAME...`` when it repeats), with no type label."""

    def _usage_display_name(self) -> str:
        name = (self.metavar or self.name or "").upper()
        name = name if self.nargs == 1 or name.endswith("...") else name + "..."
        return name if self.required else f"[{name}]"

    def _rich_display_name(self) -> str:
        return self._usage_display_name().strip("[]")

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


_METAVARS = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "path": "PATH"}


class _Option(TyperOption):
    """An option shown with click's plain metavar (``INTEGER``, ``PATH``), a flag with none."""

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        if self.metavar:
            return self.metavar
        label = (super().display_type_rich(ctx) or "").strip("<>.").removeprefix("list[").removesuffix("]")
        return _METAVARS.get(label.removesuffix(" range"), label.upper())


def _plain(params: list[Any]) -> list[Any]:
    # Typer 0.29 labels every parameter with its Python type (<bool>, <list[str]>) and braces
    # required arguments ({inputs}...): help is for people, so show click's plain forms instead
    for p in params:
        if type(p) is TyperArgument:
            p.__class__ = _Argument
        elif type(p) is TyperOption:
            p.__class__ = _Option
    return params


class _Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))


class _Group(TyperGroup):
    """The ``khabar`` group: its commands' help in plain forms (:func:`_plain`)."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        cmd = super().get_command(ctx, cmd_name)
        if type(cmd) is TyperCommand:
            cmd.__class__ = _Command
        return cmd


app = typer.Typer(
    cls=_Group,
    name="khabar",
    help="Turn scraped news (Arabic first) into stories: clean, compare, cluster, tell who said what.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # click's plain help: rendering it with rich costs --help 0.1 s of a 0.3 s budget
)
train_app = typer.Typer(cls=_Group, help="Train the shipped models from data files.", no_args_is_help=True,
                        rich_markup_mode=None)
eval_app = typer.Typer(cls=_Group, help="Measure khabar on labelled data.", no_args_is_help=True,
                       rich_markup_mode=None)
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
