"""The matching form of a text: one string per spelling variant (hamza seats, ta marbuta, alef
maqsura, harakat, tatweel, presentation forms, digits, quote marks).

Every module compares words through :func:`normalize`, and the word lists in ``khabar/data/`` are
read in this form (:mod:`khabar.text.lexicon`). It sits below :mod:`khabar.text.arabic` so that the
list loader can use it without importing the text layer that loads those lists.

>>> normalize("أَحْمَدُ فِي المدرسةِ")
'احمد في المدرسه'
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["char_form", "normalize", "normalize_all"]

_DELETE = (
    [*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06DD), *range(0x06DF, 0x06E5)]
    + [0x06E7, 0x06E8, *range(0x06EA, 0x06EE), *range(0x08CA, 0x08E2), *range(0x08E3, 0x0900)]
    + [0x0640]  # tatweel
    # invisible format characters that scrapers leave inside words
    + [0x00AD, 0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F), 0x2060]
    + [*range(0x2066, 0x206A), 0xFEFF]
    + [0x0307]  # combining dot left by casefolding Turkish İ: "i̇stanbul" must match "istanbul"
)
_MAP = {
    # hamza on alef and alef variants → bare alef (the usual, lossless-for-matching choice)
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ٵ": "ا",
    # Hamza on waw/ya → bare hamza ء. Writers disagree on the seat (مسؤول/مسئول, شيء/شيئ), so
    # mapping the seat to a plain ء makes those spellings meet while ؤ/ئ still differ from و/ي
    # (سؤال ≠ سوال, رئيس ≠ ريس): hamza words keep their hamza letter.
    "ؤ": "ء", "ئ": "ء", "ٶ": "ء", "ٸ": "ء",
    "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي",  # alef maqsura and Persian/Pashto yeh → ya
    "ة": "ه", "ۀ": "ه", "ە": "ه", "ہ": "ه", "ھ": "ه",  # ta marbuta → ha, as writers often do
    "ک": "ك", "ڪ": "ك",  # Persian keheh (common from Persian keyboards)
    "٫": ".", "٬": ",", "٪": "%", "٭": "*",
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"', "〃": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "‹": "'", "›": "'", "′": "'",
}
for _i in range(10):
    _MAP[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic digits
    _MAP[chr(0x06F0 + _i)] = str(_i)  # Persian digits
_TABLE = str.maketrans(_MAP | dict.fromkeys(map(chr, _DELETE)))
_WORD_CACHE: dict[str, str] = {}
_WORD_CACHE_MAX = 1 << 18


def normalize(text: str) -> str:
    """Return the matching form of ``text``; idempotent.

    >>> normalize("إسلامٌ «مسؤول» ٢٠١٨") == normalize("اسلام \\"مسئول\\" 2018")
    True
    """
    # Words are normalized millions of times (NER features, rules, indexing) and repeat a lot:
    # a plain dict beats recomputing, and beats lru_cache's bookkeeping. Looked up first: a hit
    # is the common case, and a long text's hash is computed once and kept by the string.
    hit = _WORD_CACHE.get(text)
    if hit is not None:
        return hit
    if len(text) <= 24:
        hit = _normalize(text)
        if len(_WORD_CACHE) < _WORD_CACHE_MAX:
            _WORD_CACHE[text] = hit
        return hit
    if len(text) >= _MEMO_MIN:
        # A long page is normalized whole by several steps (its id, its index): the last few are kept
        hit = _MEMO.get(text)
        if hit is None:
            hit = _normalize(text)
            with _MEMO_LOCK:  # server threads share it
                _MEMO[text] = hit
                while len(_MEMO) > _MEMO_MAX:
                    del _MEMO[next(iter(_MEMO))]
        return hit
    return _normalize(text)


def normalize_all(texts: Iterable[str]) -> list[str]:
    """``[normalize(t) for t in texts]``, cheaper for many short words (one dict probe each).

    >>> normalize_all(["أحمد", "،", "٢٠"])
    ['احمد', '،', '20']
    """
    get = _WORD_CACHE.get
    return [hit if (hit := get(t)) is not None else normalize(t) for t in texts]


_MEMO_MIN = 50_000  # characters: below this, normalizing again is cheaper than keeping the result
_MEMO_MAX = 2  # a page's raw and clean text: at most ~4 × 5 MB held
_MEMO_LOCK = threading.Lock()
_MEMO: dict[str, str] = {}


def _normalize(text: str) -> str:
    if text.isascii():
        return " ".join(text.casefold().split())
    if "″" in text:
        text = text.replace("″", '"')  # NFKC would make it two primes (′′)
    # NFKC first (presentation forms ﻻ → لا, full-width, ligatures); cheap: CPython quick-checks
    text = _nfkc(text)
    return _translate_collapsed(text.casefold())


def _nfkc(text: str) -> str:
    """NFKC of ``text``; a long one line by line.

    CPython normalizes a whole string once one character fails its quick check (one ``…`` in a
    5 MB page costs 0.1 s); a line break composes with nothing and reorders nothing, so the lines
    can be normalized apart, and only those that fail.
    """
    if len(text) < _LONG or "\n" not in text:
        return unicodedata.normalize("NFKC", text)
    nf, ok = unicodedata.normalize, unicodedata.is_normalized
    return "\n".join([x if ok("NFKC", x) else nf("NFKC", x) for x in text.split("\n")])


_LONG = 500  # characters: from here on, the numpy lookup table is faster than str.translate
_GONE = 0xFFFFFFFF  # the table's mark for a deleted character
_LUT = None
_SPACE = None


def _translate_collapsed(text: str) -> str:
    """``" ".join(text.translate(_TABLE).split())``; a long text goes through arrays instead.

    ``str.translate`` looks each non-ASCII character up in a dict (~0.1 µs a character): a 5 MB
    page would spend a quarter second per pass there. Every value of the table is one character or
    a deletion, so a code-point array indexed by a lookup table gives the same string, and a mask
    of whitespace collapses its runs as ``split``/``join`` would, without a list of a million words.
    """
    if len(text) < _LONG:
        return " ".join(text.translate(_TABLE).split())
    import numpy as np  # only for long texts: keeps numpy out of start-up

    global _LUT, _SPACE
    if _LUT is None:
        lut = np.arange(0x10000, dtype=np.uint32)
        for k, v in _TABLE.items():
            if k < 0x10000:
                lut[k] = _GONE if v is None else ord(v)
        _SPACE = np.array([chr(c).isspace() for c in range(0x10000)])  # str.split's whitespace, all BMP
        _LUT = lut
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    out = np.where(cps < 0x10000, _LUT[cps & 0xFFFF], cps)
    out = out[out != _GONE]
    space = (out < 0x10000) & _SPACE[out & 0xFFFF]
    after_space = np.concatenate(([True], space[:-1]))  # True first: leading whitespace goes
    out = np.where(space, 32, out)[~(space & after_space)].astype(np.uint32)
    if len(out) and out[-1] == 32:
        out = out[:-1]
    return out.tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=4096)
def char_form(c: str) -> str:
    """The matching form of one character (empty for a mark that :func:`normalize` deletes).

    >>> char_form("أ"), char_form("\u064e")
    ('ا', '')
    """
    return unicodedata.normalize("NFKC", c).casefold().translate(_TABLE)
