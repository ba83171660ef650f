"""Tests for khabar.text.lang.detect."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from khabar.text.lang import detect

ROOT = Path(__file__).resolve().parents[2]
SEMEVAL = ROOT.parent / "shared" / "data" / "semeval2022-task8-train.jsonl"


def test_examples_are_arabic() -> None:
    for name in ("orient-ghouta-denial.txt", "alghad-ghouta-denial.txt"):
        assert detect((ROOT / "examples" / name).read_text(encoding="utf-8")) == "ar"


def test_too_short_or_empty() -> None:
    assert detect("") == "und"
    assert detect("   \n ") == "und"
    assert detect("ab") == "und"
    assert detect("2018 - 3.5 ...") == "und"


def test_arabic_script_other_languages() -> None:
    # Persian and Urdu use Arabic script: they must not take the Arabic fast path
    assert detect("وزیر امور خارجه ایران گفت که مذاکرات با کشورهای اروپایی ادامه دارد") == "fa"
    assert detect("پاکستان کے وزیر اعظم نے کہا کہ حکومت نئے انتخابات کرائے گی") == "ur"
    assert detect("قال المتحدث باسم الحكومة إن المفاوضات مستمرة") == "ar"
    assert detect("ﺍﻟﺤﻜﻮﻣﺔ ﺍﻟﺴﻮﺭﻳﺔ ﻻ ﺗﻔﺎﻭﺽ") == "ar"  # presentation forms


def test_latin_languages() -> None:
    assert detect("The government announced new measures on Tuesday.") == "en"
    assert detect("Le gouvernement a annoncé mardi de nouvelles mesures.") == "fr"
    assert detect("Hükümet salı günü yeni önlemleri açıkladı.") == "tr"


@pytest.mark.skipif(not SEMEVAL.exists(), reason=f"shared data absent: {SEMEVAL}")
def test_semeval_languages() -> None:
    hits: Counter[str] = Counter()
    total: Counter[str] = Counter()
    with SEMEVAL.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            for key in ("text1", "text2"):
                total[d["lang"]] += 1
                hits[d["lang"]] += detect(d[key]) == d["lang"]
    assert set(total) == {"ar", "tr", "fr"}
    for lang in total:
        assert hits[lang] / total[lang] >= 0.98, (lang, hits[lang], total[lang])
