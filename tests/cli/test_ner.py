"""`khabar train ner` and `khabar eval ner` through the real CLI, on small CoNLL files written here."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from khabar.analyse.ner import MODEL_PATH
from khabar.cli import app

runner = CliRunner()

SENTENCES = [
    "قال O\nالرئيس O\nجورج B-PERS\nبوش I-PERS\nفي O\nواشنطن B-LOC\n. O",
    "وزار O\nتوني B-PERS\nبلير I-PERS\nبغداد B-LOC\nأمس O\n. O",
    "وأعلنت O\nالأمم B-ORG\nالمتحدة I-ORG\nفي O\nنيويورك B-LOC\nعن O\nخطة O\n. O",
    "وقال O\nالمتحدث O\nباسم O\nوزارة B-ORG\nالخارجية I-ORG\nإن O\nالدولار B-MISC\nارتفع O\n. O",
]


@pytest.fixture
def small_conll(tmp_path):
    p = tmp_path / "small.conll"
    p.write_text("\n\n".join(SENTENCES * 3) + "\n", encoding="utf-8")
    return p


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_train_writes_a_model_that_eval_scores(small_conll, tmp_path):
    model = tmp_path / "m.crfsuite"
    r = run("train", "ner", small_conll, "--out", model, "--max-iterations", "40")
    assert r.exit_code == 0, r.output
    assert model.is_file() and model.stat().st_size > 0
    assert "12 sentences" in r.output and str(model) in r.output


def test_eval_folds_json_shape(small_conll):
    r = run("eval", "ner", small_conll, "--folds", "2", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["folds"] == 2
    assert out["tokens"] == 3 * sum(s.count("\n") + 1 for s in SENTENCES)
    assert set(out["per_type"]) == {"PERS", "LOC", "ORG", "MISC"}
    for v in out["per_type"].values():
        assert {"p", "r", "f1"} <= set(v) and all(0.0 <= v[k] <= 1.0 for k in ("p", "r", "f1"))
    # each sentence appears in both folds, so the fresh taggers get most of it right
    assert out["micro_f1"] > 0.5


@pytest.mark.skipif(not MODEL_PATH.exists(), reason=f"shipped model absent: {MODEL_PATH}")
def test_eval_shipped_model_table_and_json(small_conll):
    r = run("eval", "ner", small_conll)
    assert r.exit_code == 0, r.output
    assert "micro" in r.stdout and "PERS" in r.stdout
    r = run("eval", "ner", small_conll, "--json")
    out = json.loads(r.stdout)
    assert "folds" not in out and out["micro_f1"] > 0.5


def test_malformed_file_exits_1_naming_file_and_line(tmp_path):
    bad = tmp_path / "broken.conll"
    bad.write_text("قال O\nبوش B-PERS extra\n", encoding="utf-8")
    for args in (("eval", "ner", bad), ("eval", "ner", bad, "--folds", "2"), ("train", "ner", bad)):
        r = run(*args)
        assert r.exit_code == 1, r.output
        assert "broken.conll:2" in r.output
        assert "Traceback" not in r.output


def test_missing_file_and_bad_folds_exit_1(tmp_path, small_conll):
    r = run("eval", "ner", tmp_path / "absent.conll")
    assert r.exit_code == 1 and "absent.conll" in r.output
    r = run("eval", "ner", small_conll, "--folds", "1")
    assert r.exit_code == 1 and "--folds" in r.output


def test_eval_o_penalty_changes_decoding_and_is_validated(small_conll):
    base = json.loads(run("eval", "ner", small_conll, "--json", "--o-penalty", "0").stdout)
    eager = json.loads(run("eval", "ner", small_conll, "--json", "--o-penalty", "20").stdout)
    # a huge penalty on O makes (almost) every token part of a name: long wrong spans, fewer exact hits
    assert eager["micro_f1"] < base["micro_f1"]
    r = run("eval", "ner", small_conll, "--o-penalty", "-1")
    assert r.exit_code == 2
