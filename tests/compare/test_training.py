"""Training and evaluation: labelled pairs, grouped folds, evaluation arithmetic, determinism, bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from khabar.compare import features as F
from khabar.compare import model as M
from khabar.compare import training as S
from khabar.compare import trees
from khabar.compare.background import fit_background


def test_pearson_by_hand():
    # deviations (-2,-1,0,1,2) and (-1,-2,1,0,2): Σxy = 8, Σx² = Σy² = 10 → r = 0.8
    assert S.pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)
    assert S.pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert math.isnan(S.pearson([1, 1, 1], [1, 2, 3]))


def test_scores_report_per_language():
    r = S.scores_report([1, 2, 3, 4, 1, 3], [2, 1, 4, 3, 1, 4], ["ar", "ar", "ar", "ar", "tr", "tr"])
    # ar: deviations (-1.5,-.5,.5,1.5) and (-.5,-1.5,1.5,.5): Σxy = 3, Σx² = Σy² = 5 → 0.6
    assert r["pearson"]["ar"] == pytest.approx(0.6)
    assert r["pearson"]["tr"] == pytest.approx(1.0)
    assert r["mae"] == pytest.approx(5 / 6, abs=1e-4) and r["n"] == 6


def _write_pairs(path: Path, source: Path, n: int) -> None:
    with source.open(encoding="utf-8") as f:
        rows = [json.loads(line) for _, line in zip(range(n), f, strict=False)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_evaluate_on_labelled_pairs(tmp_path, semeval_path, model):
    small = tmp_path / "pairs.jsonl"
    _write_pairs(small, semeval_path, 12)
    r = S.evaluate(small, model)
    assert r["n"] == 12 and set(r["pearson"]) >= {"ar", "all"}
    assert r["pearson"]["all"] > 0.5  # trained on these pairs: flattering, but not random
    assert 0 <= r["mae"] < 1.5


@pytest.mark.slow
def test_training_is_deterministic(tmp_path, semeval_path):
    small = tmp_path / "pairs.jsonl"
    _write_pairs(small, semeval_path, 120)
    pairs = S.load_pairs(small)
    bg = fit_background(S.background_articles(pairs))
    profiles = S.prepare_profiles(pairs, bg)
    X = F.pair_features_batch([(profiles[p.a.id], profiles[p.b.id]) for p in pairs])
    Y, w, g = S.gold_matrix(pairs), S.sample_weights(pairs), S.pair_groups(pairs)
    one = S.SimilarityModel().fit(X, Y, sample_weight=w, groups=g).predict_targets(X)
    two = S.SimilarityModel().fit(X, Y, sample_weight=w, groups=g).predict_targets(X)
    assert np.array_equal(one, two)
    assert S.pearson(one[:, 0], Y[:, 0]) > 0.7


@pytest.mark.slow
def test_training_writes_the_numpy_form_that_predicts_the_same(tmp_path, semeval_path):
    small = tmp_path / "pairs.jsonl"
    _write_pairs(small, semeval_path, 40)
    out = tmp_path / "model.npz"
    fitted = S.train(small, out=out)
    loaded = M.load_model(out)
    assert isinstance(loaded.regressor, trees.Regressor) and type(fitted.regressor) is S.SimilarityModel
    pairs = S.load_pairs(small)
    rows = S.training_rows(pairs, loaded.background, variants=("full", "openings"))
    assert np.abs(loaded.regressor.predict_targets(rows.X) - fitted.regressor.predict_targets(rows.X)).max() <= 1e-9
    assert loaded.background.n_docs == fitted.background.n_docs


def test_groups_keep_an_article_in_one_fold(semeval_path):
    pairs = S.load_pairs(semeval_path)
    groups = S.pair_groups(pairs)
    by_url: dict[str, set[int]] = {}
    for p, g in zip(pairs, groups, strict=True):
        by_url.setdefault(p.group_a, set()).add(int(g))
        by_url.setdefault(p.group_b, set()).add(int(g))
    assert all(len(gs) == 1 for gs in by_url.values())
    assert len(set(groups.tolist())) < len(pairs)  # some articles do recur across pairs


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no pairs"),
        (json.dumps({"text1": "قال المتحدث إن المفاوضات لم تبدأ بعد.", "text2": "نفى الجيش وجود مفاوضات.",
                     "gold": {"Overall": 1}}, ensure_ascii=False) + "\n{broken\n", ":2: not valid JSON"),
        ('{"text1": "", "text2": "نص", "gold": {"Overall": 1}}\n', ":1: text1"),
        ('{"text1": "نص", "gold": {"Overall": 1}}\n', ":1: missing text2"),
        ('{"text1": "نص", "text2": "نص", "gold": {"Overall": "high"}}\n', ":1: gold.Overall"),
    ],
)
def test_bad_pairs_files_name_the_problem(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(S.PairsError, match=message.replace(".", r"\.")) as e:
        S.load_pairs(path)
    assert str(path) in str(e.value)


def test_arabic_pairs_weigh_more(semeval_path):
    pairs = S.load_pairs(semeval_path)[:40]
    w = S.sample_weights(pairs)
    assert {float(x) for x, p in zip(w, pairs, strict=True) if p.lang == "ar"} <= {2.0}
    assert {float(x) for x, p in zip(w, pairs, strict=True) if p.lang != "ar"} <= {1.0}
    assert S.sample_weights(pairs, arabic_weight=1.0).tolist() == [1.0] * len(pairs)
