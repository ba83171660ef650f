"""``khabar train ner`` and ``khabar eval ner``: train the NER tagger on a CoNLL file and measure it."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from khabar.cli.app import JsonOpt, eval_app, train_app
from khabar.cli.common import emit_json, fail
from khabar.cli.richlazy import (
    BarColumn,
    Console,
    MofNCompleteColumn,
    Progress,
    Table,
    TextColumn,
    TimeElapsedColumn,
)

ConllArg = Annotated[
    Path, typer.Argument(help="CoNLL file: 'token TAG' per line, blank line between sentences.")
]


def _read(path: Path) -> tuple[list[list[str]], list[list[str]]]:
    from khabar.analyse.conll import ConllError, read_conll

    try:
        return read_conll(path)
    except ConllError as e:
        fail(str(e))


def _progress(console: Console) -> Progress:
    # a bar on a terminal only: piped or captured output stays clean
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
        transient=True,
    )


def _scores_table(scores, title: str) -> Table:  # noqa: ANN001 - khabar.analyse.conll.Scores, imported lazily
    table = Table(title=title)
    for col in ("type", "P", "R", "F1", "support"):
        table.add_column(col, justify="right")
    for typ, s in sorted(scores.per_type.items()):
        table.add_row(typ, f"{s.p:.3f}", f"{s.r:.3f}", f"{s.f1:.3f}", str(s.n_gold))
    m = scores.micro
    table.add_row("micro", f"{m.p:.3f}", f"{m.r:.3f}", f"[bold]{m.f1:.3f}[/bold]", str(m.n_gold))
    return table


@train_app.command("ner")
def train_ner(
    path: ConllArg,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Model file to write (default: the shipped khabar/models/ner.crfsuite)."),
    ] = None,
    c1: Annotated[float, typer.Option(help="L1 weight (prunes features; larger = smaller model).")] = 0.05,
    c2: Annotated[float, typer.Option(help="L2 weight.")] = 0.01,
    max_iterations: Annotated[int, typer.Option("--max-iterations", help="L-BFGS iterations.")] = 150,
) -> None:
    """Train the named-entity tagger (CRF) on a CoNLL file and write the model."""
    from khabar.analyse.ner import MODEL_PATH, NerTagger

    X, y = _read(path)
    target = out or MODEL_PATH
    err = Console(stderr=True, soft_wrap=True)
    n_tok = sum(map(len, X))
    err.print(f"training on {len(X)} sentences, {n_tok} tokens from {path}")
    t0 = time.perf_counter()
    tagger = NerTagger(c1=c1, c2=c2, max_iterations=max_iterations)
    with _progress(err) as bar:
        task = bar.add_task("L-BFGS", total=max_iterations)
        tagger.fit(X, y, progress=lambda it: bar.update(task, completed=it))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tagger.save(target)
    except OSError as e:
        fail(f"{target}: cannot write model ({e.strerror or e})")
    size = target.stat().st_size
    err.print(f"wrote {target} ({size / 1e6:.2f} MB) in {time.perf_counter() - t0:.0f} s")


@eval_app.command("ner")
def eval_ner(
    path: ConllArg,
    folds: Annotated[
        int | None,
        typer.Option("--folds", help="K-fold cross-validation (contiguous folds), training fresh taggers."),
    ] = None,
    o_penalty: Annotated[
        float | None,
        typer.Option("--o-penalty", min=0.0, help="Decoding penalty on O (log units; default: the shipped one)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Entity-level P/R/F1 (CoNLL rules): the shipped model on FILE, or K-fold CV with --folds K."""
    from khabar.analyse.ner import MODEL_PATH, O_PENALTY, NerTagger, cross_validate, load_tagger

    penalty = O_PENALTY if o_penalty is None else o_penalty

    X, y = _read(path)
    err = Console(stderr=True, soft_wrap=True)
    if folds is not None:
        if not 2 <= folds <= len(X):
            fail(f"--folds must be between 2 and {len(X)} (the sentences in {path}), got {folds}")
        iters = NerTagger().max_iterations
        with _progress(err) as bar:
            task = bar.add_task(f"{folds}-fold CV", total=folds * iters)
            scores = cross_validate(
                X,
                y,
                folds,
                params={"o_penalty": penalty},
                progress=lambda k, it: bar.update(task, completed=k * iters + min(it, iters)),
            )
        title = f"{folds}-fold CV (contiguous folds) on {path.name}"
    else:
        from khabar.analyse.conll import score

        try:
            tagger = load_tagger()
        except FileNotFoundError as e:
            fail(str(e))
        if penalty != tagger.o_penalty:
            tagger = NerTagger.load(MODEL_PATH)  # a fresh copy: the cached shipped tagger stays as it is
            tagger.o_penalty = penalty
        scores = score(y, tagger.predict(X))
        title = f"shipped model on {path.name}"
    if as_json:
        result = scores.to_dict()
        if folds is not None:
            result["folds"] = folds
        emit_json(result)
        return
    Console(file=sys.stdout).print(_scores_table(scores, title))
