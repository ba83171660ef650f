"""Who said what: reported statements in Arabic news, with speaker, role, outlet and stance.

:func:`extract` finds every reporting cue (``khabar/data/reporting_verbs_ar.tsv``: قال، أكد، نفى،
مؤكداً، بالقول، بحسب …) and reads the construction around it:

* **Subject.** A finite verb's subject follows it (``قال حمزة بيرقدار``, ``وقال (حمزة بيرقدار)
  الناطق باسم …``, ``نفى "جيش الإسلام"``, ``قال وزير الإعلام، معمر الإرياني، إن``) or opens the
  sentence before it (``حمزة بيرقدار قال``, ``وكان (وائل علوان) … قد أكد``). A definite organisation
  word (``نفت الحركة``) is the last organisation mentioned whose name starts with that word; a role
  description (``وأشار الناطق الرسمي باسم فيلق الرحمن``) is the speaker earlier given that role. With
  no subject (``وأضاف``, ``قال لرويترز``) and for participles (مؤكداً، مشيراً) and ``وختم بالقول``
  the statement belongs to the last speaker.
* **Content.** Direct: the text inside quote marks (“ ” „ « » " ' ‹ ›, nested guillemets, unclosed
  quotes end with the paragraph) that follows the cue, its subject, a colon or إن/أن. Indirect: from
  after إن/أن/بأن/إلى أن (or a denial verb's object: ``نفى … ما تردد``) to the end of the sentence or
  the next cue (``، مؤكداً …``). Content that is mostly inside quote marks counts as direct.
  Attributions (``بحسب X``، ``وفقاً لـ X``) take their sentence, less the attribution.
* **Role**: the apposition after the speaker's name (``الناطق باسم هيئة أركان جيش الإسلام``), or the
  description before it, ending at a comma, في، عبر، خلال, إن/أن, a verb or an outlet.
* **Outlet**: ``لرويترز`` → رويترز, ``لأورينت نت``, ``لوكالة "إرنا"`` → إرنا, ``في حوار مع صحيفة X``.
* **Stance** (``khabar/data/quote_stance_ar.tsv``): ``denies`` when the cue is a denial verb (نفى،
  كذّب، أنكر، رفض …), when the content's first clause is negated (لا، لم، لن، ليس … within its first
  words, not litotes such as لا يستبعد or لا يزال), or when it holds a denial phrase (غير صحيح، عارٍ
  عن الصحة، لا أساس له من الصحة …); else ``asserts``.

``speaker`` is the linked entity (``Mention.entity``) when the speaker is a mention, else the
speaker phrase in matching form (:func:`khabar.text.arabic.normalize`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from khabar.analyse import entities as ents
from khabar.text.arabic import STOPWORDS, normalize, sentences, split_clitics, tokenize
from khabar.types import Mention, Statement

__all__ = ["extract", "quote_spans"]

# --- quote marks ---------------------------------------------------------------------------------

# family of each mark, and whether it opens, closes, or depends on context ("ambig")
_MARKS = {
    "“": ("curly", "open"), "”": ("curly", "close"), "„": ("curly", "open"),
    "«": ("guil", "open"), "»": ("guil", "close"),
    "‹": ("single", "open"), "›": ("single", "close"),
    '"': ("dq", "ambig"), "'": ("sq", "ambig"),
}


def _mark_role(text: str, i: int) -> str:
    """open / close / ambig for a symmetric mark, from what touches it."""
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    prev_gap = prev.isspace() or prev in "(:[،,"
    next_gap = nxt.isspace() or nxt in ".,،:;؛!?؟)]" or i + 1 >= len(text)
    if prev_gap and not next_gap:
        return "open"
    if next_gap and not prev_gap:
        return "close"
    return "ambig"


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Quoted spans as ``(open, close)`` offsets of their marks, content ``text[open + 1:close]``,
    sorted by opening mark (an outer quote before the quotes nested in it).

    Pairs are found per paragraph; guillemets and curly quotes nest; a straight ``"`` opens or
    closes by what touches it (a space before and a letter after opens). A quote still open at the
    paragraph's end closes there (``close`` is then the paragraph end, with no mark).

    >>> t = 'قال: «التقرير «أكد» ذلك» و"نعم"'
    >>> [t[a + 1:b] for a, b in quote_spans(t)]
    ['التقرير «أكد» ذلك', 'أكد', 'نعم']
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for para in text.split("\n"):
        stack: list[tuple[str, int]] = []  # (family, offset of the opening mark)
        for k, ch in enumerate(para):
            if ch not in _MARKS:
                continue
            i = pos + k
            fam, role = _MARKS[ch]
            if ch == "“" and any(f == "curly" and text[o] == "„" for f, o in stack):
                role = "close"  # German-style „…“
            if ch == "”" and not any(f == "curly" for f, _ in stack):
                role = "ambig"  # some outlets type ” for both ends
                fam = "dq"
            if fam in ("dq", "sq"):
                ctx = _mark_role(text, i)
                if fam == "sq" and ctx == "ambig":
                    continue  # an apostrophe inside a word
                open_same = any(f == fam for f, _ in stack)
                # a mark that clearly opens nests inside an open quote ("… التابعة "لقسد" …"); one
                # that could go either way closes an open quote, else opens
                role = ("close" if open_same else "open") if ctx == "ambig" else ctx
                if role == "close" and not open_same:
                    continue  # a stray closing mark
            if role == "open":
                stack.append((fam, i))
            elif role == "close":
                for d in range(len(stack) - 1, -1, -1):
                    if stack[d][0] == fam:
                        for _, o in stack[d + 1 :]:
                            spans.append((o, i))  # an inner quote left open closes with its outer one
                        spans.append((stack[d][1], i))
                        del stack[d:]
                        break
        end = pos + len(para.rstrip())
        for _, o in stack:
            if o + 1 < end:
                spans.append((o, end))
        pos += len(para) + 1
    spans.sort(key=lambda s: (s[0], -s[1]))
    return spans


# --- lexicons ------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _stance_cues() -> dict[str, list[tuple[str, ...]]]:
    raw = (resources.files("khabar") / "data" / "quote_stance_ar.tsv").read_text(encoding="utf-8")
    by: dict[str, list[tuple[str, ...]]] = {"particle": [], "phrase": [], "keep": []}
    for line in raw.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cue, kind = line.split("\t")[:2]
        by[kind.strip()].append(tuple(normalize(cue).split()))
    return by


@lru_cache(maxsize=1)
def _first_words() -> dict[str, list[tuple[str, ...]]]:
    """The stance phrases by their first word, so a text is scanned once, not once per phrase."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for ph in _stance_cues()["phrase"]:
        if ph:
            out.setdefault(ph[0], []).append(ph)
    return out


