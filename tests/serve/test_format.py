"""The Arabic presentation helpers: dates, links, scores in words, a comparison explained."""

from __future__ import annotations

import pytest

from khabar.compare.verdict import DIFFERENT, SAME_STORY, verdict
from khabar.serve.format import VERDICTS, articles_ar, explain, fmt_date, fmt_datetime, safe_url, score_words


def test_dates_are_shown_one_way():
    assert fmt_date("2018-03-21") == "21 مارس 2018"
    assert fmt_date("2018-03-21T23:10:00+00:00") == "21 مارس 2018"
    assert fmt_date(None) == "" and fmt_date("sometime") == "sometime"
    assert fmt_datetime("2018-03-21T23:10:00+00:00") == "21 مارس 2018، 23:10"
    assert fmt_datetime("2018-03-21") == "21 مارس 2018"


def test_safe_url_keeps_only_http():
    assert safe_url("https://alghad.tv/x?y=1") == "https://alghad.tv/x?y=1"
    assert safe_url("javascript:alert(1)") is None and safe_url("data:text/html,x") is None
    assert safe_url(" HTTP://a.b/ ") == "HTTP://a.b/"


SIMILAR = {"متطابقان تقريباً", "متشابهان جداً", "متشابهان إلى حد ما"}


@pytest.mark.parametrize("score", [1.0, 1.5, 2.0, 2.25, 2.5, 2.69, SAME_STORY, 3.0, 3.39, DIFFERENT, 3.8, 4.0])
def test_score_words_agree_with_the_verdict(score: float):
    words = score_words(score)
    if verdict(score) == "same story":
        assert words in SIMILAR
    elif verdict(score) == "related":
        assert words == "مختلفان في الغالب"
    else:
        assert words == "مختلفان تماماً"


def test_score_words_cut_where_the_model_does():
    # The server once cut at 2.75 while the model's "same story" cut was 2.7: now one cut.
    assert score_words(2.72) == "مختلفان في الغالب" and verdict(2.72) == "related"
    assert score_words(SAME_STORY - 0.01) == "متشابهان إلى حد ما"


def test_article_counts_take_the_arabic_number_form():
    assert [articles_ar(n) for n in (0, 1, 2, 3, 10, 11, 103)] == [
        "لا مقالات", "مقال واحد", "مقالان", "3 مقالات", "10 مقالات", "11 مقالاً", "103 مقالات"]


def test_explain_says_the_verdict_and_what_is_shared():
    text = "نفى جيش الإسلام المفاوضات. وقال بيرقدار إن الغوطة باقية."
    evidence = {"passages": [{"a": {"start": 0, "end": 26, "text": text[0:26]}, "b": {}, "score": 0.9},
                             {"a": {"start": 99, "end": 120, "text": "وقال بيرقدار"}, "b": {}}],
                "shared_entities": [{"entity": "جيش الإسلام", "type": "ORG", "a": ["جيش الإسلام"], "b": []}]}
    lines = explain({"overall": 1.2, "verdict": "same story", "facets": {"entities": 1.0}, "evidence": evidence})
    assert VERDICTS["same story"] in lines[0] and "جيش الإسلام" in lines[1] and any("2 من المقاطع" in x for x in lines)
    assert lines[-1].startswith("حسب الجانب: الكيانات 1.0")
    bare = explain({"overall": 3.9, "verdict": "different"})
    assert "مختلفان تماماً" in bare[0] and bare[1] == "لا يذكران أحداً أو مكاناً مشتركاً."


def test_nearly_identical_means_the_near_copy_test_not_the_score(examples_dir):
    from khabar.serve.format import NEARLY_IDENTICAL, near_copy

    a = (examples_dir / "alghad-ghouta-denial.txt").read_text(encoding="utf-8")
    b = (examples_dir / "orient-ghouta-denial.txt").read_text(encoding="utf-8")
    # the two examples are one story told in two outlets' words (the model scores them about 1.16)
    assert not near_copy(a, b)
    assert all(score_words(s) != NEARLY_IDENTICAL for s in (1.0, 1.05, 1.16, 1.2, 1.49))
    lines = explain({"overall": 1.16, "verdict": "same story", "near_copy": near_copy(a, b)})
    assert NEARLY_IDENTICAL not in lines[0] and "متشابهان جداً" in lines[0]
    # a repost with other line breaks and a share line is a near-copy, whatever the model would say
    repost = a.replace("\n\n", "\n") + "\nشارك الخبر"
    assert near_copy(a, repost)
    assert NEARLY_IDENTICAL in explain({"overall": 1.9, "verdict": "same story", "near_copy": True})[0]
    assert score_words(1.9, copy=True) == NEARLY_IDENTICAL
