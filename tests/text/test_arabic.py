"""Tests for khabar.text.arabic: tokens, clitics, stems, stopwords, sentences, script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khabar.text.arabic import (
    STOPWORDS,
    Token,
    is_arabic,
    is_stopword,
    normalize,
    sentences,
    split_clitics,
    stem,
    terms,
    tokenize,
    words,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SEMEVAL = ROOT.parent / "shared" / "data" / "semeval2022-task8-train.jsonl"
needs_semeval = pytest.mark.skipif(not SEMEVAL.exists(), reason=f"shared data absent: {SEMEVAL}")


def example(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


def semeval_arabic_texts() -> list[str]:
    out = []
    with SEMEVAL.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d["lang"] == "ar":
                out += [d["title1"] + "\n" + d["text1"], d["title2"] + "\n" + d["text2"]]
    return out


# --- tokenize ------------------------------------------------------------------------------------


def test_tokenize_offsets_map_back_on_examples() -> None:
    for name in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt"):
        text = example(name)
        toks = tokenize(text, punct=True)
        assert len(toks) > 300
        assert all(text[t.start : t.end] == t.text for t in toks)
        assert all(a.end <= b.start for a, b in zip(toks, toks[1:], strict=False))


def test_tokenize_kinds() -> None:
    text = 'قالَ المتحدثُ: دفع 1,000.5 دولار و٣٫٥ مليون (F16) لـ"رويترز"'
    assert [t.text for t in tokenize(text)] == [
        "قالَ", "المتحدثُ", "دفع", "1,000.5", "دولار", "و", "٣٫٥", "مليون", "F16", "لـ", "رويترز",
    ]
    punct = [t.text for t in tokenize(text, punct=True) if not t.text[0].isalnum()]
    assert punct == [":", "(", ")", '"', '"']
    assert tokenize("") == []
    assert isinstance(tokenize("نعم")[0], Token)


def test_tokenize_number_stops_at_sentence_dot() -> None:
    assert [t.text for t in tokenize("في عام 2018.")] == ["في", "عام", "2018"]


# --- clitics -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("وبالغوطة", ["و", "ب", "الغوطة"]),
        ("والشام", ["و", "الشام"]),
        ("للمفاوضات", ["ل", "المفاوضات"]),
        ("لرويترز", ["ل", "رويترز"]),
        ("وقال", ["و", "قال"]),
        ("فالحكومة", ["ف", "الحكومة"]),
        ("وللمفاوضات", ["و", "ل", "المفاوضات"]),
        ("كالعادة", ["ك", "العادة"]),
        ("وهو", ["و", "هو"]),
        ("وَبِالغُوطَةِ", ["وَ", "بِ", "الغُوطَةِ"]),  # a clitic keeps its harakat
        ("لِلْمُفاوَضاتِ", ["لِ", "الْمُفاوَضاتِ"]),
        ("لـرويترز", ["لـ", "رويترز"]),  # and its tatweel
        ("وبالغوطه", ["و", "ب", "الغوطه"]),  # matching form in, matching form out
        ("للبنان", ["ل", "لبنان"]),  # ل + a word in ل, not ل + ال
    ],
)
def test_split_clitics_splits(word: str, parts: list[str]) -> None:
    assert split_clitics(word) == parts


@pytest.mark.parametrize(
    "word",
    ["ولاية", "بيان", "فارس", "كان", "كانت", "لبنان", "وزير", "بشار", "وزارة", "واشنطن", "فرنسا",
     "بيروت", "كورونا", "باريس", "بين", "فيها", "لكن", "وزيرها", "بيرقدار", "الغوطة", "في"],
)
def test_split_clitics_keeps_real_words(word: str) -> None:
    assert split_clitics(word) == [word]
    assert split_clitics(normalize(word)) == [normalize(word)]


def test_words() -> None:
    assert words("وقال لـ\"رويترز\" إنَّ المفاوضاتِ، والشام.") == ["قال", "رويترز", "ان", "المفاوضات", "الشام"]
    assert words("و الشام") == ["الشام"]  # a stand-alone clitic is dropped
    assert words("?!...") == []


# --- stopwords, stems, terms -----------------------------------------------------------------------


def test_stopwords() -> None:
    assert len(STOPWORDS) >= 300
    for w in ("في", "من", "على", "إلى", "عن", "أن", "إن", "التي", "الذي", "هذا", "هذه", "قال"):
        assert is_stopword(w), w
        assert normalize(w) in STOPWORDS
    assert all(normalize(w) == w for w in STOPWORDS)
    assert not is_stopword("الغوطة")
    assert not is_stopword("مفاوضات")


def test_stem_equivalence() -> None:
    assert stem("المفاوضات") == stem("مفاوضات") == stem("والمفاوضات") == stem("مفاوضة")
    assert stem("الحكومة") == stem("حكومة") == stem("بالحكومة") == stem("حكومتهم")
    assert stem("المقاتلين") == stem("مقاتلون") == stem("مقاتلي")
    assert stem("الفلسطينيين") == stem("فلسطيني")
    assert stem("السورية") == stem("سوري")
    assert stem("الغوطة") == "غوط"
    assert stem("الله") == "الله"  # too short to lose ال
    assert stem("عمان") == "عمان"  # stems keep three letters
    assert stem("جيش") != stem("جيوب")


def test_terms() -> None:
    assert terms("وقال المتحدث إن المفاوضات مستمرة في الغوطة") == ["متحدث", "مفاوض", "مستمر", "غوط"]
    assert terms("") == []
    # other scripts: casefolded, stemmed for the given language
    assert terms("Les négociations continuent", lang="fr") == ["le", "négoci", "continuent"]
    assert terms("Müzakereler devam ediyor", lang="tr")[0] == "müzakere"
    assert terms("Reuters REUTERS") == ["reuters", "reuters"]


def test_terms_examples_share_vocabulary() -> None:
    a = set(terms(example("orient-ghouta-denial.txt")))
    b = set(terms(example("alghad-ghouta-denial.txt")))
    for t in ("جيش", "اسلام", "غوط", "مفاوض", "روسيا"):
        assert t in a and t in b, t
    assert not any(t in STOPWORDS for t in a)


# --- sentences -----------------------------------------------------------------------------------


def test_sentences_example() -> None:
    text = example("orient-ghouta-denial.txt")
    spans = sentences(text)
    parts = [text[a:b] for a, b in spans]
    assert all(p == p.strip() and p for p in parts)
    assert all(a < b <= c for (a, b), (c, _) in zip(spans, spans[1:], strict=False))
    assert parts[0] == text.splitlines()[0].strip()  # the title line is its own sentence
    assert any(p.startswith("نفى \"جيش الإسلام\"") and p.endswith("الثقيلة.") for p in parts)
    assert len(parts) >= 12


def test_sentences_rules() -> None:
    def split(t: str) -> list[str]:
        return [t[a:b] for a, b in sentences(t)]

    assert split("ارتفع 3.5 بالمئة. ثم هبط؟ نعم! لا") == ["ارتفع 3.5 بالمئة.", "ثم هبط؟", "نعم!", "لا"]
    assert split('قال: "انتهى الأمر." وأضاف أنه مستمر.') == ['قال: "انتهى الأمر."', "وأضاف أنه مستمر."]
    assert split("قال (نعم.) ثم ذهب") == ["قال (نعم.)", "ثم ذهب"]
    assert split("أولا؛ ثانيا") == ["أولا؛", "ثانيا"]
    assert split("سطر أول\nسطر ثان\n\n") == ["سطر أول", "سطر ثان"]
    assert split("Mr. Smith met Dr. Jones in the U.S. today. Then left.") == [
        "Mr. Smith met Dr. Jones in the U.S. today.", "Then left.",
    ]
    assert split("انتهى.وقال آخر") == ["انتهى.", "وقال آخر"]  # scraped text with the space lost
    assert split("  ") == []


# --- script --------------------------------------------------------------------------------------


def test_is_arabic() -> None:
    assert is_arabic(example("orient-ghouta-denial.txt"))
    assert is_arabic("قال المتحدث لوكالة Reuters")  # mixed: decided by the share of letters
    assert not is_arabic("Reuters news agency قال")
    assert not is_arabic("")
    assert not is_arabic("2018 ... 3.5")


@needs_semeval
def test_semeval_arabic_texts() -> None:
    texts = semeval_arabic_texts()
    assert len(texts) == 290
    assert sum(is_arabic(t) for t in texts) >= 285
    for t in texts[:40]:
        toks = tokenize(t, punct=True)
        assert all(t[x.start : x.end] == x.text for x in toks)
        n = normalize(t)
        assert normalize(n) == n


def test_words_of_a_long_text_equal_the_words_of_its_parts() -> None:
    # words() splits at whitespace first and decides each distinct chunk once: no word may span a space
    from khabar.text.arabic import words

    line = "وقال المتحدث\u200cباسم الوزارة إن 3,5 مليون F16 «صاروخ»\u00a0سقطت\u2028في\tالغوطة"
    text = "\n".join(f"{line} {i}" for i in range(500))
    assert words(text) == [w for part in text.split() for w in words(part)]
    assert words(text)[:4] == ["قال", "المتحدثباسم", "الوزاره", "ان"]  # a ZWNJ sits inside a word
