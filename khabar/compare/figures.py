"""Figures in an article's text: numbers, years, day+month dates and weekdays, as canonical strings.

Two reports of one event give the same casualty count, date and day of the week, however they
word the rest; these sets feed the pair features and the evidence of :mod:`khabar.compare`.
Month names cover Egyptian/Gulf, Levantine and Maghrebi Arabic, Turkish and French.

>>> n = extract_numbers("le 1er février 2021 à Paris : 250 manifestants")
>>> sorted(n.dates), sorted(n.years), sorted(n.numbers)
(['02-01'], ['2021'], ['250'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from khabar.compare.config import DEFAULT
from khabar.text import arabic

# One entry per month, names separated by "|": Egyptian/Gulf, Levantine, Maghrebi, Turkish, French (matching form).
_MONTH_NAMES = [
    "يناير|كانون الثاني|جانفي|ocak|janvier|janv",
    "فبراير|شباط|فيفري|şubat|subat|février|fevrier|févr",
    "مارس|اذار|mart|mars",
    "ابريل|نيسان|افريل|nisan|avril",
    "مايو|ايار|ماي|mayıs|mayis|mai",
    "يونيو|يونيه|حزيران|جوان|haziran|juin",
    "يوليو|يوليه|تموز|جويليه|temmuz|juillet",
    "اغسطس|اب|اوت|ağustos|agustos|août|aout",
    "سبتمبر|ايلول|eylül|eylul|septembre|sept",
    "اكتوبر|تشرين الاول|ekim|octobre|oct",
    "نوفمبر|تشرين الثاني|kasım|kasim|novembre|nov",
    "ديسمبر|كانون الاول|aralık|aralik|décembre|decembre|déc",
]
_MONTHS = {name: i for i, names in enumerate(_MONTH_NAMES, start=1) for name in names.split("|")}
# "اب" (August) and "ماي"/"mai"/"mars" double as ordinary words; they count only next to a day number.
_MONTH_RX = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
_DAY_MONTH = re.compile(rf"(?<!\d)([0-3]?\d)(?:er)?\s+(?:من\s+)?(?:شهر\s+)?({_MONTH_RX})(?![^\W\d_])")
_MONTH_DAY = re.compile(rf"(?<![^\W\d_])({_MONTH_RX})\s+([0-3]?\d)(?![\d.,])")
_NUMERIC_DATE = re.compile(r"(?<![\d.,/])([0-3]?\d)[/.-](0?[1-9]|1[0-2])[/.-]((?:19|20)\d\d)(?![\d])")
_YEAR = re.compile(r"(?<![\d.,])((?:19[5-9]|20[0-4])\d)(?![\d.,%])")
# "72،71": the Arabic comma between digits with one or two after it is a decimal comma (Levantine
# usage, "72،71 بالمئة"); with a space after it, or more digits, it separates a list.
_NUMBER = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*(?:،\d{1,2}(?!\d))?")
_WEEKDAYS = {
    w: i
    for i, names in enumerate(
        [
            "الاثنين الإثنين pazartesi lundi",
            "الثلاثاء salı sali mardi",
            "الاربعاء çarşamba carsamba mercredi",
            "الخميس perşembe persembe jeudi",
            "الجمعه cuma vendredi",
            "السبت cumartesi samedi",
            "الاحد pazar dimanche",
        ]
    )
    for w in names.split()
}
_WEEKDAY_RX = re.compile(r"(?<![^\W\d_])(" + "|".join(map(re.escape, _WEEKDAYS)) + r")(?![^\W\d_])")


def _number_key(s: str) -> str | None:
    """A canonical form of a number as written: thousands separators dropped, decimal point kept."""
    s = s.strip(".,").replace("،", ".")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", s) or re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", s):
        s = s.replace(",", "").replace(".", "")
    else:
        s = s.replace(",", ".")
    if s.count(".") > 1:
        return None
    if "." in s:
        whole, frac = s.split(".")
        frac = frac.rstrip("0")
        s = f"{int(whole)}.{frac}" if frac else str(int(whole))
    else:
        s = str(int(s))
    return s


@dataclass
class Numbers:
    """What an article says in figures, as canonical strings."""

    numbers: set[str] = field(default_factory=set)  # quantities ≥ min_quantity or with decimals (not years, dates)
    years: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)  # "MM-DD"
    weekdays: set[int] = field(default_factory=set)
    # surface forms as written, for evidence: canonical → first form seen
    surfaces: dict[str, str] = field(default_factory=dict)


def extract_numbers(text: str, min_quantity: int = DEFAULT.min_quantity, *, normalized: bool = False) -> Numbers:
    """Numbers, years, day+month dates (Arabic, Levantine, Maghrebi, Turkish, French month names) and weekdays.

    ``normalized``: ``text`` is in matching form already (:func:`khabar.text.arabic.normalize`).

    >>> n = extract_numbers("في 27 كانون الثاني/يناير 2020 قُتل ١٥ شخصاً وأصيب 1,200، الإثنين")
    >>> sorted(n.dates), sorted(n.years), sorted(n.numbers), sorted(n.weekdays)
    (['01-27'], ['2020'], ['1200', '15'], [0])
    """
    norm = text if normalized else arabic.normalize(text)
    out = Numbers()
    # positions inside a date or year already read: a set, so each later match is one lookup (linear)
    taken: set[int] = set()
    for m in _DAY_MONTH.finditer(norm):
        day, month = int(m.group(1)), _MONTHS[m.group(2)]
        if 1 <= day <= 31:
            key = f"{month:02d}-{day:02d}"
            out.dates.add(key)
            out.surfaces.setdefault(key, m.group(0))
            taken.update(range(*m.span(1)))
    for m in _MONTH_DAY.finditer(norm):
        day, month = int(m.group(2)), _MONTHS[m.group(1)]
        if 1 <= day <= 31 and m.start(2) not in taken:
            key = f"{month:02d}-{day:02d}"
            out.dates.add(key)
            out.surfaces.setdefault(key, m.group(0))
            taken.update(range(*m.span(2)))
    for m in _NUMERIC_DATE.finditer(norm):
        key = f"{int(m.group(2)):02d}-{int(m.group(1)):02d}"
        out.dates.add(key)
        out.years.add(m.group(3))
        out.surfaces.setdefault(key, m.group(0))
        taken.update(range(*m.span()))
    for m in _YEAR.finditer(norm):
        if m.start() not in taken:
            out.years.add(m.group(1))
            taken.update(range(*m.span()))
    for m in _NUMBER.finditer(norm):
        if m.start() in taken:
            continue
        key = _number_key(m.group())
        if key is None:
            continue
        if "." in key or int(key) >= min_quantity:  # small counts match by chance (CompareConfig.min_quantity)
            out.numbers.add(key)
            out.surfaces.setdefault(key, m.group())
    out.weekdays = {_WEEKDAYS[m.group(1)] for m in _WEEKDAY_RX.finditer(norm)}
    return out
