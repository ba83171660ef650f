"""What a new user (or a hostile one) types: clear usage errors, not tracebacks; help for people."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from khabar.cli import app

runner = CliRunner()
BIG = str(2**63)


def run(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def db(tmp_path_factory, examples_dir) -> Path:
    """The two examples, stored (not analysed: these commands read the store only)."""
    path = tmp_path_factory.mktemp("hostile") / "k.db"
    r = run("ingest", str(examples_dir), "--db", str(path), "--no-progress", "--no-analyse")
    assert r.exit_code == 0, r.output
    return path


@pytest.mark.parametrize("args", [
    ["stories", "--offset", BIG], ["stories", "--limit", BIG], ["story", BIG], ["story", "0"],
    ["story", "12abc"], ["story", "٣"],
])
def test_numbers_out_of_range_are_usage_errors(db, args):
    r = run(*args, "--db", str(db))
    assert r.exit_code == 2, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert "Traceback" not in r.output and re.search(r"too large|not a story id", r.output)


def test_largest_numbers_are_answered(db):
    r = run("stories", "--offset", str(2**63 - 1), "--db", str(db), "--json")
    assert r.exit_code == 0 and json.loads(r.stdout) == []
    r = run("story", str(2**63 - 1), "--db", str(db))
    assert r.exit_code == 1 and "no such story" in r.output


def test_since_not_a_date_is_a_usage_error_naming_the_forms(db):
    r = run("stories", "--since", "yesterday", "--db", str(db))
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output and "'yesterday'" in r.output
    assert run("stories", "--since", "2020-01-31T10:00:00+03:00", "--db", str(db), "--json").exit_code == 0


def test_short_prefix_says_so(db):
    r = run("show", "c6eb", "--db", str(db))
    assert r.exit_code == 2 and "prefix shorter than 6" in r.output
    r = run("show", "zzzzzzzz", "--db", str(db))
    assert r.exit_code == 1 and "no such article" in r.output


def test_search_scores_are_relevance(db):
    hits = json.loads(run("search", "الغوطة", "--db", str(db), "--json").stdout)
    assert len(hits) == 2
    assert hits[0]["score"] == 1.0 and 0 < hits[1]["score"] <= 1.0
    shown = run("search", "الغوطة", "--db", str(db)).stdout
    assert "0.00" not in shown and "1.00" in shown


COMMANDS = ["", "ingest", "show", "search", "entities", "quotes", "compare", "stories", "story", "recluster",
            "train ner", "train similarity", "eval ner", "eval pairs", "eval stories", "batch", "import"]


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_is_for_people(cmd):
    r = runner.invoke(app, [*cmd.split(), "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert not re.search(r"<(bool|str|int|path|list\[[a-z]+\])>", r.output), r.output
    assert "{" not in r.output.split("Usage:")[1].splitlines()[0]
    assert "``" not in r.output
