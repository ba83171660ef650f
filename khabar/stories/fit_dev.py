"""Story parameters fitted on the stories dev set, and the only fair figure for them: grouped K-fold.

The dev set (``../shared/data/stories-dev.jsonl``) is the one labelled set of real page openings
with sibling happenings. A parameter chosen there (:data:`FITTED`: ``merge_score``, the medoid
score at which an article that joins a story also links another one for a merge) is reported by
**grouped K-fold over story families**: a family is a main story with its sibling main story (the
data README's seven pairs, :data:`SIBLINGS`) and all their hard negatives, so that every held-out
fold holds its own confusable siblings. In each fold the value is chosen on the other folds'
articles (each candidate clustered from scratch through the real path), the held-out fold's
articles are clustered with it, and BCubed is scored on the union of the held-out results. The
same folds clustered with a fixed value (the one shipped before) are the fair comparison: a fold
has fewer distractors than the whole set.

The shipped value (:class:`~khabar.config.StoryConfig` ``merge_score``) is the choice on the whole
set, made by this deterministic script (fixed grid, fixed folds; a tie goes to the smaller value):

    python -m khabar.stories.fit_dev            # grouped K-fold figure, then the whole-set choice
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from khabar.config import DEFAULT, StoryConfig

__all__ = ["DEV", "FITTED", "FOLDS", "GRID", "SIBLINGS", "choose", "cluster", "family", "grouped_kfold"]

DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "stories-dev.jsonl"
FOLDS = 5
#: The parameter fitted on the dev set, and the values tried (the least is the value shipped before).
FITTED = "merge_score"
GRID = (1.6, 1.8, 2.0, 2.2, 2.4)
#: Main stories that share actors and wording but are separate happenings (the data README).
SIBLINGS = (("d03", "d04"), ("d05", "d06"), ("d07", "d08"), ("d12", "d13"), ("d14", "d15"), ("d17", "d18"),
            ("d21", "d22"))

Labels = dict[str, Any]


def load(path: Path) -> list[dict[str, Any]]:
    """The dev set's records; ``ValueError`` naming the file and line of a record that is not JSON."""
    out = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{n}: not a JSON record ({e.msg})") from None
    return out


def family(r: dict[str, Any]) -> str:
    """A main story, its sibling and all their hard negatives are one family (one fold).

    >>> family({"story": "d13"}), family({"story": "d13h1", "hard_negative_for": ["d13"]}), family({"story": "d01"})
    ('d12', 'd12', 'd01')
    """
    negs = r.get("hard_negative_for") or []
    story = negs[0] if negs else r["story"]
    return next((a for a, b in SIBLINGS if story in (a, b)), story)


def cluster(records: Sequence[dict[str, Any]], config: StoryConfig) -> Labels:
    """Ingest ``records`` from scratch through the real path (file order) with ``config``; each
    record's story id."""
    from khabar.store.db import Store
    from khabar.store.stories import StoryIndex
    from khabar.stories import evaluate
    from khabar.stories.scorers import default_scorer

    with tempfile.TemporaryDirectory(prefix="khabar-fit-") as tmp:
        path = Path(tmp) / "part.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        with Store(Path(tmp) / "part.db") as store:
            scorer = default_scorer()
            if hasattr(scorer, "config"):
                scorer.config = config
            evaluate.stream(str(path), store, config=config, scorer=scorer)
            ids = evaluate.record_article_ids(str(path))
            index = StoryIndex(store)
            rows = index.memberships()
            return {k: index.resolve(rows[a][0]) or rows[a][0] for k, a in ids.items() if a in rows}


def _f1(records: Sequence[dict[str, Any]], pred: Labels) -> float:
    from khabar.stories.evaluate import bcubed

    ids = [r["id"] for r in records if r["id"] in pred]
    gold = {r["id"]: r["story"] for r in records}
    return bcubed([gold[i] for i in ids], [pred[i] for i in ids])["f1"]


Runner = Callable[[Sequence[dict[str, Any]], StoryConfig], Labels]


def choose(records: Sequence[dict[str, Any]], grid: Sequence[float] = GRID, run: Runner = cluster,
           base: StoryConfig = DEFAULT) -> tuple[float, dict[float, float]]:
    """The value of :data:`FITTED` with the best BCubed F1 on ``records`` (a tie: the smaller), and each one's F1.

    >>> fake = lambda rs, cfg: {r["id"]: (r["story"] if cfg.merge_score >= 2 else r["id"]) for r in rs}
    >>> choose([{"id": "a", "story": "s"}, {"id": "b", "story": "s"}], (1.6, 2.2, 2.4), fake)
    (2.2, {1.6: 0.6667, 2.2: 1.0, 2.4: 1.0})
    """
    got = {v: _f1(records, run(records, base.with_(**{FITTED: v}))) for v in grid}
    return max(grid, key=lambda v: (got[v], -v)), got


def grouped_kfold(records: Sequence[dict[str, Any]], folds: int = FOLDS, grid: Sequence[float] = GRID,
                  run: Runner = cluster, base: StoryConfig = DEFAULT) -> dict[str, Any]:
    """Held-out labels with the value chosen on the other folds (``fitted``), and with the grid's
    first value (``fixed``: the value shipped before); the values chosen per fold (``chosen``).
    Labels of different folds never meet (``"fold:story"``)."""
    from sklearn.model_selection import GroupKFold

    groups = np.array([family(r) for r in records])
    out: dict[str, Any] = {"fitted": {}, "fixed": {}, "chosen": []}
    for k, (tr, te) in enumerate(GroupKFold(folds).split(records, groups=groups)):
        value, _ = choose([records[i] for i in tr], grid, run, base)
        out["chosen"].append(value)
        held = [records[i] for i in te]
        for name, v in (("fitted", value), ("fixed", grid[0])):
            for rid, sid in run(held, base.with_(**{FITTED: v})).items():
                out[name][rid] = f"{k}:{sid}"
    return out


def main(argv: Sequence[str] | None = None) -> None:
    from khabar.stories.evaluate import bcubed

    ap = argparse.ArgumentParser(description="Fit story parameters on the stories dev set (grouped K-fold).")
    ap.add_argument("--data", type=Path, default=DEV)
    args = ap.parse_args(argv)
    try:
        records = load(args.data)
    except (OSError, ValueError) as e:
        sys.exit(f"error: {e}")
    gold = {r["id"]: r["story"] for r in records}
    cv = grouped_kfold(records)
    for name in ("fitted", "fixed"):
        pred = cv[name]
        ids = [i for i in gold if i in pred]
        print(f"grouped {FOLDS}-fold, {FITTED} {name:<7}", bcubed([gold[i] for i in ids], [pred[i] for i in ids]))
    print(f"values chosen per fold: {cv['chosen']}")
    value, got = choose(records)
    print(f"whole set: {FITTED} = {value} (F1 by value {got}); shipped: {getattr(DEFAULT, FITTED)}")


if __name__ == "__main__":
    main()
