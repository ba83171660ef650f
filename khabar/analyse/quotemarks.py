"""Quote marks: which mark opens or closes a quotation, and the quoted spans of a text.

Arabic news mixes curly quotes, guillemets (nested), straight double and single quotes, and
German-style „…“; outlets type ” for both ends, and quotes are left unclosed at a paragraph's end.

>>> t = 'قال "نعم" ثم «لا»'
>>> [t[a + 1:b] for a, b in quote_spans(t)]
['نعم', 'لا']
"""

from __future__ import annotations

import re

__all__ = ["MARKS", "QUOTE_CHARS", "quote_spans"]

# quote marks and brackets: what a name or a phrase is read without
QUOTE_CHARS = "\"'«»“”„‹›()[]{}"

# family of each mark, and whether it opens, closes, or depends on context ("ambig")
MARKS = {
    "“": ("curly", "open"), "”": ("curly", "close"), "„": ("curly", "open"),
    "«": ("guil", "open"), "»": ("guil", "close"),
    "‹": ("single", "open"), "›": ("single", "close"),
    '"': ("dq", "ambig"), "'": ("sq", "ambig"),
}


# the marks of MARKS, found by one scan in C rather than a Python loop over every character
_MARK_RE = re.compile("[" + re.escape("".join(MARKS)) + "]")


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
    >>> t = 'نقلت وكالة ”ايسنا“ أن ”القلق جعل التجار يحتكرون“.'
    >>> [t[a + 1:b] for a, b in quote_spans(t)]
    ['ايسنا', 'القلق جعل التجار يحتكرون']
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for para in text.split("\n"):
        stack: list[tuple[str, int]] = []  # (family, offset of the opening mark)
        # open marks per family (and German „ ones) kept beside the stack: asking the stack itself
        # at every mark is quadratic in a paragraph of unclosed marks
        open_by: dict[str, int] = {}
        low_curly = 0
        for mark in _MARK_RE.finditer(para):
            ch = mark.group()
            i = pos + mark.start()
            fam, role = MARKS[ch]
            if ch == "“" and low_curly:
                role = "close"  # German-style „…“
            mirrored = ch == "“" and open_by.get("dq") and _mark_role(text, i) == "close" and any(
                f == "dq" and text[o] == "”" for f, o in stack[-3:])
            if mirrored:
                fam, role = "dq", "close"  # mirrored ”…“ (Arabic typesetting): “ closes what ” opened
            elif ch == "”" and not open_by.get("curly"):
                role = "ambig"  # some outlets type ” for both ends
                fam = "dq"
            if fam in ("dq", "sq") and not mirrored:
                ctx = _mark_role(text, i)
                if fam == "sq" and ctx == "ambig":
                    continue  # an apostrophe inside a word
                open_same = bool(open_by.get(fam))
                # a mark that clearly opens nests inside an open quote ("… التابعة "لقسد" …"); one
                # that could go either way closes an open quote, else opens
                role = ("close" if open_same else "open") if ctx == "ambig" else ctx
                if role == "close" and not open_same:
                    continue  # a stray closing mark
            if role == "open":
                stack.append((fam, i))
                open_by[fam] = open_by.get(fam, 0) + 1
                low_curly += fam == "curly" and ch == "„"
            elif role == "close" and open_by.get(fam):
                for d in range(len(stack) - 1, -1, -1):
                    if stack[d][0] == fam:
                        for _, o in stack[d + 1 :]:
                            spans.append((o, i))  # an inner quote left open closes with its outer one
                        spans.append((stack[d][1], i))
                        for f, o in stack[d:]:
                            open_by[f] -= 1
                            low_curly -= f == "curly" and text[o] == "„"
                        del stack[d:]
                        break
        end = pos + len(para.rstrip())
        for _, o in stack:
            if o + 1 < end:
                spans.append((o, end))
        pos += len(para) + 1
    spans.sort(key=lambda s: (s[0], -s[1]))
    return spans
