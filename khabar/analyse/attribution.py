"""Attributions and relays: ``بحسب X``، ``وفقاً لـ X``، ``وفق ما أفادت X``، ``نقلت وكالة X عن Y``.

* **Relay** (``نقلت وكالة رويترز عن شاهد عيان قوله``): the speaker is Y, the outlet X.
* **Attribution**: the sentence it stands in, less the attribution: at the sentence start the
  content follows it (past ``أن`` when the source "revealed that": ``وبحسب مصادر أمنية كشفت … أن``),
  after a comma or at the end it is what comes before it, else the whole sentence.
  ``وفق ما نقلته وكالة الأناضول عن مصادر طبية`` is a relay inside an attribution.
* **An outlet is no speaker where someone else speaks**: ``بحسب وكالة الأنباء الجزائرية``, ``حسب ما
  نقلت قناة العالم`` after a statement of the same sentence names that statement's outlet; in a
  sentence with another reporting verb it adds nothing; alone, the outlet is the one reporting
  (``حسب ما أوردته وكالة الأنباء التونسية``). ``بحسب قوله`` is the last speaker's.

>>> from khabar.analyse.doc import Doc
>>> d = Doc("قضى ستة أشخاص في الزلزال، وفق ما أفادت الهيئة العامة لإدارة الكوارث، بعد أسبوعين.", [])
>>> st = attribution(d, 6, len(d.toks), [], set(), [], None)
>>> st.text, st.speaker
('قضى ستة أشخاص في الزلزال', 'الهيئة العامة لإدارة الكوارث')
"""

from __future__ import annotations

from khabar.analyse.cues import Cue, cue_of, is_kind
from khabar.analyse.doc import PUNCT_STOP, Doc, clean
from khabar.analyse.speakers import Speaker, Subject, subject
from khabar.analyse.stance import judge
from khabar.text.arabic import normalize
from khabar.text.lexicon import COMPS, PREPS, TIME
from khabar.types import Statement

__all__ = ["attribution", "relay", "speaker_of", "trim"]

_PRONOUN_SAID = frozenset(("قوله", "قولها", "قولهم", "تعبيره", "تعبيرها", "تعبيرهم"))
_AFTER = frozenset(normalize(w) for w in "بعد قبل إثر اثر عقب منذ حيث وذلك فيما بينما".split())
_CARRIED = tuple(normalize(w) for w in "أوردت أورد نشرت بثت".split())
_COMP_ZONE = 8
# Words before a comma-set attribution that make a whole clause (…، وفق ما أعلنت منظمة X، الدفاع المدني
# …): the statement; fewer (وتتضمن هذه العوامل أيضا، بحسب X، حجم …) leave the clause to finish after it.
_WHOLE_CLAUSE = 6  # tokens between a source and its "… كشفت عن تفاصيل الحادث أن"


def trim(text: str, a: int, b: int) -> tuple[int, int]:
    """``[a, b)`` without spaces and commas or colons around it (nor a final stop)."""
    while a < b and (text[a].isspace() or text[a] in "،,:"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in "،,.:؛;"):
        b -= 1
    return a, b


def relay(d: Doc, i: int, limit: int, known: list[Speaker]) -> tuple[Subject | None, str | None, int]:
    """``نقلت وكالة X عن Y (قوله) …`` from the cue at ``i``: the subject Y, the outlet X, the token after."""
    for k in range(i + 1, min(limit, i + 10)):
        if d.norm[k] == "عن":
            outlet = clean(d.text[d.toks[i + 1].start : d.toks[k - 1].end]) if k > i + 1 else None
            if outlet:
                ws = outlet.split()
                if ws and is_kind(ws[0], "outlet_head") and len(ws) > 1:
                    outlet = " ".join(ws[1:])
            sub = subject(d, k + 1, limit, known)
            if sub is None:
                return None, None, i + 1
            end = sub.end
            if end < limit and d.bare(end) in ("قوله", "قولها", "قولهم"):
                end += 1
            return Subject(sub.speaker, sub.role, end, sub.start), outlet, end
    return None, None, i + 1


def _cue_with_pronoun(n: str) -> Cue | None:
    """The cue of a verb after ما, its object pronoun attached or not (ذكرته، أوردته، نقلتها)."""
    c = cue_of(n)
    for carried in _CARRIED:  # حسب ما أوردته وكالة X: an outlet's verb of carrying, read as a report
        if n.startswith(carried):
            return (carried, "asserts", "verb", True)
    if c is None and n.endswith("ه") and len(n) > 3:
        c = cue_of(n[:-1])
    if c is None and n.endswith("ها") and len(n) > 4:
        c = cue_of(n[:-2])
    if c is None and n.endswith("ته") and len(n) > 4:
        c = cue_of(n[:-1])
    return c


