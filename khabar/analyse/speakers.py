"""Who speaks: the subject of a reporting cue, with its role (and the speakers met before it).

* **Subject.** A finite verb's subject follows it (``قال حمزة بيرقدار``, ``وقال (حمزة بيرقدار)
  الناطق باسم …``, ``نفى "جيش الإسلام"``, ``قال وزير الإعلام، معمر الإرياني، إن``) or opens the
  sentence before it (``حمزة بيرقدار قال``, ``وكان (وائل علوان) … قد أكد``). A definite organisation
  word (``نفت الحركة``) is the last organisation mentioned whose name starts with that word; a role
  description (``وأشار الناطق الرسمي باسم فيلق الرحمن``) is the speaker earlier given that role.
* **Role**: the apposition after the speaker's name (``الناطق باسم هيئة أركان جيش الإسلام``), or the
  description before it, ending at a comma, في، عبر، خلال, إن/أن, a verb or an outlet.

A speaker's ``name`` is its key: the linked entity (``Mention.entity``) when it is a mention, else
the speaker phrase in matching form (:func:`khabar.text.arabic.normalize`); ``written`` is what a
person reads: the entity's name as the text writes it (:func:`khabar.analyse.linking.written_names`),
or the phrase as written.

>>> from khabar.analyse.doc import Doc
>>> from khabar.types import Mention
>>> d = Doc("قال حمزة بيرقدار الناطق باسم الجيش إن", [Mention("حمزة بيرقدار", "PERS", 4, 16, "حمزه بيرقدار")])
>>> s = subject(d, 1, len(d.toks), [])
>>> s.speaker.name, s.speaker.written, s.role
('حمزه بيرقدار', 'حمزة بيرقدار', 'الناطق باسم الجيش')
"""

from __future__ import annotations

from dataclasses import dataclass

from khabar.analyse.cues import cue_of, is_kind, kind_words
from khabar.analyse.doc import PUNCT_STOP, Doc, clean
from khabar.analyse.gazetteer import labels
from khabar.analyse.outlets import outlet_at
from khabar.text.arabic import STOPWORDS, normalize, split_clitics
from khabar.text.lexicon import COMPS, KAN, NP_STOP, PREPS, TIME
from khabar.types import Mention

__all__ = ["Speaker", "Subject", "previous_actor", "role_after", "sentence_subject", "speaker_of_mention", "subject",
           "subject_before", "subject_just_before"]


# After في these open an adverbial, not a part of the body speaking (السلطات في وقت سابق، الوزارة في نفس السياق).
_FI_STOP = frozenset(normalize(w) for w in "وقت الوقت نفس ذات السياق سياق هذا هذه ذلك تلك إطار اطار ظل حين".split())


@dataclass
class Speaker:
    """A speaker: the entity or phrase (matching form, the key), PERS/ORG (None when unknown), its
    role, and the name as the text writes it (what is shown)."""

    name: str
    type: str | None
    role: str | None = None
    written: str | None = None

    @property
    def shown(self) -> str:
        return self.written or self.name


