"""Tests for khabar.text.lexicon: the one loader of khabar/data word lists and the function-word sets."""

from __future__ import annotations

from khabar.text import lexicon
from khabar.text.normalize import normalize


def test_one_a_line_lists_are_in_matching_form_without_comments():
    for name in ("stopwords_ar.txt", "noclitic_ar.txt", "gazetteer_places.txt", "gazetteer_orgs.txt"):
        entries = lexicon.entries(name)
        assert entries, name
        assert all(e == normalize(e) and "#" not in e and e.strip() == e for e in entries), name
        assert lexicon.words(name) == frozenset(entries)


def test_entries_keep_file_order():
    # the gazetteer's longest-match tie-breaking depends on it
    assert lexicon.entries("gazetteer_orgs.txt")[0] == normalize("الأمم المتحدة")


def test_tables_give_cells_as_written():
    rows = lexicon.rows("reporting_verbs_ar.tsv")
    assert all(len(r) >= 4 and not r[0].startswith("#") for r in rows)
    assert ("نفى", "نفى", "denies") in {r[:3] for r in rows}


def test_kinds_reads_word_kind_tables_in_matching_form():
    by = lexicon.kinds("roles_ar.tsv")
    assert {"role", "title", "source", "org", "doc", "medium", "outlet_head"} <= set(by)
    assert normalize("متحدث") in by["role"]
    assert all(w == normalize(w) for ws in by.values() for w in ws)


def test_loads_are_cached():
    assert lexicon.entries("stopwords_ar.txt") is lexicon.entries("stopwords_ar.txt")
    assert lexicon.kinds("roles_ar.tsv") is lexicon.kinds("roles_ar.tsv")


def test_function_word_sets_are_in_matching_form():
    for s in (lexicon.COMPS, lexicon.PREPS, lexicon.KAN, lexicon.TIME, lexicon.NP_STOP, lexicon.RELATIVE,
              lexicon.NAME_PARTICLES):
        assert s and all(w == normalize(w) for w in s)


def test_function_word_sets_are_the_union_of_the_old_versions():
    # the entity rules had بين, the quote rules حيال/بشأن and فإن, بأننا …: one set holds all
    assert {normalize(w) for w in ("بين", "حيال", "بشأن")} <= lexicon.PREPS
    assert {normalize(w) for w in ("فإن", "بأننا", "أنك", "بأنهم")} <= lexicon.COMPS
    assert {normalize(w) for w in ("وكانت", "لكن", "ثم")} <= lexicon.KAN
