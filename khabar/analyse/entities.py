"""Named entities of one article: the NER tagger's mentions, news-specific rule repairs, and linking.

:func:`extract` runs the CRF tagger (:mod:`khabar.analyse.ner`), repairs what it misses in the constructions
news uses to introduce speakers and organisations, and links the mentions of one entity in one
article under one canonical ``Mention.entity`` (:mod:`khabar.analyse.linking`).

Rule repairs (each adds a mention; a rule mention replaces overlapping tagger mentions unless a
tagger mention of the same type already covers it):

1. A name in parentheses or quote marks right after a reporting verb is a speaker: ``وقال (حمزة
   بيرقدار)``, ``ونفى (الفارس)``, ``وأضاف «حسب الله»``. PERS, or ORG when it starts with an
   organisation head word (``نفى "جيش الإسلام"``).
2. A title and the 1-3 name words after it: ``الدكتور صلاح حسب الله``, ``اللواء حسن ناجي`` (PERS,
   title left out).
3. After a reporting verb, 1-3 name words followed by a role (``قال حمزة بيرقدار المتحدث …``,
   ``وقال محمد عبد العال، عضو …``), by إن/أن, a comma, a colon or an outlet (``وتابع ظريف أن``), or
   by a preposition when the name is one word or starts with a known first name: PERS. After verbs
   that are often nouns (كشف، رفض، ذكر …) only a following role counts. Stopwords, role,
   organisation and source words, places and countries are never taken as names.
4. A role then a name between commas, after a reporting verb or opening a clause (``وقال وزير الإعلام
   اليمني، معمر الإرياني، إن``, ``وكان الرئيس الأميركي، دونالد ترمب، قد …``), or after a reporting
   verb a role and its ال words then a 2-3 word name before إن/أن/،/: (``رأى وزير الخارجية الإيراني
   محمد جواد ظريف أن``, ``قال الإعلامي مصطفى بكري، إن``): PERS.
5. A quoted span of 1-6 words starting with an organisation head word (جيش، حركة، هيئة، فيلق …),
   or any quoted name after ``باسم``: ORG (``"هيئة أركان جيش الإسلام"``, ``باسم "أحرار الشام"``).
   ``باسم`` followed by an unquoted head word takes up to three more words (``باسم جيش الإسلام``).
6. A multi-word place or organisation name from the gazetteer (``الغوطة الشرقية``, ``مجلس الأمن``):
   LOC or ORG, so that a place the tagger cuts short or misses is whole.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, pairwise
from operator import itemgetter
from typing import Any, Protocol

from khabar.analyse.bounds import analysed_part
from khabar.analyse.cues import cue_of, is_kind, kind_words
from khabar.analyse.gazetteer import labels, load_gazetteer
from khabar.analyse.linking import link
from khabar.text.arabic import (
    STOPWORDS,
    Token,
    normalize,
    split_clitics,
    tokenize,
    tokens_normalized,
    unvocalized,
)
from khabar.text.lexicon import COMPS, KAN, NAME_COLLIDE, NAME_PARTICLES, NP_STOP, PREPS
from khabar.types import Mention

__all__ = ["NullTagger", "entities_summary", "extract", "repair"]

log = logging.getLogger(__name__)



class _Tagger(Protocol):
    def tag(self, text: str) -> list[Mention]: ...


class NullTagger:
    """A tagger that finds nothing: :func:`extract` then gives the rule mentions alone."""

    def tag(self, text: str) -> list[Mention]:
        return []


# --- the tagger ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _default_tagger() -> _Tagger:
    try:
        from khabar.analyse.ner import load_tagger

        return load_tagger()
    except (ImportError, FileNotFoundError, OSError) as e:
        # Rules still find speakers and quoted organisations; say once why the CRF is missing.
        log.warning("NER tagger unavailable (%s): using rule mentions only", e)
        return NullTagger()


def extract(text: str, tagger: _Tagger | None = None) -> list[Mention]:
    """Mentions in ``text``: tagger mentions plus rule repairs, linked within the article.

    Only the first :data:`~khabar.analyse.bounds.MAX_ANALYSED_CHARS` characters are read.
    ``tagger`` is anything with ``tag(text) -> list[Mention]``; by default the shipped CRF
    (:func:`khabar.analyse.ner.load_tagger`), or no tagger (rules only) when its model is missing.

    >>> ms = extract('وقال (حمزة بيرقدار) الناطق باسم "جيش الإسلام" إن … ونفى (بيرقدار) ذلك.', NullTagger())
    >>> sorted({(m.text, m.entity) for m in ms if m.type == "PERS"})
    [('بيرقدار', 'حمزه بيرقدار'), ('حمزة بيرقدار', 'حمزه بيرقدار')]
    """
    text = analysed_part(text)  # the cost bound (khabar.analyse.bounds)
    if not text.strip():
        return []
    base = (tagger or _default_tagger()).tag(text)
    return link(text, repair(text, base))


# --- rule repairs --------------------------------------------------------------------------------

_START = itemgetter(1)  # Token.start, for bisection
_OPEN = {"(": ")", '"': '"', "«": "»", "“": "”", "„": "“", "‹": "›", "'": "'", "”": "”"}
# titles that are also common nouns (the team, the pioneer, the father, owner): a name after them
# must start with a known first name
_AMBIGUOUS_TITLES = frozenset(normalize(w) for w in "الفريق الرائد الأب صاحب".split())



def _is_ar_word(tok: Token) -> bool:
    return bool(tok.text) and "\u0600" <= tok.text[0] <= "\u06ff" and tok.text[0].isalpha()


def _name_word(tok: Token, first: bool, cue_ok: bool = False) -> bool:
    """Can this token be part of a person's name (not a function, role, place or cue word)?"""
    return _is_name_word(tok.text, first, cue_ok)


