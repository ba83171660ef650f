"""``khabar batch`` (a corpus into stories with Spark) and ``khabar import`` (a batch result into a store).

PySpark is an optional dependency (``pip install -e .[spark]``): it is imported only when these
commands run, so the rest of the CLI works without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from khabar.cli.app import DbOpt, JsonOpt, app, db_path
from khabar.cli.common import emit_json, fail
from khabar.cli.richlazy import LazyConsole

err = LazyConsole(stderr=True)
_SHOWN_REJECTS = 20


@app.command()
def batch(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="INPUT... OUTPUT: files, folders or globs (local, hdfs://, s3a://…), then the output.",
            metavar="INPUT... OUTPUT",
        ),
    ],
    master: Annotated[
        str, typer.Option(help="Spark master: local[*], local[2], spark://host:7077, yarn…")
    ] = "local[*]",
    source: Annotated[str | None, typer.Option(help="Outlet name for inputs that carry no URL.")] = None,
    scorer: Annotated[
        str | None,
        typer.Option(help="Comparison: 'model' or 'lexical' (default: what ingest would use here)."),
    ] = None,
    conf: Annotated[
        list[str] | None,
        typer.Option(
            "--conf", help="Extra Spark setting KEY=VALUE (repeatable), e.g. spark.executor.memory=8g."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Read, analyse and cluster a corpus with Spark into Parquet (articles, stories, members, rejects).

    Gives the same article ids and the same stories as 'khabar ingest'; load the result into a
    store with 'khabar import OUTPUT'.
    """
    if len(paths) < 2:
        fail("give at least one INPUT and the OUTPUT folder", code=2)
    if scorer not in (None, "model", "lexical"):
        fail(f"--scorer must be 'model' or 'lexical', not {scorer!r}", code=2)
    settings: dict[str, str] = {}
    for item in conf or []:
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            fail(f"--conf {item!r}: expected KEY=VALUE", code=2)
        settings[key.strip()] = value.strip()
    *inputs, output = paths

    from khabar.batch.job import run_batch
    from khabar.batch.session import SparkUnavailable, require_spark, spark_session

    try:
        require_spark()
        from pyspark.sql import SparkSession

        # a session that was already running (a notebook, a test) is left running afterwards
        owned = SparkSession.getActiveSession() is None
        spark = spark_session(master, conf=settings)
    except SparkUnavailable as e:
        fail(str(e))
    try:
        with err.status(f"khabar batch on {master}") if err.is_terminal else _Quiet():
            report = run_batch(inputs, output, spark=spark, scorer=scorer)
        rejects = _first_rejects(spark, output) if report.rejects else []
    except KeyboardInterrupt:
        fail("interrupted: the output folder is incomplete; run the job again", code=130)
    finally:
        if owned:
            spark.stop()
    for path, reason in rejects:
        typer.echo(f"error: {path}: {reason}", err=True)
    if report.rejects > len(rejects):
        typer.echo(f"error: … and {report.rejects - len(rejects)} more (see {output}/rejects)", err=True)
    if as_json:
        emit_json(report.to_dict())
    else:
        typer.echo(report.summary())
    raise typer.Exit(1 if report.rejects else 0)


class _Quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _first_rejects(spark, output: str) -> list[tuple[str, str]]:  # spark: SparkSession
    rows = spark.read.parquet(f"{output.rstrip('/')}/rejects").orderBy("path").limit(_SHOWN_REJECTS).collect()
    return [(r["path"], r["reason"]) for r in rows]


@app.command("import")
def import_(
    output: Annotated[Path, typer.Argument(help="The OUTPUT folder of a khabar batch run (local).")],
    db: DbOpt = None,
    chunk: Annotated[int, typer.Option(min=1, help="Articles per transaction.")] = 500,
    as_json: JsonOpt = False,
) -> None:
    """Load a batch result into a store (articles, analyses, stories) for the CLI, API and web page."""
    from khabar.batch.importer import import_batch
    from khabar.batch.session import SparkUnavailable
    from khabar.store.db import Store, StoreError

    if not (output / "report.json").is_file():
        fail(f"{output}: not a khabar batch output (no report.json)")
    try:
        store = Store(db_path(db))
    except StoreError as e:
        fail(str(e))
    try:
        with store, err.status(f"importing {output}") if err.is_terminal else _Quiet():
            report = import_batch(str(output), store, chunk_size=chunk)
    except SparkUnavailable as e:
        fail(str(e))
    except (FileNotFoundError, KeyError, ValueError) as e:
        fail(f"{output}: {e}")
    except KeyboardInterrupt:
        fail("interrupted: the chunk in flight was rolled back, earlier chunks are stored", code=130)
    if as_json:
        emit_json(report.to_dict())
    else:
        typer.echo(report.summary())