def speaker_of_mention(m: Mention, d: Doc | None = None) -> Speaker:
    """The speaker a mention names (written as the text ``d`` writes that entity most often)."""
    typ = "ORG" if m.type in ("ORG", "LOC") else "PERS"  # a country or city speaks for its government
    key = m.entity or normalize(m.text)
    written = d.written.get(key) if d is not None else None
    return Speaker(key, typ, written=written or clean(m.text))


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
            return speaker_of_mention(m, d)
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
            if not (allow_fi and n in ("في", "لدي") and not is_kind(nxt, "medium") and nxt not in _FI_STOP):
                break  # (مصدر في الوزارة، النيابة العامة لدى مجلس قضاء الجزائر)
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
        elif n[:1] == "و" and len(n) > 3 and j + 1 < limit and d.norm[j + 1].startswith("ال"):
            open_construct = True  # a coordinated construct: وزارة التجارة الداخلية وحماية المستهلك
        elif n.startswith("ل") and split_clitics(n)[0] == "ل":
            open_construct = True  # a genitive with لـ: أمين سر اللجنة التنفيذية لمنظمة التحرير
        elif (n.startswith("ال") and not d.toks[j].text.startswith("آ")) or n.startswith("وال") or n.startswith("لل"):
            open_construct = False  # (آلان is a name: its آ only looks like ال)
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
        sp = speaker_of_mention(m, d)
        end = d.tok_range(m.start, m.end)[-1] + 1
        role, after = (None, end)
        if sp.type == "PERS":
            role, after = role_after(d, end, limit)
        sp.role = role
        return Subject(sp, role, after, i)
    if not lam and d.is_word(j) and labels(d.toks[j].text) & {"country", "place"} and (
            j + 1 >= limit or d.norm[j + 1] in PUNCT_STOP or d.norm[j + 1] in TIME or d.norm[j + 1] in COMPS
            or is_kind(d.norm[j + 1], "medium") or d.norm[j + 1] in ("مرارا", "مجددا", "رسميا")):
        # ونفت الرياض مرارا، أعلنت إندونيسيا أنها: a country or capital the tagger missed speaks
        # for its government (one word, then the clause goes on)
        w = clean(d.toks[j].text)
        w = w[1:] if w[:1] in "وف" and labels(w[1:]) else w
        return Subject(Speaker(normalize(w), "ORG", None, w), None, j + 1, i)
    b = d.bare(j)
    if lam and split_clitics(b)[0] == "ل":
        b = split_clitics(b)[-1]
    if d.norm[j] in COMPS or b in PREPS or b in TIME or not d.is_word(j):
        return None
    if b in ("احد", "احدي") and j + 1 < limit and is_kind(d.norm[j + 1], "source", "role"):
        b = d.norm[j + 1]  # أحد سكان البلدة، أحد المسؤولين: the phrase starts at أحد
    elif not is_kind(b, "role", "source", "org", "doc", "outlet_head"):
        return None  # (an outlet speaks for itself: قال التلفزيون الإيراني إن، ذكرت قناة X أن)
    allow_fi = is_kind(b, "source", "org") and not is_kind(b, "doc")
    e = _np_end(d, j, limit, allow_fi)
    named = _name_after_description(d, i, j, e, limit)
    if named is None and is_kind(b, "role") and not is_kind(b, "source"):
        named = _unseen_name(d, i, j, e, limit)
    if named is not None:
        return named
    raw = clean(d.text[d.toks[j].start : d.toks[e - 1].end]).split()
    words = [normalize(w) for w in raw]
    if words:
        parts = split_clitics(words[0])
        if len(parts) > 1 and (parts[0] in "وف" or lam and parts[0] == "ل"):
            words[0] = parts[-1]
            # the written word loses the same proclitic (للمتحدث = ل + المتحدث, its alef unwritten)
            raw[0] = "ال" + raw[0][2:] if parts[0] == "ل" and raw[0].startswith("لل") else raw[0][1:]
    res = _resolve_description(d, words, d.toks[j].start, known)
    if res is not None:
        return Subject(res, res.role, e, i)
    if is_kind(b, "org", "outlet_head"):
        typ: str | None = "ORG"
    elif is_kind(b, "role", "source"):
        typ = "PERS"
    else:
        typ = "ORG" if is_kind(b, "doc") else None
    role = None
    if is_kind(b, "role") and not is_kind(b, "source"):
        role = clean(d.text[d.toks[j].start : d.toks[e - 1].end])
    return Subject(Speaker(" ".join(words), typ, role, " ".join(raw)), role, e, i)


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
            sp = speaker_of_mention(mk, d)
            sp.role = " ".join(words) or None
            end = d.tok_range(mk.start, mk.end)[-1] + 1
            return Subject(sp, sp.role, end, i)
    if e < limit and d.norm[e] in ("،", ","):
        k = e + 1
        while k < limit and d.norm[k] in kind_words("title"):
            k += 1
        mk = d.mention_starting(k)
        if mk is not None and mk.type == "PERS":
            sp = speaker_of_mention(mk, d)
            sp.role = clean(d.text[d.toks[j].start : d.toks[e - 1].end]) or None
            end = d.tok_range(mk.start, mk.end)[-1] + 1
            if end < limit and d.norm[end] in ("،", ","):
                end += 1
            return Subject(sp, sp.role, end, i)
    return None


def _name_like(d: Doc, k: int, first: bool = True) -> bool:
    """Token ``k`` can be a word of a name no tagger found: an Arabic or Latin word that is no
    function word, cue, time word, role, title, organisation or place word; only a later word may
    carry ال (عاطف النداف)."""
    n = d.norm[k]
    raw = d.toks[k].text
    m = d.ment_of.get(k)
    if d.is_word(k) and (labels(raw) & {"first_name"} and not raw.endswith("ى") or raw.startswith("آ") and n == "الان"):
        return True  # علي (not the preposition على), آلان (not الآن): a first name before anything else
    definite = n.startswith("ال") and not raw.startswith("آ")  # آلان is a name, not ال + ان
    return d.is_word(k) and not (
        (first and definite) or n.startswith(("وال", "بال", "لل")) or n in STOPWORDS
        or m is not None and m.type == "LOC" or n in COMPS or n in PREPS or n in TIME
        or n in NP_STOP or cue_of(n) or n[:1].isdigit() or n in ("قوله", "قولها", "قولهم")
        or is_kind(n, "role", "title", "org", "source", "doc", "medium", "outlet_head", "outlet", "not_outlet")
    )


