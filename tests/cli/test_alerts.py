"""``khabar alert add|list|remove|deliver`` and ``khabar alerts`` through the real command line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from khabar.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_add_ingest_read_new_then_nothing_new(tmp_path, examples_dir):
    db = str(tmp_path / "k.db")
    assert run("alert", "add", "الغوطة", "--name", "ghouta", "--db", db).exit_code == 0
    r = run("alert", "add", "--speaker", "حمزة بيرقدار", "--stance", "denies", "--db", db, "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["stance"] == "denies"
    assert run("ingest", str(examples_dir), "--db", db, "--no-progress").exit_code == 0
    new = json.loads(run("alerts", "--new", "--json", "--db", db).stdout)
    assert len(new) == 4 and all(list(m) == ["alert", "article", "story", "matched", "at"] for m in new)
    assert {m["alert"] for m in new} == {"ghouta", "speaker:حمزة بيرقدار stance:denies"}
    assert json.loads(run("alerts", "--new", "--json", "--db", db).stdout) == []
    assert len(json.loads(run("alerts", "--json", "--db", db, "--alert", "ghouta").stdout)) == 2
    listed = json.loads(run("alert", "list", "--json", "--db", db).stdout)
    assert [(a["name"], a["matches"], a["unread"]) for a in listed][0] == ("ghouta", 2, 0)
    assert "no matches since last read" in run("alerts", "--new", "--db", db).stdout


def test_bad_queries_are_usage_errors_not_tracebacks(tmp_path):
    db = str(tmp_path / "k.db")
    for args in (["الغوطة AND"], ['"غير مغلق'], [], ["--stance", "perhaps"], ["x", "--webhook", "ftp://h/"]):
        r = run("alert", "add", *args, "--db", db)
        assert r.exit_code == 2 and r.output.startswith("error: "), (args, r.output)


def test_remove_and_deliver(tmp_path):
    db = str(tmp_path / "k.db")
    run("alert", "add", "x", "--name", "n", "--db", db)
    assert run("alert", "remove", "n", "--db", db).exit_code == 0
    r = run("alert", "remove", "n", "--db", db)
    assert r.exit_code == 1 and "no alert named" in r.output
    assert json.loads(run("alert", "deliver", "--db", db, "--json").stdout) == {"delivered": 0, "failed": 0}
