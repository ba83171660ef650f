"""Stance of a reported statement: does the speaker deny a claim, assert, or ask?

Three values. ``denies`` when the speaker rejects a claim, a rumour or an accusation:

* the cue is a denial verb (نفى، كذّب، أنكر، دحض …); رفض only when its object is a report
  (رفض الأنباء، الشائعات، الاتهامات، ما تردد …): rejecting a plan or a government asserts a position;
* the first sentence holds a denial phrase (لا صحة لـ، عارٍ عن الصحة، غير صحيح، لا أساس له …), or a
  negation closely followed by صحيح/حقيقي;
* the first clause is negated as denials are worded: the speaker's own act (``لم نفاوض``), an
  emphatic "any" (``لا توجد أي مفاوضات``، ``لم يجرِ أي اتصال``), or the speaker's own body denying
  in the content (``جيش الإسلام ينفي …`` said by its spokesman).

Any other negation asserts a fact (``المجتمع الدولي لم يجبر روسيا على إيقاف القصف``، ``لا معلومات حتى
الآن عن أضرار``). ``neutral`` is a question (تساءل، or content that asks: ``فهل …؟``). Else ``asserts``.

:func:`judge` also gives the denied claim where the text names it: the denial's object (``نفت الرياض
تورط ولي العهد``), what follows a report noun (``الأنباء التي تحدثت عن …``), what ``لا صحة لـ`` or
``… عار عن الصحة`` is said of, or the negated clause. The particles, phrases and litotes are
``khabar/data/quote_stance_ar.tsv``.

>>> stance("المفاوضات لم تبدأ", "asserts"), stance("لم نفاوض أحدا", "asserts")
('asserts', 'denies')
>>> stance("هذا الخبر عار عن الصحة", "asserts"), stance("فهل يجب تحميله لأبنائنا؟", "asserts")
('denies', 'neutral')
>>> judge("ما تردد عن انسحاب المقاتلين من الغوطة", "نفى", "denies")
('denies', 'انسحاب المقاتلين من الغوطة')
>>> judge("لا صحة للأنباء عن استقالة الوزير", "قال", "asserts")
('denies', 'استقالة الوزير')
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from khabar.analyse.cues import cue_of
from khabar.text import lexicon
from khabar.text.arabic import normalize, sentences
from khabar.text.lexicon import PREPS, TIME

__all__ = ["judge", "negated", "stance"]

# What ends the first clause before a negation could belong to it: a relative pronoun, a
# conjunction of time or condition (matching form).
_CLAUSE_END = ("الذي", "التي", "الذين", "ما", "من", "حين", "عندما", "اذا", "لو")
# Nouns for a report, a rumour or an accusation: رفض/استنكر + one of them rejects a claim, and the
# claim is what they are about (matching form, ال off).
_REPORTS = frozenset(normalize(w) for w in (
    "أنباء نبأ أخبار خبر شائعات شائعة إشاعات إشاعة اتهامات اتهام ادعاءات ادعاء مزاعم تقارير تقرير روايات رواية"
).split())
# Verbs of reporting after ما (ما تردد، ما نشر، ما أشيع …): "what was said" is a reported claim.
_SAID = frozenset(normalize(w) for w in (
    "تردد يتردد نشر ينشر أشيع يشاع تداول يتداول تناقل يتناقل ذكر يذكر أثير يثار قيل جاء ورد نقل"
).split())
# Words that open what a report is about (عن، حول، بشأن، بأن، أن، التي تحدثت عن …).
_ABOUT = frozenset(normalize(w) for w in "عن حول بشأن بخصوص من بأن أن ان بان".split())
# Rumour and accusation words: said just before a statement, they make a negation in it a denial
# (حزنها من الشائعات التي اتهمتها بالخروج … مؤكدة أنها … لم تغادر منزلها).
_RUMOURS = frozenset(normalize(w) for w in (
    "شائعات شائعة إشاعات إشاعة اتهامات اتهام اتهمت اتهمته اتهمتها اتهمه اتهموا مزاعم ادعاءات ادعاء"
).split())
# After a negation in the first clause, these reject an accusation: ليست مسؤولة، لا علاقة لنا، لا صلة
_BLAME = ("مسءول", "علاقه", "صله")
_ANY = frozenset(("اي", "أي"))
_ADVERBS = frozenset(normalize(w) for w in "مرارا مجددا أيضا ايضا بشدة قطعيا قطعا تماما".split())
_QUESTION = frozenset(normalize(w) for w in "تساءل سأل".split())
_WORD = re.compile(r"\S+")


@lru_cache(maxsize=1)
def _stance_cues() -> dict[str, Collection[tuple[str, ...]]]:
    by = lexicon.kinds("quote_stance_ar.tsv")
    out: dict[str, Collection[tuple[str, ...]]] = {
        k: [tuple(w.split()) for w in by.get(k, ())] for k in ("particle", "phrase", "keep")}
    out["particle"] = frozenset(out["particle"])  # only asked "is this a particle?", word by word
    return out


@lru_cache(maxsize=1)
def _first_words() -> dict[str, list[tuple[str, ...]]]:
    """The stance phrases by their first word, so a text is scanned once, not once per phrase."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for ph in _stance_cues()["phrase"]:
        if ph:
            out.setdefault(ph[0], []).append(ph)
    return out


