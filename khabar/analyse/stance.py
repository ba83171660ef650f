"""Stance of a reported statement: does the speaker deny or assert?

``denies`` when the cue is a denial verb (نفى، كذّب، أنكر، رفض …), when the content's first clause
is negated (لا، لم، لن، ليس … within its first words, not litotes such as لا يستبعد or لا يزال), or
when it holds a denial phrase (غير صحيح، عارٍ عن الصحة، لا أساس له من الصحة …); else ``asserts``.
The particles, phrases and litotes are ``khabar/data/quote_stance_ar.tsv``.

>>> stance("المفاوضات لم تبدأ", "asserts"), stance("المفاوضات مستمرة", "asserts")
('denies', 'asserts')
>>> stance("هذا الخبر عار عن الصحة", "asserts")
'denies'
"""

from __future__ import annotations

from functools import lru_cache

from khabar.analyse.cues import cue_of
from khabar.text import lexicon
from khabar.text.arabic import normalize, sentences
from khabar.text.lexicon import PREPS

__all__ = ["stance"]

# What ends the first clause before a negation could belong to it: a relative pronoun, a
# conjunction of time or condition (matching form).
_CLAUSE_END = ("الذي", "التي", "الذين", "ما", "من", "حين", "عندما", "اذا", "لو")


@lru_cache(maxsize=1)
def _stance_cues() -> dict[str, list[tuple[str, ...]]]:
    by = lexicon.kinds("quote_stance_ar.tsv")
    return {k: [tuple(w.split()) for w in by.get(k, ())] for k in ("particle", "phrase", "keep")}


@lru_cache(maxsize=1)
def _first_words() -> dict[str, list[tuple[str, ...]]]:
    """The stance phrases by their first word, so a text is scanned once, not once per phrase."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for ph in _stance_cues()["phrase"]:
        if ph:
            out.setdefault(ph[0], []).append(ph)
    return out


def stance(content: str, lemma_stance: str, own: str = "") -> str:
    """``denies`` or ``asserts`` (module docstring); ``own`` is the speaker's name and role, whose
    words make an embedded denial the speaker's own (``جيش الإسلام ينفي …`` said by its spokesman)."""
    if lemma_stance == "denies":
        return "denies"
    cues = _stance_cues()
    s_end = len(content)
    for _a, b in sentences(content)[:1]:
        s_end = b
    words = normalize(content[:s_end]).split()
    words = [w.strip("\"'.,،:") for w in words]
    words = [w for w in words if w]

    def has(seq: tuple[str, ...], at: int) -> bool:
        return tuple(words[at : at + len(seq)]) == seq

    by_first = _first_words()
    for k, w in enumerate(words):
        if any(has(ph, k) for ph in by_first.get(w, ())):
            return "denies"
    # a negation in the first clause: within its first words, before any comma or relative clause
    for k, w in enumerate(words[:12]):
        if (w,) in cues["particle"] and any(x.startswith(("صحيح", "صحه", "حقيقي", "حقيقه")) for x in words[k + 1 : k + 5]):
            return "denies"  # … لا يمكن أن تكون صحيحة، ليست حقيقية
    own_words = {w.removeprefix("ال") for w in normalize(own).replace('"', " ").split()}
    for k, w in enumerate(words[:5]):
        c = cue_of(w)
        if c is None or c[1] != "denies" or c[2] != "verb":
            continue
        # "ننفي …" or "<the speaker's body> ينفي …": the speaker denies through the content
        bare = w[1:] if w[0] in "وف" and cue_of(w[1:]) else w
        if bare.startswith("ن") or (k > 0 and all(x.removeprefix("ال") in own_words for x in words[:k])):
            return "denies"
    clause = []
    for w in words[:6]:
        # the first clause ends at a relative pronoun, a conjunction of time or condition, or a
        # preposition (the negation is then inside a phrase: وافقتا على خفض لم يسبق له مثيل)
        if w in _CLAUSE_END or w in PREPS:
            break
        clause.append(w)
        if w.endswith("،") or w.endswith(","):
            break
    for k, w in enumerate(clause):
        if (w,) in cues["particle"]:
            if any(has(kp, k) for kp in cues["keep"]):
                return "asserts"
            nxt = words[k + 1] if k + 1 < len(words) else ""
            if w == "لا" and nxt.startswith("ت") and nxt.endswith("وا"):
                return "asserts"  # لا الناهية: a prohibition (لا تدعوا، لا تشجعوا), not a denial
            return "denies"
    return "asserts"
