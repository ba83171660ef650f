"""Server throughput: 1,000 article posts from 8 concurrent clients, then 1,000 story reads.

Starts ``khabar serve``'s app under uvicorn on 127.0.0.1 in a child process (so the clients do not
share its interpreter) over a fresh store, with a write token, and posts the articles of the
SemEval-2022 Task 8 training pairs as JSON with httpx (synthetic Arabic articles where the shared data
is absent). Then it checks that every post succeeded and every article is in the store, reads story
pages through the API, and prints throughput and p50/p95 latency of both phases.

    python bench/serve.py [--n 1000] [--clients 8] [--data ../shared/data/semeval2022-task8-train.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from serverproc import free_port, wait_healthy

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "semeval2022-task8-train.jsonl"
TOKEN = "bench-token"
SERVER = """
import sys
from pathlib import Path
import uvicorn
from khabar.serve.app import create_app
uvicorn.run(create_app(Path(sys.argv[1]), token=sys.argv[3]), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning")
"""


def articles(data: Path, n: int) -> tuple[list[dict[str, Any]], str]:
    """``n`` articles as a scraper would post them, and where they came from."""
    out: list[dict[str, Any]] = []
    if data.exists():
        with data.open(encoding="utf-8") as f:
            for line in f:
                pair = json.loads(line)
                for side in ("1", "2"):
                    out.append({"id": f"{pair['pair_id']}-{side}", "url": pair[f"url{side}"] or f"https://x/{side}",
                                "title": pair[f"title{side}"] or "", "text": pair[f"text{side}"] or "-",
                                "lang": pair["lang"]})
        source = data.name
    else:
        source = "synthetic (shared data absent)"
    for i in range(len(out), n):  # top up (or make all of it) with distinct synthetic articles
        out.append({"url": f"https://example.com/{i}", "title": f"افتتاح المشروع رقم {i} في حلب",
                    "text": f"أعلنت المحافظة اليوم افتتاح المشروع رقم {i} في حي الشهباء بكلفة {i * 7} مليون ليرة، "
                            f"وقال المحافظ إن المشروع سيخدم {i * 13} أسرة.", "lang": "ar"})
    return out[:n], source



def run_clients(base: str, jobs: list[tuple[str, str, Any]], clients: int) -> tuple[list[float], list[Any], float]:
    """Send ``jobs`` (method, path, json) from ``clients`` threads; latencies (s), results, wall time."""
    todo: queue.Queue[tuple[int, tuple[str, str, Any]]] = queue.Queue()
    for item in enumerate(jobs):
        todo.put(item)
    latencies = [0.0] * len(jobs)
    results: list[Any] = [None] * len(jobs)

    def worker() -> None:
        with httpx.Client(base_url=base, timeout=300, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
            while True:
                try:
                    i, (method, path, body) = todo.get_nowait()
                except queue.Empty:
                    return
                t0 = time.perf_counter()
                try:
                    r = c.request(method, path, json=body)
                    results[i] = (r.status_code, r.json() if r.headers.get("content-type", "").startswith(
                        "application/json") else r.text)
                except httpx.HTTPError as e:
                    results[i] = (0, repr(e))
                latencies[i] = time.perf_counter() - t0

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, results, time.perf_counter() - t0


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))] * 1000


def line(label: str, lat: list[float], wall: float, errors: int) -> str:
    return (f"{label:<14} {len(lat)} in {wall:.1f} s = {len(lat) / wall:.1f}/s   p50 {pct(lat, 50):.0f} ms   "
            f"p95 {pct(lat, 95):.0f} ms   errors {errors}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="articles to post (and story reads)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    posts, origin = articles(args.data, args.n)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        proc = subprocess.Popen([sys.executable, "-c", SERVER, str(db), str(port), TOKEN], env=env)
        try:
            wait_healthy(base, proc, 60)
            httpx.post(base + "/api/articles", json=posts[0], timeout=300,  # warm-up: loads the models
                       headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()

            lat, res, wall = run_clients(base, [("POST", "/api/articles", a) for a in posts], args.clients)
            bad = [r for r in res if r[0] not in (200, 201)]
            ids = {r[1]["id"] for r in res if r[0] in (200, 201)}
            new = sum(1 for r in res if r[0] == 201)
            stored = httpx.get(base + "/health").json()["articles"]
            print(f"server         uvicorn on 127.0.0.1 (1 process), {args.clients} clients, {os.cpu_count()} CPUs")
            print(f"articles       {len(posts)} from {origin}: {len(ids)} distinct")
            print(line("posts", lat, wall, len(bad)) + f"   new {new}")
            for b in bad[:5]:
                print(f"  error: {b[0]} {str(b[1])[:200]}")

            stories, offset = [], 0
            while batch := httpx.get(base + "/api/stories", params={"limit": 500, "offset": offset}).json():
                stories += [s["id"] for s in batch]
                offset += len(batch)
            print(f"stories        {len(stories)}")
            rbad: list[Any] = []
            if stories:
                reads = [("GET", f"/api/stories/{stories[i % len(stories)]}", None) for i in range(args.n)]
                rlat, rres, rwall = run_clients(base, reads, args.clients)
                rbad = [r for r in rres if r[0] != 200]
                print(line("story reads", rlat, rwall, len(rbad)))
            else:
                rbad = ["no stories to read"]
                print("story reads    none: the store has no stories")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        with sqlite3.connect(db) as con:
            in_store = {r[0] for r in con.execute("SELECT id FROM articles")}
            check = con.execute("PRAGMA integrity_check").fetchone()[0]
        missing = ids - in_store
        print(f"stored         {len(in_store)} articles (health said {stored}); posted ids missing: {len(missing)}; "
              f"integrity {check}")
        if bad or rbad or missing or check != "ok":
            sys.exit(1)


if __name__ == "__main__":
    main()
