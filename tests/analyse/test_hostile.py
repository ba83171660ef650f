"""Hostile input to analysis: its cost grows linearly with the article, and is bounded per article.

Cost is counted, not timed: the Python lines khabar's own code executes (``sys.settrace``), which is
deterministic and blind to machine load. Linear code reads about 4× the lines on a text 4× longer;
the quadratic code this replaced read 16×.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from khabar.analyse import entities, quotes
from khabar.analyse.analysis import analyse
from khabar.analyse.bounds import MAX_ANALYSED_CHARS, analysed_part
from khabar.types import Article

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = "سامر رامي عادل ماهر نبيل وائل حسان منذر".split()
FAMILIES = "الحلبي الشامي العلوان البيرقدار الفارس الحمصي الدرعاوي الإدلبي".split()


def _article_text(n: int) -> str:
    """The two example articles, repeated to ``n`` characters."""
    base = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt")))
    return (base * (n // len(base) + 1))[:n]


def _many_speakers(n: int) -> str:
    """Distinct people, each quoted, then named by surname: every linking candidate list grows."""
    out, k, size = [], 0, 0
    while size < n:
        name = f"{NAMES[k % 8]} {FAMILIES[(k // 8) % 8]} {NAMES[(k // 64) % 8]}{k}"
        out.append(f'وقال ({name}) الناطق باسم "جيش الإسلام" إن "المفاوضات لم تبدأ بعد". ونفى {name.split()[-1]} ذلك.\n')
        size += len(out[-1])
        k += 1
    return "".join(out)[:n]


HOSTILE = {
    "articles": _article_text,
    "speakers": _many_speakers,
    "open quotes": lambda n: ("قال « وأكد " * n)[:n],
    "open brackets": lambda n: ("ونفى (بيرقدار " * n)[:n],
    "titles": lambda n: ("الدكتور اللواء " * n)[:n] + " قال إن",
    "one sentence of cues": lambda n: ("وقال المتحدث إن الوضع هادئ، مؤكدا أن " * n)[:n],
}


def _lines(fn, *args) -> int:
    """Python lines run inside khabar's own modules while ``fn(*args)`` runs."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def glob(frame, event, arg):
        return local if "/khabar/" in frame.f_code.co_filename else None

    sys.settrace(glob)
    try:
        fn(*args)
    finally:
        sys.settrace(None)
    return count


def _analyse_text(text: str) -> None:
    quotes.extract(text, entities.extract(text))


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_analysis_cost_is_linear(kind: str) -> None:
    make = HOSTILE[kind]
    n = 3_000
    small, large = make(n), make(4 * n)
    _analyse_text(large)  # warm the per-word caches, so both runs count the same work
    ratio = _lines(_analyse_text, large) / max(1, _lines(_analyse_text, small))
    assert ratio < 6, f"{kind}: 4x the text cost {ratio:.1f}x"


def test_cost_beyond_the_cap_is_bounded() -> None:
    """A 5 MB article is analysed as its first MAX_ANALYSED_CHARS characters: the same result."""
    text = _many_speakers(5_000_000)
    part = analysed_part(text)
    assert MAX_ANALYSED_CHARS // 2 <= len(part) <= MAX_ANALYSED_CHARS and text.startswith(part)
    got = analyse(Article(id="x", title="t", text=text, raw=text))
    ms = entities.extract(part)
    assert got.mentions == ms and got.statements == quotes.extract(part, ms)
    assert got.mentions and max(m.end for m in got.mentions) <= len(part)
    assert len(got.statements) > 100


def test_cap_cuts_at_a_line_break() -> None:
    text = ("سطر من الخبر\n" * 20_000)
    part = analysed_part(text)
    assert len(part) <= MAX_ANALYSED_CHARS and text[len(part)] == "\n"
    assert analysed_part("قصير") == "قصير"


def test_text_past_the_cap_is_stored_and_searchable(tmp_path: Path) -> None:
    from khabar.pipeline import ingest
    from khabar.store.db import Store

    body = _many_speakers(MAX_ANALYSED_CHARS + 20_000) + "\nوفي الختام ذكر الكاتب كلمة زمردستان الفريدة.\n"
    src = tmp_path / "long.txt"
    src.write_text("خبر طويل جدا\n" + body, encoding="utf-8")
    with Store(tmp_path / "k.db") as store:
        report = ingest([str(src)], store)
        assert len(report.ids) == 1
        assert "زمردستان" in store.get(report.ids[0]).text
        assert [h["id"] for h in store.search("زمردستان")] == report.ids
