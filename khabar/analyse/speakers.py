"""Who speaks: the subject of a reporting cue, with its role (and the speakers met before it).

* **Subject.** A finite verb's subject follows it (``قال حمزة بيرقدار``, ``وقال (حمزة بيرقدار)
  الناطق باسم …``, ``نفى "جيش الإسلام"``, ``قال وزير الإعلام، معمر الإرياني، إن``) or opens the
  sentence before it (``حمزة بيرقدار قال``, ``وكان (وائل علوان) … قد أكد``). A definite organisation
  word (``نفت الحركة``) is the last organisation mentioned whose name starts with that word; a role
  description (``وأشار الناطق الرسمي باسم فيلق الرحمن``) is the speaker earlier given that role.
* **Role**: the apposition after the speaker's name (``الناطق باسم هيئة أركان جيش الإسلام``), or the
  description before it, ending at a comma, في، عبر، خلال, إن/أن, a verb or an outlet.

A speaker is the linked entity (``Mention.entity``) when it is a mention, else the speaker phrase in
matching form (:func:`khabar.text.arabic.normalize`).

>>> from khabar.analyse.doc import Doc
>>> from khabar.types import Mention
>>> d = Doc("قال حمزة بيرقدار الناطق باسم الجيش إن", [Mention("حمزة بيرقدار", "PERS", 4, 16, "حمزه بيرقدار")])
>>> s = subject(d, 1, len(d.toks), [])
>>> s.speaker.name, s.role
('حمزه بيرقدار', 'الناطق باسم الجيش')
"""

from __future__ import annotations

from dataclasses import dataclass

from khabar.analyse.cues import cue_of, is_kind, kind_words
from khabar.analyse.doc import PUNCT_STOP, Doc, clean
from khabar.analyse.outlets import outlet_at
from khabar.text.arabic import normalize, split_clitics
from khabar.text.lexicon import COMPS, KAN, NP_STOP, PREPS, TIME
from khabar.types import Mention

__all__ = ["Speaker", "Subject", "role_after", "sentence_subject", "speaker_of_mention", "subject",
           "subject_before"]


@dataclass
class Speaker:
    """A speaker: the entity or phrase (matching form), PERS/ORG (None when unknown), its role."""

    name: str
    type: str | None
    role: str | None = None


def speaker_of_mention(m: Mention) -> Speaker:
    """The speaker a mention names."""
    typ = "ORG" if m.type in ("ORG", "LOC") else "PERS"  # a country or city speaks for its government
    return Speaker(m.entity or normalize(m.text), typ)


@dataclass
class Subject:
    """The subject of one cue: its speaker and role, and the tokens it spans."""

    speaker: Speaker | None
    role: str | None
    end: int  # token index after the subject (and its role)
    start: int


def _resolve_description(d: Doc, words: list[str], before: int, known: list[Speaker]) -> Speaker | None:
    """A definite organisation word (الحركة) or a role already given to a speaker (الناطق باسم …)."""
    if not words:
        return None
    head = words[0]
    if len(words) == 1 and head.startswith("ال") and is_kind(head, "org"):
        m = d.org_before(head[2:], before)
        if m is not None:
            return Speaker(m.entity, "ORG")
    phrase = " ".join(words)
    if is_kind(head, "role"):
        for sp in reversed(known):
            if not sp.role:
                continue
            r = normalize(clean(sp.role))
            if r == phrase or len(words) >= 2 and len(r.split()) >= 2 and (phrase.startswith(r) or r.startswith(phrase)):
                return sp
    return None


