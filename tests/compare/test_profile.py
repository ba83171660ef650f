"""Per-article profiles: entity keys, vectors and sentences, entities by canonical name, the background."""

from __future__ import annotations

import numpy as np
import pytest

from khabar.compare import profile as P
from khabar.compare.background import Background, fit_background
from khabar.load import load_article
from khabar.types import Article, Mention


def test_entity_key_ignores_brackets_quotes_and_article():
    assert P.entity_key("(بيرقدار)") == P.entity_key("بيرقدار")
    assert P.entity_key("«جيش الإسلام»") == P.entity_key("جيش الاسلام")
    assert P.entity_key("الغوطة الشرقية") == P.entity_key("غوطه شرقيه")
    assert P.entity_key("روسيا") != P.entity_key("سوريا")


@pytest.fixture(scope="module")
def background(examples_dir):
    return fit_background([load_article(str(p)) for p in sorted(examples_dir.glob("*.txt"))])


def test_profile_vectors_and_sentences(examples_dir, background):
    art = load_article(str(examples_dir / "alghad-ghouta-denial.txt"))
    p = P.build_profile(art, background)
    for v in (p.word, p.title_vec, p.lead_vec, p.char):
        assert abs(float(v.multiply(v).sum()) - 1.0) < 1e-4
    assert p.sent_vecs.shape[0] == len(p.sent_spans) > 0
    assert all(0 <= a < b <= len(art.text) for a, b in p.sent_spans)
    assert p.entities is None and p.quotes is None  # not analysed: unknown, not empty
    assert p.n_terms > 20 and p.signature.shape == (128,)


def test_entities_group_by_canonical_name_with_aliases(background):
    text = "قال حمزة بيرقدار الناطق باسم هيئة أركان جيش الإسلام، ونفى (بيرقدار) ذلك."
    art = Article(id="x", title="", text=text, raw=text, lang="ar")
    ms = [
        Mention("حمزة بيرقدار", "PERS", 4, 16, "حمزه بيرقدار"),
        Mention("بيرقدار", "PERS", 57, 64, "حمزه بيرقدار"),
        Mention("جيش الإسلام", "ORG", 40, 51, "هيءه اركان جيش الاسلام"),
    ]
    p = P.build_profile(art, background, ms, [])
    pers = p.entities[P.entity_key("حمزه بيرقدار")]
    assert pers.count == 2 and pers.surfaces == ["حمزة بيرقدار", "بيرقدار"]
    org = p.entities[P.entity_key("هيءه اركان جيش الاسلام")]
    assert P.entity_key("جيش الإسلام") in org.aliases
    assert p.quotes == []


def test_background_state_round_trip_and_update(examples_dir, background):
    again = Background.from_state(background.to_state())
    assert again.n_docs == background.n_docs == 2
    assert np.array_equal(again.word_df, background.word_df)
    assert np.array_equal(again.char_df, background.char_df)
    art = load_article(str(examples_dir / "orient-ghouta-denial.txt"))
    bigger = P.update_idf(background, [P.build_profile(art, background)])
    assert bigger.n_docs == 3 and background.n_docs == 2
    w_old, _ = background.idf()
    w_new, _ = bigger.idf()
    seen = np.flatnonzero(background.word_df == 2)
    assert np.all(w_new[seen] >= w_old[seen])  # a word in every document stays the least informative
