"""The outlet a statement was given to: ``لرويترز`` → رويترز, ``لوكالة "إرنا"`` → إرنا,
``لأورينت نت``, ``للجزيرة`` → الجزيرة, ``في حوار مع صحيفة X``.

>>> from khabar.analyse.doc import Doc
>>> d = Doc("وقال لرويترز إن الوضع هادئ", [])
>>> outlet_at(d, 1, len(d.toks))
('رويترز', 2)
"""

from __future__ import annotations

from khabar.analyse.cues import cue_of, is_kind, kind_words
from khabar.analyse.doc import Doc, clean
from khabar.text.arabic import STOPWORDS, normalize, split_clitics
from khabar.text.lexicon import COMPS, PREPS, TIME

__all__ = ["OUTLET_BEFORE", "outlet_at", "outlet_before"]

OUTLET_BEFORE = 8  # tokens before a cue where the outlet it was said to may stand (في تصريح لـ X، قال)

# A verb by which an outlet carried a statement, its object pronoun attached (نقلتها، بثته، أوردته).
_CARRIED = frozenset(normalize(w) for w in (
    "نقلته نقلتها نقله نقلها نقلت بثته بثتها بثه بثها أوردته أوردتها أورده أوردها نشرته نشرتها نشره نشرها"
).split())


def _plain(d: Doc, k: int) -> bool:
    """Token ``k`` can be part of a name written after ل or an outlet head (not a function word)."""
    n = d.norm[k]
    return (d.is_word(k) or n in ("-", "+")) and not (
        n in COMPS or n in PREPS or n in STOPWORDS or n in TIME or cue_of(n)
    )


def _outlet_name(d: Doc, j: int, limit: int) -> tuple[str, int] | None:
    """The outlet name starting at token ``j``: quoted, or up to three words before an adjective."""
    if j >= limit:
        return None
    q = d.quote_opening_at(j)
    if q is not None:
        return clean(d.text[q[0] + 1 : q[1]]), d.tok_at(q[1]) + 1
    if d.norm[j] == "الانباء" and j > 0 and is_kind(d.norm[j - 1], "outlet_head"):
        # وكالة الأنباء السعودية: the head is part of the name, with its adjectives
        k = j + 1
        while k < limit and k - j < 3 and d.norm[k].startswith("ال") and _plain(d, k):
            k += 1
        return clean(d.text[d.toks[j - 1].start : d.toks[k - 1].end]), k
    if is_kind(d.norm[j], "outlet") and not d.norm[j].startswith("ال"):
        return clean(d.toks[j].text), j + 1  # a known name (سانا، رويترز) ends there: لـ سانا سياحة
    k = j
    while k < limit and k - j < 3 and _plain(d, k):
        if k > j and d.norm[k].startswith("ال") and not is_kind(d.norm[k], "outlet"):
            break  # an adjective after the name (الألمانية)
        k += 1
    if k == j:
        return None
    return clean(d.text[d.toks[j].start : d.toks[k - 1].end]), k


def outlet_at(d: Doc, i: int, limit: int) -> tuple[str, int] | None:
    """An outlet named at token ``i`` (``لرويترز``, ``لوكالة "إرنا"``, ``مع صحيفة X``, ``في تصريحات
    نقلتها وكالة "سانا"``): ``(name, end)``."""
    n = d.norm[i]
    if d.bare(i) in _CARRIED and i + 1 < limit:
        # (تصريحات) نقلتها وكالة X، (بيان) بثته قناة X، (ما) نقلت عنه وكالة X
        k = i + 1 + (d.norm[i + 1] in ("عنه", "عنها", "عنهم"))
        if k < limit and is_kind(d.norm[k], "outlet_head"):
            return _outlet_name(d, k + 1, limit)
        if k < limit and (is_kind(d.norm[k], "outlet") or d.quote_opening_at(k)):
            return _outlet_name(d, k, limit)
        return None
    if d.toks[i].text.rstrip("\u0640") == "ل":
        return _outlet_name(d, i + 1, limit)  # لـ "X", لـCNN
    if n == "مع" and i + 1 < limit and is_kind(d.norm[i + 1], "outlet_head"):
        return _outlet_name(d, i + 2, limit)  # في حوار مع صحيفة X
    if not d.is_word(i):
        return None
    parts = split_clitics(n)
    if len(parts) != 2 or parts[0] != "ل":
        return None
    rest = parts[1]
    if is_kind(rest, "outlet_head"):
        return _outlet_name(d, i + 1, limit)  # لوكالة X، لصحيفة X، لقناة X
    if rest in kind_words("not_outlet") or rest in STOPWORDS or is_kind(
        rest, "role", "source", "org", "medium", "doc", "title"
    ):
        return None
    if rest.startswith("ال") and rest not in kind_words("outlet"):
        return None  # ل + a common noun (للصحفيين، للمواطنين): an audience, not an outlet
    # ل + the name itself: لرويترز، لأورينت نت، للجزيرة
    k = i + 1
    while k < limit and k - i < 3 and _plain(d, k) and not d.norm[k].startswith("ال") \
            and split_clitics(d.norm[k])[0] != "ل":
        k += 1
    name = d.text[d.toks[i].start + 1 : d.toks[k - 1].end].lstrip("\u0640")
    if d.toks[i].text.startswith("لل"):
        name = "ا" + name  # للجزيرة = ل + الجزيرة, the alef dropped in writing
    return clean(name), k


def outlet_before(d: Doc, i: int) -> str | None:
    """An outlet named between the sentence start and the cue (في تصريح خاص للأناضول، قال …)."""
    s0, _ = d.sentence(d.toks[i].start)
    for k in range(max(d.tok_at(s0), i - OUTLET_BEFORE), i):
        o = outlet_at(d, k, i)
        if o is not None and is_kind(split_clitics(d.norm[k])[-1], "outlet", "outlet_head"):
            return o[0]
    return None
