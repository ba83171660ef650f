"""Name lists for the NER tagger: countries, nationalities, places, organisations, first names, currencies
and trigger words.

Sources: pycountry's Arabic gettext catalogues (ISO 3166-1 country names, ISO 4217 currency names),
pyarabic's proper-noun list (first names), and the hand-kept lists in ``khabar/data/gazetteer_*.txt`` (read by :mod:`khabar.text.lexicon`).
Everything is stored in matching form (:func:`khabar.text.arabic.normalize`). The tagger uses these as
features, never as labels: a list hit is evidence the CRF weighs against the context.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from khabar.text import lexicon
from khabar.text.arabic import normalize, split_clitics

__all__ = [
    "Gazetteer",
    "country_names",
    "currency_names",
    "first_names",
    "load_gazetteer",
    "labels",
    "nationalities",
    "triggers",
]

_AR_ONLY = re.compile(r"^[\u0621-\u064a ]+$")
_Cands = list[tuple[tuple[str, ...], str]]  # multi-word names by first word: (the other words, label)


def _catalogue(domain: str) -> gettext.NullTranslations:
    import pycountry

    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["ar"], fallback=True)


@lru_cache(maxsize=1)
def country_names() -> frozenset[str]:
    """Arabic country names: pycountry's ISO 3166-1 translations plus the hand-kept short forms."""
    import pycountry

    tr = _catalogue("iso3166-1")
    names: set[str] = set(lexicon.entries("gazetteer_countries.txt"))
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            en = getattr(c, attr, None)
            if not en:
                continue
            ar = tr.gettext(en)
            if ar == en:
                continue  # untranslated: the catalogue fell back to English
            # "كوريا، جمهوريّة كوريا" lists variants separated by the Arabic comma
            for part in re.split(r"[،,()]", ar):
                part = normalize(part)
                if part and _AR_ONLY.match(part):
                    names.add(part)
    return frozenset(names)


def _nisba(name: str) -> str | None:
    """The masculine nationality adjective for a one-word country name (سوريا → سوري, لبنان → لبناني)."""
    base = name[2:] if name.startswith("ال") else name
    if len(base) < 3 or " " in base:
        return None
    if base.endswith("يا") or base.endswith("يه"):
        return base[:-1]
    if base.endswith("ا") or base.endswith("ه"):
        return base[:-1] + "ي"
    return base + "ي"


@lru_cache(maxsize=1)
def nationalities() -> frozenset[str]:
    """Nationality adjectives derived from country names, in all four number/gender forms, with and without ال.

    Derived by rule, so a few forms are not real words; they never match text, so they cost nothing.
    """
    stems = {s for s in map(_nisba, country_names()) if s}
    stems |= {normalize(w) for w in ("عربي", "أمريكي", "أميركي", "إنجليزي", "إنكليزي", "كردي")}
    out: set[str] = {normalize(w) for w in ("عرب", "العرب", "أكراد", "الأكراد", "روس", "الروس")}
    for s in stems:
        for form in (s, s + "ه", s + "ون", s + "ين"):
            out.add(form)
            out.add("ال" + form)
    return frozenset(out)


@lru_cache(maxsize=1)
def currency_names() -> frozenset[str]:
    """Currency words from pycountry's Arabic ISO 4217 names (الدولار الأسترالي → دولار, الدولار)."""
    import pycountry

    tr = _catalogue("iso4217")
    out: set[str] = set()
    for c in pycountry.currencies:
        if c.alpha_3.startswith("X"):
            continue  # X-codes are metals, fund units and test codes (الذهب، الفضة), not money words
        ar = normalize(tr.gettext(c.name))
        if ar == normalize(c.name) or not _AR_ONLY.match(ar):
            continue
        head = ar.split()[0]
        bare = head[2:] if head.startswith("ال") else head
        if len(bare) >= 3:
            out.update((bare, "ال" + bare))
    return frozenset(out)


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """One-word given names from pyarabic's proper-noun list (its ``nom`` entries)."""
    from pyarabic import propernouns

    out = set()
    for line in propernouns.TEXT.splitlines():
        parts = line.rsplit(None, 1)
        if len(parts) == 2 and parts[1] == "nom" and " " not in parts[0].strip():
            out.add(normalize(parts[0]))
    return frozenset(w for w in out if len(w) >= 3)


@lru_cache(maxsize=1)
def triggers() -> dict[str, frozenset[str]]:
    """Trigger words by the entity type they announce (PERS titles, ORG / LOC / MISC head nouns)."""
    by: dict[str, set[str]] = {}
    for line in lexicon.entries("gazetteer_triggers.txt"):
        typ, word = line.split(None, 1)
        by.setdefault(typ.upper(), set()).add(word)
    return {t: frozenset(ws) for t, ws in by.items()}


