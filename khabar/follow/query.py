"""Alert words in FTS5 syntax, rewritten over the matching form the full-text index holds.

Words become their matching form (clitics off, as the index has them); ``"…"`` is a phrase, ``*``
after a word a prefix, ``AND`` / ``OR`` / ``NOT`` and parentheses pass through. Anything FTS5
would reject is a :class:`QueryError` with a reason, never a server error.

>>> fts_query('الغوطة OR "جيش الإسلام"')
'"الغوطه" OR "جيش الاسلام"'
>>> fts_query("مفاوض*")
'"مفاوض"*'
>>> fts_query("(a")
Traceback (most recent call last):
...
khabar.follow.query.QueryError: unbalanced parentheses in '(a'
"""

from __future__ import annotations

import re

from khabar.store.params import fts_quote
from khabar.text import arabic

#: Longest query kept (characters): a saved query is a few words, and FTS5 cost grows with its length.
MAX_QUERY = 500
_OPERATORS = ("AND", "OR", "NOT")
# one linear pass: a quoted phrase, a parenthesis, or a run of anything else (no nested quantifiers)
_TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s()"]+')


class QueryError(ValueError):
    """A query FTS5 cannot run, with the reason in words."""


def _quoted(words: list[str]) -> str:
    return " ".join(map(fts_quote, words))


def _term(token: str) -> str:
    """One word, phrase or prefix in matching form."""
    if token.startswith('"'):
        if len(token) < 2 or not token.endswith('"'):
            raise QueryError(f"unclosed quote in {token!r}")
        words = arabic.words(token[1:-1])
        if not words:
            raise QueryError(f"nothing to search for in {token!r}")
        return fts_quote(" ".join(words))  # one string: FTS5 reads a phrase
    prefix = token.endswith("*")
    words = arabic.words(token.rstrip("*"))
    if not words:
        raise QueryError(f"nothing to search for in {token!r}")
    if prefix:
        return (_quoted(words[:-1]) + " " if len(words) > 1 else "") + _quoted(words[-1:]) + "*"
    return _quoted(words) if len(words) == 1 else "(" + _quoted(words) + ")"


def fts_query(query: str) -> str:
    """The FTS5 expression over the matching form for ``query``, checked for shape."""
    if len(query) > MAX_QUERY:
        raise QueryError(f"query longer than {MAX_QUERY} characters")
    tokens = _TOKEN.findall(query)
    if not tokens:
        raise QueryError("empty query")
    out: list[str] = []
    depth, want_term = 0, True  # want_term: an operator or a closing parenthesis may not come next
    for i, tok in enumerate(tokens):
        if tok in _OPERATORS:
            if want_term or i == len(tokens) - 1:
                raise QueryError(f"{tok} needs a term on each side in {query!r}")
            out.append(tok)
            want_term = True
        elif tok == "(":
            depth += 1
            out.append(tok)
            want_term = True
        elif tok == ")":
            depth -= 1
            if depth < 0 or want_term:
                raise QueryError(f"unbalanced parentheses in {query!r}")
            out.append(tok)
        else:
            out.append(_term(tok))
            want_term = False
    if depth:
        raise QueryError(f"unbalanced parentheses in {query!r}")
    return " ".join(out).replace("( ", "(").replace(" )", ")")
