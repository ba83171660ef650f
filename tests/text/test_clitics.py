"""Clitic splitting must not eat the first letters of a name (issue 13): sentences from SemEval-2022 news."""

from __future__ import annotations

import pytest

from khabar.text.arabic import split_clitics, words

# Sentences as the Aljazeera article of SemEval pair 1599433119_1627179240 wrote them.
KABUL_1 = "كما تأتي في ظل تأخر انطلاق المفاوضات بين الحركة وكابل رغم أن الطرفين مستمران منذ أسابيع"
KABUL_2 = "بدأ جولة تشمل زيارة الدوحة وكابل وإسلام آباد، لبحث إطلاق المباحثات الأفغانية الأفغانية"


@pytest.mark.parametrize("sentence", [KABUL_1, KABUL_2])
def test_kabul_keeps_its_first_letter(sentence):
    assert "كابل" in words(sentence)
    assert "ابل" not in words(sentence)


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("وكابل", ["و", "كابل"]),  # stem ابل is no word seen on its own: ك stays
        ("لندن", ["لندن"]),
        ("وبراغ", ["و", "براغ"]),  # a gazetteer name starting with ب stays whole
        ("كابول", ["كابول"]),
        ("وارسو", ["وارسو"]),
        ("ويلز", ["ويلز"]),
    ],
)
def test_names_are_not_split(word, parts):
    assert split_clitics(word) == parts


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("بحرب", ["ب", "حرب"]),  # حرب is a three-letter word of its own: the cut stays
        ("ولكن", ["و", "لكن"]),
        ("وقال", ["و", "قال"]),
        ("فقد", ["ف", "قد"]),
        ("وبالغوطة", ["و", "ب", "الغوطة"]),
        ("للمفاوضات", ["ل", "المفاوضات"]),
    ],
)
def test_real_clitics_still_split(word, parts):
    assert split_clitics(word) == parts
