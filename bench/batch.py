"""Batch (Spark) throughput against single-process ingest, on a synthetic corpus made from real articles.

The corpus repeats and perturbs the 1,014 articles of the SemEval-2022 Task 8 training pairs: each
copy drops or swaps a sentence, adds a site's boilerplate line and its own title prefix (so every copy
is a new article id), and gets a date; five copies of an article share a week (one story), the next
five come a month later (another story, outside the time window). The same JSONL file then goes
through ``khabar batch`` with 1 and 2 local cores and through ``ingest`` + clustering in one process.

    python bench/batch.py [--n 50000] [--cores 1,2] [--no-ingest] [--no-parity]

Prints articles/s per run, the ratio to ingest, stories found, the ARI between batch local[2] and ingest,
the load average during each run, and Spark's shuffle bytes per step
(from the Spark UI's REST API, read before the session ends).

First, parity: the hand-labelled dev set (``stories-dev.jsonl``, 159 real page openings) and the
SemEval stream of ``bench/stories.py`` each go through ``khabar batch`` (local[2]) and ``khabar
ingest``; printed are the adjusted Rand index between the two paths' stories (target ≥ 0.97), each
side's BCubed F1 and ARI against gold, and Spark's job seconds and CPU seconds per article.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "semeval2022-task8-train.jsonl"
DEV = DATA.parent / "stories-dev.jsonl"
SITES = ["alghad.example", "orient.example", "watan.example", "masrawy.example", "hespress.example"]
BOILER = ["شارك هذا المقال", "اقرأ أيضاً:", "تابعونا على تويتر", "الأكثر قراءة", "جميع الحقوق محفوظة"]


def base_articles(src: Path) -> list[dict]:
    out = []
    with src.open(encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            for side in ("1", "2"):
                if p[f"text{side}"].strip():
                    out.append({"title": p[f"title{side}"], "text": p[f"text{side}"], "lang": p["lang"]})
    return out


def perturb(text: str, rng: random.Random) -> str:
    parts = [s for s in re.split(r"(?<=[.!?؟])\s+", text) if s.strip()]
    if len(parts) > 4:
        del parts[rng.randrange(1, len(parts))]
        i = rng.randrange(1, len(parts) - 1)
        parts[i], parts[i + 1] = parts[i + 1], parts[i]
    return rng.choice(BOILER) + "\n" + " ".join(parts) + "\n" + rng.choice(BOILER)


def write_corpus(src: Path, dst: Path, n: int, seed: int = 7) -> int:
    bases = base_articles(src)
    rng = random.Random(seed)
    day0 = date(2020, 1, 1)
    with dst.open("w", encoding="utf-8") as out:
        for k in range(n):
            i, v = k % len(bases), k // len(bases)
            b = bases[i]
            site = SITES[(i + v) % len(SITES)]
            # copies v = 0..4 of an article: one week (one story); 5..9 a month later; and so on
            day = day0 + timedelta(days=(i * 3) % 300 + 30 * (v // 5) + rng.randrange(3))
            out.write(
                json.dumps(
                    {
                        "id": f"{i}-{v}",
                        "url": f"https://{site}/{i}/{v}",
                        "title": f"{site.split('.')[0]} | {b['title']}",
                        "text": perturb(b["text"], rng),
                        "lang": b["lang"],
                        "published": day.isoformat(),
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    return n


# --- the runs (each in a child process, so that start-up and model loads count) --------------------------


def child_batch(corpus: str, out: str, cores: int, scorer: str) -> None:
    """Run the job in this process with the Spark UI on, then read shuffle sizes from its REST API."""
    import urllib.request

    from khabar.batch.job import run_batch
    from khabar.batch.session import spark_session

    spark = spark_session(
        f"local[{cores}]",
        conf={
            "spark.ui.enabled": "true",
            "spark.ui.port": "4077",
            "spark.ui.retainedStages": "100000",
            "spark.ui.retainedJobs": "100000",
        },
    )
    report = run_batch([corpus], out, spark=spark, scorer=None if scorer == "default" else scorer)
    shuffle: dict[str, int] = {}
    try:
        base = f"{spark.sparkContext.uiWebUrl}/api/v1/applications/{spark.sparkContext.applicationId}"
        jobs = json.load(urllib.request.urlopen(f"{base}/jobs"))
        stages = {s["stageId"]: s for s in json.load(urllib.request.urlopen(f"{base}/stages"))}
        for job in jobs:
            group = job.get("jobGroup") or "other"
            for sid in job["stageIds"]:
                s = stages.pop(sid, None)  # a stage shared by jobs counts once
                if s:
                    shuffle[group] = shuffle.get(group, 0) + int(s.get("shuffleWriteBytes", 0))
    except OSError as e:
        print(f"(no shuffle figures: {e})", file=sys.stderr)
    spark.stop()
    print(json.dumps({"report": report.to_dict(), "shuffle": shuffle}))


def child_ingest(corpus: str, db: str, scorer: str) -> None:
    """Single-process ingest (one analysis worker), then clustering in the same order, as a stream does."""
    from khabar.pipeline import ingest
    from khabar.store.db import Store
    from khabar.store.stories import StoryIndex
    from khabar.stories import online as cluster
    from khabar.stories.scorers import LexicalScorer, ModelScorer

    chosen = None if scorer == "default" else (LexicalScorer() if scorer == "lexical" else ModelScorer())
    with Store(db) as store:
        report = ingest(corpus, store, workers=1)
        ids = list(dict.fromkeys(report.ids))
        for i in range(0, len(ids), 200):
            with store.transaction():
                cluster.assign(store, [cluster.load_item(store, a) for a in ids[i : i + 200]], scorer=chosen)
        stories = store.db.execute("SELECT count(*) FROM stories WHERE merged_into IS NULL").fetchone()[0]
        index = StoryIndex(store)
        members = {a: index.resolve(s) or s for a, (s, _) in index.memberships().items()}
    print(json.dumps({"ingested": report.ingested, "stories": stories, "members": members}))


# --- parity: the same stories from both paths ------------------------------------------------------------


def dev_records(path: Path) -> list[dict]:
    """The dev set as ``ingest`` reads JSONL (``outlet`` is the source), with its gold ``story``."""
    out = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            out.append(
                {
                    "id": r["id"],
                    "url": r["url"],
                    "title": r["title"],
                    "text": r["text"],
                    "lang": "ar",
                    "published": r.get("published"),
                    "source": r["outlet"],
                    "story": r["story"],
                }
            )
    return out


def semeval_records(data: Path) -> list[dict]:
    """The base stream of ``bench/stories.py`` (its seed), with gold ``story``."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import stories

    base = stories.base_stream(stories.load_pairs(data), random.Random(stories.SEED))
    stories.gold_labels(base)
    return base


