"""Who speaks (issue 13): the person behind a role, organisations and outlets, names as written.

Sentences are real: from the issue's report and from the page openings and SemEval texts of the
fresh quote set (tests/data/quotes-fresh.jsonl). Mentions come from the rules only (no CRF), so a
name counts as "never seen" by any tagger.
"""

from __future__ import annotations

from khabar.analyse.entities import NullTagger
from khabar.analyse.entities import extract as extract_entities
from khabar.analyse.quotes import extract
from khabar.types import Mention


def said(text: str, mentions: list[Mention] | None = None):
    return extract(text, extract_entities(text, NullTagger()) if mentions is None else mentions)


def one(text: str):
    out = said(text)
    assert len(out) == 1, [(s.speaker, s.verb, s.text) for s in out]
    return out[0]


# --- a role before the name: the named person speaks, the role beside him -----------------------


def test_role_then_unseen_name_is_one_speaker():
    s = one("قال رئيس نقابة أصحاب الأفران علي إبراهيم إن سعر ربطة الخبز لن يتغير.")
    assert (s.speaker, s.role, s.speaker_type) == ("علي إبراهيم", "رئيس نقابة أصحاب الأفران", "PERS")


def test_minister_then_name_is_not_a_second_speaker():
    s = one("أكد وزير الاقتصاد والتجارة اللبناني أمين سلام أن مخزون القمح يكفي لشهر.")
    assert (s.speaker, s.role) == ("أمين سلام", "وزير الاقتصاد والتجارة اللبناني")


def test_role_title_and_name_opening_the_sentence():
    s = one("وكان وزير التجارة الداخلية وحماية المستهلك الدكتور عاطف النداف أكد أمس أن اعتماد آلية بيع "
            "الخبز على البطاقة الذكية هو لتخفيف الازدحام.")
    assert (s.speaker, s.role) == ("عاطف النداف", "وزير التجارة الداخلية وحماية المستهلك")


def test_role_with_its_complement_then_comma_and_name():
    text = ("و كان مدير الوقاية بوزارة الصحة والسكان وإصلاح المستشفيات, الدكتور جمال فورار, قد أعلن يوم "
            "الخميس الماضي, أن الإصابات بوباء الكوليرا هي حالات \"معزولة منحصرة في عائلات\", مؤكدا أن "
            "الوضع \"متحكم فيه\".")
    a, b = said(text)
    assert a.speaker == b.speaker == "جمال فورار"
    assert a.role == "مدير الوقاية بوزارة الصحة والسكان وإصلاح المستشفيات"


def test_role_name_after_comma_untagged():
    s = one('قال عضو البرلمان اللبنانى البارز آلان عون، على تويتر، اليوم السبت، إن لبنان يعيش "الساعات الأخيرة" '
            "قبل الإعلان الرسمى لتعثره عن تسديد ديونه.")
    assert (s.speaker, s.role) == ("آلان عون", "عضو البرلمان اللبنانى البارز")


# --- agencies and outlets: outlets, not speakers, not verbs ----------------------------------------


def test_afad_is_an_agency_not_the_verb_afada():
    text = ('من جانبها، قالت إدارة الكوارث والطوارئ التركية "آفاد" إن عدد المصابين جراء الزلزال في تركيا بلغ '
            '20 ألفاً و426، ولفت رئيس "آفاد"، يونس سيزر، إلى وقوع 243 هزة ارتدادية عقب الزلزال.')
    sts = said(text)
    assert [s.verb for s in sts] == ["قالت", "ولفت"]  # one statement each, none from «آفاد»
    assert sts[0].speaker_type == "ORG" and "إدارة الكوارث" in sts[0].speaker
    assert sts[1].speaker == "يونس سيزر" and sts[1].text == "وقوع 243 هزة ارتدادية عقب الزلزال"


def test_outlet_named_after_the_statement_is_its_outlet():
    text = ('وقال دياب إن "لبنان يمر في مرحلة دقيقة من تاريخه". وقال: "لبنان يعلن تعليق سداد 9 آذار من '
            'اليوروبوند"، حسب ما نقلت قناة العالم.')
    a, b = said(text, [Mention("دياب", "PERS", 5, 9, "دياب")])
    assert (b.speaker, b.outlet) == ("دياب", "العالم")  # no statement "by" قناة العالم


def test_agency_given_as_the_source_of_a_statement():
    text = ("أفاد بيان لرئاسة الجمهورية في الجزائر بأن الرئيس عبد العزيز بوتفليقة سيقدم استقالته "
            '"قبل نهاية عهدته الانتخابية"، بحسب وكالة الأنباء الجزائرية.')
    s = one(text)
    assert s.outlet == "وكالة الأنباء الجزائرية" and "رئاسة الجمهورية" in s.speaker


def test_outlet_carrying_a_statement_and_a_known_agency_name():
    s = one("وبين المهندس رفعت سليمان معاون وزير التجارة الداخلية في تصريح لـ سانا سياحة ومجتمع أن عملية "
            "التوزيع بدأت صباح اليوم.")
    assert s.outlet == "سانا" and s.speaker == "رفعت سليمان"
    s = one('وقالت رئاسة شؤون الحرمين، في بيان نقلته قناة "العربية"، إنه تم إغلاق التوسعة السعودية الثالثة.')
    assert (s.outlet, s.speaker_type) == ("العربية", "ORG")


def test_sources_told_reuters():
    s = one("كانت مصادر، قد أبلغت رويترز أمس الجمعة، بأن من المتوقع أن يعلن لبنان اليوم عجزه عن السداد.")
    assert (s.speaker, s.outlet) == ("مصادر", "رويترز")


def test_an_outlet_reporting_by_itself_speaks():
    s = one("قال التلفزيون الإيراني إن الحرس الثوري قصف قاعدة عين الأسد التي يتمركز فيها جنود أمريكيون.")
    assert (s.speaker, s.speaker_type) == ("التلفزيون الإيراني", "ORG")


# --- organisations speak ---------------------------------------------------------------------------


def test_an_organisation_opening_the_sentence_speaks():
    text = ("وكانت النيابة العامة لدى مجلس قضاء الجزائر أعلنت أنها فتحت تحقيقات ابتدائية في قضايا فساد. "
            "وأضافت في بيان، الاثنين، أنها أصدرت أوامر بمنع السفر.")
    a, b = said(text)
    assert a.speaker == b.speaker == "النيابة العامة لدى مجلس قضاء الجزائر"
    assert a.speaker_type == "ORG"


def test_a_capital_speaks_for_its_government():
    s = one("ونفت الرياض مرارا تورط ولي العهد في الجريمة بأي شكل.")
    assert (s.speaker, s.speaker_type, s.stance) == ("الرياض", "ORG", "denies")


# --- what is shown is the written form --------------------------------------------------------------


def test_speaker_is_shown_as_written_not_in_matching_form():
    text = "قال حمزة بيرقدار إن الجبهات ثابتة. وأضاف بيرقدار أن المقاتلين باقون."
    ms = [Mention("حمزة بيرقدار", "PERS", 4, 16, "حمزه بيرقدار"), Mention("بيرقدار", "PERS", 41, 48, "حمزه بيرقدار")]
    a, b = said(text, ms)
    assert a.speaker == b.speaker == "حمزة بيرقدار"  # the whole name, spelled as the article does


def test_description_speaker_is_shown_as_written():
    s = one("وأوضحت الهيئة العليا المستقلة للانتخابات أن النتائج الأولية أصبحت نهائية.")
    assert s.speaker == "الهيئة العليا المستقلة للانتخابات"
