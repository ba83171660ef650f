"""khabar.read.clean on the real example articles, on the SemEval scrapes, and on each kind of pattern."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from khabar.read.clean import (
    DEFAULT_PATTERNS,
    Cleaned,
    article_id,
    clean,
    clean_title,
    content_id,
    load_patterns,
    to_article,
)
from khabar.read.formats import read
from khabar.text import arabic
from khabar.types import Document

SENTENCE = "وقال المتحدث باسم الهيئة في بيان مصور إن المقاتلين باقون في أرضهم ولن يخرجوا منها."
SENTENCE2 = "وأكد أن الفصائل لم تفاوض أي طرف على الخروج من الغوطة الشرقية حتى الآن."
# What the brief names as the examples' boilerplate; a body line holding any of it is not article text.
BOILERPLATE = (
    "التعليقات",
    "الأكثر قراءة",
    "أهم المواضيع",
    "أهم التصنيفات",
    "covid19-ultimate-card",
    "💡",
    "✨",
)


@pytest.fixture(scope="module")
def examples(examples_dir: Path) -> list[Document]:
    return [d for d in read(examples_dir) if isinstance(d, Document)]


def assert_offsets(raw: str, c: Cleaned) -> None:
    for i in range(len(c.text)):
        assert raw[c.to_raw(i)] == c.text[i], i


# --- the real examples -------------------------------------------------------------------------------


def test_examples_keep_every_paragraph_and_nothing_else(examples: list[Document]) -> None:
    assert len(examples) == 2
    for doc in examples:
        c = clean(doc.text, doc.title)
        title_key = arabic.normalize(doc.title)
        expected = [
            line.strip()
            for line in doc.text.splitlines()
            if line.strip()
            and not any(b in line for b in BOILERPLATE)
            and not line.strip().isdigit()
            and arabic.normalize(line) != title_key
        ]
        assert len(expected) >= 3
        assert c.text.split("\n\n") == expected, doc.origin  # every paragraph, verbatim, in order


def test_examples_lose_the_boilerplate(examples: list[Document]) -> None:
    for doc in examples:
        c = clean(doc.text, doc.title)
        for b in BOILERPLATE:
            assert b not in c.text
        lines = c.text.splitlines()
        assert "0" not in (line.strip() for line in lines)
        assert arabic.normalize(lines[0]) != arabic.normalize(doc.title)
        assert all(line == line.strip() for line in lines)
        assert "\n\n\n" not in c.text


def test_example_offsets_map_back(examples: list[Document]) -> None:
    rng = random.Random(8)
    for doc in examples:
        c = clean(doc.text, doc.title)
        for i in rng.sample(range(len(c.text)), 300):
            assert doc.text[c.to_raw(i)] == c.text[i]
        assert_offsets(doc.text, c)
        for para in c.text.split("\n\n"):  # a paragraph maps to the same text in the raw body
            start = c.text.index(para)
            a, b = c.to_raw_span(start, start + len(para))
            assert doc.text[a:b] == para
        assert c.to_raw(len(c.text)) == c.spans[-1][1] + c.spans[-1][2]
        assert c.spans == sorted(c.spans)


# --- pattern kinds ----------------------------------------------------------------------------------


def test_pattern_word_mid_sentence_survives() -> None:
    raw = "\n".join(
        [
            "وقال إن الوزير شارك في الاجتماع الذي عقد أمس في دمشق.",
            "شارك",
            "شارك المقال:",
            "شارك أكثر من مئتي شخص في المظاهرة التي خرجت في دوما.",
            "مشاركة عبر واتساب",
            "Facebook Twitter WhatsApp",
            "وأكد أن التعليقات على القرار لم تتوقف، وأن الأكثر قراءة في الصحف كان الخبر نفسه.",
        ]
    )
    assert clean(raw).text.split("\n\n") == [
        "وقال إن الوزير شارك في الاجتماع الذي عقد أمس في دمشق.",
        "شارك أكثر من مئتي شخص في المظاهرة التي خرجت في دوما.",
        "وأكد أن التعليقات على القرار لم تتوقف، وأن الأكثر قراءة في الصحف كان الخبر نفسه.",
    ]


def test_read_also_block_drops_headlines_until_prose() -> None:
    raw = f"{SENTENCE}\n\nاقرأ أيضاً:\n\nعنوان خبر آخر عن الغوطة\nعنوان ثالث بلا نقطة\n\n{SENTENCE2}"
    assert clean(raw).text == f"{SENTENCE}\n\n{SENTENCE2}"
    inline_title = f"{SENTENCE}\nإقرأ ايضا: روسيا تعرض الخروج الآمن\n{SENTENCE2}"
    assert clean(inline_title).text == f"{SENTENCE}\n\n{SENTENCE2}"


def test_tail_cuts_only_after_article_text() -> None:
    comments = "أحمد: هذا تعليق طويل من قارئ على الخبر، وفيه جمل كاملة كما في المقال تماماً."
    assert clean(f"{SENTENCE}\n\nالتعليقات (2)\n\n{comments}\n{comments}").text == SENTENCE
    # a counter at the top of the page must not swallow the article
    assert clean(f"التعليقات (0)\n{SENTENCE}\n{SENTENCE2}").text == f"{SENTENCE}\n{SENTENCE2}"
    assert clean(f"{SENTENCE}\n© 2018 جميع الحقوق محفوظة لموقع مثال\nسياسة الخصوصية").text == SENTENCE


def test_line_patterns() -> None:
    furniture = [
        "💡 أهم المواضيع",
        "📌 تابع آخر الأخبار",
        "نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا. باستمرارك فإنك توافق على ذلك.",
        "We use cookies to improve your experience.",
        "Subscribe to our newsletter",
        "اشترك في النشرة البريدية",
        "اشترك لتصلك أهم الأخبار",
        "تابعونا على فيسبوك",
        "تابعوا آخر الأخبار عبر تطبيق تيلغرام على الهواتف الذكية عبر الرابط:",
        "https://telegram.me/SomeAgency",
        "أعجبك الموضوع؟ سجّل إعجابك بصفحتنا على فيسبوك لتحصل على المزيد",
        "إعـلان",
        "- - -",
        "   ",
        "12",
        "١٢٣",
    ]
    raw = "\n".join([SENTENCE, *furniture, SENTENCE2])
    assert clean(raw).text == f"{SENTENCE}\n\n{SENTENCE2}"
    # an emoji before a real sentence is not navigation
    led = "🔴 قال المتحدث باسم الهيئة في بيان مصور إن المقاتلين باقون في أرضهم ولن يخرجوا منها."
    assert clean(led).text == led


def test_real_page_furniture() -> None:
    # seen in the stories dev set's page openings: archive stamps, publication stamps, back-to-top and
    # skip links, masthead headings, closed comment forms, "you might also like" lists
    furniture = [
        "تاريخ النشر : 21:37 - 2023/02/08",
        "تم النشر في: 2020-03-08 14:22:21",
        "زر الذهاب إلى الأعلى",
        "التخطي إلى المحتوى",
        "رئيس التحرير",
        "رئيس مجلس الإدارة",
    ]
    raw = "\n".join([" date 2023-02 " + SENTENCE, *furniture, SENTENCE2])
    assert clean(raw).text == f"{SENTENCE}\n\n{SENTENCE2}"
    assert clean(f"{SENTENCE}\nComments are closed.\n{SENTENCE2}").text == SENTENCE
    assert clean(f"{SENTENCE}\nالتعليقات مغلقة.\n{SENTENCE2}").text == SENTENCE
    assert clean(f"{SENTENCE}\nYou might also like\nعنوان خبر آخر\n\n{SENTENCE2}").text == f"{SENTENCE}\n\n{SENTENCE2}"
    # the same words inside prose stay: a sentence about publishing, a date inside a sentence
    prose = "تم النشر في الجريدة الرسمية يوم 2019-04-02 بعد أن وقع الرئيس على القرار وأعلنه المتحدث."
    assert clean(prose).text == prose
    dated = "قال المتحدث إن تقرير date 2023-02 لم يصدر بعد، وإن اللجنة ستجتمع الأسبوع المقبل في دمشق."
    assert "date 2023-02" not in clean(dated).text  # an archive stamp anywhere is no text


def test_shortcodes_inline() -> None:
    raw = (
        'قال [caption id="attachment_1" align="alignnone"]صورة من الغوطة[/caption] المتحدث إن الوضع صعب.\n'
        "[covid19-ultimate-card region=”EG” region-name=”مصر” bg-color=”#0c3278″ rtl=”true”]\n"
        "[vc_row][vc_column_text]وأضاف أن المفاوضات لم تبدأ.[/vc_column_text][/vc_row]  "
    )
    c = clean(raw)
    assert c.text == "قال صورة من الغوطة المتحدث إن الوضع صعب.\n\nوأضاف أن المفاوضات لم تبدأ."
    assert_offsets(raw, c)
    assert clean_title(" [covid19-ultimate-card region=”EG”] عنوان   الخبر ") == "عنوان الخبر"


def test_whitespace_and_title_repeat() -> None:
    title = "جيش الإسلام ينفي شائعات الخروج"
    raw = f"\n  جيشُ الإسلام ينفي شائعات الخروج  \n{SENTENCE}   \n\n\n\n   \n{SENTENCE2}\t\n\n"
    c = clean(raw, title)
    assert c.text == f"{SENTENCE}\n\n{SENTENCE2}"
    assert_offsets(raw, c)
    # only the first body line counts as a repeated title
    raw2 = f"{SENTENCE}\n{title}\n{SENTENCE2}"
    assert clean(raw2, title).text == raw2
    assert clean("").text == "" and clean("").to_raw(0) == 0


def test_custom_pattern_file(tmp_path: Path) -> None:
    raw = f"{SENTENCE}\nحصري لموقع مثال\n{SENTENCE2}"
    assert "حصري" in clean(raw).text
    mine = tmp_path / "mine.tsv"
    mine.write_text("# site-specific\nline\tحصري لموقع .{1,30}\texclusive tag\n", encoding="utf-8")
    both = load_patterns(DEFAULT_PATTERNS, mine)
    assert clean(raw, patterns=both).text == f"{SENTENCE}\n\n{SENTENCE2}"
    assert clean(raw, patterns=mine).text == f"{SENTENCE}\n\n{SENTENCE2}"  # a path works too
    assert both.count == load_patterns().count + 1
    bad = tmp_path / "bad.tsv"
    bad.write_text("line\tok\nwrong\tx\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.tsv:2"):
        load_patterns(bad)
    bad.write_text("line\t(unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.tsv:1: bad regex"):
        load_patterns(bad)


def test_shipped_patterns_are_well_formed() -> None:
    rows = [
        r for r in DEFAULT_PATTERNS.read_text(encoding="utf-8").splitlines() if r and not r.startswith("#")
    ]
    for row in rows:
        kind, regex, comment = row.split("\t")
        assert kind in {"line", "block", "tail", "inline"} and regex and comment, row
        if kind != "inline":
            # matched against the normalized form: a regex with hamza-alef, ة or ى could never match
            assert not re.search("[أإآةى]", regex), row
    assert load_patterns().count == len(rows)


# --- ids and articles -------------------------------------------------------------------------------


def test_article_id() -> None:
    a = article_id("جيش الإسلام ينفي", f"{SENTENCE}\n\n{SENTENCE2}")
    assert re.fullmatch("[0-9a-f]{16}", a)
    assert a == article_id(" جيشُ  الإسلام ينفي ", f"{SENTENCE}\n{SENTENCE2}  ")
    assert a != article_id("جيش الإسلام ينفي", SENTENCE)


def test_article_id_is_one_outlets_publication() -> None:
    text = f"{SENTENCE}\n\n{SENTENCE2}"
    bare = article_id("عنوان", text)
    at_a = article_id("عنوان", text, "https://a.example/news/1", "a.example")
    # the same wire text from a second outlet, or at a second URL, is another article
    assert len({bare, at_a, article_id("عنوان", text, "https://b.example/x", "b.example"),
                article_id("عنوان", text, "https://a.example/news/2", "a.example")}) == 4
    # the same page linked another way, or scraped with other spacing, is the same article
    assert at_a == article_id(" عنوان ", text + "  ", "HTTPS://A.example/news/1/#comments", "a.example")
    # without a URL the outlet tells publications apart; without either the id is the content's alone
    assert article_id("عنوان", text, None, "Reuters") == article_id("عنوان", text, None, " reuters ")
    assert article_id("عنوان", text, None, "Reuters") not in {bare, article_id("عنوان", text, None, "AFP")}
    assert bare == content_id("عنوان", text)


def test_to_article(examples: list[Document]) -> None:
    for doc in examples:
        art = to_article(doc)
        assert art.text == clean(doc.text, art.title).text and art.raw == doc.text
        assert (art.lang, art.source, art.origin) == ("ar", doc.source, doc.origin)
        assert art.id == article_id(art.title, art.text, doc.url, doc.source)
        c = Cleaned(art.text, art.spans)
        assert_offsets(art.raw, c)
        # the same article scraped again with other boilerplate and spacing gets the same id
        again = Document(
            text="💡 أهم المواضيع\n" + art.text.replace("\n\n", "\n\n\n") + "\n\nالتعليقات (5)\n5",
            title=f"  {doc.title} ",
            origin="again", source=doc.source, url=doc.url,
        )
        assert to_article(again).id == art.id
    with pytest.raises(ValueError, match="nothing.txt"):
        to_article(Document(text="التعليقات (0)\n0\nالأكثر قراءة\n💡 أهم المواضيع", origin="nothing.txt"))
    assert to_article(Document(text=SENTENCE, lang="fr")).lang == "fr"  # a given lang is kept


# --- the SemEval scrapes ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def semeval_arabic(semeval_path: Path) -> list[tuple[str, str]]:
    out = {}
    for line in semeval_path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["lang"].startswith("ar"):
            for k in ("1", "2"):
                out[row["url" + k]] = (row["title" + k], row["text" + k])
    return list(out.values())


def test_semeval_keeps_prose_and_drops_frequent_boilerplate(semeval_arabic: list[tuple[str, str]]) -> None:
    frequent = {
        "اشترك لتصلك أهم الأخبار",
        "التعليقات",
        "إقرأ المزيد",
        "إعـلان",
        "شارك الموضوع :",
        "سجّل إعجابك بصفحتنا على فيسبوك لتحصل على المزيد",
        "اقرأ أيضا:",
        "إقرأ ايضا:",
        "واقرأ أيضًا:",
        "تابعوا صفحتنا على موقع (VK) للتواصل الاجتماعي على الرابط:",
    }
    seen = set()
    for title, text in semeval_arabic:
        c = clean(text, title)
        kept = set(c.text.split("\n"))
        for line in text.splitlines():
            s = line.strip()
            if s in frequent:
                seen.add(s)
                assert s not in kept
            elif len(s.split()) >= 20 and "[email" not in s:  # prose: always kept, verbatim
                assert s in kept, s
        if c.text:
            assert_offsets(text, c)
    assert seen == frequent