def child_parity(corpus: str, out: str) -> None:
    """Both paths on one gold file in this process: each record's story id from batch and from ingest."""
    import pyarrow.parquet as pq

    from khabar.batch.job import run_batch
    from khabar.batch.session import spark_session
    from khabar.pipeline import ingest
    from khabar.store.db import Store
    from khabar.store.stories import StoryIndex
    from khabar.stories.evaluate import record_article_ids

    ids = record_article_ids(corpus)  # input id → article id (repeated records share one article)
    spark = spark_session("local[2]", conf={"spark.sql.shuffle.partitions": "4"})
    report = run_batch([corpus], out, spark=spark)
    spark.stop()
    members = {m["article_id"]: m["story_id"] for m in pq.read_table(f"{out}/members").to_pylist()}
    with tempfile.TemporaryDirectory(prefix="khabar-parity-") as tmp, Store(Path(tmp) / "k.db") as store:
        ingest(corpus, store)
        index = StoryIndex(store)
        rows = index.memberships()
        online = {k: index.resolve(rows[a][0]) or rows[a][0] for k, a in ids.items() if a in rows}
    batch = {k: members[a] for k, a in ids.items() if a in members}
    print(
        json.dumps(
            {
                "batch": batch,
                "online": online,
                "seconds": report.seconds,
                "articles": report.articles,
                "scorer": report.scorer,
            }
        )
    )


def parity(name: str, records: list[dict], tmp: Path) -> None:
    """Print batch vs ingest ARI on ``records`` and each side against gold."""
    from sklearn.metrics import adjusted_rand_score

    from khabar.stories.evaluate import bcubed

    path = tmp / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    _, got = timed(["--child", "parity", str(path), str(tmp / f"{name}.out")])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    gold = {r["id"]: r["story"] for r in records}
    keys = sorted(set(got["batch"]) & set(got["online"]))
    b, o, g = ([d[k] for k in keys] for d in (got["batch"], got["online"], gold))
    print(f"\n[parity: {name}]  {len(keys)} of {len(records)} records in both, scorer {got['scorer']}")
    print(f"batch vs ingest      ARI {adjusted_rand_score(o, b):.3f}   (target >= 0.97)")
    for side, pred in (("batch", b), ("ingest", o)):
        f1 = bcubed(g, pred)
        print(
            f"{side:<7} vs gold      BCubed P {f1['p']:.3f} R {f1['r']:.3f} F1 {f1['f1']:.3f}  "
            f"ARI {adjusted_rand_score(g, pred):.3f}  stories {len(set(pred))} (gold {len(set(g))})"
        )
    n = max(got["articles"], 1)
    print(
        f"spark time           job {got['seconds'] / n * 1000:.0f} ms/article; CPU (batch + ingest run, "
        f"all processes) {cpu / n * 1000:.0f} ms/article"
    )


