"""``khabar compare``, ``khabar eval pairs`` and ``khabar train similarity``: same story or not."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from khabar.cli.app import DbOpt, JsonOpt, app, db_path, eval_app, train_app
from khabar.cli.common import article_or_exit, emit_json, fail
from khabar.cli.richlazy import Console, Table
from khabar.types import Article

ArticleArg = Annotated[str, typer.Argument(help="A file (text, HTML, JSONL: its first article) or a stored article id.")]
EmbedderOpt = Annotated[
    Path | None,
    typer.Option("--embedder", help="A local sentence-transformers model directory (never downloaded).",
                 show_default=False),
]


def _load(arg: str, db: Path | None) -> tuple[Article, Any]:
    """The article and, for a stored one that was analysed, its ``(mentions, statements)``."""
    from khabar.load import names_file

    article = article_or_exit(arg, db)
    if names_file(arg):
        return article, None
    from khabar.store.db import Store

    with Store(db_path(db)) as store:
        return article, store.get_analysis(article.id)


def _model(embedder: Path | None) -> Any:
    from khabar.compare import embed
    from khabar.compare import model as similarity

    try:
        model = similarity.load_model()
    except FileNotFoundError as e:
        fail(str(e))
    if embedder is not None:
        if not model.uses_embedding:
            fail("--embedder: the shipped model was trained without an embedder; "
                 "train one with: khabar train similarity FILE --embedder DIR")
        try:
            model.embedder = embed.SentenceTransformerEmbedder(embedder)
        except (ImportError, FileNotFoundError) as e:
            fail(f"--embedder {embedder}: {e}")
    elif model.uses_embedding:
        fail("this model was trained with an embedder: give it with --embedder DIR")
    return model


@app.command()
def compare(
    a: ArticleArg,
    b: ArticleArg,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    embedder: EmbedderOpt = None,
) -> None:
    """Do two articles report the same story? Score (1 = same … 4 = different), facets, and the evidence."""
    from khabar.compare.comparison import compare as run_compare

    art_a, an_a = _load(a, db)
    art_b, an_b = _load(b, db)
    result = run_compare(art_a, art_b, _model(embedder), analyses=(an_a, an_b))
    if as_json:
        emit_json(result.to_dict())
        return
    _print(result, art_a, art_b)


def _print(result: Any, a: Article, b: Article) -> None:
    con = Console()
    colour = {"same story": "green", "related": "yellow", "different": "red"}[result.verdict]
    con.print(f"[bold {colour}]{result.verdict}[/]  overall {result.overall:.2f}  "
              "(1 = same story … 4 = very different)")
    con.print(f"A: {a.title}\nB: {b.title}")
    con.print("facets: " + "  ".join(f"{k} {v:.2f}" for k, v in result.facets.items()))
    ev = result.evidence
    if ev["shared_entities"]:
        t = Table(title="named in both")
        for col in ("entity", "type", "in A", "in B"):
            t.add_column(col, justify="right")
        for e in ev["shared_entities"]:
            t.add_row(e["entity"], e["type"], "، ".join(e["a"]), "، ".join(e["b"]))
        con.print(t)
    figures = [f"{d['a']} / {d['b']}" for d in ev["shared_dates"] + ev["shared_numbers"]]
    if figures:
        con.print("dates and numbers in both: " + "؛ ".join(figures))
    for q in ev["shared_quotes"]:
        con.print(f"quoted in both ({q['a']['speaker'] or '?'}): «{q['a']['text']}» ~ «{q['b']['text']}»")
    if ev["passages"]:
        t = Table(title="best-aligned passages", show_lines=True)
        t.add_column("score", justify="center")
        t.add_column("A", justify="right", ratio=1)
        t.add_column("B", justify="right", ratio=1)
        for p in ev["passages"]:
            t.add_row(f"{p['score']:.2f}", p["a"]["text"], p["b"]["text"])
        con.print(t)


@eval_app.command("pairs")
def eval_pairs(
    path: Annotated[Path, typer.Argument(help="Labelled pairs, JSONL as semeval2022-task8-train.jsonl.")],
    as_json: JsonOpt = False,
    embedder: EmbedderOpt = None,
) -> None:
    """Pearson of the shipped model's overall score against gold Overall, per language and all; MAE."""
    from khabar.compare.training import PairsError, evaluate

    if not path.is_file():
        fail(f"{path}: no such file")
    model = _model(embedder)
    try:
        report = evaluate(path, model)
    except PairsError as e:
        fail(str(e))
    if as_json:
        emit_json(report)
        return
    t = Table(title=f"{path.name}: {report['n']} pairs")
    t.add_column("language")
    t.add_column("Pearson", justify="right")
    for lang, r in report["pearson"].items():
        t.add_row(lang, "—" if r is None else f"{r:.4f}")
    con = Console()
    con.print(t)
    con.print(f"MAE {report['mae']:.4f}")
    con.print("[dim]note: the shipped model was trained on semeval2022-task8-train.jsonl; scores on that file "
              "flatter it (see bench/similarity.py for cross-validated figures).[/dim]")


@train_app.command("similarity")
def train_similarity(
    path: Annotated[Path, typer.Argument(help="Labelled pairs, JSONL as semeval2022-task8-train.jsonl.")],
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the model "
                                             "(default: the shipped khabar/models/similarity.npz).",
                                             show_default=False)] = None,
    embedder: EmbedderOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Train the comparison model (and its background IDF) on labelled pairs; deterministic."""
    from khabar.compare import embed, training
    from khabar.compare import model as similarity

    if not path.is_file():
        fail(f"{path}: no such file")
    emb = None
    if embedder is not None:
        try:
            emb = embed.SentenceTransformerEmbedder(embedder)
        except (ImportError, FileNotFoundError) as e:
            fail(f"--embedder {embedder}: {e}")
    target = out or similarity.MODEL_PATH
    try:
        model = training.train(path, embedder=emb, out=target)
    except training.PairsError as e:
        fail(str(e))
    similarity._default_model.cache_clear()
    info = {"model": str(target), "size_bytes": target.stat().st_size, "pairs_features": len(model.feature_names),
            "background_docs": model.background.n_docs, "embedder": str(embedder) if embedder else None}
    if as_json:
        emit_json(info)
    else:
        typer.echo(f"wrote {target} ({info['size_bytes'] / 1e6:.2f} MB; {info['background_docs']} background "
                   f"articles, {info['pairs_features']} features)")