def stance(content: str, lemma_stance: str, own: str = "", lemma: str = "") -> str:
    """``denies``, ``asserts`` or ``neutral`` (module docstring); ``own`` is the speaker's name and
    role, whose words make an embedded denial the speaker's own."""
    return judge(content, lemma, lemma_stance, own)[0]


def _words(content: str) -> list[tuple[str, int, int]]:
    """The first sentence's words in matching form with their character spans in ``content``."""
    s_end = len(content)
    for _a, b in sentences(content)[:1]:
        s_end = b
    out = []
    for m in _WORD.finditer(content, 0, s_end):
        w = normalize(m.group()).strip("\"'.,،:«»“”()")
        if w:
            out.append((w, m.start(), m.end()))
    return out


def _words_all(text: str) -> list[tuple[str, int, int]]:
    out = []
    for m in _WORD.finditer(text):
        w = normalize(m.group()).strip("\"'.,،:«»“”()")
        if w:
            out.append((w, m.start(), m.end()))
    return out


def _bare(w: str) -> str:
    w = w[1:] if len(w) > 3 and w[0] in "وفل" and w[1:].startswith("ال") else w
    return w[2:] if w.startswith("ال") and len(w) > 4 else w


def _claim(content: str, ws: list[tuple[str, int, int]], k: int) -> str | None:
    """The claim from word ``k`` on: past a report noun or ما + reporting verb and what introduces
    their subject (الأنباء التي تحدثت عن X، ما تردد عن X → X), to the end of the first clause."""
    n = len(ws)
    if k < n and (ws[k][0] == "ما" or ws[k][0] == "لما") and k + 1 < n and _bare(ws[k + 1][0]) in _SAID:
        k += 2
    elif k < n and _bare(ws[k][0]) in _REPORTS:
        k += 1
        lim = min(n, k + 5)
        for j in range(k, lim):  # … التي تحدثت عن، المتداولة حول، بشأن
            if ws[j][0] in _ABOUT:
                k = j + 1
                break
    if k < n and ws[k][0] in _ABOUT:
        k += 1
    while k < n and (ws[k][0] in TIME or ws[k][0] in _ADVERBS):
        k += 1  # نفت الرياض مرارا تورط …: the adverb is not the claim
    if k >= n:
        return None
    end = ws[-1][2]
    for j in range(k, n - 1):
        # a comma before a new clause (و…، مؤكدا …) ends the claim; an apposition's does not
        if content[ws[j][2] - 1 : ws[j][2]] in "،,;؛" and (ws[j + 1][0][:1] == "و" or cue_of(ws[j + 1][0])):
            end = ws[j][2] - 1
            break
    out = content[ws[k][1] : end].strip(" ،,.\"'«»“”")
    return out or None


