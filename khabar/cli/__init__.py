"""The ``khabar`` command line: one Typer app, its commands grouped by concept in sibling modules."""

from __future__ import annotations

import importlib

from khabar.cli.app import app, eval_app, train_app

# Each module registers its commands on the apps above when imported.
for _name in ("ingest", "analyse", "ner", "compare", "stories", "serve", "batch", "export", "digest", "fetch", "alerts", "entity"):
    importlib.import_module(f"khabar.cli.{_name}")


def main() -> None:
    app()


__all__ = ["app", "eval_app", "main", "train_app"]
