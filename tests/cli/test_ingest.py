"""`khabar ingest`, `show` and `search` through the real CLI on a real store file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from khabar.cli import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "k.db")


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def test_ingest_json_shape_and_idempotence(db, examples_dir):
    r = run("ingest", str(examples_dir), "--db", db, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"ingested", "duplicates", "failed", "ids"}
    assert (out["ingested"], out["duplicates"], out["failed"], len(out["ids"])) == (2, 0, [], 2)
    again = json.loads(run("ingest", str(examples_dir), "--db", db, "--json").stdout)
    assert (again["ingested"], again["duplicates"]) == (0, 2)


def test_summary_line_and_exit_code_on_failure(db, tmp_path, examples_dir):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    r = run("ingest", str(examples_dir), str(bad), str(tmp_path / "missing.html"), "--db", db)
    assert r.exit_code == 1
    assert "ingested 2, duplicates 0, failed 2" in r.stdout
    assert f"error: {bad}" in r.stderr and "missing.html" in r.stderr


def test_usage_error_exit_code(db):
    assert run("ingest", "--db", db).exit_code == 2
    assert run("search", "--limit", "0", "x", "--db", db).exit_code == 2


def test_workers_option_gives_the_same_store_and_is_validated(tmp_path, examples_dir):
    found = []
    for n in ("1", "2"):
        one = str(tmp_path / f"w{n}.db")
        assert run("ingest", str(examples_dir), "--db", one, "--workers", n).exit_code == 0
        stories = json.loads(run("stories", "--db", one, "--json").stdout)
        # first_seen and last_seen are the ingest times: the two runs may straddle a second
        found.append([{k: v for k, v in s.items() if k not in ("first_seen", "last_seen")} for s in stories])
    assert found[0] == found[1] and found[0]
    assert run("ingest", str(examples_dir), "--db", str(tmp_path / "x.db"), "--workers", "0").exit_code == 2


def test_show_json_fields(db, examples_dir):
    ids = json.loads(run("ingest", str(examples_dir), "--db", db, "--json").stdout)["ids"]
    r = run("show", ids[0][:8], "--db", db, "--json")
    assert r.exit_code == 0, r.output
    art = json.loads(r.stdout)
    assert {"id", "title", "text", "raw", "url", "source", "lang", "published"} <= set(art)
    assert art["id"] == ids[0] and art["lang"] == "ar"
    missing = run("show", "0000000000000000", "--db", db)
    assert missing.exit_code == 1 and "no such article" in missing.stderr


def test_search_variants_via_env_db(db, examples_dir, monkeypatch):
    monkeypatch.setenv("KHABAR_DB", db)
    run("ingest", str(examples_dir))
    for query in ("الغوطة", "الغوطه", "بيرقدار", "روسيا"):
        hits = json.loads(run("search", query, "--json").stdout)
        assert len(hits) == 2, query
        assert set(hits[0]) >= {"id", "title", "score"}
    assert json.loads(run("search", "برشلونة", "--json").stdout) == []


def test_stdin(db, examples_dir):
    text = (examples_dir / "alghad-ghouta-denial.txt").read_text(encoding="utf-8")
    r = run("ingest", "-", "--source", "alghad.tv", "--db", db, "--json", input=text)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["ingested"] == 1


def test_console_script_runs_quietly_when_piped(db, examples_dir):
    # the real entry point, output piped: no progress bar noise on stderr
    proc = subprocess.run([sys.executable, "-m", "khabar", "ingest", str(examples_dir), "--db", db],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ingested 2, duplicates 0, failed 0"
    assert "ingest" not in proc.stderr