@lru_cache(maxsize=200_000)  # the rules ask of the same words over and over: the answer depends on the word only
def _is_name_word(word: str, first: bool, cue_ok: bool) -> bool:
    """:func:`_name_word` of the token's text."""
    if not (word and "\u0600" <= word[0] <= "\u06ff" and word[0].isalpha()):
        return False
    n = normalize(word)
    raw = unvocalized(word)
    if not first and (n in NAME_PARTICLES | {"الله"} or raw in NAME_COLLIDE):
        return True
    parts = split_clitics(n)
    if len(parts) > 1 and parts[-1].startswith("ال"):
        return False  # a name takes no proclitic before ال (للفوز، بالقاهرة، والحكومة)
    if raw not in NAME_COLLIDE:
        if len(n) < 2 or {n, parts[-1]} & (STOPWORDS | PREPS | COMPS | NP_STOP):
            return False
    if first and n.startswith("ال"):
        return False  # a first name does not start with ال; a surname may (الإرياني)
    if is_kind(n, "role", "org", "source", "doc", "medium", "title", "outlet_head"):
        return False
    if first and len(parts) > 1 and parts[-2] in ("ل", "ك") and "first_name" not in labels(word):
        return False  # لوزارة: a preposition on the first word (names such as لؤي are listed; ب
        # starts too many names - بشار، برهوم - to be read as one)
    if cue_of(n) and not (cue_ok or (not first and cue_of(n)[2] == "prep")):
        return False
    if labels(word) & {"country", "place", "nationality", "currency"}:
        return False
    return True


def _name_run(toks: list[Token], j: int, most: int = 4, cue_ok: bool = False) -> int:
    """End index of the run of name words starting at token ``j`` (at most ``most`` words).

    ``X الله`` is one name unit whatever X is (حسب الله، نصر الله، عبد الله), since X is often
    a function word on its own.
    """
    k = j
    while k < len(toks) and k - j < most:
        if k + 1 < len(toks) and normalize(toks[k + 1].text) == "الله" and _is_ar_word(toks[k]):
            k += 2
            continue
        if not _name_word(toks[k], k == j, cue_ok):
            break
        k += 1
    return k


def _starts_org(words: list[str]) -> bool:
    return bool(words) and is_kind(words[0], "org")


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """Short bracketed or quoted spans ``(open, close)`` on one line (offsets of the marks)."""
    out = []
    for m in re.finditer(r"[(\"«“„‹'”]", text):
        o = m.start()
        # looked for within the 80 characters only: a text of unclosed marks stays linear
        e = text.find(_OPEN[text[o]], o + 1, o + 81)
        if e < 0 or text.find("\n", o, e) >= 0:
            continue
        out.append((o, e))
    return out


def _is_title(n: str) -> bool:
    return n in kind_words("title")


def _in_role_np(n: str) -> bool:
    return n.startswith("ال") or n.startswith("وال") or is_kind(n, "role")


