"""`khabar entities` and `khabar quotes` through the real CLI, on files and on a real store."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from khabar.cli import app
from khabar.read.clean import to_article
from khabar.read.formats import read
from khabar.store.db import Store
from khabar.text.arabic import normalize

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def alghad(examples_dir):
    return str(examples_dir / "alghad-ghouta-denial.txt")


def test_entities_json_shape(alghad):
    r = run("entities", alghad, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out and all(set(m) == {"text", "type", "start", "end", "entity"} for m in out)
    assert normalize("حمزة بيرقدار") in {m["entity"] for m in out if m["type"] == "PERS"}


def test_quotes_json_has_the_denial_to_reuters(alghad):
    r = run("quotes", alghad, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    keys = {"speaker", "text", "start", "end", "direct", "verb", "stance", "role", "outlet", "speaker_type", "claim"}
    assert all(set(s) == keys for s in out)
    msg = [s for s in out if s["outlet"] == "رويترز"]
    assert msg and msg[0]["stance"] == "denies" and msg[0]["direct"] is True
    assert msg[0]["speaker"] == "حمزة بيرقدار"  # as the article writes it, not the matching form


def test_readable_tables(examples_dir):
    path = str(examples_dir / "orient-ghouta-denial.txt")
    q = run("quotes", path)
    assert q.exit_code == 0, q.output
    assert "denies" in q.stdout and normalize("منذر فارس") in q.stdout
    e = run("entities", path)
    assert e.exit_code == 0 and normalize("وائل علوان") in e.stdout and "PERS" in e.stdout


def test_stored_article_by_id(tmp_path, examples_dir):
    (doc,) = list(read(str(examples_dir / "alghad-ghouta-denial.txt")))
    article = to_article(doc)
    db = tmp_path / "k.db"
    with Store(db) as store:
        store.add(article)
    r = run("quotes", article.id, "--db", str(db), "--json")
    assert r.exit_code == 0, r.output
    assert any(s["outlet"] == "رويترز" for s in json.loads(r.stdout))


@pytest.mark.parametrize("command", ["entities", "quotes"])
def test_missing_file(command, tmp_path):
    missing = str(tmp_path / "missing.txt")
    r = run(command, missing, "--db", str(tmp_path / "none.db"))
    assert r.exit_code == 1
    assert "missing.txt" in r.stderr and r.stdout == ""


@pytest.mark.parametrize("command", ["entities", "quotes"])
def test_empty_file(command, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    r = run(command, str(empty))
    assert r.exit_code == 1 and "empty.txt" in r.stderr


@pytest.mark.parametrize("command", ["entities", "quotes"])
def test_unknown_id_in_a_store(command, tmp_path):
    db = tmp_path / "k.db"
    Store(db).close()
    r = run(command, "deadbeef00", "--db", str(db), "--json")
    assert r.exit_code == 1 and "deadbeef00" in r.stderr and r.stdout == ""
