"""A working view of one text for the quote rules: tokens, matching forms, mentions, quotes, sentences.

>>> d = Doc('قال (حمزة بيرقدار): "المفاوضات لم تبدأ بعد"', [])
>>> d.norm[:3], d.tok_at(4)
(['قال', '(', 'حمزه'], 1)
>>> [d.text[o + 1:c] for o, c in d.quotes]
['المفاوضات لم تبدأ بعد']
>>> clean('«جيش الإسلام»، ')
'جيش الإسلام'
"""

from __future__ import annotations

import bisect
import re

from khabar.analyse.cues import is_kind
from khabar.analyse.linking import written_names
from khabar.analyse.quotemarks import MARKS, QUOTE_CHARS, quote_spans
from khabar.text.arabic import normalize, sentences, split_clitics, tokens_normalized
from khabar.text.lexicon import COMPS
from khabar.types import Mention

__all__ = ["PUNCT_STOP", "Doc", "clean", "join_semicolons"]

PUNCT_STOP = frozenset("،,.:؛;!?؟")  # punctuation that ends a phrase or a clause
_BETWEEN_CLOSE = " \u0640.،,"  # what may sit between a bracketed name and its closing mark


def _bisect_start(ms: list[Mention], before: int) -> int:
    lo, hi = 0, len(ms)
    while lo < hi:
        mid = (lo + hi) // 2
        if ms[mid].start < before:
            lo = mid + 1
        else:
            hi = mid
    return lo


def clean(s: str) -> str:
    """``s`` without quote marks and brackets, spaces collapsed, ends stripped of commas and dashes."""
    return " ".join("".join(" " if c in QUOTE_CHARS else c for c in s).split()).strip(" ،,-")


def join_semicolons(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences with those ending in ؛ joined to the next on the same line: news writers use ؛
    where a comma belongs (قال فلان عضو المجلس؛ إن …)."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and text[out[-1][1] - 1] == "؛" and "\n" not in text[out[-1][1] : a]:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


class Doc:
    """Tokens, normalized forms, mentions and quotes of one text, with index helpers."""

    def __init__(self, text: str, mentions: list[Mention]) -> None:
        self.text = text
        self.toks, self.norm = tokens_normalized(text)
        self.starts = [t.start for t in self.toks]
        self.mentions = sorted(mentions, key=lambda m: (m.start, m.end))
        self.ment_of: dict[int, Mention] = {}
        for m in self.mentions:
            for i in self.tok_range(m.start, m.end):
                self.ment_of.setdefault(i, m)
        self.quotes = [self._name_quote_fix(o, c) for o, c in quote_spans(text)]
        self.quote_at = {o: (o, c) for o, c in self.quotes}
        self.quote_starts = [o for o, _ in self.quotes]  # ascending: quote_spans sorts by opening mark
        self.ment_starts = [m.start for m in self.mentions]
        self.written = written_names(self.mentions)  # entity → the name as this text writes it
        self._org_by_head: dict[str, list[Mention]] | None = None
        self._comp_or_cue: list[int] | None = None
        self.sents = join_semicolons(text, sentences(text))
        self.sent_starts = [a for a, _ in self.sents]

    def _name_quote_fix(self, o: int, c: int) -> tuple[int, int]:
        """A quote left open after a naming word (فضائية "الحدث اليوم، إن …) is a name missing its
        closing mark: it ends at the next comma, or after three words."""
        if c < len(self.text) and self.text[c] in MARKS:
            return o, c  # closed
        i = self.tok_at(o)
        prev = split_clitics(self.norm[i - 1])[-1] if i > 0 else ""
        lam = self.toks[i - 1].text.rstrip("\u0640") == "ل" if i > 0 else False  # لـ "الأنباء إن …
        if not (is_kind(prev, "outlet_head", "org") or prev == "اسم" or lam):
            return o, c
        m = re.search(r"[،,.:؛]", self.text[o + 1 : c])
        end = o + 1 + m.start() if m else c
        words = list(re.finditer(r"\S+", self.text[o + 1 : end]))
        for k, w in enumerate(words[:4]):
            if k and normalize(w.group()) in COMPS:  # the name ends before إن/أن
                return o, o + 1 + words[k - 1].end()
        if len(words) > 3:
            end = o + 1 + words[2].end()
        return o, end

    def quotes_from(self, a: int, b: int) -> list[tuple[int, int]]:
        """The quotes opening at ``a`` or after and before ``b``, in opening order."""
        return self.quotes[bisect.bisect_left(self.quote_starts, a) : bisect.bisect_left(self.quote_starts, b)]

    def org_before(self, head: str, before: int) -> Mention | None:
        """The last multi-word ORG mention starting before ``before`` whose entity starts with ``head``."""
        if self._org_by_head is None:
            self._org_by_head = {}
            for m in self.mentions:
                ws = m.entity.split() if m.type == "ORG" and m.entity else []
                if len(ws) > 1:
                    self._org_by_head.setdefault(ws[0], []).append(m)
        ms = self._org_by_head.get(head, [])
        k = _bisect_start(ms, before)
        return ms[k - 1] if k else None

    def comp_or_cue_between(self, i: int, j: int) -> bool:
        """Is a token in ``[i, j)`` a complementizer (إن/أن) or a reporting cue?"""
        if self._comp_or_cue is None:
            from khabar.analyse.cues import cue_of
            from khabar.text.lexicon import COMPS

            acc, pref = 0, [0]
            for n in self.norm:
                acc += bool(n in COMPS or cue_of(n))
                pref.append(acc)
            self._comp_or_cue = pref
        i, j = max(i, 0), min(j, len(self.norm))
        return i < j and self._comp_or_cue[j] > self._comp_or_cue[i]

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
        # the brackets or quote marks must close right after the name (only spaces, tatweel, a
        # full stop or a comma between)
        k = m.end
        while k < len(self.text) and self.text[k] in _BETWEEN_CLOSE:
            k += 1
        if q is not None:
            return m if k >= q[1] else None
        return m if k < len(self.text) and self.text[k] == ")" else None

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

    def is_speech_quote(self, q: tuple[int, int], i: int) -> bool:
        """A quote that carries speech, not a quoted name (``"جيش الإسلام"``, ``«صدى البلد»``)."""
        inner = self.text[q[0] + 1 : q[1]]
        words = inner.split()
        if len(words) < 3:
            return False
        first = normalize(words[0])
        prev = split_clitics(self.bare(i - 1))[-1] if i > 0 else ""  # ببرنامج "…" → برنامج
        # a quoted name after its head noun: كتائب "عز الدين القسام"، صحيفة "دير شبيغل"، باسم "…"
        if len(words) <= 5 and (is_kind(first, "org") or prev == "باسم"
                                or is_kind(prev, "outlet_head", "org", "role")):
            return False
        lo = bisect.bisect_right(self.ment_starts, q[0])
        inside = [m for m in self.mentions[lo : bisect.bisect_left(self.ment_starts, q[1] + 1)] if m.end <= q[1] + 1]
        if inside and len(words) <= 5 and sum(len(m.text.split()) for m in inside) >= len(words) - 1:
            return False
        return True