def _np_end(d: Doc, i: int, limit: int, allow_fi: bool) -> int:
    """End (exclusive token index) of a speaker noun phrase starting at ``i``.

    Arabic noun phrases grow by construct (an indefinite head takes one genitive word: وزارة
    الصحة، مصدر عسكري), by definite adjectives (المصرية، اليمنية), by coordination (والرياضة), by
    ``باسم X`` and, for sources and bodies, by ``في X`` (مصدر في الوزارة); a name inside ends it
    after the name (وزير الشباب الدكتور أشرف صبحي).
    """
    j = i + 1
    open_construct = not d.norm[i].startswith("ال")
    while j < limit and j - i < 9:
        n = d.norm[j]
        if n in PUNCT_STOP or n in COMPS or n in NP_STOP or n in TIME or cue_of(n):
            break
        m = d.mention_starting(j)
        if m is not None and m.type == "PERS":
            return d.tok_range(m.start, m.end)[-1] + 1
        if n in PREPS:
            nxt = d.bare(j + 1) if j + 1 < limit else ""
            if not (allow_fi and n == "في" and not is_kind(nxt, "medium")):
                break
            open_construct = True
            j += 1
            continue
        if outlet_at(d, j, limit) is not None:
            break
        if d.toks[j].text in "«“„‹\"”(":
            q = d.quote_opening_at(j)
            if q is not None and d.is_speech_quote(q, j):
                break
            if q is not None:  # a quoted name inside the phrase: باسم "أحرار الشام"
                j = d.tok_at(q[1]) + 1
                open_construct = False
                continue
        if not d.is_word(j):
            break
        if n == "باسم" or n in kind_words("title"):
            open_construct = True
        elif n.startswith("ل") and split_clitics(n)[0] == "ل":
            open_construct = True  # a genitive with لـ: أمين سر اللجنة التنفيذية لمنظمة التحرير
        elif n.startswith("ال") or n.startswith("وال") or n.startswith("لل"):
            open_construct = False
        elif open_construct:
            # a genitive may head the next construct (رئيس مجلس إدارة …); a nisba adjective ends it
            open_construct = not (n.endswith("ي") or n.endswith("يه"))
        else:
            break
        j += 1
    return j


def role_after(d: Doc, i: int, limit: int) -> tuple[str | None, int]:
    """The apposition after a speaker's name starting at token ``i``: ``(role, end index)``."""
    j = i
    # step over the marks closing the name: (حمزة بيرقدار) / "جيش الإسلام" / «حسب الله»
    while j < limit and (d.toks[j].text in ")»”›]" or (d.toks[j].text in "\"'" and d.quote_opening_at(j) is None)):
        j += 1
    k = j
    if k < limit and d.norm[k] in ("،", ",") and k + 1 < limit and is_kind(d.norm[k + 1], "role"):
        k += 1
    if not (k < limit and is_kind(d.norm[k], "role")):
        return None, j
    e = k + 1
    while e < limit and e - k < 12:
        n = d.norm[e]
        if n in PUNCT_STOP or n in COMPS or n in NP_STOP or n in TIME or cue_of(n):
            break
        if n in PREPS and n != "باسم":
            break
        if outlet_at(d, e, limit) is not None:
            break
        if d.toks[e].text in "«“„‹\"”" and (q := d.quote_opening_at(e)) and d.is_speech_quote(q, e):
            break
        e += 1
    role = clean(d.text[d.toks[k].start : d.toks[e - 1].end])
    # a comma-closed role (، عضو مجلس إدارة …،) is skipped with its closing comma
    if e < limit and d.norm[e] in ("،", ",") and k > j:
        e += 1
    return role or None, e


def subject(d: Doc, i: int, limit: int, known: list[Speaker], lam: bool = False) -> Subject | None:
    """The explicit subject right after a finite cue (tokens ``i``..``limit``), or None.

    ``lam``: the first word carries the preposition ل (``وفقاً للمتحدث``), which is not part of it.
    """
    if i >= limit:
        return None
    j = i
    while j < limit and d.norm[j] in kind_words("title"):
        j += 1
    if outlet_at(d, j, limit) is not None:
        return None  # وقال لرويترز: an outlet, even where the tagger calls it an organisation
    m = d.mention_starting(j)
    if m is not None and m.type == "PERS" and is_kind(m.text.split()[0], "role"):
        # a tagger "name" that is a role (أمين سر): read the phrase, the name may follow it
        nxt = _np_end(d, j, limit, False)
        if any(d.mention_starting(k) not in (None, m) for k in range(j + 1, min(limit, nxt + 4))):
            m = None
    if m is not None:
        sp = speaker_of_mention(m)
        end = d.tok_range(m.start, m.end)[-1] + 1
        role, after = (None, end)
        if sp.type == "PERS":
            role, after = role_after(d, end, limit)
        sp.role = role
        return Subject(sp, role, after, i)
    b = d.bare(j)
    if lam and split_clitics(b)[0] == "ل":
        b = split_clitics(b)[-1]
    if d.norm[j] in COMPS or b in PREPS or b in TIME or not d.is_word(j):
        return None
    if b in ("احد", "احدي") and j + 1 < limit and is_kind(d.norm[j + 1], "source", "role"):
        b = d.norm[j + 1]  # أحد سكان البلدة، أحد المسؤولين: the phrase starts at أحد
    elif not is_kind(b, "role", "source", "org", "doc"):
        return None
    allow_fi = is_kind(b, "source", "org") and not is_kind(b, "doc")
    e = _np_end(d, j, limit, allow_fi)
    named = _name_after_description(d, i, j, e, limit)
    if named is not None:
        return named
    words = [normalize(w) for w in clean(d.text[d.toks[j].start : d.toks[e - 1].end]).split()]
    if words:
        parts = split_clitics(words[0])
        words[0] = parts[-1] if len(parts) > 1 and (parts[0] in "وف" or lam and parts[0] == "ل") else words[0]
    res = _resolve_description(d, words, d.toks[j].start, known)
    if res is not None:
        return Subject(res, res.role, e, i)
    if is_kind(b, "org"):
        typ: str | None = "ORG"
    elif is_kind(b, "role", "source"):
        typ = "PERS"
    else:
        typ = "ORG" if is_kind(b, "doc") else None
    role = None
    if is_kind(b, "role") and not is_kind(b, "source"):
        role = clean(d.text[d.toks[j].start : d.toks[e - 1].end])
    return Subject(Speaker(" ".join(words), typ, role), role, e, i)


