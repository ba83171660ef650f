"""``khabar export`` through the real command line over a store the CLI ingested."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from khabar.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory, examples_dir) -> Path:
    path = tmp_path_factory.mktemp("export") / "k.db"
    assert run("ingest", str(examples_dir), "--db", str(path), "--no-progress").exit_code == 0
    return path


def test_statements_csv_to_a_file_reads_back_with_arabic(db, tmp_path):
    out = tmp_path / "statements.csv"
    r = run("export", "statements", "--format", "csv", "-o", str(out), "--db", str(db), "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["kind"] == "statements" and summary["format"] == "csv" and summary["output"] == str(out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.DictReader(f))
    assert len(table) == summary["rows"] > 0
    denials = {r["source"] for r in table if r["speaker"] == "حمزة بيرقدار" and r["stance"] == "denies"}
    assert denials == {"alghad.tv", "orient-news.net"}
    assert not list(tmp_path.glob(".statements.csv.*"))  # the temporary file was renamed, not left


def test_stdout_jsonl_and_csv(db):
    r = run("export", "stories", "--format", "jsonl", "-o", "-", "--db", str(db))
    assert r.exit_code == 0
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(lines) == 1 and sorted(lines[0]["sources"]) == ["alghad.tv", "orient-news.net"]
    assert list(lines[0]) == ["id", "headline", "size", "sources", "first_seen", "last_seen"]
    r = run("export", "members", "--db", str(db))  # csv to stdout by default
    table = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert r.stdout.startswith("\ufeff") and len(table) == 2 and {t["story"] for t in table} == {"1"}


def test_parquet_file_and_filters(db, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "a.parquet"
    r = run("export", "articles", "--format", "parquet", "-o", str(out), "--source", "alghad.tv", "--db", str(db))
    assert r.exit_code == 0, r.output
    rows = pq.read_table(out).to_pylist()
    assert [a["source"] for a in rows] == ["alghad.tv"] and "الغوطة" in rows[0]["text"]


def test_parquet_without_pyarrow(db, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as an install without pyarrow
    r = run("export", "stories", "--format", "parquet", "-o", str(tmp_path / "s.parquet"), "--db", str(db))
    assert r.exit_code == 1 and "needs pyarrow" in r.stderr and not (tmp_path / "s.parquet").exists()


def test_usage_errors(db, tmp_path):
    for args in (("export", "users"), ("export", "stories", "--format", "xlsx"),
                 ("export", "stories", "--since", "yesterday")):
        r = run(*args, "--db", str(db))
        assert r.exit_code == 2, args
    r = run("export", "stories", "--db", str(tmp_path / "none.db"))
    assert r.exit_code == 1 and "no store" in r.stderr
    r = run("export", "stories", "-o", str(tmp_path / "no" / "such" / "dir.csv"), "--db", str(db))
    assert r.exit_code == 1 and "error:" in r.stderr
