"""Name lists for the NER tagger: pycountry's Arabic names, derived nationalities, hand lists, matching."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.analyse.gazetteer import (
    Gazetteer,
    country_names,
    currency_names,
    first_names,
    load_gazetteer,
    nationalities,
    triggers,
)
from khabar.text import lexicon
from khabar.text.arabic import normalize, split_clitics


def n(word: str) -> str:
    return normalize(word)


def test_countries_from_pycountry_and_hand_list():
    names = country_names()
    assert len(names) > 200  # pycountry's ar catalogue translates nearly all 249 codes
    # from pycountry (with its harakat stripped by normalize), and from the hand list
    assert {n("مصر"), n("الصين"), n("ألمانيا"), n("الأردن")} <= names
    assert {n("سوريا"), n("روسيا"), n("تركيا")} <= names
    assert all(w == normalize(w) for w in names)
    assert not any(c.isascii() and c.isalpha() for w in names for c in w)  # no English fallbacks


def test_nationalities_are_derived_in_all_forms():
    nat = nationalities()
    for w in ("السوري", "سورية", "الروسية", "لبنانيون", "المصريين", "الفرنسي", "الجزائري", "عربي"):
        assert n(w) in nat, w


def test_currencies_are_money_words_not_metals():
    cur = currency_names()
    assert {n("الدولار"), n("دولار"), n("الدينار"), n("الروبل")} <= cur
    assert n("الذهب") not in cur


def test_first_names_and_triggers():
    assert {n("محمد"), n("أحمد"), n("إبراهيم")} <= first_names()
    t = triggers()
    assert set(t) == {"PERS", "ORG", "LOC", "MISC"}
    assert {n("الرئيس"), n("الناطق"), n("المتحدث"), n("الشيخ"), n("الدكتور"), n("وزير")} <= t["PERS"]
    assert n("وزارة") in t["ORG"] and n("مدينة") in t["LOC"]


def test_hand_lists_are_clean():
    for name in (
        "gazetteer_countries.txt",
        "gazetteer_places.txt",
        "gazetteer_orgs.txt",
        "gazetteer_triggers.txt",
    ):
        entries = lexicon.entries(name)
        assert entries and len(entries) == len(set(entries)), f"{name} has duplicates"


def test_lookup_strips_proclitics_but_keeps_names_whole():
    g = load_gazetteer()
    assert g.lookup("وروسيا") == {"country"}
    assert "place" in g.lookup("بالقاهرة")
    assert "place" in g.lookup("بكين")  # ب + كين would be a wrong split; the whole word matches
    assert "nationality" in g.lookup("السورية")
    assert g.lookup("قال") == frozenset()
    assert g.lookup_exact("وروسيا") == frozenset()


def test_match_takes_the_longest_name_left_to_right():
    g = Gazetteer({"a": ["الأمم المتحدة", "مجلس الأمن", "مجلس الأمن الدولي"], "b": ["الأمن"]})
    toks = "قال مجلس الأمن الدولي و الأمم المتحدة في".split()
    assert g.match(toks) == [("a", 1, 4), ("a", 5, 7)]
    # the first word may carry proclitics, the later ones may not
    assert g.match("وبالأمم المتحدة".split()) == [("a", 0, 2)]
    assert g.match("الأمم والمتحدة".split()) == []
    shipped = load_gazetteer().match("في الولايات المتحدة الأمريكية أمس".split())
    assert shipped == [("country", 1, 4)]


def _plain_forms(word: str) -> tuple[str, ...]:
    n = normalize(word)
    parts = split_clitics(n)
    return (n,) if len(parts) == 1 else (n, parts[-1])


def test_cached_lookups_answer_as_the_plain_definitions():
    g = load_gazetteer()
    words = "وروسيا بالقاهرة بكين السورية قال للمفاوضات والولايات الأمم مجلس وبالأمم ﻻ".split() + ["", "\x00"]
    for _ in range(2):  # cold, then cached
        for w in words:
            want = frozenset().union(*(g._single.get(f, frozenset()) for f in _plain_forms(w)))
            assert g.lookup(w) == want == g.lookup_normalized(normalize(w))
            assert g.may_start(w) == (bool(w) and any(f in g._multi for f in _plain_forms(w)))


def test_lookup_cache_is_bounded(monkeypatch):
    from khabar.analyse import gazetteer as gz

    g = Gazetteer({"country": ["روسيا", "مصر"], "place": ["القاهرة"]})
    monkeypatch.setattr(gz, "_CACHE_MAX", 2)
    for _ in range(3):
        assert [g.lookup(w) for w in ("وروسيا", "مصر", "بالقاهرة", "قال")] == [
            {"country"}, {"country"}, {"place"}, frozenset()
        ]
        assert len(g._labels) <= 2 and len(g._by_word) <= 2


@settings(max_examples=300, deadline=None)
@given(st.text(st.one_of(st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), st.characters()), max_size=20))
def test_lookup_normalized_of_the_matching_form_is_lookup(w):
    g = load_gazetteer()
    want = frozenset().union(*(g._single.get(f, frozenset()) for f in _plain_forms(w)))
    for _ in range(2):
        assert g.lookup(w) == want == g.lookup_normalized(normalize(w))
