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
* **Stance** (:mod:`khabar.analyse.stance`): ``denies`` (with the denied claim where the text names
  it), ``asserts`` or ``neutral`` (a question).

``speaker`` is the name as the article writes it: a mention's entity by its most frequent full
spelling (:func:`khabar.analyse.linking.written_names`), else the speaker phrase as written. The
matching form is only a key (:func:`khabar.compare.profile.entity_key` gives it back).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress
from operator import itemgetter

from khabar.analyse import entities as ents
from khabar.analyse.attribution import attribution, relay, speaker_of, trim
from khabar.analyse.bounds import analysed_part
from khabar.analyse.cues import (
    AFFIRM_LEMMAS,
    ENDERS,
    OBJ_LEMMAS,
    OBJ_START,
    POINT_LEMMAS,
    Cue,
    cue_of,
    is_kind,
)
from khabar.analyse.doc import PUNCT_STOP, Doc
from khabar.analyse.gazetteer import labels
from khabar.analyse.outlets import outlet_at, outlet_before
from khabar.analyse.speakers import (
    Speaker,
    Subject,
    previous_actor,
    sentence_subject,
    subject,
    subject_before,
    subject_just_before,
)
from khabar.analyse.stance import judge, negated
from khabar.analyse.sweep import QuoteSweep, SpanSweep, outer_length
from khabar.text.arabic import normalize, split_clitics
from khabar.text.lexicon import COMPS, NP_STOP, PREPS, RELATIVE, TIME
from khabar.types import Mention, Statement

__all__ = ["extract"]

_DIRECT_ZONE = 30  # tokens between a finite cue's subject and its content (adverbials, outlet, medium)
_PARTICIPLE_ZONE = 6  # a participle's content follows at once (مؤكداً أن، مشيراً إلى أن، داعياً "…")
_BARE_OUTLETS = frozenset(("الوكاله", "الصحيفه", "القناه"))  # "the agency": the one named before
_TEXT = itemgetter(0)  # Token.text
_NEW_CLAUSE = frozenset(("فيما", "بينما", "وفيما", "وبينما"))  # after a comma: the content has ended


def extract(text: str, mentions: list[Mention] | None = None) -> list[Statement]:
    """Statements reported in ``text`` (offsets into ``text``), in text order.

    ``mentions`` are the article's linked mentions (:func:`khabar.analyse.entities.extract`); they are
    computed when not given. Only the first :data:`~khabar.analyse.bounds.MAX_ANALYSED_CHARS`
    characters are read.

    >>> ms = [Mention("حمزة بيرقدار", "PERS", 4, 16, "حمزه بيرقدار")]
    >>> [(s.speaker, s.text, s.stance) for s in extract("قال حمزة بيرقدار إن المفاوضات لم تبدأ.", ms)]
    [('حمزة بيرقدار', 'المفاوضات لم تبدأ', 'asserts')]
    >>> [(s.stance, s.claim) for s in extract("ونفى حمزة بيرقدار وجود أي مفاوضات مع روسيا.", [
    ...     Mention("حمزة بيرقدار", "PERS", 5, 17, "حمزه بيرقدار")])]
    [('denies', 'وجود أي مفاوضات مع روسيا')]
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
    # most words are no cue: cue_of (cached per word) runs over all tokens in C, and only the
    # cue words are read on (the tests below are pure, so their order does not matter)
    found = list(map(cue_of, map(_TEXT, d.toks)))
    for i in compress(range(len(found)), found):
        c, t = found[i], d.toks[i]
        if not d.is_word(i):
            continue
        m = d.ment_of.get(i)
        if m is not None and m.type in ("PERS", "ORG"):
            continue  # a cue word inside a name (حسب الله)
        if t.text.lstrip("وف").startswith("آ"):
            continue  # آفاد (the Turkish disaster agency) is no أفاد: no reporting verb starts with آ
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
        st = attribution(d, i, limit, run.known, run.skip, run.out, run.last)
        if st is not None:
            run.add(st)
            run.last = speaker_of(st) or run.last
        return
    sub, outlet, j = _cue_subject(d, i, kind, limit, run.known, lemma)
    if kind == "relay" and sub is None:
        return
    nxt = run.next_cue(i)
    stop = limit if nxt is None else min(limit, nxt)
    opener, outlet = _opener(d, j, limit, stop, cue, sub, outlet)
    outlet = outlet or outlet_before(d, i)
    if outlet and normalize(outlet) in _BARE_OUTLETS:  # ونقلت الوكالة عن …: the agency named before
        outlet = next((s.outlet for s in reversed(run.out) if s.outlet), outlet)
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
    st, claim = judge(content, lemma, lstance, " ".join(x for x in (sp.name if sp else "", role or "") if x),
                      _context(d, i))
    prev = run.out[-1] if run.out else None
    if st == "asserts" and kind == "participle" and prev is not None and prev.stance == "denies" \
            and prev.speaker == (sp.shown if sp else None) and d.sentence(prev.start) == d.sentence(a) and negated(content):
        st = "denies"  # نفى … قائلاً: "لا عقيدتنا تسمح بذلك": the denial goes on
    run.add(Statement(
        speaker=sp.shown if sp else None,
        text=content,
        start=a,
        end=b,
        direct=direct,
        verb=d.toks[i].text,
        stance=st,
        role=role,
        outlet=outlet,
        speaker_type=sp.type if sp else None,
        claim=claim,
    ))
    if direct:
        run.consumed.add(a, b)
    if sp is not None:
        run.last = sp


def _names_outlet(d: Doc, sub: Subject) -> bool:
    """Is the subject a news outlet (رويترز، وكالة الأنباء …)?"""
    w = d.norm[sub.start] if sub.start < len(d.norm) else ""
    return is_kind(w, "outlet", "outlet_head")


def _cue_subject(d: Doc, i: int, kind: str, limit: int,
                 known: list[Speaker], lemma: str = "") -> tuple[Subject | None, str | None, int]:
    """The cue's explicit subject, the outlet a relay names, and the token after them."""
    outlet = None
    sub: Subject | None = None
    j = i + 1
    if kind == "relay":
        sub, outlet, j = relay(d, i, limit, known)
    elif kind == "verb":
        if j < limit and d.norm[j] in ("قد", "،", ","):
            j += 1  # وكان … قد أكد، قال، وزير التنمية، …
        sub = subject(d, j, limit, known)
        if sub is not None and lemma == "ابلغ" and _names_outlet(d, sub):
            # كانت مصادر قد أبلغت رويترز بأن …: the outlet was told; the speaker opens the sentence
            outlet, sub = sub.speaker.shown if sub.speaker else None, subject_before(d, i, known)
            if sub is None:
                return None, outlet, j
        if sub is None:
            sub = subject_before(d, i, known) or subject_just_before(d, i)
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
    """With no other opener: a denial's object, what is affirmed (أكد على ضرورة …، أكد مصدر أمني
    سقوط 9 صواريخ، مؤكداً أهمية …) or pointed to (لفت إلى وقوع …، أشار إلى اتباعها …)."""
    lemma, lstance, kind, _ = cue
    if kind not in ("verb", "participle") or j >= stop:
        return None
    # (a participle pointing to a noun, لافتاً إلى وفاة 14 حالة, mostly adds a figure, not a statement)
    if lemma in POINT_LEMMAS and kind == "verb" and d.bare(j) in ("الي", "إلى", "الى") and j + 1 < stop \
            and _noun_like(d, j + 1):
        return "object", j + 1
    if lemma in AFFIRM_LEMMAS and _noun_like(d, j):
        return "object", j
    if not (lemma in OBJ_LEMMAS and (lstance == "denies" or d.bare(j) in ("علي", "على"))):
        return None
    start_tok = j + 1 if d.bare(j) in ("علي", "على") else j
    while start_tok < stop and d.norm[start_tok] in PUNCT_STOP:
        start_tok += 1
    if start_tok >= stop or d.bare(start_tok) in PREPS:
        return None  # ويرفض سكان القرى من أبناء العشائر …: the noun phrase goes on, no object yet
    return "object", start_tok


