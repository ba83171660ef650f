"""Cleaning: drop what is not the article (site furniture, share prompts, "most read" lists, comment
sections, WordPress shortcodes) and keep every sentence of it, with a map back to the raw offsets.

The patterns are data, one per line in ``khabar/data/boilerplate.tsv``: ``kind<TAB>regex<TAB>comment``.

* ``line``: drop a line the regex matches in full;
* ``block``: drop this heading line and the short, list-like lines after it (up to the first
  sentence-like or long line), for "most read" / "read also" boxes;
* ``tail``: drop this line and everything after it (comment sections, footers), but only once some
  article text came before it, so a counter at the top of a page cannot swallow the article;
* ``inline``: drop the match inside a line (shortcodes), matched against the raw text, any case.

``line``/``block``/``tail`` regexes are matched against the whole line in its
:func:`khabar.text.arabic.normalize` form with the ends stripped of spaces and light punctuation
(``: . - | • ! ? ؟ ، , ; … * # > " '``), so ``اقرا ايضا`` matches "اقرأ أيضاً:" and "إقرأ ايضا". A
sentence that merely contains a pattern word ("… شارك في الاجتماع …") never matches a whole-line
pattern. To add a pattern, append a line to the TSV (or to your own file and pass
``load_patterns(DEFAULT_PATTERNS, "mine.tsv")`` as ``patterns=``); keep it anchored to short lines.
Each kind's patterns are combined into one compiled alternation, so their number costs little.
On a text longer than twice :data:`~khabar.text.bounds.LINE_RULE_CHARS` (a 5 MB dump, not news),
line rules read only its first and last that many characters, where page furniture is; the lines
between are kept as they are (spaces and blank lines too), inline rules still apply.

>>> c = clean("نص الخبر الأول.\\n\\nاقرأ أيضاً:\\nعنوان آخر\\n\\nالتعليقات (0)\\n0")
>>> c.text
'نص الخبر الأول.'
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from khabar.text import arabic, lang
from khabar.text.bounds import LINE_RULE_CHARS
from khabar.types import Article, Document

__all__ = [
    "DEFAULT_PATTERNS",
    "Cleaned",
    "Patterns",
    "article_id",
    "clean",
    "clean_title",
    "content_id",
    "load_patterns",
    "publisher_key",
    "to_article",
]

DEFAULT_PATTERNS = Path(str(resources.files("khabar") / "data" / "boilerplate.tsv"))
KINDS = ("line", "block", "tail", "inline")
# Longer lines are article text, never tested against line patterns: the longest boilerplate (cookie
# notices) stays under it, and it caps the work any one line can cost the line patterns.
MAX_PATTERN_LINE = 300
BLOCK_MAX_LINES = 10  # a block swallows at most this many lines after its heading
BLOCK_MAX_CHARS = 160  # and only lines this short
SENTENCE_WORDS = 15  # a line with this many words is prose even without a final stop
_KEY_STRIP = " \t\r\f\v\u00a0:.-–—|•·!?؟،,;؛…*#>\"'"
# A sentence ends in . ! ? ؟ … or : possibly followed by closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?؟…:][\s\"'”’»)\]]*$")


@dataclass(frozen=True)
class Patterns:
    """Compiled boilerplate patterns, one alternation per kind (None where a kind has none)."""

    line: re.Pattern[str] | None
    block: re.Pattern[str] | None
    tail: re.Pattern[str] | None
    inline: re.Pattern[str] | None
    count: int = 0


@dataclass
class Cleaned:
    """Clean text and its map to the raw text: sorted ``(clean_start, raw_start, length)`` runs.

    Every character of ``text`` lies in one run and was copied verbatim from the raw text, so
    ``raw[c.to_raw(i)] == c.text[i]`` for every ``i``.
    """

    text: str
    spans: list[tuple[int, int, int]]
    _starts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._starts = [s[0] for s in self.spans]

    def to_raw(self, offset: int) -> int:
        """Raw offset of clean offset ``offset`` (``len(text)`` maps to just after the last run)."""
        if not 0 <= offset <= len(self.text):
            raise IndexError(f"offset {offset} outside the clean text (0..{len(self.text)})")
        if offset == len(self.text):
            return self.spans[-1][1] + self.spans[-1][2] if self.spans else 0
        cs, rs, _ = self.spans[bisect_right(self._starts, offset) - 1]
        return rs + offset - cs

    def to_raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw ``[start, end)`` covering clean ``[start, end)`` (it may include dropped text between)."""
        if end <= start:
            at = self.to_raw(start)
            return at, at
        return self.to_raw(start), self.to_raw(end - 1) + 1


