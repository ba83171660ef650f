"""Stance with three values and the denied claim (issue 13), on real sentences.

A denial rejects a claim, a rumour or an accusation; a negation that states a fact asserts; a
question is neutral. Sentences are from the issue's report and the fresh quote set's articles.
"""

from __future__ import annotations

import pytest

from khabar.analyse.entities import NullTagger
from khabar.analyse.entities import extract as extract_entities
from khabar.analyse.quotes import extract
from khabar.analyse.stance import judge, stance
from khabar.types import Mention


def said(text: str):
    return extract(text, extract_entities(text, NullTagger()))


@pytest.mark.parametrize(
    "content",
    [
        "المجتمع الدولي لم يجبر روسيا على إيقاف القصف",  # the example: a fact, asserted
        "لا معلومات حتى الآن عن أضرار أو إصابات نتيجة الهجوم الصاروخي على قاعدة عين الأسد",
        "منع التنقل لا يشمل الفئات التي سبق استثناؤها من منع التجول",
        "لم يعد ممكنا الاستمرار بالاستدانة لتمويل واقع الفساد",
        "المتهم لم يكن يعرف أن نجله كان يعبث بهاتفه",
    ],
)
def test_a_negated_fact_asserts(content):
    assert stance(content, "asserts") == "asserts", content


@pytest.mark.parametrize(
    ("content", "claim"),
    [
        ("لا صحة للأنباء التي تحدثت عن استقالة الوزير", "استقالة الوزير"),
        ("لا صحة لما تردد عن انسحاب المقاتلين من الغوطة", "انسحاب المقاتلين من الغوطة"),
        ("الأنباء عن إغلاق المعبر عارٍ عن الصحة", "إغلاق المعبر"),
        ("هذه الأخبار عارية عن الصحة جملة وتفصيلا", "الأخبار"),
        ("لم نفاوض أحدا على الخروج من الغوطة", "نفاوض أحدا على الخروج من الغوطة"),
        ("لا توجد أي مفاوضات حول هذا الموضوع", "توجد أي مفاوضات حول هذا الموضوع"),
    ],
)
def test_denial_phrases_deny_and_name_the_claim(content, claim):
    st, got = judge(content, "قال", "asserts")
    assert (st, got) == ("denies", claim), content


def test_rejecting_reports_denies_rejecting_a_plan_asserts():
    assert judge("الأنباء التي تحدثت عن استقالته من منصبه", "رفض", "denies") == ("denies", "استقالته من منصبه")
    assert judge("الشائعات حول صحة الرئيس", "رفض", "denies") == ("denies", "صحة الرئيس")
    assert judge("التعامل مع الحكومة الجزائرية الجديدة", "رفض", "denies") == ("asserts", None)


def test_denial_verb_names_its_object_as_the_claim():
    (s,) = said("ونفت الرياض مرارا تورط ولي العهد، محمد بن سلمان، في الجريمة بأي شكل.")
    assert s.stance == "denies"
    assert s.claim == "تورط ولي العهد، محمد بن سلمان، في الجريمة بأي شكل"  # the adverb مرارا left out


def test_unions_rejecting_a_government_assert():
    text = ("وأكدت النقابات على رفض البيان الذي أعلنه بوتفليقة يوم 14 مارس، وكذلك رفض التعامل مع الحكومة "
            "الجزائرية الجديدة التي تشكلت الأحد.")
    (s,) = said(text)
    assert (s.stance, s.claim) == ("asserts", None)
    assert s.text.endswith("التي تشكلت الأحد")  # «وكذلك رفض» goes on the same statement


def test_a_negation_answering_a_rumour_denies_it():
    text = ("وأبدت إيمان العاصي، حزنها من الشائعات التي نالت منها واتهمتها بالخروج من المنزل أثناء فترة "
            "إصابتها، مؤكدة أنها التزمت بالعزل طوال فترة إصابتها ولم تغادر منزلها أبدا.")
    (s,) = said(text)
    assert (s.stance, s.claim) == ("denies", "الخروج من المنزل أثناء فترة إصابتها")


def test_a_question_is_neutral():
    text = 'وسأل دياب: "كيف يمكننا أن ندفع للدائنين وهناك أناس في الشارع لا يمكنهم أن يشتروا رغيف خبز؟".'
    (s,) = extract(text, [Mention("دياب", "PERS", 4, 8, "دياب")])
    assert s.stance == "neutral" and s.direct
    assert stance("نحن اليوم ندفع ثمن السنوات الماضية فهل يجب تحميله لأبنائنا؟", "asserts") == "neutral"


def test_a_negated_answer_to_reuters_asserts():
    (s,) = said("وقال مسؤول أمريكي لرويترز: “لا معلومات حتى الآن عن أضرار أو إصابات نتيجة الهجوم الصاروخي”.")
    assert (s.stance, s.outlet, s.claim) == ("asserts", "رويترز", None)