def _noun_like(d: Doc, k: int) -> bool:
    """Token ``k`` can open an object noun phrase (a masdar: سقوط، أهمية، تعطيل): a word that is no
    preposition, time word, function word, cue or name."""
    n = d.norm[k]
    return d.is_word(k) and not (
        d.bare(k) in PREPS or n in TIME or n in NP_STOP or n in COMPS or cue_of(n) or k in d.ment_of
        or is_kind(n, "medium", "title")
    )


def _content(d: Doc, opener: tuple[str, int], cue_after: Callable[[int], int | None]) -> tuple[int, int, bool] | None:
    """The content's character span and whether it is direct, from its opener."""
    kind_o, ct = opener
    if ct >= len(d.toks):
        return None
    cstart = d.toks[ct].start
    direct = False
    q = d.quote_opening_at(ct)
    # content that opens with a quote is that quote (two words suffice after إن/أن/:)
    # … unless the clause runs on past the quote's close (أنها "بانتظار ما يرد" من النيابة التركية …):
    # then it is reported speech quoting a phrase
    runs_on = q is not None and kind_o == "comp" and re.match(r"[ \u0640]*[^\W\d_]", d.text[q[1] + 1 : q[1] + 4]) \
        is not None and not cue_of(d.norm[min(d.tok_at(q[1] + 1), len(d.norm) - 1)])
    if q is not None and (kind_o == "quote" or len(d.text[q[0] + 1 : q[1]].split()) >= 2) and not runs_on:
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
    a, b = trim(d.text, a, b)
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
        return sentence_subject(run.d, i) or run.last or previous_actor(run.d, i)
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
    # a proclitic و/ف opens a clause (وقال); the و of وفق، وفقاً is the word's own
    clitic = n[0] in "وف" and cue_of(n[1:]) is not None
    return clitic or prev in ("،", ",", "كما", "ثم") or c[2] == "prep" and prev in ("،", ",")


def _context(d: Doc, i: int) -> str:
    """The text before the cue at token ``i``: its sentence and the one before (what a statement
    answers: a rumour, an accusation)."""
    s0, _ = d.sentence(d.toks[i].start)
    p0, _ = d.sentence(s0 - 1) if s0 > 0 else (s0, s0)
    return d.text[p0 : d.toks[i].start]


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
            # a new clause: …، فيما اتهم …، بينما …، وفي هذا الصدد قال …
            if d.norm[i + 1] in _NEW_CLAUSE or d.norm[i + 1][:1] == "و" and d.norm[i + 1][1:] in PREPS \
                    and any(cue_of(d.norm[k]) and cue_of(d.norm[k])[2] == "verb" for k in range(i + 2, min(len(d.toks), i + 6))):
                end = min(end, d.toks[i].start)
                break
        i += 1
    return end
