"""Named entities of one article: the NER tagger's mentions, news-specific rule repairs, and linking.

:func:`extract` runs the CRF tagger (:mod:`khabar.analyse.ner`), repairs what it misses in the constructions
news uses to introduce speakers and organisations, and links the mentions of one entity in one
article under one canonical ``Mention.entity``.

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

Linking (within one article): keys are the mention's normalized text without quote marks,
brackets, leading titles or the proclitics و/ف (and ب/ك/ل before ال). A PERS key that is a word
suffix of a longer PERS name in the article, or that name's last word with or without ال, is that
person (``بيرقدار``, ``(الفارس)`` → ``حمزة بيرقدار``, ``منذر فارس``); an ORG key that is a word
suffix of a longer ORG is that organisation (``جيش الإسلام`` ⊂ ``هيئة أركان جيش الإسلام``). A word
written without its space (``أحرارالشام``) is split where another mention in the article spells
it with the space. The canonical ``entity`` is the longest key of the group. Surnames of linked
people found later untagged (``وقال علوان``) become PERS mentions too.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from khabar.text.arabic import STOPWORDS, Token, normalize, split_clitics, tokenize
from khabar.types import Mention

__all__ = [
    "NullTagger", "cue_of", "entities_summary", "extract", "gaz_labels", "is_kind", "lexicon", "link",
    "reporting_cues", "repair",
]

log = logging.getLogger(__name__)


class _Tagger(Protocol):
    def tag(self, text: str) -> list[Mention]: ...


class NullTagger:
    """A tagger that finds nothing: :func:`extract` then gives the rule mentions alone."""

    def tag(self, text: str) -> list[Mention]:
        return []


# --- lexicons ------------------------------------------------------------------------------------


def _rows(name: str) -> list[list[str]]:
    raw = (resources.files("khabar") / "data" / name).read_text(encoding="utf-8")
    out = []
    for line in raw.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        out.append([c.strip() for c in line.split("\t")])
    return out


@lru_cache(maxsize=1)
def _lexicons() -> dict[str, frozenset[str]]:
    by: dict[str, set[str]] = {}
    for row in _rows("roles_ar.tsv"):
        word, kind = normalize(row[0]), row[1]
        forms = by.setdefault(kind, set())
        forms.add(word)
        # the lists hold a word once; lookups strip ال, so keep the bare form too
        if word.startswith("ال") and len(word) > 4 and kind != "title":
            forms.add(word[2:])  # (titles keep their ال: امام، سيد are words of their own)
    return {k: frozenset(v) for k, v in by.items()}


def lexicon(kind: str) -> frozenset[str]:
    """Normalized words of one kind from ``khabar/data/roles_ar.tsv`` (role, title, org, source …)."""
    return _lexicons().get(kind, frozenset())


@lru_cache(maxsize=1)
def reporting_cues() -> dict[str, tuple[str, str, str, bool]]:
    """``normalized form → (lemma, stance, kind, strict)`` from ``khabar/data/reporting_verbs_ar.tsv``."""
    out: dict[str, tuple[str, str, str, bool]] = {}
    for row in _rows("reporting_verbs_ar.tsv"):
        form, lemma, stance, kind = row[:4]
        strict = len(row) > 4 and row[4] == "strict"
        out.setdefault(normalize(form), (normalize(lemma), stance, kind, strict))
    return out


@lru_cache(maxsize=200_000)  # called for every word of every article: the answer depends on the word only
def cue_of(word: str) -> tuple[str, str, str, bool] | None:
    """The reporting-cue entry of one raw word (``وقال``, ``مؤكداً``), proclitic و/ف allowed."""
    n = normalize(word)
    cues = reporting_cues()
    if n in cues:
        return cues[n]
    if len(n) > 3 and n[0] in "وف" and n[1:] in cues:
        return cues[n[1:]]
    return None


def _bare(n: str) -> str:
    """A normalized word without ال (for list lookups)."""
    return n[2:] if n.startswith("ال") and len(n) > 4 else n


@lru_cache(maxsize=200_000)
def is_kind(word: str, *kinds: str) -> bool:
    """True when the (raw or normalized) word, with or without و/ال, is in one of the lexicon kinds."""
    n = normalize(word)
    forms = {n, _bare(n)}
    if len(n) > 3 and n[0] in "وف":
        forms |= {n[1:], _bare(n[1:])}
    return any(f in lexicon(k) for k in kinds for f in forms)


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

    ``tagger`` is anything with ``tag(text) -> list[Mention]``; by default the shipped CRF
    (:func:`khabar.analyse.ner.load_tagger`), or no tagger (rules only) when its model is missing.

    >>> ms = extract('وقال (حمزة بيرقدار) الناطق باسم "جيش الإسلام" إن … ونفى (بيرقدار) ذلك.', NullTagger())
    >>> sorted({(m.text, m.entity) for m in ms if m.type == "PERS"})
    [('بيرقدار', 'حمزه بيرقدار'), ('حمزة بيرقدار', 'حمزه بيرقدار')]
    """
    if not text.strip():
        return []
    base = (tagger or _default_tagger()).tag(text)
    return link(text, repair(text, base))


