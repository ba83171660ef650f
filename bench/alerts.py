"""What alerts and entity postings cost ingest, and what an entity page costs to build.

Ingests the gold stories file (``tests/data/stories_gold.jsonl``, 175 articles) in this process
(one worker, so every CPU second is counted here) into a fresh store twice: with no alert, and
with ``--alerts N`` alerts (words, phrases, prefixes, entities, speakers, stances, combinations).
Prints CPU seconds of the whole ingest and of the hook itself (the figure: whole ingests differ
between runs by more than the hook costs) (``follow.alerts.on_stored``: entity
postings and matching, in the batch's transaction), the ratio, matches found, then the CPU time
of the entity page of the most named actors.

    python bench/alerts.py [--data FILE] [--alerts 40]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

import khabar.pipeline as pipeline
from khabar.follow import alerts
from khabar.follow.actor import entity_page
from khabar.store.db import Store

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "stories_gold.jsonl"
WORDS = ["الغوطة", '"مجلس الأمن"', "مفاوض*", "روسيا NOT تركيا", "(دمشق OR حلب) AND قصف", "الانتخابات",
         "اقتصاد", "النفط", "كورونا", "لقاح"]
PEOPLE = ["حمزة بيرقدار", "بشار الأسد", "أردوغان", "ترامب", "بوتين"]
ORGS = ["جيش الإسلام", "الأمم المتحدة", "حزب الله", "الاتحاد الأوروبي", "وزارة الصحة"]


def _alert_specs(n: int) -> list[dict]:
    specs = [{"words": w} for w in WORDS] + [{"entity": e} for e in PEOPLE + ORGS]
    specs += [{"speaker": p, "stance": s} for p in PEOPLE for s in ("denies", "asserts")]
    specs += [{"words": w, "entity": e} for w, e in zip(WORDS, ORGS, strict=False)]
    specs += [{"stance": "denies"}]
    return [dict(s, name=f"a{i}") for i, s in enumerate((specs * (n // len(specs) + 1))[:n])]


def _run(data: Path, n_alerts: int) -> tuple[float, float, int, Path]:
    hook_cpu = [0.0]
    real = pipeline.on_stored

    def timed(*args, **kw):
        t = time.process_time()
        try:
            return real(*args, **kw)
        finally:
            hook_cpu[0] += time.process_time() - t

    path = Path(tempfile.mkdtemp()) / "k.db"
    pipeline.on_stored = timed
    try:
        with Store(path) as s:
            for spec in _alert_specs(n_alerts):
                alerts.add_alert(s, **spec)
            t = time.process_time()
            pipeline.ingest(data, s, workers=1, batch_size=50)
            total = time.process_time() - t
            found = len(alerts.matches(s, limit=10**6))
    finally:
        pipeline.on_stored = real
    return total, hook_cpu[0], found, path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--alerts", type=int, default=40)
    args = ap.parse_args()
    _run(args.data, 0)  # warm-up: loads the models, so neither measured run pays for it
    base, base_hook, _, _ = _run(args.data, 0)
    full, hook, found, path = _run(args.data, args.alerts)
    with Store(path) as s:
        n = s.count()
        top = Counter(r[0] for r in s.db.execute("SELECT key FROM entity_postings WHERE type IN ('PERS','ORG')"))
        t = time.process_time()
        pages = [entity_page(s, k) for k, _ in top.most_common(5)]
        page_cpu = (time.process_time() - t) / len(pages)
    print(f"articles: {n}")
    print(f"ingest, no alert:        {base:.2f} s CPU (hook: {base_hook * 1000 / n:.2f} ms/article, postings only)")
    print(f"ingest, {args.alerts} alerts:       {full:.2f} s CPU (hook: {hook * 1000 / n:.2f} ms/article), "
          f"{found} matches")
    # the whole ingest varies by more than the hook costs between runs: the hook's own CPU is the figure
    print(f"hook with alerts / without: {hook / max(base_hook, 1e-9):.1f}x; hook share of ingest: {hook / full:.1%}")
    print(f"entity page: {page_cpu * 1000:.1f} ms CPU each (the 5 most named actors, "
          f"{sum(len(p['statements']) for p in pages)} statements in all)")


if __name__ == "__main__":
    main()
