"""The comparison model: example verdicts, evidence, evaluation arithmetic, determinism, bad input.

``tests/data/similarity-unrelated-ar.txt`` is the opening of a Sputnik Arabic report on Libya
(January 2020) from the SemEval-2022 Task 8 training pairs: a real article about another war.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from khabar.cli.common import load_article
from khabar.compare import model as S
from khabar.compare.profile import entity_key
from khabar.text.arabic import normalize

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def model():
    return S.load_model()


@pytest.fixture(scope="module")
def examples(examples_dir):
    return [load_article(str(examples_dir / n)) for n in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt")]


@pytest.fixture(scope="module")
def comparison(examples, model):
    return S.compare(*examples, model)


def test_model_file_loads_and_is_small(model):
    assert S.MODEL_PATH.stat().st_size < 5_000_000
    assert model.background.n_docs > 500 and not model.uses_embedding
    assert model.feature_names[: len(S.F.FEATURE_NAMES)] == S.F.FEATURE_NAMES
    assert model.regressor.predict_targets(np.zeros((0, len(model.feature_names)))).shape[0] == 0


def test_examples_are_the_same_story(comparison):
    assert comparison.overall <= 1.5
    assert comparison.verdict == "same story"
    assert set(comparison.facets) == {"entities", "geography", "time", "narrative"}
    assert all(1.0 <= v <= 4.0 for v in comparison.facets.values())


def test_examples_against_an_unrelated_article(examples, model):
    other = load_article(str(DATA / "similarity-unrelated-ar.txt"))
    for art in examples:
        c = S.compare(art, other, model)
        assert c.overall >= 3.5, art.title
        assert c.verdict == "different"


def _shared_keys(comparison) -> set[str]:
    keys = set()
    for e in comparison.evidence["shared_entities"]:
        keys.add(entity_key(e["entity"]))
        keys.update(entity_key(s) for s in e["a"] + e["b"])
    return keys


@pytest.mark.parametrize("name", ["جيش الإسلام", "حمزة بيرقدار", "روسيا", "الغوطة الشرقية"])
def test_evidence_names_the_shared_entities(comparison, name):
    assert entity_key(name) in _shared_keys(comparison)


def test_evidence_shapes_and_offsets(comparison, examples):
    ev = comparison.evidence
    assert set(ev) == {"shared_entities", "shared_dates", "shared_numbers", "shared_quotes", "passages"}
    for e in ev["shared_entities"]:
        assert set(e) == {"entity", "type", "a", "b"} and e["type"] in {"PERS", "ORG", "LOC"}
    bayraqdar = next(e for e in ev["shared_entities"] if e["entity"] == normalize("حمزة بيرقدار"))
    assert "بيرقدار" in bayraqdar["a"] or "(بيرقدار)" in bayraqdar["a"]
    a, b = examples
    assert len(ev["passages"]) == 3
    for p in ev["passages"]:
        assert a.text[p["a"]["start"] : p["a"]["end"]] == p["a"]["text"]
        assert b.text[p["b"]["start"] : p["b"]["end"]] == p["b"]["text"]
    json.dumps(comparison.to_dict(), ensure_ascii=False)  # the --json output is plain JSON


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


def test_verdict_thresholds():
    assert S.verdict(1.0) == "same story"
    assert S.verdict(S.SAME_STORY) == "related"
    assert S.verdict(S.DIFFERENT - 0.01) == "related"
    assert S.verdict(S.DIFFERENT) == "different"


def test_score_pairs_matches_compare(examples, model, comparison):
    ps = [model.profile(a, *S.analyse(a)) for a in examples]
    scores = S.score_pairs([ps[0], ps[1]], [ps[1], ps[0]], model)
    assert scores.shape == (2,)
    assert scores[0] == pytest.approx(comparison.overall, abs=1e-3)
    assert scores[0] == pytest.approx(scores[1])  # symmetric
    with pytest.raises(ValueError):
        S.score_pairs(ps, ps[:1], model)


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
    bg = S.fit_background(S.background_articles(pairs))
    profiles = S.prepare_profiles(pairs, bg)
    X = S.F.pair_features_batch([(profiles[p.a.id], profiles[p.b.id]) for p in pairs])
    Y, w, g = S.gold_matrix(pairs), S.sample_weights(pairs), S.pair_groups(pairs)
    one = S.SimilarityModel().fit(X, Y, sample_weight=w, groups=g).predict_targets(X)
    two = S.SimilarityModel().fit(X, Y, sample_weight=w, groups=g).predict_targets(X)
    assert np.array_equal(one, two)
    assert S.pearson(one[:, 0], Y[:, 0]) > 0.7


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
