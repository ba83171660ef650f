"""How well stories are made: BCubed and near-copy pair scores against gold labels, and the streams that
cluster a JSONL file from scratch through the full ingest path (read, clean, analyse, store, cluster).

This module may call :func:`khabar.pipeline.ingest`; the clusterer (:mod:`khabar.stories.online`)
never does, so the pipeline can call the clusterer without a cycle.

>>> bcubed(["a", "a", "b"], [1, 1, 2])
{'p': 1.0, 'r': 1.0, 'f1': 1.0}
>>> pair_scores(["x", "x", "y"], [1, 1, 1])
{'p': 0.3333, 'r': 1.0, 'pairs_gold': 1, 'pairs_found': 3}
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from khabar.config import StoryConfig
from khabar.pipeline import ingest
from khabar.read.clean import to_article
from khabar.read.formats import read
from khabar.store.db import Store
from khabar.store.stories import StoryIndex
from khabar.stories.online import Clusterer, clusterer_for, load_item
from khabar.stories.scorers import Scorer
from khabar.types import ReadError

__all__ = ["bcubed", "evaluate", "pair_scores", "record_article_ids", "stream"]


def bcubed(gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, float]:
    """BCubed precision, recall and F1 of a clustering ``pred`` against ``gold`` (one label per item)."""
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    if not gold:
        return {"p": 0.0, "r": 0.0, "f1": 0.0}
    both = Counter(zip(gold, pred, strict=True))
    g, p = Counter(gold), Counter(pred)
    # every item of a (gold, pred) cell sees the same cell: sum over cells instead of over items
    prec = sum(n * n / p[pl] for (_, pl), n in both.items()) / len(gold)
    rec = sum(n * n / g[gl] for (gl, _), n in both.items()) / len(gold)
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"p": round(prec, 4), "r": round(rec, 4), "f1": round(f1, 4)}


def pair_scores(gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, float]:
    """Pairwise precision/recall of grouping: of the pairs put together, how many belong together.

    Used for near-copy groups; ``None`` labels are singletons.
    """
    def pairs(labels: Sequence[Any]) -> set[tuple[int, int]]:
        groups: dict[Any, list[int]] = {}
        for i, lab in enumerate(labels):
            if lab is not None:
                groups.setdefault(lab, []).append(i)
        return {(a, b) for idx in groups.values() for k, a in enumerate(idx) for b in idx[k + 1 :]}

    gp, pp = pairs(gold), pairs(pred)
    prec = len(gp & pp) / len(pp) if pp else 1.0
    rec = len(gp & pp) / len(gp) if gp else 1.0
    return {"p": round(prec, 4), "r": round(rec, 4), "pairs_gold": len(gp), "pairs_found": len(pp)}


def _gold_records(path: str) -> tuple[list[dict[str, Any]], int]:
    """The gold file's records that carry an id and a story (in file order); and how many lines were unusable."""
    records, bad = [], 0
    with Path(path).open(encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                bad += 1
                continue
            if not isinstance(rec, dict) or rec.get("id") is None or rec.get("story") is None:
                bad += 1
                continue
            records.append(rec)
    return records, bad


def record_article_ids(path: str) -> dict[str, str]:
    """Each JSONL record's own id → the id of the article it became (duplicates share one article).

    Reads and cleans the file again, the way ingest does: the store keeps one input id per article,
    so records that repeat an article are found this way only.
    """
    out = {}
    for doc in read(path):
        if isinstance(doc, ReadError) or doc.input_id is None:
            continue
        try:
            out[doc.input_id] = to_article(doc).id
        except ValueError:
            continue
    return out


def stream(
    path: str, store: Store, *, config: StoryConfig | None = None, scorer: Scorer | None = None,
    batch_size: int = 200, on_batch: Callable[[int], None] | None = None, analyse: bool = True,
) -> dict[str, Any]:
    """Ingest a JSONL file as a stream: read, clean, analyse, store and cluster, ``batch_size`` records at a time.

    With analysis the file goes through :func:`khabar.pipeline.ingest`, which clusters each batch
    as it stores it; without, each chunk is stored and then clustered here. Broken records are
    reported, never fatal. ``on_batch(n)`` is called as each ``batch_size`` records are read.
    """
    report: dict[str, Any] = {"ingested": 0, "duplicates": 0, "failed": [], "cluster_seconds": 0.0,
                              "cluster_batches": []}
    c = clusterer_for(store, config, scorer)
    first_batch = len(c.batches)
    if analyse:
        # one ingest over the whole file: the pipeline analyses a batch while it clusters the one before
        seen = 0

        def on_item(_origin: str, _ok: bool) -> None:
            nonlocal seen
            seen += 1
            if on_batch and seen % batch_size == 0:
                on_batch(batch_size)

        r = ingest(path, store, batch_size=batch_size, on_item=on_item)
        report.update(ingested=r.ingested, duplicates=r.duplicates, failed=r.failed)
        if on_batch and seen % batch_size:
            on_batch(seen % batch_size)
    else:
        _stream_unanalysed(path, store, c, batch_size, on_batch, report)
    report["cluster_batches"] = c.batches[first_batch:]
    report["cluster_seconds"] = sum(t for _, t in report["cluster_batches"])
    report["pairs_scored"] = c.pairs_scored
    return report


def _stream_unanalysed(path: str, store: Store, c: Clusterer, batch_size: int,
                       on_batch: Callable[[int], None] | None, report: dict[str, Any]) -> None:
    """Without analysis the pipeline does not cluster: store each chunk, then cluster its articles."""
    with Path(path).open("rb") as f:
        chunk: list[bytes] = []

        def flush() -> None:
            with tempfile.TemporaryDirectory(prefix="khabar-stream-") as tmp:
                part = Path(tmp) / f"{Path(path).stem}.jsonl"
                part.write_bytes(b"".join(chunk))
                r = ingest(part, store, batch_size=max(batch_size, len(chunk)), analyse=False)
            report["ingested"] += r.ingested
            report["duplicates"] += r.duplicates
            report["failed"].extend(r.failed)
            with store.transaction():
                c.assign([load_item(store, i) for i in dict.fromkeys(r.ids)])
            if on_batch:
                on_batch(len(chunk))
            chunk.clear()

        for line in f:
            chunk.append(line if line.endswith(b"\n") else line + b"\n")
            if len(chunk) >= batch_size:
                flush()
        if chunk:
            flush()


def evaluate(
    path: str, *, config: StoryConfig | None = None, scorer: Scorer | None = None, batch_size: int = 200,
    db_path: str | None = None,
) -> dict[str, Any]:
    """Cluster a gold JSONL file (``id, title, text``, optional ``url, published``, gold ``story``) from
    scratch, in file order, as a stream in a temporary store; BCubed, ARI, story counts and speed.

    Records may also carry ``copy`` (a gold near-copy group); then near-copy pair precision/recall
    is reported too.
    """
    from sklearn.metrics import adjusted_rand_score

    records, bad = _gold_records(path)
    with tempfile.TemporaryDirectory(prefix="khabar-eval-") as tmp:
        with Store(db_path or Path(tmp) / "eval.db") as store:
            t0 = time.perf_counter()
            report = stream(path, store, config=config, scorer=scorer, batch_size=batch_size)
            elapsed = time.perf_counter() - t0
            ids = record_article_ids(path)
            index = StoryIndex(store)
            rows = index.memberships()
            by_input = {k: rows[a][0] for k, a in ids.items() if a in rows}
            copy_of = {k: rows[a][1] for k, a in ids.items() if a in rows}
            live = {sid: index.resolve(sid) for sid in set(by_input.values())}
            scorer_name = clusterer_for(store).scorer.name
    gold, pred, gold_copy, pred_copy = [], [], [], []
    missing = 0
    for rec in records:
        sid = by_input.get(str(rec["id"]))
        if sid is None:  # failed to read or clean: not clustered, not scored
            missing += 1
            continue
        gold.append(str(rec["story"]))
        pred.append(live[sid])
        gold_copy.append(rec.get("copy"))
        pred_copy.append(copy_of.get(str(rec["id"])))
    out: dict[str, Any] = {
        "bcubed": bcubed(gold, pred),
        "ari": round(float(adjusted_rand_score(gold, pred)), 4) if gold else 0.0,
        "stories": len(set(pred)),
        "gold_stories": len(set(gold)),
        "articles": len(gold),
        "failed": len(report["failed"]),
        "no_gold": bad,
        "not_clustered": missing,
        "seconds": round(elapsed, 3),
        "articles_per_s": round(len(gold) / elapsed, 1) if elapsed else 0.0,
        "pairs_scored": report["pairs_scored"],
        "scorer": scorer_name,
    }
    if any(c is not None for c in gold_copy):
        # a gold singleton is its own group; so is a predicted one
        gc = [c if c is not None else f"_single{i}" for i, c in enumerate(gold_copy)]
        out["copies"] = pair_scores(gc, pred_copy)
    return out