_W = frozenset  # short alias for the word sets below (all in matching form)
_COMPS = _W(normalize(w) for w in (
    "أن إن أنه إنه أنها إنها أنهم إنهم أنهما إنهما أننا إننا أنني إنني أنك بأن بأنه بأنها بأنهم بأنهما"
    " بأننا فإن").split())
_PREPS = _W(normalize(w) for w in (
    "في خلال عبر على علي مع عن أمام من إلى الى بعد قبل حول منذ لدى أثناء ضمن عند وسط حيال بشأن").split())
_TIME = _W(normalize(w) for w in (
    "اليوم أمس الأمس غدا مساء صباح ظهر ليلة الليلة فجر الأحد الاثنين الإثنين الثلاثاء الأربعاء الخميس"
    " الجمعة السبت مؤخرا سابقا لاحقا أيضا كذلك بدوره بدورها").split())
_NP_STOP = _W(normalize(w) for w in "الذي التي الذين اللذين أحد إحدى وهو وهي قد كان كانت ما كل أي".split())
_OBJ_START = _W(normalize(w) for w in "ما كل أي اي جميع وجود صحة عدم".split())
_OBJ_LEMMAS = _W(normalize(w) for w in "نفى كذب أنكر رفض دحض استبعد أكد شدد".split())
_ENDERS = (("حسب", "تعبيره"), ("حسب", "تعبيرها"), ("حسب", "قوله"), ("حسب", "قولها"), ("علي", "حد"))
_KAN = _W(normalize(w) for w in "كان كانت وكان وكانت فكان و لكن ولكن ثم بينما فيما حيث كما".split())
_PUNCT_STOP = frozenset("،,.:؛;!?؟")
_RELATIVE = _W(normalize(w) for w in "الذي التي الذين اللذين اللتين اللواتي اللاتي".split())