def cpu_of_children() -> float:
    """CPU seconds of the finished child processes so far (the JVM and its Python workers included)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def load_note() -> str:
    """The machine's load while a run ran: wall-clock rates on a shared machine depend on it."""
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def timed(args: list[str]) -> tuple[float, dict]:
    t0 = time.perf_counter()
    c0 = cpu_of_children()
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    timed.cpu = cpu_of_children() - c0  # type: ignore[attr-defined]
    if proc.returncode != 0:
        sys.exit(f"error: {' '.join(args[:2])} failed ({proc.returncode}): {proc.stderr[-3000:]}")
    return elapsed, json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--n", type=int, default=50_000, help="articles in the synthetic corpus")
    ap.add_argument("--cores", default="1,2", help="local cores per batch run, comma-separated")
    ap.add_argument(
        "--scorer",
        choices=["default", "model", "lexical"],
        default="default",
        help="comparison for both sides (default: the model when it loads)",
    )
    ap.add_argument("--no-ingest", dest="ingest", action="store_false", help="skip the single-process run")
    ap.add_argument("--no-parity", dest="parity", action="store_false", help="skip the parity runs")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "parity":
            child_parity(*rest)
        elif kind == "batch":
            child_batch(rest[0], rest[1], int(rest[2]), rest[3])
        else:
            child_ingest(*rest)
        return
    if not args.data.exists():
        sys.exit(f"error: {args.data}: not found (the shared data folder is needed for this benchmark)")
    with tempfile.TemporaryDirectory(prefix="khabar-bench-") as tmp:
        if args.parity:
            if DEV.exists():
                parity("dev set", dev_records(DEV), Path(tmp))
            parity("SemEval stream", semeval_records(args.data), Path(tmp))
        if args.n <= 0:
            return
        corpus = Path(tmp) / "corpus.jsonl"
        n = write_corpus(args.data, corpus, args.n)
        mb = corpus.stat().st_size / 1024 / 1024
        print(f"corpus               {n} articles, {mb:.0f} MB of JSONL")
        rates: dict[str, float] = {}
        for cores in [int(c) for c in args.cores.split(",")]:
            elapsed, got = timed(
                ["--child", "batch", str(corpus), str(Path(tmp) / f"out{cores}"), str(cores), args.scorer]
            )
            r = got["report"]
            rates[f"batch local[{cores}]"] = r["articles"] / elapsed
            print(f"\n[batch local[{cores}]]")
            print(
                f"articles             {r['articles']}  duplicates {r['duplicates']}  rejects {r['rejects']}"
            )
            print(
                f"stories              {r['stories']}  (with 2+ articles {r['multi_article_stories']}, "
                f"largest {r['largest_story']})"
            )
            print(
                f"pairs                candidates {r['candidate_pairs']}  scored {r['scored_pairs']}  "
                f"near-copy {r['copy_pairs']}  scorer {r['scorer']}"
            )
            # (no CPU seconds here: Spark's Python workers are not children this process waits for)
            print(f"wall time            {elapsed:.1f} s (JVM start included)  job {r['seconds']:.1f} s  "
                  f"({load_note()})")
            print(f"articles per second  {rates[f'batch local[{cores}]']:.1f}")
            print("step seconds         " + "  ".join(f"{k} {v:.1f}" for k, v in r["timings"].items()))
            if got["shuffle"]:
                print(
                    "shuffle MB           "
                    + "  ".join(f"{k} {v / 1e6:.1f}" for k, v in got["shuffle"].items() if v)
                )
        if args.ingest:
            elapsed, got = timed(
                ["--child", "ingest", str(corpus), str(Path(tmp) / "ingest.db"), args.scorer]
            )
            rates["ingest"] = got["ingested"] / elapsed
            print("\n[ingest, one process, then clustering]")
            print(f"articles             {got['ingested']}  stories {got['stories']}")
            print(f"wall time            {elapsed:.1f} s  CPU {timed.cpu:.1f} s ({load_note()})")
            print(f"articles per second  {rates['ingest']:.1f}")
            out2 = Path(tmp) / "out2"
            if out2.exists():  # the same stories? (batch local[2] against ingest, article by article)
                import pyarrow.parquet as pq
                from sklearn.metrics import adjusted_rand_score

                batch = {m["article_id"]: m["story_id"] for m in pq.read_table(out2 / "members").to_pylist()}
                keys = sorted(set(batch) & set(got["members"]))
                ari = adjusted_rand_score([got["members"][k] for k in keys], [batch[k] for k in keys])
                print(f"batch local[2] vs ingest  ARI {ari:.3f} on {len(keys)} articles")
            print()
            for k, v in rates.items():
                if k != "ingest":
                    print(f"{k:<20} {v / rates['ingest']:.2f} × single-process ingest")


if __name__ == "__main__":
    main()