def _run_end(norms: list[str], memo: list[int], k: int, pred: Callable[[str], bool]) -> int:
    """The index of the first token at or after ``k`` where ``pred`` fails. Asked only where a rule
    fires; each answer is kept for every token of its run (``memo``, -1 where not known yet), so
    the rules skip runs of titles or role words in linear time over the whole text."""
    e = k
    while e < len(norms) and memo[e] < 0 and pred(norms[e]):
        e += 1
    end = memo[e] if e < len(norms) and memo[e] >= 0 else e
    for p in range(k, min(e + 1, len(norms))):
        memo[p] = end
    return end


@dataclass
class _Text:
    """The text under repair: its tokens, their matching forms, and the rule mentions found so far."""

    text: str
    toks: list[Token] = field(init=False)  # tokens_normalized: shared with linking and quote finding
    norms: list[str] = field(init=False)
    found: list[Mention] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.toks, self.norms = tokens_normalized(self.text)
        # run ends, filled as the rules ask (_run_end)
        self._titles_end = [-1] * len(self.norms)
        self._role_np_end = [-1] * len(self.norms)

    def past_titles(self, k: int) -> int:
        """The first token at or after ``k`` that is no title (``len(toks)`` past the end)."""
        return _run_end(self.norms, self._titles_end, k, _is_title)

    def past_role_np(self, k: int) -> int:
        """The first token at or after ``k`` that is no ال word or role word of a role phrase."""
        return _run_end(self.norms, self._role_np_end, k, _in_role_np)

    def add(self, a: int, b: int, typ: str) -> None:
        span = self.text[a:b]
        if span.strip():
            self.found.append(Mention(span, typ, a, b, normalize(span)))

    def norm(self, k: int) -> str:
        """Token ``k``'s matching form; past the end, a full stop."""
        return self.norms[k] if k < len(self.norms) else "."


def repair(text: str, mentions: Iterable[Mention]) -> list[Mention]:
    """Add the rule mentions (module docstring, rules 1-6) to ``mentions``; offsets into ``text``."""
    t = _Text(text)
    _rule_bracketed(t)
    # each token rule reads only tokens whose word can open it (_triggers, cached per word): the
    # others are skipped in C (map, compress), in token order and rule order as before
    flags = list(map(_triggers, t.norms))
    for i in compress(range(len(flags)), flags):
        f = flags[i]
        for bit, rule in _TOKEN_RULES:
            if f & bit:
                rule(t, i)
    _rule_gazetteer(t)
    return _merge([_trim_lam(text, m) for m in mentions], t.found)


def _rule_bracketed(t: _Text) -> None:
    """Rules 1 and 5: bracketed or quoted names (a speaker after a cue; an organisation)."""
    toks, text = t.toks, t.text

    def by_start(pos: int) -> int | None:  # the token starting at ``pos`` (tokens are in text order)
        k = bisect.bisect_left(toks, pos, key=_START)
        return k if k < len(toks) and toks[k].start == pos else None

    for o, e in _quote_spans(text):
        inner = text[o + 1 : e]
        ws = [w for w in tokenize(inner) if w.text]
        if not ws or len(ws) > 6:
            continue
        a, b = o + 1 + ws[0].start, o + 1 + ws[-1].end
        i = by_start(o)
        prev = normalize(toks[i - 1].text) if i else ""
        prev2 = normalize(toks[i - 2].text) if i and i > 1 else ""
        after_cue = i is not None and i > 0 and (cue_of(prev) is not None or (prev == "قد" and cue_of(prev2)))
        words = [normalize(w.text) for w in ws]
        if _starts_org(words):
            t.add(a, b, "ORG")
        elif prev == "باسم" and len(ws) <= 4:
            t.add(a, b, "ORG")
        elif len(ws) <= 3 and (_name_run(ws, 0, 3, after_cue) == len(ws) or len(ws) == 1 and _name_word(ws[0], False, True)):
            # after a reporting verb even one bracketed word is a name (بيرقدار، الفارس); elsewhere
            # a bracketed/quoted 2-3 word name needs a role after it: (وائل علوان) الناطق …
            j = by_start(e)
            role_next = j is not None and j + 1 < len(toks) and is_kind(toks[j + 1].text, "role")
            if after_cue or (len(ws) >= 2 and role_next):
                t.add(a, b, "PERS")


