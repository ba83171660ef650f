"""Who said what: reported statements in Arabic news, with speaker, role, outlet and stance.

:func:`extract` finds every reporting cue (:mod:`khabar.analyse.cues`: قال، أكد، نفى، مؤكداً، بالقول،
بحسب …) and reads the construction around it:

* **Subject and role** (:mod:`khabar.analyse.speakers`): the subject after a finite verb or opening
  its sentence, a definite organisation word, a role already given to a speaker. With no subject
  (``وأضاف``, ``قال لرويترز``) and for participles (مؤكداً، مشيراً) and ``وختم بالقول`` the statement
  belongs to the last speaker.
* **Content.** Direct: the text inside quote marks (:mod:`khabar.analyse.quotemarks`) that follows
  the cue, its subject, a colon or إن/أن. Indirect: from after إن/أن/بأن/إلى أن (or a denial verb's
  object: ``نفى … ما تردد``) to the end of the sentence or the next cue (``، مؤكداً …``). Content
  that is mostly inside quote marks counts as direct. Attributions (``بحسب X``، ``وفقاً لـ X``) take
  their sentence, less the attribution.
* **Outlet** (:mod:`khabar.analyse.outlets`): ``لرويترز`` → رويترز, ``لوكالة "إرنا"`` → إرنا.
* **Stance** (:mod:`khabar.analyse.stance`): ``denies`` or ``asserts``.

``speaker`` is the linked entity (``Mention.entity``) when the speaker is a mention, else the
speaker phrase in matching form (:func:`khabar.text.arabic.normalize`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field

from khabar.analyse import entities as ents
from khabar.analyse.bounds import analysed_part
from khabar.analyse.cues import ENDERS, OBJ_LEMMAS, OBJ_START, Cue, cue_of, is_kind
from khabar.analyse.doc import PUNCT_STOP, Doc, clean
from khabar.analyse.gazetteer import labels
from khabar.analyse.outlets import outlet_at
from khabar.analyse.speakers import Speaker, Subject, sentence_subject, subject, subject_before
from khabar.analyse.stance import stance
from khabar.analyse.sweep import QuoteSweep, SpanSweep, outer_length
from khabar.text.arabic import split_clitics
from khabar.text.lexicon import COMPS, NP_STOP, PREPS, RELATIVE, TIME
from khabar.types import Mention, Statement

__all__ = ["extract"]

_DIRECT_ZONE = 30  # tokens between a finite cue's subject and its content (adverbials, outlet, medium)
_PARTICIPLE_ZONE = 6  # a participle's content follows at once (مؤكداً أن، مشيراً إلى أن، داعياً "…")


def extract(text: str, mentions: list[Mention] | None = None) -> list[Statement]:
    """Statements reported in ``text`` (offsets into ``text``), in text order.

    ``mentions`` are the article's linked mentions (:func:`khabar.analyse.entities.extract`); they are
    computed when not given. Only the first :data:`~khabar.analyse.bounds.MAX_ANALYSED_CHARS`
    characters are read.

    >>> ms = [Mention("حمزة بيرقدار", "PERS", 4, 16, "حمزه بيرقدار")]
    >>> [(s.speaker, s.text, s.stance) for s in extract("قال حمزة بيرقدار إن المفاوضات لم تبدأ.", ms)]
    [('حمزه بيرقدار', 'المفاوضات لم تبدأ', 'denies')]
    """
    text = analysed_part(text)  # the cost bound (khabar.analyse.bounds)
    if not text.strip():
        return []
    if mentions is None:
        mentions = ents.extract(text)
    mentions = [m for m in mentions if m.end <= len(text)]
    d = Doc(text, mentions)
    cues = _cues(d)
    run = _Run(d, [i for i, _ in cues if _clause_cue(d, i)])
    for i, cue in cues:
        if i not in run.skip and run.opens_statement(i):
            _read_cue(run, i, cue)
    run.out.sort(key=lambda s: s.start)
    return run.out


def _cues(d: Doc) -> list[tuple[int, Cue]]:
    """The reporting cues of the text, as ``(token index, cue)``, less the words that are no cue there."""
    cues: list[tuple[int, Cue]] = []
    for i, t in enumerate(d.toks):
        if not d.is_word(i):
            continue
        m = d.ment_of.get(i)
        if m is not None and m.type in ("PERS", "ORG"):
            continue  # a cue word inside a name (حسب الله)
        c = cue_of(t.text)
        if c is None:
            continue
        # impersonal "it is noted that" (يذكر أن، ويذكر أن), not a statement
        if d.bare(i) == "يذكر" and i + 1 < len(d.toks) and d.norm[i + 1] in COMPS:
            continue
        if c[2] == "prep" and i + 1 < len(d.toks) and (d.bare(i), d.norm[i + 1]) in ENDERS:
            continue
        if c[0] == "لسان" and (i == 0 or d.norm[i - 1] not in ("علي", "على")):
            continue  # only على لسان X
        # after a preposition or a relative pronoun the word is a noun or a relative clause's verb:
        # حول رفض رئيس الجمهورية، التقارير التي تفيد بأن
        prev = d.norm[i - 1] if i > 0 else ""
        if c[2] in ("verb", "participle") and (prev in PREPS or prev in RELATIVE):
            continue
        cues.append((i, c))
    return cues


@dataclass
class _Run:
    """The extraction of one text so far: statements, speakers met, the last one, spans used.

    Cues are read in text order, so the span tests sweep forward (:mod:`khabar.analyse.sweep`) and
    the next clause cue is a bisection: the cost stays linear in the text.
    """

    d: Doc
    clause_cues: list[int]  # token indices of the cues that open a clause, ascending
    out: list[Statement] = field(default_factory=list)
    known: list[Speaker] = field(default_factory=list)
    consumed: SpanSweep = field(default_factory=SpanSweep)  # direct quotes already taken
    said: SpanSweep = field(default_factory=SpanSweep)  # the statements' content spans
    last: Speaker | None = None
    skip: set[int] = field(default_factory=set)  # cues an attribution took (بحسب ما قال)
    quoted: QuoteSweep | None = None

    def __post_init__(self) -> None:
        self.cue_starts = [self.d.toks[j].start for j in self.clause_cues]
        self.quoted = QuoteSweep(self.d.text, self.d.quotes)

    def _first_from(self, k: int) -> int | None:
        while k < len(self.clause_cues) and self.clause_cues[k] in self.skip:
            k += 1
        return self.clause_cues[k] if k < len(self.clause_cues) else None

    def next_cue(self, i: int) -> int | None:
        """The first clause cue after token ``i`` that no attribution took."""
        return self._first_from(bisect.bisect_right(self.clause_cues, i))

    def cue_after(self, pos: int) -> int | None:
        """The start offset of the first clause cue starting after character ``pos``."""
        j = self._first_from(bisect.bisect_right(self.cue_starts, pos))
        return None if j is None else self.d.toks[j].start

    def add(self, st: Statement) -> None:
        self.out.append(st)
        self.said.add(st.start, st.end)

    def opens_statement(self, i: int) -> bool:
        """May the cue at token ``i`` open a statement (not inside a quote or a statement's content)?"""
        pos = self.d.toks[i].start
        assert self.quoted is not None
        if self.consumed.covers(pos) or self.quoted.inside(pos):
            return False
        # inside an earlier statement's content a cue that opens no clause is part of that content
        return not (self.said.covers(pos) and not _clause_cue(self.d, i))


def _read_cue(run: _Run, i: int, cue: Cue) -> None:
    """Read the statement the cue at token ``i`` reports, if any, into ``run``."""
    d = run.d
    lemma, lstance, kind, strict = cue
    _, s_end = d.sentence(d.toks[i].start)
    limit = d.tok_at(s_end)
    if kind == "prep":
        st = _attribution(d, i, limit, run.known, run.skip)
        if st is not None:
            run.add(st)
            if st.speaker:
                run.last = Speaker(st.speaker, st.speaker_type)
        return
    sub, outlet, j = _cue_subject(d, i, kind, limit, run.known)
    if kind == "relay" and sub is None:
        return
    nxt = run.next_cue(i)
    stop = limit if nxt is None else min(limit, nxt)
    opener, outlet = _opener(d, j, limit, stop, cue, sub, outlet)
    if opener is None and sub is not None and sub.speaker is not None and kind == "verb":
        # no content, but the subject is now the one speaking (وكشف المتحدث عن … وأوضح أن …)
        run.last = sub.speaker
    if opener is None:
        opener = _object_opener(d, j, stop, cue)
        if opener is None:
            return
    if strict and sub is None and kind == "verb" and (opener[0] == "object" or opener[1] > j + 1):
        return  # a word often a noun (تابع للجيش) is a cue only with a subject or إن/أن/: at once
    span = _content(d, opener, run.cue_after)
    if span is None:
        return
    a, b, direct = span
    sp = _speaker(run, i, kind, sub)
    role = sub.role if sub is not None else None
    if role is None and sp is not None and sub is not None:
        role = sp.role
    content = d.text[a:b]
    run.add(Statement(
        speaker=sp.name if sp else None,
        text=content,
        start=a,
        end=b,
        direct=direct,
        verb=d.toks[i].text,
        stance=stance(content, lstance, " ".join(x for x in (sp.name if sp else "", role or "") if x)),
        role=role,
        outlet=outlet,
        speaker_type=sp.type if sp else None,
    ))
    if direct:
        run.consumed.add(a, b)
    if sp is not None:
        run.last = sp


def _cue_subject(d: Doc, i: int, kind: str, limit: int,
                 known: list[Speaker]) -> tuple[Subject | None, str | None, int]:
    """The cue's explicit subject, the outlet a relay names, and the token after them."""
    outlet = None
    sub: Subject | None = None
    j = i + 1
    if kind == "relay":
        sub, outlet, j = _relay(d, i, limit, known)
    elif kind == "verb":
        if j < limit and d.norm[j] == "قد":
            j += 1
        sub = subject(d, j, limit, known)
        if sub is None:
            sub = subject_before(d, i)
            if sub is not None:
                sub = Subject(sub.speaker, sub.role, j, sub.start)
        if sub is not None:
            j = sub.end
    return sub, outlet, j


def _opener(d: Doc, j: int, limit: int, stop: int, cue: Cue, sub: Subject | None,
            outlet: str | None) -> tuple[tuple[str, int] | None, str | None]:
    """Where the content opens, read from token ``j`` (after the subject), and the outlet met there.

    The opener is ``(how, token)``: ``comp`` (after إن/أن, بالقول), ``colon``, ``quote`` (a speech
    quote opens at the token) or ``object`` (a denial's object); None when none is found before ``stop``.
    """
    lemma, lstance, kind, _ = cue
    outlet_sure = False
    k = j
    if lemma == "ابلغ" and sub is not None and k < limit:
        m_to = d.mention_starting(k)
        if m_to is not None and m_to.type == "ORG" or "org" in labels(d.toks[k].text):
            outlet = d.toks[k].text if m_to is None else m_to.text  # أبلغ مسؤول رويترز أن
            k = k + 1 if m_to is None else d.tok_range(m_to.start, m_to.end)[-1] + 1
    zone_max = _PARTICIPLE_ZONE if kind in ("participle", "masdar") else _DIRECT_ZONE
    while k < stop and k - j < zone_max:
        n = d.norm[k]
        if n in COMPS:
            return ("comp", k + 1), outlet
        if n == ":" and (kind not in ("participle", "masdar") or k == j):
            return ("colon", k + 1), outlet
        if n == "بالقول" or d.bare(k) == "بالقول":
            return ("comp", k + 1), outlet
        q = d.quote_opening_at(k)
        if q is not None and d.is_speech_quote(q, k):
            return ("quote", k), outlet
        if not outlet_sure and (o := outlet_at(d, k, stop)) is not None:
            # a named kind of outlet (لوكالة "سبوتنيك") beats a bare ل + word met before it
            # (لدواعي عسكرية)
            parts = split_clitics(d.norm[k])
            sure = not (parts[0] == "ل" and len(parts) == 2 and not is_kind(parts[1], "outlet_head", "outlet"))
            if outlet is None or sure:
                outlet, outlet_sure = o[0], sure
            k = o[1]
            continue
        if lemma in OBJ_LEMMAS and (n in OBJ_START or d.bare(k) in OBJ_START) and k >= j:
            return ("object", k), outlet
        if k == j and lstance == "denies" and d.is_word(k) and sub is not None and not (
            d.bare(k) in PREPS or n in TIME or n in NP_STOP or cue_of(n)
        ):
            return ("object", k), outlet  # a denial's object right after its subject: نفت الحركة اجراء …
        k += 1
    return None, outlet


def _object_opener(d: Doc, j: int, stop: int, cue: Cue) -> tuple[str, int] | None:
    """With no other opener: a denial's object, or what is affirmed after على (أكد على ضرورة …)."""
    lemma, lstance, kind, _ = cue
    if not (lemma in OBJ_LEMMAS and kind in ("verb", "participle") and j < stop and (
        lstance == "denies" or d.bare(j) in ("علي", "على")
    )):
        return None
    start_tok = j + 1 if d.bare(j) in ("علي", "على") else j
    while start_tok < stop and d.norm[start_tok] in PUNCT_STOP:
        start_tok += 1
    if start_tok >= stop:
        return None
    return "object", start_tok


def _content(d: Doc, opener: tuple[str, int], cue_after: Callable[[int], int | None]) -> tuple[int, int, bool] | None:
    """The content's character span and whether it is direct, from its opener."""
    kind_o, ct = opener
    if ct >= len(d.toks):
        return None
    cstart = d.toks[ct].start
    direct = False
    q = d.quote_opening_at(ct)
    # content that opens with a quote is that quote (two words suffice after إن/أن/:)
    if q is not None and (kind_o == "quote" or len(d.text[q[0] + 1 : q[1]].split()) >= 2):
        a, b = q[0] + 1, q[1]
        direct = True
    else:
        a = cstart
        b = _content_end(d, a, cue_after)
        # mostly inside quote marks → direct, ending at the last quote's close
        inside = [(o, c) for o, c in d.quotes_from(a, b) if c <= b + 1]
        covered = outer_length(inside)
        if inside and covered * 2 >= (b - a):
            direct = True
            b = max(c for _, c in inside)
    a, b = _trim(d.text, a, b)
    if b - a < 2:
        return None
    return a, b, direct


def _speaker(run: _Run, i: int, kind: str, sub: Subject | None) -> Speaker | None:
    """Who makes the statement: the explicit subject (one speaker per name), else the last speaker
    or the sentence's own subject."""
    if sub is not None and sub.speaker is not None:
        sp = sub.speaker
        if sp.role:
            run.known.append(sp)
        elif not any(s.name == sp.name for s in run.known):
            run.known.append(sp)
        else:
            sp = next(s for s in run.known if s.name == sp.name)
        return sp
    if kind in ("verb", "participle"):
        # "وكان الرئيس الأميركي، دونالد ترمب، قد بدأ … وأعلن أن", "خاطب تبون شعبه مؤكداً أن":
        # the sentence's own subject
        return sentence_subject(run.d, i) or run.last
    return run.last


def _clause_cue(d: Doc, j: int) -> bool:
    """Does the cue at token ``j`` open a new clause (so indirect content before it ends there)?"""
    c = cue_of(d.toks[j].text)
    if c is None:
        return False
    if c[2] in ("participle", "masdar"):
        return True
    prev = d.norm[j - 1] if j > 0 else "."
    n = d.norm[j]
    if c[3] or c[2] == "relay":
        # a word with a common noun reading (ونقل واقع الأحداث) opens a clause only when a
        # complementizer, a colon, a quote or a speaker follows it
        nxt = d.norm[j + 1] if j + 1 < len(d.toks) else "."
        if not (nxt in COMPS or nxt == ":" or d.quote_opening_at(j + 1) or d.mention_starting(j + 1)
                or is_kind(nxt, "role", "source", "title")):
            return False
    if prev.startswith("لكن") or prev.startswith("ولكن"):
        return True  # …، لكنهم قالوا إن
    return n[0] in "وف" or prev in ("،", ",", "كما", "ثم") or c[2] == "prep" and prev in ("،", ",")


def _relay(d: Doc, i: int, limit: int, known: list[Speaker]) -> tuple[Subject | None, str | None, int]:
    """``نقلت وكالة X عن Y (قوله) …``: the subject is Y, the outlet X."""
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


def _attribution(d: Doc, i: int, limit: int, known: list[Speaker], skip: set[int]) -> Statement | None:
    """``بحسب X`` / ``وفقاً لـ X`` / ``نقلاً عن X`` / ``على لسان X``: the sentence, less the attribution."""
    s_start, s_end = d.sentence(d.toks[i].start)
    j = i + 1
    if j < limit and d.norm[j] in ("ل", "لـ", "عن", "لسان", "لما"):
        j += 1
    if j < limit and d.norm[j] == "ما":
        j += 1
        c = cue_of(d.norm[j]) if j < limit else None
        if c is None:
            return None
        skip.add(j)
        j += 1
    # وفقاً للمتحدث، طبقاً لبيان …: the ل sits on the speaker's first word
    lam = d.bare(i) in ("وفقا", "طبقا") and j == i + 1
    sub = subject(d, j, limit, known, lam)
    if sub is None:
        return None
    # the attribution at the sentence start: content after it; at the end: before it; else all of it
    attr_start = d.toks[i].start
    k = sub.end
    while k < limit and (d.norm[k] in PUNCT_STOP or d.norm[k] in TIME):
        k += 1
    if k >= limit:
        a, b = s_start, attr_start
    elif d.tok_at(s_start) >= i - 1:
        a, b = d.toks[k].start, s_end
        if d.norm[k] in ("فان", "فانه", "فانها", "ان"):
            a = d.toks[k + 1].start if k + 1 < len(d.toks) else s_end
    else:
        a, b = s_start, s_end
    a, b = _trim(d.text, a, b)
    if b - a < 2:
        return None
    sp = sub.speaker
    content = d.text[a:b]
    return Statement(
        speaker=sp.name if sp else None, text=content, start=a, end=b, direct=False,
        verb=d.toks[i].text, stance=stance(content, "asserts"), role=sub.role, outlet=None,
        speaker_type=sp.type if sp else None,
    )


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and (text[a].isspace() or text[a] in "،,:"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in "،,.:؛;"):
        b -= 1
    return a, b


def _content_end(d: Doc, start: int, cue_after: Callable[[int], int | None]) -> int:
    """Where indirect content starting at char ``start`` ends: sentence end or the next cue clause."""
    _, s_end = d.sentence(start)
    # a quote opened in the content that runs past the sentence end carries it on (quotes in
    # opening order: once one opens past the end, none later can carry it)
    k = bisect.bisect_left(d.quote_starts, start)
    while k < len(d.quotes) and d.quotes[k][0] < s_end:
        if s_end < d.quotes[k][1]:
            s_end = d.quotes[k][1] + 1
        k += 1
    end = s_end
    p = cue_after(start)
    if p is not None and p < end:
        end = p
    i = d.tok_at(start)
    while i < len(d.toks) and d.toks[i].start < end:
        if d.norm[i] in ("،", ",") and i + 2 < len(d.toks):
            pair = (d.bare(i + 1), d.norm[i + 2])
            if pair in ENDERS or (d.bare(i + 1) in ("حسب", "بحسب") and i + 2 < len(d.toks)):
                end = min(end, d.toks[i].start)
                break
        i += 1
    return end
