"""Pair features: shape, symmetry, missing-as-NaN, and entity/quote matching across spellings."""

from __future__ import annotations

import numpy as np
import pytest

from khabar.compare import features as F
from khabar.compare.background import fit_background
from khabar.compare.comparison import analyse
from khabar.compare.profile import Entity, Quote, build_profile, entity_key
from khabar.load import load_article
from khabar.text.arabic import normalize


@pytest.fixture(scope="module")
def profiles(examples_dir):
    arts = [load_article(str(examples_dir / n)) for n in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt")]
    bg = fit_background(arts)
    plain = [build_profile(a, bg) for a in arts]
    analysed = [build_profile(a, bg, *analyse(a)) for a in arts]
    return plain, analysed


def _ent(name: str, typ: str, *surfaces: str) -> tuple[str, Entity]:
    key = entity_key(name)
    aliases = {key: normalize(name)} | {entity_key(s): normalize(s) for s in surfaces}
    return key, Entity(normalize(name), typ, list(surfaces) or [name], 1, aliases=aliases)


def test_vector_matches_names_and_is_symmetric(profiles):
    _, (a, b) = profiles
    x, y = F.pair_features(a, b), F.pair_features(b, a)
    assert x.shape == (F.N_FEATURES,) == (len(F.FEATURE_NAMES),)
    assert np.allclose(x, y, equal_nan=True)


def test_batch_equals_one_by_one(profiles):
    (pa, pb), (a, b) = profiles
    batch = F.pair_features_batch([(a, b), (pa, pb), (a, a)])
    assert np.allclose(batch[0], F.pair_features(a, b), equal_nan=True)
    assert np.allclose(batch[1], F.pair_features(pa, pb), equal_nan=True)


def test_identical_article_is_maximal(profiles):
    _, (a, _) = profiles
    x = dict(zip(F.FEATURE_NAMES, F.pair_features(a, a), strict=True))
    for name in ("cos_word", "cos_title", "cos_char", "minhash", "len_ratio", "sent_max", "contain_min"):
        assert x[name] == pytest.approx(1.0, abs=1e-4), name
    assert x["ent_jaccard"] == pytest.approx(1.0)


def test_entity_and_quote_features_missing_until_analysed(profiles):
    (pa, pb), (a, b) = profiles
    plain = dict(zip(F.FEATURE_NAMES, F.pair_features(pa, pb), strict=True))
    done = dict(zip(F.FEATURE_NAMES, F.pair_features(a, b), strict=True))
    for name in ("ent_jaccard", "ent_shared", "quote_shared"):
        assert np.isnan(plain[name]), name
        assert not np.isnan(done[name]), name
    assert done["ent_shared"] >= 2  # at least حمزه بيرقدار and روسيا


def test_entities_match_across_brackets_partial_names_and_aliases():
    a = dict([_ent("حمزة بيرقدار", "PERS"), _ent("هيئة أركان جيش الإسلام", "ORG", "جيش الإسلام"),
              _ent("الغوطة الشرقية", "LOC")])
    b = dict([_ent("(بيرقدار)", "PERS"), _ent("«جيش الإسلام»", "ORG"), _ent("الغوطة", "LOC"), _ent("حمزة", "PERS")])
    pairs = F.match_entities(a, b)
    got = {(a[k1].entity, b[k2].entity) for k1, k2 in pairs}
    assert got == {
        (normalize("حمزة بيرقدار"), normalize("(بيرقدار)")),
        (normalize("هيئة أركان جيش الإسلام"), normalize("«جيش الإسلام»")),
        (normalize("الغوطة الشرقية"), normalize("الغوطة")),
    }  # a first name alone (حمزة) does not name the person
    k1, k2 = next((k1, k2) for k1, k2 in pairs if a[k1].type == "ORG")
    assert F.shared_name(a[k1], b[k2]) == normalize("جيش الإسلام")


def test_quotes_match_on_shared_words_only():
    def q(terms: str) -> Quote:
        return Quote(terms, None, frozenset(terms.split()), 0, len(terms))

    full = q("لا مفاوض حول موضوع فصائل غوط مقاتل اهل متمسك ارض")
    cut = q("لا مفاوض حول موضوع فصائل")  # one outlet quotes the first half
    topic = q("مفاوض غوط روسيا خروج سلاح ثقيل")
    assert [(i, j) for i, j, _ in F.match_quotes([full], [cut, topic])] == [(0, 0)]
    assert F.match_quotes([topic], [full]) == []


def _headless(a):
    from dataclasses import replace

    return replace(a, title="")


def test_missing_headline_is_unknown_not_a_mismatch(examples):
    """A page without a headline line: the headline cosines are NaN, the one headline still counts."""
    bg = fit_background(examples)
    a, b = examples
    full = dict(zip(F.FEATURE_NAMES, F.pair_features(build_profile(a, bg), build_profile(b, bg)), strict=True))
    none = dict(zip(F.FEATURE_NAMES, F.pair_features(build_profile(_headless(a), bg),
                                                    build_profile(_headless(b), bg)), strict=True))
    one = dict(zip(F.FEATURE_NAMES, F.pair_features(build_profile(a, bg), build_profile(_headless(b), bg)),
                   strict=True))
    titled = ("cos_title", "cos_title_char", "cos_title_text_min", "cos_title_text_max", "cos_title_lead_max")
    assert all(full[k] > 0 for k in titled)  # both headlines: real cosines
    assert all(np.isnan(none[k]) for k in titled)
    assert np.isnan(one["cos_title"]) and np.isnan(one["cos_title_text_min"])
    # a's headline against b's text is still known, and is what it was with both headlines
    assert one["cos_title_text_max"] > 0 and one["cos_title_lead_max"] > 0
    assert none["cos_word"] == pytest.approx(full["cos_word"])  # the body features do not change


def test_lead_weekdays_and_figures():
    """The day and figures a lead opens with: the same, different, or unknown (NaN) when one names none."""
    from khabar.types import Article

    def prof(i: str, text: str):
        return build_profile(Article(id=i, title="", text=text, raw=""), bg)

    texts = {"mon": "أعلنت الرئاسة الجزائرية يوم الاثنين أن الرئيس سيستقيل قبل 28 أبريل.",
             "tue": "قدم الرئيس الجزائري يوم الثلاثاء استقالته رسميا إلى المجلس الدستوري بنسبة 72.71 بالمئة.",
             "tue2": "أبلغ الرئيس يوم الثلاثاء المجلس الدستوري باستقالته بنسبة 72.71 بالمئة.",
             "none": "قدم الرئيس الجزائري استقالته إلى المجلس الدستوري."}
    bg = fit_background([Article(id=k, title="", text=t, raw="") for k, t in texts.items()])
    p = {k: prof(k, t) for k, t in texts.items()}

    def feats(x: str, y: str) -> dict[str, float]:
        return dict(zip(F.FEATURE_NAMES, F.pair_features(p[x], p[y]), strict=True))

    assert feats("mon", "tue")["lead_weekday_same"] == 0.0
    assert feats("tue", "tue2")["lead_weekday_same"] == 1.0
    assert np.isnan(feats("tue", "none")["lead_weekday_same"])
    assert feats("tue", "tue2")["lead_num_overlap"] == 1.0
    assert feats("mon", "tue")["lead_num_overlap"] == 0.0
    assert np.isnan(feats("tue", "none")["lead_num_overlap"])
