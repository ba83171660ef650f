"""Export and front-page cost on a synthetic store: rows per CPU second, and memory that does not grow.

Builds a store of N stories of 1–5 members (stored as the clusterer stores them, with statements),
then, for N and 4·N, prints per kind the CPU seconds of a CSV export (to /dev/null), rows per CPU
second and the Python heap's peak (tracemalloc) — flat when rows stream — and the CPU milliseconds
of one front-page query (what moves, last 24 hours, and by entity). The ratios at the end say how
each cost grows with the store (4.0 = linear).

    python bench/exports.py [--stories 5000]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from khabar.follow.exports import KINDS, export
from khabar.store.browse import moving_stories
from khabar.store.db import Store
from khabar.store.stories import NewMember, StoryIndex
from khabar.types import Article, Mention, Statement

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def build(path: Path, stories: int, seed: int = 7) -> int:
    rnd = random.Random(seed)
    index, n = None, 0
    with Store(path) as s:
        index = StoryIndex(s)
        with s.transaction():
            for i in range(stories):
                members = rnd.randint(1, 5)
                sid = index.new_story(f"عنوان القصة {i}", f"a{i}-0", [f"a{i}-0"], None, None, None)
                for j in range(members):
                    seen = (NOW - timedelta(hours=rnd.uniform(0, 24 * 30))).isoformat(timespec="seconds")
                    aid = f"a{i}-{j}"
                    text = f"قال حمزة بيرقدار إن الخبر رقم {i} صحيح ولا مفاوضات. " * 20
                    s.add(Article(id=aid, title=f"عنوان {i}", text=text, raw=text, source=f"outlet{rnd.randint(1, 40)}.net",
                                  lang="ar", published=seen))
                    s.save_analysis(aid, [Mention("حمزة بيرقدار", "PERS", 4, 16, "حمزه بيرقدار")],
                                    [Statement("حمزه بيرقدار", "الخبر صحيح", 20, 30, False, "قال", "denies")])
                    index.add_member(sid, NewMember(article_id=aid, seen=seen, day=0, sig=b"", features="{}"))
                    index.touch_story(sid, seen, 0)
                    n += 1
    return n


def measure(path: Path) -> dict:
    import khabar.stories.telling  # noqa: F401  (statement rows load it once; not the export's cost)

    out = {}
    with Store(path) as s, open("/dev/null", "wb") as sink:
        for kind in KINDS:
            tracemalloc.start()
            t = time.process_time()
            rows = export(s, kind, "csv", sink)
            cpu = time.process_time() - t
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            out[kind] = (rows, cpu, peak)
        since, prior = (NOW - timedelta(hours=24)).isoformat(), (NOW - timedelta(hours=48)).isoformat()
        for name, kw in (("moving", {}), ("24h", {"recent_only": True}), ("entity", {"entity": "بيرقدار"})):
            t = time.process_time()
            moving_stories(s, since=since, prior=prior, limit=31, **kw)
            out[f"front:{name}"] = (0, time.process_time() - t, 0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", type=int, default=5000)
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in (1, 4):
            path = Path(tmp) / f"k{scale}.db"
            members = build(path, args.stories * scale)
            res = measure(path)
            results.append(res)
            print(f"store: {args.stories * scale} stories, {members} articles")
            for key, (rows, cpu, peak) in res.items():
                if key.startswith("front:"):
                    print(f"  {key:<16} {cpu * 1000:8.1f} ms CPU")
                else:
                    print(f"  export {key:<9} {rows:7d} rows {cpu:6.2f} s CPU {rows / max(cpu, 1e-9):9.0f} rows/s "
                          f"peak heap {peak / 1e6:6.2f} MB")
    print("growth at 4x the store (CPU ratio; heap peak ratio):")
    for key in results[0]:
        a, b = results[0][key], results[1][key]
        print(f"  {key:<16} cpu x{b[1] / max(a[1], 1e-9):4.1f}" + (f"  heap x{b[2] / max(a[2], 1):4.2f}" if a[2] else ""))
    print(json.dumps({"stories": args.stories}))


if __name__ == "__main__":
    main()
