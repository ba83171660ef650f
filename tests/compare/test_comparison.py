"""The comparison of two articles: example verdicts, facets, evidence shapes and offsets.

``tests/data/similarity-unrelated-ar.txt`` is the opening of a Sputnik Arabic report on Libya
(January 2020) from the SemEval-2022 Task 8 training pairs: a real article about another war.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khabar.compare import comparison as C
from khabar.compare import model as S
from khabar.compare.profile import entity_key
from khabar.load import load_article
from khabar.text.arabic import normalize

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def comparison(examples, model):
    return C.compare(*examples, model)


def test_examples_are_the_same_story(comparison):
    assert comparison.overall <= 1.5
    assert comparison.verdict == "same story"
    assert set(comparison.facets) == {"entities", "geography", "time", "narrative"}
    assert all(1.0 <= v <= 4.0 for v in comparison.facets.values())


def test_examples_against_an_unrelated_article(examples, model):
    other = load_article(str(DATA / "similarity-unrelated-ar.txt"))
    for art in examples:
        c = C.compare(art, other, model)
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


def test_score_pairs_matches_compare(examples, model, comparison):
    ps = [model.profile(a, *C.analyse(a)) for a in examples]
    assert S.score_pairs([ps[0]], [ps[1]], model)[0] == pytest.approx(comparison.overall, abs=1e-3)


def test_given_analyses_are_used(examples, model, comparison):
    given = tuple(C.analyse(a) for a in examples)
    assert C.compare(*examples, model, analyses=given).to_dict() == comparison.to_dict()
