"""The words the entity and quote rules look for: reporting cues and speaker/role word kinds.

* Reporting cues (``khabar/data/reporting_verbs_ar.tsv``): each written form of a verb, participle,
  masdar or attribution (قال، أكد، نفى، مؤكداً، بالقول، بحسب …) with its lemma, whether the word
  itself denies, its kind and whether a noun reading is common (``strict``).
* Word kinds (``khabar/data/roles_ar.tsv``): role, title, source, org, doc, medium, outlet_head,
  outlet, not_outlet (that file's header says what each means).
* The small cue tables of the quote rules (denial objects, phrase enders).

>>> cue_of("وقال")
('قال', 'asserts', 'verb', False)
>>> is_kind("والناطق", "role"), is_kind("قال", "role")
(True, False)
"""

from __future__ import annotations

from functools import lru_cache

from khabar.text import lexicon
from khabar.text.arabic import normalize

__all__ = ["AFFIRM_LEMMAS", "ENDERS", "OBJ_LEMMAS", "OBJ_START", "POINT_LEMMAS", "cue_of", "is_kind", "kind_words",
           "reporting_cues"]

Cue = tuple[str, str, str, bool]  # (lemma, stance, kind, strict)


@lru_cache(maxsize=1)
def _kinds() -> dict[str, frozenset[str]]:
    by: dict[str, set[str]] = {}
    for kind, ws in lexicon.kinds("roles_ar.tsv").items():
        forms = by.setdefault(kind, set())
        for word in ws:
            forms.add(word)
            # the lists hold a word once; lookups strip ال, so keep the bare form too
            if word.startswith("ال") and len(word) > 4 and kind != "title":
                forms.add(word[2:])  # (titles keep their ال: امام، سيد are words of their own)
    return {k: frozenset(v) for k, v in by.items()}


def kind_words(kind: str) -> frozenset[str]:
    """Normalized words of one kind from ``khabar/data/roles_ar.tsv`` (role, title, org, source …)."""
    return _kinds().get(kind, frozenset())


@lru_cache(maxsize=1)
def reporting_cues() -> dict[str, Cue]:
    """``normalized form → (lemma, stance, kind, strict)`` from ``khabar/data/reporting_verbs_ar.tsv``."""
    out: dict[str, Cue] = {}
    for row in lexicon.rows("reporting_verbs_ar.tsv"):
        form, lemma, stance, kind = row[:4]
        strict = len(row) > 4 and row[4] == "strict"
        out.setdefault(normalize(form), (normalize(lemma), stance, kind, strict))
    return out


@lru_cache(maxsize=200_000)  # called for every word of every article: the answer depends on the word only
def cue_of(word: str) -> Cue | None:
    """The reporting-cue entry of one raw word (``وقال``, ``مؤكداً``), proclitic و/ف allowed."""
    n = normalize(word)
    cues = reporting_cues()
    if n in cues:
        return cues[n]
    if len(n) > 3 and n[0] in "وف" and n[1:] in cues:
        return cues[n[1:]]
    return None


def _bare(n: str) -> str:
    """A normalized word without ال (for list lookups)."""
    return n[2:] if n.startswith("ال") and len(n) > 4 else n


@lru_cache(maxsize=200_000)
def is_kind(word: str, *kinds: str) -> bool:
    """True when the (raw or normalized) word, with or without و/ال, is in one of the word kinds."""
    n = normalize(word)
    forms = {n, _bare(n)}
    if len(n) > 3 and n[0] in "وف":
        forms |= {n[1:], _bare(n[1:])}
    return any(f in kind_words(k) for k in kinds for f in forms)


def _set(ws: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in ws.split())


# Words that open a denial's or an assertion's object (نفى ما تردد، نفى وجود …, أكد عدم …).
OBJ_START = _set("ما كل أي اي جميع وجود صحة عدم")
# Cue lemmas whose object is the statement (نفى الخبر، أكد على ضرورة …).
OBJ_LEMMAS = _set("نفى كذب أنكر رفض دحض استبعد أكد شدد")
# Cue lemmas whose bare noun object is what is affirmed (أكد مصدر أمني سقوط 9 صواريخ، مؤكداً أهمية …).
AFFIRM_LEMMAS = _set("أكد")
# Cue lemmas that point to a noun object after إلى (لفت إلى وقوع 243 هزة، أشار إلى اتباعها …).
POINT_LEMMAS = _set("لفت أشار")
# Word pairs after which an attribution ends the content (، حسب تعبيره، على حد قوله).
ENDERS = (("حسب", "تعبيره"), ("حسب", "تعبيرها"), ("حسب", "قوله"), ("حسب", "قولها"), ("علي", "حد"))