# --- rule repairs --------------------------------------------------------------------------------

_OPEN = {"(": ")", '"': '"', "«": "»", "“": "”", "„": "“", "‹": "›", "'": "'", "”": "”"}
_QUOTE_CHARS = "\"'«»“”„‹›()[]"
_PREPS = frozenset(
    normalize(w)
    for w in "في خلال عبر على علي مع عن أمام من إلى الى بعد قبل حول منذ لدى أثناء ضمن بين عند وسط".split()
)
_COMPS = frozenset(
    normalize(w)
    for w in "أن إن أنه إنه أنها إنها أنهم إنهم أنهما إنهما أننا إننا أنني إنني بأن بأنه بأنها بأنهم".split()
)
_NAME_STOP = frozenset(normalize(w) for w in "الذي التي الذين قد كان كانت وكان أحد إحدى وهو وهي اليوم أمس".split())
# titles that are also common nouns (the team, the pioneer, the father, owner): a name after them
# must start with a known first name
_AMBIGUOUS_TITLES = frozenset(normalize(w) for w in "الفريق الرائد الأب صاحب".split())
_KAN = frozenset(normalize(w) for w in "كان كانت وكان وكانت و".split())
_PARTICLES = frozenset(normalize(w) for w in "بن ابن بنت أبو أبي آل عبد".split())


def _is_ar_word(tok: Token) -> bool:
    return bool(tok.text) and "\u0600" <= tok.text[0] <= "\u06ff" and tok.text[0].isalpha()


@lru_cache(maxsize=50_000)
def gaz_labels(word: str) -> frozenset[str]:
    """The gazetteer's labels for one word (country, place, first_name, org …), empty without one."""
    try:
        from khabar.analyse.gazetteer import load_gazetteer

        return load_gazetteer().lookup(word)
    except (ImportError, FileNotFoundError):
        return frozenset()


# Names whose matching form collides with a function word (علي = على، إمام = أمام): told apart
# by their written form.
_NAME_COLLIDE = frozenset({"علي", "إمام"})


def _raw(word: str) -> str:
    """The word as written, less harakat and tatweel (hamza and alef maqsura kept)."""
    return "".join(c for c in word if not ("\u064b" <= c <= "\u0652" or c == "\u0640"))


def _name_word(tok: Token, first: bool, cue_ok: bool = False) -> bool:
    """Can this token be part of a person's name (not a function, role, place or cue word)?"""
    if not _is_ar_word(tok):
        return False
    n = normalize(tok.text)
    raw = _raw(tok.text)
    if not first and (n in _PARTICLES | {"الله"} or raw in _NAME_COLLIDE):
        return True
    parts = split_clitics(n)
    if len(parts) > 1 and parts[-1].startswith("ال"):
        return False  # a name takes no proclitic before ال (للفوز، بالقاهرة، والحكومة)
    if raw not in _NAME_COLLIDE:
        if len(n) < 2 or {n, parts[-1]} & (STOPWORDS | _PREPS | _COMPS | _NAME_STOP):
            return False
    if first and n.startswith("ال"):
        return False  # a first name does not start with ال; a surname may (الإرياني)
    if is_kind(n, "role", "org", "source", "doc", "medium", "title", "outlet_head"):
        return False
    if first and len(parts) > 1 and parts[-2] in ("ل", "ك") and "first_name" not in gaz_labels(tok.text):
        return False  # لوزارة: a preposition on the first word (names such as لؤي are listed; ب
        # starts too many names - بشار، برهوم - to be read as one)
    if cue_of(n) and not (cue_ok or (not first and cue_of(n)[2] == "prep")):
        return False
    if gaz_labels(tok.text) & {"country", "place", "nationality", "currency"}:
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
        close = _OPEN[text[o]]
        e = text.find(close, o + 1)
        nl = text.find("\n", o)
        if e < 0 or (0 <= nl < e) or e - o > 80:
            continue
        out.append((o, e))
    return out


