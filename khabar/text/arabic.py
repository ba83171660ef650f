"""The Arabic text layer: tokens, clitics, stems, stopwords, sentences, script.

Every later module compares words through :func:`normalize` (one string per spelling variant, from
:mod:`khabar.text.normalize`, kept importable from here), so ``أحمد``, ``احمد`` and ``أَحْمَد`` all
become ``احمد``. Offsets (tokens, sentences) always point into the
text as given, never into the normalized form.

>>> normalize("أَحْمَدُ فِي المدرسةِ")
'احمد في المدرسه'
>>> words("وبالغوطة الشرقية")
['الغوطه', 'الشرقيه']
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

import snowballstemmer

from khabar.text import lexicon
from khabar.text.bounds import INDEX_WORD_CHARS, cut_at_break
from khabar.text.normalize import char_form, normalize, normalize_all

__all__ = [
    "STOPWORDS",
    "Token",
    "is_arabic",
    "is_stopword",
    "normalize",
    "sentences",
    "split_clitics",
    "stem",
    "terms",
    "tokenize",
    "unvocalized",
    "words",
]

# --- character classes -------------------------------------------------------------------------

# Arabic-script letters (basic block, supplement, extended-A, presentation forms).
_AR_LETTERS = (
    "\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06e5\u06e6\u06ee\u06ef\u06fa-\u06fc\u06ff"
    "\u0750-\u077f\u08a0-\u08c9\ufb50-\ufd3d\ufd50-\ufdfb\ufe70-\ufefc"
)
# Marks that may sit inside an Arabic word: harakat, tanwin, shadda, sukun, superscript alef,
# Quranic annotation marks, tatweel, zero-width (non-)joiners.
_AR_MARKS = (
    "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u08ca-\u08e1\u08e3-\u08ff\u0640\u200c\u200d"
)
_AR_RANGE = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"

# --- tokenize ------------------------------------------------------------------------------------


class Token(NamedTuple):
    """A token and its ``[start, end)`` offsets into the original text."""

    text: str
    start: int
    end: int


_AR_WORD = f"[{_AR_LETTERS}][{_AR_LETTERS}{_AR_MARKS}]*"
_NUMBER = r"\d+(?:[.,\u066b\u066c]\d+)*"
# Other-script words: start with a letter, may hold digits (F16, G20) and combining accents.
_OTHER_WORD = f"[^\\W\\d_{_AR_RANGE}][^\\W_{_AR_RANGE}\u0300-\u036f]*"
_WORD_RE = re.compile(f"{_AR_WORD}|{_NUMBER}|{_OTHER_WORD}")
_WORD_PUNCT_RE = re.compile(f"{_AR_WORD}|{_NUMBER}|{_OTHER_WORD}|[^\\w\\s{_AR_MARKS}]|_")


def tokenize(text: str, punct: bool = False) -> list[Token]:
    """Split ``text`` into word tokens (and, with ``punct=True``, one-character punctuation tokens).

    >>> [t.text for t in tokenize('قال: "1,000.5 دولار"', punct=True)]
    ['قال', ':', '"', '1,000.5', 'دولار', '"']
    """
    rx = _WORD_PUNCT_RE if punct else _WORD_RE
    # tuple.__new__ skips the NamedTuple's Python-level __new__ (a quarter of the cost per token)
    new = _TUPLE_NEW
    return [new(Token, (m.group(), m.start(), m.end())) for m in rx.finditer(text)]


_TUPLE_NEW = tuple.__new__


def tokens_normalized(text: str) -> tuple[list[Token], list[str]]:
    """``tokenize(text, punct=True)`` and each token's :func:`normalize`, as new lists.

    Entity rules, linking and quote finding each read an article's tokens this way: the last few
    texts' are kept, so an article is tokenized once for all three.

    >>> tokens_normalized("قال: إن")[1]
    ['قال', ':', 'ان']
    """
    hit = _TOKENS.get(text)
    if hit is None:
        toks = tuple(tokenize(text, punct=True))
        hit = (toks, tuple(normalize_all([t[0] for t in toks])))
        if len(_TOKENS) >= 2:  # one article's text at a time (two: a caller may interleave)
            del _TOKENS[next(iter(_TOKENS))]
        _TOKENS[text] = hit
    return list(hit[0]), list(hit[1])


_TOKENS: dict[str, tuple[tuple[Token, ...], tuple[str, ...]]] = {}


_VOWEL_MARKS = re.compile("[\u064b-\u0652\u0640]")


def unvocalized(word: str) -> str:
    """``word`` as written less harakat and tatweel; unlike :func:`normalize` it keeps hamza seats
    and alef maqsura, which tell some names from function words (علي / على، إمام / أمام).

    >>> unvocalized("عَلِيّ"), unvocalized("عـلى")
    ('علي', 'على')
    """
    return _VOWEL_MARKS.sub("", word)


# --- clitics -------------------------------------------------------------------------------------

# Hand-written: no maintained PyPI segmenter (Farasa, CAMeL, MADAMIRA) runs offline without large
# models or a JVM, and only the proclitics w/f + b/k/l are needed here.
_CONJ = "وف"
_PREP = "بكل"
_CLITICS = frozenset("وفبكل")
# Two-letter function words that do take a proclitic (وهو، فقد، ولم، ومن، بما).
_FUNC2 = frozenset("هو هي هم قد لم لن لا ما في من عن ان اذ لو هل".split())


# Words that start with a clitic letter but are not clitic + word (وزير، بيان، كانت، لبنان...).
_NO_SPLIT = lexicon.words("noclitic_ar.txt")
# One-word names of the hand-kept gazetteers stay whole: براغ، كابول، وارسو، ويلز are not clitic + word.
_NAMES = frozenset(
    e
    for name in ("gazetteer_places.txt", "gazetteer_countries.txt", "gazetteer_orgs.txt")
    for e in lexicon.entries(name)
    if " " not in e
)
# A stem of three letters is cut off only when it is a word seen on its own (بشكل = ب + شكل), so a
# name is not eaten: كابل is not ك + ابل (the list and its source: bench/short_words.py).
_SHORT = lexicon.words("short_words_ar.txt")
_KEEP_WHOLE = _NO_SPLIT | _NAMES
_SUFFIXES = ("هما", "كما", "ها", "هم", "ات", "ان", "ين", "ون", "يه", "ه", "ي", "ا", "ت")


def _protected(w: str) -> bool:
    """True when ``w`` (or ``w`` less a common suffix) is a known word that merely starts with a clitic letter."""
    if w in _KEEP_WHOLE:
        return True
    if not w.endswith(_SUFFIXES):  # most words: no suffix to try (one C-level test for all)
        return False
    for s in _SUFFIXES:
        if w.endswith(s) and len(w) - len(s) >= 3 and w[: -len(s)] in _NO_SPLIT:
            return True
    return False


def _can_split(whole: str, rest: str) -> bool:
    if _protected(whole):
        return False
    if rest.startswith("ال"):
        return len(rest) >= 4
    if len(rest) == 3:
        return rest in _SHORT or rest in _FUNC2
    return len(rest) > 3 or rest in _FUNC2


_BK_YA = ("يوم", "يد", "يقين", "يمين", "يمن", "يسار")  # ب/ك + ي that are real splits (بيوم، بيد)


@lru_cache(maxsize=200_000)
def _split_norm(w: str) -> tuple[str, ...]:
    """Split a normalized word; returns clitics then the stem word."""
    parts: list[str] = []
    i = 0
    if len(w) > 2 and w[0] in _CONJ and _can_split(w, w[1:]):
        parts.append(w[0])
        i = 1
    if len(w) - i > 2 and w[i] in _PREP:
        rest = w[i + 1 :]
        if w[i] == "ل" and rest.startswith("ل") and not _protected(rest) and not _protected(w[i:]):
            # لل = ل + ال with the alef dropped in writing: للمفاوضات → ل + المفاوضات
            if len(rest) >= 3:
                return (*parts, "ل", "ا" + rest)
        elif w[i] in "بك" and rest[0] == "ي" and not rest.startswith(_BK_YA):
            pass  # ب/ك attach to nouns, and nouns in ي are few: بيرقدار, كيريخوف are names
        elif _can_split(w[i:], rest):
            return (*parts, w[i], rest)
    return (*parts, w[i:])


@lru_cache(maxsize=200_000)
def _split_raw(word: str) -> tuple[str, ...]:
    n = normalize(word)
    parts = _split_norm(n)
    if n == word:
        return parts
    if len(parts) == 1:
        return (word,)
    # Map the split points back onto the raw word; a clitic keeps its own harakat and tatweel (لـ).
    pos = 0
    out: list[str] = []
    for clitic in parts[:-1]:
        start = pos
        while pos < len(word) and not char_form(word[pos]):
            pos += 1
        if pos >= len(word) or char_form(word[pos]) != clitic:
            return parts  # the raw form does not line up (ligatures): give the matching form
        pos += 1
        while pos < len(word) and not char_form(word[pos]):
            pos += 1
        out.append(word[start:pos])
    rest = word[pos:]
    if len(parts) - 1 + len(parts[-1]) == len(n) + 1:
        rest = "ا" + rest  # the ال whose alef لل swallowed
    return (*out, rest)


def split_clitics(word: str) -> list[str]:
    """Split the proclitics و ف and ب ك ل off one word; ``ال`` stays on its word.

    Pieces keep the input's spelling (raw in, raw out; normalized in, normalized out).

    >>> split_clitics("وبالغوطة")
    ['و', 'ب', 'الغوطة']
    >>> split_clitics("للمفاوضات")
    ['ل', 'المفاوضات']
    >>> split_clitics("ولاية")
    ['ولاية']
    >>> split_clitics("وكابل")
    ['و', 'كابل']
    """
    return list(_split_raw(word))


# --- words, stopwords, stems, terms ------------------------------------------------------------


STOPWORDS: frozenset[str] = lexicon.words("stopwords_ar.txt")


def is_stopword(word: str) -> bool:
    """True if ``word`` (any spelling) is an Arabic stopword."""
    return word in STOPWORDS or normalize(word) in STOPWORDS


@lru_cache(maxsize=200_000)
def _word_pieces(tok: str) -> tuple[str, ...]:
    """Normalized content pieces of one raw token (clitics dropped)."""
    n = normalize(tok)
    if not n:
        return ()
    if n in _CLITICS:  # a stand-alone clitic (لـ "حركة", و الشام)
        return ()
    if "\u0621" <= n[0] <= "\u064a":
        return _split_norm(n)[-1:]
    return (n,)


def words(text: str) -> list[str]:
    """Normalized words of ``text`` with proclitics split off and dropped, punctuation dropped.

    >>> words("وقال للمفاوضات")
    ['قال', 'المفاوضات']
    """
    # No word spans whitespace, and the chunks between spaces repeat: split in C, run the regex and
    # the clitic splitter once per distinct chunk, expand in C (a 5 MB page: 0.1 s, not 0.5)
    # once per distinct chunk across calls too: a profile splits an article sentence by sentence,
    # and the chunks of one article recur in the next
    chunks = text.split()
    cache = _CHUNKS
    new = set(chunks).difference(cache)
    if len(cache) + len(new) > _CACHE_MAX:  # bounded: cleared when full, the same output
        cache.clear()
        new = list(set(chunks))
    for c in new:
        cache[c] = _chunk_words(c)
    return list(chain.from_iterable(map(cache.__getitem__, chunks)))


_CACHE_MAX = 1 << 17
_KEY_MAX = 64  # characters: longer strings are not words, and are not kept by the per-word caches
_CHUNKS: dict[str, tuple[str, ...]] = {}
_TERMS: dict[object, dict[str, str]] = {}  # per stemmer (None: Arabic light stem only), word -> term


def index_text(text: str, cap: int = INDEX_WORD_CHARS) -> tuple[list[str], str]:
    """What the full-text index keeps of ``text``: the :func:`words` of its first ``cap`` characters
    (cut at a break), and the matching form of the rest, word for word (clitics not split off), so
    a 5 MB page is searchable whole at the cost of one :func:`normalize` pass.

    >>> index_text("وقال للمفاوضات")
    (['قال', 'المفاوضات'], '')
    >>> index_text("وقال للمفاوضات وأكد", cap=15)
    (['قال', 'المفاوضات'], 'واكد')
    """
    head = cut_at_break(text, cap)
    if len(head) == len(text):
        return words(text), ""
    whole, start = normalize(text), normalize(head)  # the whole text's form is shared with its id
    # cut at a break, the whole's form is the head's, a space, then the rest's
    rest = whole[len(start):].lstrip() if whole.startswith(start) else normalize(text[len(head):])
    return words(head), rest


def _chunk_words(chunk: str) -> tuple[str, ...]:
    return tuple(p for t in _WORD_RE.findall(chunk) for p in _word_pieces(t))


# Light10 (Larkey, Ballesteros & Connell 2007), hand-written on purpose: Snowball's Arabic stemmer
# (snowballstemmer 3) conflates badly on normalized text - مفاوضات→مفاوضا but المفاوضات→مفاوض,
# بلدات→لدا, 0% of Xه/Xات pairs agree on the SemEval vocabulary - while Light10 is the standard
# light stemmer for Arabic retrieval and is a dozen lines. Suffixes are in matching form (ة→ه).
_STEM_SUFFIXES = ("هما", "هم", "ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")  # Light10's + هم/هما
_PRONOUNS = ("هما", "هم", "ها", "ه")
_MIN_STEM = 3  # keep >= 3 letters: Light10's 2 would turn عمان into عم and الله into له


@lru_cache(maxsize=200_000)
def _stem_norm(w: str) -> str:
    w = _split_norm(w)[-1]
    if w.startswith("ال"):
        if len(w) - 2 < _MIN_STEM:
            return w  # الله, الان: too short to lose anything
        w = w[2:]
    if not w.endswith(_STEM_SUFFIXES):
        return w  # no suffix: nothing below would change it
    pron = False
    for suf in _STEM_SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= _MIN_STEM:
            w = w[: -len(suf)]
            pron = pron or suf in _PRONOUNS
    if pron and w.endswith("ت") and len(w) > 4:
        w = w[:-1]  # the ة of حكومتهم / اسلحته, written ت before a pronoun: حكومتهم → حكوم like حكومه
    return w


def stem(word: str) -> str:
    """Light stem of one word, in matching form; clitics and ``ال`` go too.

    >>> stem("المفاوضات") == stem("مفاوضات") == stem("والمفاوضات") == stem("مفاوضة")
    True
    """
    hit = _STEMS.get(word)
    if hit is None:
        hit = _stem_norm(normalize(word))
        if len(word) <= _KEY_MAX:
            if len(_STEMS) >= _CACHE_MAX:  # bounded: cleared when full, the same output
                _STEMS.clear()
            _STEMS[word] = hit
    return hit


_STEMS: dict[str, str] = {}  # raw word -> stem: one probe instead of normalize's and _stem_norm's


_SNOWBALL_LANGS = {
    "ar": "arabic", "en": "english", "fr": "french", "tr": "turkish", "de": "german", "es": "spanish",
    "it": "italian", "pt": "portuguese", "nl": "dutch", "ru": "russian", "sv": "swedish",
    "da": "danish", "no": "norwegian", "fi": "finnish", "hu": "hungarian", "ro": "romanian",
    "id": "indonesian", "el": "greek", "ca": "catalan", "eu": "basque", "ga": "irish",
    "lt": "lithuanian", "hy": "armenian", "ne": "nepali", "sr": "serbian", "ta": "tamil", "yi": "yiddish",
}


@lru_cache(maxsize=64)
def _stemmer_for(lang: str | None):  # -> Callable[[str], str] | None
    name = _SNOWBALL_LANGS.get((lang or "").lower()[:2])
    if name is None or name == "arabic" or name not in snowballstemmer.algorithms():
        return None
    st = snowballstemmer.stemmer(name)
    return lru_cache(maxsize=200_000)(st.stemWord)


def terms(text: str, lang: str | None = None) -> list[str]:
    """Index terms: normalized words, stopwords and 1-letter words dropped, then stemmed.

    Arabic words get :func:`stem`; other words are casefolded and stemmed with Snowball for
    ``lang`` when given (``"tr"``, ``"fr"``...), kept whole otherwise.

    >>> terms("وقال المتحدث إن المفاوضات مستمرة")
    ['متحدث', 'مفاوض', 'مستمر']
    """
    return stems(words(text), lang)


def stems(word_list: list[str], lang: str | None = None) -> list[str]:
    """:func:`terms` of words already split by :func:`words` (saves a second pass over the text)."""
    other = _stemmer_for(lang)
    out: list[str] = []
    # words repeat: decide each distinct word once ("" = dropped), then filter in C
    known = _TERMS.get(other)
    if known is None or len(known) >= _CACHE_MAX:  # bounded: cleared when full, the same output
        known = _TERMS[other] = {}
    for w in set(word_list).difference(known):
        known[w] = _term(w, other)
    out.extend(filter(None, map(known.__getitem__, word_list)))
    return out


def _term(w: str, other) -> str:  # other: Callable[[str], str] | None
    if len(w) < 2 or w in STOPWORDS:
        return ""
    if "\u0621" <= w[0] <= "\u064a":
        s = _stem_norm(w)
        return "" if s in STOPWORDS else s  # الاكثر → اكثر
    if other is not None and not w[0].isdigit():
        return other(w)
    return w


# --- sentences -----------------------------------------------------------------------------------

# A terminator run, the closing quotes/brackets that belong to it, then whitespace or the end; a
# "." must not sit between digits (3.5) - guaranteed by the whitespace/end requirement or an Arabic
# letter right after it (Arabic has no dotted abbreviations, and scraped text often drops the space).
_SENT_END = re.compile(
    f"(?:[.!?؟؛…]+)[\"'”’»›)\\]}}]*(?=\\s|$|[{_AR_LETTERS}])"
)
# Latin abbreviations that end in a dot mid-sentence (casefolded word before the dot).
_ABBREV = frozenset(
    "mr mrs ms dr prof st jr sr vs etc e.g i.e u.s u.k no inc ltd co corp gen col lt sgt capt gov sen rep"
    " jan feb mar apr jun jul aug sep sept oct nov dec m.d ph.d mme mlle".split()
)
_LAST_WORD = re.compile(r"([^\s\"'(\[«“]+)$")
_DOTTED = re.compile(r"(?:\w\.)+\w")  # u.s.a, e.g: dotted initials
_LINE = re.compile(r"[^\n\r\u2028\u2029]+")


def _is_abbrev(text: str, dot: int) -> bool:
    m = _LAST_WORD.search(text, max(0, dot - 20), dot)
    if not m:
        return False
    w = m.group(1).casefold()
    if len(w) == 1 and w.isalpha():
        return True  # initials: "J. Smith", "د. أحمد"
    return w in _ABBREV or w.rstrip(".") in _ABBREV or _DOTTED.fullmatch(w) is not None


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` into ``text``, split on . ! ? ؟ ؛ … and line breaks.

    >>> t = "قال 3.5 مليون. ثم ذهب؟ نعم"
    >>> [t[a:b] for a, b in sentences(t)]
    ['قال 3.5 مليون.', 'ثم ذهب؟', 'نعم']
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        ls, le = line.span()
        start = ls
        for m in _SENT_END.finditer(text, ls, le):
            if text[m.start()] == "." and m.end() - m.start() == 1 and _is_abbrev(text, m.start()):
                continue
            _add_span(text, start, m.end(), spans)
            start = m.end()
        _add_span(text, start, le, spans)
    return spans


def _add_span(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if a < b:
        spans.append((a, b))


# --- script --------------------------------------------------------------------------------------

_LETTER_RUN = re.compile(r"[^\W\d_]+")
_AR_RUN = re.compile(f"[{_AR_LETTERS}]+")


def is_arabic(text: str) -> bool:
    """True when more than half of the letters in ``text`` are Arabic-script letters."""
    letters = sum(map(len, _LETTER_RUN.findall(text)))
    if not letters:
        return False
    return sum(map(len, _AR_RUN.findall(text))) * 2 > letters
