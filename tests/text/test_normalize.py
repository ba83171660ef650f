"""Tests for khabar.text.normalize: spelling variants meet, distinctions kept, idempotent."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.text.normalize import char_form, normalize

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("أحمد", "احمد"),
        ("إسلام", "اسلام"),
        ("آمن", "امن"),
        ("ٱلله", "الله"),
        ("مسؤول", "مسءول"),
        ("مسئول", "مسءول"),
        ("شيئ", "شيء"),
        ("مدرسة", "مدرسه"),
        ("على", "علي"),
        ("مُحَمَّدٌ", "محمد"),  # harakat, shadda, tanwin
        ("رَحْمٰن", "رحمن"),  # sukun, superscript alef
        ("الـــغوطة", "الغوطه"),  # tatweel
        ("ﻻ", "لا"),  # presentation-form ligature (NFKC)
        ("ﺍﻟﺸﺎﻡ", "الشام"),  # presentation forms
        ("٢٠١٨", "2018"),
        ("۱۲۳", "123"),
        ("٣٫٥", "3.5"),
        ("«نعم»", '"نعم"'),
        ("“قال” „so“", '"قال" "so"'),
        ("‹a› ‘b’ ‚c", "'a' 'b' 'c"),
        ("Reuters AFP", "reuters afp"),
        ("  جيش \n\t الإسلام  ", "جيش الاسلام"),
        ("قال\u200fت", "قالت"),  # RLM inside a word
        ("İstanbul", "istanbul"),
    ],
)
def test_normalize_variants_meet(a: str, b: str) -> None:
    assert normalize(a) == normalize(b) == b


def test_normalize_keeps_distinctions() -> None:
    assert normalize("سؤال") != normalize("سوال")  # hamza seat unified, hamza itself kept
    assert normalize("رئيس") == "رءيس"
    assert normalize("ما هذا؟ نعم، لا؛") == "ما هذا؟ نعم، لا؛"  # Arabic punctuation kept


def test_normalize_idempotent_on_examples() -> None:
    for name in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt"):
        n = normalize(example(name))
        assert normalize(n) == n
        assert "أ" not in n and "ة" not in n and "ى" not in n and "“" not in n


def test_normalize_idempotent_fuzz() -> None:
    # random strings over the characters normalize touches, plus Latin and space
    alphabet = (
        [chr(c) for c in range(0x0600, 0x0700)]
        + [chr(c) for c in range(0xFE70, 0xFEFD)]
        + [chr(c) for c in range(0xFB50, 0xFBB2)]
        + list("“”„«»‹›‘’‚″ \n\tAbcİß12.,") + ["\u200c", "\u200f", "\u0307", "\u00a0", "\ufdf2"]
    )
    rng = random.Random(8)
    for _ in range(3000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        once = normalize(s)
        assert normalize(once) == once, repr(s)


def test_char_form_agrees_with_normalize():
    for c in "أإآةىؤئ«»٣A\u064e\u0640":
        assert char_form(c) == normalize(c) or (char_form(c) == "" and normalize(c) == "")


@pytest.mark.parametrize("n", [499, 500, 501, 5_000, 200_000])
def test_long_texts_take_the_array_path_to_the_same_form(n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from khabar.text import normalize as mod

    rng = random.Random(n)
    # Arabic block, ASCII, invisible marks, an astral emoji, lone surrogates, Turkish İ
    alphabet = [chr(c) for c in [*range(0x600, 0x700), *range(0x20, 0x7F), 0x200C, 0x200F, 0xFEFF, 0x1F600,
                                 0xD800, 0xDCFF, 0x0307, 0x130, 0xFE8D, 0x0660]]
    text = "".join(rng.choice(alphabet) for _ in range(n))
    fast = mod._normalize(text)
    monkeypatch.setattr(mod, "_LONG", 10**9)  # str.translate only
    assert fast == mod._normalize(text)


@given(st.lists(st.text(st.sampled_from(list("اأإآلﻻﻷ\u0653\u0654\u0655\u064e\u0651 …™½ﬁİ\u00a0a\n")), max_size=40), max_size=40))
@settings(max_examples=300, deadline=None)
def test_a_long_text_is_normalized_as_one_string(parts: list[str]) -> None:
    # the line-by-line NFKC of long texts gives exactly the whole-string NFKC
    import unicodedata

    from khabar.text import normalize as nm

    text = "\n".join(parts) * 20
    assert nm._nfkc(text) == unicodedata.normalize("NFKC", text)


@given(st.text(st.sampled_from(list("اأة\u064e\u0640\u200b\u200f \t\n\r\u00a0\u3000\u2028\x1c\x85a🙂")), min_size=1, max_size=60))
@settings(max_examples=300, deadline=None)
def test_the_array_path_collapses_whitespace_as_split_does(unit: str) -> None:
    # long texts are translated and collapsed through arrays; short ones through str methods
    from khabar.text import normalize as nm

    text = unit * (nm._LONG // len(unit) + 1)
    assert nm._translate_collapsed(text) == " ".join(text.translate(nm._TABLE).split())
