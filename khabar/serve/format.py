"""Arabic presentation of what the pages show: dates, counts, scores in words, a comparison explained.

Pure functions (the templates use them as filters); nothing here reads the store.

>>> fmt_date("2018-03-21T23:10:00+00:00")
'21 مارس 2018'
>>> articles_ar(2), articles_ar(5), articles_ar(11)
('مقالان', '5 مقالات', '11 مقالاً')
>>> closeness(1), closeness(4)
(100, 0)
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from khabar.compare.verdict import DIFFERENT, SAME_STORY
from khabar.text.dates import as_aware, parse_when

MONTHS_AR = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
             "نوفمبر", "ديسمبر")
LANG_NAMES = {"ar": "العربية", "en": "الإنجليزية", "fr": "الفرنسية", "tr": "التركية", "de": "الألمانية",
              "es": "الإسبانية", "fa": "الفارسية", "ru": "الروسية"}
VERDICTS = {"same story": "القصة نفسها", "related": "قصتان مرتبطتان", "different": "قصتان مختلفتان"}
FACETS = {"entities": "الكيانات", "geography": "المكان", "time": "الزمن", "narrative": "السرد"}
ENTITY_TYPES = {"PERS": "شخص", "ORG": "منظمة", "LOC": "مكان", "MISC": "أخرى"}

#: A finer band inside "same story" (overall < SAME_STORY), for the words only; the verdict does not
#: use it. Below 2.25 a pair sits near SemEval's class 2 or better: "very similar". No score band says
#: "nearly identical": rewrites score 1.0–1.2 too; that word is kept for the near-copy test
#: (:func:`near_copy`, the MinHash test stories group copies by).
VERY_SIMILAR = 2.25
NEARLY_IDENTICAL = "متطابقان تقريباً"


def when(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime as an aware datetime (UTC when no zone is given), else None.

    >>> when("2018-03-21").isoformat(), when("yesterday")
    ('2018-03-21T00:00:00+00:00', None)
    """
    parsed = parse_when(value)  # khabar.text.dates is the one date parser
    return as_aware(parsed) if parsed is not None else None


def fmt_date(value: str | None) -> str:
    """``2018-03-21…`` → ``21 مارس 2018`` (Latin digits, Arabic month); ``""`` when there is no date."""
    day = when(value)
    if day is None:
        return value or ""
    return f"{day.day} {MONTHS_AR[day.month - 1]} {day.year}"


