"""``khabar stories``, ``story``, ``recluster`` and ``eval stories`` through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import khabar.cli.stories  # noqa: F401  (registers the commands, as khabar.cli does)
from khabar.cli import app
from khabar.store.db import Store

GOLD = Path(__file__).parents[1] / "data" / "stories_gold.jsonl"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory, examples_dir) -> Path:
    """A store with the examples and a slice of the gold set, ingested, then reclustered by the CLI."""
    tmp = tmp_path_factory.mktemp("cli")
    path = tmp / "k.db"
    some = tmp / "some.jsonl"
    with GOLD.open(encoding="utf-8") as f:
        some.write_text("".join(f.readlines()[:30]), encoding="utf-8")
    for inputs in (str(examples_dir), str(some)):
        assert run("ingest", inputs, "--db", str(path), "--no-progress").exit_code == 0
    r = run("recluster", "--db", str(path), "--json")
    assert r.exit_code == 0, r.output
    return path


def test_recluster_reports_and_repeats_identically(db):
    first = json.loads(run("recluster", "--db", str(db), "--json").stdout)
    listed = run("stories", "--db", str(db), "--json", "--limit", "500").stdout
    second = json.loads(run("recluster", "--db", str(db), "--json").stdout)
    with Store(db) as s:
        stored = s.count()
    assert first["articles"] == second["articles"] == stored and first["stories"] == second["stories"]
    assert run("stories", "--db", str(db), "--json", "--limit", "500").stdout == listed


def test_stories_json_and_filters(db):
    r = run("stories", "--db", str(db), "--json")
    assert r.exit_code == 0
    listed = json.loads(r.stdout)
    assert listed and all(set(s) == {"id", "headline", "size", "sources", "first_seen", "last_seen"} for s in listed)
    assert len(json.loads(run("stories", "--db", str(db), "--json", "--limit", "2").stdout)) == 2
    alghad = json.loads(run("stories", "--db", str(db), "--json", "--source", "alghad.tv").stdout)
    assert len(alghad) == 1 and "alghad.tv" in alghad[0]["sources"]
    assert json.loads(run("stories", "--db", str(db), "--json", "--lang", "zz").stdout) == []
    assert json.loads(run("stories", "--db", str(db), "--json", "--q", "الغوطة").stdout)
    assert run("stories", "--db", str(db)).exit_code == 0  # the table view


def test_story_json_and_unknown_id(db):
    sid = json.loads(run("stories", "--db", str(db), "--json", "--source", "alghad.tv").stdout)[0]["id"]
    r = run("story", str(sid), "--db", str(db), "--json")
    assert r.exit_code == 0
    told = json.loads(r.stdout)
    assert told["id"] == sid and {"articles", "copies", "entities", "statements", "timeline"} <= set(told)
    assert run("story", str(sid), "--db", str(db)).exit_code == 0  # the text view
    bad = run("story", "424242", "--db", str(db), "--json")
    assert bad.exit_code == 1 and "424242: no such story" in bad.stderr and bad.stdout == ""


def test_bad_arguments_fail_clearly(db, tmp_path):
    r = run("stories", "--db", str(db), "--since", "yesterday")
    assert r.exit_code == 2 and "--since" in r.stderr and "YYYY-MM-DD" in r.stderr  # a usage error
    r = run("stories", "--db", str(tmp_path / "none.db"))
    assert r.exit_code == 1 and "no store" in r.stderr
    r = run("eval", "stories", str(tmp_path / "missing.jsonl"))
    assert r.exit_code == 1 and "no such file" in r.stderr


def test_eval_stories_json_with_a_broken_record(tmp_path):
    lines = GOLD.read_text(encoding="utf-8").splitlines()[:20]
    lines.insert(5, '{"id": "cut", "title": "سجل مقطوع", "te')
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("eval", "stories", str(path), "--json", "--batch-size", "7")
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert set(got["bcubed"]) == {"p", "r", "f1"} and -1 <= got["ari"] <= 1
    assert got["articles"] == 20 and got["failed"] == 1
    gold = {json.loads(line)["story"] for line in lines if line.endswith("}")}
    assert got["gold_stories"] == len(gold) and 1 <= got["stories"] <= 20
    text = run("eval", "stories", str(path))
    assert text.exit_code == 0 and "BCubed" in text.stdout
