"""The per-text cost bounds: where a long text is cut, and what the index and the id make of it."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.read.clean import content_id
from khabar.text import arabic
from khabar.text.bounds import cut_at_break
from khabar.text.normalize import normalize

# letters, harakat, tatweel, presentation forms, NBSP, ligatures, zero-width marks, Latin, digits
_CHARS = st.sampled_from(list("أإآابتثةىيؤئءوزكلمنهـ\u064e\u0651\u0652\ufefb\ufdfa\u00a0\u200f\u200c ™½ﬁİaZ9٣\n\t«»."))
_TEXT = st.text(_CHARS, max_size=80)


@given(_TEXT, _TEXT)
@settings(max_examples=400, deadline=None)
def test_content_id_is_the_hash_of_the_joined_matching_form(title: str, text: str) -> None:
    # ids stored before must not change: normalizing title and text apart gives the same key
    old = hashlib.sha256(normalize(title + "\n" + text).encode("utf-8")).hexdigest()[:16]
    assert content_id(title, text) == old


@given(_TEXT, st.integers(min_value=1, max_value=60))
@settings(max_examples=400, deadline=None)
def test_the_matching_form_splits_where_the_text_is_cut(text: str, cap: int) -> None:
    head = cut_at_break(text, cap)
    assert len(head) <= cap and text.startswith(head)
    words, rest = arabic.index_text(text, cap=cap)
    assert words == arabic.words(head)
    if len(head) < len(text) and text[len(head)] in " \n":  # cut at a break (not inside a word):
        # the rest, in matching form, is what the whole text's form has past the head's
        assert " ".join(filter(None, (normalize(head), rest))) == normalize(text)


def test_a_word_past_the_bound_is_indexed_whole() -> None:
    text = "قال المتحدث للصحفيين\n" * 3 + "وأكد الوزير ذلك"
    words, rest = arabic.index_text(text, cap=30)
    assert "المتحدث" in words and "الوزير" not in words
    assert rest.split()[-3:] == ["واكد", "الوزير", "ذلك"]  # matching form, clitic kept