def fmt_datetime(value: str | None) -> str:
    """Like :func:`fmt_date`, with the time of day when the value has one.

    >>> fmt_datetime("2018-03-21T09:05:00")
    '21 مارس 2018، 09:05'
    """
    moment = when(value)
    if moment is None:
        return value or ""
    if value and len(value.strip()) > 10:
        return f"{fmt_date(value)}، {moment:%H:%M}"
    return fmt_date(value)


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s), for use in ``href``; anything else (``javascript:`` …) is None."""
    if url and re.match(r"https?://[^\s]+$", url.strip(), re.IGNORECASE):
        return url.strip()
    return None


def score_words(score: float, copy: bool = False) -> str:
    """A 1..4 score (1 = the same) in words; the bands end at the verdict's cuts, so the words agree
    with :func:`khabar.compare.verdict.verdict`. Only a near-copy (``copy``, from :func:`near_copy`) is
    "nearly identical", whatever its score.

    >>> score_words(1.05), score_words(1.05, copy=True), score_words(2.69), score_words(2.7), score_words(3.4)
    ('متشابهان جداً', 'متطابقان تقريباً', 'متشابهان إلى حد ما', 'مختلفان في الغالب', 'مختلفان تماماً')
    """
    if copy:
        return NEARLY_IDENTICAL
    if score < VERY_SIMILAR:
        return "متشابهان جداً"
    if score < SAME_STORY:
        return "متشابهان إلى حد ما"
    if score < DIFFERENT:
        return "مختلفان في الغالب"
    return "مختلفان تماماً"


def near_copy(text_a: str, text_b: str) -> bool:
    """Whether two texts are near-copies by the test stories group copies with: MinHash resemblance
    of their word shingles at least ``copy_threshold`` (:func:`khabar.stories.rules.is_copy`).

    >>> t = "قال المتحدث باسم الجيش إن القوات دخلت المدينة صباح اليوم بعد معارك استمرت ثلاثة أيام"
    >>> near_copy(t, t + " ."), near_copy(t, "أعلنت وزارة الصحة تسجيل حالات جديدة في العاصمة")
    (True, False)
    """
    from khabar.analyse.bounds import analysed_part
    from khabar.compare import minhash
    from khabar.config import DEFAULT
    from khabar.stories import rules

    # the analysed part, as clustering signs it: the same test, and a bounded cost on a huge text
    a, b = minhash.text_signature(analysed_part(text_a)), minhash.text_signature(analysed_part(text_b))
    if minhash.is_empty(a) or minhash.is_empty(b):
        return False
    return rules.is_copy(minhash.resemblance(a, b), DEFAULT)


def articles_ar(n: int) -> str:
    """``n`` articles with the Arabic noun in the form the number takes (مقال، مقالان، مقالات، مقالاً)."""
    if n == 1:
        return "مقال واحد"
    if n == 2:
        return "مقالان"
    if 3 <= n % 100 <= 10:
        return f"{n} مقالات"
    return f"{n} مقالاً" if n else "لا مقالات"


def closeness(score: float) -> int:
    """A 1..4 score as percent closeness (1 → 100, 4 → 0) for drawing bars."""
    return max(0, min(100, round((4 - float(score)) / 3 * 100)))


def explain(cmp: dict[str, Any]) -> list[str]:
    """The comparison in a few Arabic sentences: the score, what the articles share, each facet.

    ``cmp["near_copy"]`` (:func:`near_copy` of the two texts, where the caller added it) is what makes
    the pair "nearly identical"; the score alone never does.
    """
    ev = cmp.get("evidence") or {}
    words = score_words(cmp["overall"], copy=bool(cmp.get("near_copy")))
    lines = [
        f"الدرجة {cmp['overall']:.1f} على مقياس من 1 (القصة نفسها) إلى 4 (لا صلة بينهما): "
        f"{VERDICTS.get(cmp.get('verdict', ''), cmp.get('verdict', ''))} — الخبران {words}."
    ]
    shared = ev.get("shared_entities") or []
    if shared:
        names = "، ".join(entity_name(e) for e in shared[:6])
        more = f" و{len(shared) - 6} غيرها" if len(shared) > 6 else ""
        lines.append(f"يذكران {len(shared)} من الكيانات نفسها: {names}{more}.")
    else:
        lines.append("لا يذكران أحداً أو مكاناً مشتركاً.")
    for key, label in (("shared_dates", "تواريخ"), ("shared_numbers", "أرقام")):
        items = ev.get(key) or []
        if items:
            lines.append(f"يذكران {label} نفسها: " + "، ".join(_short(x) for x in items[:6]) + ".")
    quotes = ev.get("shared_quotes") or []
    if quotes:
        lines.append(f"ينقلان {len(quotes)} من الأقوال نفسها (مسطّرة في النصين).")
    passages = ev.get("passages") or []
    if passages:
        lines.append(f"فيهما {len(passages)} من المقاطع المتقاربة، مظللة ومرقّمة في النصين أدناه.")
    facets = cmp.get("facets") or {}
    parts = [f"{FACETS.get(k, k)} {v:.1f} ({score_words(v)})" for k, v in facets.items() if v is not None]
    if parts:
        lines.append("حسب الجانب: " + "؛ ".join(parts) + ".")
    return lines


def entity_name(ent: dict[str, Any]) -> str:
    """A shared entity as the articles write it (the longest surface form), not its matching-form key.

    >>> entity_name({"entity": "جيش الاسلام", "a": ["جيش الإسلام"], "b": ["هيئة أركان جيش الإسلام"]})
    'هيئة أركان جيش الإسلام'
    """
    forms = [str(f) for f in (ent.get("a") or []) + (ent.get("b") or []) if f]
    return max(forms, key=len) if forms else str(ent.get("entity", ""))


def entity_label(ent: dict[str, Any]) -> str:
    """A shared entity's name with its type in Arabic: ``جيش الإسلام (منظمة)``."""
    kind = ent.get("type", "")
    return f"{entity_name(ent)} ({ENTITY_TYPES.get(kind, kind)})"


def _short(x: Any) -> str:
    if isinstance(x, dict):  # {value, a, b}: the value as the first article writes it
        x = x.get("a") or x.get("value") or next(iter(x.values()), "")
    return str(x)[:40]
