"""Ingest speed and peak memory on the 1,014 articles of the SemEval-2022 Task 8 training pairs.

Writes them out as JSONL, then runs ``khabar ingest`` on that file in a child process, into a fresh
store, and prints articles per second and the child's peak resident memory.

    python bench/ingest.py [--data ../shared/data/semeval2022-task8-train.jsonl]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "semeval2022-task8-train.jsonl"


def write_articles(src: Path, dst: Path) -> int:
    """One JSONL line per article of each pair (both sides), as a scraper would deliver them."""
    n = 0
    with src.open(encoding="utf-8") as f, dst.open("w", encoding="utf-8") as out:
        for line in f:
            pair = json.loads(line)
            for side in ("1", "2"):
                out.write(json.dumps({
                    "id": f"{pair['pair_id']}-{side}", "url": pair[f"url{side}"], "title": pair[f"title{side}"],
                    "text": pair[f"text{side}"], "lang": pair["lang"],
                }, ensure_ascii=False) + "\n")
                n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    if not args.data.exists():
        sys.exit(f"error: {args.data}: not found (the shared data folder is needed for this benchmark)")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "articles.jsonl"
        n = write_articles(args.data, corpus)
        print(f"articles in file     {n}")
        for label, extra in (("read+clean+store", ["--no-analyse"]), ("+ entities, quotes", [])):
            db = Path(tmp) / f"bench{len(extra)}.db"
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "khabar", "ingest", str(corpus), "--db", str(db), "--json",
                 "--no-progress", *extra],
                capture_output=True, text=True,
            )
            elapsed = time.perf_counter() - t0
            # RUSAGE_CHILDREN is the peak over the children so far: the analysing run comes second.
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            if proc.returncode not in (0, 1):
                sys.exit(f"error: ingest failed ({proc.returncode}): {proc.stderr[-2000:]}")
            report = json.loads(proc.stdout)
            print(f"\n[{label}]")
            print(f"ingested             {report['ingested']}  duplicates {report['duplicates']}  "
                  f"failed {len(report['failed'])}")
            print(f"wall time            {elapsed:.2f} s (includes interpreter start and model loads)")
            print(f"articles per second  {n / elapsed:.0f}   (target >= 300)")
            print(f"peak memory          {peak_mb:.0f} MB   (target < 500)")


if __name__ == "__main__":
    main()