def _join_semicolons(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences with those ending in ؛ joined to the next on the same line: news writers use ؛
    where a comma belongs (قال فلان عضو المجلس؛ إن …)."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and text[out[-1][1] - 1] == "؛" and "\n" not in text[out[-1][1] : a]:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


# --- working view of the text --------------------------------------------------------------------


@dataclass
class _Speaker:
    name: str
    type: str | None
    role: str | None = None


class _Doc:
    """Tokens, normalized forms, mentions and quotes of one text, with index helpers."""

    def __init__(self, text: str, mentions: list[Mention]) -> None:
        self.text = text
        self.toks = tokenize(text, punct=True)
        self.norm = [normalize(t.text) for t in self.toks]
        self.starts = [t.start for t in self.toks]
        self.mentions = sorted(mentions, key=lambda m: (m.start, m.end))
        self.ment_of: dict[int, Mention] = {}
        for m in self.mentions:
            for i in self.tok_range(m.start, m.end):
                self.ment_of.setdefault(i, m)
        self.quotes = [self._name_quote_fix(o, c) for o, c in quote_spans(text)]
        self.quote_at = {o: (o, c) for o, c in self.quotes}
        self.sents = _join_semicolons(text, sentences(text))
        self.sent_starts = [a for a, _ in self.sents]

    def _name_quote_fix(self, o: int, c: int) -> tuple[int, int]:
        """A quote left open after a naming word (فضائية "الحدث اليوم، إن …) is a name missing its
        closing mark: it ends at the next comma, or after three words."""
        if c < len(self.text) and self.text[c] in _MARKS:
            return o, c  # closed
        i = self.tok_at(o)
        prev = split_clitics(self.norm[i - 1])[-1] if i > 0 else ""
        if not (ents.is_kind(prev, "outlet_head", "org") or prev == "اسم"):
            return o, c
        m = re.search(r"[،,.:؛]", self.text[o + 1 : c])
        end = o + 1 + m.start() if m else c
        words = list(re.finditer(r"\S+", self.text[o + 1 : end]))
        if len(words) > 3:
            end = o + 1 + words[2].end()
        return o, end

    def tok_range(self, a: int, b: int) -> range:
        i = bisect.bisect_left(self.starts, a)
        j = bisect.bisect_left(self.starts, b)
        return range(i, j)

    def tok_at(self, pos: int) -> int:
        """Index of the first token starting at or after ``pos``."""
        return bisect.bisect_left(self.starts, pos)

    def sentence(self, pos: int) -> tuple[int, int]:
        k = bisect.bisect_right(self.sent_starts, pos) - 1
        if k < 0:
            return 0, len(self.text)
        return self.sents[k]

    def bare(self, i: int) -> str:
        """Token ``i`` normalized, without a proclitic و/ف (where :func:`split_clitics` finds one)."""
        n = self.norm[i]
        if len(n) > 3 and n[0] in "وف" and split_clitics(n)[0] in ("و", "ف"):
            return n[1:]
        return n

    def is_word(self, i: int) -> bool:
        return 0 <= i < len(self.toks) and self.toks[i].text[:1].isalnum()

    def mention_starting(self, i: int) -> Mention | None:
        """A PERS/ORG/LOC mention starting at token ``i``, or bracketed/quoted there on its own
        (``(حمزة بيرقدار)``, ``"جيش الإسلام"``) - not a name opening a quoted sentence."""
        m = self.ment_of.get(i)
        if m is not None and m.type in ("PERS", "ORG", "LOC") and self.tok_range(m.start, m.end)[0] == i:
            return m
        if i + 1 >= len(self.toks) or self.toks[i].text not in "(\"'[«“„‹”":
            return None
        m = self.ment_of.get(i + 1)
        if m is None or m.type not in ("PERS", "ORG", "LOC") or self.tok_range(m.start, m.end)[0] != i + 1:
            return None
        q = self.quote_at.get(self.toks[i].start)
        close = q[1] if q is not None else self.text.find(")", m.end)
        # the brackets or quote marks must close right after the name
        if close < 0 or self.text[m.end : close].strip(" \u0640.،,"):
            return None
        return m

    def quote_opening_at(self, i: int) -> tuple[int, int] | None:
        if i >= len(self.toks):
            return None
        return self.quote_at.get(self.toks[i].start)

    def in_quote(self, pos: int, min_words: int = 3) -> tuple[int, int] | None:
        best = None
        for o, c in self.quotes:
            if o < pos < c and len(self.text[o + 1 : c].split()) >= min_words:
                if best is None or c - o < best[1] - best[0]:
                    best = (o, c)
        return best


def _is_speech_quote(d: _Doc, q: tuple[int, int], i: int) -> bool:
    """A quote that carries speech, not a quoted name (``"جيش الإسلام"``, ``«صدى البلد»``)."""
    inner = d.text[q[0] + 1 : q[1]]
    words = inner.split()
    if len(words) < 3:
        return False
    first = normalize(words[0])
    prev = split_clitics(d.bare(i - 1))[-1] if i > 0 else ""  # ببرنامج "…" → برنامج
    # a quoted name after its head noun: كتائب "عز الدين القسام"، صحيفة "دير شبيغل"، باسم "…"
    if len(words) <= 5 and (ents.is_kind(first, "org") or prev == "باسم"
                            or ents.is_kind(prev, "outlet_head", "org", "role")):
        return False
    inside = [m for m in d.mentions if q[0] < m.start and m.end <= q[1] + 1]
    if inside and len(words) <= 5 and sum(len(m.text.split()) for m in inside) >= len(words) - 1:
        return False
    return True


# --- speaker, role, outlet -----------------------------------------------------------------------


def _clean(s: str) -> str:
    return " ".join("".join(" " if c in "\"'«»“”„‹›()[]" else c for c in s).split()).strip(" ،,-")


def _resolve_description(d: _Doc, words: list[str], before: int, known: list[_Speaker]) -> _Speaker | None:
    """A definite organisation word (الحركة) or a role already given to a speaker (الناطق باسم …)."""
    if not words:
        return None
    head = words[0]
    if len(words) == 1 and head.startswith("ال") and ents.is_kind(head, "org"):
        for m in reversed([m for m in d.mentions if m.start < before and m.type == "ORG"]):
            first = m.entity.split()[0] if m.entity else ""
            if first == head[2:] and len(m.entity.split()) > 1:
                return _Speaker(m.entity, "ORG")
    phrase = " ".join(words)
    if ents.is_kind(head, "role"):
        for sp in reversed(known):
            if not sp.role:
                continue
            r = normalize(_clean(sp.role))
            if r == phrase or len(words) >= 2 and len(r.split()) >= 2 and (phrase.startswith(r) or r.startswith(phrase)):
                return sp
    return None


def _np_end(d: _Doc, i: int, limit: int, allow_fi: bool) -> int:
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
        if n in _PUNCT_STOP or n in _COMPS or n in _NP_STOP or n in _TIME or ents.cue_of(n):
            break
        m = d.mention_starting(j)
        if m is not None and m.type == "PERS":
            return d.tok_range(m.start, m.end)[-1] + 1
        if n in _PREPS:
            nxt = d.bare(j + 1) if j + 1 < limit else ""
            if not (allow_fi and n == "في" and not ents.is_kind(nxt, "medium")):
                break
            open_construct = True
            j += 1
            continue
        if _outlet_at(d, j, limit) is not None:
            break
        if d.toks[j].text in "«“„‹\"”(":
            q = d.quote_opening_at(j)
            if q is not None and _is_speech_quote(d, q, j):
                break
            if q is not None:  # a quoted name inside the phrase: باسم "أحرار الشام"
                j = d.tok_at(q[1]) + 1
                open_construct = False
                continue
        if not d.is_word(j):
            break
        if n == "باسم" or n in ents.lexicon("title"):
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


def _role_after(d: _Doc, i: int, limit: int) -> tuple[str | None, int]:
    """The apposition after a speaker's name starting at token ``i``: ``(role, end index)``."""
    j = i
    # step over the marks closing the name: (حمزة بيرقدار) / "جيش الإسلام" / «حسب الله»
    while j < limit and (d.toks[j].text in ")»”›]" or (d.toks[j].text in "\"'" and d.quote_opening_at(j) is None)):
        j += 1
    k = j
    if k < limit and d.norm[k] in ("،", ",") and k + 1 < limit and ents.is_kind(d.norm[k + 1], "role"):
        k += 1
    if not (k < limit and ents.is_kind(d.norm[k], "role")):
        return None, j
    e = k + 1
    while e < limit and e - k < 12:
        n = d.norm[e]
        if n in _PUNCT_STOP or n in _COMPS or n in _NP_STOP or n in _TIME or ents.cue_of(n):
            break
        if n in _PREPS and n != "باسم":
            break
        if _outlet_at(d, e, limit) is not None:
            break
        if d.toks[e].text in "«“„‹\"”" and (q := d.quote_opening_at(e)) and _is_speech_quote(d, q, e):
            break
        e += 1
    role = _clean(d.text[d.toks[k].start : d.toks[e - 1].end])
    # a comma-closed role (، عضو مجلس إدارة …،) is skipped with its closing comma
    if e < limit and d.norm[e] in ("،", ",") and k > j:
        e += 1
    return role or None, e


def _plain(d: _Doc, k: int) -> bool:
    """Token ``k`` can be part of a name written after ل or an outlet head (not a function word)."""
    n = d.norm[k]
    return (d.is_word(k) or n in ("-", "+")) and not (
        n in _COMPS or n in _PREPS or n in STOPWORDS or n in _TIME or ents.cue_of(n)
    )


def _outlet_name(d: _Doc, j: int, limit: int) -> tuple[str, int] | None:
    """The outlet name starting at token ``j``: quoted, or up to three words before an adjective."""
    if j >= limit:
        return None
    q = d.quote_opening_at(j)
    if q is not None:
        return _clean(d.text[q[0] + 1 : q[1]]), d.tok_at(q[1]) + 1
    k = j
    while k < limit and k - j < 3 and _plain(d, k):
        if k > j and d.norm[k].startswith("ال") and not ents.is_kind(d.norm[k], "outlet"):
            break  # an adjective after the name (الألمانية)
        k += 1
    if k == j:
        return None
    return _clean(d.text[d.toks[j].start : d.toks[k - 1].end]), k


def _outlet_at(d: _Doc, i: int, limit: int) -> tuple[str, int] | None:
    """An outlet named at token ``i`` (``لرويترز``, ``لوكالة "إرنا"``, ``مع صحيفة X``): ``(name, end)``."""
    n = d.norm[i]
    if d.toks[i].text.rstrip("\u0640") == "ل":
        return _outlet_name(d, i + 1, limit)  # لـ "X", لـCNN
    if n == "مع" and i + 1 < limit and ents.is_kind(d.norm[i + 1], "outlet_head"):
        return _outlet_name(d, i + 2, limit)  # في حوار مع صحيفة X
    if not d.is_word(i):
        return None
    parts = split_clitics(n)
    if len(parts) != 2 or parts[0] != "ل":
        return None
    rest = parts[1]
    if ents.is_kind(rest, "outlet_head"):
        return _outlet_name(d, i + 1, limit)  # لوكالة X، لصحيفة X، لقناة X
    if rest in ents.lexicon("not_outlet") or rest in STOPWORDS or ents.is_kind(
        rest, "role", "source", "org", "medium", "doc", "title"
    ):
        return None
    if rest.startswith("ال") and rest not in ents.lexicon("outlet"):
        return None  # ل + a common noun (للصحفيين، للمواطنين): an audience, not an outlet
    # ل + the name itself: لرويترز، لأورينت نت، للجزيرة
    k = i + 1
    while k < limit and k - i < 3 and _plain(d, k) and not d.norm[k].startswith("ال") \
            and split_clitics(d.norm[k])[0] != "ل":
        k += 1
    name = d.text[d.toks[i].start + 1 : d.toks[k - 1].end].lstrip("\u0640")
    if d.toks[i].text.startswith("لل"):
        name = "ا" + name  # للجزيرة = ل + الجزيرة, the alef dropped in writing
    return _clean(name), k


def _speaker_of_mention(m: Mention) -> _Speaker:
    typ = "ORG" if m.type in ("ORG", "LOC") else "PERS"  # a country or city speaks for its government
    return _Speaker(m.entity or normalize(m.text), typ)


@dataclass
class _Subject:
    speaker: _Speaker | None
    role: str | None
    end: int  # token index after the subject (and its role)
    start: int


def _subject(d: _Doc, i: int, limit: int, known: list[_Speaker], lam: bool = False) -> _Subject | None:
    """The explicit subject right after a finite cue (tokens ``i``..``limit``), or None.

    ``lam``: the first word carries the preposition ل (``وفقاً للمتحدث``), which is not part of it.
    """
    if i >= limit:
        return None
    j = i
    while j < limit and d.norm[j] in ents.lexicon("title"):
        j += 1
    if _outlet_at(d, j, limit) is not None:
        return None  # وقال لرويترز: an outlet, even where the tagger calls it an organisation
    m = d.mention_starting(j)
    if m is not None and m.type == "PERS" and ents.is_kind(m.text.split()[0], "role"):
        # a tagger "name" that is a role (أمين سر): read the phrase, the name may follow it
        nxt = _np_end(d, j, limit, False)
        if any(d.mention_starting(k) not in (None, m) for k in range(j + 1, min(limit, nxt + 4))):
            m = None
    if m is not None:
        sp = _speaker_of_mention(m)
        end = d.tok_range(m.start, m.end)[-1] + 1
        role, after = (None, end)
        if sp.type == "PERS":
            role, after = _role_after(d, end, limit)
        sp.role = role
        return _Subject(sp, role, after, i)
    b = d.bare(j)
    if lam and split_clitics(b)[0] == "ل":
        b = split_clitics(b)[-1]
    if d.norm[j] in _COMPS or b in _PREPS or b in _TIME or not d.is_word(j):
        return None
    if b in ("احد", "احدي") and j + 1 < limit and ents.is_kind(d.norm[j + 1], "source", "role"):
        b = d.norm[j + 1]  # أحد سكان البلدة، أحد المسؤولين: the phrase starts at أحد
    elif not ents.is_kind(b, "role", "source", "org", "doc"):
        return None
    allow_fi = ents.is_kind(b, "source", "org") and not ents.is_kind(b, "doc")
    e = _np_end(d, j, limit, allow_fi)
    # a description then the name: وزير الإعلام اليمني، معمر الإرياني، / وزير الشباب الدكتور أشرف صبحي
    for k in range(j + 1, e):
        mk = d.mention_starting(k)
        if mk is not None and mk.type == "PERS":
            role = _clean(d.text[d.toks[j].start : d.toks[k - 1].end])
            words = role.split()
            while words and normalize(words[-1]) in ents.lexicon("title"):
                words.pop()
            sp = _speaker_of_mention(mk)
            sp.role = " ".join(words) or None
            end = d.tok_range(mk.start, mk.end)[-1] + 1
            return _Subject(sp, sp.role, end, i)
    if e < limit and d.norm[e] in ("،", ","):
        k = e + 1
        while k < limit and d.norm[k] in ents.lexicon("title"):
            k += 1
        mk = d.mention_starting(k)
        if mk is not None and mk.type == "PERS":
            sp = _speaker_of_mention(mk)
            sp.role = _clean(d.text[d.toks[j].start : d.toks[e - 1].end]) or None
            end = d.tok_range(mk.start, mk.end)[-1] + 1
            if end < limit and d.norm[end] in ("،", ","):
                end += 1
            return _Subject(sp, sp.role, end, i)
    words = [normalize(w) for w in _clean(d.text[d.toks[j].start : d.toks[e - 1].end]).split()]
    if words:
        parts = split_clitics(words[0])
        words[0] = parts[-1] if len(parts) > 1 and (parts[0] in "وف" or lam and parts[0] == "ل") else words[0]
    res = _resolve_description(d, words, d.toks[j].start, known)
    if res is not None:
        return _Subject(res, res.role, e, i)
    if ents.is_kind(b, "org"):
        typ: str | None = "ORG"
    elif ents.is_kind(b, "role", "source"):
        typ = "PERS"
    else:
        typ = "ORG" if ents.is_kind(b, "doc") else None
    role = None
    if ents.is_kind(b, "role") and not ents.is_kind(b, "source"):
        role = _clean(d.text[d.toks[j].start : d.toks[e - 1].end])
    return _Subject(_Speaker(" ".join(words), typ, role), role, e, i)


def _subject_before(d: _Doc, cue: int) -> _Subject | None:
    """A subject opening the sentence before its verb: ``حمزة بيرقدار قال``, ``وكان (X) … قد أكد``."""
    s0, _ = d.sentence(d.toks[cue].start)
    i = d.tok_at(s0)
    # a clause start after a comma counts too ("…، لكنهم قالوا" is handled as a pronoun)
    while i < cue and (d.norm[i] in _KAN or d.norm[i] in ("،", ",")):
        i += 1
    if i >= cue:
        return None
    m = d.mention_starting(i)
    if m is None or m.type not in ("PERS", "ORG"):
        return None
    end = d.tok_range(m.start, m.end)[-1] + 1
    between = [n for n in d.norm[end:cue]]
    if len(between) > 16 or any(n in _COMPS or ents.cue_of(n) for n in between):
        return None
    sp = _speaker_of_mention(m)
    role = None
    if sp.type == "PERS":
        role, _ = _role_after(d, end, cue)
    sp.role = role
    return _Subject(sp, role, cue + 1, i)


# --- content and stance --------------------------------------------------------------------------


def _stance(content: str, lemma_stance: str, own: str = "") -> str:
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
        c = ents.cue_of(w)
        if c is None or c[1] != "denies" or c[2] != "verb":
            continue
        # "ننفي …" or "<the speaker's body> ينفي …": the speaker denies through the content
        bare = w[1:] if w[0] in "وف" and ents.cue_of(w[1:]) else w
        if bare.startswith("ن") or (k > 0 and all(x.removeprefix("ال") in own_words for x in words[:k])):
            return "denies"
    clause = []
    for w in words[:6]:
        # the first clause ends at a relative pronoun, a conjunction of time or condition, or a
        # preposition (the negation is then inside a phrase: وافقتا على خفض لم يسبق له مثيل)
        if w in ("الذي", "التي", "الذين", "ما", "من", "حين", "عندما", "اذا", "لو") or w in _PREPS:
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


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and (text[a].isspace() or text[a] in "،,:"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in "،,.:؛;"):
        b -= 1
    return a, b


def _content_end(d: _Doc, start: int, cues_after: list[int]) -> int:
    """Where indirect content starting at char ``start`` ends: sentence end or the next cue clause."""
    _, s_end = d.sentence(start)
    # a quote opened in the content that runs past the sentence end carries it on
    for o, c in d.quotes:
        if start <= o < s_end < c:
            s_end = max(s_end, c + 1)
    end = s_end
    for ci in cues_after:
        p = d.toks[ci].start
        if start < p < end:
            end = p
            break
    i = d.tok_at(start)
    while i < len(d.toks) and d.toks[i].start < end:
        if d.norm[i] in ("،", ",") and i + 2 < len(d.toks):
            pair = (d.bare(i + 1), d.norm[i + 2])
            if pair in _ENDERS or (d.bare(i + 1) in ("حسب", "بحسب") and i + 2 < len(d.toks)):
                end = min(end, d.toks[i].start)
                break
        i += 1
    return end


# --- main ----------------------------------------------------------------------------------------


def extract(text: str, mentions: list[Mention] | None = None) -> list[Statement]:
    """Statements reported in ``text`` (offsets into ``text``), in text order.

    ``mentions`` are the article's linked mentions (:func:`khabar.analyse.entities.extract`); they are
    computed when not given.

    >>> ms = [Mention("حمزة بيرقدار", "PERS", 4, 16, "حمزه بيرقدار")]
    >>> [(s.speaker, s.text, s.stance) for s in extract("قال حمزة بيرقدار إن المفاوضات لم تبدأ.", ms)]
    [('حمزه بيرقدار', 'المفاوضات لم تبدأ', 'denies')]
    """
    if not text.strip():
        return []
    if mentions is None:
        mentions = ents.extract(text)
    d = _Doc(text, mentions)
    cues: list[tuple[int, tuple[str, str, str, bool]]] = []
    for i, t in enumerate(d.toks):
        if not d.is_word(i):
            continue
        m = d.ment_of.get(i)
        if m is not None and m.type in ("PERS", "ORG"):
            continue  # a cue word inside a name (حسب الله)
        c = ents.cue_of(t.text)
        if c is None:
            continue
        # impersonal "it is noted that" (يذكر أن، ويذكر أن), not a statement
        if d.bare(i) == "يذكر" and i + 1 < len(d.toks) and d.norm[i + 1] in _COMPS:
            continue
        if c[2] == "prep" and i + 1 < len(d.toks) and (d.bare(i), d.norm[i + 1]) in _ENDERS:
            continue
        if c[0] == "لسان" and (i == 0 or d.norm[i - 1] not in ("علي", "على")):
            continue  # only على لسان X
        # after a preposition or a relative pronoun the word is a noun or a relative clause's verb:
        # حول رفض رئيس الجمهورية، التقارير التي تفيد بأن
        prev = d.norm[i - 1] if i > 0 else ""
        if c[2] in ("verb", "participle") and (prev in _PREPS or prev in _RELATIVE):
            continue
        cues.append((i, c))
    cue_idx = [i for i, _ in cues]
    out: list[Statement] = []
    known: list[_Speaker] = []
    consumed: list[tuple[int, int]] = []
    last: _Speaker | None = None
    skip: set[int] = set()

    def later_cues(i: int) -> list[int]:
        return [j for j in cue_idx if j > i and j not in skip and _clause_cue(d, j)]

    for i, (lemma, lstance, kind, strict) in cues:
        if i in skip:
            continue
        pos = d.toks[i].start
        if any(a <= pos < b for a, b in consumed) or d.in_quote(pos):
            continue
        # inside an earlier statement's content a cue that opens no clause is part of that content
        if any(st.start <= pos < st.end for st in out) and not _clause_cue(d, i):
            continue
        s_start, s_end = d.sentence(pos)
        limit = d.tok_at(s_end)
        if kind == "prep":
            st = _attribution(d, i, limit, known, skip)
            if st is not None:
                out.append(st)
                if st.speaker:
                    last = _Speaker(st.speaker, st.speaker_type)
            continue
        outlet = None
        outlet_sure = False
        sub: _Subject | None = None
        j = i + 1
        if kind == "relay":
            sub, outlet, j = _relay(d, i, limit, known)
            if sub is None:
                continue
        elif kind == "verb":
            if j < limit and d.norm[j] == "قد":
                j += 1
            sub = _subject(d, j, limit, known)
            if sub is None:
                sub = _subject_before(d, i)
                if sub is not None:
                    sub = _Subject(sub.speaker, sub.role, j, sub.start)
            if sub is not None:
                j = sub.end
        # the zone up to the content: adverbials, the outlet, a medium (في بيان) …
        opener = None
        k = j
        if lemma == "ابلغ" and sub is not None and k < limit:
            m_to = d.mention_starting(k)
            if m_to is not None and m_to.type == "ORG" or "org" in ents.gaz_labels(d.toks[k].text):
                outlet = d.toks[k].text if m_to is None else m_to.text  # أبلغ مسؤول رويترز أن
                k = k + 1 if m_to is None else d.tok_range(m_to.start, m_to.end)[-1] + 1
        nxt_cues = later_cues(i)
        stop = min([limit] + [c for c in nxt_cues if c > i])
        # a participle's content follows at once (مؤكداً أن، مشيراً إلى أن، داعياً "…")
        zone_max = 6 if kind in ("participle", "masdar") else 30
        while k < stop and k - j < zone_max:
            n = d.norm[k]
            if n in _COMPS:
                opener = ("comp", k + 1)
                break
            if n == ":" and (kind not in ("participle", "masdar") or k == j):
                opener = ("colon", k + 1)
                break
            if n == "بالقول" or d.bare(k) == "بالقول":
                opener = ("comp", k + 1)
                break
            q = d.quote_opening_at(k)
            if q is not None and _is_speech_quote(d, q, k):
                opener = ("quote", k)
                break
            if not outlet_sure and (o := _outlet_at(d, k, stop)) is not None:
                # a named kind of outlet (لوكالة "سبوتنيك") beats a bare ل + word met before it
                # (لدواعي عسكرية)
                sure = not (split_clitics(d.norm[k])[0] == "ل" and len(split_clitics(d.norm[k])) == 2
                            and not ents.is_kind(split_clitics(d.norm[k])[1], "outlet_head", "outlet"))
                if outlet is None or sure:
                    outlet, outlet_sure = o[0], sure
                k = o[1]
                continue
            if lemma in _OBJ_LEMMAS and (n in _OBJ_START or d.bare(k) in _OBJ_START) and k >= j:
                opener = ("object", k)
                break
            if k == j and lstance == "denies" and d.is_word(k) and sub is not None and not (
                d.bare(k) in _PREPS or n in _TIME or n in _NP_STOP or ents.cue_of(n)
            ):
                opener = ("object", k)  # a denial's object right after its subject: نفت الحركة اجراء …
                break
            k += 1
        if opener is None and sub is not None and sub.speaker is not None and kind == "verb":
            # no content, but the subject is now the one speaking (وكشف المتحدث عن … وأوضح أن …)
            last = sub.speaker
        if opener is None:
            if lemma in _OBJ_LEMMAS and kind in ("verb", "participle") and j < stop and (
                lstance == "denies" or (j < stop and d.bare(j) in ("علي", "على"))
            ):
                start_tok = j + 1 if d.bare(j) in ("علي", "على") else j
                while start_tok < stop and d.norm[start_tok] in _PUNCT_STOP:
                    start_tok += 1
                if start_tok >= stop:
                    continue
                opener = ("object", start_tok)
            else:
                continue
        if strict and sub is None and kind == "verb" and (opener[0] == "object" or opener[1] > j + 1):
            continue  # a word often a noun (تابع للجيش) is a cue only with a subject or إن/أن/: at once
        kind_o, ct = opener
        # where the content starts (a character offset)
        if ct >= len(d.toks):
            continue
        cstart = d.toks[ct].start
        direct = False
        q = d.quote_opening_at(ct)
        # content that opens with a quote is that quote (two words suffice after إن/أن/:)
        if q is not None and (kind_o == "quote" or len(d.text[q[0] + 1 : q[1]].split()) >= 2):
            a, b = q[0] + 1, q[1]
            direct = True
        else:
            a = cstart
            b = _content_end(d, a, nxt_cues)
            # mostly inside quote marks → direct, ending at the last quote's close
            inside = [(o, c) for o, c in d.quotes if a <= o and c <= b + 1 and o < b]
            covered = sum(c - o for o, c in inside if not any(o2 < o and c <= c2 for o2, c2 in inside))
            if inside and covered * 2 >= (b - a):
                direct = True
                b = max(c for _, c in inside)
        a, b = _trim(d.text, a, b)
        if b - a < 2:
            continue
        if sub is not None and sub.speaker is not None:
            sp = sub.speaker
            if sp.role:
                known.append(sp)
            elif not any(s.name == sp.name for s in known):
                known.append(sp)
            else:
                sp = next(s for s in known if s.name == sp.name)
        else:
            sp = last
            if kind in ("verb", "participle"):
                # "وكان الرئيس الأميركي، دونالد ترمب، قد بدأ … وأعلن أن", "خاطب تبون شعبه مؤكداً أن":
                # the sentence's own subject
                sp = _sentence_subject(d, i) or sp
        role = sub.role if sub is not None else None
        if role is None and sp is not None and sub is not None:
            role = sp.role
        content = d.text[a:b]
        out.append(Statement(
            speaker=sp.name if sp else None,
            text=content,
            start=a,
            end=b,
            direct=direct,
            verb=d.toks[i].text,
            stance=_stance(content, lstance, " ".join(x for x in (sp.name if sp else "", role or "") if x)),
            role=role,
            outlet=outlet,
            speaker_type=sp.type if sp else None,
        ))
        if direct:
            consumed.append((a, b))
        if sp is not None:
            last = sp
    out.sort(key=lambda s: s.start)
    return out


def _clause_cue(d: _Doc, j: int) -> bool:
    """Does the cue at token ``j`` open a new clause (so indirect content before it ends there)?"""
    c = ents.cue_of(d.toks[j].text)
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
        if not (nxt in _COMPS or nxt == ":" or d.quote_opening_at(j + 1) or d.mention_starting(j + 1)
                or ents.is_kind(nxt, "role", "source", "title")):
            return False
    if prev.startswith("لكن") or prev.startswith("ولكن"):
        return True  # …، لكنهم قالوا إن
    return n[0] in "وف" or prev in ("،", ",", "كما", "ثم") or c[2] == "prep" and prev in ("،", ",")


def _sentence_subject(d: _Doc, cue: int) -> _Speaker | None:
    """A person or body opening the cue's sentence (after و/كان and a role with commas), if any."""
    s0, _ = d.sentence(d.toks[cue].start)
    i = d.tok_at(s0)
    while i < cue and d.norm[i] in _KAN:
        i += 1
    for k in range(i, min(cue, i + 8)):
        m = d.mention_starting(k)
        if m is not None and m.type in ("PERS", "ORG"):
            if any(n in _COMPS or ents.cue_of(n) for n in d.norm[k:cue]):
                return None
            return _speaker_of_mention(m)
    return None


def _relay(d: _Doc, i: int, limit: int, known: list[_Speaker]) -> tuple[_Subject | None, str | None, int]:
    """``نقلت وكالة X عن Y (قوله) …``: the subject is Y, the outlet X."""
    for k in range(i + 1, min(limit, i + 10)):
        if d.norm[k] == "عن":
            outlet = _clean(d.text[d.toks[i + 1].start : d.toks[k - 1].end]) if k > i + 1 else None
            if outlet:
                ws = outlet.split()
                if ws and ents.is_kind(ws[0], "outlet_head") and len(ws) > 1:
                    outlet = " ".join(ws[1:])
            sub = _subject(d, k + 1, limit, known)
            if sub is None:
                return None, None, i + 1
            end = sub.end
            if end < limit and d.bare(end) in ("قوله", "قولها", "قولهم"):
                end += 1
            return _Subject(sub.speaker, sub.role, end, sub.start), outlet, end
    return None, None, i + 1


def _attribution(d: _Doc, i: int, limit: int, known: list[_Speaker], skip: set[int]) -> Statement | None:
    """``بحسب X`` / ``وفقاً لـ X`` / ``نقلاً عن X`` / ``على لسان X``: the sentence, less the attribution."""
    s_start, s_end = d.sentence(d.toks[i].start)
    j = i + 1
    if j < limit and d.norm[j] in ("ل", "لـ", "عن", "لسان", "لما"):
        j += 1
    if j < limit and d.norm[j] == "ما":
        j += 1
        c = ents.cue_of(d.norm[j]) if j < limit else None
        if c is None:
            return None
        skip.add(j)
        j += 1
    # وفقاً للمتحدث، طبقاً لبيان …: the ل sits on the speaker's first word
    lam = d.bare(i) in ("وفقا", "طبقا") and j == i + 1
    sub = _subject(d, j, limit, known, lam)
    if sub is None:
        return None
    # the attribution at the sentence start: content after it; at the end: before it; else all of it
    attr_start = d.toks[i].start
    k = sub.end
    while k < limit and (d.norm[k] in _PUNCT_STOP or d.norm[k] in _TIME):
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
        verb=d.toks[i].text, stance=_stance(content, "asserts"), role=sub.role, outlet=None,
        speaker_type=sp.type if sp else None,
    )
