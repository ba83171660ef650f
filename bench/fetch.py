"""Fetch cost: ``khabar fetch`` over a local server of 500 real Arabic news pages on two outlets.

The pages are the Arabic articles of the SemEval-2022 Task 8 training pairs as HTML (each served
with an ETag), listed by one news sitemap per outlet (127.0.0.1 and 127.0.0.2); past the corpus's
size an article comes back from the other outlet under another URL (a repost: a second article,
in the same story). The server runs in its own process, so the figures are the fetcher's alone:
``khabar fetch`` runs in a child process, timed by ``wait4``'s resource usage, into a fresh store:

1. ``--no-analyse``: download, read (trafilatura), clean and store;
2. the full pipeline: + entities, quotes, stories (another fresh store);
3. the second pass over (2)'s store, nothing changed: the cost of a pass that finds nothing new,
   and the requests it sent (conditional ones only).

    python bench/fetch.py [--data ../shared/data/semeval2022-task8-train.jsonl] [--pages 500]
"""

from __future__ import annotations

import argparse
import html
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "semeval2022-task8-train.jsonl"
HOSTS = ("127.0.0.1", "127.0.0.2")


def arabic_articles(path: Path) -> list[tuple[str, str]]:
    """(title, text) of each distinct Arabic article of the pairs."""
    seen: dict[str, tuple[str, str]] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            pair = json.loads(line)
            if pair["lang"] != "ar":
                continue
            for side in ("1", "2"):
                text = pair[f"text{side}"]
                if text and text.strip():
                    seen.setdefault(text, (pair[f"title{side}"] or "", text))
    return list(seen.values())


def page(title: str, text: str) -> bytes:
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{html.escape(title)}'
            f"</title></head><body><nav><a href='/'>الرئيسية</a></nav><article><h1>{html.escape(title)}</h1>"
            f"{paras}</article><footer>جميع الحقوق محفوظة</footer></body></html>").encode()


def build_site(articles: list[tuple[str, str]], n: int, ports: list[int]) -> dict[str, dict[str, bytes]]:
    """Per host: path → body (pages and its sitemap)."""
    sites: dict[str, dict[str, bytes]] = {h: {} for h in HOSTS}
    for i in range(n):
        k, copy = i % len(articles), i // len(articles)
        host = HOSTS[(k + copy) % 2]
        sites[host][f"/news/{i}.html"] = page(*articles[k])
    for host, port in zip(HOSTS, ports, strict=True):
        locs = "".join(f"<url><loc>http://{host}:{port}{p}</loc></url>" for p in sites[host])
        sites[host]["/sitemap.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{locs}</urlset>").encode()
    return sites


def serve(host: str, port: int, routes: dict[str, bytes]) -> None:
    """The outlet (a child process): each path with an ETag; ``/_count`` answers the request counts."""
    tally = {"requests": 0, "conditional": 0, "robots": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/_count":
                body = json.dumps(tally).encode()
            else:
                tally["requests"] += 1
                tally["robots"] += self.path == "/robots.txt"
                body = routes.get(self.path)
                etag = f'"{hash(body) & 0xffffffff:x}"'
                if self.headers.get("If-None-Match"):
                    tally["conditional"] += 1
                if body is not None and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Type", "text/html; charset=utf-8" if self.path.endswith(".html")
                                 else "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    ThreadingHTTPServer((host, port), Handler).serve_forever()


def free_port(host: str) -> int:
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def fetch(feeds: list[str], db: Path, extra: list[str]) -> tuple[dict, float, float]:
    """The fetch report, wall seconds and CPU seconds (the child and anything it reaped) of one run."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "khabar", "fetch", *feeds, "--db", str(db), "--json",
                                 "--no-progress", "--delay", "0", *extra], stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"error: fetch failed: {stderr[-2000:]}")
    return json.loads(stdout), wall, usage.ru_utime + usage.ru_stime


def counts(ports: list[int]) -> dict[str, int]:
    import urllib.request

    total = {"requests": 0, "conditional": 0, "robots": 0}
    for host, port in zip(HOSTS, ports, strict=True):
        with urllib.request.urlopen(f"http://{host}:{port}/_count", timeout=5) as r:
            for k, v in json.load(r).items():
                total[k] += v
    return total


def line(label: str, report: dict, wall: float, cpu: float, n: int) -> None:
    print(f"\n[{label}]")
    print(f"fetched {report['fetched']}  not modified {report['not_modified']}  ingested {report['ingested']}  "
          f"duplicates {report['duplicates']}  failed {len(report['failed'])}")
    print(f"pages per second     {report['fetched'] / wall:.1f} fetched, {report['ingested'] / wall:.1f} ingested"
          f"   ({wall:.2f} s wall, includes interpreter start and model loads)")
    print(f"CPU per page         {1000 * cpu / n:.2f} ms   ({cpu:.2f} CPU s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--pages", type=int, default=500)
    args = ap.parse_args()
    if not args.data.exists():
        sys.exit(f"error: {args.data}: not found (the shared data folder is needed for this benchmark)")
    if not 1 <= args.pages <= 100_000:
        sys.exit("error: --pages must be 1..100000")
    articles = arabic_articles(args.data)
    ports = [free_port(h) for h in HOSTS]
    sites = build_site(articles, args.pages, ports)
    ctx = multiprocessing.get_context("fork")
    servers = [ctx.Process(target=serve, args=(h, p, sites[h]), daemon=True)
               for h, p in zip(HOSTS, ports, strict=True)]
    for s in servers:
        s.start()
    time.sleep(0.5)
    feeds = [f"http://{h}:{p}/sitemap.xml" for h, p in zip(HOSTS, ports, strict=True)]
    n = args.pages
    print(f"pages {n} ({len(articles)} distinct Arabic articles, two outlets)   cores: {os.cpu_count()}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            bare, wall0, cpu0 = fetch(feeds, Path(tmp) / "bare.db", ["--no-analyse"])
            line("download, read, clean, store (--no-analyse)", bare, wall0, cpu0, n)
            before = counts(ports)
            full, wall1, cpu1 = fetch(feeds, Path(tmp) / "full.db", [])
            line("full: + entities, quotes, stories", full, wall1, cpu1, n)
            after = counts(ports)
            again, wall2, cpu2 = fetch(feeds, Path(tmp) / "full.db", [])
            last = counts(ports)
            sent = {k: last[k] - after[k] for k in last}
            print("\n[second pass, nothing changed]")
            print(f"fetched {again['fetched']}  not modified {again['not_modified']}  ingested {again['ingested']}")
            print(f"requests sent        {sent['requests']} ({sent['conditional']} conditional, {sent['robots']} "
                  f"robots.txt; first pass sent "
                  f"{after['requests'] - before['requests']})")
            print(f"cost                 {cpu2:.2f} CPU s, {wall2:.2f} s wall   "
                  f"({cpu2 / cpu1:.1%} of the first pass's CPU, {wall2 / wall1:.1%} of its wall time)")
            print(f"\nfull / --no-analyse  {cpu1 / cpu0:.1f}x CPU")
    finally:
        for s in servers:
            s.terminate()
            s.join(5)


if __name__ == "__main__":
    main()
