"""The text layer's fast paths (per-word caches, tuple-built tokens, the numpy normalizer) give
exactly what the plain definitions give, cold and warm, and the caches stay bounded."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.text import arabic
from khabar.text import normalize as nz
from khabar.text.arabic import Token, stem, tokenize, tokens_normalized, unvocalized, words
from khabar.text.normalize import normalize, normalize_all

# Arabic letters and marks, presentation forms, digits of three scripts, Latin, format characters,
# lone surrogates, NUL and spaces: what scraped text throws at the text layer.
_HOSTILE = st.text(
    st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.sampled_from(list("وفبكلال ـ\u200c\u200d\u200e\u200f\u202b\u2067\ufeff\x00\ud800\udfff″«»\n")),
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
        st.characters(min_codepoint=0x20, max_codepoint=0x17F),
        st.characters(),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_HOSTILE, max_size=8))
def test_normalize_all_is_normalize_of_each(ws):
    assert normalize_all(ws) == [normalize(w) for w in ws]
    assert normalize_all(ws) == [nz._normalize(w) for w in ws]  # cached or not, the same


@settings(max_examples=300, deadline=None)
@given(_HOSTILE)
def test_tokens_are_tokens(text):
    for punct in (False, True):
        rx = arabic._WORD_PUNCT_RE if punct else arabic._WORD_RE
        toks = tokenize(text, punct=punct)
        assert toks == [Token(m.group(), m.start(), m.end()) for m in rx.finditer(text)]
        assert all(type(t) is Token and t.text == text[t.start : t.end] for t in toks)
    toks, norms = tokens_normalized(text)
    assert toks == tokenize(text, punct=True) and norms == [normalize(t.text) for t in toks]


@settings(max_examples=300, deadline=None)
@given(_HOSTILE)
def test_word_caches_answer_as_computed(w):
    for _ in range(2):  # cold, then from the cache
        assert stem(w) == arabic._stem_norm(normalize(w))
        assert unvocalized(w) == arabic._VOWEL_MARKS.sub("", w)
        assert normalize(w) == nz._normalize(w)


@settings(max_examples=100, deadline=None)
@given(st.lists(_HOSTILE, min_size=1, max_size=40))
def test_long_text_path_is_the_short_one(parts):
    one = " ".join(parts) + " x"
    text = one * (1 + nz._LONG // len(one))
    assert len(text) >= nz._LONG
    cf = nz._nfkc(text).casefold()
    assert nz._translate_collapsed(cf) == " ".join(cf.translate(nz._TABLE).split())


def test_caches_stay_bounded_and_answer_the_same(monkeypatch):
    monkeypatch.setattr(arabic, "_CACHE_MAX", 8)
    sample = "وقال المتحدث إن المفاوضات مستمرة بين الطرفين في الدوحة وبالقاهرة أمس".split()
    want = [arabic._stem_norm(normalize(w)) for w in sample]
    for _ in range(3):
        assert [stem(w) for w in sample] == want
        assert len(arabic._STEMS) <= 8
    assert words(" ".join(sample * 3)) == words(" ".join(sample)) * 3
    assert len(arabic._CHUNKS) <= 8 + len(set(sample))


def test_long_strings_are_not_kept_by_word_caches():
    long = "كلمة" * 40
    assert stem(long) == arabic._stem_norm(normalize(long))
    assert long not in arabic._STEMS