def judge(content: str, lemma: str, lemma_stance: str, own: str = "", context: str = "") -> tuple[str, str | None]:
    """``(stance, claim)`` of a statement: its content, its cue's lemma (matching form) and the
    lemma's own stance; ``claim`` is the denied claim as written (None when not denied or not named).
    ``context`` is the text just before the statement (its sentence and the one before)."""
    ws = _words(content)
    words = [w for w, _, _ in ws]
    cues = _stance_cues()
    lemma = normalize(lemma)
    if lemma_stance == "denies":
        if lemma != "رفض":
            return "denies", _claim(content, ws, 0)
        if words and (_bare(words[0]) in _REPORTS or words[0] == "ما" and len(words) > 1 and _bare(words[1]) in _SAID):
            return "denies", _claim(content, ws, 0)
        return "asserts", None  # رفض التعامل مع الحكومة: a position, not a denial

    def has(seq: tuple[str, ...], at: int) -> bool:
        return tuple(words[at : at + len(seq)]) == seq

    by_first = _first_words()
    for k, w in enumerate(words):
        for ph in by_first.get(w, ()):
            if has(ph, k):
                # "لا صحة لـ X": X follows; "X عار عن الصحة": X comes before
                after = _claim(content, ws, k + len(ph)) if k + len(ph) < len(ws) else None
                if after and ph[0] in ("لا", "عدم") and words[k + len(ph)][:1] == "ل":
                    return "denies", _strip_lam(after)
                before = content[: ws[k][1]].strip(" ،,\"'«»“”")
                return "denies", (_strip_demonstrative(before) or after) if k else after
    for k, w in enumerate(words[:12]):
        if (w,) in cues["particle"] and any(x.startswith(("صحيح", "صحه", "حقيقي", "حقيقه")) for x in words[k + 1 : k + 5]):
            return "denies", None  # … لا يمكن أن تكون صحيحة، ليست حقيقية
    own_words = {w.removeprefix("ال") for w in normalize(own).replace('"', " ").split()}
    for k, w in enumerate(words[:5]):
        c = cue_of(w)
        if c is None or c[1] != "denies" or c[2] != "verb" or c[0] == normalize("رفض"):
            continue
        # "ننفي …" or "<the speaker's body> ينفي …": the speaker denies through the content
        bare = w[1:] if w[0] in "وف" and cue_of(w[1:]) else w
        if bare.startswith("ن") or (k > 0 and all(x.removeprefix("ال") in own_words for x in words[:k])):
            return "denies", _claim(content, ws, k + 1)
    neg = _negated_first_clause(words, cues)
    if neg is not None and (_worded_as_denial(words, neg) or any(w.startswith(_BLAME) for w in words[neg + 1 : neg + 3])):
        return "denies", _claim(content, ws, neg + 1 + (words[neg + 1] in _ANY if neg + 1 < len(words) else 0))
    if context and any((w,) in cues["particle"] or w[:1] == "و" and (w[1:],) in cues["particle"] for w in words):
        cws = _words_all(context)
        for k in range(len(cws) - 1, -1, -1):
            w = cws[k][0][1:] if cws[k][0][:1] == "و" and cws[k][0][1:] in _RUMOURS else cws[k][0]
            if _bare(w) in _RUMOURS or w in _RUMOURS:
                # a negation answering a rumour just reported: the claim is what the rumour says
                if w.startswith("اتهم") and k + 1 < len(cws) and cws[k + 1][0].startswith("ب"):
                    rest = context[cws[k + 1][1] + 1 :]  # اتهمتها بالخروج …: accused of الخروج …
                    return "denies", _claim(rest, _words_all(rest), 0)
                return "denies", _claim(context, cws, k) if k + 1 < len(cws) else None
    if lemma in _QUESTION or "؟" in content or "?" in content:
        return "neutral", None
    return "asserts", None


def negated(content: str) -> bool:
    """Is the first clause of ``content`` negated (litotes aside)? A participle continuing a denial
    (نفى … قائلاً: "لا عقيدتنا تسمح بذلك") denies with such content."""
    return _negated_first_clause([w for w, _, _ in _words(content)], _stance_cues()) is not None


def _negated_first_clause(words: list[str], cues: dict[str, Collection[tuple[str, ...]]]) -> int | None:
    """Index of the negation particle of the first clause, when one negates it (not litotes)."""
    for k, w in enumerate(words[:6]):
        # the first clause ends at a relative pronoun, a conjunction of time or condition, or a
        # preposition (the negation is then inside a phrase: وافقتا على خفض لم يسبق له مثيل)
        if w in _CLAUSE_END or w in PREPS:
            return None
        if (w,) in cues["particle"]:
            if any(tuple(words[k : k + len(kp)]) == kp for kp in cues["keep"]):
                return None
            nxt = words[k + 1] if k + 1 < len(words) else ""
            if w == "لا" and nxt.startswith("ت") and nxt.endswith("وا"):
                return None  # لا الناهية: a prohibition (لا تدعوا، لا تشجعوا), not a denial
            return k
    return None


def _worded_as_denial(words: list[str], k: int) -> bool:
    """A negated clause worded as a denial: the speaker's own past act (لم نفاوض، لم نتلق) or an
    emphatic "any" right after the negated word (لا توجد أي، لم يجر أي، ليس هناك أي)."""
    nxt = words[k + 1] if k + 1 < len(words) else ""
    if words[k] in ("لم", "ما") and len(nxt) > 3 and nxt.startswith("ن"):
        return True
    return any(w in _ANY for w in words[k + 1 : k + 4])


def _strip_lam(s: str) -> str:
    """``للأنباء عن X`` → ``X``, ``لما تردد`` → its claim: the ل of لا صحة لـ off."""
    ws = list(_WORD.finditer(s))
    if not ws:
        return s
    first = normalize(ws[0].group())
    if first.startswith("لل") or first.startswith("لما"):
        rest = ("ال" + s[2:]) if first.startswith("لل") else s[1:]
        inner = _claim(rest, _words(rest), 0)
        return inner or rest
    return s[1:] if first.startswith("ل") else s


def _strip_demonstrative(s: str) -> str:
    """``هذه الأنباء``/``ما نشر عن X``/``إن X`` before a denial phrase: the claim itself."""
    ws = _words(s)
    while ws and ws[0][0] in ("هذه", "هذا", "ان", "أن", "إن", "بان", "هذي"):
        ws = ws[1:]
    if not ws:
        return ""
    out = _claim(s, ws, 0)
    return out or s[ws[0][1] :].strip()
