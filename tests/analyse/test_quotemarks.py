"""Quote marks: each style, nesting, unclosed quotes, stray marks, apostrophes."""

from __future__ import annotations

import pytest

from khabar.analyse.quotemarks import quote_spans


@pytest.mark.parametrize(
    ("text", "inner"),
    [
        ("قال: “لا توجد مفاوضات”.", "لا توجد مفاوضات"),
        ("قال: «لا توجد مفاوضات».", "لا توجد مفاوضات"),
        ('قال: "لا توجد مفاوضات".', "لا توجد مفاوضات"),
        ("قال: 'لا توجد مفاوضات'.", "لا توجد مفاوضات"),
        ("قال: ‹لا توجد مفاوضات›.", "لا توجد مفاوضات"),
        ("قال: „لا توجد مفاوضات“.", "لا توجد مفاوضات"),
        ("قال: ”لا توجد مفاوضات”.", "لا توجد مفاوضات"),  # one mark typed for both ends
    ],
)
def test_each_quote_mark_style(text, inner):
    assert [text[a + 1 : b] for a, b in quote_spans(text)] == [inner]


def test_guillemets_nest():
    t = "إن التقرير «أكد حصول الحوثيين على صواريخ كروز «برية» وطائرات» أمس"
    got = {t[a + 1 : b] for a, b in quote_spans(t)}
    assert got == {"برية", "أكد حصول الحوثيين على صواريخ كروز «برية» وطائرات"}


def test_straight_quotes_nest_when_the_inner_one_clearly_opens():
    t = 'وتابع بأن "المتظاهرين هاجموا السيارات التابعة "لقسد" وأحرقوها" أمس.'
    got = {t[a + 1 : b] for a, b in quote_spans(t)}
    assert 'المتظاهرين هاجموا السيارات التابعة "لقسد" وأحرقوها' in got


def test_unclosed_quote_ends_with_its_paragraph():
    t = 'وأضافت "أن الاحتفالات مستمرة بدون كلل.\n\nفقرة أخرى.'
    ((a, b),) = quote_spans(t)
    assert t[a + 1 : b] == "أن الاحتفالات مستمرة بدون كلل."


def test_stray_closing_mark_is_ignored():
    t = 'وأشار إلى أن" القرار جاء بناء على التقييم.'
    assert quote_spans(t) == []


def test_apostrophe_inside_a_word_is_not_a_quote():
    assert quote_spans("قال O'Brien إن الوضع هادئ") == []