def _is_outlet(d: Doc, sub: Subject) -> str | None:
    """The outlet's name when the attribution's subject is a news outlet (وكالة الأنباء الجزائرية،
    قناة العالم، رويترز), else None."""
    if sub.speaker is None or sub.speaker.type == "PERS":
        return None
    first = d.norm[sub.start] if sub.start < len(d.norm) else ""
    if is_kind(first, "outlet_head") or is_kind(first, "outlet"):
        ws = (sub.speaker.written or sub.speaker.name).split()
        return " ".join(ws[1:]) if is_kind(ws[0], "outlet_head") and len(ws) > 1 and not is_kind(
            ws[0], "org") else " ".join(ws)
    return None


def attribution(d: Doc, i: int, limit: int, known: list[Speaker], skip: set[int],
                said: list[Statement], last: Speaker | None) -> Statement | None:
    """The statement an attribution at token ``i`` makes (module docstring), or None; an outlet
    named for an earlier statement of its sentence is set on that statement."""
    s_start, s_end = d.sentence(d.toks[i].start)
    j = i + 1
    if j < limit and d.norm[j] in ("ل", "لـ", "عن", "لسان", "لما"):
        j += 1
    outlet = None
    if j < limit and d.norm[j] == "ما":
        j += 1
        c = _cue_with_pronoun(d.norm[j]) if j < limit else None
        if c is None:
            return None
        skip.add(j)
        if c[2] == "relay" and j + 1 < limit and d.norm[j + 1] in ("عنه", "عنها", "عنهم"):
            j += 1  # حسب ما نقلت عنه وكالة "ميزان": the outlet of the last statement
        elif c[2] == "relay" and any(d.norm[k] == "عن" for k in range(j + 1, min(limit, j + 10))):
            # وفق ما نقلته وكالة الأناضول عن مصادر طبية
            sub, outlet, _ = relay(d, j, limit, known)
            if sub is None:
                return None
            return _statement(d, i, limit, sub, s_start, s_end, outlet)
        j += 1
    if j < limit and d.bare(j) in _PRONOUN_SAID:  # بحسب قوله: the last speaker's words
        if last is None or any(s_start <= s.start < s_end for s in said):
            return None
        sub = Subject(last, last.role, j + 1, j)
        # it belongs to the clause just before it (…، لكن ذلك لم ينبه النظام بحسب قوله)
        commas = [d.toks[k].end for k in range(d.tok_at(s_start), i) if d.norm[k] in ("،", ",")]
        return _statement(d, i, limit, sub, commas[-1] if commas else s_start, d.toks[i].start, None)
    # وفقاً للمتحدث، طبقاً لبيان …: the ل sits on the speaker's first word
    lam = d.bare(i) in ("وفقا", "طبقا") and j == i + 1
    sub = subject(d, j, limit, known, lam)
    if sub is None:
        return None
    name = _is_outlet(d, sub)
    if name is not None:
        before = [s for s in said if s_start <= s.start < d.toks[i].start]
        if before:
            if before[-1].outlet is None:
                before[-1].outlet = name
            return None
        if any(cue_of(d.norm[k]) and k != i for k in range(d.tok_at(s_start), limit)):
            return None  # another verb reports this sentence; the outlet only carried it
    return _statement(d, i, limit, sub, s_start, s_end, None)


def _statement(d: Doc, i: int, limit: int, sub: Subject, s_start: int, s_end: int,
               outlet: str | None) -> Statement | None:
    attr_start = d.toks[i].start
    k = sub.end
    while k < limit and (d.norm[k] in PUNCT_STOP or d.norm[k] in TIME):
        k += 1
    prev = d.norm[i - 1] if i > 0 else ""
    nxt = d.bare(k) if k < limit else ""
    said_before = len(d.text[s_start:attr_start].split())
    if k >= limit or prev in ("،", ",") and (nxt in PREPS or nxt in _AFTER or said_before >= _WHOLE_CLAUSE):
        # at the end, or set off by commas before an adverbial (…، وفق ما أفادت X، بعد أسبوعين):
        # what it follows
        a, b = s_start, attr_start
    elif d.tok_at(s_start) >= i - 1:
        a, b = d.toks[k].start, s_end
        # وبحسب مصادر أمنية كشفت عن تفاصيل الحادث أن …: the content opens after أن
        for m in range(k, min(limit, k + _COMP_ZONE)):
            if d.norm[m] in COMPS and m > k and any(cue_of(d.norm[x]) for x in range(k, m)):
                a = d.toks[m + 1].start if m + 1 < len(d.toks) else s_end
                break
        if d.norm[k] in ("فان", "فانه", "فانها", "ان"):
            a = d.toks[k + 1].start if k + 1 < len(d.toks) else s_end
    else:
        a, b = s_start, s_end
    a, b = trim(d.text, a, b)
    if b - a < 2:
        return None
    sp = sub.speaker
    content = d.text[a:b]
    st, claim = judge(content, "", "asserts")
    return Statement(
        speaker=sp.shown if sp else None, text=content, start=a, end=b, direct=False,
        verb=d.toks[i].text, stance=st, role=sub.role, outlet=outlet,
        speaker_type=sp.type if sp else None, claim=claim,
    )


def speaker_of(st: Statement) -> Speaker | None:
    """The speaker a statement names, as the next statement's "last speaker"."""
    return Speaker(normalize(st.speaker), st.speaker_type, written=st.speaker) if st.speaker else None