def repair(text: str, mentions: Iterable[Mention]) -> list[Mention]:
    """Add the rule mentions (module docstring, rules 1-5) to ``mentions``; offsets into ``text``."""
    toks = tokenize(text, punct=True)
    found: list[Mention] = []

    def add(a: int, b: int, typ: str) -> None:
        span = text[a:b]
        if span.strip():
            found.append(Mention(span, typ, a, b, normalize(span)))

    by_start = {t.start: i for i, t in enumerate(toks)}
    # rules 1 and 5: bracketed/quoted names
    for o, e in _quote_spans(text):
        inner = text[o + 1 : e]
        ws = [t for t in tokenize(inner) if t.text]
        if not ws or len(ws) > 6:
            continue
        a, b = o + 1 + ws[0].start, o + 1 + ws[-1].end
        i = by_start.get(o)
        prev = normalize(toks[i - 1].text) if i else ""
        prev2 = normalize(toks[i - 2].text) if i and i > 1 else ""
        after_cue = i is not None and i > 0 and (cue_of(prev) is not None or (prev == "قد" and cue_of(prev2)))
        words = [normalize(w.text) for w in ws]
        if _starts_org(words):
            add(a, b, "ORG")
        elif prev == "باسم" and len(ws) <= 4:
            add(a, b, "ORG")
        elif len(ws) <= 3 and (_name_run(ws, 0, 3, after_cue) == len(ws) or len(ws) == 1 and _name_word(ws[0], False, True)):
            # after a reporting verb even one bracketed word is a name (بيرقدار، الفارس); elsewhere
            # a bracketed/quoted 2-3 word name needs a role after it: (وائل علوان) الناطق …
            j = by_start.get(e)
            role_next = j is not None and j + 1 < len(toks) and is_kind(toks[j + 1].text, "role")
            if after_cue or (len(ws) >= 2 and role_next):
                add(a, b, "PERS")
    n = len(toks)
    norms = [normalize(t.text) for t in toks]
    for i in range(n):
        nt = norms[i]
        # rule 2: title + name
        if nt in lexicon("title") and i + 1 < n:
            j = i + 1
            while j < n and norms[j] in lexicon("title"):
                j += 1
            k = _name_run(toks, j)
            # the name must end at a clear boundary, or start with a known first name: titles such
            # as الفريق (also "the team") are ambiguous
            nxt = norms[k] if k < n else "."
            boundary = (not _is_ar_word(toks[k]) if k < n else True) or nxt in _COMPS or nxt in _PREPS \
                or is_kind(nxt, "role") or cue_of(nxt) is not None
            known_first = k > j and "first_name" in gaz_labels(toks[j].text)
            if nt in _AMBIGUOUS_TITLES:
                boundary = False
            if (k - j >= 2 and (boundary or known_first)) or (k - j == 1 and boundary):
                add(toks[j].start, toks[k - 1].end, "PERS")
        # rule 3: cue + name + (role | إن/أن | preposition | comma)
        # (a first word with the proclitic ل is an addressee or outlet: وقال لرويترز)
        cue = cue_of(nt)
        if cue and i + 1 < n and _name_word(toks[i + 1], True) and split_clitics(norms[i + 1])[0] != "ل":
            j = i + 1
            k = _name_run(toks, j)
            size = k - j
            nxt = norms[k] if k < n else "."
            nxt2 = norms[k + 1] if k + 1 < n else "."
            role_next = is_kind(nxt, "role") or (nxt in ("،", ",") and is_kind(nxt2, "role"))
            # what may follow a speaker's name: إن/أن, a comma or colon, an outlet (لرويترز) …
            strong = nxt in _COMPS or nxt in ("،", ",", ":") or split_clitics(nxt)[0] == "ل"
            # … or a preposition (في تصريح), weaker evidence: a two-word "name" then is often a
            # noun phrase (كشف هوية المتورطين في …)
            weak = nxt in _PREPS and (size == 1 or "first_name" in gaz_labels(toks[j].text))
            if cue[3] and not role_next:
                pass  # after a word that is often a noun (كشف، رفض، ذكر) only a role confirms a name
            elif 1 <= size <= 3 and (role_next or strong or weak):
                add(toks[j].start, toks[k - 1].end, "PERS")
        # rule 4: role-NP + ، + name + ، (one-word names only right after a reporting verb)
        if is_kind(nt, "role") and (i == 0 or cue_of(norms[i - 1]) or norms[i - 1] in _KAN | {".", "؛"}):
            after_cue = i > 0 and cue_of(norms[i - 1]) is not None
            c = i
            while c < n and c - i < 8 and norms[c] not in ("،", ",", ".", ":") and norms[c] not in _COMPS:
                c += 1
            if c < n and norms[c] in ("،", ","):
                j = c + 1
                while j < n and norms[j] in lexicon("title"):
                    j += 1
                k = _name_run(toks, j)
                if (1 if after_cue else 2) <= k - j <= 3 and k < n and norms[k] in ("،", ","):
                    add(toks[j].start, toks[k - 1].end, "PERS")
        if cue_of(nt) and i + 1 < n and is_kind(norms[i + 1], "role"):
            # rule 4b: cue + role head + its ال words + a 2-3 word name + إن/أن/،
            k0 = i + 2
            while k0 < n and (norms[k0].startswith("ال") or norms[k0].startswith("وال") or is_kind(norms[k0], "role")):
                k0 += 1
            k = _name_run(toks, k0)
            if 2 <= k - k0 <= 3 and k < n and (norms[k] in _COMPS or norms[k] in ("،", ",", ":")):
                add(toks[k0].start, toks[k - 1].end, "PERS")
        # rule 5b: باسم + org head + up to three words
        if nt == "باسم" and i + 1 < n and is_kind(norms[i + 1], "org") and not is_kind(norms[i + 1], "doc"):
            k = i + 2
            while k < n and k - i <= 4 and _is_ar_word(toks[k]) and norms[k] not in STOPWORDS and norms[k] not in _NAME_STOP and not (gaz_labels(toks[k].text) & {"place"}):
                k += 1
            add(toks[i + 1].start, toks[k - 1].end, "ORG")
    # rule 6: multi-word gazetteer names (the first word may carry a proclitic: بالغوطة الشرقية)
    from khabar.analyse.gazetteer import load_gazetteer

    kinds = {"place": "LOC", "country": "LOC", "org": "ORG"}
    for label, a, b in load_gazetteer().match_normalized(norms):
        if label in kinds:
            first = split_clitics(norms[a])
            start = toks[a].start + (len(toks[a].text) - len(first[-1]) if len(first) > 1 else 0)
            add(start, toks[b - 1].end, kinds[label])
    return _merge([_trim_lam(text, m) for m in mentions], found)


