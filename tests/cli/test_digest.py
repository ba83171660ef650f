"""``khabar digest`` through the real command line over a store the CLI ingested."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from khabar.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory, examples_dir) -> Path:
    path = tmp_path_factory.mktemp("digest") / "k.db"
    assert run("ingest", str(examples_dir), "--db", str(path), "--no-progress").exit_code == 0
    return path


def test_html_digest_file(db, tmp_path):
    out = tmp_path / "today.html"
    r = run("digest", "--since", "24h", "--format", "html", "-o", str(out), "--db", str(db))
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in page and "حمزة بيرقدار" in page and "<script" not in page
    assert "alghad.tv" in page and "orient-news.net" in page


def test_markdown_to_stdout_and_json(db):
    r = run("digest", "--db", str(db))
    assert r.exit_code == 0 and r.stdout.startswith("# موجز الأخبار") and "نفى" in r.stdout
    r = run("digest", "--since", "7d", "--json", "--db", str(db))
    found = json.loads(r.stdout)
    assert set(found) == {"since", "until", "stories"} and len(found["stories"]) == 1
    story = found["stories"][0]
    assert set(story) == {"id", "headline", "size", "sources", "first_seen", "last_seen", "outlets_in_period",
                          "articles_in_period", "growth", "statements"}
    assert story["statements"][0]["speaker"] == "حمزة بيرقدار"


def test_iso_since(db):
    r = run("digest", "--since", "2020-01-01", "--json", "--db", str(db))
    found = json.loads(r.stdout)
    assert r.exit_code == 0 and found["since"] == "2020-01-01T00:00:00+00:00" and len(found["stories"]) == 1


@pytest.mark.parametrize("args", [("--since", "yesterday"), ("--since", "0h"), ("--since", "100000d"),
                                  ("--since", "2999-01-01"), ("--format", "pdf"), ("--base-url", "javascript:x"),
                                  ("--top", "0")])
def test_usage_errors(db, args):
    assert run("digest", *args, "--db", str(db)).exit_code == 2