def _rule_title(t: _Text, i: int) -> None:
    """Rule 2: a title and the name after it (الدكتور صلاح حسب الله)."""
    toks, norms, n = t.toks, t.norms, len(t.toks)
    nt = norms[i]
    if not (nt in kind_words("title") and i + 1 < n):
        return
    j = t.past_titles(i + 1)
    k = _name_run(toks, j)
    # the name must end at a clear boundary, or start with a known first name: titles such
    # as الفريق (also "the team") are ambiguous
    nxt = t.norm(k)
    boundary = (not _is_ar_word(toks[k]) if k < n else True) or nxt in COMPS or nxt in PREPS \
        or is_kind(nxt, "role") or cue_of(nxt) is not None
    known_first = k > j and "first_name" in labels(toks[j].text)
    if nt in _AMBIGUOUS_TITLES:
        boundary = False
    if (k - j >= 2 and (boundary or known_first)) or (k - j == 1 and boundary):
        t.add(toks[j].start, toks[k - 1].end, "PERS")


def _rule_cue_name(t: _Text, i: int) -> None:
    """Rule 3: cue + name + (role | إن/أن | preposition | comma)."""
    toks, norms, n = t.toks, t.norms, len(t.toks)
    cue = cue_of(norms[i])
    # (a first word with the proclitic ل is an addressee or outlet: وقال لرويترز)
    if not (cue and i + 1 < n and _name_word(toks[i + 1], True) and split_clitics(norms[i + 1])[0] != "ل"):
        return
    j = i + 1
    k = _name_run(toks, j)
    size = k - j
    nxt, nxt2 = t.norm(k), t.norm(k + 1)
    role_next = is_kind(nxt, "role") or (nxt in ("،", ",") and is_kind(nxt2, "role"))
    # what may follow a speaker's name: إن/أن, a comma or colon, an outlet (لرويترز) …
    strong = nxt in COMPS or nxt in ("،", ",", ":") or split_clitics(nxt)[0] == "ل"
    # … or a preposition (في تصريح), weaker evidence: a two-word "name" then is often a
    # noun phrase (كشف هوية المتورطين في …)
    weak = nxt in PREPS and (size == 1 or "first_name" in labels(toks[j].text))
    if cue[3] and not role_next:
        return  # after a word that is often a noun (كشف، رفض، ذكر) only a role confirms a name
    if 1 <= size <= 3 and (role_next or strong or weak):
        t.add(toks[j].start, toks[k - 1].end, "PERS")


def _rule_role_comma_name(t: _Text, i: int) -> None:
    """Rule 4: role-NP + ، + name + ، (one-word names only right after a reporting verb)."""
    toks, norms, n = t.toks, t.norms, len(t.toks)
    if not (is_kind(norms[i], "role") and (i == 0 or cue_of(norms[i - 1]) or norms[i - 1] in KAN | {".", "؛"})):
        return
    after_cue = i > 0 and cue_of(norms[i - 1]) is not None
    c = i
    while c < n and c - i < 8 and norms[c] not in ("،", ",", ".", ":") and norms[c] not in COMPS:
        c += 1
    if not (c < n and norms[c] in ("،", ",")):
        return
    j = t.past_titles(c + 1)
    k = _name_run(toks, j)
    if (1 if after_cue else 2) <= k - j <= 3 and k < n and norms[k] in ("،", ","):
        t.add(toks[j].start, toks[k - 1].end, "PERS")


def _rule_cue_role_name(t: _Text, i: int) -> None:
    """Rule 4b: cue + role head + its ال words + a 2-3 word name + إن/أن/،."""
    toks, norms, n = t.toks, t.norms, len(t.toks)
    if not (cue_of(norms[i]) and i + 1 < n and is_kind(norms[i + 1], "role")):
        return
    k0 = t.past_role_np(i + 2)
    k = _name_run(toks, k0)
    if 2 <= k - k0 <= 3 and k < n and (norms[k] in COMPS or norms[k] in ("،", ",", ":")):
        t.add(toks[k0].start, toks[k - 1].end, "PERS")


def _rule_bism_org(t: _Text, i: int) -> None:
    """Rule 5b: باسم + an unquoted organisation head word + up to three words."""
    toks, norms, n = t.toks, t.norms, len(t.toks)
    if not (norms[i] == "باسم" and i + 1 < n and is_kind(norms[i + 1], "org") and not is_kind(norms[i + 1], "doc")):
        return
    k = i + 2
    while k < n and k - i <= 4 and _is_ar_word(toks[k]) and norms[k] not in STOPWORDS and norms[k] not in NP_STOP \
            and not (labels(toks[k].text) & {"place"}):
        k += 1
    t.add(toks[i + 1].start, toks[k - 1].end, "ORG")