def _trim_lam(text: str, m: Mention) -> Mention:
    """Cut the preposition ل off a tagged name the gazetteer knows without it (لرويترز → رويترز)."""
    first = m.text.split()[0] if m.text.split() else ""
    parts = split_clitics(first)
    if len(parts) == 2 and parts[0] == "ل" and normalize(first[1:]) == parts[1] and gaz_labels(first[1:]):
        return Mention(m.text[1:], m.type, m.start + 1, m.end, normalize(m.text[1:]))
    return m


def _merge(tagged: list[Mention], rules: list[Mention]) -> list[Mention]:
    """Rule mentions win over overlapping tagger mentions, unless a same-type tagger mention covers them."""
    out = list(tagged)
    for r in sorted(rules, key=lambda m: (m.start, -(m.end - m.start))):
        over = [m for m in out if m.start < r.end and r.start < m.end]
        if any(m.type == r.type and m.start <= r.start and r.end <= m.end for m in over):
            continue
        out = [m for m in out if m not in over]
        out.append(r)
    out.sort(key=lambda m: (m.start, m.end))
    return out


# --- linking -------------------------------------------------------------------------------------


def _key_words(m: Mention) -> list[str]:
    """The mention's words in matching form: no marks, no leading title, no proclitic و/ف (ب/ك/ل before ال)."""
    raw = "".join(" " if c in _QUOTE_CHARS else c for c in m.text)
    ws = [normalize(w) for w in raw.split() if normalize(w) and normalize(w) not in ("ل", "لـ", "-")]
    ws = [w for w in ws if any(c.isalnum() for c in w)]
    if m.type == "PERS":
        while len(ws) > 1 and ws[0] in lexicon("title"):
            ws = ws[1:]
    if ws:
        parts = split_clitics(ws[0])
        k = 0
        for i, p in enumerate(parts[:-1]):
            rest = "".join(parts[i + 1 :])
            # names start with و/ف often (وائل، فوزي): a proclitic comes off only before ال
            if p in ("و", "ف", "ب", "ك", "ل") and rest.startswith("ال"):
                k = i + 1
            else:
                break
        if k:
            ws[0] = "".join(parts[k:])
    return ws


def _split_joined(words: list[str], vocab: set[tuple[str, str]]) -> list[str]:
    """Split a word written without its space (احرارالشام) where the article spells the pair apart."""
    out = []
    for w in words:
        for a, b in vocab:
            if w == a + b:
                out.extend([a, b])
                break
        else:
            out.append(w)
    return out