def load_patterns(*paths: str | Path) -> Patterns:
    """Compile the pattern files ``paths`` (default: the shipped ``boilerplate.tsv``) into one set.

    Raises ``ValueError`` naming the file and line of a bad kind or regex.
    """
    if not paths:
        return _default_patterns()
    by_kind: dict[str, list[str]] = {k: [] for k in KINDS}
    for path in paths:
        for lineno, row in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not row.strip() or row.lstrip().startswith("#"):
                continue
            kind, _, rest = row.partition("\t")
            regex = rest.split("\t", 1)[0]
            if kind not in by_kind or not regex:
                raise ValueError(f"{path}:{lineno}: expected kind<TAB>regex<TAB>comment, kind one of {KINDS}")
            try:
                re.compile(regex)
            except re.error as e:
                raise ValueError(f"{path}:{lineno}: bad regex: {e}") from e
            by_kind[kind].append(regex)

    def combine(regexes: list[str]) -> re.Pattern[str] | None:
        return re.compile("|".join(f"(?:{r})" for r in regexes), re.IGNORECASE) if regexes else None

    return Patterns(
        line=combine(by_kind["line"]),
        block=combine(by_kind["block"]),
        tail=combine(by_kind["tail"]),
        inline=combine(by_kind["inline"]),
        count=sum(map(len, by_kind.values())),
    )


@cache
def _default_patterns() -> Patterns:
    return load_patterns(DEFAULT_PATTERNS)


def _patterns(patterns: Patterns | str | Path | None) -> Patterns:
    if patterns is None:
        return _default_patterns()
    if isinstance(patterns, Patterns):
        return patterns
    return load_patterns(patterns)


def _is_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line)) or line.count(" ") + 1 >= SENTENCE_WORDS


def clean(text: str, title: str = "", patterns: Patterns | str | Path | None = None) -> Cleaned:
    """Remove boilerplate from ``text`` (an article body); ``title`` is dropped where it is repeated
    as the first body line. Kept lines keep their line breaks, lose their outer spaces, and a run of
    blank or dropped lines between them becomes one blank line (a paragraph break).
    """
    pats = _patterns(patterns)
    title_key = arabic.normalize(title) if title.strip() else None
    inline = [(m.start(), m.end()) for m in pats.inline.finditer(text)] if pats.inline else []
    out: list[str] = []
    spans: list[list[int]] = []
    pos = 0

    def emit(raw_start: int, length: int) -> None:
        nonlocal pos
        last = spans[-1] if spans else None
        if last and last[1] + last[2] == raw_start and last[0] + last[2] == pos:
            last[2] += length
        else:
            spans.append([pos, raw_start, length])
        out.append(text[raw_start : raw_start + length])
        pos += length

    prev_end = -1  # raw offset of the newline after the last kept line
    gap = False  # a blank or dropped line since the last kept line
    kept_prose = False  # some sentence-like line was kept (a tail may cut only after that)
    in_block = 0  # lines a block heading may still swallow
    j = 0  # next inline match
    start = 0
    n = len(text)
    while start <= n:
        mid = _middle_end(text, start, inline, j) if start >= LINE_RULE_CHARS and not in_block else -1
        end = mid if mid > 0 else text.find("\n", start)
        if end < 0:
            end = n
        while j < len(inline) and inline[j][1] <= start:
            j += 1
        pieces = [(start, end)] if mid > 0 else _trim(text, _pieces(inline, j, start, end))
        stripped = "".join(text[a:b] for a, b in pieces)
        next_start = end + 1
        if not stripped:
            gap = True
            start = next_start
            continue
        drop = False
        # line rules read the first and last LINE_RULE_CHARS, where page furniture is (the cost bound)
        if len(stripped) <= MAX_PATTERN_LINE and (start < LINE_RULE_CHARS or end > n - LINE_RULE_CHARS):
            norm = arabic.normalize(stripped)
            key = norm.strip(_KEY_STRIP)
            if pats.tail and pats.tail.fullmatch(key):
                if kept_prose:
                    break
                drop = True
            elif pats.block and pats.block.fullmatch(key):
                drop, in_block = True, BLOCK_MAX_LINES
            elif pats.line and pats.line.fullmatch(key):
                drop = True
            elif in_block and len(stripped) <= BLOCK_MAX_CHARS and not _is_sentence(stripped):
                drop, in_block = True, in_block - 1
            elif not out and norm == title_key:
                drop = True
        if drop:
            gap = True
            start = next_start
            continue
        in_block = 0
        if out:
            emit(prev_end, 1)
            if gap:
                emit(start - 1, 1)
        for a, b in pieces:
            emit(a, b - a)
        kept_prose = kept_prose or _is_sentence(stripped)
        prev_end, gap = end, False
        start = next_start
    return Cleaned("".join(out), [(a, b, c) for a, b, c in spans])


