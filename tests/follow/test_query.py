"""Alert words: FTS5 syntax rewritten over the matching form, and refused with a reason when malformed."""

from __future__ import annotations

import pytest

from khabar.follow.query import MAX_QUERY, QueryError, fts_query
from khabar.store import alerts as db
from khabar.store.db import Store
from khabar.types import Article


def test_words_take_the_matching_form_and_lose_their_clitics():
    assert fts_query("وبالغوطة") == '"الغوطه"'
    assert fts_query("أحمد NOT مدرسة") == '"احمد" NOT "مدرسه"'


def test_phrases_prefixes_and_groups():
    assert fts_query('"جيش الإسلام"') == '"جيش الاسلام"'
    assert fts_query("مفاوض*") == '"مفاوض"*'
    assert fts_query("(الغوطة OR دوما) AND روسيا") == '("الغوطه" OR "دوما") AND "روسيا"'


@pytest.mark.parametrize("bad", ["", "   ", "OR الغوطة", "الغوطة AND", "(الغوطة", "الغوطة)", "()", '"غير مغلق',
                                 "الغوطة AND OR دوما", "الغوطة AND NOT دوما", "،،،", "x" * (MAX_QUERY + 1)])
def test_malformed_queries_are_refused_with_a_reason(bad):
    with pytest.raises(QueryError):
        fts_query(bad)


def test_every_accepted_query_runs_in_fts5():
    with Store(":memory:") as s:
        s.add(Article(id="a1", title="الغوطة", text="قالت روسيا إن المفاوضات في الغوطة الشرقية", raw="x"))
        for q in ["الغوطه", '"الغوطة الشرقية"', "مفاوض*", "روسيا NOT دوما", "(دوما OR روسيا) AND الغوطة", "a-b"]:
            expr = fts_query(q)
            assert db.check_fts(s, expr) is None, (q, expr)
        assert db.word_hits(s, fts_query('"الغوطة الشرقية"'), ["a1"]) == {"a1"}
        assert db.word_hits(s, fts_query('"الشرقية الغوطة"'), ["a1"]) == set()  # a phrase keeps its order
        assert db.word_hits(s, fts_query("المفاوض*"), ["a1"]) == {"a1"}
        assert db.word_hits(s, fts_query("روسيا NOT الغوطة"), ["a1"]) == set()
