"""Bounds on what one text may cost: where a long text is cut, and how much of it each careful step reads.

Every step over a text is linear, but some cost tens of microseconds a line or a word (boilerplate
rules, clitic splitting, stemming): on a legal 5 MB page they would add up to seconds and hold
ingest, and the server's write lock, that long. The longest of 1,173 real articles in
``../shared/data`` has 17,346 characters, so these bounds are many times what news needs; beyond
them the text is still stored whole and searchable (see :func:`khabar.text.arabic.index_text` and
:func:`khabar.read.clean.clean`).

>>> cut_at_break("كلمة " * 10, 14)
'كلمة كلمة كلمة'
>>> cut_at_break("قصير", 100)
'قصير'
"""

from __future__ import annotations

__all__ = ["INDEX_WORD_CHARS", "LINE_RULE_CHARS", "cut_at_break"]

# The full-text index splits clitics off and stems the words of a text's first 100,000 characters
# (5.8× the longest real article); the rest is indexed in its matching form, word for word.
INDEX_WORD_CHARS = 100_000
# Boilerplate line rules read a text's first and last 100,000 characters, where page furniture is;
# lines between are kept as they are (inline rules, such as shortcodes, still apply everywhere).
LINE_RULE_CHARS = 100_000


def cut_at_break(text: str, cap: int) -> str:
    """The prefix of ``text`` of at most ``cap`` characters that ends before a line break (in the
    cap's last half), else before a space (in its last tenth), else at ``cap`` itself."""
    if len(text) <= cap:
        return text
    cut = text.rfind("\n", cap // 2, cap + 1)
    if cut < 0:
        cut = text.rfind(" ", cap - cap // 10, cap + 1)
    return text[: cut if cut > 0 else cap]
