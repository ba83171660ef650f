"""Passage alignment: offsets point into each clean text, best first, each sentence once."""

from __future__ import annotations

import pytest

from khabar.compare.align import align, similarity_matrix
from khabar.compare.model import load_model
from khabar.compare.profile import build_profile
from khabar.load import load_article


@pytest.fixture(scope="module")
def pair(examples_dir):
    arts = [load_article(str(examples_dir / n)) for n in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt")]
    bg = load_model().background  # the shipped IDF: what `khabar compare` aligns with
    return arts, [build_profile(a, bg) for a in arts]


def test_offsets_point_into_the_clean_texts(pair):
    (a, b), (pa, pb) = pair
    passages = align(pa, pb, k=3)
    assert len(passages) == 3
    for p in passages:
        assert a.text[p.a.start : p.a.end] == p.a.text
        assert b.text[p.b.start : p.b.end] == p.b.text
        assert p.a.text.strip() and p.b.text.strip()
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= 1
    assert len({p.a.start for p in passages}) == len({p.b.start for p in passages}) == 3


def test_best_passage_is_the_spokesman_statement(pair):
    _, (pa, pb) = pair
    best = align(pa, pb, k=1)[0]
    # both outlets open their account with Bayraqdar's statement
    assert "بيرقدار" in best.a.text and "بيرقدار" in best.b.text


def test_an_article_aligns_with_itself(pair):
    (a, _), (pa, _) = pair
    for p in align(pa, pa, k=3):
        assert p.a.start == p.b.start and p.score == pytest.approx(1.0, abs=1e-4)


def test_matrix_shape_and_threshold(pair):
    _, (pa, pb) = pair
    m = similarity_matrix(pa, pb)
    assert m.shape == (len(pa.sent_spans), len(pb.sent_spans))
    assert align(pa, pb, k=10, min_score=1.01) == []
