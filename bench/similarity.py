"""Same story or not: cross-validated accuracy, example verdicts, latency and batch throughput.

    python bench/similarity.py [--data PATH] [--seeds 5]

1. Grouped 5-fold cross-validation on the SemEval-2022 Task 8 training pairs: folds are connected
   components of the article graph (GroupKFold), so no article is in both a training and a test fold.
   Pearson of out-of-fold Overall against gold, per language and all, and MAE; mean ± sd over
   ``--seeds`` shufflings of the folds. The background IDF counts all training texts (no labels).
   In the same run: the baseline, TF-IDF character n-gram cosine alone.
2. The examples: the two Ghouta articles against each other (expected ≤ 1.5, "same story") and each
   against an unrelated article of the training file (expected ≥ 3.5).
3. ``compare`` of two stored articles (a temporary SQLite store, analysis stored), warm, median of 20.
4. Batch scoring (``score_pairs``) in pairs/s on prepared profiles.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from khabar.compare import comparison as C  # noqa: E402
from khabar.compare import features as F  # noqa: E402
from khabar.compare import model as M  # noqa: E402
from khabar.compare import training as S  # noqa: E402
from khabar.compare.background import fit_background  # noqa: E402
from khabar.compare.verdict import verdict  # noqa: E402
from khabar.load import load_article  # noqa: E402
from khabar.types import Document  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "semeval2022-task8-train.jsonl"
LANGS = ("ar", "tr", "fr", "all")


def _fmt(reports: list[dict], mae: bool = True) -> str:
    parts = []
    for lang in LANGS:
        vals = [r["pearson"][lang] for r in reports]
        parts.append(f"{lang} {np.mean(vals):.3f}" + (f"±{np.std(vals):.3f}" if len(vals) > 1 else ""))
    if not mae:  # a cosine is not on the 1..4 scale: its MAE means nothing
        return "  ".join(parts)
    return "  ".join(parts) + f"   MAE {np.mean([r['mae'] for r in reports]):.3f}"


def cross_validation(path: Path, seeds: int) -> None:
    t = time.perf_counter()
    pairs = S.load_pairs(path)
    bg = fit_background(S.background_articles(pairs))
    rows = S.training_rows(pairs, bg)  # every pair also without headlines and as openings (S.VARIANTS)
    X = rows.X[rows.variant == "full"]
    prep = time.perf_counter() - t
    gold = S.gold_matrix(pairs)[:, 0]
    langs = [p.lang for p in pairs]
    n_groups = len(set(S.pair_groups(pairs).tolist()))
    print(f"pairs {len(pairs)} ({', '.join(f'{x} {langs.count(x)}' for x in ('ar', 'tr', 'fr'))}), "
          f"{n_groups} article components, {len(bg.word_df.nonzero()[0])} background word buckets; "
          f"prepared in {prep:.0f} s")
    base = S.scores_report(-X[:, F.FEATURE_NAMES.index("cos_char")], gold, langs)
    print(f"baseline  char n-gram TF-IDF cosine   Pearson {_fmt([base], mae=False)}")
    t = time.perf_counter()
    oof_all = S.cross_validate(pairs, rows, n_splits=5, seeds=list(range(seeds)))
    oof = [o[rows.variant == "full"] for o in oof_all]
    reports = [S.scores_report(o, gold, langs) for o in oof]
    print(f"model     grouped 5-fold CV, {seeds} seeds Pearson {_fmt(reports)}  ({time.perf_counter() - t:.0f} s)")
    # the same held-out pairs shown as real pages often come: no headlines, openings only
    heads = [S.scores_report(o[rows.variant == "openings"], gold, langs) for o in oof_all]
    print(f"          same folds, pairs as headline-less openings       Pearson {_fmt(heads)}")
    cls = np.where(gold <= 2, 0, np.where(gold <= 3, 1, 2))
    acc = [np.mean(cls == np.array([{"same story": 0, "related": 1, "different": 2}[verdict(v)] for v in o]))
           for o in oof]
    print(f"verdicts  agree with gold (1-2 same story / 3 related / 4 different) on {np.mean(acc):.1%} of pairs")


def examples(path: Path) -> None:
    model = M.load_model()
    a = load_article(str(ROOT / "examples" / "orient-ghouta-denial.txt"))
    b = load_article(str(ROOT / "examples" / "alghad-ghouta-denial.txt"))
    c = C.compare(a, b, model)
    print(f"examples  orient vs alghad: overall {c.overall:.2f} → {c.verdict} (expected ≤ 1.5, same story)")
    names = sorted({e["entity"] for e in c.evidence["shared_entities"]})
    print(f"          shared entities: {', '.join(names)}; passages {len(c.evidence['passages'])}")
    from khabar.read.clean import to_article

    with path.open(encoding="utf-8") as f:
        row = next(r for r in map(json.loads, f) if r["lang"] == "ar")
    other = to_article(Document(text=row["text1"], title=row["title1"], url=row["url1"], lang="ar"))
    for art, name in ((a, "orient"), (b, "alghad")):
        u = C.compare(art, other, model)
        print(f"          {name} vs unrelated «{other.title[:40]}»: overall {u.overall:.2f} → {u.verdict} "
              "(expected ≥ 3.5)")


def latency() -> None:
    from khabar.cli.compare import _load
    from khabar.store.db import Store

    model = M.load_model()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        with Store(db) as store:
            ids = []
            for name in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt"):
                art = load_article(str(ROOT / "examples" / name))
                store.add(art)
                ms, st = C.analyse(art)
                store.save_analysis(art.id, ms or [], st or [])
                ids.append(art.id)
        times = []
        for i in range(21):
            t = time.perf_counter()
            (a, an_a), (b, an_b) = _load(ids[0], db), _load(ids[1], db)
            C.compare(a, b, model, analyses=(an_a, an_b))
            if i:  # the first call warms caches (stemmer, model)
                times.append(time.perf_counter() - t)
    print(f"latency   compare of two stored articles (by id, analysis stored), warm: "
          f"median {statistics.median(times) * 1000:.1f} ms of 20")


def throughput(path: Path) -> None:
    model = M.load_model()
    pairs = S.load_pairs(path)[:200]
    profiles = S.prepare_profiles(pairs, model.background)
    left = [profiles[p.a.id] for p in pairs] * 10
    right = [profiles[p.b.id] for p in pairs] * 10
    M.score_pairs(left, right, model)  # warm: packs each profile's vectors once
    walls, cpus = [], []
    for _ in range(3):
        t, c = time.perf_counter(), time.process_time()
        M.score_pairs(left, right, model)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    # the machine is shared: CPU time says what one core does, wall time what this run got
    print(f"batch     score_pairs on prepared profiles: {len(left) / min(walls):,.0f} pairs/s wall, "
          f"{len(left) / min(cpus):,.0f} pairs/s per CPU-second ({len(left)} pairs, 1 process, best of 3)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    if not args.data.is_file():
        sys.exit(f"no data: {args.data}")
    cross_validation(args.data, args.seeds)
    examples(args.data)
    latency()
    throughput(args.data)


if __name__ == "__main__":
    main()