def _unseen_name(d: Doc, i: int, j: int, e: int, limit: int) -> Subject | None:
    """A person the tagger missed, named with the role ``j..e``: after a title inside it (وزير التجارة
    الدكتور عاطف النداف) or right after it, then a comma, إن/أن, a preposition or a time word
    (قال رئيس نقابة أصحاب الأفران علي إبراهيم إن، عضو البرلمان البارز آلان عون، على تويتر)."""
    titles = [t for t in range(j + 1, e) if d.norm[t] in kind_words("title")]
    if titles and all(_name_like(d, k, k == titles[-1] + 1) for k in range(titles[-1] + 1, e)) \
            and 1 <= e - titles[-1] - 1 <= 4:
        a, b, role_end = titles[-1] + 1, e, titles[0]
    else:
        ne = d.norm[e] if e < limit else ""
        if ne[:1] in ("ب", "ل") and not ne.startswith("لل") and (
                is_kind(ne[1:], "org") or labels(ne[1:]) & {"place", "country"}):
            # رئيس هيئة الأحكام بطهران، محمد علي اسفاني / مدير الوقاية بوزارة الصحة والسكان، الدكتور
            # جمال فورار: the complement belongs to the role when a comma and a name follow it
            k = e + 1
            while k < limit and k - e < 6 and (d.norm[k].startswith(("ال", "وال")) or _name_like(d, k, False)) \
                    and d.norm[k] not in ("،", ","):
                k += 1
            if k < limit and d.norm[k] in ("،", ","):
                e = k
        a = e + 1 if e < limit and d.norm[e] in ("،", ",") else e
        while a > e and a < limit and d.norm[a] in kind_words("title"):
            a += 1  # ، الدكتور جمال فورار
        m = d.mention_starting(a) if a < limit else None
        if m is not None and m.type == "PERS":
            sp = speaker_of_mention(m, d)
            sp.role = clean(d.text[d.toks[j].start : d.toks[e - 1].end]) or None
            end = d.tok_range(m.start, m.end)[-1] + 1
            # a tagger name cut short (محمد علي [اسفاني]): its surname runs on
            while end < limit and _name_like(d, end, False) and not (end + 1 < limit and cue_of(d.norm[end])):
                end += 1
            if end > d.tok_range(m.start, m.end)[-1] + 1:
                sp.written = clean(d.text[d.toks[a].start : d.toks[end - 1].end])
                sp.name = normalize(sp.written)
            return Subject(sp, sp.role, end, i)
        b = a
        # a first name that is also a role word (أمين سلام) when a surname follows it
        if a + 1 < limit and is_kind(d.norm[a], "role") and not d.norm[a].startswith("ال") \
                and _name_like(d, a + 1, True) and a + 2 < limit and (d.norm[a + 2] in COMPS or d.norm[a + 2] in PUNCT_STOP):
            b = a + 1
        while b < limit and b - a < 4 and _name_like(d, b, b == a):
            b += 1
        n = d.norm[b] if b < limit else "."
        ends = n in PUNCT_STOP or n in COMPS or n in PREPS or n in TIME or cue_of(n) is not None
        if not (a < b and ends and (b - a >= 2 or n in COMPS or n in ("،", ","))):
            return None
        role_end = e
    written = clean(d.text[d.toks[a].start : d.toks[b - 1].end])
    role = clean(d.text[d.toks[j].start : d.toks[role_end - 1].end]) or None
    sp = Speaker(normalize(written), "PERS", role, written)
    end = b + 1 if b < limit and d.norm[b] in ("،", ",") else b
    return Subject(sp, role, end, i)


