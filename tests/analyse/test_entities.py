"""Entity extraction: rule repairs for news constructions and linking within one article."""

from __future__ import annotations

import pytest

from khabar.analyse.entities import NullTagger, entities_summary, extract, repair
from khabar.read.clean import to_article
from khabar.read.formats import read
from khabar.text.arabic import normalize
from khabar.types import Mention

RULES = NullTagger()


def article_text(path) -> str:
    (doc,) = list(read(str(path)))
    return to_article(doc).text


@pytest.fixture(scope="module")
def orient(examples_dir) -> str:
    return article_text(examples_dir / "orient-ghouta-denial.txt")


@pytest.fixture(scope="module")
def alghad(examples_dir) -> str:
    return article_text(examples_dir / "alghad-ghouta-denial.txt")


def entity_of(mentions: list[Mention], text: str) -> set[str]:
    """The canonical entities of the mentions written ``text``."""
    return {m.entity for m in mentions if m.text == text}


def typed(mentions: list[Mention]) -> set[tuple[str, str]]:
    return {(m.text, m.type) for m in mentions}


# --- linking on the real examples --------------------------------------------------------------


def test_orient_surname_in_brackets_links_to_full_name(orient):
    ms = extract(orient, RULES)
    assert entity_of(ms, "حمزة بيرقدار") == entity_of(ms, "بيرقدار") == {normalize("حمزة بيرقدار")}


def test_orient_al_prefixed_surname_links(orient):
    ms = extract(orient, RULES)
    assert entity_of(ms, "الفارس") == entity_of(ms, "منذر فارس") == {normalize("منذر فارس")}


def test_orient_untagged_surname_found_and_linked(orient):
    ms = extract(orient, RULES)
    alwan = [m for m in ms if m.entity == normalize("وائل علوان")]
    assert {m.text for m in alwan} == {"وائل علوان", "علوان"}
    assert all(orient[m.start : m.end] == m.text for m in ms)


def test_orient_quoted_organisations_are_one_entity(orient):
    ms = extract(orient, RULES)
    jaish = entity_of(ms, "جيش الإسلام") | entity_of(ms, "هيئة أركان جيش الإسلام")
    assert jaish == {normalize("هيئة أركان جيش الإسلام")}  # the longest form is canonical
    assert {m.type for m in ms if m.entity in jaish} == {"ORG"}


def test_orient_missing_space_joins_spaced_spelling(orient):
    ms = extract(orient, RULES)
    ahrar = entity_of(ms, "حركة أحرارالشام") | entity_of(ms, "أحرار الشام")
    assert ahrar == {"حركه احرار الشام"}


def test_alghad_unbracketed_speaker_before_role(alghad):
    ms = extract(alghad, RULES)
    assert ("حمزة بيرقدار", "PERS") in typed(ms)
    assert ("جيش الإسلام", "ORG") in typed(ms)  # باسم + organisation head word
    assert not any(m.text.startswith("لرويترز") for m in ms)  # an outlet, not a name


def test_summary_counts_linked_mentions(orient):
    rows = entities_summary(extract(orient, RULES))
    by = {r["entity"]: r for r in rows}
    assert by[normalize("حمزة بيرقدار")] == {"entity": normalize("حمزة بيرقدار"), "type": "PERS", "count": 2}
    assert by["حركه احرار الشام"]["count"] == 2
    counts = [r["count"] for r in rows]
    assert counts == sorted(counts, reverse=True)


# --- rule repairs on small sentences -----------------------------------------------------------


def test_bracketed_name_after_verb_is_person():
    assert ("سامي العلي", "PERS") in typed(extract("وقال (سامي العلي) إن الوضع هادئ.", RULES))


def test_quoted_name_after_verb_is_person_even_with_function_word():
    ms = extract("وأضاف «حسب الله» أن الحادث وقع أمس.", RULES)
    assert ("حسب الله", "PERS") in typed(ms)


def test_quoted_org_after_denial_is_org():
    ms = extract('نفى "فيلق الرحمن" الأنباء.', RULES)
    assert ("فيلق الرحمن", "ORG") in typed(ms)


def test_quoted_name_after_bism_is_org():
    ms = extract('قال المتحدث باسم "أحرار الشام" إن الهدنة قائمة.', RULES)
    assert ("أحرار الشام", "ORG") in typed(ms)


def test_title_then_name_without_title():
    ms = extract("قال الدكتور صلاح حسب الله، المتحدث باسم مجلس النواب، إن المصعد سقط.", RULES)
    assert ("صلاح حسب الله", "PERS") in typed(ms)


def test_ambiguous_title_needs_a_known_first_name():
    ms = extract("وطبيب الفريق يتواصل مع اللاعبين يوميا.", RULES)
    assert not [m for m in ms if m.type == "PERS"]


def test_role_then_name_between_commas():
    ms = extract("وقال وزير الإعلام اليمني، معمر الإرياني، إن التقرير مهم.", RULES)
    assert ("معمر الإرياني", "PERS") in typed(ms)


def test_role_then_name_before_complementizer():
    ms = extract("رأى وزير الخارجية الايراني محمد جواد ظريف أن القرار خاطئ.", RULES)
    assert ("محمد جواد ظريف", "PERS") in typed(ms)


def test_name_collides_with_preposition_only_as_written():
    text = "قال علي عابد زادة، رئيس المنظمة، إن الطائرة سقطت. وقال عابد زادة أمام الصحفيين إن…"
    ms = extract(text, RULES)
    assert ("علي عابد زادة", "PERS") in typed(ms)
    later = [m for m in ms if m.start > text.index("سقطت")]
    assert later and {m.entity for m in later} == {normalize("علي عابد زادة")}  # أمام is no name


def test_places_and_outlets_are_not_names():
    ms = extract("وقالت روسيا إن الهدنة قائمة. وقال لرويترز إن الوضع هادئ.", RULES)
    assert not [m for m in ms if m.type == "PERS"]


def test_tagger_mentions_kept_and_overridden_by_rules():
    text = "وقال (حمزة بيرقدار) الناطق باسم الحركة إن …"
    tagged = [
        Mention("حمزة", "LOC", 6, 10, "حمزه"),  # a wrong, shorter tagger span: the rule wins
        Mention("الحركة", "ORG", 35, 41, "الحركه"),  # untouched by any rule: kept
    ]
    out = repair(text, tagged)
    assert ("حمزة بيرقدار", "PERS") in typed(out)
    assert ("حمزة", "LOC") not in typed(out)
    assert ("الحركة", "ORG") in typed(out)


def test_tagged_name_loses_the_preposition_lam_when_known_without_it():
    text = "وقال لرويترز إن الوضع هادئ."
    (m,) = repair(text, [Mention("لرويترز", "ORG", 5, 12, "لرويترز")])
    assert (m.text, m.start, m.entity) == ("رويترز", 6, "رويترز")


def test_empty_text_has_no_mentions():
    assert extract("", RULES) == []
    assert extract("   \n", RULES) == []


def test_default_tagger_runs(orient):
    # the shipped CRF when its model is there, else rules only: either way the speakers are linked
    ms = extract(orient)
    assert normalize("حمزة بيرقدار") in {m.entity for m in ms}
    assert all(orient[m.start : m.end] == m.text for m in ms)