def _name_after_description(d: Doc, i: int, j: int, e: int, limit: int) -> Subject | None:
    """A person named inside or right after the description ``j..e``, the description their role:
    ``وزير الإعلام اليمني، معمر الإرياني،`` / ``وزير الشباب الدكتور أشرف صبحي``."""
    for k in range(j + 1, e):
        mk = d.mention_starting(k)
        if mk is not None and mk.type == "PERS":
            role = clean(d.text[d.toks[j].start : d.toks[k - 1].end])
            words = role.split()
            while words and normalize(words[-1]) in kind_words("title"):
                words.pop()
            sp = speaker_of_mention(mk)
            sp.role = " ".join(words) or None
            end = d.tok_range(mk.start, mk.end)[-1] + 1
            return Subject(sp, sp.role, end, i)
    if e < limit and d.norm[e] in ("،", ","):
        k = e + 1
        while k < limit and d.norm[k] in kind_words("title"):
            k += 1
        mk = d.mention_starting(k)
        if mk is not None and mk.type == "PERS":
            sp = speaker_of_mention(mk)
            sp.role = clean(d.text[d.toks[j].start : d.toks[e - 1].end]) or None
            end = d.tok_range(mk.start, mk.end)[-1] + 1
            if end < limit and d.norm[end] in ("،", ","):
                end += 1
            return Subject(sp, sp.role, end, i)
    return None


def subject_before(d: Doc, cue: int) -> Subject | None:
    """A subject opening the sentence before its verb: ``حمزة بيرقدار قال``, ``وكان (X) … قد أكد``."""
    s0, _ = d.sentence(d.toks[cue].start)
    i = d.tok_at(s0)
    # a clause start after a comma counts too ("…، لكنهم قالوا" is handled as a pronoun)
    while i < cue and (d.norm[i] in KAN or d.norm[i] in ("،", ",")):
        i += 1
    if i >= cue:
        return None
    m = d.mention_starting(i)
    if m is None or m.type not in ("PERS", "ORG"):
        return None
    end = d.tok_range(m.start, m.end)[-1] + 1
    if cue - end > 16 or d.comp_or_cue_between(end, cue):
        return None
    sp = speaker_of_mention(m)
    role = None
    if sp.type == "PERS":
        role, _ = role_after(d, end, cue)
    sp.role = role
    return Subject(sp, role, cue + 1, i)


def sentence_subject(d: Doc, cue: int) -> Speaker | None:
    """A person or body opening the cue's sentence (after و/كان and a role with commas), if any."""
    s0, _ = d.sentence(d.toks[cue].start)
    i = d.tok_at(s0)
    while i < cue and d.norm[i] in KAN:
        i += 1
    for k in range(i, min(cue, i + 8)):
        m = d.mention_starting(k)
        if m is not None and m.type in ("PERS", "ORG"):
            if d.comp_or_cue_between(k, cue):
                return None
            return speaker_of_mention(m)
    return None