def subject_just_before(d: Doc, i: int) -> Subject | None:
    """A person named right before the verb (after a comma at most) inside a clause: ``… أن رئيس
    الحكومة حسان دياب، قال: …`` (a clause's own subject-verb order)."""
    for k in range(max(0, i - 5), i - 1):
        # بيانا للنائب العام أفاد بـ …: a document of someone "says"; its owner speaks
        doc = is_kind(d.norm[k], "doc") or d.norm[k].endswith("ا") and is_kind(d.norm[k][:-1], "doc")  # بيانًا
        if doc and d.norm[k + 1][:1] == "ل" and not d.comp_or_cue_between(k, i):
            sub = subject(d, k + 1, i, [], lam=True)
            if sub is not None and sub.speaker is not None and sub.end == i:
                sub.speaker.role = None
                return Subject(sub.speaker, None, i + 1, k)
    k = i - 1
    if k >= 0 and d.norm[k] in ("،", ","):
        k -= 1
    m = d.ment_of.get(k) if k >= 0 else None
    if m is None or m.type != "PERS" or d.tok_range(m.start, m.end)[-1] != k:
        return None
    start = d.tok_range(m.start, m.end)[0]
    if start == 0 or d.norm[start - 1] in PUNCT_STOP and d.norm[start - 1] != "،":
        return None  # at the sentence start subject_before reads it, with its role
    return Subject(speaker_of_mention(m, d), None, i + 1, start)


def subject_before(d: Doc, cue: int, known: list[Speaker] | None = None) -> Subject | None:
    """A subject opening the sentence before its verb: ``حمزة بيرقدار قال``, ``وكان (X) … قد أكد``."""
    s0, _ = d.sentence(d.toks[cue].start)
    i = d.tok_at(s0)
    # a clause start after a comma counts too ("…، لكنهم قالوا" is handled as a pronoun)
    while i < cue and (d.norm[i] in KAN or d.norm[i] in ("،", ",", "و")):
        i += 1  # (و كان: the conjunction typed apart)
    if i >= cue:
        return None
    m = d.mention_starting(i)
    if m is None or m.type not in ("PERS", "ORG"):
        # a description opening the sentence: وكانت الرئاسة اللبنانية قالت، وكان وزير … فلان قد أعلن
        sub = subject(d, i, cue, known or [])
        if sub is None or sub.speaker is None or cue - sub.end > 16 or d.comp_or_cue_between(sub.end, cue):
            return None
        return Subject(sub.speaker, sub.role, cue + 1, i)
    end = d.tok_range(m.start, m.end)[-1] + 1
    if cue - end > 16 or d.comp_or_cue_between(end, cue):
        return None
    sp = speaker_of_mention(m, d)
    role = None
    if sp.type == "PERS":
        role, _ = role_after(d, end, cue)
    sp.role = role
    return Subject(sp, role, cue + 1, i)


def previous_actor(d: Doc, cue: int) -> Speaker | None:
    """With no speaker met yet: the first person named in the sentence before the cue's
    (واستقبل كارلوس روساريو … . وأشاد … وأضاف أن …: the one who received is the one who speaks)."""
    if cue + 1 < len(d.norm) and d.norm[cue + 1].startswith("ال"):
        return None  # وأكد الحشد الشعبي: a subject is there, only unread
    s0, _ = d.sentence(d.toks[cue].start)
    for _ in range(2):  # the sentence before, or the one before that
        if s0 == 0:
            return None
        p0, p1 = d.sentence(s0 - 1)
        for k in range(d.tok_at(p0), min(d.tok_at(p1), d.tok_at(p0) + 6)):
            m = d.mention_starting(k)
            if m is not None and m.type == "PERS":
                return speaker_of_mention(m, d)
        s0 = p0
    return None


def sentence_subject(d: Doc, cue: int) -> Speaker | None:
    """A person or body opening the cue's sentence (after و/كان and a role with commas), if any."""
    s0, _ = d.sentence(d.toks[cue].start)
    i = d.tok_at(s0)
    while i < cue and (d.norm[i] in KAN or d.norm[i] == "و"):
        i += 1
    for k in range(i, min(cue, i + 8)):
        m = d.mention_starting(k)
        if m is not None and m.type in ("PERS", "ORG"):
            if d.comp_or_cue_between(k, cue) or d.comp_or_cue_between(i + 1, k):
                return None  # (a name after أن or a cue is inside what was said)
            return speaker_of_mention(m, d)
    # a body described after the sentence's first verb: اصدرت خلية الإعلام الأمني بيانا أوضحت فيه أن
    for k in range(i + 1, min(cue, i + 3)):
        if is_kind(d.norm[k], "org") and not d.comp_or_cue_between(k, cue) and not d.comp_or_cue_between(i + 1, k):
            sub = subject(d, k, cue, [])
            if sub is not None and sub.speaker is not None:
                return sub.speaker
    return None
