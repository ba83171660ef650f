"""Ingest cost and peak memory on the articles of the SemEval-2022 Task 8 training pairs.

Writes them out as JSONL, then runs ``khabar ingest`` on that file in a child process, into a fresh
store, once with ``--no-analyse`` and once with the full pipeline (entities, quotes, stories). For
each it prints CPU seconds per article (the child and its worker processes, from ``wait4``'s
resource usage, so other load on the machine does not blur it), articles per second of wall time,
and peak resident memory (of the largest single process of the run), then the ratio of the two CPU
costs.

    python bench/ingest.py [--data ../shared/data/semeval2022-task8-train.jsonl] [--repeat 2] [--workers N]

``--repeat K`` writes every article K times with a different URL (K different publications, so K
articles to analyse and cluster): a longer run on the same text.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "semeval2022-task8-train.jsonl"
TARGET_MS = 10.0  # issue 14: the full pipeline at <= 10 ms of CPU an article (200 articles/s on 2 cores)
TARGET_MB = 600


def write_articles(src: Path, dst: Path, repeat: int = 1) -> int:
    """One JSONL line per article of each pair (both sides), as a scraper would deliver them."""
    n = 0
    with src.open(encoding="utf-8") as f, dst.open("w", encoding="utf-8") as out:
        pairs = [json.loads(line) for line in f]
        for k in range(repeat):
            for pair in pairs:
                for side in ("1", "2"):
                    url = pair[f"url{side}"] + (f"?copy={k}" if k else "")
                    out.write(json.dumps({
                        "id": f"{pair['pair_id']}-{side}-{k}", "url": url, "title": pair[f"title{side}"],
                        "text": pair[f"text{side}"], "lang": pair["lang"],
                    }, ensure_ascii=False) + "\n")
                    n += 1
    return n


# The child runs as an installed package does: with its bytecode cached (this environment may set
# PYTHONDONTWRITEBYTECODE, and compiling every module at each start is a fixed cost no user pays).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(corpus: Path, db: Path, extra: list[str]) -> tuple[dict, float, float, float]:
    """The ingest report, wall seconds, CPU seconds (child and its workers) and peak MiB of one run."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "khabar", "ingest", str(corpus), "--db", str(db), "--json", "--no-progress",
             *extra], stdout=out, stderr=err, env=_ENV,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode not in (0, 1):
        sys.exit(f"error: ingest failed ({proc.returncode}): {stderr[-2000:]}")
    # ru_maxrss (KiB on Linux) is the largest single process among the child and its reaped workers
    return json.loads(stdout), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--repeat", type=int, default=1, help="write each article this many times (other URLs)")
    ap.add_argument("--workers", type=int, default=None, help="ingest --workers for the child (default: its own)")
    args = ap.parse_args()
    if not args.data.exists():
        sys.exit(f"error: {args.data}: not found (the shared data folder is needed for this benchmark)")
    if not 1 <= args.repeat <= 100:
        sys.exit("error: --repeat must be 1..100")
    if args.workers is not None and not 1 <= args.workers <= 64:
        sys.exit("error: --workers must be 1..64")
    workers = [] if args.workers is None else ["--workers", str(args.workers)]
    cpu: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "articles.jsonl"
        n = write_articles(args.data, corpus, args.repeat)
        print(f"articles in file     {n}   (cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f})")
        warm = Path(tmp) / "warm.jsonl"  # a first run writes the bytecode and fills the disk cache
        warm.write_text("".join(corpus.open(encoding="utf-8").readlines()[:3]), encoding="utf-8")
        run(warm, Path(tmp) / "warm.db", [])
        for label, extra in (("read+clean+store (--no-analyse)", ["--no-analyse"]),
                             ("full: + entities, quotes, stories", workers)):
            report, wall, secs, peak = run(corpus, Path(tmp) / f"bench{label[:4]}.db", extra)
            cpu[label] = secs
            print(f"\n[{label}]")
            print(f"ingested             {report['ingested']}  duplicates {report['duplicates']}  "
                  f"failed {len(report['failed'])}")
            print(f"CPU per article      {1000 * secs / n:.2f} ms   ({secs:.1f} CPU s, child and workers)")
            print(f"wall time            {wall:.2f} s (includes interpreter start and model loads)")
            print(f"articles per second  {n / wall:.0f} wall")
            print(f"peak memory          {peak:.0f} MiB (largest process)")
        no, full = cpu.values()
        print(f"\nfull / --no-analyse  {full / no:.1f}x CPU")
        print(f"full pipeline        {1000 * full / n:.2f} ms CPU/article (target <= {TARGET_MS:g}), "
              f"peak target <= {TARGET_MB} MiB")


if __name__ == "__main__":
    main()