# what a token's word can open: a title (rule 2), a cue (3, 4b), a role (4), باسم (5b)
_TITLE, _CUE, _ROLE, _BISM = 1, 2, 4, 8

# the rules read at each token, in this order (the order rule mentions are found in breaks ties in
# _merge), each with the _triggers bit its first test needs
_TOKEN_RULES: tuple[tuple[int, Callable[[_Text, int], None]], ...] = (
    (_TITLE, _rule_title), (_CUE, _rule_cue_name), (_ROLE, _rule_role_comma_name),
    (_CUE, _rule_cue_role_name), (_BISM, _rule_bism_org),
)


@lru_cache(maxsize=200_000)  # called for every token of every article: the answer depends on the word only
def _triggers(n: str) -> int:
    """The token rules a token of matching form ``n`` can open, as _TITLE/_CUE/_ROLE/_BISM bits."""
    return ((_TITLE if n in kind_words("title") else 0) | (_CUE if cue_of(n) is not None else 0)
            | (_ROLE if is_kind(n, "role") else 0) | (_BISM if n == "باسم" else 0))


def _rule_gazetteer(t: _Text) -> None:
    """Rule 6: multi-word gazetteer names (the first word may carry a proclitic: بالغوطة الشرقية)."""
    kinds = {"place": "LOC", "country": "LOC", "org": "ORG"}
    for label, a, b in load_gazetteer().match_normalized(t.norms):
        if label in kinds:
            first = split_clitics(t.norms[a])
            start = t.toks[a].start + (len(t.toks[a].text) - len(first[-1]) if len(first) > 1 else 0)
            t.add(start, t.toks[b - 1].end, kinds[label])


def _trim_lam(text: str, m: Mention) -> Mention:
    """Cut the preposition ل off a tagged name the gazetteer knows without it (لرويترز → رويترز)."""
    first = m.text.split()[0] if m.text.split() else ""
    parts = split_clitics(first)
    if len(parts) == 2 and parts[0] == "ل" and normalize(first[1:]) == parts[1] and labels(first[1:]):
        return Mention(m.text[1:], m.type, m.start + 1, m.end, normalize(m.text[1:]))
    return m


def _merge(tagged: list[Mention], rules: list[Mention]) -> list[Mention]:
    """Rule mentions win over overlapping tagger mentions, unless a same-type tagger mention covers them."""
    ordered = sorted(tagged, key=lambda m: m.start)
    if all(m.start < m.end for m in [*ordered, *rules]) and all(a.end <= b.start for a, b in pairwise(ordered)):
        return _merge_disjoint(ordered, rules)
    out = list(tagged)
    for r in sorted(rules, key=lambda m: (m.start, -(m.end - m.start))):
        over = [m for m in out if m.start < r.end and r.start < m.end]
        if any(m.type == r.type and m.start <= r.start and r.end <= m.end for m in over):
            continue
        out = [m for m in out if m not in over]
        out.append(r)
    out.sort(key=lambda m: (m.start, m.end))
    return out


def _merge_disjoint(out: list[Mention], rules: list[Mention]) -> list[Mention]:
    """:func:`_merge` for tagger mentions that do not overlap (a CRF's never do): they stay disjoint,
    sorted by start and so by end, and each rule finds what it overlaps by bisection."""
    starts = [m.start for m in out]
    ends = [m.end for m in out]
    for r in sorted(rules, key=lambda m: (m.start, -(m.end - m.start))):
        lo, hi = bisect.bisect_right(ends, r.start), bisect.bisect_left(starts, r.end)
        over = out[lo:hi]
        if any(m.type == r.type and m.start <= r.start and r.end <= m.end for m in over):
            continue
        out[lo:hi] = [r]
        starts[lo:hi] = [r.start]
        ends[lo:hi] = [r.end]
    return out


# --- summary -------------------------------------------------------------------------------------


def entities_summary(mentions: Iterable[Mention]) -> list[dict[str, Any]]:
    """One row per linked entity: ``{entity, type, count}``, most mentioned first (then first seen)."""
    count: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], int] = {}
    for m in mentions:
        key = (m.entity, m.type)
        count[key] += 1
        first.setdefault(key, m.start)
    rows = sorted(count, key=lambda k: (-count[k], first[k]))
    return [{"entity": e, "type": t, "count": count[(e, t)]} for e, t in rows]
