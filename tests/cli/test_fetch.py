"""`khabar fetch` and `khabar watch` through the real CLI, against real servers on 127.0.0.1/127.0.0.2."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from khabar.cli import app

_path = Path(__file__).resolve().parents[1] / "fetch" / "site.py"
_spec = importlib.util.spec_from_file_location("fetch_site", _path)
kit = sys.modules.setdefault("fetch_site", importlib.util.module_from_spec(_spec))
if not hasattr(kit, "Site"):
    _spec.loader.exec_module(kit)

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
KEYS = {"feeds", "discovered", "fetched", "not_modified", "skipped_robots", "failed", "ingested", "duplicates"}
FAST = ["--delay", "0", "--timeout", "0.5", "--retries", "0"]


@pytest.fixture
def outlets():
    a, b = kit.Site("127.0.0.1"), kit.Site("127.0.0.2")
    yield a, b
    a.close()
    b.close()


def serve_examples(a, b):
    t1, body1 = kit.example("orient-ghouta-denial.txt")
    t2, body2 = kit.example("alghad-ghouta-denial.txt")
    a.route("/a/1.html", kit.article_html(t1, body1), etag='"a1"')
    b.route("/b/1.html", kit.article_html(t2, body2), etag='"b1"')
    return (a.route("/rss.xml", kit.rss([a.url("/a/1.html")]), etag='"r"'),
            b.route("/sitemap.xml", kit.sitemap([b.url("/b/1.html")], news=True), etag='"s"'))


def test_fetch_json_shape_and_second_pass(outlets, tmp_path):
    feeds = serve_examples(*outlets)
    db = str(tmp_path / "k.db")
    r = runner.invoke(app, ["fetch", *feeds, "--db", db, "--json", *FAST])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == KEYS
    assert (out["feeds"], out["discovered"], out["fetched"], out["ingested"], out["failed"]) == (2, 2, 2, 2, [])
    stories = json.loads(runner.invoke(app, ["stories", "--db", db, "--json"]).stdout)
    assert [sorted(s["sources"]) for s in stories] == [["127.0.0.1", "127.0.0.2"]]
    again = json.loads(runner.invoke(app, ["fetch", *feeds, "--db", db, "--json", *FAST]).stdout)
    assert (again["not_modified"], again["fetched"], again["ingested"]) == (2, 0, 0)
    plain = runner.invoke(app, ["fetch", *feeds, "--db", db, *FAST])
    assert plain.stdout.startswith("feeds 2, discovered 0, fetched 0, not modified 2")


def test_a_failing_feed_is_reported_and_the_others_go_on(outlets, tmp_path):
    feeds = serve_examples(*outlets)
    a, _ = outlets
    r = runner.invoke(app, ["fetch", a.url("/gone.xml"), "ftp://x.example/f", feeds[0], "--db",
                            str(tmp_path / "k.db"), "--json", *FAST])
    assert r.exit_code == 1
    out = json.loads(r.stdout)
    assert out["ingested"] == 1
    assert out["failed"] == [{"url": a.url("/gone.xml"), "error": "HTTP 404"},
                             {"url": "ftp://x.example/f", "error": "not an http(s) URL"}]
    assert f"error: {a.url('/gone.xml')}: HTTP 404" in r.stderr


@pytest.mark.parametrize("args", [["fetch"], ["fetch", "http://x/", "--delay", "-1"],
                                  ["fetch", "http://x/", "--retries", "99"],
                                  ["watch", "feeds.txt", "--every", "0"], ["watch", "feeds.txt", "--every", "x"]])
def test_usage_errors_exit_2(args, tmp_path):
    assert runner.invoke(app, [*args, "--db", str(tmp_path / "k.db")]).exit_code == 2


def test_watch_refuses_a_missing_or_empty_list(tmp_path):
    r = runner.invoke(app, ["watch", str(tmp_path / "none.txt"), "--db", str(tmp_path / "k.db")])
    assert r.exit_code == 1 and "cannot read the feed list" in r.stderr
    empty = tmp_path / "feeds.txt"
    empty.write_text("# nothing yet\n\n")
    r = runner.invoke(app, ["watch", str(empty), "--db", str(tmp_path / "k.db")])
    assert r.exit_code == 1 and "no feed URL" in r.stderr


def _watch(tmp_path, feeds, *extra):
    listing = tmp_path / "feeds.txt"
    listing.write_text("# outlets\n" + "\n".join(feeds) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "khabar", "watch", str(listing), "--db", str(tmp_path / "k.db"), "--json",
         "--every", "1", *FAST, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)


def _consistent(db):
    """Every URL's article exists, every fetched article has its URL row, and SQLite is intact."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orphans = con.execute("SELECT count(*) FROM urls u LEFT JOIN articles a ON a.id = u.article_id "
                              "WHERE u.article_id IS NOT NULL AND a.id IS NULL").fetchone()[0]
        unowned = con.execute("SELECT count(*) FROM articles a WHERE NOT EXISTS "
                              "(SELECT 1 FROM urls u WHERE u.article_id = a.id)").fetchone()[0]
        return orphans, unowned, con.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        con.close()


def _wait(condition, limit=60.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_watch_stops_cleanly_mid_pass(outlets, tmp_path, signum):
    a, _ = outlets
    pages = []
    for i in range(4):  # slow pages: the signal comes while the pass is downloading
        title, body = kit.example("orient-ghouta-denial.txt")
        a.route(f"/a/{i}.html", kit.article_html(f"{title} {i}", body + f"\nفقرة {i}"), sleep=0.4)
        pages.append(a.url(f"/a/{i}.html"))
    proc = _watch(tmp_path, [a.route("/rss.xml", kit.rss(pages))])
    try:
        assert _wait(lambda: "/a/1.html" in a.paths()), proc.stderr.read() if proc.poll() is not None else ""
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in err
    report = json.loads(out.strip().splitlines()[-1])
    assert set(report) == KEYS and report["ingested"] < 4  # stopped before the end of the feed
    orphans, unowned, count = _consistent(tmp_path / "k.db")
    assert (orphans, unowned, count) == (0, 0, report["ingested"])


def test_watch_runs_pass_after_pass_until_stopped(outlets, tmp_path):
    feeds = serve_examples(*outlets)
    proc = _watch(tmp_path, feeds)
    lines: list[dict] = []
    try:
        for _ in range(2):  # two passes: the second finds everything unchanged
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            lines.append(json.loads(line))
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "stopped" in err
    assert all(line.startswith(("stopping", "stopped")) for line in err.splitlines())  # no progress bar when piped
    assert (lines[0]["ingested"], lines[1]["ingested"], lines[1]["not_modified"]) == (2, 0, 2)
    assert _consistent(tmp_path / "k.db") == (0, 0, 2)


def test_error_lines_are_one_printable_line(outlets, tmp_path):
    a, _ = outlets
    hostile = a.url("/\x1b[31mred\nline")
    r = runner.invoke(app, ["fetch", hostile, "--db", str(tmp_path / "k.db"), *FAST])
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "\x1b" not in r.stderr and "\\x1b[31mred\\nline" in lines[0]
