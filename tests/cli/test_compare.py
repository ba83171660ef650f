"""`khabar compare`, `khabar eval pairs` and `khabar train similarity` through the real CLI."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from khabar.cli import app
from khabar.compare.comparison import analyse
from khabar.load import load_article
from khabar.store.db import Store

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def files(examples_dir):
    return [str(examples_dir / n) for n in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt")]


def test_compare_json_shape(files):
    r = run("compare", *files, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"overall", "verdict", "facets", "evidence"}
    assert out["verdict"] == "same story" and 1.0 <= out["overall"] <= 1.5
    assert set(out["facets"]) == {"entities", "geography", "time", "narrative"}
    assert len(out["evidence"]["passages"]) == 3
    p = out["evidence"]["passages"][0]
    assert set(p) == {"a", "b", "score"} and set(p["a"]) == {"start", "end", "text"}


def test_compare_readable(files):
    r = run("compare", *files)
    assert r.exit_code == 0, r.output
    assert "same story" in r.stdout and "بيرقدار" in r.stdout and "named in both" in r.stdout


def test_compare_stored_articles_by_id(tmp_path, files):
    db = tmp_path / "k.db"
    ids = []
    with Store(db) as store:
        for f in files:
            art = load_article(f)
            store.add(art)
            mentions, statements = analyse(art)
            store.save_analysis(art.id, mentions, statements)
            ids.append(art.id)
    by_id = json.loads(run("compare", ids[0], ids[1], "--db", str(db), "--json").stdout)
    by_file = json.loads(run("compare", *files, "--json").stdout)
    assert by_id["overall"] == pytest.approx(by_file["overall"], abs=1e-6)
    assert by_id["evidence"]["shared_entities"] == by_file["evidence"]["shared_entities"]


def test_compare_bad_input(tmp_path, files):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    r = run("compare", str(empty), files[0])
    assert r.exit_code == 1 and "empty.txt" in r.output
    db = tmp_path / "k.db"
    Store(db).close()
    r = run("compare", "0123456789abcdef", files[0], "--db", str(db))
    assert r.exit_code == 1 and "0123456789abcdef" in r.output
    r = run("compare", "no-such-id", files[0], "--db", str(tmp_path / "missing.db"))
    assert r.exit_code == 1 and "no-such-id" in r.output


def test_eval_pairs_json(tmp_path, semeval_path):
    small = tmp_path / "pairs.jsonl"
    with semeval_path.open(encoding="utf-8") as f:
        small.write_text("".join(line for _, line in zip(range(8), f, strict=False)), encoding="utf-8")
    r = run("eval", "pairs", str(small), "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"pearson", "mae", "n"} and out["n"] == 8
    assert "all" in out["pearson"] and "ar" in out["pearson"]
    table = run("eval", "pairs", str(small))
    assert table.exit_code == 0 and "flatter" in table.stdout


def test_eval_pairs_bad_input(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"pair_id": 1, "text1": "نص"\n', encoding="utf-8")
    r = run("eval", "pairs", str(bad))
    assert r.exit_code == 1 and "bad.jsonl:1" in r.output
    r = run("eval", "pairs", str(tmp_path / "absent.jsonl"))
    assert r.exit_code == 1 and "absent.jsonl" in r.output


def test_train_similarity_to_a_file(tmp_path, semeval_path):
    small = tmp_path / "pairs.jsonl"
    with semeval_path.open(encoding="utf-8") as f:
        small.write_text("".join(line for _, line in zip(range(60), f, strict=False)), encoding="utf-8")
    out = tmp_path / "model.joblib"
    r = run("train", "similarity", str(small), "--out", str(out), "--json")
    assert r.exit_code == 0, r.output
    info = json.loads(r.stdout)
    assert info["model"] == str(out) and out.stat().st_size == info["size_bytes"] < 5_000_000
    from khabar.compare.model import load_model

    assert load_model(out).background.n_docs == info["background_docs"] > 60