class Gazetteer:
    """Labelled name lists with single-word lookup and longest-match multi-word matching.

    ``entries`` maps a label (``"country"``, ``"org"`` …) to names in any spelling; names are stored as
    tuples of normalized words. A text word matches a list word either as written or with its
    proclitics split off (وروسيا matches روسيا), the latter only for the first word of a name.
    """

    def __init__(self, entries: Mapping[str, Iterable[str]]) -> None:
        self._single: dict[str, frozenset[str]] = {}
        self._multi: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        single: dict[str, set[str]] = {}
        for label, names in entries.items():
            for name in names:
                words = tuple(normalize(name).split())
                if not words:
                    continue
                if len(words) == 1:
                    single.setdefault(words[0], set()).add(label)
                else:
                    self._multi.setdefault(words[0], []).append((words[1:], label))
        self._single = {w: frozenset(ls) for w, ls in single.items()}
        for cands in self._multi.values():
            cands.sort(key=lambda c: -len(c[0]))  # longest first, so the first hit is the longest match
        # Per-word answers, asked for every token of every article: one dict probe on a repeat.
        # Bounded: cleared when full, the same answers.
        self._labels: dict[str, frozenset[str]] = {}  # matching form -> lookup's labels
        self._by_word: dict[str, frozenset[str]] = {}  # word as written -> lookup's labels
        self._starts: dict[str, tuple[_Cands, ...]] = {}  # matching form -> its multi-word candidates

    def __len__(self) -> int:
        return len(self._single) + sum(len(v) for v in self._multi.values())

    @staticmethod
    @lru_cache(maxsize=200_000)  # every token of every article passes here
    def _forms(word: str) -> tuple[str, ...]:
        n = normalize(word)
        parts = split_clitics(n)
        return (n,) if len(parts) == 1 else (n, parts[-1])

    def lookup(self, word: str) -> frozenset[str]:
        """Labels of one-word names that ``word`` is (as written or less its proclitics)."""
        hit = self._by_word.get(word)
        if hit is None:
            hit = _keep(self._by_word, word, self.lookup_normalized(normalize(word)))
        return hit

    def lookup_normalized(self, norm: str) -> frozenset[str]:
        """:meth:`lookup` of a word already in matching form: ``lookup_normalized(normalize(w))``
        is ``lookup(w)``, without normalizing ``w`` a second time."""
        hit = self._labels.get(norm)
        if hit is None:
            parts = split_clitics(norm)
            single = self._single
            hit = single.get(norm, _NONE)
            if len(parts) > 1:
                hit = hit | single.get(parts[-1], _NONE)
            _keep(self._labels, norm, hit)
        return hit

    def _candidates(self, norm: str) -> tuple[_Cands, ...]:
        """The multi-word names that may start at a token of matching form ``norm``, one list per
        form of :meth:`_forms` that starts any (most tokens: none)."""
        hit = self._starts.get(norm)
        if hit is None:
            multi = self._multi
            hit = _keep(self._starts, norm, tuple(multi[f] for f in self._forms(norm) if f in multi))
        return hit

    def lookup_exact(self, word: str) -> frozenset[str]:
        """Labels of one-word names that ``word`` is as written (no clitic splitting)."""
        return self._single.get(normalize(word), frozenset())

    def may_start(self, norm: str) -> bool:
        """Whether a multi-word name can start at a token of matching form ``norm`` (a cheap test
        before :meth:`match_normalized`: most tokens start none)."""
        return bool(norm) and bool(self._candidates(norm))

    def match(self, tokens: Sequence[str]) -> list[tuple[str, int, int]]:
        """Multi-word names in ``tokens`` as ``(label, start, end)`` token spans, longest match, left to right."""
        norm = [normalize(t) for t in tokens]
        return self.match_normalized(norm)

    def match_normalized(self, norm: Sequence[str]) -> list[tuple[str, int, int]]:
        """:meth:`match` for tokens already in matching form."""
        out: list[tuple[str, int, int]] = []
        i, n = 0, len(norm)
        while i < n:
            hit = None
            for cands in self._candidates(norm[i]) if norm[i] else ():
                for rest, label in cands:
                    k = len(rest)
                    if i + 1 + k <= n and tuple(norm[i + 1 : i + 1 + k]) == rest:
                        if hit is None or k + 1 > hit[2] - hit[1]:
                            hit = (label, i, i + 1 + k)
                        break
            if hit:
                out.append(hit)
                i = hit[2]
            else:
                i += 1
        return out


_NONE: frozenset[str] = frozenset()
_CACHE_MAX = 1 << 17
_KEY_MAX = 64  # characters


def _keep(cache: dict[str, Any], key: str, value: Any) -> Any:
    """``value``, remembered under ``key`` in a bounded cache (cleared when full; words only: a long
    text is not worth keeping)."""
    if len(key) <= _KEY_MAX:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[key] = value
    return value


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The shipped gazetteer (countries, nationalities, places, orgs, first names, currencies), cached."""
    return Gazetteer(
        {
            "country": country_names(),
            "nationality": nationalities(),
            "place": lexicon.entries("gazetteer_places.txt"),
            "org": lexicon.entries("gazetteer_orgs.txt"),
            "first_name": first_names(),
            "currency": currency_names(),
        }
    )


@lru_cache(maxsize=50_000)  # the entity rules ask for the same words over and over
def labels(word: str) -> frozenset[str]:
    """The shipped gazetteer's labels for one word (country, place, first_name, org …), empty without one.

    >>> sorted(labels("وروسيا"))
    ['country']
    """
    try:
        return load_gazetteer().lookup(word)
    except (ImportError, FileNotFoundError):
        return frozenset()  # pycountry or pyarabic missing: the rules then run without the lists
