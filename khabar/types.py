"""Plain dataclasses for the data that crosses module borders.

Data flows one way: a reader yields :class:`Document` (or :class:`ReadError`), cleaning turns a
document into an :class:`Article`, analysis adds :class:`Mention` and :class:`Statement` lists, and
comparison produces a :class:`Comparison`. ``to_dict`` gives each one's ``--json`` shape:

>>> a = Article(id="x", title="خبر", text="نص", raw=" نص", spans=[(0, 1, 2)])
>>> "spans" in a.to_dict(), a.raw[1:1 + 2] == a.text  # the offset map stays out of the JSON
(False, True)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Document:
    """One article as a reader found it, before cleaning.

    ``text`` is the body as read (decoded, HTML entities unescaped, boilerplate still in);
    ``title`` is the title the input gives (a text file's first non-empty line, an HTML
    ``<title>``/og:title, a JSONL ``title``).
    """

    text: str
    title: str = ""
    url: str | None = None
    source: str | None = None
    published: str | None = None  # ISO 8601 date or datetime, as found
    lang: str | None = None
    input_id: str | None = None  # the input's own id (JSONL ``id``, WARC record id)
    author: str | None = None
    origin: str | None = None  # "path" or "path:line" or "path#record" it came from


@dataclass
class ReadError:
    """A file or record that could not be read; readers yield these instead of raising."""

    path: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "error": self.error}


@dataclass
class Article:
    """A cleaned article. ``id`` is a hash of the clean content (see :func:`khabar.read.clean.article_id`)."""

    id: str
    title: str
    text: str  # clean body
    raw: str  # body as read, before cleaning
    url: str | None = None
    source: str | None = None
    lang: str | None = None
    published: str | None = None
    input_id: str | None = None
    author: str | None = None
    origin: str | None = None
    ingested: str | None = None  # set by the store
    # clean→raw offset map: sorted (clean_start, raw_start, length) runs copied verbatim
    spans: list[tuple[int, int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("spans")
        return d


@dataclass
class Mention:
    """A named-entity mention in an article's clean text."""

    text: str
    type: str  # PERS, LOC, ORG, MISC
    start: int  # offsets into the clean text (Article.text)
    end: int
    entity: str  # canonical name tying the mentions of one entity in one article together

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Statement:
    """Something someone said, as the article reports it."""

    speaker: str | None  # as the article writes it (its most frequent full spelling); keys: entity_key()
    text: str
    start: int  # offsets of ``text`` in the clean text
    end: int
    direct: bool  # inside quote marks
    verb: str | None = None  # the reporting verb as written (نفى، قال …)
    stance: str = "asserts"  # "asserts", "denies" (rejects a claim) or "neutral" (a question)
    role: str | None = None  # الناطق باسم … when the text gives one
    outlet: str | None = None  # the outlet it was said to (لرويترز → رويترز)
    speaker_type: str | None = None  # PERS / ORG when known
    claim: str | None = None  # what a denial rejects, as written, when the text names it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Comparison:
    """The judgement on two articles, on the SemEval-2022 Task 8 scale (1 = very similar … 4 = very dissimilar)."""

    overall: float
    verdict: str  # "same story" | "related" | "different"
    facets: dict[str, float]  # entities, geography, time, narrative
    evidence: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
