"""Figures in a text: dates in several calendars and scripts, years, canonical numbers, weekdays."""

from __future__ import annotations

import pytest

from khabar.compare.figures import extract_numbers


@pytest.mark.parametrize(
    ("text", "dates", "years"),
    [
        ("وقعت في ١٥ آذار ٢٠١٨ ثم", {"03-15"}, {"2018"}),
        ("يوم 3 كانون الأول الماضي", {"12-03"}, set()),
        ("في 27 يناير 2020", {"01-27"}, {"2020"}),
        ("le 1er février 2021 à Paris", {"02-01"}, {"2021"}),
        ("15 Temmuz 2016 gecesi", {"07-15"}, {"2016"}),
        ("بتاريخ 09/04/2020", {"04-09"}, {"2020"}),
        ("منذ أول ديسمبر", set(), set()),
    ],
)
def test_dates_and_years(text, dates, years):
    n = extract_numbers(text)
    assert n.dates == dates
    assert n.years == years


def test_numbers_are_canonical_and_specific():
    n = extract_numbers("قتل ٣ وأصيب 1,200 من أصل 1200 بنسبة 9.50% في 3 مدن")
    assert n.numbers == {"1200", "9.5"}  # one-digit counts are left out, separators and zeros dropped
    assert n.surfaces["1200"] == "1,200"


def test_weekdays_across_languages():
    assert extract_numbers("قال اليوم الأربعاء").weekdays == {2}
    assert extract_numbers("Çarşamba günü açıklandı").weekdays == {2}
    assert extract_numbers("a déclaré mercredi").weekdays == {2}


def test_the_smallest_figure_is_a_setting():
    assert extract_numbers("قتل 7 أشخاص").numbers == set()
    assert extract_numbers("قتل 7 أشخاص", min_quantity=5).numbers == {"7"}


def test_an_arabic_decimal_comma_is_one_number_and_a_list_comma_is_not():
    # a real headline of the stories dev set: «قيس سعيّد رئيساً لتونس للبلاد بنسبة 72،71 بالمئة من الأصوات»
    n = extract_numbers("قيس سعيّد رئيساً لتونس للبلاد بنسبة 72،71 بالمئة من الأصوات، مقابل 27،29")
    assert n.numbers == {"72.71", "27.29"}
    assert extract_numbers("سقط 120، 35 منهم أطفال").numbers == {"120", "35"}  # a comma and a space: two
    assert extract_numbers("بين 120،350 شخصا").numbers == {"120", "350"}  # three digits after it: a list