def _is_suffix(short: list[str], long: list[str]) -> bool:
    return 0 < len(short) < len(long) and long[-len(short) :] == short


def _surname_match(short: list[str], full: list[str]) -> bool:
    """``short`` names the person ``full``: a word suffix of it, or its last word with/without ال."""
    if len(full) < 2:
        return False
    if _is_suffix(short, full):
        return True
    if len(short) == 1:
        s, last = short[0], full[-1]
        return s == "ال" + last or (last.startswith("ال") and s == last[2:])
    return False


def link(text: str, mentions: list[Mention]) -> list[Mention]:
    """Give the mentions of one entity in ``text`` one canonical ``entity`` (module docstring).

    Also adds PERS mentions for later untagged occurrences of a linked person's surname.
    """
    ms = sorted(mentions, key=lambda m: (m.start, m.end))
    keys = [_key_words(m) for m in ms]
    vocab = {(k[i], k[i + 1]) for k in keys for i in range(len(k) - 1)}
    keys = [_split_joined(k, vocab) for k in keys]
    ms, keys = _add_surnames(text, ms, keys)

    canon: list[list[str]] = [k for k in keys]
    idx_by_type: dict[str, list[int]] = {}
    for i, m in enumerate(ms):
        idx_by_type.setdefault(m.type, []).append(i)
    for typ, idxs in idx_by_type.items():
        # a group per distinct longest key; shorter keys join the nearest (preceding first) longer one
        order = sorted(idxs, key=lambda i: -len(keys[i]))
        for i in order:
            if typ not in ("PERS", "ORG"):
                continue
            cands = [j for j in idxs if j != i and len(keys[j]) > len(keys[i])]
            if typ == "PERS":
                cands = [j for j in cands if _surname_match(keys[i], keys[j])]
            else:
                cands = [j for j in cands if _is_suffix(keys[i], keys[j])]
            if not cands:
                continue
            before = [j for j in cands if ms[j].start <= ms[i].start]
            j = max(before, key=lambda j: ms[j].start) if before else min(cands, key=lambda j: ms[j].start)
            canon[i] = canon[j]
    out = []
    for m, c in zip(ms, canon, strict=True):
        ent = " ".join(c) if c else normalize(m.text)
        out.append(Mention(m.text, m.type, m.start, m.end, ent))
    return out


def _add_surnames(text: str, ms: list[Mention], keys: list[list[str]]) -> tuple[list[Mention], list[list[str]]]:
    """PERS mentions for untagged later occurrences of a multi-word person's surname."""
    surnames: dict[tuple[str, ...], int] = {}
    for i, (m, k) in enumerate(zip(ms, keys, strict=True)):
        if m.type != "PERS" or len(k) < 2:
            continue
        # surname = last word, or the last two when the second-to-last is a particle (عبد العال)
        sn = tuple(k[-2:]) if len(k) >= 3 and (k[-2] in _PARTICLES or k[-1] == "الله") else tuple(k[-1:])
        raw_last = _raw(m.text.split()[-1]) if m.text.split() else ""
        collide = raw_last in _NAME_COLLIDE
        if len(sn) == 1 and (len(sn[0]) < 3 or (sn[0] in STOPWORDS and not collide) or is_kind(sn[0], "role", "org")):
            continue
        surnames.setdefault(sn, (i, raw_last if collide else ""))
    if not surnames:
        return ms, keys
    toks = tokenize(text, punct=True)
    taken = [(m.start, m.end) for m in ms]
    new_m, new_k = list(ms), list(keys)
    for sn, (first, raw_form) in surnames.items():
        size = len(sn)
        for p in range(len(toks) - size + 1):
            seg = toks[p : p + size]
            if seg[0].start < ms[first].end:
                continue
            words = [normalize(t.text) for t in seg]
            w0 = words[0]
            if len(w0) > 3 and w0[0] in "وف" and (w0[1:],) + tuple(words[1:]) == sn:
                words[0] = w0[1:]
                a = seg[0].start + 1
            else:
                a = seg[0].start
            if tuple(words) != sn:
                continue
            if raw_form and _raw(seg[-1].text).lstrip("وف") != raw_form:
                continue  # إمام the name, not أمام the preposition
            b = seg[-1].end
            if any(s < b and a < e for s, e in taken):
                continue
            m = Mention(text[a:b], "PERS", a, b, " ".join(sn))
            new_m.append(m)
            new_k.append(list(sn))
            taken.append((a, b))
    order = sorted(range(len(new_m)), key=lambda i: (new_m[i].start, new_m[i].end))
    return [new_m[i] for i in order], [new_k[i] for i in order]


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