def _middle_end(text: str, start: int, inline: list[tuple[int, int]], j: int) -> int:
    """Where the run of lines from ``start`` that line rules do not read ends (a line break before
    the last :data:`LINE_RULE_CHARS` and before the next inline match), or -1 if there is none;
    the run is kept as it is, one piece."""
    stop = text.rfind("\n", start, len(text) - LINE_RULE_CHARS)
    while j < len(inline) and inline[j][1] <= start:
        j += 1
    if stop > start and j < len(inline) and inline[j][0] < stop:
        stop = text.rfind("\n", start, inline[j][0])
    return stop if stop > start else -1


def _pieces(inline: list[tuple[int, int]], j: int, start: int, end: int) -> list[tuple[int, int]]:
    """The line ``[start, end)`` less the inline matches that overlap it (``inline[j:]``, sorted)."""
    pieces: list[tuple[int, int]] = []
    cur = start
    while j < len(inline) and inline[j][0] < end:
        ms, me = inline[j]
        if ms > cur:
            pieces.append((cur, ms))
        cur = max(cur, me)
        j += 1
    if cur < end:
        pieces.append((cur, end))
    return pieces


def _trim(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A line's pieces without outer whitespace, and without a doubled space where a match was cut out."""
    out: list[list[int]] = []
    for a, b in pieces:
        if not out or text[out[-1][1] - 1].isspace():
            while a < b and text[a].isspace():
                a += 1
        if a < b:
            out.append([a, b])
    while out:
        a, b = out[-1]
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out[-1][1] = b
            break
        out.pop()
    return [(a, b) for a, b in out]


def clean_title(title: str, patterns: Patterns | str | Path | None = None) -> str:
    """``title`` without inline boilerplate (shortcodes) and with its whitespace collapsed."""
    pats = _patterns(patterns)
    if pats.inline:
        title = pats.inline.sub(" ", title)
    return " ".join(title.split())


def content_id(title: str, text: str) -> str:
    """Content key: the first 16 hex digits of SHA-256 over the matching form of title and clean text.

    The matching form drops diacritics, spelling variants and whitespace differences, so the same
    text read twice (another scrape, other spacing) gets the same key.
    """
    # == normalize(title + "\n" + text): a line break composes with nothing, and the whole is
    # collapsed around it; normalized apart, a long text's form is shared with its index entry
    key = " ".join(filter(None, (arabic.normalize(title), arabic.normalize(text))))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def publisher_key(url: str | None, source: str | None) -> str | None:
    """Where an article was published, as its id uses it: the URL when there is one, else the outlet.

    The URL's scheme and host are lower-cased and its fragment and trailing slash dropped (the same
    page linked two ways); the query is kept, since some sites name the article there.

    >>> publisher_key("HTTPS://Alghad.TV/news/1/#top", "alghad.tv"), publisher_key(None, " Reuters ")
    ('url:https://alghad.tv/news/1', 'source:reuters')
    >>> publisher_key(None, None) is None
    True
    """
    if url and url.strip():
        parts = urlsplit(url.strip())
        path = parts.path.rstrip("/")
        return "url:" + urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))
    if source and source.strip():
        return "source:" + source.strip().lower()
    return None


def article_id(title: str, text: str, url: str | None = None, source: str | None = None) -> str:
    """An article's id: one outlet's publication of one text.

    The same text from two outlets (or two URLs) is two articles, so a wire story reposted word for
    word by a second outlet is kept (the story clusterer puts the two in one near-copy group); the
    same text at the same URL (without a URL: from the same outlet) is the same article. Without
    url and source the id is :func:`content_id`, as ids were before outlets counted, so stores made
    then keep their ids. The Spark job gets its ids from here too (through :func:`to_article`).

    >>> a = article_id("t", "body", "https://a.com/1", "a.com")
    >>> a == article_id("t", "body", "https://a.com/1/", "a.com"), a == article_id("t", "body", "https://b.com/1", "b.com")
    (True, False)
    >>> article_id("t", "body") == content_id("t", "body")
    True
    """
    content = content_id(title, text)
    where = publisher_key(url, source)
    if where is None:
        return content
    return hashlib.sha256(f"{content}\n{where}".encode()).hexdigest()[:16]


def to_article(doc: Document, patterns: Patterns | str | Path | None = None) -> Article:
    """Clean ``doc`` into an :class:`Article`; ``ValueError`` naming ``doc.origin`` if nothing is left."""
    pats = _patterns(patterns)
    title = clean_title(doc.title, pats)
    cleaned = clean(doc.text, title, pats)
    if not cleaned.text.strip():
        raise ValueError(f"{doc.origin or '<document>'}: no article text left after cleaning")
    return Article(
        id=article_id(title, cleaned.text, doc.url, doc.source),
        title=title,
        text=cleaned.text,
        raw=doc.text,
        url=doc.url,
        source=doc.source,
        lang=doc.lang or lang.detect(title + "\n" + cleaned.text),
        published=doc.published,
        input_id=doc.input_id,
        author=doc.author,
        origin=doc.origin,
        spans=cleaned.spans,
    )
