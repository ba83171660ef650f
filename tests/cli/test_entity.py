"""``khabar entity NAME`` through the real command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from khabar.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory, examples_dir):
    path = tmp_path_factory.mktemp("entity") / "k.db"
    assert run("ingest", str(examples_dir), "--db", str(path), "--no-progress").exit_code == 0
    return path


def test_json_shape_and_denials(db):
    r = run("entity", "حمزة بيرقدار", "--db", str(db), "--json")
    assert r.exit_code == 0, r.output
    page = json.loads(r.stdout)
    assert list(page) == ["entity", "type", "names", "stories", "statements", "with", "by_day"]
    assert {o for st in page["statements"] if st["stance"] == "denies" for o in st["outlets"]} == {
        "alghad.tv", "orient-news.net"}


def test_text_output_and_unknown_names(db):
    r = run("entity", "جيش الإسلام", "--db", str(db))
    assert r.exit_code == 0 and "جيش الإسلام (ORG)" in r.stdout and "by day:" in r.stdout
    r = run("entity", "لا أحد", "--db", str(db))
    assert r.exit_code == 1 and "no article names" in r.output


def test_no_store(tmp_path):
    r = run("entity", "x", "--db", str(tmp_path / "none.db"))
    assert r.exit_code == 1 and "no store" in r.output
